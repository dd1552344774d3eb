// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/stats.c: histogram bucketing at, below and above
 * each bound ("le" semantics), and which event moves which counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "stats.h"

static const struct event EMPTY = { .old_state = -1, .new_state = -1 };

static struct event event_of(enum event_type type, enum jvpnd_reason reason)
{
	struct event ev = EMPTY;

	ev.type = type;
	ev.reason = reason;
	return ev;
}

/* ---- histogram ------------------------------------------------------- */

static void test_bounds_ascending(void **state)
{
	(void)state;
	for (size_t i = 1; i < STATS_LATENCY_BUCKETS; i++)
		assert_true(stats_latency_bounds_us[i - 1] <
			    stats_latency_bounds_us[i]);
}

static void test_value_on_a_bound_is_in_that_bucket(void **state)
{
	(void)state;
	for (size_t i = 0; i < STATS_LATENCY_BUCKETS; i++) {
		struct stats_histogram h = { 0 };

		stats_observe(&h, stats_latency_bounds_us[i]);
		assert_int_equal(h.buckets[i], 1);
		assert_int_equal(h.count, 1);
	}
}

static void test_value_above_a_bound_is_in_the_next(void **state)
{
	(void)state;
	for (size_t i = 0; i < STATS_LATENCY_BUCKETS; i++) {
		struct stats_histogram h = { 0 };

		stats_observe(&h, stats_latency_bounds_us[i] + 1);
		assert_int_equal(h.buckets[i], 0);
		assert_int_equal(h.buckets[i + 1], 1);
	}
}

static void test_extremes(void **state)
{
	struct stats_histogram h = { 0 };

	(void)state;
	stats_observe(&h, 0);
	stats_observe(&h, 1);
	stats_observe(&h, UINT64_MAX / 2);
	assert_int_equal(h.buckets[0], 2);
	assert_int_equal(h.buckets[STATS_LATENCY_BUCKETS], 1);
	assert_int_equal(h.count, 3);
	assert_int_equal(h.sum_us, UINT64_MAX / 2 + 1);
}

static void test_sum_and_count(void **state)
{
	struct stats_histogram h = { 0 };
	uint64_t total = 0;

	(void)state;
	for (uint64_t v = 100; v < 3000000; v = v * 3 + 7) {
		stats_observe(&h, v);
		total += v;
	}
	assert_int_equal(h.sum_us, total);
	for (size_t i = 0, n = 0; i <= STATS_LATENCY_BUCKETS; i++) {
		n += h.buckets[i];
		if (i == STATS_LATENCY_BUCKETS)
			assert_int_equal(n, h.count);
	}
}

/* ---- events ---------------------------------------------------------- */

static void test_reason_slots(void **state)
{
	(void)state;
	assert_int_equal(stats_reason_slot(JVPND_REASON_NONE), 0);
	assert_int_equal(stats_reason_slot(JVPND_REASON_REPLACED),
			 JVPND_REASON_REPLACED);
	assert_int_equal(stats_reason_slot(62), 62);
	/* the last slot is "any other code": a peer may send anything */
	assert_int_equal(stats_reason_slot(63), STATS_REASON_SLOTS - 1);
	assert_int_equal(stats_reason_slot(200), STATS_REASON_SLOTS - 1);
	assert_int_equal(stats_reason_slot(-1), STATS_REASON_SLOTS - 1);
}

static void test_counters_by_reason(void **state)
{
	struct stats st;
	struct event ev;

	(void)state;
	stats_init(&st);
	ev = event_of(EV_TRANSPORT_SWITCH, JVPND_REASON_REATTACHED);
	stats_on_event(&st, &ev);
	stats_on_event(&st, &ev);
	ev = event_of(EV_TRANSPORT_SWITCH, JVPND_REASON_NAT_REBINDING);
	stats_on_event(&st, &ev);
	ev = event_of(EV_REATTACH_REJECT, JVPND_REASON_COOLDOWN);
	stats_on_event(&st, &ev);
	ev = event_of(EV_REATTACH_REJECT, (enum jvpnd_reason)250);
	stats_on_event(&st, &ev);
	ev = event_of(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF);
	stats_on_event(&st, &ev);
	ev = event_of(EV_SESSION_TERMINATED, JVPND_REASON_SESSION_TTL);
	stats_on_event(&st, &ev);
	ev = event_of(EV_TRANSPORT_SWITCH_DENIED, JVPND_REASON_REATTACHED);
	stats_on_event(&st, &ev);
	assert_int_equal(st.switches[JVPND_REASON_REATTACHED], 2);
	assert_int_equal(st.switches[JVPND_REASON_NAT_REBINDING], 1);
	assert_int_equal(st.rejects[JVPND_REASON_COOLDOWN], 1);
	assert_int_equal(st.rejects[STATS_REASON_SLOTS - 1], 1);
	assert_int_equal(st.security_events[JVPND_REASON_BAD_PROOF], 1);
	assert_int_equal(st.terminations[JVPND_REASON_SESSION_TTL], 1);
	assert_int_equal(st.switch_denials[JVPND_REASON_REATTACHED], 1);
	/* nothing else moved */
	assert_int_equal(st.rejects[JVPND_REASON_BAD_PROOF], 0);
	assert_int_equal(st.rate_limit_triggers, 0);
	assert_int_equal(st.reattach_latency.count, 0);
}

