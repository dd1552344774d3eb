// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * See rtnl.h. Two sockets: one joined to the link, address and route
 * groups and read from the event loop, one for questions, so that an
 * answer is never mistaken for news nor news lost behind an answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "rtnl.h"

#define RTNL_GROUPS                                                            \
	(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |               \
	 RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE)

static void close_one(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
	*nl = NULL;
}

void rtnl_close(struct rtnl *r)
{
	close_one(&r->watch);
	close_one(&r->ask);
}

static int open_one(struct mnl_socket **nl, unsigned int groups)
{
	*nl = mnl_socket_open(NETLINK_ROUTE);
	if (!*nl)
		return -errno;
	if (mnl_socket_bind(*nl, groups, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	return 0;
}

int rtnl_open(struct rtnl *r, const struct rtnl_ops *ops, void *ctx)
{
	/* an unanswered question must not stall the event loop for long */
	struct timeval tv = { .tv_sec = 1 };
	int err, fd;

	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->ctx = ctx;
	r->seq = (uint32_t)time(NULL);
	err = open_one(&r->watch, RTNL_GROUPS);
	if (!err)
		err = open_one(&r->ask, 0);
	if (err) {
		rtnl_close(r);
		return err;
	}
	fd = mnl_socket_get_fd(r->watch);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    setsockopt(mnl_socket_get_fd(r->ask), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)) < 0) {
		err = -errno;
		rtnl_close(r);
		return err;
	}
	return 0;
}

int rtnl_fd(const struct rtnl *r)
{
	return r->watch ? mnl_socket_get_fd(r->watch) : -1;
}

/* ---- parsing ---- */

static int link_attr(const struct nlattr *a, void *data)
{
	struct rtnl_link *l = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0) {
		strncpy(l->name, mnl_attr_get_str(a), sizeof(l->name) - 1);
		l->name[sizeof(l->name) - 1] = '\0';
	}
	return MNL_CB_OK;
}

static bool parse_link(const struct nlmsghdr *nlh, struct rtnl_link *l)
{
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return false;
	ifi = mnl_nlmsg_get_payload(nlh);
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->up = ifi->ifi_flags & IFF_UP;
	l->carrier = ifi->ifi_flags & IFF_LOWER_UP;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr, l);
	return true;
}

static bool set_addr(union jvpn_sockaddr *sa, int family, const void *p,
		     size_t len)
{
	memset(sa, 0, sizeof(*sa));
	if (family == AF_INET && len == 4) {
		sa->in4.sin_family = AF_INET;
		memcpy(&sa->in4.sin_addr, p, 4);
		return true;
	}
	if (family == AF_INET6 && len == 16) {
		sa->in6.sin6_family = AF_INET6;
		memcpy(&sa->in6.sin6_addr, p, 16);
		return true;
	}
	return false;
}

struct addr_parse {
	struct rtnl_addr *a;
	int family;
	bool local; /* IFA_LOCAL seen: it wins over IFA_ADDRESS (the peer's
		     * on a point-to-point link) */
};

static int addr_attr(const struct nlattr *attr, void *data)
{
	struct addr_parse *p = data;
	uint16_t type = mnl_attr_get_type(attr);

	if ((type == IFA_LOCAL || (type == IFA_ADDRESS && !p->local)) &&
	    set_addr(&p->a->addr, p->family, mnl_attr_get_payload(attr),
		     mnl_attr_get_payload_len(attr)))
		p->local = p->local || type == IFA_LOCAL;
	return MNL_CB_OK;
}

static bool parse_addr(const struct nlmsghdr *nlh, struct rtnl_addr *a)
{
	const struct ifaddrmsg *ifa;
	struct addr_parse p = { .a = a };

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return false;
	ifa = mnl_nlmsg_get_payload(nlh);
	memset(a, 0, sizeof(*a));
	a->ifindex = (int)ifa->ifa_index;
	a->prefix_len = ifa->ifa_prefixlen;
	p.family = ifa->ifa_family;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, &p);
	return a->addr.sa.sa_family != AF_UNSPEC;
}

static int route_attr(const struct nlattr *attr, void *data)
{
	struct rtnl_route *r = data;
	size_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case RTA_OIF:
		if (len == 4)
			r->oif = (int)mnl_attr_get_u32(attr);
		break;
	case RTA_TABLE:
		if (len == 4)
			r->table = mnl_attr_get_u32(attr);
		break;
	case RTA_DST:
		if (len <= sizeof(r->dst))
			memcpy(r->dst, mnl_attr_get_payload(attr), len);
		break;
	}
	return MNL_CB_OK;
}

