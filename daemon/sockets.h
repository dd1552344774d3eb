/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The UDP sockets jvpnd shares with jvpn.ko: every datagram the kernel
 * hands up (all but data) goes to the role's datagram handler.
 */
#ifndef JVPND_SOCKETS_H
#define JVPND_SOCKETS_H

#include "jvpnd.h"

/* datagrams read from one socket per wakeup of the loop, at most: a
 * batch takes well under a millisecond on the build machine (one INIT
 * judged 70 us, docs/control-plane-protocol.md), a tick is JVPND_TICK_MS */
#define JVPND_RX_BATCH 64

/* 0, or -errno */
int jvpnd_watch_udp(struct jvpnd *d, int fd);

#endif /* JVPND_SOCKETS_H */
