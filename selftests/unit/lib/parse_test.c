// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of lib/parse.c: command-line text to values.
 *
 * parse.h: each parser returns NULL on success or a phrase naming what is
 * wrong, and checks syntax and field width only; whether a value makes
 * sense (port 0, id 0, host bits in a prefix) is the kernel's call. So the
 * tests below expect such values to be accepted and passed on unchanged.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "names.h"
#include "parse.h"

/* The parser accepted the text. */
#define assert_ok(call)                                                        \
	do {                                                                   \
		const char *problem_ = (call);                                 \
		if (problem_)                                                  \
			fail_msg("%s: unexpected \"%s\"", #call, problem_);    \
	} while (0)

/* The parser refused the text, saying something that contains needle. */
#define assert_problem(call, needle)                                           \
	do {                                                                   \
		const char *problem_ = (call);                                 \
		if (!problem_)                                                 \
			fail_msg("%s: accepted, want a problem about "         \
				 "\"%s\"",                                     \
				 #call, (needle));                             \
		if (!strstr(problem_, (needle)))                               \
			fail_msg("%s: \"%s\" does not mention \"%s\"", #call,  \
				 problem_, (needle));                          \
	} while (0)

/* ---- parse_u64 ---------------------------------------------------- */

static void test_u64_decimal(void **state)
{
	uint64_t value = 99;

	(void)state;
	assert_ok(parse_u64("0", UINT64_MAX, &value));
	assert_int_equal(value, 0);
	assert_ok(parse_u64("42", UINT64_MAX, &value));
	assert_int_equal(value, 42);
	assert_ok(parse_u64("007", UINT64_MAX, &value));
	assert_int_equal(value, 7);
	assert_ok(parse_u64("18446744073709551615", UINT64_MAX, &value));
	assert_true(value == UINT64_MAX);
}

static void test_u64_hex(void **state)
{
	uint64_t value = 0;

	(void)state;
	assert_ok(parse_u64("0x10", UINT64_MAX, &value));
	assert_int_equal(value, 16);
	assert_ok(parse_u64("0XfF", UINT64_MAX, &value));
	assert_int_equal(value, 255);
	assert_ok(parse_u64("0xDeadBeef", UINT64_MAX, &value));
	assert_int_equal(value, 0xdeadbeef);
	assert_ok(parse_u64("0xffffffffffffffff", UINT64_MAX, &value));
	assert_true(value == UINT64_MAX);
	assert_ok(parse_u64("0x0", UINT64_MAX, &value));
	assert_int_equal(value, 0);
}

/* max is inclusive, in both bases */
static void test_u64_max_bound(void **state)
{
	uint64_t value = 0;

	(void)state;
	assert_ok(parse_u64("65535", UINT16_MAX, &value));
	assert_int_equal(value, 65535);
	assert_problem(parse_u64("65536", UINT16_MAX, &value), "out of range");
	assert_ok(parse_u64("0xffff", UINT16_MAX, &value));
	assert_int_equal(value, 0xffff);
	assert_problem(parse_u64("0x10000", UINT16_MAX, &value),
		       "out of range");
	assert_ok(parse_u64("0", 0, &value));
	assert_int_equal(value, 0);
	assert_problem(parse_u64("1", 0, &value), "out of range");
}

static void test_u64_overflow(void **state)
{
	uint64_t value = 7;

	(void)state;
	assert_problem(parse_u64("18446744073709551616", UINT64_MAX, &value),
		       "out of range");
	assert_problem(parse_u64("99999999999999999999999", UINT64_MAX, &value),
		       "out of range");
	assert_problem(parse_u64("0x10000000000000000", UINT64_MAX, &value),
		       "out of range");
	/* a refused value leaves *out alone */
	assert_int_equal(value, 7);
}

static void test_u64_not_a_number(void **state)
{
	static const char *const bad[] = {
		"",    "0x",	"0X",	 "-1",	"-0",	"+5",	" 5",
		"5 ",  "5\n",	"12abc", "abc", "0x1g", "0xx1", "1.5",
		"1e3", "0b101", "x10",	 "--1", "\t7",
	};
	uint64_t value = 7;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_problem(parse_u64(bad[i], UINT64_MAX, &value),
			       "not a number");
	assert_int_equal(value, 7);
}

/* ---- parse_endpoint ----------------------------------------------- */

static void test_endpoint_v4(void **state)
{
	union jvpn_sockaddr addr;
	struct in_addr want;

	(void)state;
	memset(&addr, 0xa5, sizeof(addr));
	assert_ok(parse_endpoint("192.0.2.1:51820", &addr));
	assert_int_equal(addr.sa.sa_family, AF_INET);
	assert_int_equal(addr.in4.sin_port, htons(51820));
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", &want), 1);
	assert_memory_equal(&addr.in4.sin_addr, &want, sizeof(want));
	/* the rest of the union is cleared: bind(2) gets no stray bytes */
	for (size_t i = offsetof(struct sockaddr_in, sin_zero);
	     i < sizeof(addr); i++)
		assert_int_equal(((unsigned char *)&addr)[i], 0);

	assert_ok(parse_endpoint("0.0.0.0:1", &addr));
	assert_int_equal(addr.in4.sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(addr.in4.sin_port, htons(1));

	assert_ok(parse_endpoint("255.255.255.255:65535", &addr));
	assert_int_equal(addr.in4.sin_addr.s_addr, htonl(INADDR_BROADCAST));
	assert_int_equal(addr.in4.sin_port, htons(65535));
}

static void test_endpoint_v6(void **state)
{
	union jvpn_sockaddr addr;
	struct in6_addr want;

	(void)state;
	memset(&addr, 0xa5, sizeof(addr));
	assert_ok(parse_endpoint("[2001:db8::1]:51820", &addr));
	assert_int_equal(addr.sa.sa_family, AF_INET6);
	assert_int_equal(addr.in6.sin6_port, htons(51820));
	assert_int_equal(addr.in6.sin6_scope_id, 0);
	assert_int_equal(addr.in6.sin6_flowinfo, 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &want), 1);
	assert_memory_equal(&addr.in6.sin6_addr, &want, sizeof(want));

	assert_ok(parse_endpoint("[::]:443", &addr));
	assert_memory_equal(&addr.in6.sin6_addr, &in6addr_any,
			    sizeof(in6addr_any));
	assert_int_equal(addr.in6.sin6_port, htons(443));

	/* a v4-mapped address is still an IPv6 endpoint */
	assert_ok(parse_endpoint("[::ffff:192.0.2.1]:80", &addr));
	assert_int_equal(addr.sa.sa_family, AF_INET6);
	assert_true(IN6_IS_ADDR_V4MAPPED(&addr.in6.sin6_addr));
}

static void test_endpoint_v6_scope(void **state)
{
	unsigned int lo = if_nametoindex("lo");
	union jvpn_sockaddr addr;
	struct in6_addr want;

	(void)state;
	if (!lo)
		skip(); /* a namespace without loopback: nothing to name */
	assert_ok(parse_endpoint("[fe80::1%lo]:51820", &addr));
	assert_int_equal(addr.sa.sa_family, AF_INET6);
	assert_int_equal(addr.in6.sin6_scope_id, lo);
	assert_int_equal(addr.in6.sin6_port, htons(51820));
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", &want), 1);
	assert_memory_equal(&addr.in6.sin6_addr, &want, sizeof(want));
}

static void test_endpoint_v6_unknown_scope(void **state)
{
	union jvpn_sockaddr addr;

	(void)state;
	assert_problem(parse_endpoint("[fe80::1%jvpnnosuchdev]:51820", &addr),
		       "unknown device");
	assert_problem(parse_endpoint("[fe80::1%]:51820", &addr),
		       "unknown device");
}

/* port 0 is a valid width: the kernel, not the tool, refuses it */
static void test_endpoint_port_zero_passed_on(void **state)
{
	union jvpn_sockaddr addr;

	(void)state;
	memset(&addr, 0xa5, sizeof(addr));
	assert_ok(parse_endpoint("192.0.2.1:0", &addr));
	assert_int_equal(addr.sa.sa_family, AF_INET);
	assert_int_equal(addr.in4.sin_port, 0);

	memset(&addr, 0xa5, sizeof(addr));
	assert_ok(parse_endpoint("[2001:db8::1]:0", &addr));
	assert_int_equal(addr.sa.sa_family, AF_INET6);
	assert_int_equal(addr.in6.sin6_port, 0);
}

static void test_endpoint_port_too_wide(void **state)
{
	union jvpn_sockaddr addr;

	(void)state;
	assert_problem(parse_endpoint("192.0.2.1:65536", &addr), "port");
	assert_problem(parse_endpoint("192.0.2.1:65536", &addr), "65535");
	assert_problem(parse_endpoint("[2001:db8::1]:65536", &addr), "port");
	assert_problem(parse_endpoint("192.0.2.1:99999999999999999999", &addr),
		       "port");
}

static void test_endpoint_bad_port(void **state)
{
	static const char *const bad[] = {
		"192.0.2.1:",	     "192.0.2.1:-1",	 "192.0.2.1:http",
		"192.0.2.1:80x",     "192.0.2.1: 80",	 "192.0.2.1:+80",
		"[2001:db8::1]:",    "[2001:db8::1]:-1", "[2001:db8::1]:80]",
		"[2001:db8::1]:8 0",
	};
	union jvpn_sockaddr addr;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_problem(parse_endpoint(bad[i], &addr), "port");
}

static void test_endpoint_missing_port(void **state)
{
	union jvpn_sockaddr addr;

	(void)state;
	assert_problem(parse_endpoint("192.0.2.1", &addr), "ADDR:PORT");
	assert_problem(parse_endpoint("[2001:db8::1]", &addr), ":PORT");
	assert_problem(parse_endpoint("[2001:db8::1]51820", &addr), ":PORT");
}

static void test_endpoint_missing_bracket(void **state)
{
	union jvpn_sockaddr addr;

	(void)state;
	assert_problem(parse_endpoint("[2001:db8::1:51820", &addr), "']'");
	assert_problem(parse_endpoint("[", &addr), "']'");
	/* no brackets at all: told how to write it */
	assert_problem(parse_endpoint("2001:db8::1:51820", &addr),
		       "[ADDR]:PORT");
	assert_problem(parse_endpoint("::1:80", &addr), "[ADDR]:PORT");
	assert_problem(parse_endpoint("2001:db8::1]:51820", &addr),
		       "[ADDR]:PORT");
}

static void test_endpoint_bad_address(void **state)
{
	static const char *const bad4[] = {
		"",
		":80",
		"garbage",
		"garbage:80",
		"192.0.2:80",
		"192.0.2.256:80",
		"192.0.2.1.5:80",
		" 192.0.2.1:80",
		"192.0.2.1 :80",
		"localhost:80",
		"111111111111111111111111111111111111111111:80",
	};
	static const char *const bad6[] = {
		"[]:80",	  "[garbage]:80",      "[2001:db8::1::2]:80",
		"[192.0.2.1]:80", "[ 2001:db8::1]:80", "[2001:db8::g]:80",
	};
	union jvpn_sockaddr addr;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad4); i++) {
		const char *problem = parse_endpoint(bad4[i], &addr);

		if (!problem)
			fail_msg("\"%s\" accepted", bad4[i]);
		/* "expected ADDR:PORT" for text with no ':' at all */
		if (!strstr(problem, "IPv4") && !strstr(problem, "ADDR:PORT"))
			fail_msg("\"%s\": \"%s\" names no address problem",
				 bad4[i], problem);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad6); i++)
		assert_problem(parse_endpoint(bad6[i], &addr), "IPv6");
}

