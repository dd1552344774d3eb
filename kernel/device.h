/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_DEVICE_H
#define _JVPN_DEVICE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include "allowedips.h"
#include "counters.h"
#include "table.h"

/* The private part of a jvpn net_device. */
struct jvpn_device {
	struct net_device *dev;
	struct jvpn_table sessions;
	struct jvpn_allowedips allowed_ips;
	/* drops that belong to no session: unknown id, malformed, no route */
	struct jvpn_counters __percpu *counters;

	/* Control plane: everything below, and every change to a session. */
	struct mutex lock;
	struct list_head session_list;	/* stable order for dumps */
	struct list_head socks;		/* struct jvpn_sock attached to us */
	unsigned int generation;	/* bumped on each add/remove: dumps */
	bool dead;			/* being deleted: refuse new work */
};

extern struct rtnl_link_ops jvpn_link_ops;

int jvpn_device_register(void);
void jvpn_device_unregister(void);
/*
 * Resolves a netlink request's ifindex to a jvpn device, with a reference
 * the caller drops with dev_put().
 */
struct jvpn_device *jvpn_device_get(struct net *net, u32 ifindex,
				    struct netlink_ext_ack *extack);

#endif /* _JVPN_DEVICE_H */
