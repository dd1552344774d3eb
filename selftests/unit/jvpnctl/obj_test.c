// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of tools/jvpnctl/obj.c and view.c: jvpnd's JSON lines read
 * back exactly, anything else refused, and --json output that a JSON
 * parser takes, with numbers as numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "obj.h"
#include "view.h"

static char *print_to_string(const struct obj *o)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	obj_print_json(o, out);
	fclose(out);
	return text;
}

static void test_reads_a_daemon_line(void **state)
{
	struct obj o = { 0 };

	(void)state;
	assert_true(obj_parse_json(&o,
				   "{\"ok\":true,\"seq\":42,"
				   "\"session_id\":\"18446744073709551615\","
				   "\"peer\":\"a \\\"q\\\" \\\\ \\u00e9\\n\","
				   "\"gone\":null,\"neg\":-1.5e3}\n"));
	assert_int_equal(o.n, 6);
	assert_true(obj_is_true(&o, "ok"));
	assert_int_equal(obj_u64(&o, "seq", 0), 42);
	assert_int_equal(obj_u64(&o, "session_id", 0), UINT64_MAX);
	assert_string_equal(obj_get(&o, "peer"), "a \"q\" \\ \xc3\xa9\n");
	assert_string_equal(obj_get(&o, "gone"), "");
	assert_int_equal(o.m[5].kind, OBJ_NUMBER);
	assert_int_equal(obj_u64(&o, "neg", 7), 7);
	assert_null(obj_get(&o, "missing"));
	obj_free(&o);
}

static void test_refuses_what_is_not_a_flat_object(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{",
		"{\"a\":}",
		"{\"a\" 1}",
		"{\"a\":1,}",
		"{\"a\":{\"b\":1}}",
		"{\"a\":[1]}",
		"{\"a\":\"unterminated}",
		"{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12\"}",
		"{\"a\":1} trailing",
		"{a:1}",
		"{\"a\":\"tab\there\"}",
		"{\"a\":nope}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct obj o = { 0 };

		if (obj_parse_json(&o, bad[i]))
			fail_msg("accepted %s", bad[i]);
		obj_free(&o);
	}
}

static void test_round_trip_keeps_kinds(void **state)
{
	static const char line[] = "{\"device\":\"jvpn0\",\"rx_bytes\":12,"
				   "\"ok\":false,\"note\":\"x\\\"y\\u0001\"}";
	struct obj o = { 0 };
	char *text;

	(void)state;
	assert_true(obj_parse_json(&o, line));
	text = print_to_string(&o);
	assert_string_equal(text, line);
	free(text);
	obj_free(&o);
}

static void test_lists_print_as_arrays(void **state)
{
	struct obj o = { 0 };
	char *text;

	(void)state;
	obj_set(&o, "allowed_ips", "10.0.0.2/32,fd10::2/128", OBJ_LIST);
	obj_set_u64(&o, "switches", 3);
	obj_set(&o, "switches", "4", OBJ_NUMBER); /* replaces */
	text = print_to_string(&o);
	assert_string_equal(text, "{\"allowed_ips\":[\"10.0.0.2/32\","
				  "\"fd10::2/128\"],\"switches\":4}");
	free(text);
	obj_free(&o);
}

/* The kernel's member wins a clash; the daemon's others are added. */
static void test_merge(void **state)
{
	struct obj k = { 0 }, d = { 0 }, out = { 0 };

	(void)state;
	obj_set(&k, "session_id", "7", OBJ_STRING);
	obj_set(&k, "state", "active", OBJ_STRING);
	obj_set(&d, "state", "ACTIVE", OBJ_STRING);
	obj_set(&d, "peer", "alice", OBJ_STRING);
	view_merge(&out, "jvpn0", &k, &d);
	assert_string_equal(out.m[0].name, "device");
	assert_string_equal(obj_get(&out, "state"), "active");
	assert_string_equal(obj_get(&out, "peer"), "alice");
	assert_null(obj_get(&out, "last_rx_ago_ms"));
	obj_free(&k);
	obj_free(&d);
	obj_free(&out);
}

static void test_human_units(void **state)
{
	static const struct {
		uint64_t ms;
		const char *text;
	} durations[] = {
		{ 0, "0 ms" },	       { 999, "999 ms" },
		{ 1500, "1.5 s" },     { 59999, "60.0 s" },
		{ 60000, "1m 00s" },   { 3599000, "59m 59s" },
		{ 3600000, "1h 00m" }, { 90061000, "1d 1h" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(durations) / sizeof(*durations); i++) {
		view_duration(buf, sizeof(buf), durations[i].ms);
		assert_string_equal(buf, durations[i].text);
	}
	view_bytes(buf, sizeof(buf), 1023);
	assert_string_equal(buf, "1023 B");
	view_bytes(buf, sizeof(buf), 1536);
	assert_string_equal(buf, "1.5 KiB");
	view_bytes(buf, sizeof(buf), UINT64_C(5) << 40);
	assert_string_equal(buf, "5.0 TiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_a_daemon_line),
		cmocka_unit_test(test_refuses_what_is_not_a_flat_object),
		cmocka_unit_test(test_round_trip_keeps_kinds),
		cmocka_unit_test(test_lists_print_as_arrays),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_human_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