/* Text longer than any address must be refused, not overflow a buffer. */
static void test_endpoint_too_long(void **state)
{
	char text[512];
	union jvpn_sockaddr addr;

	(void)state;
	snprintf(text, sizeof(text), "[%0300d]:80", 0);
	assert_problem(parse_endpoint(text, &addr), "IPv6");
	snprintf(text, sizeof(text), "[fe80::1%%%0300d]:80", 0);
	assert_problem(parse_endpoint(text, &addr), "too long");
	snprintf(text, sizeof(text), "%0300d:80", 0);
	assert_problem(parse_endpoint(text, &addr), "IPv4");
}

/* ---- parse_cidr --------------------------------------------------- */

static void check_cidr(const char *text, int family, const char *addr,
		       unsigned int prefix_len)
{
	struct jvpn_cidr cidr;
	uint8_t want[16] = { 0 };

	memset(&cidr, 0xa5, sizeof(cidr));
	assert_ok(parse_cidr(text, &cidr));
	assert_int_equal(cidr.family, family);
	assert_int_equal(cidr.prefix_len, prefix_len);
	assert_int_equal(inet_pton(family, addr, want), 1);
	/* all 16 bytes: a v4 address leaves the other 12 zero */
	assert_memory_equal(cidr.addr, want, sizeof(want));
}

