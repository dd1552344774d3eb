// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/refusals.c: a flood of refusals becomes at
 * most one line per (type, reason) per second, and the counts those lines
 * carry add up to every refusal, so the counters (stats.c) miss none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "refusals.h"
#include "stats.h"

struct sink {
	size_t lines;
	uint64_t counted;
	struct stats st;
	struct event last;
};

static void to_sink(void *ctx, const struct event *ev)
{
	struct sink *k = ctx;

	k->lines++;
	k->counted += ev->count;
	k->last = *ev;
	stats_on_event(&k->st, ev);
}

/* what jvpnd_emit() (daemon/emit.c) does with one refusal */
static void refuse(struct refusals *r, struct sink *k, struct event ev,
		   uint64_t now)
{
	refusals_flush(r, now, to_sink, k);
	if (!refusals_admit(r, &ev, now))
		return;
	ev.count = 1;
	to_sink(k, &ev);
}

static struct event refusal(enum event_type type, enum jvpnd_reason reason,
			    uint64_t session)
{
	return (struct event){ .type = type,
			       .reason = reason,
			       .session_id = session,
			       .old_state = -1,
			       .new_state = -1,
			       .detail = "10.9.0.1:4000" };
}

static void test_which_are_summarized(void **state)
{
	(void)state;
	assert_true(
		refusals_summarized(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF));
	assert_true(refusals_summarized(EV_SECURITY_EVENT,
					JVPND_REASON_REPLAYED_HANDSHAKE));
	assert_true(
		refusals_summarized(EV_SECURITY_EVENT, JVPND_REASON_BAD_MAC1));
	assert_true(refusals_summarized(EV_RATE_LIMIT_TRIGGER,
					JVPND_REASON_RATE_LIMITED));
	assert_true(refusals_summarized(EV_REATTACH_REJECT,
					JVPND_REASON_UNKNOWN_SESSION));
	assert_true(refusals_summarized(EV_REATTACH_REJECT,
					JVPND_REASON_UNKNOWN_PEER));
	/* a refusal of the authenticated peer is its own line */
	assert_false(
		refusals_summarized(EV_REATTACH_REJECT, JVPND_REASON_COOLDOWN));
	assert_false(refusals_summarized(EV_REATTACH_REJECT,
					 JVPND_REASON_STALE_VERSION));
	assert_false(refusals_summarized(EV_STATE_CHANGE,
					 JVPND_REASON_HEALTH_THRESHOLD));
}

/* 10 s of 1000 packets a second of two kinds, and the ticks of the loop */
static void test_flood_is_bounded_and_counted(void **state)
{
	struct refusals r;
	struct sink k = { 0 };
	uint64_t now;

	(void)state;
	refusals_init(&r);
	stats_init(&k.st);
	for (now = 5000; now < 15000; now++) {
		refuse(&r, &k,
		       refusal(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF, 7),
		       now);
		refuse(&r, &k,
		       refusal(EV_REATTACH_REJECT, JVPND_REASON_UNKNOWN_SESSION,
			       0),
		       now);
		if (now % 50 == 0)
			refusals_flush(&r, now, to_sink, &k);
	}
	refusals_flush(&r, now + REFUSALS_WINDOW_MS, to_sink, &k);
	/* 10 s x 2 reasons, + the last summary of each */
	assert_true(k.lines <= 10 * 2 + 2);
	assert_true(k.lines >= 10 * 2);
	assert_int_equal(k.counted, 2 * 10000);
	assert_int_equal(k.st.security_events[JVPND_REASON_BAD_PROOF], 10000);
	assert_int_equal(k.st.rejects[JVPND_REASON_UNKNOWN_SESSION], 10000);
}

static void test_first_goes_out_at_once(void **state)
{
	struct refusals r;
	struct sink k = { 0 };

	(void)state;
	refusals_init(&r);
	refuse(&r, &k, refusal(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF, 7),
	       100);
	assert_int_equal(k.lines, 1);
	assert_int_equal(k.last.count, 1);
	assert_int_equal(k.last.session_id, 7);
	/* a second one waits for the window */
	refuse(&r, &k, refusal(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF, 7),
	       600);
	refusals_flush(&r, 1099, to_sink, &k);
	assert_int_equal(k.lines, 1);
	refusals_flush(&r, 1100, to_sink, &k);
	assert_int_equal(k.lines, 2);
	assert_int_equal(k.last.count, 1);
	assert_int_equal(k.last.session_id, 7);
	assert_string_equal(k.last.detail, "10.9.0.1:4000");
	/* nothing pending: no line */
	refusals_flush(&r, 5000, to_sink, &k);
	assert_int_equal(k.lines, 2);
	/* quiet for longer than the window: the next goes out at once */
	refuse(&r, &k, refusal(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF, 7),
	       5001);
	assert_int_equal(k.lines, 3);
}

/* a summary over several sessions names none of them */
static void test_mixed_sessions(void **state)
{
	struct refusals r;
	struct sink k = { 0 };

	(void)state;
	refusals_init(&r);
	refuse(&r, &k, refusal(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF, 7),
	       100);
	refuse(&r, &k, refusal(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF, 7),
	       200);
	refuse(&r, &k, refusal(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF, 8),
	       300);
	refusals_flush(&r, 1200, to_sink, &k);
	assert_int_equal(k.lines, 2);
	assert_int_equal(k.last.count, 2);
	assert_int_equal(k.last.session_id, 0);
}

/* an ordinary event is counted once, as before */
static void test_count_zero_is_one(void **state)
{
	struct stats st;
	struct event ev = refusal(EV_SECURITY_EVENT, JVPND_REASON_BAD_PROOF, 1);

	(void)state;
	stats_init(&st);
	stats_on_event(&st, &ev);
	ev.count = 5;
	stats_on_event(&st, &ev);
	assert_int_equal(st.security_events[JVPND_REASON_BAD_PROOF], 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_which_are_summarized),
		cmocka_unit_test(test_flood_is_bounded_and_counted),
		cmocka_unit_test(test_first_goes_out_at_once),
		cmocka_unit_test(test_mixed_sessions),
		cmocka_unit_test(test_count_zero_is_one),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("refusals", tests, NULL, NULL);
}
