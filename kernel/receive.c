// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path. UDP hands every datagram of an attached socket to
 * jvpn_udp_encap_recv() in softirq. Data packets are judged in a fixed,
 * cheapest-first order and each refusal is counted under its reason: the
 * header, session and path checks in softirq, the opening in the session's
 * worker on another CPU, the delivery in the session's NAPI.
 */
#include <linux/udp.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>
#include <net/udp.h>
#include "device.h"
#include "events.h"
#include "header.h"
#include "inner.h"
#include "queue.h"
#include "receive.h"
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

/*
 * What the softirq learnt about a packet it queued for opening. The skb's
 * control block is ours once UDP handed the packet over.
 */
struct jvpn_rx_cb {
	u64 counter;
	u16 offset;	/* of the data header */
	u8 phase;
	u8 ds;		/* the outer packet's DS field, for ECN (RFC 6040) */
	bool xnet;	/* the socket and the device live in other netns */
};

static struct jvpn_rx_cb *rx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct jvpn_rx_cb) > sizeof(skb->cb));
	return (struct jvpn_rx_cb *)skb->cb;
}

/*
 * Packets of one session waiting to be opened, and opened ones waiting for
 * NAPI; beyond these they drop, counted as drop_queue_full (the last
 * quarter of each is for small packets only: queue.h).
 */
#define JVPN_RX_QUEUE_LEN	1024
#define JVPN_DELIVER_QUEUE_LEN	1024
/* Opened packets handed to NAPI at a time, so delivery overlaps opening. */
#define JVPN_RX_BATCH		32

struct workqueue_struct *jvpn_crypt_wq;

/* Called with BH off, from the worker: queues for NAPI, in order. */
static void deliver(struct jvpn_session *s, struct sk_buff *skb, bool xnet,
		    u64 now)
{
	struct net_device *dev = s->jd->dev;
	unsigned int len = skb->len;

	if (unlikely(!jvpn_queue_admits(skb_queue_len_lockless(&s->deliver_queue),
					JVPN_DELIVER_QUEUE_LEN, len)))
		return drop_session(s, skb, JVPN_C_DROP_QUEUE_FULL);
	skb_scrub_packet(skb, xnet);
	/* the outer flow's hash would put every inner flow on one queue */
	skb_clear_hash(skb);
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	/* the tag proved the whole packet, checksums included */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	jvpn_count(s->counters, JVPN_C_RX_PACKETS, 1);
	jvpn_count(s->counters, JVPN_C_RX_BYTES, len);
	WRITE_ONCE(s->last_rx_ns, now);
	dev_sw_netstats_rx_add(dev, len);
	spin_lock(&s->deliver_queue.lock);
	__skb_queue_tail(&s->deliver_queue, skb);
	spin_unlock(&s->deliver_queue.lock);
}

/* After authentication: strip to the inner packet and check its source. */
static void receive_inner(struct jvpn_session *s, struct sk_buff *skb,
			  const struct jvpn_rx_cb *cb, u64 now)
{
	unsigned int offset = cb->offset;
	bool xnet = cb->xnet;
	u8 ds = cb->ds;
	int family;

	__skb_pull(skb, offset + JVPN_DATA_HDR_LEN);
	skb_reset_network_header(skb);
	if (!skb->len) {
		/* an empty packet is a keepalive: it proved the path */
		WRITE_ONCE(s->last_rx_ns, now);
		consume_skb(skb);
		return;
	}
	family = jvpn_inner_validate(skb);
	if (!family)
		return drop_session(s, skb, JVPN_C_DROP_MALFORMED);
	if (jvpn_allowedips_lookup(&s->jd->allowed_ips, family,
				   jvpn_inner_addr(skb, family, true)) != s)
		return drop_session(s, skb, JVPN_C_DROP_INNER_SRC);
	/* as WireGuard: congestion marked on the outer packet is kept */
	INET_ECN_decapsulate(skb, ds, family == AF_INET ? ip_hdr(skb)->tos :
				      ipv6_get_dsfield(ipv6_hdr(skb)));
	deliver(s, skb, xnet, now);
}

/*
 * Steps 3 to 6 of the judgement (docs/protocol.md): key pair, replay
 * pre-check, tag, replay window. True when the packet may go on; when not,
 * it has been dropped and counted.
 */
