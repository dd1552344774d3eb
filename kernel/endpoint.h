/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_ENDPOINT_H
#define _JVPN_ENDPOINT_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/skbuff.h>

struct netlink_ext_ack;
struct nlattr;
struct sk_buff;
struct sock;

/* A UDP address: family AF_INET or AF_INET6, port in network order. */
struct jvpn_endpoint {
	sa_family_t family;
	__be16 port;
	union {
		struct in_addr addr4;
		struct in6_addr addr6;
	};
};

bool jvpn_endpoint_equal(const struct jvpn_endpoint *a,
			 const struct jvpn_endpoint *b);
/* The outer source of a received UDP packet. */
bool jvpn_endpoint_from_skb(struct jvpn_endpoint *ep,
			    const struct sk_buff *skb);
/* The local address and port a socket is bound to. */
void jvpn_endpoint_from_sock(struct jvpn_endpoint *ep, const struct sock *sk);
int jvpn_endpoint_from_nla(struct jvpn_endpoint *ep, const struct nlattr *nest,
			   struct netlink_ext_ack *extack);
int jvpn_endpoint_to_nla(struct sk_buff *msg, int attrtype,
			 const struct jvpn_endpoint *ep);

#endif /* _JVPN_ENDPOINT_H */
