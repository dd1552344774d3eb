// SPDX-License-Identifier: GPL-2.0
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include "endpoint.h"
#include "netlink.h"

bool jvpn_endpoint_equal(const struct jvpn_endpoint *a,
			 const struct jvpn_endpoint *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	if (a->family == AF_INET)
		return a->addr4.s_addr == b->addr4.s_addr;
	return ipv6_addr_equal(&a->addr6, &b->addr6);
}

bool jvpn_endpoint_from_skb(struct jvpn_endpoint *ep,
			    const struct sk_buff *skb)
{
	memset(ep, 0, sizeof(*ep));
	ep->port = udp_hdr(skb)->source;
	if (ip_hdr(skb)->version == 4) {
		ep->family = AF_INET;
		ep->addr4.s_addr = ip_hdr(skb)->saddr;
		return true;
	}
	if (ip_hdr(skb)->version == 6) {
		ep->family = AF_INET6;
		ep->addr6 = ipv6_hdr(skb)->saddr;
		return true;
	}
	return false;
}

void jvpn_endpoint_from_sock(struct jvpn_endpoint *ep, const struct sock *sk)
{
	memset(ep, 0, sizeof(*ep));
	ep->family = sk->sk_family;
	ep->port = inet_sk(sk)->inet_sport;
	if (sk->sk_family == AF_INET)
		ep->addr4.s_addr = inet_sk(sk)->inet_rcv_saddr;
#if IS_ENABLED(CONFIG_IPV6)
	else
		ep->addr6 = sk->sk_v6_rcv_saddr;
#endif
}

int jvpn_endpoint_from_nla(struct jvpn_endpoint *ep, const struct nlattr *nest,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[JVPN_EP_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, JVPN_EP_A_MAX, nest, jvpn_endpoint_policy,
			       extack);
	if (err)
		return err;
	if (!!tb[JVPN_EP_A_ADDR4] == !!tb[JVPN_EP_A_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "endpoint needs exactly one of ADDR4 and ADDR6");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, JVPN_EP_A_PORT)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "endpoint has no port");
		return -EINVAL;
	}
	memset(ep, 0, sizeof(*ep));
	ep->port = htons(nla_get_u16(tb[JVPN_EP_A_PORT]));
	if (tb[JVPN_EP_A_ADDR4]) {
		ep->family = AF_INET;
		ep->addr4.s_addr = nla_get_in_addr(tb[JVPN_EP_A_ADDR4]);
		return 0;
	}
	ep->family = AF_INET6;
	ep->addr6 = nla_get_in6_addr(tb[JVPN_EP_A_ADDR6]);
	return 0;
}

int jvpn_endpoint_to_nla(struct sk_buff *msg, int attrtype,
			 const struct jvpn_endpoint *ep)
{
	struct nlattr *nest = nla_nest_start(msg, attrtype);

	if (!nest)
		return -EMSGSIZE;
	if ((ep->family == AF_INET &&
	     nla_put_in_addr(msg, JVPN_EP_A_ADDR4, ep->addr4.s_addr)) ||
	    (ep->family == AF_INET6 &&
	     nla_put_in6_addr(msg, JVPN_EP_A_ADDR6, &ep->addr6)) ||
	    nla_put_u16(msg, JVPN_EP_A_PORT, ntohs(ep->port))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}
