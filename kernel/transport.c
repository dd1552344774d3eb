// SPDX-License-Identifier: GPL-2.0
/*
 * A session's one active path, and sending through it. A switch publishes
 * a whole new transport with one pointer store, so a packet is sent either
 * entirely through the old path or entirely through the new one.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>
#include "device.h"
#include "transport.h"

struct jvpn_transport *jvpn_transport_new(struct jvpn_sock *js,
					  const struct jvpn_endpoint *remote,
					  struct netlink_ext_ack *extack)
{
	struct jvpn_transport *t;

	if (remote->family != js->sock->sk->sk_family) {
		NL_SET_ERR_MSG(extack,
			       "remote endpoint family differs from the socket's");
		return ERR_PTR(-EAFNOSUPPORT);
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	if (dst_cache_init(&t->dst_cache, GFP_KERNEL)) {
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	t->js = js;
	t->remote = *remote;
	return t;
}

static void transport_free(struct rcu_head *rcu)
{
	struct jvpn_transport *t = container_of(rcu, struct jvpn_transport,
						rcu);

	dst_cache_destroy(&t->dst_cache);
	kfree(t);
}

void jvpn_transport_release(struct jvpn_transport *t)
{
	if (!t)
		return;
	jvpn_sock_put(t->js);
	call_rcu(&t->rcu, transport_free);
}

static bool same_local(const struct jvpn_sock *a, const struct jvpn_sock *b)
{
	struct jvpn_endpoint la, lb;

	jvpn_endpoint_from_sock(&la, a->sock->sk);
	jvpn_endpoint_from_sock(&lb, b->sock->sk);
	return jvpn_endpoint_equal(&la, &lb) &&
	       a->sock->sk->sk_bound_dev_if == b->sock->sk->sk_bound_dev_if;
}

bool jvpn_transport_matches(const struct jvpn_transport *t,
			    const struct jvpn_sock *js,
			    const struct jvpn_endpoint *src)
{
	if (!jvpn_endpoint_equal(&t->remote, src))
		return false;
	/* sockets sharing one address and port (SO_REUSEPORT) are one path */
	return t->js == js || same_local(t->js, js);
}

static int send4(struct jvpn_transport *t, struct sk_buff *skb,
		 struct net_device *dev, u8 ds)
{
	struct sock *sk = t->js->sock->sk;
	struct flowi4 fl = {
		.saddr = inet_sk(sk)->inet_saddr,
		.daddr = t->remote.addr4.s_addr,
		.fl4_dport = t->remote.port,
		.fl4_sport = inet_sk(sk)->inet_sport,
		.flowi4_oif = sk->sk_bound_dev_if,
		.flowi4_mark = sk->sk_mark,
		.flowi4_proto = IPPROTO_UDP,
	};
	struct rtable *rt;

	rt = dst_cache_get_ip4(&t->dst_cache, &fl.saddr);
	if (!rt) {
		rt = ip_route_output_flow(sock_net(sk), &fl, sk);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		if (unlikely(rt->dst.dev == dev)) {
			ip_rt_put(rt);
			return -ELOOP;	/* outer route through ourselves */
		}
		dst_cache_set_ip4(&t->dst_cache, &rt->dst, fl.saddr);
	}
	skb->ignore_df = 1;
	udp_tunnel_xmit_skb(rt, sk, skb, fl.saddr, fl.daddr, ds,
			    ip4_dst_hoplimit(&rt->dst), 0, fl.fl4_sport,
			    fl.fl4_dport, !net_eq(sock_net(sk), dev_net(dev)),
			    false);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static int send6(struct jvpn_transport *t, struct sk_buff *skb,
		 struct net_device *dev, u8 ds)
{
	struct sock *sk = t->js->sock->sk;
	struct flowi6 fl = {
		.saddr = sk->sk_v6_rcv_saddr,
		.daddr = t->remote.addr6,
		.fl6_dport = t->remote.port,
		.fl6_sport = inet_sk(sk)->inet_sport,
		.flowi6_oif = sk->sk_bound_dev_if,
		.flowi6_mark = sk->sk_mark,
		.flowi6_proto = IPPROTO_UDP,
	};
	struct dst_entry *dst;

	dst = dst_cache_get_ip6(&t->dst_cache, &fl.saddr);
	if (!dst) {
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl,
						      NULL);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		if (unlikely(dst->dev == dev)) {
			dst_release(dst);
			return -ELOOP;
		}
		dst_cache_set_ip6(&t->dst_cache, dst, &fl.saddr);
	}
	skb->ignore_df = 1;
	udp_tunnel6_xmit_skb(dst, sk, skb, dev, &fl.saddr, &fl.daddr, ds,
			     ip6_dst_hoplimit(dst), 0, fl.fl6_sport,
			     fl.fl6_dport, false);
	return 0;
}
#endif

int jvpn_transport_send(struct jvpn_transport *t, struct sk_buff *skb,
			struct net_device *dev, u8 ds)
{
	int err = -EAFNOSUPPORT;

	skb_mark_not_on_list(skb);
	skb->dev = dev;
	if (t->remote.family == AF_INET)
		err = send4(t, skb, dev, ds);
#if IS_ENABLED(CONFIG_IPV6)
	else if (t->remote.family == AF_INET6)
		err = send6(t, skb, dev, ds);
#endif
	if (err)
		kfree_skb(skb);
	return err;
}
