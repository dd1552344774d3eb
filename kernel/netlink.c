// SPDX-License-Identifier: GPL-2.0
/*
 * The generic-netlink family "jvpn" (docs/netlink/jvpn.yaml): strict
 * policies, one extack message per refusal, nothing changed on refusal.
 * Operations are serialised by genetlink and by each device's lock.
 */
#include <linux/fdtable.h>
#include <linux/rtnetlink.h>
#include <linux/file.h>
#include <linux/socket.h>
#include "allowedips.h"
#include "cas.h"
#include "constants.h"
#include "device.h"
#include "events.h"
#include "keyguard.h"
#include "netlink.h"
#include "session.h"
#include "transport.h"

/* ---- the shared prologue: pre_doit and post_doit ---- */

/* The device the request names by IFINDEX, held and locked. */
static struct jvpn_device *lock_device(struct genl_info *info)
{
	struct nlattr *ifindex = info->attrs[JVPN_A_IFINDEX];
	struct jvpn_device *jd;

	if (GENL_REQ_ATTR_CHECK(info, JVPN_A_IFINDEX)) {
		NL_SET_ERR_MSG(info->extack, "IFINDEX is required");
		return ERR_PTR(-EINVAL);
	}
	jd = jvpn_device_get(genl_info_net(info), nla_get_u32(ifindex),
			     info->extack);
	if (IS_ERR(jd)) {
		NL_SET_BAD_ATTR(info->extack, ifindex);
		return jd;
	}
	mutex_lock(&jd->lock);
	if (jd->dead) {
		mutex_unlock(&jd->lock);
		dev_put(jd->dev);
		NL_SET_ERR_MSG_ATTR(info->extack, ifindex,
				    "device is being deleted");
		return ERR_PTR(-ENODEV);
	}
	return jd;
}

static void unlock_device(struct jvpn_device *jd)
{
	mutex_unlock(&jd->lock);
	dev_put(jd->dev);
}

static struct jvpn_session *lookup_locked(struct jvpn_device *jd, u64 id)
{
	struct jvpn_session *s;

	rcu_read_lock();
	s = jvpn_table_lookup(&jd->sessions, id);
	rcu_read_unlock();
	return s;	/* stays valid: the device lock keeps it */
}

static struct jvpn_session *find_session(struct jvpn_device *jd,
					 struct genl_info *info)
{
	struct nlattr *id = info->attrs[JVPN_A_SESSION_ID];
	struct jvpn_session *s;

	if (GENL_REQ_ATTR_CHECK(info, JVPN_A_SESSION_ID)) {
		NL_SET_ERR_MSG(info->extack, "SESSION_ID is required");
		return ERR_PTR(-EINVAL);
	}
	s = lookup_locked(jd, nla_get_u64(id));
	if (!s) {
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no such session");
		return ERR_PTR(-ENOENT);
	}
	return s;
}

/*
 * SESSION_NEW and SESSION_DEL add and delete a session's NAPI, and
 * dev->napi_list is RTNL's: writing the device's sysfs "threaded" walks it
 * under RTNL, creating or stopping a kthread per NAPI (and may sleep
 * between them). So those two take RTNL before the device lock, the order
 * jvpn_dellink() has it in, as WireGuard takes rtnl_lock() before its
 * device lock. Per-session NAPIs stay (rather than one per device) so that
 * the sessions of a gateway are polled and GRO'd on as many CPUs as their
 * traffic arrives on; SWITCH, the latency-critical command, does not take
 * RTNL.
 */
static bool op_changes_napi_list(const struct genl_ops *ops)
{
	return ops->cmd == JVPN_CMD_SESSION_NEW ||
	       ops->cmd == JVPN_CMD_SESSION_DEL;
}

/*
 * By the op's internal_flags: JVPN_NL_FLAG_DEVICE finds and locks the
 * device (info->user_ptr[0]), JVPN_NL_FLAG_SESSION then also finds the
 * session (info->user_ptr[1]). The locks are held until post_doit.
 */
