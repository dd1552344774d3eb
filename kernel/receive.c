// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path, in softirq: UDP hands every datagram of an attached
 * socket to jvpn_udp_encap_recv(). Data packets are judged here in a fixed,
 * cheapest-first order; each refusal is counted under its reason.
 */
#include <linux/udp.h>
#include <net/udp.h>
#include "device.h"
#include "events.h"
#include "header.h"
#include "inner.h"
#include "session.h"
#include "transport.h"

static void drop_dev(struct jvpn_device *jd, struct sk_buff *skb,
		     enum jvpn_counter why)
{
	jvpn_count(jd->counters, why, 1);
	DEV_STATS_INC(jd->dev, rx_dropped);
	kfree_skb(skb);
}

static void drop_session(struct jvpn_session *s, struct sk_buff *skb,
			 enum jvpn_counter why)
{
	jvpn_count(s->counters, why, 1);
	DEV_STATS_INC(s->jd->dev, rx_dropped);
	kfree_skb(skb);
}

static struct jvpn_keypair *pick_keys(struct jvpn_session *s, u8 phase)
{
	struct jvpn_keypair *kp = rcu_dereference(s->keys);

	if (kp && kp->phase == phase)
		return kp;
	kp = rcu_dereference(s->prev_keys);
	return kp && kp->phase == phase ? kp : NULL;
}

static void report_stray(struct jvpn_session *s, struct jvpn_sock *js,
			 const struct jvpn_endpoint *src)
{
	struct jvpn_endpoint local;

	if (!jvpn_rate_allow(&s->stray_events, jvpn_now_ns())) {
		jvpn_count(s->counters, JVPN_C_STRAY_EVENTS_SUPPRESSED, 1);
		return;
	}
	jvpn_endpoint_from_sock(&local, js->sock->sk);
	jvpn_event_stray(s, src, &local);
}

static void deliver(struct jvpn_session *s, struct sk_buff *skb,
		    struct sock *sk)
{
	struct net_device *dev = s->jd->dev;
	unsigned int len = skb->len;

	skb_scrub_packet(skb, !net_eq(sock_net(sk), dev_net(dev)));
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	/* the tag proved the whole packet, checksums included */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	jvpn_count(s->counters, JVPN_C_RX_PACKETS, 1);
	jvpn_count(s->counters, JVPN_C_RX_BYTES, len);
	WRITE_ONCE(s->last_rx_ns, jvpn_now_ns());
	dev_sw_netstats_rx_add(dev, len);
	gro_cells_receive(&s->jd->gro_cells, skb);
}

/* After authentication: strip to the inner packet and check its source. */
static void receive_inner(struct jvpn_session *s, struct sk_buff *skb,
			  unsigned int offset, struct sock *sk)
{
	int family;

	__skb_pull(skb, offset + JVPN_DATA_HDR_LEN);
	skb_reset_network_header(skb);
	if (!skb->len) {
		/* an empty packet is a keepalive: it proved the path */
		WRITE_ONCE(s->last_rx_ns, jvpn_now_ns());
		consume_skb(skb);
		return;
	}
	family = jvpn_inner_validate(skb);
	if (!family)
		return drop_session(s, skb, JVPN_C_DROP_MALFORMED);
	if (jvpn_allowedips_lookup(&s->jd->allowed_ips, family,
				   jvpn_inner_addr(skb, family, true)) != s)
		return drop_session(s, skb, JVPN_C_DROP_INNER_SRC);
	deliver(s, skb, sk);
}

static void receive_data(struct jvpn_sock *js, struct sk_buff *skb,
			 unsigned int offset, struct sock *sk)
{
	struct jvpn_device *jd = js->jd;
	unsigned int payload = skb->len - offset;
	struct jvpn_transport *t;
	struct jvpn_endpoint src;
	struct jvpn_session *s;
	struct jvpn_keypair *kp;
	struct jvpn_header h;

	if (!pskb_may_pull(skb, offset + min(payload, JVPN_DATA_HDR_LEN)) ||
	    !jvpn_endpoint_from_skb(&src, skb) ||
	    jvpn_header_decode((void *)(skb->data + offset), payload, &h))
		return drop_dev(jd, skb, JVPN_C_DROP_MALFORMED);
	s = jvpn_table_lookup(&jd->sessions, h.session_id);
	if (!s)
		return drop_dev(jd, skb, JVPN_C_DROP_UNKNOWN_SESSION);
	kp = pick_keys(s, h.key_phase);
	if (!kp)
		return drop_session(s, skb, JVPN_C_DROP_BAD_AUTH);
	if (!jvpn_replay_may_accept(&kp->replay, h.counter))
		return drop_session(s, skb, JVPN_C_DROP_REPLAY);
	if (!jvpn_keypair_open(kp, skb, offset, h.counter))
		return drop_session(s, skb, JVPN_C_DROP_BAD_AUTH);
	if (!jvpn_replay_accept(&kp->replay, h.counter))
		return drop_session(s, skb, JVPN_C_DROP_REPLAY);
	t = rcu_dereference(s->transport);
	if (!t || !jvpn_transport_matches(t, js, &src)) {
		report_stray(s, js, &src);
		return drop_session(s, skb, JVPN_C_DROP_STRAY);
	}
	receive_inner(s, skb, offset, sk);
}

int jvpn_udp_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct jvpn_sock *js = rcu_dereference_sk_user_data(sk);
	int offset = skb_transport_offset(skb) + sizeof(struct udphdr);

	if (unlikely(!js || offset < 0))
		return 1;	/* not ours (any more): plain UDP */
	if (!pskb_may_pull(skb, offset + 1) ||
	    skb->data[offset] != JVPN_MSG_DATA)
		return 1;	/* control traffic: the daemon's */
	skb_mark_not_on_list(skb);
	receive_data(js, skb, offset, sk);
	return 0;
}
