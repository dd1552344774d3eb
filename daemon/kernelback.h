/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Getting the kernel back when jvpn.ko is reloaded under live sessions (a
 * newer jvpn-dkms, or rmmod and modprobe): the device went, and every
 * session's kernel state with it. jvpnd notices, keeps its sessions
 * (sessions_kernel_lost), waits for the module, creates the device again
 * as it was, opens its links again, and lets the role resume each session
 * with its peer by a fresh handshake (docs/operations.md, "Upgrading the
 * module").
 */
#ifndef JVPND_KERNELBACK_H
#define JVPND_KERNELBACK_H

#include "jvpnd.h"

/* At start, with the device there: what it has, to be put back. */
void kernelback_init(struct jvpnd *d);
/*
 * Every tick, with @on_events the loop's callback of the event link: the
 * device checked, or while it is lost, tried to be got back every
 * KERNELBACK_RETRY_MS. True when the device is lost now.
 */
#define KERNELBACK_RETRY_MS 250
bool kernelback_tick(struct jvpnd *d, loop_fn on_events);
/* The kernel reported a session deleted because the device went. */
void kernelback_device_gone(struct jvpnd *d);

#endif /* JVPND_KERNELBACK_H */