static int jvpn_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			    struct genl_info *info)
{
	struct jvpn_session *s;
	struct jvpn_device *jd;

	if (!(ops->internal_flags & JVPN_NL_FLAG_DEVICE))
		return 0;
	if (op_changes_napi_list(ops))
		rtnl_lock();
	jd = lock_device(info);
	if (IS_ERR(jd))
		goto unlock_rtnl;
	if (ops->internal_flags & JVPN_NL_FLAG_SESSION) {
		s = find_session(jd, info);
		if (IS_ERR(s)) {
			unlock_device(jd);
			jd = ERR_CAST(s);
			goto unlock_rtnl;
		}
		info->user_ptr[1] = s;
	}
	info->user_ptr[0] = jd;
	return 0;
unlock_rtnl:
	if (op_changes_napi_list(ops))
		rtnl_unlock();
	return PTR_ERR(jd);
}

/* Not called when pre_doit failed: pre_doit cleans up after itself. */
static void jvpn_nl_post_doit(const struct genl_ops *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	struct jvpn_device *jd = info->user_ptr[0];

	if (!jd)
		return;
	unlock_device(jd);
	if (op_changes_napi_list(ops))
		rtnl_unlock();
}

static struct jvpn_device *req_device(struct genl_info *info)
{
	return info->user_ptr[0];
}

/* Valid until the doit returns, or until the doit destroys it. */
static struct jvpn_session *req_session(struct genl_info *info)
{
	return info->user_ptr[1];
}

/* ---- request helpers ---- */

/* Names the first missing attribute of @types in extack. */
static int require(struct genl_info *info, const int *types, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (GENL_REQ_ATTR_CHECK(info, types[i])) {
			NL_SET_ERR_MSG(info->extack,
				       "a required attribute is missing");
			return -EINVAL;
		}
	}
	return 0;
}

static int cas_refusal(struct genl_info *info, enum jvpn_cas_verdict v)
{
	switch (v) {
	case JVPN_CAS_STALE:
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[JVPN_A_EXPECTED_VERSION],
				    "stale state_version: the session has moved on");
		break;
	case JVPN_CAS_NOT_MONOTONIC:
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[JVPN_A_STATE_VERSION],
				    "new state_version must exceed the current one");
		break;
	case JVPN_CAS_TOO_SOON:
		NL_SET_ERR_MSG(info->extack,
			       "switch refused: inside the session's minimum switch interval");
		break;
	case JVPN_CAS_OK:
		break;
	}
	return jvpn_cas_errno(v);
}

static struct jvpn_cas_request cas_request(struct genl_info *info)
{
	return (struct jvpn_cas_request){
		.expected = nla_get_u64(info->attrs[JVPN_A_EXPECTED_VERSION]),
		.next = nla_get_u64(info->attrs[JVPN_A_STATE_VERSION]),
	};
}

/* Required attributes, then the REMOTE endpoint they include. */
static int require_remote(struct genl_info *info, const int *types, int n,
			  struct jvpn_endpoint *remote)
{
	int err = require(info, types, n);

	if (err)
		return err;
	return jvpn_endpoint_from_nla(remote, info->attrs[JVPN_A_REMOTE],
				      info->extack);
}

/* The transport a request names by SOCKET_FD and REMOTE. */
static struct jvpn_transport *
request_transport(struct jvpn_device *jd, struct genl_info *info,
		  const struct jvpn_endpoint *remote)
{
	struct jvpn_transport *t;
	struct jvpn_sock *js;

	js = jvpn_sock_get(jd, nla_get_s32(info->attrs[JVPN_A_SOCKET_FD]),
			   info->extack);
	if (IS_ERR(js))
		return ERR_CAST(js);
	t = jvpn_transport_new(js, remote, info->extack);
	if (IS_ERR(t))
		jvpn_sock_put(js);
	return t;
}

/* ---- replies ---- */

int jvpn_nl_put_session_id(struct sk_buff *msg, const struct jvpn_session *s)
{
	if (nla_put_u32(msg, JVPN_A_IFINDEX, s->jd->dev->ifindex) ||
	    nla_put_u64_64bit(msg, JVPN_A_SESSION_ID, s->id, JVPN_A_PAD) ||
	    nla_put_u64_64bit(msg, JVPN_A_STATE_VERSION,
			      READ_ONCE(s->state_version), JVPN_A_PAD) ||
	    nla_put_u8(msg, JVPN_A_STATE, READ_ONCE(s->state)))
		return -EMSGSIZE;
	return 0;
}

