// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/io/rtnl.c's parsing: rtnetlink news, built as the
 * kernel sends them, become the right callbacks: a link's up and carrier
 * flags and name, an address (IFA_LOCAL over IFA_ADDRESS), a route's
 * output interface and destination, and DEL messages as gone. What the
 * client makes of them is tested in the VM (selftests/net/paths.sh,
 * test_daemon_interface_down).
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rtnl.h"

struct seen {
	int links, addrs, routes;
	bool gone;
	struct rtnl_link link;
	struct rtnl_addr addr;
	struct rtnl_route route;
};

static void on_link(void *ctx, const struct rtnl_link *l, bool gone)
{
	struct seen *s = ctx;

	s->links++;
	s->link = *l;
	s->gone = gone;
}

static void on_addr(void *ctx, const struct rtnl_addr *a, bool gone)
{
	struct seen *s = ctx;

	s->addrs++;
	s->addr = *a;
	s->gone = gone;
}

static void on_route(void *ctx, const struct rtnl_route *r, bool gone)
{
	struct seen *s = ctx;

	s->routes++;
	s->route = *r;
	s->gone = gone;
}

static const struct rtnl_ops ops = {
	.link = on_link,
	.addr = on_addr,
	.route = on_route,
};

static struct nlmsghdr *link_msg(char *buf, uint16_t type, int ifindex,
				 unsigned int flags, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static void test_link(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct seen s = { 0 };
	struct rtnl r = { .ops = &ops, .ctx = &s };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = link_msg(buf, RTM_NEWLINK, 7, IFF_UP | IFF_LOWER_UP, "ua");
	rtnl_dispatch(&r, buf, nlh->nlmsg_len);
	assert_int_equal(s.links, 1);
	assert_int_equal(s.link.ifindex, 7);
	assert_string_equal(s.link.name, "ua");
	assert_true(s.link.up && s.link.carrier);
	assert_false(s.gone);
	/* ip link set ua down: IFF_UP and the carrier gone */
	nlh = link_msg(buf, RTM_NEWLINK, 7, 0, "ua");
	rtnl_dispatch(&r, buf, nlh->nlmsg_len);
	assert_false(s.link.up);
	assert_false(s.link.carrier);
	/* the peer end of a veth down: up, no carrier */
	nlh = link_msg(buf, RTM_NEWLINK, 7, IFF_UP, "ua");
	rtnl_dispatch(&r, buf, nlh->nlmsg_len);
	assert_true(s.link.up);
	assert_false(s.link.carrier);
	nlh = link_msg(buf, RTM_DELLINK, 7, 0, NULL);
	rtnl_dispatch(&r, buf, nlh->nlmsg_len);
	assert_true(s.gone);
	assert_string_equal(s.link.name, "");
	/* a message too short for its header is dropped */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	rtnl_dispatch(&r, buf, nlh->nlmsg_len);
	assert_int_equal(s.links, 4);
}

static void test_addr(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct seen s = { 0 };
	struct rtnl r = { .ops = &ops, .ctx = &s };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	struct in_addr local, peer;

	(void)state;
	inet_pton(AF_INET, "10.1.0.2", &local);
	inet_pton(AF_INET, "10.9.9.9", &peer);
	nlh->nlmsg_type = RTM_DELADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 24;
	ifa->ifa_index = 7;
	/* point-to-point: IFA_ADDRESS is the peer's, IFA_LOCAL ours */
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &peer);
	mnl_attr_put(nlh, IFA_LOCAL, 4, &local);
	rtnl_dispatch(&r, buf, nlh->nlmsg_len);
	assert_int_equal(s.addrs, 1);
	assert_true(s.gone);
	assert_int_equal(s.addr.ifindex, 7);
	assert_int_equal(s.addr.prefix_len, 24);
	assert_int_equal(s.addr.addr.sa.sa_family, AF_INET);
	assert_memory_equal(&s.addr.addr.in4.sin_addr, &local, 4);
}

static void test_route(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct seen s = { 0 };
	struct rtnl r = { .ops = &ops, .ctx = &s };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct in_addr dst;

	(void)state;
	inet_pton(AF_INET, "10.0.0.1", &dst);
	nlh->nlmsg_type = RTM_DELROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = RT_TABLE_MAIN;
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put_u32(nlh, RTA_OIF, 8);
	rtnl_dispatch(&r, buf, nlh->nlmsg_len);
	assert_int_equal(s.routes, 1);
	assert_true(s.gone);
	assert_int_equal(s.route.oif, 8);
	assert_int_equal(s.route.dst_len, 32);
	assert_int_equal(s.route.table, RT_TABLE_MAIN);
	assert_memory_equal(s.route.dst, &dst, 4);
	/* other news are ignored */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	mnl_nlmsg_put_extra_header(nlh, 16);
	rtnl_dispatch(&r, buf, nlh->nlmsg_len);
	assert_int_equal(s.routes + s.addrs + s.links, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_route),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("rtnl", tests, NULL, NULL);
}