static void test_cidr_v4(void **state)
{
	(void)state;
	check_cidr("10.0.0.0/24", AF_INET, "10.0.0.0", 24);
	check_cidr("0.0.0.0/0", AF_INET, "0.0.0.0", 0);
	check_cidr("192.0.2.7/32", AF_INET, "192.0.2.7", 32);
	/* a bare address is a host */
	check_cidr("192.0.2.7", AF_INET, "192.0.2.7", 32);
	/* host bits are the kernel's call: passed on as written */
	check_cidr("10.0.0.1/8", AF_INET, "10.0.0.1", 8);
}

static void test_cidr_v6(void **state)
{
	(void)state;
	check_cidr("fd00::/64", AF_INET6, "fd00::", 64);
	check_cidr("::/0", AF_INET6, "::", 0);
	check_cidr("2001:db8::1/128", AF_INET6, "2001:db8::1", 128);
	check_cidr("2001:db8::1", AF_INET6, "2001:db8::1", 128);
	check_cidr("::ffff:10.0.0.1/96", AF_INET6, "::ffff:10.0.0.1", 96);
	check_cidr("fd00::1/64", AF_INET6, "fd00::1", 64);
}

static void test_cidr_prefix_too_long(void **state)
{
	struct jvpn_cidr cidr;

	(void)state;
	assert_problem(parse_cidr("10.0.0.0/33", &cidr), "0..32");
	assert_problem(parse_cidr("10.0.0.0/128", &cidr), "0..32");
	assert_problem(parse_cidr("fd00::/129", &cidr), "0..128");
	assert_problem(parse_cidr("fd00::/256", &cidr), "0..128");
	assert_problem(parse_cidr("fd00::/99999999999999999999", &cidr),
		       "prefix length");
}

