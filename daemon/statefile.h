/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What jvpnd must remember across a crash or kill -9 that the kernel does
 * not know: each session's state machine, keys (the control key above
 * all), nonces and the greatest handshake time seen per peer. Written
 * atomically (temporary file, then rename) on every change, mode 0600.
 * With the kernel's dump and its sockets, a restarted daemon carries on.
 */
#ifndef JVPND_STATEFILE_H
#define JVPND_STATEFILE_H

#include "jvpnd.h"

/* Writes every session of @d; false (with errno) if it could not. */
bool statefile_save(const struct jvpnd *d);
/*
 * Restores the sessions the file and the kernel agree on, takes their
 * sockets back from the kernel, and ends kernel sessions nobody knows.
 * A missing file is a first start. Returns the sessions restored.
 */
int statefile_restore(struct jvpnd *d);

#endif /* JVPND_STATEFILE_H */