static bool parse_route(const struct nlmsghdr *nlh, struct rtnl_route *r)
{
	const struct rtmsg *rtm;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return false;
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->table = rtm->rtm_table;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr, r);
	return true;
}

/* ---- news ---- */

static int dispatch(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl *r = data;
	bool gone = nlh->nlmsg_type == RTM_DELLINK ||
		    nlh->nlmsg_type == RTM_DELADDR ||
		    nlh->nlmsg_type == RTM_DELROUTE;
	struct rtnl_link l;
	struct rtnl_addr a;
	struct rtnl_route rt;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (r->ops->link && parse_link(nlh, &l))
			r->ops->link(r->ctx, &l, gone);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (r->ops->addr && parse_addr(nlh, &a))
			r->ops->addr(r->ctx, &a, gone);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (r->ops->route && parse_route(nlh, &rt))
			r->ops->route(r->ctx, &rt, gone);
		break;
	}
	return MNL_CB_OK;
}

void rtnl_dispatch(struct rtnl *r, const void *buf, size_t len)
{
	/* news carries no sequence number nor port of ours */
	mnl_cb_run(buf, len, 0, 0, dispatch, r);
}

int rtnl_read(struct rtnl *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(r->watch, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			if (r->ops->lost)
				r->ops->lost(r->ctx);
			continue;
		}
		if (n < 0)
			return -errno;
		rtnl_dispatch(r, buf, (size_t)n);
	}
}

/* ---- questions ---- */

/* Sends @nlh on the question socket and runs @cb on its answer. */
static int ask(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t port = mnl_socket_get_portid(r->ask);
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->ask, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* a request that is no dump has one answer: the data or an error;
	 * one with another sequence number is late for an earlier question */
	do {
		n = mnl_socket_recvfrom(r->ask, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, port, cb,
				 data);
	} while (ret < 0 && errno == ESRCH);
	return ret < 0 ? -errno : 0;
}

static int got_link(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		parse_link(nlh, data);
	return MNL_CB_OK;
}

int rtnl_link_get(struct rtnl *r, int ifindex, struct rtnl_link *l)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int err;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	memset(l, 0, sizeof(*l));
	l->ifindex = -1;
	err = ask(r, nlh, got_link, l);
	if (err)
		return err;
	return l->ifindex == ifindex ? 0 : -ENODEV;
}

static int got_route(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_route *rt = data;
	const struct rtmsg *rtm;

	if (nlh->nlmsg_type != RTM_NEWROUTE || !parse_route(nlh, rt))
		return MNL_CB_OK;
	rtm = mnl_nlmsg_get_payload(nlh);
	/* a lookup may name a route that only drops (blackhole...) */
	if (rtm->rtm_type != RTN_UNICAST && rtm->rtm_type != RTN_LOCAL)
		rt->oif = 0;
	return MNL_CB_OK;
}

int rtnl_reachable(struct rtnl *r, const union jvpn_sockaddr *dst, int oif)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtnl_route rt = { .oif = -1 };
	bool v6 = dst->sa.sa_family == AF_INET6;
	struct rtmsg *rtm;
	int err;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst->sa.sa_family;
	rtm->rtm_dst_len = v6 ? 128 : 32;
	/* without it, IPv4 names the main table whatever the lookup found,
	 * and the check at the end could not tell a route from none */
	rtm->rtm_flags = RTM_F_LOOKUP_TABLE;
	if (v6)
		mnl_attr_put(nlh, RTA_DST, 16, &dst->in6.sin6_addr);
	else
		mnl_attr_put(nlh, RTA_DST, 4, &dst->in4.sin_addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	err = ask(r, nlh, got_route, &rt);
	if (err == -ENETUNREACH || err == -EHOSTUNREACH || err == -ENODEV ||
	    err == -ENETDOWN || err == -EINVAL)
		return 0;
	if (err)
		return err;
	/*
	 * With the output interface fixed and no route at all, IPv4 assumes
	 * the destination is on that link and answers from no table (0):
	 * that is no route to the gateway, only an ARP into the void.
	 */
	return rt.oif == oif && rt.table != RT_TABLE_UNSPEC ? 1 : 0;
}