static void test_cidr_bad_prefix(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0/",	"10.0.0.0/-1",	 "10.0.0.0/24x",
		"10.0.0.0/ 24", "10.0.0.0/24/8", "10.0.0.0/255.255.255.0",
		"fd00::/",	"fd00::/sixty",
	};
	struct jvpn_cidr cidr;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_problem(parse_cidr(bad[i], &cidr), "prefix length");
}

static void test_cidr_bad_address(void **state)
{
	static const char *const bad[] = {
		"",
		"/24",
		"garbage",
		"garbage/24",
		"10.0.0/24",
		"10.0.0.256/24",
		"10.0.0.0.0/24",
		"fd00:::1/64",
		"fd00::g/64",
		"[fd00::]/64",
		"10.0.0.0:80/24",
		" 10.0.0.0/24",
		"fd00:0000:0000:0000:0000:0000:0000:0000:0000/64",
		"11111111111111111111111111111111111111111111111111111/8",
	};
	struct jvpn_cidr cidr;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_problem(parse_cidr(bad[i], &cidr), "address");
}

static void test_cidr_addr_len(void **state)
{
	struct jvpn_cidr cidr;

	(void)state;
	assert_ok(parse_cidr("10.0.0.0/8", &cidr));
	assert_int_equal(cidr_addr_len(&cidr), 4);
	assert_ok(parse_cidr("fd00::/8", &cidr));
	assert_int_equal(cidr_addr_len(&cidr), 16);

	cidr = (struct jvpn_cidr){ .family = AF_INET };
	assert_int_equal(cidr_addr_len(&cidr), 4);
	cidr = (struct jvpn_cidr){ .family = AF_INET6 };
	assert_int_equal(cidr_addr_len(&cidr), 16);
}

/* ---- parse_key ---------------------------------------------------- */

static const char key_lower[] = "000102030405060708090a0b0c0d0e0f"
				"f0e1d2c3b4a5968778695a4b3c2d1e0f";
static const char key_upper[] = "000102030405060708090A0B0C0D0E0F"
				"F0E1D2C3B4A5968778695A4B3C2D1E0F";
static const char key_mixed[] = "000102030405060708090a0B0c0D0e0F"
				"f0E1d2C3b4A5968778695a4B3c2D1e0F";
static const uint8_t key_bytes[JVPN_KEY_LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5,
	0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
};