static int put_stats(struct sk_buff *msg, struct jvpn_counters __percpu *pc)
{
	struct nlattr *nest = nla_nest_start(msg, JVPN_A_STATS);
	int c;

	BUILD_BUG_ON(jvpn_counter_attr(JVPN_C_STRAY_EVENTS_SUPPRESSED) !=
		     JVPN_STATS_A_STRAY_EVENTS_SUPPRESSED);
	BUILD_BUG_ON(jvpn_counter_attr(JVPN_C_MAX - 1) != JVPN_STATS_A_MAX);
	if (!nest)
		return -EMSGSIZE;
	for (c = 0; c < JVPN_C_MAX; c++) {
		if (nla_put_u64_64bit(msg, jvpn_counter_attr(c),
				      jvpn_counter_sum(pc, c),
				      JVPN_STATS_A_PAD)) {
			nla_nest_cancel(msg, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_prefix(struct sk_buff *msg, const struct jvpn_prefix *p)
{
	struct nlattr *nest = nla_nest_start(msg, JVPN_A_ALLOWED_IP);
	bool v6 = p->family_index;

	if (!nest ||
	    nla_put_u16(msg, JVPN_AIP_A_FAMILY, v6 ? AF_INET6 : AF_INET) ||
	    nla_put(msg, JVPN_AIP_A_ADDR, v6 ? 16 : 4, p->addr) ||
	    nla_put_u8(msg, JVPN_AIP_A_PREFIX_LEN, p->prefix_len))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_allowed_ips(struct sk_buff *msg, const struct jvpn_session *s)
{
	struct nlattr *nest = nla_nest_start(msg, JVPN_A_ALLOWED_IPS);
	struct jvpn_aip *aip;

	if (!nest)
		return -EMSGSIZE;
	list_for_each_entry(aip, &s->allowed_ips, session_node)
		if (put_prefix(msg, &aip->key))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_times(struct sk_buff *msg, const struct jvpn_session *s)
{
	if (nla_put_u64_64bit(msg, JVPN_A_CREATED_NS, s->created_ns,
			      JVPN_A_PAD) ||
	    nla_put_u64_64bit(msg, JVPN_A_LAST_RX_NS, READ_ONCE(s->last_rx_ns),
			      JVPN_A_PAD) ||
	    nla_put_u64_64bit(msg, JVPN_A_LAST_TX_NS, READ_ONCE(s->last_tx_ns),
			      JVPN_A_PAD) ||
	    nla_put_u64_64bit(msg, JVPN_A_LAST_SWITCH_NS, s->last_switch_ns,
			      JVPN_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int put_transport(struct sk_buff *msg, const struct jvpn_session *s)
{
	const struct jvpn_transport *t;
	struct jvpn_endpoint local;

	t = rcu_dereference_protected(s->transport,
				      lockdep_is_held(&s->jd->lock));
	if (!t)
		return 0;
	jvpn_endpoint_from_sock(&local, t->js->sock->sk);
	if (jvpn_endpoint_to_nla(msg, JVPN_A_REMOTE, &t->remote) ||
	    jvpn_endpoint_to_nla(msg, JVPN_A_LOCAL, &local))
		return -EMSGSIZE;
	return 0;
}

static int put_keys(struct sk_buff *msg, const struct jvpn_session *s)
{
	const struct jvpn_keypair *kp;

	kp = rcu_dereference_protected(s->keys,
				       lockdep_is_held(&s->jd->lock));
	if (!kp)
		return 0;
	if (nla_put_u8(msg, JVPN_A_KEY_PHASE, kp->phase) ||
	    nla_put_u64_64bit(msg, JVPN_A_TX_COUNTER,
			      atomic64_read(&kp->tx_counter), JVPN_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int fill_session(struct sk_buff *msg, const struct jvpn_session *s)
{
	if (jvpn_nl_put_session_id(msg, s) ||
	    nla_put_u32(msg, JVPN_A_MIN_SWITCH_INTERVAL_MS,
			s->min_switch_interval_ms) ||
	    put_times(msg, s) || put_keys(msg, s) || put_transport(msg, s) ||
	    put_allowed_ips(msg, s) || put_stats(msg, s->counters) ||
	    (s->daemon_secrets &&
	     nla_put(msg, JVPN_A_DAEMON_SECRETS, s->daemon_secrets->len,
		     s->daemon_secrets->data)))
		return -EMSGSIZE;
	return 0;
}

/* ---- SESSION_NEW ---- */

static int parse_prefix(struct jvpn_prefix *p, const struct nlattr *nest,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[JVPN_AIP_A_MAX + 1];
	unsigned int alen, maxlen;
	u16 family;
	int err;

	err = nla_parse_nested(tb, JVPN_AIP_A_MAX, nest, jvpn_allowed_ip_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, JVPN_AIP_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, JVPN_AIP_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, JVPN_AIP_A_PREFIX_LEN)) {
		NL_SET_ERR_MSG(extack, "allowed IP needs FAMILY, ADDR and PREFIX_LEN");
		return -EINVAL;
	}
	family = nla_get_u16(tb[JVPN_AIP_A_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[JVPN_AIP_A_FAMILY],
				    "allowed IP family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	alen = family == AF_INET ? 4 : 16;
	maxlen = family == AF_INET ? 32 : 128;
	if (nla_len(tb[JVPN_AIP_A_ADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[JVPN_AIP_A_ADDR],
				    "allowed IP address length does not match its family");
		return -EINVAL;
	}
	if (nla_get_u8(tb[JVPN_AIP_A_PREFIX_LEN]) > maxlen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[JVPN_AIP_A_PREFIX_LEN],
				    "prefix length exceeds the address length");
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->family_index = family == AF_INET6;
	p->prefix_len = nla_get_u8(tb[JVPN_AIP_A_PREFIX_LEN]);
	memcpy(p->addr, nla_data(tb[JVPN_AIP_A_ADDR]), alen);
	return 0;
}

/* A request's allowed IPs, parsed and checked before any goes in. */
struct prefix_list {
	struct jvpn_prefix p[JVPN_MAX_ALLOWED_IPS];
	int n;
};

static bool listed(const struct prefix_list *l, const struct jvpn_prefix *p)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!memcmp(&l->p[i], p, sizeof(*p)))
			return true;
	return false;
}

static int parse_allowed_ips(struct jvpn_device *jd, struct prefix_list *l,
			     const struct nlattr *list,
			     struct netlink_ext_ack *extack)
{
	struct jvpn_prefix *p;
	struct nlattr *attr;
	int rem, err;

	l->n = 0;
	if (!list)
		return 0;
	nla_for_each_nested(attr, list, rem) {
		if (l->n == JVPN_MAX_ALLOWED_IPS) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "too many allowed IPs for one session");
			return -E2BIG;
		}
		p = &l->p[l->n];
		err = parse_prefix(p, attr, extack);
		if (err)
			return err;
		jvpn_prefix_normalise(p);
		if (listed(l, p) || jvpn_allowedips_held(&jd->allowed_ips, p)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "allowed IP already belongs to a session");
			return -EEXIST;
		}
		l->n++;
	}
	return 0;
}

/* Only an allocation can fail now: every prefix was checked. */
static int add_allowed_ips(struct jvpn_device *jd, struct jvpn_session *s,
			   const struct prefix_list *l)
{
	int i, err;

	for (i = 0; i < l->n; i++) {
		err = jvpn_allowedips_insert(&jd->allowed_ips, s, &l->p[i]);
		if (err) {
			jvpn_allowedips_remove_session(&jd->allowed_ips, s);
			return err;
		}
	}
	return 0;
}

/* The session's first transport and settings, from the request. */
static int session_setup(struct jvpn_device *jd, struct jvpn_session *s,
			 struct genl_info *info,
			 const struct jvpn_endpoint *remote)
{
	struct nlattr **a = info->attrs;
	struct jvpn_transport *t;

	t = request_transport(jd, info, remote);
	if (IS_ERR(t))
		return PTR_ERR(t);
	RCU_INIT_POINTER(s->transport, t);
	if (a[JVPN_A_STATE_VERSION])
		s->state_version = nla_get_u64(a[JVPN_A_STATE_VERSION]);
	if (a[JVPN_A_STATE])
		s->state = nla_get_u8(a[JVPN_A_STATE]);
	if (a[JVPN_A_MIN_SWITCH_INTERVAL_MS])
		s->min_switch_interval_ms =
			nla_get_u32(a[JVPN_A_MIN_SWITCH_INTERVAL_MS]);
	return 0;
}

/*
 * A copy of the request's DAEMON_SECRETS (the policy bounds its length),
 * NULL without one, or an error pointer: taken before anything changes,
 * so that running out of memory refuses the whole request.
 */
static struct jvpn_daemon_secrets *request_secrets(struct genl_info *info)
{
	const struct nlattr *a = info->attrs[JVPN_A_DAEMON_SECRETS];
	struct jvpn_daemon_secrets *sec;

	if (!a)
		return NULL;
	sec = jvpn_daemon_secrets_new(nla_data(a), nla_len(a));
	return sec ?: ERR_PTR(-ENOMEM);
}

static struct jvpn_keypair *request_keys(struct genl_info *info, u8 phase,
					 u64 generation)
{
	return jvpn_keypair_new(nla_data(info->attrs[JVPN_A_TX_KEY]),
				nla_data(info->attrs[JVPN_A_RX_KEY]), phase,
				generation);
}

/*
 * Every step that can fail comes before the routes and the keys go live:
 * a session refused here was never reachable from the transmit path and
 * has sealed nothing, so a retry with the same keys reuses no nonce. The
 * allowed IPs are checked up front (a conflict is the common refusal);
 * the socket claim is the last refusal, as a claimed socket is given back
 * on error; then the table, the routes (only out of memory can fail them)
 * and, last, the keys.
 */
static int session_publish(struct jvpn_device *jd, struct jvpn_session *s,
			   struct jvpn_keypair *kp, struct genl_info *info)
{
	struct jvpn_transport *t = rcu_dereference_protected(s->transport,
						lockdep_is_held(&jd->lock));
	struct prefix_list *l;
	int err;

	l = kmalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	err = parse_allowed_ips(jd, l, info->attrs[JVPN_A_ALLOWED_IPS],
				info->extack);
	if (!err)
		err = jvpn_sock_claim(t->js, info->extack);
	if (!err)
		err = jvpn_table_insert(&jd->sessions, s);
	if (!err) {
		err = add_allowed_ips(jd, s, l);
		if (err)
			jvpn_table_remove(&jd->sessions, s);
	}
	kfree(l);
	if (err)
		return err;
	s->key_gen_hwm = kp->generation;
	rcu_assign_pointer(s->keys, kp);
	list_add_tail(&s->dev_node, &jd->session_list);
	jd->generation++;
	jvpn_event_created(s);
	return 0;
}

int jvpn_nl_session_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const int required[] = {
		JVPN_A_SESSION_ID, JVPN_A_SOCKET_FD, JVPN_A_REMOTE,
		JVPN_A_TX_KEY, JVPN_A_RX_KEY,
	};
	struct jvpn_device *jd = req_device(info);
	struct nlattr **a = info->attrs;
	struct jvpn_endpoint remote;
	struct jvpn_keypair *kp;
	struct jvpn_session *s;
	u64 id;
	int err;

	err = require_remote(info, required, ARRAY_SIZE(required), &remote);
	if (err)
		return err;
	id = nla_get_u64(a[JVPN_A_SESSION_ID]);
	if (lookup_locked(jd, id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[JVPN_A_SESSION_ID],
				    "a session with this id already exists");
		return -EEXIST;
	}
	kp = request_keys(info,
			  a[JVPN_A_KEY_PHASE] ? nla_get_u8(a[JVPN_A_KEY_PHASE]) : 0,
			  a[JVPN_A_KEY_GENERATION] ?
			  nla_get_u64(a[JVPN_A_KEY_GENERATION]) : 0);
	if (!kp)
		return -ENOMEM;
	s = jvpn_session_alloc(jd, id);
	if (!s) {
		jvpn_keypair_free(kp);
		return -ENOMEM;
	}
	s->daemon_secrets = request_secrets(info);
	if (IS_ERR(s->daemon_secrets)) {
		s->daemon_secrets = NULL;
		err = -ENOMEM;
	} else {
		err = session_setup(jd, s, info, &remote);
	}
	if (!err)
		err = session_publish(jd, s, kp, info);
	if (err) {
		jvpn_keypair_free(kp);
		jvpn_session_free(s);
	}
	return err;
}

/* ---- SESSION_SWITCH ---- */

static int do_switch(struct jvpn_session *s, struct genl_info *info,
		     const struct jvpn_endpoint *remote,
		     const struct jvpn_cas_request *req)
{
	struct jvpn_device *jd = s->jd;
	struct jvpn_transport *t, *old;
	int err;

	t = request_transport(jd, info, remote);
	if (IS_ERR(t))
		return PTR_ERR(t);
	err = jvpn_sock_claim(t->js, info->extack);
	if (err) {
		jvpn_transport_release(t);
		return err;
	}
	old = rcu_replace_pointer(s->transport, t, lockdep_is_held(&jd->lock));
	WRITE_ONCE(s->state_version, req->next);
	s->last_switch_ns = jvpn_now_ns();
	jvpn_count(s->counters, JVPN_C_SWITCHES, 1);
	jvpn_event_switched(s, old ? &old->remote : remote, remote);
	jvpn_transport_release(old);
	return 0;
}

int jvpn_nl_session_switch_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const int required[] = {
		JVPN_A_SOCKET_FD, JVPN_A_REMOTE,
		JVPN_A_EXPECTED_VERSION, JVPN_A_STATE_VERSION,
	};
	struct jvpn_session *s = req_session(info);
	struct jvpn_cas_request req;
	struct jvpn_endpoint remote;
	enum jvpn_cas_verdict v;
	int err;

	err = require_remote(info, required, ARRAY_SIZE(required), &remote);
	if (err)
		return err;
	req = cas_request(info);
	v = jvpn_switch_check(s->state_version, &req, s->last_switch_ns,
			      jvpn_now_ns(),
			      (u64)s->min_switch_interval_ms * NSEC_PER_MSEC);
	err = cas_refusal(info, v);
	if (err)
		return err;
	return do_switch(s, info, &remote, &req);
}

/* ---- SESSION_SET ---- */

int jvpn_nl_session_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const int required[] = {
		JVPN_A_EXPECTED_VERSION, JVPN_A_STATE_VERSION,
	};
	struct jvpn_session *s = req_session(info);
	struct nlattr **a = info->attrs;
	struct jvpn_cas_request req;
	u8 old_state;
	int err;

	err = require(info, required, ARRAY_SIZE(required));
	if (err)
		return err;
	if (!a[JVPN_A_STATE] && !a[JVPN_A_MIN_SWITCH_INTERVAL_MS]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give STATE or MIN_SWITCH_INTERVAL_MS");
		return -EINVAL;
	}
	req = cas_request(info);
	err = cas_refusal(info, jvpn_cas_check(s->state_version, &req));
	if (err)
		return err;
	old_state = s->state;
	if (a[JVPN_A_STATE])
		WRITE_ONCE(s->state, nla_get_u8(a[JVPN_A_STATE]));
	if (a[JVPN_A_MIN_SWITCH_INTERVAL_MS])
		s->min_switch_interval_ms =
			nla_get_u32(a[JVPN_A_MIN_SWITCH_INTERVAL_MS]);
	WRITE_ONCE(s->state_version, req.next);
	jvpn_event_state(s, old_state);
	return 0;
}

/* ---- SESSION_SET_KEYS ---- */

static int keys_refusal(struct genl_info *info, enum jvpn_keys_verdict v)
{
	struct nlattr **a = info->attrs;

	switch (v) {
	case JVPN_KEYS_SAME_PHASE:
		NL_SET_ERR_MSG_ATTR(info->extack, a[JVPN_A_KEY_PHASE],
				    "key phase must alternate with each new key pair");
		return -EINVAL;
	case JVPN_KEYS_TX_REUSED:
		NL_SET_ERR_MSG_ATTR(info->extack, a[JVPN_A_TX_KEY],
				    "transmit key is the session's current or previous one: its counter would restart (nonce reuse)");
		return -EINVAL;
	case JVPN_KEYS_STALE_GEN:
		NL_SET_ERR_MSG_ATTR(info->extack, a[JVPN_A_KEY_GENERATION],
				    "key generation is not above the session's highest: a past generation is never installed again");
		return -ESTALE;
	case JVPN_KEYS_WRONG_GEN:
		NL_SET_ERR_MSG_ATTR(info->extack, a[JVPN_A_KEY_GENERATION],
				    "promoting the staged key pair under another generation than it was staged with");
		return -EINVAL;
	case JVPN_KEYS_INSTALL:
	case JVPN_KEYS_PROMOTE:
	case JVPN_KEYS_RESTAGE:
		break;
	}
	return 0;
}

int jvpn_nl_session_set_keys_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const int required[] = {
		JVPN_A_TX_KEY, JVPN_A_RX_KEY, JVPN_A_KEY_PHASE,
	};
	struct jvpn_session *s = req_session(info);
	struct nlattr **a = info->attrs;
	bool next = nla_get_flag(a[JVPN_A_KEY_NEXT]);
	bool gen_given = a[JVPN_A_KEY_GENERATION];
	struct jvpn_keypair *cur, *prev, *kp;
	struct jvpn_daemon_secrets *sec;
	enum jvpn_keys_verdict v;
	int err;

	err = require(info, required, ARRAY_SIZE(required));
	if (err)
		return err;
	if (!gen_given && s->key_gen_hwm == U64_MAX) {
		NL_SET_ERR_MSG(info->extack, "key generations are used up");
		return -EKEYEXPIRED;
	}
	if (next && a[JVPN_A_DAEMON_SECRETS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[JVPN_A_DAEMON_SECRETS],
				    "daemon secrets belong to the current pair, not to a staged one");
		return -EINVAL;
	}
	sec = request_secrets(info);
	if (IS_ERR(sec))
		return PTR_ERR(sec);
	kp = request_keys(info, nla_get_u8(a[JVPN_A_KEY_PHASE]),
			  gen_given ? nla_get_u64(a[JVPN_A_KEY_GENERATION]) :
				      s->key_gen_hwm + 1);
	if (!kp) {
		jvpn_daemon_secrets_free(sec);
		return -ENOMEM;
	}
	cur = rcu_dereference_protected(s->keys, lockdep_is_held(&s->jd->lock));
	prev = rcu_dereference_protected(s->prev_keys,
					 lockdep_is_held(&s->jd->lock));
	v = jvpn_keys_check(cur, prev, s->key_gen_hwm, kp, next, gen_given);
	err = keys_refusal(info, v);
	if (err) {
		jvpn_daemon_secrets_free(sec);
		jvpn_keypair_free(kp);
		return err;
	}
	jvpn_session_set_secrets(s, sec);
	if (v != JVPN_KEYS_INSTALL) {
		jvpn_keypair_free(kp);
		if (v == JVPN_KEYS_PROMOTE)
			jvpn_session_promote_keys(s);
		return 0;
	}
	if (next)
		jvpn_session_set_next_keys(s, kp);
	else
		jvpn_session_set_keys(s, kp);
	return 0;
}

/* ---- SESSION_DEL ---- */

int jvpn_nl_session_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *reason = info->attrs[JVPN_A_DEL_REASON];

	jvpn_session_destroy(req_session(info),
			     reason ? nla_get_u32(reason) :
				      JVPN_DEL_REASON_ADMIN);
	return 0;
}

/* ---- SESSION_GET / DEV_GET ---- */

static size_t session_msg_size(const struct jvpn_session *s)
{
	return NLMSG_GOODSIZE + JVPN_MAX_ALLOWED_IPS * 48;
}

int jvpn_nl_session_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct jvpn_session *s = req_session(info);
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(session_msg_size(s), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &jvpn_genl_family, 0,
				JVPN_CMD_SESSION_GET);
	if (!hdr || fill_session(msg, s)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		    const struct jvpn_session *s)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, &jvpn_genl_family,
				NLM_F_MULTI, JVPN_CMD_SESSION_GET);

	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (fill_session(skb, s)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Linux 6.1 gives a command one policy, for its do and its dump alike:
 * hold the dump to the attributes the spec gives it (netlink-gen.c).
 */
static int dump_request_check(struct netlink_callback *cb,
			      const struct nla_policy *policy)
{
	const struct nlmsghdr *nlh = cb->nlh;

	return __nla_validate(nlmsg_attrdata(nlh, GENL_HDRLEN),
			      nlmsg_attrlen(nlh, GENL_HDRLEN), JVPN_A_MAX,
			      policy, NL_VALIDATE_STRICT, cb->extack);
}

/* cb->args[0]: sessions already dumped, in the device's list order. */
static int dump_device(struct sk_buff *skb, struct netlink_callback *cb,
		       struct jvpn_device *jd)
{
	struct jvpn_session *s;
	long idx = 0;
	int err = 0;

	mutex_lock(&jd->lock);
	cb->seq = jd->generation + 1;
	list_for_each_entry(s, &jd->session_list, dev_node) {
		if (idx++ < cb->args[0])
			continue;
		err = dump_one(skb, cb, s);
		if (err)
			break;
		cb->args[0] = idx;
	}
	mutex_unlock(&jd->lock);
	return err;
}

int jvpn_nl_session_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlattr *ifindex = info->attrs[JVPN_A_IFINDEX];
	struct jvpn_device *jd;
	int err;

	err = dump_request_check(cb, jvpn_session_get_dump_policy);
	if (err)
		return err;
	if (!ifindex) {
		NL_SET_ERR_MSG(cb->extack, "IFINDEX is required");
		return -EINVAL;
	}
	jd = jvpn_device_get(sock_net(skb->sk), nla_get_u32(ifindex),
			     cb->extack);
	if (IS_ERR(jd))
		return PTR_ERR(jd);
	err = dump_device(skb, cb, jd);
	dev_put(jd->dev);
	/* a session that does not fit an empty buffer would loop forever */
	if (err && !skb->len)
		return err;
	return skb->len;
}

int jvpn_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct jvpn_device *jd = req_device(info);
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &jvpn_genl_family, 0,
				JVPN_CMD_DEV_GET);
	if (!hdr || nla_put_u32(msg, JVPN_A_IFINDEX, jd->dev->ifindex) ||
	    put_stats(msg, jd->counters)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- SESSION_GET_SOCKET ---- */

/*
 * The reply, whole, before the fd exists: only the number is left to write.
 * receive_fd() then checks security_file_receive() and installs the fd; if
 * the reply cannot be sent after all, the fd is closed again.
 */
static int reply_with_fd(struct genl_info *info, struct file *file)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	struct nlattr *attr;
	void *hdr;
	int fd, err;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &jvpn_genl_family, 0,
				JVPN_CMD_SESSION_GET_SOCKET);
	if (!hdr || nla_put_s32(msg, JVPN_A_SOCKET_FD, -1)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	attr = nlmsg_find_attr(nlmsg_hdr(msg), GENL_HDRLEN, JVPN_A_SOCKET_FD);
	fd = receive_fd(file, O_CLOEXEC);
	if (fd < 0) {
		NL_SET_ERR_MSG(info->extack,
			       "the socket may not be passed to the caller");
		nlmsg_free(msg);
		return fd;
	}
	*(s32 *)nla_data(attr) = fd;
	err = genlmsg_reply(msg, info);
	if (err)
		close_fd(fd);
	return err;
}

int jvpn_nl_session_get_socket_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct jvpn_session *s = req_session(info);
	const struct jvpn_transport *t;

	t = rcu_dereference_protected(s->transport,
				      lockdep_is_held(&s->jd->lock));
	if (!t) {
		NL_SET_ERR_MSG(info->extack, "session has no transport");
		return -ENOTCONN;
	}
	/* a device moved into a container must not hand it our socket */
	if (!net_eq(sock_net(t->js->sock->sk), genl_info_net(info))) {
		NL_SET_ERR_MSG(info->extack,
			       "the session's socket belongs to another network namespace");
		return -EXDEV;
	}
	return reply_with_fd(info, t->js->sock->file);
}

/* Events name sessions and endpoints: only an administrator may listen. */
static const struct genl_multicast_group jvpn_mcgrps[] = {
	{ .name = JVPN_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family jvpn_genl_family __ro_after_init = {
	.name = JVPN_GENL_NAME,
	.version = JVPN_GENL_VERSION,
	.maxattr = JVPN_A_MAX,
	.netnsok = true,
	.pre_doit = jvpn_nl_pre_doit,
	.post_doit = jvpn_nl_post_doit,
	.module = THIS_MODULE,
	.ops = jvpn_nl_ops,
	.n_ops = ARRAY_SIZE(jvpn_nl_ops),
	.resv_start_op = JVPN_CMD_SESSION_NEW,
	.mcgrps = jvpn_mcgrps,
	.n_mcgrps = ARRAY_SIZE(jvpn_mcgrps),
};

int jvpn_netlink_register(void)
{
	return genl_register_family(&jvpn_genl_family);
}

void jvpn_netlink_unregister(void)
{
	genl_unregister_family(&jvpn_genl_family);
}
