// SPDX-License-Identifier: GPL-2.0 OR MIT
/* See netconf.h. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netconf.h"

static size_t addr_len(uint16_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

size_t netconf_split(const struct jvpn_cidr *in, struct jvpn_cidr out[2])
{
	out[0] = *in;
	if (in->prefix_len != 0)
		return 1;
	out[0].prefix_len = 1;
	memset(out[0].addr, 0, sizeof(out[0].addr));
	out[1] = out[0];
	out[1].addr[0] = 0x80;
	return 2;
}

bool netconf_covers(const struct jvpn_cidr *c, const union jvpn_sockaddr *a)
{
	const uint8_t *p = a->sa.sa_family == AF_INET6
				   ? a->in6.sin6_addr.s6_addr
				   : (const uint8_t *)&a->in4.sin_addr;
	unsigned int bits = c->prefix_len, i;

	if (c->family != a->sa.sa_family || bits > addr_len(c->family) * 8)
		return false;
	for (i = 0; i + 8 <= bits; i += 8)
		if (p[i / 8] != c->addr[i / 8])
			return false;
	return bits % 8 == 0 ||
	       !((p[i / 8] ^ c->addr[i / 8]) & (0xff << (8 - bits % 8)) & 0xff);
}

int netconf_open(struct netconf *n)
{
	memset(n, 0, sizeof(*n));
	n->seq = (uint32_t)time(NULL);
	n->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!n->nl || mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		snprintf(n->err, sizeof(n->err), "rtnetlink: %s",
			 strerror(err));
		netconf_close(n);
		return -err;
	}
	return 0;
}

void netconf_close(struct netconf *n)
{
	if (n->nl)
		mnl_socket_close(n->nl);
	n->nl = NULL;
}

struct answer {
	union jvpn_sockaddr gw;
	int oif;
};

static void set_sockaddr(union jvpn_sockaddr *sa, uint16_t family,
			 const void *p)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa.sa_family = family;
	if (family == AF_INET6)
		memcpy(&sa->in6.sin6_addr, p, 16);
	else
		memcpy(&sa->in4.sin_addr, p, 4);
}

static int route_attr(const struct nlattr *a, void *data)
{
	struct answer *ans = data;
	size_t len = mnl_attr_get_payload_len(a);

	if (mnl_attr_get_type(a) == RTA_OIF && len == 4)
		ans->oif = (int)mnl_attr_get_u32(a);
	if (mnl_attr_get_type(a) == RTA_GATEWAY && (len == 4 || len == 16))
		set_sockaddr(&ans->gw, len == 16 ? AF_INET6 : AF_INET,
			     mnl_attr_get_payload(a));
	return MNL_CB_OK;
}

static int got_route(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWROUTE)
		mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr, data);
	return MNL_CB_OK;
}

/*
 * Sends @nlh and reads the answer, each message to @cb: its one answer
 * (an ack, an error or the data), or with @until_done every message up to
 * the end of a dump or an ack.
 */
static int exchange(struct netconf *n, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data, bool until_done)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t port = mnl_socket_get_portid(n->nl);
	ssize_t len;
	int ret;

	nlh->nlmsg_seq = ++n->seq;
	if (mnl_socket_sendto(n->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(n->nl, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)len, nlh->nlmsg_seq, port, cb,
				 data);
	} while ((until_done && ret > 0) || (ret < 0 && errno == ESRCH));
	return ret < 0 ? -errno : 0;
}

static int transact(struct netconf *n, struct nlmsghdr *nlh, void *answer)
{
	return exchange(n, nlh, answer ? got_route : NULL, answer, false);
}

static void describe(struct netconf *n, const char *what,
		     const struct jvpn_cidr *c, int err)
{
	union jvpn_sockaddr sa;
	char text[JVPN_SOCKADDR_TEXT_MAX];

	set_sockaddr(&sa, c->family, c->addr);
	jvpn_sockaddr_text(&sa, text, sizeof(text));
	/* the text has a port; drop it: "10.0.0.1:0" -> "10.0.0.1" */
	if (c->family == AF_INET && strrchr(text, ':'))
		*strrchr(text, ':') = '\0';
	snprintf(n->err, sizeof(n->err), "%s %s/%u: %s", what, text,
		 c->prefix_len, strerror(-err));
}

