// SPDX-License-Identifier: GPL-2.0
#include <linux/spinlock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "device.h"
#include "endpoint.h"
#include "events.h"
#include "netlink.h"
#include "session.h"

/* Group index inside jvpn_genl_family.mcgrps. */
#define JVPN_GRP_EVENTS	0

struct jvpn_net {
	/* Orders sequence numbers and delivery alike, so the numbers a
	 * subscriber receives only ever rise.
	 */
	spinlock_t lock;
	u64 seq;
};

/* The pernet id: the kernel's API hands it out once per module. */
static unsigned int jvpn_net_id __read_mostly;

static __net_init int events_net_init(struct net *net)
{
	struct jvpn_net *jn = net_generic(net, jvpn_net_id);

	spin_lock_init(&jn->lock);
	jn->seq = 0;
	return 0;
}

static struct pernet_operations jvpn_net_ops = {
	.init = events_net_init,
	.id = &jvpn_net_id,
	.size = sizeof(struct jvpn_net),
};

int jvpn_events_register(void)
{
	return register_pernet_subsys(&jvpn_net_ops);
}

void jvpn_events_unregister(void)
{
	unregister_pernet_subsys(&jvpn_net_ops);
}

struct jvpn_event {
	struct sk_buff *msg;
	void *hdr;
	void *seq;	/* filled in at send time, under the lock */
	struct net *net;
};

static bool event_begin(struct jvpn_event *ev, struct jvpn_session *s,
			u8 cmd, gfp_t gfp)
{
	struct nlattr *seq;

	ev->net = dev_net(s->jd->dev);
	if (!genl_has_listeners(&jvpn_genl_family, ev->net, JVPN_GRP_EVENTS))
		return false;
	ev->msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!ev->msg)
		return false;
	ev->hdr = genlmsg_put(ev->msg, 0, 0, &jvpn_genl_family, 0, cmd);
	if (!ev->hdr)
		goto fail;
	seq = nla_reserve_64bit(ev->msg, JVPN_A_EVENT_SEQ, sizeof(u64),
				JVPN_A_PAD);
	if (!seq ||
	    nla_put_u64_64bit(ev->msg, JVPN_A_EVENT_TIME_NS, jvpn_now_ns(),
			      JVPN_A_PAD) ||
	    jvpn_nl_put_session_id(ev->msg, s))
		goto fail;
	ev->seq = nla_data(seq);
	return true;
fail:
	nlmsg_free(ev->msg);
	return false;
}

static void event_send(struct jvpn_event *ev)
{
	struct jvpn_net *jn = net_generic(ev->net, jvpn_net_id);
	u64 seq;

	genlmsg_end(ev->msg, ev->hdr);
	spin_lock_bh(&jn->lock);
	seq = ++jn->seq;
	memcpy(ev->seq, &seq, sizeof(seq));
	genlmsg_multicast_netns(&jvpn_genl_family, ev->net, ev->msg, 0,
				JVPN_GRP_EVENTS, GFP_ATOMIC);
	spin_unlock_bh(&jn->lock);
}

static void event_abort(struct jvpn_event *ev)
{
	nlmsg_free(ev->msg);
}

void jvpn_event_created(struct jvpn_session *s)
{
	struct jvpn_event ev;

	if (event_begin(&ev, s, JVPN_CMD_EVENT_SESSION_CREATED, GFP_KERNEL))
		event_send(&ev);
}

void jvpn_event_deleted(struct jvpn_session *s, enum jvpn_del_reason reason)
{
	struct jvpn_event ev;

	if (!event_begin(&ev, s, JVPN_CMD_EVENT_SESSION_DELETED, GFP_KERNEL))
		return;
	if (nla_put_u32(ev.msg, JVPN_A_DEL_REASON, reason))
		return event_abort(&ev);
	event_send(&ev);
}

void jvpn_event_switched(struct jvpn_session *s,
			 const struct jvpn_endpoint *old_remote,
			 const struct jvpn_endpoint *new_remote)
{
	struct jvpn_event ev;

	if (!event_begin(&ev, s, JVPN_CMD_EVENT_TRANSPORT_SWITCHED,
			 GFP_KERNEL))
		return;
	if (jvpn_endpoint_to_nla(ev.msg, JVPN_A_OLD_REMOTE, old_remote) ||
	    jvpn_endpoint_to_nla(ev.msg, JVPN_A_REMOTE, new_remote))
		return event_abort(&ev);
	event_send(&ev);
}

void jvpn_event_state(struct jvpn_session *s, u8 old_state)
{
	struct jvpn_event ev;

	if (!event_begin(&ev, s, JVPN_CMD_EVENT_STATE_CHANGED, GFP_KERNEL))
		return;
	if (nla_put_u8(ev.msg, JVPN_A_OLD_STATE, old_state))
		return event_abort(&ev);
	event_send(&ev);
}

void jvpn_event_stray(struct jvpn_session *s, const struct jvpn_endpoint *src,
		      const struct jvpn_endpoint *local)
{
	struct jvpn_event ev;

	if (!event_begin(&ev, s, JVPN_CMD_EVENT_STRAY_DATA, GFP_ATOMIC))
		return;
	/* REMOTE is the candidate; the bound one is in the session dump */
	if (jvpn_endpoint_to_nla(ev.msg, JVPN_A_REMOTE, src) ||
	    jvpn_endpoint_to_nla(ev.msg, JVPN_A_LOCAL, local))
		return event_abort(&ev);
	event_send(&ev);
}
