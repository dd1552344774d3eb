// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit path: pick the session by inner destination, seal, send
 * through the session's one transport. Runs on the sending CPU, lockless.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/icmp.h>
#include "device.h"
#include "inner.h"
#include "send.h"
#include "session.h"
#include "transport.h"

static void report_unreachable(struct sk_buff *skb, int family)
{
	if (family == AF_INET)
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else if (family == AF_INET6)
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH,
				0);
}

static netdev_tx_t drop(struct net_device *dev, struct sk_buff *skb,
			struct jvpn_counters __percpu *pc,
			enum jvpn_counter why)
{
	jvpn_count(pc, why, 1);
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static netdev_tx_t send_one(struct jvpn_session *s, struct sk_buff *skb,
			    struct net_device *dev)
{
	struct jvpn_transport *t = rcu_dereference(s->transport);
	struct jvpn_keypair *kp = rcu_dereference(s->keys);
	unsigned int len = skb->len;

	if (unlikely(!t || !kp || jvpn_keypair_seal(kp, s->id, skb)))
		return drop(dev, skb, s->counters, JVPN_C_DROP_TX_ERROR);
	if (unlikely(jvpn_transport_send(t, skb, dev))) {
		jvpn_count(s->counters, JVPN_C_DROP_TX_ERROR, 1);
		DEV_STATS_INC(dev, tx_errors);
		return NETDEV_TX_OK;
	}
	jvpn_count(s->counters, JVPN_C_TX_PACKETS, 1);
	jvpn_count(s->counters, JVPN_C_TX_BYTES, len);
	WRITE_ONCE(s->last_tx_ns, jvpn_now_ns());
	dev_sw_netstats_tx_add(dev, 1, len);
	return NETDEV_TX_OK;
}

netdev_tx_t jvpn_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct jvpn_device *jd = netdev_priv(dev);
	struct jvpn_session *s;
	netdev_tx_t ret;
	int family;

	skb_reset_network_header(skb);
	family = jvpn_inner_validate(skb);
	if (unlikely(!family))
		return drop(dev, skb, jd->counters, JVPN_C_DROP_MALFORMED);
	rcu_read_lock();
	s = jvpn_allowedips_lookup(&jd->allowed_ips, family,
				   jvpn_inner_addr(skb, family, false));
	if (unlikely(!s)) {
		rcu_read_unlock();
		report_unreachable(skb, family);
		return drop(dev, skb, jd->counters, JVPN_C_DROP_NO_ROUTE);
	}
	ret = send_one(s, skb, dev);
	rcu_read_unlock();
	return ret;
}
