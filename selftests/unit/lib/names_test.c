// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of lib/names.c: the names of uapi numbers, both ways.
 * The expected tables below are written out by hand on purpose: a name
 * changed in names.c breaks the shell tests that grep for it.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <linux/jvpn.h>

#include "util.h"
#include "names.h"

struct value_name {
	unsigned int value;
	const char *name;
};

/* an enumerator and its own spelling */
#define SPELLED(value)                                                         \
	{                                                                      \
		value, #value                                                  \
	}

static const struct value_name states[] = {
	{ JVPN_STATE_HANDSHAKE, "HANDSHAKE" },
	{ JVPN_STATE_ACTIVE, "ACTIVE" },
	{ JVPN_STATE_VOLATILE, "VOLATILE" },
	{ JVPN_STATE_DEGRADED, "DEGRADED" },
	{ JVPN_STATE_TERMINATED, "TERMINATED" },
};

static const struct value_name reasons[] = {
	{ JVPN_DEL_REASON_UNSPEC, "unspec" },
	{ JVPN_DEL_REASON_ADMIN, "admin" },
	{ JVPN_DEL_REASON_DEVICE_GONE, "device-gone" },
	{ JVPN_DEL_REASON_SESSION_TTL, "session-ttl" },
	{ JVPN_DEL_REASON_TRANSPORT_LOSS_TTL, "transport-loss-ttl" },
	{ JVPN_DEL_REASON_SWITCH_LIMIT, "switch-limit" },
	{ JVPN_DEL_REASON_SECURITY, "security" },
	{ JVPN_DEL_REASON_VERSION_MISMATCH, "version-mismatch" },
	{ JVPN_DEL_REASON_REPLACED, "replaced" },
};

static const struct value_name events[] = {
	{ JVPN_CMD_EVENT_SESSION_CREATED, "created" },
	{ JVPN_CMD_EVENT_SESSION_DELETED, "deleted" },
	{ JVPN_CMD_EVENT_TRANSPORT_SWITCHED, "switched" },
	{ JVPN_CMD_EVENT_STRAY_DATA, "stray" },
	{ JVPN_CMD_EVENT_STATE_CHANGED, "state" },
};

static const struct value_name top_attrs[] = {
	SPELLED(JVPN_A_IFINDEX),
	SPELLED(JVPN_A_SESSION_ID),
	SPELLED(JVPN_A_STATE_VERSION),
	SPELLED(JVPN_A_EXPECTED_VERSION),
	SPELLED(JVPN_A_STATE),
	SPELLED(JVPN_A_SOCKET_FD),
	SPELLED(JVPN_A_LOCAL),
	SPELLED(JVPN_A_REMOTE),
	SPELLED(JVPN_A_OLD_REMOTE),
	SPELLED(JVPN_A_ALLOWED_IPS),
	SPELLED(JVPN_A_ALLOWED_IP),
	SPELLED(JVPN_A_TX_KEY),
	SPELLED(JVPN_A_RX_KEY),
	SPELLED(JVPN_A_KEY_PHASE),
	SPELLED(JVPN_A_MIN_SWITCH_INTERVAL_MS),
	SPELLED(JVPN_A_DEL_REASON),
	SPELLED(JVPN_A_STATS),
	SPELLED(JVPN_A_LAST_RX_NS),
	SPELLED(JVPN_A_LAST_TX_NS),
	SPELLED(JVPN_A_LAST_SWITCH_NS),
	SPELLED(JVPN_A_CREATED_NS),
	SPELLED(JVPN_A_EVENT_SEQ),
	SPELLED(JVPN_A_EVENT_TIME_NS),
	SPELLED(JVPN_A_OLD_STATE),
	SPELLED(JVPN_A_TX_COUNTER),
	SPELLED(JVPN_A_KEY_NEXT),
	SPELLED(JVPN_A_KEY_GENERATION),
	SPELLED(JVPN_A_DAEMON_SECRETS),
	SPELLED(JVPN_A_PAD),
};

