// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the pure part of daemon/io/netconf.c: a /0 becomes its two
 * halves (the split routes that leave the default route alone), any other
 * prefix stays as it is, and which addresses a prefix covers (whether the
 * tunnel's routes would take in the gateway's own endpoint).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netconf.h"

static struct jvpn_cidr cidr(int family, const char *addr, uint8_t len)
{
	struct jvpn_cidr c = { .family = (uint16_t)family, .prefix_len = len };

	assert_int_equal(inet_pton(family, addr, c.addr), 1);
	return c;
}

static union jvpn_sockaddr sa(int family, const char *addr)
{
	union jvpn_sockaddr a;

	memset(&a, 0, sizeof(a));
	a.sa.sa_family = (sa_family_t)family;
	assert_int_equal(inet_pton(family, addr,
				   family == AF_INET6
					   ? (void *)&a.in6.sin6_addr
					   : (void *)&a.in4.sin_addr),
			 1);
	return a;
}

static void test_split(void **state)
{
	struct jvpn_cidr out[2], v4 = cidr(AF_INET, "0.0.0.0", 0),
				 v6 = cidr(AF_INET6, "::", 0),
				 net = cidr(AF_INET, "172.16.0.0", 24);
	struct jvpn_cidr want_hi = cidr(AF_INET, "128.0.0.0", 1),
			 want6_hi = cidr(AF_INET6, "8000::", 1);

	(void)state;
	assert_int_equal(netconf_split(&v4, out), 2);
	assert_int_equal(out[0].prefix_len, 1);
	assert_true(netconf_covers(
		&out[0], &(union jvpn_sockaddr){ .in4.sin_family = AF_INET }));
	assert_memory_equal(out[1].addr, want_hi.addr, 16);
	assert_int_equal(out[1].prefix_len, 1);
	assert_int_equal(netconf_split(&v6, out), 2);
	assert_memory_equal(out[1].addr, want6_hi.addr, 16);
	assert_int_equal(out[1].family, AF_INET6);
	assert_int_equal(netconf_split(&net, out), 1);
	assert_memory_equal(&out[0], &net, sizeof(net));
}

static void test_covers(void **state)
{
	struct jvpn_cidr all = cidr(AF_INET, "0.0.0.0", 0),
			 net = cidr(AF_INET, "10.0.0.0", 9),
			 host = cidr(AF_INET, "10.0.0.1", 32),
			 v6 = cidr(AF_INET6, "fd10::", 64);
	union jvpn_sockaddr gw = sa(AF_INET, "10.0.0.1");

	(void)state;
	assert_true(netconf_covers(&all, &gw));
	assert_true(netconf_covers(&net, &gw));
	assert_true(netconf_covers(
		&net, &(union jvpn_sockaddr){
			      .in4 = sa(AF_INET, "10.127.255.255").in4 }));
	assert_false(netconf_covers(
		&net, &(union jvpn_sockaddr){
			      .in4 = sa(AF_INET, "10.128.0.0").in4 }));
	assert_true(netconf_covers(&host, &gw));
	assert_false(netconf_covers(
		&host,
		&(union jvpn_sockaddr){ .in4 = sa(AF_INET, "10.0.0.2").in4 }));
	assert_false(netconf_covers(&v6, &gw));
	assert_true(netconf_covers(
		&v6,
		&(union jvpn_sockaddr){ .in6 = sa(AF_INET6, "fd10::2").in6 }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_covers),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("netconf", tests, NULL, NULL);
}