static bool open_packet(struct jvpn_session *s, struct sk_buff *skb,
			unsigned int offset, u8 phase, u64 counter)
{
	struct jvpn_keypair *kp = pick_keys(s, phase);

	if (!kp) {
		drop_session(s, skb, JVPN_C_DROP_BAD_AUTH);
		return false;
	}
	if (!jvpn_replay_may_accept(&kp->replay, counter)) {
		drop_session(s, skb, JVPN_C_DROP_REPLAY);
		return false;
	}
	if (!jvpn_keypair_open(kp, skb, offset, counter)) {
		drop_session(s, skb, JVPN_C_DROP_BAD_AUTH);
		return false;
	}
	if (!jvpn_replay_accept(&kp->replay, counter)) {
		drop_session(s, skb, JVPN_C_DROP_REPLAY);
		return false;
	}
	return true;
}

static bool take_queue(struct jvpn_session *s, struct sk_buff_head *todo)
{
	spin_lock_bh(&s->rx_queue.lock);
	skb_queue_splice_tail_init(&s->rx_queue, todo);
	spin_unlock_bh(&s->rx_queue.lock);
	return !skb_queue_empty(todo);
}

/*
 * The worker: opens queued packets in arrival order, batch by batch, and
 * takes what arrived meanwhile before it sleeps. One clock read a batch:
 * the clock can be slow to read (an emulated HPET in the test VM).
 */
static void rx_work(struct work_struct *work)
{
	struct jvpn_session *s = container_of(work, struct jvpn_session,
					      rx_work);
	struct sk_buff_head todo;
	struct sk_buff *skb;
	unsigned int n;
	u64 now;

	__skb_queue_head_init(&todo);
	while (take_queue(s, &todo)) {
		local_bh_disable();
		rcu_read_lock();
		now = jvpn_now_ns();
		for (n = 0; n < JVPN_RX_BATCH; n++) {
			struct jvpn_rx_cb *cb;

			skb = __skb_dequeue(&todo);
			if (!skb)
				break;
			cb = rx_cb(skb);
			if (open_packet(s, skb, cb->offset, cb->phase,
					cb->counter))
				receive_inner(s, skb, cb, now);
		}
		rcu_read_unlock();
		if (!skb_queue_empty_lockless(&s->deliver_queue))
			napi_schedule(&s->napi);
		/* NAPI runs here, on this CPU, while we are between batches */
		local_bh_enable();
		cond_resched();
	}
}

static int rx_poll(struct napi_struct *napi, int budget)
{
	struct jvpn_session *s = container_of(napi, struct jvpn_session, napi);
	struct net_device *dev = s->jd->dev;
	struct sk_buff_head batch;
	struct sk_buff *skb;
	int done = 0;

	__skb_queue_head_init(&batch);
	spin_lock(&s->deliver_queue.lock);
	while (done < budget && (skb = __skb_dequeue(&s->deliver_queue))) {
		__skb_queue_tail(&batch, skb);
		done++;
	}
	spin_unlock(&s->deliver_queue.lock);
	while ((skb = __skb_dequeue(&batch))) {
		if (unlikely(!(dev->flags & IFF_UP))) {
			dev_core_stats_rx_dropped_inc(dev);
			kfree_skb(skb);
			continue;
		}
		napi_gro_receive(napi, skb);
	}
	if (done < budget && napi_complete_done(napi, done) &&
	    !skb_queue_empty_lockless(&s->deliver_queue))
		napi_schedule(napi);
	return done;
}

/* Another CPU than this one, if there is one: opening runs beside rx. */
static int crypt_cpu(void)
{
	int cpu = cpumask_next(raw_smp_processor_id(), cpu_online_mask);

	return cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_online_mask);
}

/*
 * Only the packet that makes the queue non-empty queues the worker: the
 * worker takes the whole queue each time it starts, and it starts after
 * that packet was queued, so it finds every packet queued behind it.
 */
