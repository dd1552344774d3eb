// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/cookie.c: a cookie earned at one address keys
 * a mac2 the gateway accepts from that address only; the reply opens only
 * for the INIT it answers; the secret changes every two minutes and the
 * one before it is honoured for one more period, never longer; the client
 * stops using a cookie before it could have gone stale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "cookie.h"
#include "handshake.h"

#define T0 1000000u

struct world {
	uint8_t gw_priv[32], gw_pub[32], cl_priv[32], cl_pub[32];
	struct cookie_gateway gw;
	struct cookie_client cl;
	uint8_t init[JVPN_HS_INIT_LEN];
	struct hs_initiator hs;
};

static const uint8_t ADDR_A[6] = { 10, 1, 0, 2, 0xc3, 0x50 }; /* :50000 */
static const uint8_t ADDR_B[6] = { 10, 1, 0, 2, 0xc3, 0x51 }; /* :50001 */

static void party(uint8_t priv[32], uint8_t pub[32], uint8_t seed)
{
	memset(priv, seed, 32);
	keys_clamp_private(priv);
	assert_int_equal(keys_public_from_private(priv, pub), 0);
}

/* a real INIT, as the client's handshake writes it */
static void new_init(struct world *w)
{
	struct hs_time now = { 1700000000, 0 };
	size_t len = sizeof(w->init);

	assert_int_equal(handshake_initiator_start(&w->hs, w->cl_priv,
						   w->cl_pub, w->gw_pub, &now,
						   NULL, w->init, &len),
			 HS_OK);
}

static int setup(void **state)
{
	static struct world w;

	memset(&w, 0, sizeof(w));
	party(w.gw_priv, w.gw_pub, 0x11);
	party(w.cl_priv, w.cl_pub, 0x22);
	cookie_gateway_init(&w.gw, w.gw_pub, NULL, NULL);
	cookie_client_init(&w.cl, w.gw_pub);
	new_init(&w);
	*state = &w;
	return 0;
}

/* The client sends an INIT from ADDR_A, the gateway answers a cookie. */
static void earn_cookie(struct world *w, uint64_t now)
{
	uint8_t reply[JVPN_HS_COOKIE_LEN];

	assert_false(cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init),
					      now));
	assert_true(cookie_reply_write(&w->gw, ADDR_A, sizeof(ADDR_A), w->init,
				       sizeof(w->init), now, reply));
	assert_int_equal(reply[0], JVPN_MSG_HANDSHAKE_COOKIE);
	assert_true(cookie_client_consume(&w->cl, reply, sizeof(reply), now));
}

static bool gateway_accepts(struct world *w, const uint8_t *addr, uint64_t now)
{
	return cookie_mac2_ok(&w->gw, addr, sizeof(ADDR_A), w->init,
			      sizeof(w->init), now);
}

static void test_round_trip(void **state)
{
	struct world *w = *state;

	/* no cookie: mac2 zero, not proven */
	assert_false(gateway_accepts(w, ADDR_A, T0));
	earn_cookie(w, T0);
	new_init(w);
	assert_true(cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init),
					     T0 + 10));
	assert_true(gateway_accepts(w, ADDR_A, T0 + 10));
	/* the cookie belongs to its address and port */
	assert_false(gateway_accepts(w, ADDR_B, T0 + 10));
	/* and mac2 covers the INIT: a changed byte (mac1 included) fails */
	for (size_t i = 0; i < JVPN_HS_INIT_MAC2_OFF; i += 7) {
		w->init[i] ^= 1;
		assert_false(gateway_accepts(w, ADDR_A, T0 + 10));
		w->init[i] ^= 1;
	}
	w->init[JVPN_HS_INIT_MAC2_OFF] ^= 1;
	assert_false(gateway_accepts(w, ADDR_A, T0 + 10));
	w->init[JVPN_HS_INIT_MAC2_OFF] ^= 1;
	assert_true(gateway_accepts(w, ADDR_A, T0 + 10));
}

/* mac2 does not change what the handshake itself accepts */
static void test_mac2_keeps_mac1(void **state)
{
	struct world *w = *state;

	earn_cookie(w, T0);
	new_init(w);
	assert_true(
		cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init), T0));
	assert_true(
		handshake_init_mac1_ok(w->gw_pub, w->init, sizeof(w->init)));
}

