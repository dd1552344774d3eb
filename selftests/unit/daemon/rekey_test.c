// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/rekey.c: REKEY and REKEY_ACK carry the
 * session's negotiated version and open only under the session's key at
 * that version; a changed byte, another type or another key is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "rekey.h"

#define SID 0x0102030405060708ull

static uint8_t KEY[JVPN_KEY_LEN] = { 1, 2, 3 };
static uint8_t OTHER[JVPN_KEY_LEN] = { 3, 2, 1 };

static struct cp_auth at(const uint8_t *key, uint8_t version)
{
	return (struct cp_auth){ key, version };
}

static void test_round_trip(void **state)
{
	uint8_t msg[JVPN_REKEY_LEN];
	uint64_t id = 0;
	uint32_t gen = 0;

	(void)state;
	assert_int_equal(rekey_encode(JVPN_MSG_REKEY, SID, 7,
				      at(KEY, JVPN_CP_VERSION_MIN), msg),
			 JVPN_REKEY_LEN);
	assert_int_equal(msg[1], JVPN_CP_VERSION_MIN);
	assert_true(rekey_peek_session(msg) == SID);
	assert_int_equal(rekey_decode(msg, sizeof(msg), JVPN_MSG_REKEY,
				      at(KEY, JVPN_CP_VERSION_MIN), &id, &gen),
			 0);
	assert_true(id == SID);
	assert_int_equal(gen, 7);
}

static void test_refusals(void **state)
{
	const struct cp_auth auth = at(KEY, JVPN_CP_VERSION_MIN);
	uint8_t msg[JVPN_REKEY_LEN];
	uint64_t id;
	uint32_t gen;

	(void)state;
	rekey_encode(JVPN_MSG_REKEY, SID, 7, auth, msg);
	assert_int_equal(rekey_decode(msg, sizeof(msg), JVPN_MSG_REKEY_ACK,
				      auth, &id, &gen),
			 -1);
	assert_int_equal(rekey_decode(msg, sizeof(msg), JVPN_MSG_REKEY,
				      at(OTHER, JVPN_CP_VERSION_MIN), &id,
				      &gen),
			 -1);
	assert_int_equal(rekey_decode(msg, sizeof(msg) - 1, JVPN_MSG_REKEY,
				      auth, &id, &gen),
			 -1);
	assert_int_equal(rekey_decode(msg, sizeof(msg), JVPN_MSG_REKEY,
				      at(NULL, JVPN_CP_VERSION_MIN), &id, &gen),
			 -1);
	for (size_t i = 0; i < sizeof(msg); i++) {
		msg[i] ^= 0x20;
		assert_int_equal(rekey_decode(msg, sizeof(msg), JVPN_MSG_REKEY,
					      auth, &id, &gen),
				 -1);
		msg[i] ^= 0x20;
	}
}

/*
 * A session at another version (2, as a newer minor release would
 * negotiate) refuses a version-1 REKEY under its own key, and the other
 * way round; a version this build does not speak is never written.
 */
static void test_session_version(void **state)
{
	const struct cp_auth v2 = at(KEY, JVPN_CP_VERSION_MIN + 1);
	uint8_t msg[JVPN_REKEY_LEN];
	uint64_t id;
	uint32_t gen;

	(void)state;
	rekey_encode(JVPN_MSG_REKEY, SID, 7, at(KEY, JVPN_CP_VERSION_MIN), msg);
	assert_int_equal(
		rekey_decode(msg, sizeof(msg), JVPN_MSG_REKEY, v2, &id, &gen),
		-1);
	msg[1] = v2.version;
	crypto_auth_hmacsha256(msg + JVPN_REKEY_LEN - JVPN_CP_MAC_LEN, msg,
			       JVPN_REKEY_LEN - JVPN_CP_MAC_LEN, KEY);
	assert_int_equal(
		rekey_decode(msg, sizeof(msg), JVPN_MSG_REKEY, v2, &id, &gen),
		0);
	assert_int_equal(rekey_decode(msg, sizeof(msg), JVPN_MSG_REKEY,
				      at(KEY, JVPN_CP_VERSION_MIN), &id, &gen),
			 -1);
	memset(msg, 0xcc, sizeof(msg));
	assert_int_equal(rekey_encode(JVPN_MSG_REKEY, SID, 7, at(KEY, 0), msg),
			 0);
	assert_int_equal(rekey_encode(JVPN_MSG_REKEY, SID, 7,
				      at(KEY, JVPN_CP_VERSION_MAX + 1), msg),
			 0);
	assert_int_equal(rekey_encode(JVPN_MSG_REKEY, SID, 7,
				      at(NULL, JVPN_CP_VERSION_MIN), msg),
			 0);
	assert_int_equal(msg[0], 0xcc); /* nothing written */
}

/* The KEY_ROTATION detail names a version move, and only a move. */
static void test_describe(void **state)
{
	char text[80];

	(void)state;
	rekey_describe(text, sizeof(text), 4, false, 1, 1);
	assert_string_equal(text, "generation 4");
	rekey_describe(text, sizeof(text), 5, true, 1, 1);
	assert_string_equal(text, "generation 5, fresh handshake");
	rekey_describe(text, sizeof(text), 6, true, 1, 2);
	assert_string_equal(text,
			    "generation 6, fresh handshake, protocol version "
			    "1 -> 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_session_version),
		cmocka_unit_test(test_describe),
	};

	if (sodium_init() < 0)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("rekey", tests, NULL, NULL);
}