static const struct value_name endpoint_attrs[] = {
	SPELLED(JVPN_EP_A_ADDR4),
	SPELLED(JVPN_EP_A_ADDR6),
	SPELLED(JVPN_EP_A_PORT),
};

static const struct value_name allowed_ip_attrs[] = {
	SPELLED(JVPN_AIP_A_FAMILY),
	SPELLED(JVPN_AIP_A_ADDR),
	SPELLED(JVPN_AIP_A_PREFIX_LEN),
};

/* The tables above must cover the uapi, or the tests below miss values. */
static void test_expected_tables_cover_uapi(void **state)
{
	(void)state;
	assert_int_equal(ARRAY_SIZE(states), JVPN_STATE_MAX + 1);
	assert_int_equal(ARRAY_SIZE(reasons), JVPN_DEL_REASON_MAX + 1);
	assert_int_equal(ARRAY_SIZE(events),
			 JVPN_CMD_MAX - JVPN_CMD_EVENT_SESSION_CREATED + 1);
	assert_int_equal(ARRAY_SIZE(top_attrs), JVPN_A_MAX);
	assert_int_equal(ARRAY_SIZE(endpoint_attrs), JVPN_EP_A_MAX);
	assert_int_equal(ARRAY_SIZE(allowed_ip_attrs), JVPN_AIP_A_MAX);
}

static void check_both_ways(const struct value_name *table, size_t n,
			    const char *(*name_of)(unsigned int),
			    int (*value_of)(const char *))
{
	for (size_t i = 0; i < n; i++) {
		const char *name = name_of(table[i].value);

		if (!name)
			fail_msg("%u: no name, want \"%s\"", table[i].value,
				 table[i].name);
		assert_string_equal(name, table[i].name);
		assert_int_equal(value_of(table[i].name), table[i].value);
	}
}

static void test_state_names(void **state)
{
	(void)state;
	check_both_ways(states, ARRAY_SIZE(states), jvpn_state_name,
			jvpn_state_by_name);
}

static void test_reason_names(void **state)
{
	(void)state;
	check_both_ways(reasons, ARRAY_SIZE(reasons), jvpn_del_reason_name,
			jvpn_del_reason_by_name);
}

static void test_event_names(void **state)
{
	(void)state;
	check_both_ways(events, ARRAY_SIZE(events), jvpn_event_name,
			jvpn_event_by_name);
}

/* A number newer than the tool has no name: the caller prints it. */
static void test_unknown_numbers_have_no_name(void **state)
{
	(void)state;
	assert_null(jvpn_state_name(JVPN_STATE_MAX + 1));
	assert_null(jvpn_state_name(255));
	assert_null(jvpn_state_name(UINT_MAX));
	assert_null(jvpn_del_reason_name(JVPN_DEL_REASON_MAX + 1));
	assert_null(jvpn_del_reason_name(UINT_MAX));
	assert_null(jvpn_event_name(JVPN_CMD_MAX + 1));
	assert_null(jvpn_event_name(UINT_MAX));
	assert_null(jvpn_attr_name(JVPN_A_MAX + 1));
	assert_null(jvpn_attr_name(UINT_MAX));
}

/* Requests are not events: their numbers are gaps of the event table. */
static void test_request_commands_are_not_events(void **state)
{
	(void)state;
	for (unsigned int cmd = JVPN_CMD_UNSPEC;
	     cmd < JVPN_CMD_EVENT_SESSION_CREATED; cmd++)
		if (jvpn_event_name(cmd))
			fail_msg("command %u is named event \"%s\"", cmd,
				 jvpn_event_name(cmd));
}

