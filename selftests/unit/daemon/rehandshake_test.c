// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/rehandshake.c, the envelope of a fresh
 * handshake inside a session: a round trip; every flipped byte, a wrong
 * key, type, version or length refused; and a whole fresh exchange
 * through it that keeps the session id and yields keys unlike the old.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "handshake.h"
#include "rehandshake.h"

static const uint8_t KEY[32] = { 9, 8, 7 };
#define SID UINT64_C(0x1122334455667788)

static void test_round_trip_and_flips(void **state)
{
	uint8_t inner[JVPN_HS_INIT_LEN], out[JVPN_REHS_INIT_LEN + 1];
	uint8_t other[32] = { 1 };
	size_t n;

	(void)state;
	randombytes_buf(inner, sizeof(inner));
	n = rehandshake_wrap(JVPN_MSG_REHANDSHAKE_INIT, 1, SID, inner, KEY, out,
			     sizeof(out));
	assert_int_equal(n, JVPN_REHS_INIT_LEN);
	assert_int_equal(n, 12 + 152 + 32);
	assert_int_equal(rehandshake_peek_session(out, n), SID);
	assert_memory_equal(
		rehandshake_unwrap(out, n, JVPN_MSG_REHANDSHAKE_INIT, 1, KEY),
		inner, sizeof(inner));
	for (size_t i = 0; i < n; i++) {
		out[i] ^= 0x01;
		assert_null(rehandshake_unwrap(
			out, n, JVPN_MSG_REHANDSHAKE_INIT, 1, KEY));
		out[i] ^= 0x01;
	}
	assert_null(rehandshake_unwrap(out, n, JVPN_MSG_REHANDSHAKE_INIT, 1,
				       other));
	/* the negotiated version, not any this build speaks */
	assert_null(
		rehandshake_unwrap(out, n, JVPN_MSG_REHANDSHAKE_INIT, 2, KEY));
	assert_null(
		rehandshake_unwrap(out, n, JVPN_MSG_REHANDSHAKE_RESP, 1, KEY));
	assert_null(rehandshake_unwrap(out, n - 1, JVPN_MSG_REHANDSHAKE_INIT, 1,
				       KEY));
	assert_null(rehandshake_unwrap(out, n + 1, JVPN_MSG_REHANDSHAKE_INIT, 1,
				       KEY));
	assert_int_equal(rehandshake_wrap(JVPN_MSG_REKEY, 1, SID, inner, KEY,
					  out, sizeof(out)),
			 0);
	assert_int_equal(rehandshake_wrap(JVPN_MSG_REHANDSHAKE_INIT, 1, SID,
					  inner, KEY, out, n - 1),
			 0);
	assert_int_equal(rehandshake_peek_session(out, 11), 0);
}

/* one allowed client, no stored time */
static bool allowed(void *ctx, const uint8_t pub[32])
{
	return !memcmp(ctx, pub, 32);
}

static bool no_time(void *ctx, const uint8_t pub[32], struct hs_time *t)
{
	(void)ctx;
	(void)pub;
	(void)t;
	return false;
}

static void store(void *ctx, const uint8_t pub[32], const struct hs_time *t)
{
	(void)ctx;
	(void)pub;
	(void)t;
}

/* A fresh exchange through the envelope: same id, new keys, both ends
 * agree; the old control key guards it and the new one differs. */
static void test_fresh_exchange(void **state)
{
	static const struct hs_peer_ops ops = { allowed, no_time, store };
	uint8_t gw_priv[32], gw_pub[32], cl_priv[32], cl_pub[32];
	uint8_t init[JVPN_HS_INIT_LEN], resp[JVPN_HS_RESP_LEN];
	uint8_t msg[JVPN_REHS_INIT_LEN], back[JVPN_REHS_RESP_LEN];
	struct handshake_keys old = { .session_id = SID }, ck, gk;
	struct hs_time now = { 1700000000, 5 };
	struct hs_initiator ini;
	struct hs_responder rs;
	struct hs_result res;
	const uint8_t *inner;
	size_t len = sizeof(init), n;

	(void)state;
	assert_int_equal(keys_generate(gw_priv, gw_pub), 0);
	assert_int_equal(keys_generate(cl_priv, cl_pub), 0);
	randombytes_buf(old.control, 32);
	assert_int_equal(handshake_initiator_start(&ini, cl_priv, cl_pub,
						   gw_pub, &now, NULL, init,
						   &len),
			 HS_OK);
	n = rehandshake_wrap(JVPN_MSG_REHANDSHAKE_INIT, 1, SID, init,
			     old.control, msg, sizeof(msg));
	inner = rehandshake_unwrap(msg, n, JVPN_MSG_REHANDSHAKE_INIT, 1,
				   old.control);
	assert_non_null(inner);
	assert_int_equal(handshake_responder_consume_init(
				 &rs, gw_priv, gw_pub, NULL, &ops, cl_pub,
				 inner, JVPN_HS_INIT_LEN, &res),
			 HS_OK);
	len = sizeof(resp);
	assert_int_equal(
		handshake_responder_reply(&rs, SID, NULL, resp, &len, &gk),
		HS_OK);
	n = rehandshake_wrap(JVPN_MSG_REHANDSHAKE_RESP, 1, SID, resp,
			     old.control, back, sizeof(back));
	assert_int_equal(n, JVPN_REHS_RESP_LEN);
	inner = rehandshake_unwrap(back, n, JVPN_MSG_REHANDSHAKE_RESP, 1,
				   old.control);
	assert_non_null(inner);
	assert_int_equal(handshake_initiator_consume_resp(
				 &ini, inner, JVPN_HS_RESP_LEN, &ck),
			 HS_OK);
	assert_int_equal(ck.session_id, SID);
	assert_memory_equal(ck.data_i2r, gk.data_i2r, 32);
	assert_memory_equal(ck.control, gk.control, 32);
	assert_memory_not_equal(ck.control, old.control, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_flips),
		cmocka_unit_test(test_fresh_exchange),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("rehandshake", tests, NULL, NULL);
}
