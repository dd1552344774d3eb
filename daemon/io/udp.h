/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* UDP sockets shared with jvpn.ko: jvpnd reads and writes control
 * messages on them, the kernel consumes the data packets. */
#ifndef JVPND_UDP_H
#define JVPND_UDP_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "sockaddr.h"

/*
 * A non-blocking socket bound to @local (port may be 0: the kernel picks)
 * of @family, and to device @ifname when not NULL/"" (an uplink). Returns
 * the fd or -errno.
 */
int udp_open(int family, const union jvpn_sockaddr *local, const char *ifname);
ssize_t udp_send(int fd, const union jvpn_sockaddr *to, const void *buf,
		 size_t len);
/* One datagram, or -1 with errno (EAGAIN when none is pending). */
ssize_t udp_recv(int fd, union jvpn_sockaddr *from, void *buf, size_t size);
/* The fd among @fds[0..n) bound to @local (address and port), or -1. */
int udp_find_bound(const int *fds, size_t n, const union jvpn_sockaddr *local);
/* The fd among @fds[0..n) on uplink @u (device, and address if given). */
int udp_find_uplink(const int *fds, size_t n, const struct config_uplink *u);

#endif /* JVPND_UDP_H */