static void test_unknown_names_refused(void **state)
{
	static const char *const unknown[] = {
		"",	   "bogus",	  "Active",  "active", "ACTIVE ",
		" ACTIVE", "device_gone", "admin\n", "create", "1",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		assert_int_equal(jvpn_state_by_name(unknown[i]), -1);
		assert_int_equal(jvpn_del_reason_by_name(unknown[i]), -1);
		assert_int_equal(jvpn_event_by_name(unknown[i]), -1);
	}
	/* names of one table are not names of another */
	assert_int_equal(jvpn_state_by_name("admin"), -1);
	assert_int_equal(jvpn_del_reason_by_name("ACTIVE"), -1);
	assert_int_equal(jvpn_event_by_name("ACTIVE"), -1);
	assert_int_equal(jvpn_state_by_name("created"), -1);
}

static void check_attr_names(const struct value_name *table, size_t n,
			     const char *(*name_of)(unsigned int))
{
	for (size_t i = 0; i < n; i++) {
		const char *name = name_of(table[i].value);

		if (!name)
			fail_msg("attribute %u: no name, want %s",
				 table[i].value, table[i].name);
		assert_string_equal(name, table[i].name);
	}
}

static const char *top_attr_name(unsigned int type)
{
	return jvpn_nested_attr_name(0, type);
}

static const char *remote_attr_name(unsigned int type)
{
	return jvpn_nested_attr_name(JVPN_A_REMOTE, type);
}

static const char *local_attr_name(unsigned int type)
{
	return jvpn_nested_attr_name(JVPN_A_LOCAL, type);
}

static const char *old_remote_attr_name(unsigned int type)
{
	return jvpn_nested_attr_name(JVPN_A_OLD_REMOTE, type);
}

static const char *allowed_ip_attr_name(unsigned int type)
{
	return jvpn_nested_attr_name(JVPN_A_ALLOWED_IP, type);
}

static void test_attr_names(void **state)
{
	(void)state;
	check_attr_names(top_attrs, ARRAY_SIZE(top_attrs), jvpn_attr_name);
	assert_null(jvpn_attr_name(JVPN_A_UNSPEC));
}

static void test_nested_attr_names(void **state)
{
	(void)state;
	check_attr_names(top_attrs, ARRAY_SIZE(top_attrs), top_attr_name);
	check_attr_names(endpoint_attrs, ARRAY_SIZE(endpoint_attrs),
			 local_attr_name);
	check_attr_names(endpoint_attrs, ARRAY_SIZE(endpoint_attrs),
			 remote_attr_name);
	check_attr_names(endpoint_attrs, ARRAY_SIZE(endpoint_attrs),
			 old_remote_attr_name);
	check_attr_names(allowed_ip_attrs, ARRAY_SIZE(allowed_ip_attrs),
			 allowed_ip_attr_name);

	/* JVPN_A_ALLOWED_IPS holds top-level JVPN_A_ALLOWED_IP nests */
	assert_string_equal(
		jvpn_nested_attr_name(JVPN_A_ALLOWED_IPS, JVPN_A_ALLOWED_IP),
		"JVPN_A_ALLOWED_IP");

	/* past the end of a nest's own table */
	assert_null(jvpn_nested_attr_name(JVPN_A_REMOTE, JVPN_EP_A_MAX + 1));
	assert_null(
		jvpn_nested_attr_name(JVPN_A_ALLOWED_IP, JVPN_AIP_A_MAX + 1));
	assert_null(jvpn_nested_attr_name(JVPN_A_REMOTE, JVPN_EP_A_UNSPEC));
	assert_null(jvpn_nested_attr_name(0, JVPN_A_MAX + 1));
	assert_null(jvpn_nested_attr_name(JVPN_A_LOCAL, UINT_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected_tables_cover_uapi),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_unknown_numbers_have_no_name),
		cmocka_unit_test(test_request_commands_are_not_events),
		cmocka_unit_test(test_unknown_names_refused),
		cmocka_unit_test(test_attr_names),
		cmocka_unit_test(test_nested_attr_names),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
