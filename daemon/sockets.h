/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The UDP sockets jvpnd shares with jvpn.ko: every datagram the kernel
 * hands up (all but data) goes to the role's datagram handler.
 */
#ifndef JVPND_SOCKETS_H
#define JVPND_SOCKETS_H

#include "jvpnd.h"

/* 0, or -errno */
int jvpnd_watch_udp(struct jvpnd *d, int fd);

#endif /* JVPND_SOCKETS_H */