static void test_key_exact(void **state)
{
	uint8_t key[JVPN_KEY_LEN];

	(void)state;
	assert_int_equal(strlen(key_lower), 2 * JVPN_KEY_LEN);

	memset(key, 0x55, sizeof(key));
	assert_ok(parse_key(key_lower, key));
	assert_memory_equal(key, key_bytes, sizeof(key));

	memset(key, 0x55, sizeof(key));
	assert_ok(parse_key(key_upper, key));
	assert_memory_equal(key, key_bytes, sizeof(key));

	memset(key, 0x55, sizeof(key));
	assert_ok(parse_key(key_mixed, key));
	assert_memory_equal(key, key_bytes, sizeof(key));
}

static void test_key_all_digits(void **state)
{
	uint8_t key[JVPN_KEY_LEN];
	uint8_t want[JVPN_KEY_LEN];

	(void)state;
	memset(want, 0xff, sizeof(want));
	assert_ok(parse_key("ffffffffffffffffffffffffffffffff"
			    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
			    key));
	assert_memory_equal(key, want, sizeof(want));

	memset(want, 0, sizeof(want));
	assert_ok(parse_key("00000000000000000000000000000000"
			    "00000000000000000000000000000000",
			    key));
	assert_memory_equal(key, want, sizeof(want));
}

static void test_key_wrong_length(void **state)
{
	char text[2 * JVPN_KEY_LEN + 2];
	uint8_t key[JVPN_KEY_LEN];

	(void)state;
	/* 63 digits */
	memcpy(text, key_lower, 2 * JVPN_KEY_LEN - 1);
	text[2 * JVPN_KEY_LEN - 1] = '\0';
	assert_problem(parse_key(text, key), "64 hex digits");
	/* 65 digits */
	memcpy(text, key_lower, 2 * JVPN_KEY_LEN);
	text[2 * JVPN_KEY_LEN] = '0';
	text[2 * JVPN_KEY_LEN + 1] = '\0';
	assert_problem(parse_key(text, key), "64 hex digits");

	assert_problem(parse_key("", key), "64 hex digits");
	assert_problem(parse_key("00", key), "64 hex digits");
	/* the 0x prefix is not part of a key */
	snprintf(text, sizeof(text), "0x%.62s", key_lower);
	assert_int_equal(strlen(text), 2 * JVPN_KEY_LEN);
	assert_problem(parse_key(text, key), "64 hex digits");
}

static void test_key_not_hex(void **state)
{
	static const size_t positions[] = { 0, 1, 31, 62, 63 };
	static const char bad_digits[] = { 'g', 'G', 'x', ' ', '-', ':' };
	char text[2 * JVPN_KEY_LEN + 1];
	uint8_t key[JVPN_KEY_LEN];

	(void)state;
	for (size_t p = 0; p < ARRAY_SIZE(positions); p++) {
		for (size_t d = 0; d < ARRAY_SIZE(bad_digits); d++) {
			const char *problem;

			memcpy(text, key_lower, sizeof(text));
			text[positions[p]] = bad_digits[d];
			problem = parse_key(text, key);
			if (!problem)
				fail_msg("'%c' at %zu accepted", bad_digits[d],
					 positions[p]);
			if (!strstr(problem, "hex digits"))
				fail_msg("'%c' at %zu: \"%s\"", bad_digits[d],
					 positions[p], problem);
		}
	}
}

/* ---- parse_seconds ------------------------------------------------ */

static void test_seconds_integer(void **state)
{
	int64_t ms = -1;

	(void)state;
	assert_ok(parse_seconds("0", &ms));
	assert_int_equal(ms, 0);
	assert_ok(parse_seconds("2", &ms));
	assert_int_equal(ms, 2000);
	assert_ok(parse_seconds("600", &ms));
	assert_int_equal(ms, 600000);
	/* a year is the limit, inclusive */
	assert_ok(parse_seconds("31536000", &ms));
	assert_int_equal(ms, 31536000000LL);
}

static void test_seconds_fraction(void **state)
{
	int64_t ms = -1;

	(void)state;
	assert_ok(parse_seconds("0.5", &ms));
	assert_int_equal(ms, 500);
	assert_ok(parse_seconds("1.25", &ms));
	assert_int_equal(ms, 1250);
	assert_ok(parse_seconds("0.001", &ms));
	assert_int_equal(ms, 1);
	assert_ok(parse_seconds("10.0", &ms));
	assert_int_equal(ms, 10000);
}

