// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kernel/queue.h: which packets a session's receive
 * queues take as they fill.
 */
#include <kunit/test.h>
#include "queue.h"

#define LIMIT	1024

/* Below three quarters every packet joins; at the limit none does. */
static void queue_any_until_three_quarters(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, jvpn_queue_admits(0, LIMIT, 1500));
	KUNIT_EXPECT_TRUE(test, jvpn_queue_admits(767, LIMIT, 1500));
	KUNIT_EXPECT_TRUE(test, jvpn_queue_admits(767, LIMIT, 64));
	KUNIT_EXPECT_FALSE(test, jvpn_queue_admits(LIMIT, LIMIT, 64));
	KUNIT_EXPECT_FALSE(test, jvpn_queue_admits(LIMIT + 5, LIMIT, 1));
}

/* The last quarter: small packets only, up to the last free slot. */
static void queue_last_quarter_small_only(struct kunit *test)
{
	unsigned int q;

	for (q = 768; q < LIMIT; q++) {
		KUNIT_EXPECT_FALSE_MSG(test, jvpn_queue_admits(q, LIMIT, 1500),
				       "bulk at %u", q);
		KUNIT_EXPECT_FALSE_MSG(test,
				       jvpn_queue_admits(q, LIMIT,
							 JVPN_SMALL_PACKET + 1),
				       "one byte over at %u", q);
		KUNIT_EXPECT_TRUE_MSG(test,
				      jvpn_queue_admits(q, LIMIT,
							JVPN_SMALL_PACKET),
				      "small at %u", q);
	}
}

static struct kunit_case queue_cases[] = {
	KUNIT_CASE(queue_any_until_three_quarters),
	KUNIT_CASE(queue_last_quarter_small_only),
	{}
};

static struct kunit_suite queue_suite = {
	.name = "jvpn_queue",
	.test_cases = queue_cases,
};

kunit_test_suite(queue_suite);

MODULE_LICENSE("GPL");
