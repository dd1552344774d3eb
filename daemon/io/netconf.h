/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The client's device configuration over rtnetlink (libmnl): its inner
 * address and the routes of its allowed-ips on the jvpn device, and what
 * keeps the gateway reachable outside the tunnel; every item it adds is
 * remembered, so that netconf_undo() removes exactly those and nothing an
 * administrator had set (docs/config.md, "Routes").
 *
 * A /0 becomes its two halves (0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1):
 * more specific than any default route, which stays untouched. A socket
 * bound to its uplink's device (uplink = IF) never takes a route out of
 * another device, so the outer packets keep using the underlay; a client
 * without uplink lines pins a host route to each gateway endpoint through
 * the route the table used before (netconf_pin_host).
 */
#ifndef JVPND_NETCONF_H
#define JVPND_NETCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockaddr.h"

#define NETCONF_MAX_ITEMS 64

struct netconf_item {
	bool is_route; /* else an address */
	int ifindex;
	struct jvpn_cidr dst;
	union jvpn_sockaddr via; /* routes: AF_UNSPEC for none */
};

struct mnl_socket;

struct netconf {
	struct mnl_socket *nl;
	uint32_t seq;
	struct netconf_item added[NETCONF_MAX_ITEMS];
	size_t n_added;
	char err[160]; /* the last failure, for the log */
};

/* The prefixes a route to @in is made of: @in itself, or its two halves
 * for a /0. Returns how many (1 or 2) were written to @out. */
size_t netconf_split(const struct jvpn_cidr *in, struct jvpn_cidr out[2]);

/* Whether prefix @c holds address @a (same family). */
bool netconf_covers(const struct jvpn_cidr *c, const union jvpn_sockaddr *a);

/* 0, or -errno (n->err says what). */
int netconf_open(struct netconf *n);
void netconf_close(struct netconf *n);

/* Sets the device up (not remembered: it stays up). 0, or -errno. */
int netconf_link_up(struct netconf *n, int ifindex);

/*
 * Each: 0 added (and remembered), 1 already there (not ours: left alone,
 * also by netconf_undo), -errno with n->err set.
 */
int netconf_add_address(struct netconf *n, int ifindex,
			const struct jvpn_cidr *addr);
int netconf_add_route(struct netconf *n, int ifindex,
		      const struct jvpn_cidr *dst);
/* A host route to @dst through whatever route reaches it now. */
int netconf_pin_host(struct netconf *n, const union jvpn_sockaddr *dst);

/* Removes what was added, newest first; failures only logged in n->err. */
void netconf_undo(struct netconf *n);

/*
 * A device's own configuration, what it needs to be put back when its
 * module took it away (daemon/kernelback.c): its MTU and the addresses an
 * administrator (or the client's own netconf) gave it; the link-local
 * ones the kernel makes itself are left out.
 */
#define NETCONF_DEVICE_ADDRS 16

struct netconf_device {
	unsigned int mtu; /* 0: not known */
	struct jvpn_cidr addrs[NETCONF_DEVICE_ADDRS];
	size_t n_addrs;
};

/* Each: 0, or -errno (-1: some item) with n->err set. */
int netconf_device_read(struct netconf *n, int ifindex,
			struct netconf_device *dev);
/* A new device @name of rtnetlink kind @kind, with @dev's MTU; one that
 * exists already is taken as it is. */
int netconf_device_create(struct netconf *n, const char *name, const char *kind,
			  const struct netconf_device *dev);
/* @dev's addresses on @ifindex (ones it has already stay), then up. */
int netconf_device_restore(struct netconf *n, int ifindex,
			   const struct netconf_device *dev);

#endif /* JVPND_NETCONF_H */
