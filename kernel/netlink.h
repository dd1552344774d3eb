/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_NETLINK_H
#define _JVPN_NETLINK_H

#include <net/genetlink.h>
#include <linux/jvpn.h>
#include "netlink-gen.h"

struct jvpn_session;

extern struct genl_family jvpn_genl_family;

int jvpn_netlink_register(void);
void jvpn_netlink_unregister(void);
/* Attributes that describe a session, shared by replies and events. */
int jvpn_nl_put_session_id(struct sk_buff *msg, const struct jvpn_session *s);

#endif /* _JVPN_NETLINK_H */