static void rx_enqueue(struct jvpn_session *s, struct sk_buff *skb)
{
	unsigned int qlen;

	spin_lock_bh(&s->rx_queue.lock);
	qlen = skb_queue_len(&s->rx_queue);
	if (unlikely(!jvpn_queue_admits(qlen, JVPN_RX_QUEUE_LEN,
					skb->len - rx_cb(skb)->offset))) {
		spin_unlock_bh(&s->rx_queue.lock);
		return drop_session(s, skb, JVPN_C_DROP_QUEUE_FULL);
	}
	__skb_queue_tail(&s->rx_queue, skb);
	spin_unlock_bh(&s->rx_queue.lock);
	if (!qlen)
		queue_work_on(crypt_cpu(), jvpn_crypt_wq, &s->rx_work);
}

/*
 * A packet from another path than the bound one is judged right here, in
 * softirq, in full: it is only ever counted and reported, never delivered.
 * Its session id is cleartext, so anyone who saw one could make us open
 * full-size datagrams at line rate: past the cheap checks, only a few a
 * second per session are opened, the rest drop unopened.
 */
static void judge_stray(struct jvpn_session *s, struct jvpn_sock *js,
			struct sk_buff *skb, unsigned int offset,
			const struct jvpn_header *h,
			const struct jvpn_endpoint *src)
{
	struct jvpn_keypair *kp = pick_keys(s, h->key_phase);

	if (!kp)
		return drop_session(s, skb, JVPN_C_DROP_BAD_AUTH);
	if (!jvpn_replay_may_accept(&kp->replay, h->counter))
		return drop_session(s, skb, JVPN_C_DROP_REPLAY);
	if (!jvpn_rate_allow(&s->stray_opens, jvpn_now_ns()))
		return drop_session(s, skb, JVPN_C_DROP_STRAY_LIMITED);
	if (!open_packet(s, skb, offset, h->key_phase, h->counter))
		return;
	report_stray(s, js, src);
	drop_session(s, skb, JVPN_C_DROP_STRAY);
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
	struct jvpn_rx_cb *cb;

	if (!pskb_may_pull(skb, offset + min(payload, JVPN_DATA_HDR_LEN)) ||
	    !jvpn_endpoint_from_skb(&src, skb) ||
	    jvpn_header_decode((void *)(skb->data + offset), payload, &h))
		return drop_dev(jd, skb, JVPN_C_DROP_MALFORMED);
	s = jvpn_table_lookup(&jd->sessions, h.session_id);
	if (!s)
		return drop_dev(jd, skb, JVPN_C_DROP_UNKNOWN_SESSION);
	t = rcu_dereference(s->transport);
	if (unlikely(!t || !jvpn_transport_matches(t, js, &src)))
		return judge_stray(s, js, skb, offset, &h, &src);
	/* the cheap refusals now; the worker repeats them before opening */
	kp = pick_keys(s, h.key_phase);
	if (!kp)
		return drop_session(s, skb, JVPN_C_DROP_BAD_AUTH);
	if (!jvpn_replay_may_accept(&kp->replay, h.counter))
		return drop_session(s, skb, JVPN_C_DROP_REPLAY);
	cb = rx_cb(skb);
	cb->counter = h.counter;
	cb->offset = offset;
	cb->phase = h.key_phase;
	cb->ds = ip_tunnel_get_dsfield(ip_hdr(skb), skb);
	cb->xnet = !net_eq(sock_net(sk), dev_net(jd->dev));
	rx_enqueue(s, skb);
}

void jvpn_receive_init_session(struct jvpn_session *s)
{
	skb_queue_head_init(&s->rx_queue);
	skb_queue_head_init(&s->deliver_queue);
	INIT_WORK(&s->rx_work, rx_work);
	netif_napi_add(s->jd->dev, &s->napi, rx_poll);
	napi_enable(&s->napi);
}

void jvpn_receive_quiesce_session(struct jvpn_session *s)
{
	napi_disable(&s->napi);
	/* unlinked now, freed after a grace period like the session */
	__netif_napi_del(&s->napi);
}

void jvpn_receive_stop_session(struct jvpn_session *s)
{
	cancel_work_sync(&s->rx_work);
	skb_queue_purge(&s->rx_queue);
	skb_queue_purge(&s->deliver_queue);
}

int __init jvpn_receive_wq_init(void)
{
	jvpn_crypt_wq = alloc_workqueue("jvpn-crypt",
					WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM, 0);
	return jvpn_crypt_wq ? 0 : -ENOMEM;
}

void jvpn_receive_wq_destroy(void)
{
	destroy_workqueue(jvpn_crypt_wq);
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