/* parse.c: rounded up, so a tiny timeout does not become no wait at all */
static void test_seconds_below_a_millisecond_rounds_up(void **state)
{
	int64_t ms = -1;

	(void)state;
	assert_ok(parse_seconds("0.0001", &ms));
	assert_int_equal(ms, 1);
	assert_ok(parse_seconds("0.0015", &ms));
	assert_int_equal(ms, 2);
	assert_ok(parse_seconds("0.0000001", &ms));
	assert_int_equal(ms, 1);
}

/*
 * Whole milliseconds written in decimal are exact: "2.007" is 2007 ms.
 * Through a double, 731 of the values 0.000..99.999 came out 1 ms long.
 */
static void test_seconds_whole_milliseconds_exact(void **state)
{
	char text[32];
	int64_t ms = -1;
	unsigned int wrong = 0;

	(void)state;
	for (int want = 0; want < 100000; want++) {
		snprintf(text, sizeof(text), "%d.%03d", want / 1000,
			 want % 1000);
		assert_ok(parse_seconds(text, &ms));
		if (ms != want && wrong++ < 5)
			print_message("\"%s\" -> %lld ms\n", text,
				      (long long)ms);
	}
	assert_int_equal(wrong, 0);
}

static void test_seconds_negative(void **state)
{
	int64_t ms = 7;

	(void)state;
	assert_problem(parse_seconds("-1", &ms), "expected seconds");
	assert_problem(parse_seconds("-0.5", &ms), "expected seconds");
	assert_problem(parse_seconds("-0", &ms), "expected seconds");
	assert_int_equal(ms, 7);
}

static void test_seconds_junk(void **state)
{
	static const char *const bad[] = {
		"",    "abc",	   "5s",    "5 ",    " 5",
		"+5",  ".5",	   "1.5.2", "1,5",   "inf",
		"nan", "infinity", "5ms",   "1e999", "0.5x",
	};
	int64_t ms = 7;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_problem(parse_seconds(bad[i], &ms), "expected seconds");
	assert_int_equal(ms, 7);
}

static void test_seconds_too_long(void **state)
{
	int64_t ms = 7;

	(void)state;
	assert_problem(parse_seconds("31536001", &ms), "year");
	assert_problem(parse_seconds("31536000.5", &ms), "year");
	assert_problem(parse_seconds("99999999999999999999", &ms), "year");
	assert_int_equal(ms, 7);
}

/* ---- parse_state / parse_reason ----------------------------------- */

static void test_state_names_round_trip(void **state)
{
	(void)state;
	for (unsigned int value = 0; value <= JVPN_STATE_MAX; value++) {
		const char *name = jvpn_state_name(value);
		uint8_t parsed = 0xee;

		if (!name)
			fail_msg("state %u has no name in names.c", value);
		assert_ok(parse_state(name, &parsed));
		assert_int_equal(parsed, value);
		assert_string_equal(jvpn_state_name(parsed), name);
	}
}

static void test_state_numbers_passed_on(void **state)
{
	uint8_t parsed = 0;

	(void)state;
	assert_ok(parse_state("0", &parsed));
	assert_int_equal(parsed, 0);
	assert_ok(parse_state("3", &parsed));
	assert_int_equal(parsed, 3);
	/* past the uapi: the kernel's call */
	assert_ok(parse_state("200", &parsed));
	assert_int_equal(parsed, 200);
	assert_ok(parse_state("255", &parsed));
	assert_int_equal(parsed, 255);
	assert_ok(parse_state("0x7f", &parsed));
	assert_int_equal(parsed, 0x7f);
}

static void test_state_refused(void **state)
{
	static const char *const bad[] = {
		"",	 "bogus", "active", "Active", "ACTIVE ",
		"admin", "256",	  "-1",	    "0x100",  "1.0",
	};
	uint8_t parsed = 0xee;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_problem(parse_state(bad[i], &parsed), "expected");
	assert_int_equal(parsed, 0xee);
}

/* The refusal lists every state name, so the user sees the choices. */
static void test_state_refusal_lists_names(void **state)
{
	uint8_t parsed;

	(void)state;
	for (unsigned int value = 0; value <= JVPN_STATE_MAX; value++)
		assert_problem(parse_state("bogus", &parsed),
			       jvpn_state_name(value));
	assert_problem(parse_state("bogus", &parsed), "0..255");
}

