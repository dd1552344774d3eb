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

/*
 * A STALE_VERSION reject is a resync, not a failed attempt (the hold-up
 * SPIN found, docs/reattach.md "The model"): the request goes again at
 * once, the attempt count does not move, and the next retry waits its
 * whole backoff after the resync. Bounded: RETRY_RESYNCS_MAX per
 * failover, then a resync waits for the next attempt.
 */
static void test_stale_version_resync(void **state)
{
	struct retry r;
	uint64_t t1, t2;
	uint32_t k;

	(void)state;
	retry_reset(&r);
	t1 = next_send(&r, T0, NO_JITTER);
	/* the schedule plans attempt 2 while it waits */
	assert_int_equal(retry_due(&r, &BP, t1 + 5, NO_JITTER), RETRY_WAIT);
	k = retry_attempts(&r);
	retry_resync(&r);
	assert_int_equal(retry_due(&r, &BP, t1 + 10, NO_JITTER), RETRY_RESYNC);
	retry_sent(&r, t1 + 10);
	assert_int_equal(retry_attempts(&r), k);
	/* the retry after it waits the first backoff from the resync */
	assert_int_equal(retry_due(&r, &BP, t1 + 300, NO_JITTER), RETRY_WAIT);
	t2 = next_send(&r, t1 + 10, NO_JITTER);
	assert_true(t2 >= t1 + 10 + 299 && t2 <= t1 + 10 + 300);
	/* the cap: after RETRY_RESYNCS_MAX, no resync goes at once */
	for (int i = 1; i < RETRY_RESYNCS_MAX; i++) {
		retry_resync(&r);
		assert_int_equal(retry_due(&r, &BP, t2 + 1, NO_JITTER),
				 RETRY_RESYNC);
		retry_sent(&r, t2 + 1);
	}
	retry_resync(&r);
	assert_int_not_equal(retry_due(&r, &BP, t2 + 2, NO_JITTER),
			     RETRY_RESYNC);
	/* a new failover may resync again */
	retry_reset(&r);
	retry_resync(&r);
	assert_int_equal(retry_due(&r, &BP, T0, NO_JITTER), RETRY_RESYNC);
}

/* With the last attempt made, a resync still has its whole challenge
 * window to be answered before the client gives up. */
static void test_resync_after_last_attempt(void **state)
{
	const struct limiter_backoff_policy one = {
		.first_ms = 300,
		.max_ms = 300,
		.max_attempts = 1,
	};
	struct retry r;

	(void)state;
	retry_reset(&r);
	assert_int_equal(retry_due(&r, &one, T0, NO_JITTER), RETRY_NOW);
	retry_sent(&r, T0);
	retry_resync(&r);
	assert_int_equal(retry_due(&r, &one, T0 + 1500, NO_JITTER),
			 RETRY_RESYNC);
	retry_sent(&r, T0 + 1500);
	assert_int_equal(retry_attempts(&r), 1);
	assert_int_equal(retry_due(&r, &one,
				   T0 + 1500 + REATTACH_CHALLENGE_WINDOW_MS - 1,
				   NO_JITTER),
			 RETRY_WAIT);
	assert_int_equal(retry_due(&r, &one,
				   T0 + 1500 + REATTACH_CHALLENGE_WINDOW_MS,
				   NO_JITTER),
			 RETRY_GIVE_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_schedule),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_stale_version_resync),
		cmocka_unit_test(test_resync_after_last_attempt),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("retry", tests, NULL, NULL);
}