static struct nlmsghdr *address_msg(char *buf, uint16_t type, uint16_t flags,
				    int ifindex, const struct jvpn_cidr *a)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = a->prefix_len;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	/* no DAD for an address only this tunnel's peer can answer for */
	if (a->family == AF_INET6)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	mnl_attr_put(nlh, IFA_LOCAL, addr_len(a->family), a->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, addr_len(a->family), a->addr);
	return nlh;
}

static struct nlmsghdr *route_msg(char *buf, uint16_t type, uint16_t flags,
				  const struct netconf_item *it)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	bool via = it->via.sa.sa_family != AF_UNSPEC;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)it->dst.family;
	rtm->rtm_dst_len = it->dst.prefix_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, addr_len(it->dst.family), it->dst.addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)it->ifindex);
	if (via && it->via.sa.sa_family == AF_INET)
		mnl_attr_put(nlh, RTA_GATEWAY, 4, &it->via.in4.sin_addr);
	else if (via)
		mnl_attr_put(nlh, RTA_GATEWAY, 16, &it->via.in6.sin6_addr);
	return nlh;
}

int netconf_link_up(struct netconf *n, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int err;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	err = transact(n, nlh, NULL);
	if (err)
		snprintf(n->err, sizeof(n->err), "setting the device up: %s",
			 strerror(-err));
	return err;
}

static int remember(struct netconf *n, const struct netconf_item *it, int err)
{
	if (err == -EEXIST)
		return 1;
	if (err)
		return err;
	if (n->n_added < NETCONF_MAX_ITEMS)
		n->added[n->n_added++] = *it;
	return 0;
}

int netconf_add_address(struct netconf *n, int ifindex,
			const struct jvpn_cidr *addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct netconf_item it = { .ifindex = ifindex, .dst = *addr };
	int err;

	if (n->n_added >= NETCONF_MAX_ITEMS)
		return -ENOSPC;
	err = transact(n,
		       address_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
				   ifindex, addr),
		       NULL);
	if (err && err != -EEXIST)
		describe(n, "address", addr, err);
	return remember(n, &it, err);
}

static int add_route_item(struct netconf *n, const struct netconf_item *it)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	if (n->n_added >= NETCONF_MAX_ITEMS)
		return -ENOSPC;
	err = transact(
		n, route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, it),
		NULL);
	if (err && err != -EEXIST)
		describe(n, "route", &it->dst, err);
	return remember(n, it, err);
}

int netconf_add_route(struct netconf *n, int ifindex,
		      const struct jvpn_cidr *dst)
{
	struct netconf_item it = { .is_route = true,
				   .ifindex = ifindex,
				   .dst = *dst };

	return add_route_item(n, &it);
}

int netconf_pin_host(struct netconf *n, const union jvpn_sockaddr *dst)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	bool v6 = dst->sa.sa_family == AF_INET6;
	struct netconf_item it = { .is_route = true };
	struct answer ans = { .oif = 0 };
	struct rtmsg *rtm;
	int err;

	it.dst.family = dst->sa.sa_family;
	it.dst.prefix_len = v6 ? 128 : 32;
	memcpy(it.dst.addr,
	       v6 ? (const void *)&dst->in6.sin6_addr
		  : (const void *)&dst->in4.sin_addr,
	       addr_len(it.dst.family));
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)it.dst.family;
	rtm->rtm_dst_len = it.dst.prefix_len;
	mnl_attr_put(nlh, RTA_DST, addr_len(it.dst.family), it.dst.addr);
	err = transact(n, nlh, &ans);
	if (!err && !ans.oif)
		err = -ENETUNREACH;
	if (err) {
		describe(n, "route to the gateway", &it.dst, err);
		return err;
	}
	it.ifindex = ans.oif;
	it.via = ans.gw;
	return add_route_item(n, &it);
}

