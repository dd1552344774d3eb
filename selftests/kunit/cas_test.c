// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kernel/cas.c: the state_version compare-and-swap and the
 * minimum interval between transport switches.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/time64.h>
#include "cas.h"

#define MS	NSEC_PER_MSEC

static void cas_ok(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 5, .next = 6 };

	KUNIT_EXPECT_EQ(test, jvpn_cas_check(5, &req), JVPN_CAS_OK);
	req.next = U64_MAX;	/* any greater version will do */
	KUNIT_EXPECT_EQ(test, jvpn_cas_check(5, &req), JVPN_CAS_OK);
	req.expected = 0;
	req.next = 1;
	KUNIT_EXPECT_EQ(test, jvpn_cas_check(0, &req), JVPN_CAS_OK);
}

static void cas_stale(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 4, .next = 6 };

	KUNIT_EXPECT_EQ(test, jvpn_cas_check(5, &req), JVPN_CAS_STALE);
	req.expected = 6;	/* a view from the future is stale too */
	req.next = 7;
	KUNIT_EXPECT_EQ(test, jvpn_cas_check(5, &req), JVPN_CAS_STALE);
}

static void cas_not_monotonic(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 5, .next = 5 };

	KUNIT_EXPECT_EQ(test, jvpn_cas_check(5, &req), JVPN_CAS_NOT_MONOTONIC);
	req.next = 4;
	KUNIT_EXPECT_EQ(test, jvpn_cas_check(5, &req), JVPN_CAS_NOT_MONOTONIC);
	req.next = 0;
	KUNIT_EXPECT_EQ(test, jvpn_cas_check(5, &req), JVPN_CAS_NOT_MONOTONIC);
	req.expected = U64_MAX;	/* nothing is greater than U64_MAX */
	req.next = U64_MAX;
	KUNIT_EXPECT_EQ(test, jvpn_cas_check(U64_MAX, &req),
			JVPN_CAS_NOT_MONOTONIC);
}

/* Staleness is reported even when next is not greater either. */
static void cas_stale_before_monotonic(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 3, .next = 2 };

	KUNIT_EXPECT_EQ(test, jvpn_cas_check(5, &req), JVPN_CAS_STALE);
}

static void switch_ok_after_interval(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 1, .next = 2 };

	KUNIT_EXPECT_EQ(test, jvpn_switch_check(1, &req, 1000 * MS, 1200 * MS,
						100 * MS), JVPN_CAS_OK);
}

static void switch_too_soon(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 1, .next = 2 };

	KUNIT_EXPECT_EQ(test, jvpn_switch_check(1, &req, 1000 * MS, 1050 * MS,
						100 * MS), JVPN_CAS_TOO_SOON);
	/* the same instant as the last switch */
	KUNIT_EXPECT_EQ(test, jvpn_switch_check(1, &req, 1000 * MS, 1000 * MS,
						100 * MS), JVPN_CAS_TOO_SOON);
	/* a clock before the last switch is inside the interval as well */
	KUNIT_EXPECT_EQ(test, jvpn_switch_check(1, &req, 1000 * MS, 900 * MS,
						100 * MS), JVPN_CAS_TOO_SOON);
}

static void switch_interval_boundary(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 7, .next = 8 };
	u64 last = 5 * NSEC_PER_SEC, min = 100 * MS;

	KUNIT_EXPECT_EQ(test, jvpn_switch_check(7, &req, last, last + min - 1,
						min), JVPN_CAS_TOO_SOON);
	KUNIT_EXPECT_EQ(test, jvpn_switch_check(7, &req, last, last + min, min),
			JVPN_CAS_OK);
	KUNIT_EXPECT_EQ(test, jvpn_switch_check(7, &req, last, last + min + 1,
						min), JVPN_CAS_OK);
}

static void switch_never_switched(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 0, .next = 1 };

	/* last_switch_ns == 0: no interval applies, even at time 0 */
	KUNIT_EXPECT_EQ(test, jvpn_switch_check(0, &req, 0, 0, 100 * MS),
			JVPN_CAS_OK);
	KUNIT_EXPECT_EQ(test, jvpn_switch_check(0, &req, 0, 1, 3600ULL *
						NSEC_PER_SEC), JVPN_CAS_OK);
}

static void switch_zero_interval(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 1, .next = 2 };

	KUNIT_EXPECT_EQ(test, jvpn_switch_check(1, &req, 1000 * MS, 1000 * MS,
						0), JVPN_CAS_OK);
}

/* A caller with an old view learns that first, whatever the clock says. */
static void switch_stale_before_interval(struct kunit *test)
{
	struct jvpn_cas_request req = { .expected = 1, .next = 3 };

	KUNIT_EXPECT_EQ(test, jvpn_switch_check(2, &req, 1000 * MS, 1001 * MS,
						100 * MS), JVPN_CAS_STALE);
	req.expected = 2;
	req.next = 2;
	KUNIT_EXPECT_EQ(test, jvpn_switch_check(2, &req, 1000 * MS, 1001 * MS,
						100 * MS),
			JVPN_CAS_NOT_MONOTONIC);
	/* and outside the interval the CAS verdict stands alone */
	KUNIT_EXPECT_EQ(test, jvpn_switch_check(2, &req, 1000 * MS, 2000 * MS,
						100 * MS),
			JVPN_CAS_NOT_MONOTONIC);
}

static void cas_errno_mapping(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, jvpn_cas_errno(JVPN_CAS_OK), 0);
	KUNIT_EXPECT_EQ(test, jvpn_cas_errno(JVPN_CAS_STALE), -ESTALE);
	KUNIT_EXPECT_EQ(test, jvpn_cas_errno(JVPN_CAS_NOT_MONOTONIC), -EINVAL);
	KUNIT_EXPECT_EQ(test, jvpn_cas_errno(JVPN_CAS_TOO_SOON), -EBUSY);
	/* an out-of-range verdict must still be an error, never 0 */
	KUNIT_EXPECT_LT(test, jvpn_cas_errno((enum jvpn_cas_verdict)42), 0);
}

static struct kunit_case jvpn_cas_cases[] = {
	KUNIT_CASE(cas_ok),
	KUNIT_CASE(cas_stale),
	KUNIT_CASE(cas_not_monotonic),
	KUNIT_CASE(cas_stale_before_monotonic),
	KUNIT_CASE(switch_ok_after_interval),
	KUNIT_CASE(switch_too_soon),
	KUNIT_CASE(switch_interval_boundary),
	KUNIT_CASE(switch_never_switched),
	KUNIT_CASE(switch_zero_interval),
	KUNIT_CASE(switch_stale_before_interval),
	KUNIT_CASE(cas_errno_mapping),
	{}
};

static struct kunit_suite jvpn_cas_suite = {
	.name = "jvpn_cas",
	.test_cases = jvpn_cas_cases,
};
kunit_test_suite(jvpn_cas_suite);

MODULE_LICENSE("GPL");