static void test_plain_counters(void **state)
{
	struct stats st;
	struct event ev;

	(void)state;
	stats_init(&st);
	ev = event_of(EV_RATE_LIMIT_TRIGGER, JVPND_REASON_RATE_LIMITED);
	stats_on_event(&st, &ev);
	stats_on_event(&st, &ev);
	ev = event_of(EV_SESSION_CREATED, JVPND_REASON_HANDSHAKE_DONE);
	stats_on_event(&st, &ev);
	ev = event_of(EV_KEY_ROTATION, JVPND_REASON_NONE);
	stats_on_event(&st, &ev);
	ev = event_of(EV_DAEMON, JVPND_REASON_ADMIN);
	stats_on_event(&st, &ev);
	assert_int_equal(st.rate_limit_triggers, 2);
	assert_int_equal(st.sessions_created, 1);
	assert_int_equal(st.key_rotations, 1);
}

static void test_transitions_by_new_state(void **state)
{
	struct stats st;
	struct event ev =
		event_of(EV_STATE_CHANGE, JVPND_REASON_HEALTH_THRESHOLD);

	(void)state;
	stats_init(&st);
	ev.old_state = JVPN_STATE_ACTIVE;
	ev.new_state = JVPN_STATE_VOLATILE;
	stats_on_event(&st, &ev);
	ev.new_state = 99; /* out of range: ignored, no overflow */
	stats_on_event(&st, &ev);
	ev.new_state = -1;
	stats_on_event(&st, &ev);
	assert_int_equal(st.transitions[JVPN_STATE_VOLATILE], 1);
	assert_int_equal(st.transitions[JVPN_STATE_ACTIVE], 0);
}

static void test_latency_from_reattach_success(void **state)
{
	struct stats st;
	struct event ev =
		event_of(EV_REATTACH_SUCCESS, JVPND_REASON_REATTACHED);

	(void)state;
	stats_init(&st);
	ev.latency_us = 1500;
	stats_on_event(&st, &ev);
	ev.latency_us = 0; /* not measured: no sample */
	stats_on_event(&st, &ev);
	ev.reason = JVPND_REASON_NAT_REBINDING; /* another quantity */
	ev.latency_us = 700;
	stats_on_event(&st, &ev);
	assert_int_equal(st.reattach_successes[JVPND_REASON_REATTACHED], 2);
	assert_int_equal(st.reattach_successes[JVPND_REASON_NAT_REBINDING], 1);
	assert_int_equal(st.reattach_latency.count, 1);
	assert_int_equal(st.reattach_latency.sum_us, 1500);
	assert_int_equal(st.reattach_latency.buckets[3], 1); /* le 2.5 ms */
}

static void test_clock_moves(void **state)
{
	uint64_t a = jvpn_boot_us(), b = jvpn_boot_us();

	(void)state;
	assert_true(a > 0);
	assert_true(b >= a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds_ascending),
		cmocka_unit_test(test_value_on_a_bound_is_in_that_bucket),
		cmocka_unit_test(test_value_above_a_bound_is_in_the_next),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_sum_and_count),
		cmocka_unit_test(test_reason_slots),
		cmocka_unit_test(test_counters_by_reason),
		cmocka_unit_test(test_plain_counters),
		cmocka_unit_test(test_transitions_by_new_state),
		cmocka_unit_test(test_latency_from_reattach_success),
		cmocka_unit_test(test_clock_moves),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
