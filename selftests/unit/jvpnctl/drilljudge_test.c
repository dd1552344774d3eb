// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of tools/jvpnctl/drilljudge.c (issue 15, "the seeds'
 * invariants checked"): a clean drill passes every item, and each way a
 * drill can go wrong fails the one item that names it: no result, a
 * binding the kernel does not hold or that did not move, a version going
 * back or differing between the ends, a transition without a reason, an
 * event gap, a limit hit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drilljudge.h"

#define ID "77"

struct run {
	struct obj before, after, kernel, gw_before, gw_after;
	struct objs events;
	struct drill_view v;
};

static void parse(struct obj *o, const char *json)
{
	memset(o, 0, sizeof(*o));
	if (!obj_parse_json(o, json))
		fail_msg("bad test JSON: %s", json);
}

static void event(struct run *r, const char *json)
{
	parse(objs_push(&r->events), json);
}

/* A drill as a healthy deployment shows it: uplink ua -> ub. */
static void clean_run(struct run *r)
{
	memset(r, 0, sizeof(*r));
	parse(&r->before, "{\"session_id\":\"77\",\"state\":\"ACTIVE\","
			  "\"state_version\":4,\"gateway_state_version\":4,"
			  "\"local\":\"10.1.0.2:40000\","
			  "\"remote\":\"10.0.0.1:51820\",\"uplink\":\"ua\","
			  "\"drill\":true}");
	parse(&r->after, "{\"session_id\":\"77\",\"state\":\"ACTIVE\","
			 "\"state_version\":7,\"gateway_state_version\":7,"
			 "\"local\":\"10.2.0.2:40001\","
			 "\"remote\":\"10.0.0.1:51820\",\"uplink\":\"ub\","
			 "\"switches_last_minute\":1,\"drill\":true}");
	parse(&r->kernel, "{\"session_id\":\"77\",\"state_version\":7,"
			  "\"local\":\"10.2.0.2:40001\","
			  "\"remote\":\"10.0.0.1:51820\"}");
	parse(&r->gw_before, "{\"session_id\":\"77\",\"state_version\":4,"
			     "\"remote\":\"10.1.0.2:40000\",\"drill\":true}");
	parse(&r->gw_after, "{\"session_id\":\"77\",\"state_version\":7,"
			    "\"remote\":\"10.2.0.2:40001\",\"drill\":true}");
	event(r, "{\"seq\":11,\"type\":\"DAEMON\",\"session_id\":\"77\","
		 "\"state_version\":4,\"reason\":\"admin\","
		 "\"detail\":\"drill: forced switch from uplink ua to ub\"}");
	event(r, "{\"seq\":12,\"type\":\"KEY_ROTATION\",\"session_id\":\"5\","
		 "\"state_version\":1,\"reason\":\"none\"}");
	event(r, "{\"seq\":13,\"type\":\"STATE_CHANGE\",\"session_id\":\"77\","
		 "\"state_version\":5,\"reason\":\"reattached\","
		 "\"old_state\":\"ACTIVE\",\"new_state\":\"VOLATILE\"}");
	event(r, "{\"seq\":14,\"type\":\"TRANSPORT_SWITCH\","
		 "\"session_id\":\"77\",\"state_version\":6,"
		 "\"reason\":\"reattached\"}");
	event(r, "{\"seq\":15,\"type\":\"STATE_CHANGE\",\"session_id\":\"77\","
		 "\"state_version\":7,\"reason\":\"reattached\"}");
	event(r, "{\"seq\":16,\"type\":\"REATTACH_SUCCESS\","
		 "\"session_id\":\"77\",\"state_version\":7,"
		 "\"reason\":\"reattached\",\"latency_ms\":3.250}");
	event(r, "{\"seq\":17,\"type\":\"DAEMON\",\"session_id\":\"77\","
		 "\"state_version\":7,\"reason\":\"admin\",\"latency_ms\":5.5,"
		 "\"detail\":\"drill: done: uplink ua -> ub\"}");
	r->v = (struct drill_view){
		.session_id = ID,
		.before = &r->before,
		.after = &r->after,
		.kernel = &r->kernel,
		.gw_before = &r->gw_before,
		.gw_after = &r->gw_after,
		.events = &r->events,
		.first_seq = 10,
	};
}

static void run_free(struct run *r)
{
	obj_free(&r->before);
	obj_free(&r->after);
	obj_free(&r->kernel);
	obj_free(&r->gw_before);
	obj_free(&r->gw_after);
	objs_free(&r->events);
}

/* Judges @r; exactly item @failing fails (NULL: none), its reason
 * saying @words. */
