// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit path: pick the session by inner destination, seal, send
 * through the session's one transport. Runs on the sending CPU, lockless.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/icmp.h>
#include <net/ip_tunnels.h>
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

/*
 * Seals and sends a list of packets (the segments of one GSO packet, or a
 * single packet) through the session's transport, in order. Counts once.
 */
static void send_list(struct jvpn_session *s, struct sk_buff *skb,
		      struct net_device *dev)
{
	struct jvpn_transport *t = rcu_dereference(s->transport);
	struct jvpn_keypair *kp = rcu_dereference(s->keys);
	unsigned int packets = 0, bytes = 0, dropped = 0, failed = 0, len;
	struct sk_buff *next;
	u8 ds;

	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		len = skb->len;
		/* ECN of the inner packet onto the outer one (RFC 6040) */
		ds = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
		if (unlikely(!t || !kp || jvpn_keypair_seal(kp, s->id, skb))) {
			kfree_skb(skb);
			dropped++;
			continue;
		}
		if (unlikely(jvpn_transport_send(t, skb, dev, ds))) {
			failed++;
			continue;
		}
		packets++;
		bytes += len;
	}
	if (unlikely(dropped || failed)) {
		jvpn_count(s->counters, JVPN_C_DROP_TX_ERROR, dropped + failed);
		DEV_STATS_ADD(dev, tx_dropped, dropped);
		DEV_STATS_ADD(dev, tx_errors, failed);
	}
	if (!packets)
		return;
	jvpn_count(s->counters, JVPN_C_TX_PACKETS, packets);
	jvpn_count(s->counters, JVPN_C_TX_BYTES, bytes);
	/* the device's tx_packets and tx_bytes: iptunnel_xmit() counts them */
	WRITE_ONCE(s->last_tx_ns, jvpn_now_ns());
}

netdev_tx_t jvpn_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct jvpn_device *jd = netdev_priv(dev);
	struct jvpn_session *s;
	struct sk_buff *segs;
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
	if (skb_is_gso(skb)) {
		/* segments are linear and carry their final checksums */
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs)) {
			rcu_read_unlock();
			return drop(dev, skb, s->counters,
				    JVPN_C_DROP_TX_ERROR);
		}
		consume_skb(skb);
		skb = segs;
	}
	send_list(s, skb, dev);
	rcu_read_unlock();
	return NETDEV_TX_OK;
}
