/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_SESSION_H
#define _JVPN_SESSION_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <linux/jvpn.h>
#include "counters.h"
#include "keypair.h"
#include "ratelimit.h"

struct jvpn_device;
struct jvpn_transport;

/*
 * A session: the anchor that outlives its transports. Data-path fields are
 * read under RCU; every change happens under the device's lock.
 */
/*
 * The daemon's own secrets of the session's current keys (netlink
 * DAEMON_SECRETS): opaque here, kept so that a restarted jvpnd takes the
 * session back without writing a secret to disk.
 */
struct jvpn_daemon_secrets {
	u8 len;
	u8 data[];
};

struct jvpn_session {
	u64 id;
	struct rhash_head table_node;
	struct list_head dev_node;
	struct jvpn_device *jd;

	struct jvpn_transport __rcu *transport;	/* the ONE active path */
	struct jvpn_keypair __rcu *keys;	/* seals tx, opens rx */
	struct jvpn_keypair __rcu *prev_keys;	/* opens rx in rotation */
	struct list_head allowed_ips;		/* struct jvpn_aip */
	u64 key_gen_hwm;	/* highest key generation ever installed */
	/* device lock; never read by the data path nor put in an event */
	struct jvpn_daemon_secrets *daemon_secrets;

	u64 state_version;
	u8 state;			/* enum jvpn_state, the daemon's */
	u32 min_switch_interval_ms;
	u64 created_ns;
	u64 last_switch_ns;
	u64 last_rx_ns;			/* data path: WRITE_ONCE */
	u64 last_tx_ns;

	struct jvpn_rate stray_events;
	struct jvpn_rate stray_opens;	/* bounds softirq opening of strays */
	struct jvpn_counters __percpu *counters;

	/*
	 * Receive pipeline (receive.c), in arrival order throughout: softirq
	 * queues packets whose header checked out on rx_queue; rx_work, which
	 * never runs on two CPUs at once, opens them and moves the good ones
	 * to deliver_queue; napi hands those to the stack with GRO.
	 */
	struct sk_buff_head rx_queue;
	struct work_struct rx_work;
	struct sk_buff_head deliver_queue;
	struct napi_struct napi;
	struct rcu_work free_work;
};

int jvpn_session_cache_init(void);
void jvpn_session_cache_destroy(void);
struct jvpn_session *jvpn_session_alloc(struct jvpn_device *jd, u64 id);
/*
 * A session that failed to publish: no event; device lock held. Both this
 * and jvpn_session_destroy() sleep (they stop the session's NAPI). All
 * three add or delete the session's NAPI, so they need RTNL as well as the
 * device lock (RTNL first): see jvpn_nl_pre_doit() in netlink.c.
 */
void jvpn_session_free(struct jvpn_session *s);
/* Unpublishes, reports the deletion, frees after a grace period. */
void jvpn_session_destroy(struct jvpn_session *s,
			  enum jvpn_del_reason reason);
/*
 * Key changes, each after jvpn_keys_check() (keyguard.h) allowed it.
 * set_keys installs a new current pair (the current one becomes previous);
 * set_next_keys a pair that only opens packets, in the previous pair's
 * place; promote_keys makes that staged pair current, keeping its object
 * (its counter and replay window).
 */
void jvpn_session_set_keys(struct jvpn_session *s, struct jvpn_keypair *kp);
void jvpn_session_set_next_keys(struct jvpn_session *s,
				struct jvpn_keypair *kp);
void jvpn_session_promote_keys(struct jvpn_session *s);
/* Takes @sec (may be NULL: keeps the old), wiping what it replaces. */
void jvpn_session_set_secrets(struct jvpn_session *s,
			      struct jvpn_daemon_secrets *sec);
struct jvpn_daemon_secrets *jvpn_daemon_secrets_new(const void *data, u8 len);
void jvpn_daemon_secrets_free(struct jvpn_daemon_secrets *sec);

static inline u64 jvpn_now_ns(void)
{
	return ktime_get_boot_fast_ns();
}

#endif /* _JVPN_SESSION_H */
