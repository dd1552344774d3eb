// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/hsadmit.c: the gateway's handshake budget.
 * Below half the global burst unproven senders get cookies and spend
 * nothing; proven ones still get the rest; a spoofed flood from more
 * sources than the table holds never spends more than the refill rate;
 * each source has its own bucket, apart from the reattach one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "hsadmit.h"

#define T0 1000u

static const uint8_t HASH_KEY[LIMITER_HASH_KEY_LEN] = { 7 };
static const struct hsadmit_policy POLICY = {
	.global = { .per_second = 100, .burst = 200 },
	.per_source = { .per_second = 10, .burst = 20 },
};

static struct hsadmit adm;

static int setup(void **state)
{
	(void)state;
	assert_true(hsadmit_init(&adm, 64, HASH_KEY, &POLICY, T0));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hsadmit_free(&adm);
	return 0;
}

static enum hsadmit_verdict from(uint32_t source, bool proven, uint64_t now)
{
	uint8_t key[4];

	memcpy(key, &source, sizeof(key));
	return hsadmit_judge(&adm, &POLICY, key, sizeof(key), proven, now);
}

/* Half the burst for anyone, then cookies; the proven get the rest. */
static void test_under_load_cookies(void **state)
{
	unsigned int accepted = 0;

	(void)state;
	for (uint32_t i = 0; i < 1000; i++)
		accepted += from(i, false, T0) == HSADMIT_ACCEPT;
	/* 200 down to 100 still holds half: 101 */
	assert_int_equal(accepted, 101);
	assert_int_equal(from(5000, false, T0), HSADMIT_COOKIE);
	assert_int_equal(adm.counts[HSADMIT_COOKIE], 900);
	/* cookies spend nothing: the other half is still there */
	accepted = 0;
	for (uint32_t i = 0; i < 1000; i++)
		accepted += from(10000 + i, true, T0) == HSADMIT_ACCEPT;
	assert_int_equal(accepted, 99);
	assert_int_equal(from(20000, true, T0), HSADMIT_BUSY);
	/* 100/s refill: 10 ms later, one more for a proven sender */
	assert_int_equal(from(20001, true, T0 + 10), HSADMIT_ACCEPT);
	assert_int_equal(from(20002, false, T0 + 10), HSADMIT_COOKIE);
}

/* A spoofed flood from 100000 sources for 10 s (table of 64) spends at
 * most the refill rate plus half the burst on Diffie-Hellman. */
static void test_spoofed_flood_bounded(void **state)
{
	unsigned int accepted = 0;
	uint64_t now = T0;

	(void)state;
	for (uint32_t i = 0; i < 100000; i++) {
		now = T0 + i / 10; /* 10 per ms: 10k/s */
		accepted += from(i, false, now) == HSADMIT_ACCEPT;
	}
	/* 10 s at 100/s, and the first half burst */
	assert_in_range(accepted, 1000, 101 + 1000);
	/* a genuine client that proves its address still gets in */
	assert_int_equal(from(0xfffffff0, true, now), HSADMIT_ACCEPT);
}

static void test_per_source_bucket(void **state)
{
	(void)state;
	for (int i = 0; i < 20; i++)
		assert_int_equal(from(1, true, T0), HSADMIT_ACCEPT);
	assert_int_equal(from(1, true, T0), HSADMIT_SOURCE_LIMITED);
	/* others are not affected */
	assert_int_equal(from(2, true, T0), HSADMIT_ACCEPT);
	assert_int_equal(from(1, true, T0 + 100), HSADMIT_ACCEPT); /* 10/s */
}

/* A refused INIT from a source over its rate spends no global token. */
static void test_source_limit_spends_no_global(void **state)
{
	uint64_t before;

	(void)state;
	for (int i = 0; i < 20; i++)
		from(1, true, T0);
	before = adm.global.credit;
	for (int i = 0; i < 100; i++)
		assert_int_equal(from(1, true, T0), HSADMIT_SOURCE_LIMITED);
	assert_int_equal(adm.global.credit, before);
}

static void test_bad_arguments(void **state)
{
	struct hsadmit_policy bad = POLICY;
	uint8_t key[4] = { 1 };

	(void)state;
	bad.global.burst = 0;
	assert_int_equal(hsadmit_judge(&adm, &bad, key, 4, true, T0),
			 HSADMIT_BUSY);
	assert_int_equal(hsadmit_judge(NULL, &POLICY, key, 4, true, T0),
			 HSADMIT_BUSY);
	/* a key the table cannot hold: refused, never admitted */
	assert_int_equal(hsadmit_judge(&adm, &POLICY, key, 0, true, T0),
			 HSADMIT_SOURCE_LIMITED);
	assert_string_equal(hsadmit_verdict_name(HSADMIT_COOKIE), "cookie");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_under_load_cookies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_spoofed_flood_bounded,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_source_bucket, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_source_limit_spends_no_global, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
						teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("hsadmit", tests, NULL, NULL);
}
