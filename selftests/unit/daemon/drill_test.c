// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/drill.c, the failover drill's rules (issue
 * 15, "under policy limits"): a drill never starts on a production
 * session, never spends the last switch of the minute nor the one that
 * would make the session DEGRADED, waits out the cooldown, and gives up
 * after its requests or its answer window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "drill.h"

static const struct drill_budget FREE = {
	.drill_peer = true,
	.active = true,
	.other_path = true,
	.cooldown_left_ms = 0,
	.switches_minute = 0,
	.max_per_minute = 10,
	.switches_recovery = 0,
	.degraded_after = 3,
};

static void expect_refusal(const struct drill_budget *b, const char *words)
{
	struct drill d = { 0 };
	char why[DRILL_WHY_MAX] = "";

	assert_true(drill_refused(&d, b, why, sizeof(why)));
	if (!strstr(why, words))
		fail_msg("refusal \"%s\" does not say \"%s\"", why, words);
}

static void test_free_budget_starts(void **state)
{
	struct drill d = { 0 };
	char why[DRILL_WHY_MAX] = "";

	(void)state;
	assert_false(drill_refused(&d, &FREE, why, sizeof(why)));
}

static void test_production_session_refused(void **state)
{
	struct drill_budget b = FREE;

	(void)state;
	b.drill_peer = false;
	expect_refusal(&b, "production sessions are never drilled");
	/* whatever else holds: the peer is checked first */
	b.active = false;
	expect_refusal(&b, "not a drill peer");
}

static void test_unhealthy_or_single_path_refused(void **state)
{
	struct drill_budget b = FREE;

	(void)state;
	b.active = false;
	expect_refusal(&b, "not ACTIVE");
	b = FREE;
	b.other_path = false;
	expect_refusal(&b, "needs two");
}

static void test_limits_refused(void **state)
{
	struct drill_budget b = FREE;

	(void)state;
	b.cooldown_left_ms = 420;
	expect_refusal(&b, "cooldown: 420 ms left");
	/* 8 of 10 used: the drill would take the 9th, one stays: allowed */
	b = FREE;
	b.switches_minute = 8;
	{
		struct drill d = { 0 };
		char why[DRILL_WHY_MAX];

		assert_false(drill_refused(&d, &b, why, sizeof(why)));
	}
	/* 9 of 10: the drill would take the last one */
	b.switches_minute = 9;
	expect_refusal(&b, "9 of 10 switches");
	/* a limit of 1 can never afford a drill */
	b = FREE;
	b.max_per_minute = 1;
	expect_refusal(&b, "0 of 1 switches");
	/* 2 switches in the window, DEGRADED after 3: the drill's would be
	 * the third */
	b = FREE;
	b.switches_recovery = 2;
	expect_refusal(&b, "DEGRADED (after 3)");
}

static void test_one_at_a_time(void **state)
{
	struct drill d = { 0 };
	char why[DRILL_WHY_MAX];

	(void)state;
	drill_start(&d, 0, 1, 5000000);
	assert_true(drill_refused(&d, &FREE, why, sizeof(why)));
	assert_non_null(strstr(why, "under way"));
	drill_end(&d);
	assert_false(drill_refused(&d, &FREE, why, sizeof(why)));
}

static void test_resend_then_give_up(void **state)
{
	struct drill d = { 0 };
	uint64_t t = 5000;

	(void)state;
	drill_start(&d, 0, 1, t * 1000);
	drill_sent(&d, 41, t);
	assert_int_equal(drill_due(&d, t + DRILL_RESEND_MS - 1), DRILL_WAIT);
	for (int i = 1; i < DRILL_MAX_REQUESTS; i++) {
		t += DRILL_RESEND_MS;
		assert_int_equal(drill_due(&d, t), DRILL_RESEND);
		drill_sent(&d, 41 + (uint64_t)i, t);
	}
	assert_int_equal(drill_due(&d, t + DRILL_RESEND_MS - 1), DRILL_WAIT);
	assert_int_equal(drill_due(&d, t + DRILL_RESEND_MS), DRILL_NO_ACK);
	/* its nonces, and only those */
	assert_false(drill_owns(&d, 40));
	assert_true(drill_owns(&d, 41));
	assert_true(drill_owns(&d, 40 + DRILL_MAX_REQUESTS));
	assert_false(drill_owns(&d, 41 + DRILL_MAX_REQUESTS));
}

static void test_answer_window(void **state)
{
	struct drill d = { 0 };

	(void)state;
	drill_start(&d, 0, 1, 1000000);
	drill_sent(&d, 7, 1000);
	drill_switched(&d, 1040000);
	/* no resend once switched, whatever the time */
	assert_int_equal(drill_due(&d, 1040 + DRILL_ANSWER_MS - 1), DRILL_WAIT);
	assert_int_equal(drill_due(&d, 1040 + DRILL_ANSWER_MS),
			 DRILL_NO_ANSWER);
	drill_end(&d);
	assert_int_equal(d.phase, DRILL_IDLE);
	assert_false(drill_owns(&d, 7));
	assert_int_equal(drill_due(&d, 99999999), DRILL_WAIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_budget_starts),
		cmocka_unit_test(test_production_session_refused),
		cmocka_unit_test(test_unhealthy_or_single_path_refused),
		cmocka_unit_test(test_limits_refused),
		cmocka_unit_test(test_one_at_a_time),
		cmocka_unit_test(test_resend_then_give_up),
		cmocka_unit_test(test_answer_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