static void expect_only(struct run *r, const char *failing, const char *words)
{
	struct objs items = { 0 };
	bool pass = drill_judge(&r->v, &items);

	assert_int_equal(items.n, 7);
	assert_int_equal(pass, failing == NULL);
	for (size_t i = 0; i < items.n; i++) {
		const char *item = obj_get(&items.items[i], "item");
		const char *verdict = obj_get(&items.items[i], "verdict");
		const char *reason = obj_get(&items.items[i], "reason");
		bool should_fail = failing && !strcmp(item, failing);

		if (strcmp(verdict, should_fail ? "fail" : "pass"))
			fail_msg("%s: %s (%s)", item, verdict, reason);
		if (should_fail && !strstr(reason, words))
			fail_msg("%s: \"%s\" does not say \"%s\"", item, reason,
				 words);
	}
	objs_free(&items);
	run_free(r);
}

static void test_clean_drill_passes(void **state)
{
	struct run r;

	(void)state;
	clean_run(&r);
	assert_string_equal(drill_switch_ms(&r.events, ID), "3.250");
	assert_string_equal(obj_get(drill_result(&r.events, ID), "latency_ms"),
			    "5.5");
	expect_only(&r, NULL, NULL);
	/* without a gateway socket, the ACK's word is taken */
	clean_run(&r);
	r.v.gw_before = r.v.gw_after = NULL;
	expect_only(&r, NULL, NULL);
}

static void test_failed_or_missing_result(void **state)
{
	struct run r;

	(void)state;
	clean_run(&r);
	obj_set(&r.events.items[6], "detail",
		"drill: failed: 3 requests over ub unanswered", OBJ_STRING);
	expect_only(&r, "Recovered", "3 requests over ub unanswered");
	clean_run(&r);
	obj_free(&r.events.items[6]);
	r.events.n--;
	expect_only(&r, "Recovered", "no drill result");
}

static void test_binding(void **state)
{
	struct run r;

	(void)state;
	clean_run(&r);
	obj_set(&r.kernel, "local", "10.1.0.2:40000", OBJ_STRING);
	expect_only(&r, "OneBinding", "kernel binds 10.1.0.2:40000");
	clean_run(&r);
	r.v.kernel = NULL;
	expect_only(&r, "OneBinding", "the kernel has no session 77");
	clean_run(&r);
	obj_set(&r.before, "local", "10.2.0.2:40001", OBJ_STRING);
	expect_only(&r, "OneBinding", "did not move");
	clean_run(&r);
	obj_set(&r.gw_after, "remote", "10.1.0.2:40000", OBJ_STRING);
	expect_only(&r, "OneBinding", "the gateway's binding did not move");
}

static void test_versions(void **state)
{
	struct run r;

	(void)state;
	clean_run(&r);
	obj_set(&r.events.items[3], "state_version", "4", OBJ_NUMBER);
	expect_only(&r, "VersionMonotonic", "seq 14 has state_version 4");
	clean_run(&r);
	obj_set(&r.after, "gateway_state_version", "6", OBJ_NUMBER);
	expect_only(&r, "VersionsAgree", "the gateway's last ACK said 6");
	clean_run(&r);
	obj_set(&r.gw_after, "state_version", "8", OBJ_NUMBER);
	expect_only(&r, "VersionsAgree", "the gateway holds 8");
}

static void test_reason_and_gap(void **state)
{
	struct run r;

	(void)state;
	clean_run(&r);
	obj_set(&r.events.items[2], "reason", "none", OBJ_STRING);
	expect_only(&r, "ReasonCoded", "seq 13 (STATE_CHANGE) has no reason");
	/* another session's event without a reason is not this drill's */
	clean_run(&r);
	obj_set(&r.events.items[1], "type", "STATE_CHANGE", OBJ_STRING);
	expect_only(&r, NULL, NULL);
	clean_run(&r);
	obj_set(&r.events.items[4], "seq", "16", OBJ_NUMBER);
	expect_only(&r, "NoEventGap", "seq 16 where 15 was due");
	clean_run(&r);
	r.v.first_seq = 9;
	expect_only(&r, "NoEventGap", "seq 11 where 10 was due");
}

static void test_limits(void **state)
{
	struct run r;

	(void)state;
	clean_run(&r);
	event(&r, "{\"seq\":18,\"type\":\"REATTACH_REJECT\","
		  "\"session_id\":\"77\",\"state_version\":7,"
		  "\"reason\":\"cooldown\"}");
	expect_only(&r, "WithinLimits", "REATTACH_REJECT cooldown");
	clean_run(&r);
	obj_set(&r.after, "state", "DEGRADED", OBJ_STRING);
	expect_only(&r, "WithinLimits", "DEGRADED after the drill");
	clean_run(&r);
	obj_set(&r.gw_after, "drill", "false", OBJ_BOOL);
	expect_only(&r, "WithinLimits", "not know session 77 as a drill");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_drill_passes),
		cmocka_unit_test(test_failed_or_missing_result),
		cmocka_unit_test(test_binding),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_reason_and_gap),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
