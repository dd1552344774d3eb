// SPDX-License-Identifier: GPL-2.0
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include "constants.h"
#include "device.h"
#include "events.h"
#include "receive.h"
#include "session.h"
#include "transport.h"

/*
 * A cache of its own, so /proc/slabinfo counts live sessions (the tests'
 * leak check) and kmem_cache_destroy() complains about any left at unload.
 */
static struct kmem_cache *session_cache;

int __init jvpn_session_cache_init(void)
{
	session_cache = KMEM_CACHE(jvpn_session, 0);
	return session_cache ? 0 : -ENOMEM;
}

void jvpn_session_cache_destroy(void)
{
	kmem_cache_destroy(session_cache);
}

struct jvpn_session *jvpn_session_alloc(struct jvpn_device *jd, u64 id)
{
	struct jvpn_session *s;

	ASSERT_RTNL();	/* adds the session's NAPI: see session.h */
	s = kmem_cache_zalloc(session_cache, GFP_KERNEL);
	if (!s)
		return NULL;
	s->counters = jvpn_counters_alloc();
	if (!s->counters) {
		kmem_cache_free(session_cache, s);
		return NULL;
	}
	s->id = id;
	s->jd = jd;
	s->state = JVPN_STATE_ACTIVE;
	s->state_version = 1;
	s->min_switch_interval_ms = JVPN_DEFAULT_MIN_SWITCH_INTERVAL_MS;
	s->created_ns = jvpn_now_ns();
	INIT_LIST_HEAD(&s->allowed_ips);
	INIT_LIST_HEAD(&s->dev_node);
	jvpn_rate_init(&s->stray_events, JVPN_STRAY_EVENT_PER_SEC,
		       JVPN_STRAY_EVENT_BURST, s->created_ns);
	jvpn_rate_init(&s->stray_opens, JVPN_STRAY_OPEN_PER_SEC,
		       JVPN_STRAY_OPEN_BURST, s->created_ns);
	jvpn_receive_init_session(s);
	return s;
}

static void session_free_now(struct jvpn_session *s)
{
	jvpn_receive_stop_session(s);
	/* no reader can hold the key pairs any more: free them directly */
	jvpn_keypair_free(rcu_dereference_protected(s->keys, 1));
	jvpn_keypair_free(rcu_dereference_protected(s->prev_keys, 1));
	jvpn_daemon_secrets_free(s->daemon_secrets);
	free_percpu(s->counters);
	kmem_cache_free(session_cache, s);
}

/* In process context, once no reader can find the session any more. */
static void session_free_work(struct work_struct *work)
{
	session_free_now(container_of(to_rcu_work(work), struct jvpn_session,
				      free_work));
}

static void session_free_deferred(struct jvpn_session *s)
{
	ASSERT_RTNL();	/* deletes the session's NAPI: see session.h */
	jvpn_receive_quiesce_session(s);
	INIT_RCU_WORK(&s->free_work, session_free_work);
	queue_rcu_work(jvpn_wq, &s->free_work);
}

/* The transmit path may have met it through a short-lived allowed IP. */
void jvpn_session_free(struct jvpn_session *s)
{
	jvpn_transport_release(rcu_dereference_protected(s->transport, 1));
	session_free_deferred(s);
}

void jvpn_session_destroy(struct jvpn_session *s,
			  enum jvpn_del_reason reason)
{
	struct jvpn_device *jd = s->jd;
	struct jvpn_transport *t;

	lockdep_assert_held(&jd->lock);
	jvpn_table_remove(&jd->sessions, s);
	jvpn_allowedips_remove_session(&jd->allowed_ips, s);
	list_del(&s->dev_node);
	jd->generation++;
	jvpn_event_deleted(s, reason);
	t = rcu_replace_pointer(s->transport, NULL,
				lockdep_is_held(&jd->lock));
	jvpn_transport_release(t);
	session_free_deferred(s);
}

static void raise_key_gen_hwm(struct jvpn_session *s,
			      const struct jvpn_keypair *kp)
{
	s->key_gen_hwm = max(s->key_gen_hwm, kp->generation);
}

void jvpn_session_set_next_keys(struct jvpn_session *s,
				struct jvpn_keypair *kp)
{
	struct jvpn_keypair *old;

	lockdep_assert_held(&s->jd->lock);
	kp->staged = true;
	raise_key_gen_hwm(s, kp);
	old = rcu_replace_pointer(s->prev_keys, kp,
				  lockdep_is_held(&s->jd->lock));
	jvpn_keypair_free_rcu(old);
}

void jvpn_session_set_keys(struct jvpn_session *s, struct jvpn_keypair *kp)
{
	struct jvpn_keypair *old_cur, *old_prev;

	lockdep_assert_held(&s->jd->lock);
	raise_key_gen_hwm(s, kp);
	old_cur = rcu_dereference_protected(s->keys,
					    lockdep_is_held(&s->jd->lock));
	old_prev = rcu_replace_pointer(s->prev_keys, old_cur,
				       lockdep_is_held(&s->jd->lock));
	rcu_assign_pointer(s->keys, kp);
	jvpn_keypair_free_rcu(old_prev);
}

void jvpn_session_promote_keys(struct jvpn_session *s)
{
	struct jvpn_keypair *old_cur, *staged;

	lockdep_assert_held(&s->jd->lock);
	old_cur = rcu_dereference_protected(s->keys,
					    lockdep_is_held(&s->jd->lock));
	staged = rcu_dereference_protected(s->prev_keys,
					   lockdep_is_held(&s->jd->lock));
	/* a reader may still seal with the old pair: it stays previous */
	staged->staged = false;
	rcu_assign_pointer(s->prev_keys, old_cur);
	rcu_assign_pointer(s->keys, staged);
}

struct jvpn_daemon_secrets *jvpn_daemon_secrets_new(const void *data, u8 len)
{
	struct jvpn_daemon_secrets *sec;

	sec = kmalloc(struct_size(sec, data, len), GFP_KERNEL);
	if (!sec)
		return NULL;
	sec->len = len;
	memcpy(sec->data, data, len);
	return sec;
}

void jvpn_daemon_secrets_free(struct jvpn_daemon_secrets *sec)
{
	kfree_sensitive(sec);
}

void jvpn_session_set_secrets(struct jvpn_session *s,
			      struct jvpn_daemon_secrets *sec)
{
	lockdep_assert_held(&s->jd->lock);
	if (!sec)
		return;
	jvpn_daemon_secrets_free(s->daemon_secrets);
	s->daemon_secrets = sec;
}
