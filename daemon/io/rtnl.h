/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The routing subsystem's news, as callbacks: links, addresses and routes
 * appearing, changing and going (rtnetlink's RTM_NEWLINK/DELLINK,
 * NEWADDR/DELADDR, NEWROUTE/DELROUTE multicast groups, read with libmnl),
 * and the two questions a client asks when it hears of a change: is this
 * link up, and is there still a route to the gateway out of it.
 *
 * The watcher knows nothing of sessions: the client (daemon/client.c)
 * decides what a change means for its path (docs/reattach.md,
 * "Event-driven detection").
 */
#ifndef JVPND_RTNL_H
#define JVPND_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include "sockaddr.h"

#define RTNL_IFNAMSIZ 16

struct rtnl_link {
	int ifindex;
	char name[RTNL_IFNAMSIZ]; /* "" when the message named none */
	bool up;		  /* administratively up (IFF_UP) */
	bool carrier;		  /* lower layer up (IFF_LOWER_UP) */
};

struct rtnl_addr {
	int ifindex;
	union jvpn_sockaddr addr; /* port 0 */
	uint8_t prefix_len;
};

struct rtnl_route {
	int oif; /* 0: none named (multipath, blackhole...) */
	uint16_t family;
	uint8_t dst[16];
	uint8_t dst_len;
	uint32_t table;
};

/* Each is called with gone = true for a DEL message; any may be NULL. */
struct rtnl_ops {
	void (*link)(void *ctx, const struct rtnl_link *l, bool gone);
	void (*addr)(void *ctx, const struct rtnl_addr *a, bool gone);
	void (*route)(void *ctx, const struct rtnl_route *r, bool gone);
	/* messages were lost (ENOBUFS): the caller must re-read what it
	 * depends on (rtnl_link_get, rtnl_reachable) */
	void (*lost)(void *ctx);
};

struct mnl_socket;

struct rtnl {
	struct mnl_socket *watch; /* multicast: the news */
	struct mnl_socket *ask;	  /* requests: the questions */
	uint32_t seq;
	const struct rtnl_ops *ops;
	void *ctx;
};

/* 0, or -errno. Opens both sockets; the watch socket is non-blocking. */
int rtnl_open(struct rtnl *r, const struct rtnl_ops *ops, void *ctx);
void rtnl_close(struct rtnl *r);
/* The descriptor to wait on (readable: call rtnl_read), -1 if closed. */
int rtnl_fd(const struct rtnl *r);
/* Reads and dispatches everything pending; 0, or -errno. */
int rtnl_read(struct rtnl *r);
/* Dispatches the messages of one datagram @buf (what rtnl_read does with
 * each it reads; also the unit tests' way in). */
void rtnl_dispatch(struct rtnl *r, const void *buf, size_t len);

/* The link's state now (RTM_GETLINK); 0, or -errno (-ENODEV: none). */
int rtnl_link_get(struct rtnl *r, int ifindex, struct rtnl_link *l);
/*
 * Whether the routing table sends @dst out of @oif (RTM_GETROUTE with the
 * output interface fixed, as for a socket bound to that device): 1 yes,
 * 0 no route (unreachable, or only out of another interface), -errno on
 * failure to ask.
 */
int rtnl_reachable(struct rtnl *r, const union jvpn_sockaddr *dst, int oif);

#endif /* JVPND_RTNL_H */
