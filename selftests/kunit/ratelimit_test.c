// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kernel/ratelimit.c: the token bucket with an explicit
 * clock, driven here by hand.
 */
#include <kunit/test.h>
#include <linux/time64.h>
#include "constants.h"
#include "ratelimit.h"

#define T0	(1000ULL * NSEC_PER_SEC)	/* any start far from zero */

/* Calls allow() @n times at @now; returns how many were allowed. */
static unsigned int allow_n(struct jvpn_rate *r, u64 now, unsigned int n)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += jvpn_rate_allow(r, now);
	return ok;
}

static void rate_burst_then_refuse(struct kunit *test)
{
	struct jvpn_rate r;
	unsigned int i;

	jvpn_rate_init(&r, 10, 4, T0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE_MSG(test, jvpn_rate_allow(&r, T0),
				      "event %u of the burst", i);
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0));
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0));
}

static void rate_stray_event_constants(struct kunit *test)
{
	const u64 step = NSEC_PER_SEC / 100;
	unsigned int ok = 0, i;
	struct jvpn_rate r;

	jvpn_rate_init(&r, JVPN_STRAY_EVENT_PER_SEC, JVPN_STRAY_EVENT_BURST, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0, 100), JVPN_STRAY_EVENT_BURST);
	/* a flood over the next second: per_sec more, no more */
	for (i = 1; i <= 100; i++)
		ok += allow_n(&r, T0 + i * step, 10);
	KUNIT_EXPECT_EQ(test, ok, JVPN_STRAY_EVENT_PER_SEC);
}

static void rate_refill_one_interval(struct kunit *test)
{
	const u64 interval = NSEC_PER_SEC / 10;
	struct jvpn_rate r;

	jvpn_rate_init(&r, 10, 4, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0, 10), 4U);
	/* one nanosecond short of an interval: still nothing */
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + interval - 1));
	/* exactly one interval after the burst: exactly one more */
	KUNIT_EXPECT_TRUE(test, jvpn_rate_allow(&r, T0 + interval));
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + interval));
	/* the nanosecond spent waiting above was not lost */
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + 2 * interval - 1));
	KUNIT_EXPECT_TRUE(test, jvpn_rate_allow(&r, T0 + 2 * interval));
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + 2 * interval));
	/* two and a half intervals: two */
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0 + 4 * interval + interval / 2,
				      10), 2U);
}

static void rate_refill_capped_at_burst(struct kunit *test)
{
	struct jvpn_rate r;

	jvpn_rate_init(&r, 10, 4, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0, 10), 4U);
	/* an hour idle earns a burst, not 36000 events */
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0 + 3600 * NSEC_PER_SEC, 100), 4U);
	/* idle from the start: the initial credit is the burst, too */
	jvpn_rate_init(&r, 10, 4, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0 + 3600 * NSEC_PER_SEC, 100), 4U);
	/* a century idle (no overflow of the credit on the way) */
	jvpn_rate_init(&r, 10, 4, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0 + 100ULL * 365 * 24 * 3600 *
				      NSEC_PER_SEC, 100), 4U);
}

static void rate_clock_backwards(struct kunit *test)
{
	const u64 interval = NSEC_PER_SEC / 10;
	struct jvpn_rate r;

	jvpn_rate_init(&r, 10, 4, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0, 10), 4U);
	/* back by ten seconds: nothing granted */
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 - 10 * NSEC_PER_SEC));
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, 0));
	/*
	 * Forward again: the credit is measured from the latest time seen
	 * (T0), not from the earlier readings, so one interval after T0
	 * gives exactly one event.
	 */
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + interval - 1));
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0 + interval, 10), 1U);
	/* backwards in the middle of a refill takes nothing away either */
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0));
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0 + 2 * interval, 10), 1U);
}

static void rate_zero_per_sec_is_one(struct kunit *test)
{
	struct jvpn_rate r;

	jvpn_rate_init(&r, 0, 2, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0, 10), 2U);
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + NSEC_PER_SEC - 1));
	KUNIT_EXPECT_TRUE(test, jvpn_rate_allow(&r, T0 + NSEC_PER_SEC));
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + NSEC_PER_SEC));
}

static void rate_zero_burst_is_one(struct kunit *test)
{
	const u64 interval = NSEC_PER_SEC / 5;
	struct jvpn_rate r;

	jvpn_rate_init(&r, 5, 0, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0, 10), 1U);
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + interval - 1));
	KUNIT_EXPECT_TRUE(test, jvpn_rate_allow(&r, T0 + interval));
	/* a long idle still earns just the one */
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0 + 60 * NSEC_PER_SEC, 10), 1U);
}

static void rate_zero_both(struct kunit *test)
{
	struct jvpn_rate r;

	jvpn_rate_init(&r, 0, 0, T0);
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0, 10), 1U);
	KUNIT_EXPECT_FALSE(test, jvpn_rate_allow(&r, T0 + NSEC_PER_SEC - 1));
	KUNIT_EXPECT_EQ(test, allow_n(&r, T0 + NSEC_PER_SEC, 10), 1U);
}

/* Over a long steady flood, the rate converges on per_sec. */
static void rate_long_run(struct kunit *test)
{
	const u64 step = NSEC_PER_SEC / 1000;	/* an attempt every ms */
	unsigned int ok = 0, i;
	struct jvpn_rate r;

	jvpn_rate_init(&r, 10, 4, T0);
	for (i = 0; i < 10 * 1000; i++)	/* ten seconds */
		ok += jvpn_rate_allow(&r, T0 + i * step);
	/* the burst, then one per 100 ms over 9.999 s */
	KUNIT_EXPECT_EQ(test, ok, 4U + 99U);
}

static struct kunit_case jvpn_ratelimit_cases[] = {
	KUNIT_CASE(rate_burst_then_refuse),
	KUNIT_CASE(rate_stray_event_constants),
	KUNIT_CASE(rate_refill_one_interval),
	KUNIT_CASE(rate_refill_capped_at_burst),
	KUNIT_CASE(rate_clock_backwards),
	KUNIT_CASE(rate_zero_per_sec_is_one),
	KUNIT_CASE(rate_zero_burst_is_one),
	KUNIT_CASE(rate_zero_both),
	KUNIT_CASE(rate_long_run),
	{}
};

static struct kunit_suite jvpn_ratelimit_suite = {
	.name = "jvpn_ratelimit",
	.test_cases = jvpn_ratelimit_cases,
};
kunit_test_suite(jvpn_ratelimit_suite);

MODULE_LICENSE("GPL");
