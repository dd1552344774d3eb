// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/reqanswer.c: the newest request, seen again
 * from a second address, gets the answer the first address got, once,
 * for at most REQANSWER_ADDRS addresses, inside its challenge window;
 * anything else stays a replay (docs/reattach.md, "The same request from
 * a second address").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "reqanswer.h"

#define T0 100000

/* 10.2.0.2:40002, 10.2.0.66:40007, 10.2.0.2:40003 as path keys */
static const uint8_t GENUINE[] = { 10, 2, 0, 2, 0x9c, 0x42 };
static const uint8_t COPY[] = { 10, 2, 0, 66, 0x9c, 0x47 };
static const uint8_t PORT[] = { 10, 2, 0, 2, 0x9c, 0x43 };

static void test_second_address_answered_once(void **state)
{
	struct reqanswer a;

	(void)state;
	/* the copy overtook the genuine request and was challenged */
	reqanswer_judged(&a, 7, JVPND_REASON_NONE, 0, COPY, sizeof(COPY), T0);
	assert_int_equal(a.reason, JVPND_REASON_NONE);
	/* the genuine one, from its own address: answered as the copy was */
	assert_true(reqanswer_again(&a, 7, GENUINE, sizeof(GENUINE), T0 + 300));
	/* again from either address: a replay */
	assert_false(
		reqanswer_again(&a, 7, GENUINE, sizeof(GENUINE), T0 + 301));
	assert_false(reqanswer_again(&a, 7, COPY, sizeof(COPY), T0 + 301));
	/* a third address: no slot left (the model's CHALLENGES) */
	assert_false(reqanswer_again(&a, 7, PORT, sizeof(PORT), T0 + 302));
}

static void test_only_the_newest_in_its_window(void **state)
{
	struct reqanswer a;

	(void)state;
	reqanswer_judged(&a, 7, JVPND_REASON_COOLDOWN, 120, GENUINE,
			 sizeof(GENUINE), T0);
	/* an older request is a replay, whatever its address */
	assert_false(reqanswer_again(&a, 6, COPY, sizeof(COPY), T0));
	/* the same address, another port, is another address */
	assert_true(reqanswer_again(&a, 7, PORT, sizeof(PORT), T0 + 1));
	assert_int_equal(a.reason, JVPND_REASON_COOLDOWN);
	assert_int_equal(a.retry_after_ms, 120);
	/* a newer request replaces the memory */
	reqanswer_judged(&a, 8, JVPND_REASON_NONE, 0, GENUINE, sizeof(GENUINE),
			 T0 + 10);
	assert_false(reqanswer_again(&a, 7, COPY, sizeof(COPY), T0 + 11));
	/* one millisecond before the window ends, and at its end */
	assert_true(
		reqanswer_again(&a, 8, COPY, sizeof(COPY),
				T0 + 10 + REATTACH_CHALLENGE_WINDOW_MS - 1));
	reqanswer_judged(&a, 9, JVPND_REASON_NONE, 0, GENUINE, sizeof(GENUINE),
			 T0);
	assert_false(reqanswer_again(&a, 9, COPY, sizeof(COPY),
				     T0 + REATTACH_CHALLENGE_WINDOW_MS));
}

static void test_settled_and_bad_input(void **state)
{
	uint8_t long_path[REATTACH_PATH_KEY_MAX + 1] = { 1 };
	struct reqanswer a;

	(void)state;
	memset(&a, 0, sizeof(a));
	/* nothing judged: nonce 0 is never a request */
	assert_false(reqanswer_again(&a, 0, COPY, sizeof(COPY), T0));
	reqanswer_judged(&a, 7, JVPND_REASON_NONE, 0, GENUINE, sizeof(GENUINE),
			 T0);
	/* the switch committed: nothing more for that request */
	reqanswer_forget(&a);
	assert_false(reqanswer_again(&a, 7, COPY, sizeof(COPY), T0 + 1));
	/* paths the key cannot hold are never remembered nor answered */
	reqanswer_judged(&a, 7, JVPND_REASON_NONE, 0, long_path,
			 sizeof(long_path), T0);
	assert_false(reqanswer_again(&a, 7, COPY, sizeof(COPY), T0 + 1));
	reqanswer_judged(&a, 7, JVPND_REASON_NONE, 0, GENUINE, sizeof(GENUINE),
			 T0);
	assert_false(
		reqanswer_again(&a, 7, long_path, sizeof(long_path), T0 + 1));
	assert_false(reqanswer_again(&a, 7, NULL, 0, T0 + 1));
	assert_true(reqanswer_again(&a, 7, COPY, sizeof(COPY), T0 + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_address_answered_once),
		cmocka_unit_test(test_only_the_newest_in_its_window),
		cmocka_unit_test(test_settled_and_bad_input),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("reqanswer", tests, NULL, NULL);
}
