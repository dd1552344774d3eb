/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one socket address and prefix types of jvpn's userspace, and how
 * they are written: "192.0.2.1:51820", "[2001:db8::1]:443".
 */
#ifndef JVPN_SOCKADDR_H
#define JVPN_SOCKADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

union jvpn_sockaddr {
	struct sockaddr sa; /* sa_family AF_UNSPEC: none */
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

/* A prefix; addr in network byte order, zero past the family's size. */
struct jvpn_cidr {
	uint16_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix_len;
	uint8_t addr[16];
};

/* Room for any text jvpn_sockaddr_text writes. */
#define JVPN_SOCKADDR_TEXT_MAX 64

socklen_t jvpn_sockaddr_len(const union jvpn_sockaddr *a);
/* "none" for AF_UNSPEC, "?" for another family; returns @buf. An IPv6
 * scope is written as its interface: [fe80::1%eth0]:51820. */
const char *jvpn_sockaddr_text(const union jvpn_sockaddr *a, char *buf,
			       size_t size);
/* Same family, address and port. */
bool jvpn_sockaddr_equal(const union jvpn_sockaddr *a,
			 const union jvpn_sockaddr *b);

#endif /* JVPN_SOCKADDR_H */