/* A reply opens only for the INIT it answers, and only once. */
static void test_reply_bound_to_its_init(void **state)
{
	struct world *w = *state;
	uint8_t reply[JVPN_HS_COOKIE_LEN], other[JVPN_HS_INIT_LEN];

	memcpy(other, w->init, sizeof(other));
	cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init), T0);
	/* a reply to an INIT with another mac1 (same initiator id) */
	other[JVPN_HS_INIT_MAC1_OFF] ^= 1;
	assert_true(cookie_reply_write(&w->gw, ADDR_A, 6, other, sizeof(other),
				       T0, reply));
	assert_false(cookie_client_consume(&w->cl, reply, sizeof(reply), T0));
	/* every single-bit flip of a genuine reply is refused */
	assert_true(cookie_reply_write(&w->gw, ADDR_A, 6, w->init,
				       sizeof(w->init), T0, reply));
	for (size_t i = 0; i < sizeof(reply); i++) {
		reply[i] ^= 0x10;
		assert_false(cookie_client_consume(&w->cl, reply, sizeof(reply),
						   T0));
		reply[i] ^= 0x10;
	}
	assert_false(
		cookie_client_consume(&w->cl, reply, sizeof(reply) - 1, T0));
	assert_true(cookie_client_consume(&w->cl, reply, sizeof(reply), T0));
	/* once: a copy of it changes nothing */
	assert_false(cookie_client_consume(&w->cl, reply, sizeof(reply), T0));
	/* a reply sealed by another gateway's key does not open */
	{
		struct cookie_gateway g2;
		uint8_t p2[32], k2[32];

		party(k2, p2, 0x33);
		cookie_gateway_init(&g2, p2, NULL, NULL);
		new_init(w);
		cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init), T0);
		assert_true(cookie_reply_write(&g2, ADDR_A, 6, w->init,
					       sizeof(w->init), T0, reply));
		assert_false(cookie_client_consume(&w->cl, reply, sizeof(reply),
						   T0));
		cookie_gateway_wipe(&g2);
	}
}

/* The secret lives 2 min, its cookies 2 more; never longer. */
static void test_secret_rotation(void **state)
{
	struct world *w = *state;
	uint8_t first[32];

	earn_cookie(w, T0);
	memcpy(first, w->gw.secret, 32);
	new_init(w);
	/* the client's clock is its own: write mac2 at T0 */
	cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init), T0);
	assert_true(gateway_accepts(w, ADDR_A, T0 + COOKIE_SECRET_MS - 1));
	assert_memory_equal(first, w->gw.secret, 32);
	/* changed: the old one is still honoured for a period */
	assert_true(gateway_accepts(w, ADDR_A, T0 + COOKIE_SECRET_MS));
	assert_memory_not_equal(first, w->gw.secret, 32);
	assert_true(gateway_accepts(w, ADDR_A, T0 + 2 * COOKIE_SECRET_MS - 1));
	/* changed again: that cookie is dead */
	assert_false(gateway_accepts(w, ADDR_A, T0 + 2 * COOKIE_SECRET_MS));
	/* an idle gateway forgets both at once */
	earn_cookie(w, T0 + 3 * COOKIE_SECRET_MS);
	new_init(w);
	cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init),
				 T0 + 3 * COOKIE_SECRET_MS);
	assert_false(gateway_accepts(w, ADDR_A, T0 + 6 * COOKIE_SECRET_MS));
	/* a clock that went back keeps the secret */
	memcpy(first, w->gw.secret, 32);
	assert_false(gateway_accepts(w, ADDR_A, T0));
	assert_memory_equal(first, w->gw.secret, 32);
}

/* The client uses a cookie only while the secret behind it may live. */
static void test_client_cookie_ages(void **state)
{
	struct world *w = *state;
	uint64_t last = T0 + COOKIE_SECRET_MS - COOKIE_CLIENT_MARGIN_MS - 1;

	earn_cookie(w, T0);
	new_init(w);
	assert_true(cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init),
					     last));
	new_init(w);
	assert_false(cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init),
					      last + 1));
	assert_true(sodium_is_zero(w->init + JVPN_HS_INIT_MAC2_OFF,
				   JVPN_HS_MAC2_LEN));
	/* a clock before the cookie's arrival does not use it either */
	assert_false(cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init),
					      T0 - 1));
}

static void test_bad_arguments(void **state)
{
	struct world *w = *state;
	uint8_t reply[JVPN_HS_COOKIE_LEN], big[COOKIE_SOURCE_MAX + 1] = { 0 };

	assert_false(cookie_reply_write(&w->gw, ADDR_A, 0, w->init,
					sizeof(w->init), T0, reply));
	assert_false(cookie_reply_write(&w->gw, big, sizeof(big), w->init,
					sizeof(w->init), T0, reply));
	assert_false(cookie_reply_write(&w->gw, ADDR_A, 6, w->init,
					sizeof(w->init) - 1, T0, reply));
	assert_false(
		cookie_mac2_ok(&w->gw, NULL, 6, w->init, sizeof(w->init), T0));
	assert_false(
		cookie_mac2_ok(NULL, ADDR_A, 6, w->init, sizeof(w->init), T0));
	w->init[0] = JVPN_MSG_HANDSHAKE_RESP;
	assert_false(
		cookie_client_mac2_write(&w->cl, w->init, sizeof(w->init), T0));
	/* nothing was sent: no reply is expected */
	assert_false(cookie_client_consume(&w->cl, reply, sizeof(reply), T0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, setup),
		cmocka_unit_test_setup(test_mac2_keeps_mac1, setup),
		cmocka_unit_test_setup(test_reply_bound_to_its_init, setup),
		cmocka_unit_test_setup(test_secret_rotation, setup),
		cmocka_unit_test_setup(test_client_cookie_ages, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("cookie", tests, NULL, NULL);
}