void netconf_undo(struct netconf *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	while (n->n_added) {
		const struct netconf_item *it = &n->added[--n->n_added];
		struct nlmsghdr *nlh =
			it->is_route ? route_msg(buf, RTM_DELROUTE, 0, it)
				     : address_msg(buf, RTM_DELADDR, 0,
						   it->ifindex, &it->dst);
		int err = transact(n, nlh, NULL);

		/* gone already (the device went first) is what we wanted */
		if (err && err != -ESRCH && err != -ENODEV &&
		    err != -EADDRNOTAVAIL)
			describe(n,
				 it->is_route ? "removing route"
					      : "removing address",
				 &it->dst, err);
	}
}

/* ---- a device's own configuration, to put back (netconf.h) ---- */

static int link_attr(const struct nlattr *a, void *data)
{
	struct netconf_device *dev = data;

	if (mnl_attr_get_type(a) == IFLA_MTU &&
	    mnl_attr_get_payload_len(a) == 4)
		dev->mtu = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

struct addr_walk {
	int ifindex;
	struct netconf_device *dev;
	struct jvpn_cidr cur;
	bool has_local;
};

static int addr_attr(const struct nlattr *a, void *data)
{
	struct addr_walk *w = data;
	size_t len = mnl_attr_get_payload_len(a);
	uint16_t type = mnl_attr_get_type(a);

	if (len != addr_len(w->cur.family))
		return MNL_CB_OK;
	/* IFA_LOCAL is our end where IFA_ADDRESS names a point-to-point peer */
	if (type == IFA_LOCAL || (type == IFA_ADDRESS && !w->has_local))
		memcpy(w->cur.addr, mnl_attr_get_payload(a), len);
	if (type == IFA_LOCAL)
		w->has_local = true;
	return MNL_CB_OK;
}

/* One address of the device: kept unless the kernel makes it itself. */
static int got_item(const struct nlmsghdr *nlh, void *data)
{
	struct addr_walk *w = data;
	const struct ifaddrmsg *ifa;
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type == RTM_NEWLINK) {
		ifi = mnl_nlmsg_get_payload(nlh);
		if (ifi->ifi_index == w->ifindex)
			mnl_attr_parse(nlh, sizeof(*ifi), link_attr, w->dev);
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	if ((int)ifa->ifa_index != w->ifindex ||
	    ifa->ifa_scope >= RT_SCOPE_LINK ||
	    w->dev->n_addrs >= NETCONF_DEVICE_ADDRS)
		return MNL_CB_OK;
	memset(&w->cur, 0, sizeof(w->cur));
	w->cur.family = ifa->ifa_family;
	w->cur.prefix_len = ifa->ifa_prefixlen;
	w->has_local = false;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, w);
	w->dev->addrs[w->dev->n_addrs++] = w->cur;
	return MNL_CB_OK;
}

int netconf_device_read(struct netconf *n, int ifindex,
			struct netconf_device *dev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct addr_walk w = { .ifindex = ifindex, .dev = dev };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	int err;

	memset(dev, 0, sizeof(*dev));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	/* the ack ends the answer, as NLMSG_DONE ends the dump below */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	err = exchange(n, nlh, got_item, &w, true);
	if (!err) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETADDR;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_UNSPEC;
		err = exchange(n, nlh, got_item, &w, true);
	}
	if (err)
		snprintf(n->err, sizeof(n->err), "reading the device: %s",
			 strerror(-err));
	return err;
}

int netconf_device_create(struct netconf *n, const char *name, const char *kind,
			  const struct netconf_device *dev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *info;
	int err;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags =
		NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (dev->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, dev->mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, info);
	err = transact(n, nlh, NULL);
	if (err && err != -EEXIST) {
		snprintf(n->err, sizeof(n->err), "creating %s (kind %s): %s",
			 name, kind, strerror(-err));
		return err;
	}
	return 0;
}

int netconf_device_restore(struct netconf *n, int ifindex,
			   const struct netconf_device *dev)
{
	int err = 0;

	for (size_t i = 0; i < dev->n_addrs; i++)
		if (netconf_add_address(n, ifindex, &dev->addrs[i]) < 0)
			err = -1;
	/* what was added is the device's, not ours to undo at stop */
	n->n_added = 0;
	if (netconf_link_up(n, ifindex))
		err = -1;
	return err;
}
