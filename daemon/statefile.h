/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What jvpnd remembers across a crash or kill -9 that the kernel does not
 * know, and nothing secret: each session's state machine times, its
 * reattach nonces and the greatest handshake time seen per peer. The
 * session's keys are left with the kernel itself (daemon/core/escrow.h),
 * atomically with each change of keys; its state_version and binding are
 * the kernel's. Written on every change to a new file (O_EXCL|O_NOFOLLOW,
 * mode 0600), fsync'ed, renamed over the old one, and the directory
 * fsync'ed. docs/control-plane-protocol.md ("Restarts") says what survives
 * what.
 */
#ifndef JVPND_STATEFILE_H
#define JVPND_STATEFILE_H

#include "jvpnd.h"

/* Writes every session of @d; false (with errno) if it could not. */
bool statefile_save(const struct jvpnd *d);
/*
 * Takes back every session the kernel holds with a record of its keys for
 * a configured peer (the kernel's state_version, binding and keys; the
 * file's times and nonces where it has them) and its socket, and ends
 * every other kernel session: one that cannot be resumed is ambiguous.
 * Works without a state file too (a first start finds no session).
 * Returns the sessions restored.
 */
int statefile_restore(struct jvpnd *d);

#endif /* JVPND_STATEFILE_H */
