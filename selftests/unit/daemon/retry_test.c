// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/retry.c, the client's reattach schedule
 * (issue 10, "the client terminates itself"): the documented backoff,
 * the gateway's retry_after_ms, at most max_reattach_attempts, and giving
 * up only after the last attempt's challenge window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "reattach.h"
#include "retry.h"

#define T0 100000
/* the top of the jitter range: the whole wait */
#define NO_JITTER UINT32_MAX

static const struct limiter_backoff_policy BP = {
	.first_ms = 300,
	.max_ms = 1000,
	.max_attempts = 4,
};

/* Steps the clock 1 ms at a time to the next RETRY_NOW; its time. */
static uint64_t next_send(struct retry *r, uint64_t from, uint32_t random)
{
	for (uint64_t t = from; t < from + 100000; t++) {
		enum retry_step st = retry_due(r, &BP, t, random);

		assert_int_not_equal(st, RETRY_GIVE_UP);
		if (st == RETRY_NOW) {
			retry_sent(r, t);
			return t;
		}
	}
	fail_msg("no attempt within 100 s");
	return 0;
}

static void test_backoff_schedule(void **state)
{
	struct retry r;
	uint64_t t1, t2, t3, t4;

	(void)state;
	retry_reset(&r);
	t1 = next_send(&r, T0, NO_JITTER);
	assert_int_equal(t1, T0); /* the first at once */
	t2 = next_send(&r, t1, NO_JITTER);
	t3 = next_send(&r, t2, NO_JITTER);
	t4 = next_send(&r, t3, NO_JITTER);
	/* first x 2^(k-2): 300, 600, then capped at 1000 */
	assert_true(t2 - t1 >= 299 && t2 - t1 <= 300);
	assert_true(t3 - t2 >= 599 && t3 - t2 <= 600);
	assert_true(t4 - t3 >= 999 && t4 - t3 <= 1000);
	assert_int_equal(retry_attempts(&r), 4);
	/* every attempt made: wait out the last one's window, then give up */
	assert_int_equal(retry_due(&r, &BP, t4 + 1, NO_JITTER), RETRY_WAIT);
	assert_int_equal(retry_due(&r, &BP,
				   t4 + REATTACH_CHALLENGE_WINDOW_MS - 1,
				   NO_JITTER),
			 RETRY_WAIT);
	assert_int_equal(retry_due(&r, &BP, t4 + REATTACH_CHALLENGE_WINDOW_MS,
				   NO_JITTER),
			 RETRY_GIVE_UP);
}

/* The jitter spreads a wait over [wait/2, wait], never shorter. */
static void test_jitter(void **state)
{
	struct retry r;
	uint64_t t1, t2;

	(void)state;
	retry_reset(&r);
	t1 = next_send(&r, T0, 0);
	t2 = next_send(&r, t1, 0);
	assert_int_equal(t2 - t1, 150);
}

/* A REJECT's retry_after_ms holds the next attempt back even when the
 * backoff alone would send it sooner. */
static void test_retry_after(void **state)
{
	struct retry r;
	uint64_t t1, t2;

	(void)state;
	retry_reset(&r);
	t1 = next_send(&r, T0, NO_JITTER);
	retry_not_before(&r, t1 + 10, 2500);
	t2 = next_send(&r, t1, NO_JITTER);
	assert_int_equal(t2, t1 + 10 + 2500);
}

/* After a reset (the session ACTIVE again) the count starts over. */
static void test_reset(void **state)
{
	struct retry r;
	uint64_t t;

	(void)state;
	retry_reset(&r);
	t = next_send(&r, T0, NO_JITTER);
	t = next_send(&r, t, NO_JITTER);
	t = next_send(&r, t, NO_JITTER);
	assert_int_equal(retry_attempts(&r), 3);
	retry_reset(&r);
	assert_int_equal(retry_attempts(&r), 0);
	assert_int_equal(retry_due(&r, &BP, t + 1, NO_JITTER), RETRY_NOW);
}

/* The profile's backoff: probe interval first, the transport-loss TTL
 * spread over the attempts as the cap. */
static void test_policy(void **state)
{
	struct limiter_backoff_policy bp;
	const struct policy *mobile = policy_builtin("mobile");
	const struct policy *dc = policy_builtin("datacenter");

	(void)state;
	retry_policy(mobile, &bp);
	assert_int_equal(bp.first_ms, 300);
	assert_int_equal(bp.max_ms, 12000);
	assert_int_equal(bp.max_attempts, 10);
	assert_true(limiter_backoff_policy_valid(&bp));
	retry_policy(dc, &bp);
	assert_int_equal(bp.first_ms, 1000);
	assert_int_equal(bp.max_ms, 6000);
	assert_int_equal(bp.max_attempts, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_schedule),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_policy),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("retry", tests, NULL, NULL);
}