static void test_reason_names_round_trip(void **state)
{
	(void)state;
	for (unsigned int value = 0; value <= JVPN_DEL_REASON_MAX; value++) {
		const char *name = jvpn_del_reason_name(value);
		uint32_t parsed = 0xeeeeeeee;

		if (!name)
			fail_msg("reason %u has no name in names.c", value);
		assert_ok(parse_reason(name, &parsed));
		assert_int_equal(parsed, value);
		assert_string_equal(jvpn_del_reason_name(parsed), name);
	}
}

static void test_reason_numbers_passed_on(void **state)
{
	uint32_t parsed = 0;

	(void)state;
	assert_ok(parse_reason("0", &parsed));
	assert_int_equal(parsed, 0);
	assert_ok(parse_reason("1", &parsed));
	assert_int_equal(parsed, 1);
	assert_ok(parse_reason("1000", &parsed));
	assert_int_equal(parsed, 1000);
	assert_ok(parse_reason("4294967295", &parsed));
	assert_int_equal(parsed, UINT32_MAX);
	assert_ok(parse_reason("0xffffffff", &parsed));
	assert_int_equal(parsed, UINT32_MAX);
}

static void test_reason_refused(void **state)
{
	static const char *const bad[] = {
		"",	  "bogus",	"ADMIN",       "device_gone", "admin ",
		"active", "4294967296", "0x100000000", "-1",	      "1.0",
	};
	uint32_t parsed = 0xeeeeeeee;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_problem(parse_reason(bad[i], &parsed), "expected");
	assert_int_equal(parsed, 0xeeeeeeee);
}

/* Every name a user would give; "unspec" (0) is left to "a number". */
static void test_reason_refusal_lists_names(void **state)
{
	uint32_t parsed;

	(void)state;
	for (unsigned int value = 1; value <= JVPN_DEL_REASON_MAX; value++)
		assert_problem(parse_reason("bogus", &parsed),
			       jvpn_del_reason_name(value));
	assert_problem(parse_reason("bogus", &parsed), "number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_decimal),
		cmocka_unit_test(test_u64_hex),
		cmocka_unit_test(test_u64_max_bound),
		cmocka_unit_test(test_u64_overflow),
		cmocka_unit_test(test_u64_not_a_number),
		cmocka_unit_test(test_endpoint_v4),
		cmocka_unit_test(test_endpoint_v6),
		cmocka_unit_test(test_endpoint_v6_scope),
		cmocka_unit_test(test_endpoint_v6_unknown_scope),
		cmocka_unit_test(test_endpoint_port_zero_passed_on),
		cmocka_unit_test(test_endpoint_port_too_wide),
		cmocka_unit_test(test_endpoint_bad_port),
		cmocka_unit_test(test_endpoint_missing_port),
		cmocka_unit_test(test_endpoint_missing_bracket),
		cmocka_unit_test(test_endpoint_bad_address),
		cmocka_unit_test(test_endpoint_too_long),
		cmocka_unit_test(test_cidr_v4),
		cmocka_unit_test(test_cidr_v6),
		cmocka_unit_test(test_cidr_prefix_too_long),
		cmocka_unit_test(test_cidr_bad_prefix),
		cmocka_unit_test(test_cidr_bad_address),
		cmocka_unit_test(test_cidr_addr_len),
		cmocka_unit_test(test_key_exact),
		cmocka_unit_test(test_key_all_digits),
		cmocka_unit_test(test_key_wrong_length),
		cmocka_unit_test(test_key_not_hex),
		cmocka_unit_test(test_seconds_integer),
		cmocka_unit_test(test_seconds_fraction),
		cmocka_unit_test(test_seconds_below_a_millisecond_rounds_up),
		cmocka_unit_test(test_seconds_whole_milliseconds_exact),
		cmocka_unit_test(test_seconds_negative),
		cmocka_unit_test(test_seconds_junk),
		cmocka_unit_test(test_seconds_too_long),
		cmocka_unit_test(test_state_names_round_trip),
		cmocka_unit_test(test_state_numbers_passed_on),
		cmocka_unit_test(test_state_refused),
		cmocka_unit_test(test_state_refusal_lists_names),
		cmocka_unit_test(test_reason_names_round_trip),
		cmocka_unit_test(test_reason_numbers_passed_on),
		cmocka_unit_test(test_reason_refused),
		cmocka_unit_test(test_reason_refusal_lists_names),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
