/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The UDP socket a session runs on. jvpnk creates and binds it, hands its
 * fd to the kernel in JVPN_A_SOCKET_FD, and may then close it: the kernel
 * holds its own reference.
 */
#ifndef JVPN_UDPSOCK_H
#define JVPN_UDPSOCK_H

#include "parse.h"

/*
 * A UDP socket of local's family, bound to local (and to device bind_dev
 * unless NULL). Returns the fd, or -1 after printing why; bind_text is
 * what the user wrote, for that message.
 */
int transport_open(const char *cmd, const char *bind_text,
		   const union jvpn_sockaddr *local, const char *bind_dev);

#endif /* JVPN_UDPSOCK_H */
