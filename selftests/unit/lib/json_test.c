// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of lib/json.c: the control socket's lines are valid JSON
 * whatever goes into them, and a line that does not fit is cut at a
 * member's edge and says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static void test_members_and_kinds(void **state)
{
	char buf[256];
	struct json_line j;
	size_t len;

	(void)state;
	json_open(&j, buf, sizeof(buf));
	json_str(&j, "session_id", "18446744073709551615");
	json_u64(&j, "state_version", UINT64_MAX);
	json_bool(&j, "ok", true);
	json_bool(&j, "pending", false);
	len = json_close(&j);
	assert_int_equal(len, strlen(buf));
	assert_string_equal(buf, "{\"session_id\":\"18446744073709551615\","
				 "\"state_version\":18446744073709551615,"
				 "\"ok\":true,\"pending\":false}\n");
}

static void test_empty_object(void **state)
{
	char buf[32];
	struct json_line j;

	(void)state;
	json_open(&j, buf, sizeof(buf));
	json_close(&j);
	assert_string_equal(buf, "{}\n");
}

static void test_escapes(void **state)
{
	char buf[256];
	struct json_line j;

	(void)state;
	json_open(&j, buf, sizeof(buf));
	json_str(&j, "peer", "a\"b\\c\nd\te\x01\x7f");
	json_str(&j, "null", NULL);
	json_str(&j, "utf8", "caf\xc3\xa9");
	json_close(&j);
	assert_string_equal(buf, "{\"peer\":\"a\\\"b\\\\c\\u000ad\\u0009e"
				 "\\u0001\\u007f\",\"null\":\"\","
				 "\"utf8\":\"caf\xc3\xa9\"}\n");
}

/* Every size from the smallest up: always valid, never past the end. */
static void test_truncation_keeps_json_valid(void **state)
{
	static const char want_full[] = "{\"a\":\"0123456789\",\"b\":42}\n";

	(void)state;
	for (size_t size = 21; size <= sizeof(want_full) + 20; size++) {
		char buf[128];
		struct json_line j;
		size_t len;

		memset(buf, 'X', sizeof(buf));
		json_open(&j, buf, size);
		json_str(&j, "a", "0123456789");
		json_u64(&j, "b", 42);
		len = json_close(&j);
		assert_true(len < size);
		assert_int_equal(buf[size], 'X');
		if (!j.truncated) {
			assert_string_equal(buf, want_full);
		} else if (strstr(buf, "\"a\"")) {
			assert_string_equal(buf, "{\"a\":\"0123456789\","
						 "\"truncated\":true}\n");
		} else {
			assert_string_equal(buf, "{\"truncated\":true}\n");
		}
	}
}

/* Once cut, later members are left out too: no holes in the middle. */
static void test_truncation_is_sticky(void **state)
{
	char buf[40];
	struct json_line j;

	(void)state;
	json_open(&j, buf, sizeof(buf));
	json_str(&j, "long", "this value cannot fit in the line");
	json_u64(&j, "n", 1);
	json_close(&j);
	assert_string_equal(buf, "{\"truncated\":true}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_and_kinds),
		cmocka_unit_test(test_empty_object),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_truncation_keeps_json_valid),
		cmocka_unit_test(test_truncation_is_sticky),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
