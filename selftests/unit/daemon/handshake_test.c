// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/handshake.c. Keys, time and randomness are fixed, so
 * every run sees the same bytes; test_spec_derivation recomputes a whole
 * handshake from the formulas of docs/control-plane-protocol.md with
 * libsodium directly, so the document and the code cannot drift apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "handshake.h"
#include "key.h"

/* ---- fixtures: keys, randomness, the gateway's client table ---- */

struct party {
	uint8_t priv[JVPN_KEY_LEN];
	uint8_t pub[JVPN_KEY_LEN];
};

/* a key pair from a one-byte seed, so that failures are reproducible */
static void party_make(struct party *p, uint8_t seed)
{
	memset(p->priv, seed, sizeof(p->priv));
	keys_clamp_private(p->priv);
	assert_int_equal(keys_public_from_private(p->priv, p->pub), 0);
}

/* Deterministic randomness that remembers what it handed out. */
#define RNG_LOG_MAX 8
struct test_rng {
	uint64_t counter;
	size_t n;
	uint8_t log[RNG_LOG_MAX][32];
	size_t log_len[RNG_LOG_MAX];
};

static void rng_fill(void *ctx, void *buf, size_t len)
{
	struct test_rng *rng = ctx;
	uint8_t seed[randombytes_SEEDBYTES] = { 0 };

	memcpy(seed, &rng->counter, sizeof(rng->counter));
	rng->counter++;
	randombytes_buf_deterministic(buf, len, seed);
	if (rng->n < RNG_LOG_MAX && len <= 32) {
		memcpy(rng->log[rng->n], buf, len);
		rng->log_len[rng->n++] = len;
	}
}

#define MAX_PEERS 4
struct peer_table {
	size_t n;
	struct {
		uint8_t pub[JVPN_KEY_LEN];
		bool has_ts;
		struct hs_time ts;
	} peer[MAX_PEERS];
	int calls; /* of any callback: proves a refusal came earlier */
	int stores;
};

static int find_peer(const struct peer_table *t, const uint8_t pub[32])
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (memcmp(t->peer[i].pub, pub, JVPN_KEY_LEN) == 0)
			return (int)i;
	return -1;
}

static bool cb_is_allowed(void *ctx, const uint8_t pub[JVPN_KEY_LEN])
{
	struct peer_table *t = ctx;

	t->calls++;
	return find_peer(t, pub) >= 0;
}

static bool cb_last_timestamp(void *ctx, const uint8_t pub[JVPN_KEY_LEN],
			      struct hs_time *greatest)
{
	struct peer_table *t = ctx;
	int i = find_peer(t, pub);

	t->calls++;
	assert_true(i >= 0); /* only asked about allowed clients */
	if (!t->peer[i].has_ts)
		return false;
	*greatest = t->peer[i].ts;
	return true;
}

static void cb_store_timestamp(void *ctx, const uint8_t pub[JVPN_KEY_LEN],
			       const struct hs_time *ts)
{
	struct peer_table *t = ctx;
	int i = find_peer(t, pub);

	t->calls++;
	t->stores++;
	assert_true(i >= 0);
	t->peer[i].has_ts = true;
	t->peer[i].ts = *ts;
}

static const struct hs_peer_ops peer_ops = {
	.is_allowed = cb_is_allowed,
	.last_timestamp = cb_last_timestamp,
	.store_timestamp = cb_store_timestamp,
};

/* Everything one test needs: two parties, their knobs, the table. */
struct world {
	struct party client, gateway;
	struct test_rng client_rng, gateway_rng;
	struct hs_params client_params, gateway_params;
	struct peer_table table;
	struct hs_time now;
	uint64_t session_id;
	struct hs_initiator ini;
	struct hs_responder resp;
	struct hs_result res;
	uint8_t init_msg[JVPN_HS_INIT_LEN], resp_msg[JVPN_HS_RESP_LEN];
	struct handshake_keys ini_keys, resp_keys;
};

static void world_make(struct world *w)
{
	memset(w, 0, sizeof(*w));
	party_make(&w->client, 0x11);
	party_make(&w->gateway, 0x22);
	w->client_rng.counter = 1000;
	w->gateway_rng.counter = 2000;
	w->client_params = (struct hs_params){ 1,	 1,
					       rng_fill, &w->client_rng,
					       NULL,	 NULL };
	w->gateway_params = (struct hs_params){ 1,	  1,
						rng_fill, &w->gateway_rng,
						NULL,	  NULL };
	w->table.n = 1;
	memcpy(w->table.peer[0].pub, w->client.pub, JVPN_KEY_LEN);
	w->now = (struct hs_time){ 1700000000, 123456789 };
	w->session_id = 0x0102030405060708ull;
}

static enum hs_status start(struct world *w)
{
	size_t len = sizeof(w->init_msg);
	enum hs_status status;

	status = handshake_initiator_start(
		&w->ini, w->client.priv, w->client.pub, w->gateway.pub, &w->now,
		&w->client_params, w->init_msg, &len);
	if (status == HS_OK)
		assert_int_equal(len, JVPN_HS_INIT_LEN);
	return status;
}

static enum hs_status consume_init(struct world *w, const uint8_t *msg,
				   size_t len)
{
	return handshake_responder_consume_init(
		&w->resp, w->gateway.priv, w->gateway.pub, &w->gateway_params,
		&peer_ops, &w->table, msg, len, &w->res);
}

static enum hs_status reply(struct world *w)
{
	size_t len = sizeof(w->resp_msg);
	enum hs_status status;

	status = handshake_responder_reply(&w->resp, w->session_id,
					   &w->gateway_params, w->resp_msg,
					   &len, &w->resp_keys);
	if (status == HS_OK)
		assert_int_equal(len, JVPN_HS_RESP_LEN);
	return status;
}

static enum hs_status consume_resp(struct world *w, const uint8_t *msg,
				   size_t len)
{
	return handshake_initiator_consume_resp(&w->ini, msg, len,
						&w->ini_keys);
}

/* a full, successful handshake */
static void handshake(struct world *w)
{
	assert_int_equal(start(w), HS_OK);
	assert_int_equal(consume_init(w, w->init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(reply(w), HS_OK);
	assert_int_equal(consume_resp(w, w->resp_msg, JVPN_HS_RESP_LEN), HS_OK);
}

/* recomputes mac1 as the document defines it: what any attacker can do */
static void remac(uint8_t *msg, size_t len, const uint8_t receiver_pub[32])
{
	crypto_generichash_state st;
	uint8_t key[32];

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"mac1----", 8);
	crypto_generichash_update(&st, receiver_pub, 32);
	crypto_generichash_final(&st, key, 32);
	/* an INIT's mac1 precedes its mac2 and covers what precedes it */
	if (len == JVPN_HS_INIT_LEN)
		len = JVPN_HS_INIT_MAC2_OFF;
	crypto_generichash(msg + len - JVPN_HS_MAC1_LEN, JVPN_HS_MAC1_LEN, msg,
			   len - JVPN_HS_MAC1_LEN, key, 32);
}

static void assert_keys_match(const struct handshake_keys *a,
			      const struct handshake_keys *b)
{
	assert_memory_equal(a->data_i2r, b->data_i2r, JVPN_KEY_LEN);
	assert_memory_equal(a->data_r2i, b->data_r2i, JVPN_KEY_LEN);
	assert_memory_equal(a->control, b->control, JVPN_KEY_LEN);
	assert_memory_equal(a->chain, b->chain, JVPN_KEY_LEN);
	assert_int_equal(a->session_id, b->session_id);
	assert_int_equal(a->generation, b->generation);
	assert_int_equal(a->version, b->version);
}

/* ---- the good path ---- */

static void test_full_handshake_keys_match(void **state)
{
	struct world w;

	(void)state;
	world_make(&w);
	handshake(&w);
	assert_keys_match(&w.ini_keys, &w.resp_keys);
	assert_int_equal(w.ini_keys.session_id, 0x0102030405060708ull);
	assert_int_equal(w.ini_keys.version, 1);
	assert_int_equal(w.ini_keys.generation, 0);
	assert_true(w.ini_keys.initiator);
	assert_false(w.resp_keys.initiator);
	/* one side's tx is the other's rx */
	assert_memory_equal(handshake_keys_tx(&w.ini_keys),
			    handshake_keys_rx(&w.resp_keys), JVPN_KEY_LEN);
	assert_memory_equal(handshake_keys_rx(&w.ini_keys),
			    handshake_keys_tx(&w.resp_keys), JVPN_KEY_LEN);
	assert_ptr_equal(handshake_keys_tx(&w.ini_keys), w.ini_keys.data_i2r);
	/* the gateway learnt who the client is and when it started */
	assert_memory_equal(w.res.peer_pub, w.client.pub, JVPN_KEY_LEN);
	assert_true(w.res.has_peer_pub);
	assert_int_equal(w.res.timestamp.sec, w.now.sec);
	assert_int_equal(w.res.timestamp.nsec, w.now.nsec);
	assert_int_equal(w.res.reason, JVPND_REASON_NONE);
	assert_false(w.res.send_reject);
	assert_int_equal(w.table.stores, 1);
	assert_true(w.table.peer[0].has_ts);
	/* finished states hold no secret */
	assert_true(sodium_is_zero((const uint8_t *)&w.ini, sizeof(w.ini)));
	assert_true(sodium_is_zero((const uint8_t *)&w.resp, sizeof(w.resp)));
}

static void test_keys_distinct(void **state)
{
	const uint8_t *k[4];
	struct world w;
	int i, j;

	(void)state;
	world_make(&w);
	handshake(&w);
	k[0] = w.ini_keys.data_i2r;
	k[1] = w.ini_keys.data_r2i;
	k[2] = w.ini_keys.control;
	k[3] = w.ini_keys.chain;
	for (i = 0; i < 4; i++) {
		assert_false(sodium_is_zero(k[i], JVPN_KEY_LEN));
		for (j = i + 1; j < 4; j++)
			assert_memory_not_equal(k[i], k[j], JVPN_KEY_LEN);
	}
}

static void test_fresh_ephemerals_fresh_keys(void **state)
{
	struct handshake_keys first;
	struct world w;

	(void)state;
	world_make(&w);
	handshake(&w);
	first = w.ini_keys;
	/* same statics, later time, new ephemerals: nothing repeats */
	w.now.sec++;
	handshake(&w);
	assert_memory_not_equal(first.data_i2r, w.ini_keys.data_i2r,
				JVPN_KEY_LEN);
	assert_memory_not_equal(first.data_r2i, w.ini_keys.data_r2i,
				JVPN_KEY_LEN);
	assert_memory_not_equal(first.control, w.ini_keys.control,
				JVPN_KEY_LEN);
	assert_memory_not_equal(first.chain, w.ini_keys.chain, JVPN_KEY_LEN);
}

static void test_default_params(void **state)
{
	uint8_t init[JVPN_HS_INIT_LEN], resp[JVPN_HS_RESP_LEN];
	struct handshake_keys ik, rk;
	size_t len = sizeof(init);
	struct hs_initiator ini;
	struct hs_responder rs;
	struct hs_result res;
	struct world w;

	(void)state;
	world_make(&w);
	/* NULL params: this build's versions and libsodium's CSPRNG */
	assert_int_equal(handshake_initiator_start(&ini, w.client.priv,
						   w.client.pub, w.gateway.pub,
						   &w.now, NULL, init, &len),
			 HS_OK);
	assert_int_equal(init[1], JVPN_CP_VERSION_MIN);
	assert_int_equal(init[2], JVPN_CP_VERSION_MAX);
	assert_int_equal(handshake_responder_consume_init(
				 &rs, w.gateway.priv, w.gateway.pub, NULL,
				 &peer_ops, &w.table, init, len, &res),
			 HS_OK);
	len = sizeof(resp);
	assert_int_equal(
		handshake_responder_reply(&rs, 7, NULL, resp, &len, &rk),
		HS_OK);
	assert_int_equal(handshake_initiator_consume_resp(&ini, resp, len, &ik),
			 HS_OK);
	assert_keys_match(&ik, &rk);
	assert_int_equal(ik.version, JVPN_CP_VERSION_MAX);
}

/* ---- preshared key ---- */

/* psk_case(client's, gateway's): the status of the client's RESP check */
static enum hs_status psk_case(struct world *w, const uint8_t *cpsk,
			       const uint8_t *gpsk)
{
	world_make(w);
	w->client_params.psk = cpsk;
	w->gateway_params.psk = gpsk;
	assert_int_equal(start(w), HS_OK);
	assert_int_equal(consume_init(w, w->init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(reply(w), HS_OK);
	return consume_resp(w, w->resp_msg, JVPN_HS_RESP_LEN);
}

/*
 * The same preshared key on both ends: equal keys, unlike those without
 * one. A different key, or one on one end only, fails the client's key
 * confirmation: no session.
 */
static void test_preshared_key(void **state)
{
	static const uint8_t psk_a[32] = { 0xa1, 0xa2 }, psk_b[32] = { 0xb1 };
	uint8_t plain_i2r[32];
	struct world w;

	(void)state;
	world_make(&w);
	handshake(&w);
	memcpy(plain_i2r, w.ini_keys.data_i2r, 32);
	assert_int_equal(psk_case(&w, psk_a, psk_a), HS_OK);
	assert_keys_match(&w.ini_keys, &w.resp_keys);
	assert_memory_not_equal(w.ini_keys.data_i2r, plain_i2r, 32);
	assert_int_equal(psk_case(&w, psk_a, psk_b), HS_ERR_AUTH);
	assert_true(w.ini.pending); /* a forged RESP could not end it either */
	assert_int_equal(psk_case(&w, psk_a, NULL), HS_ERR_AUTH);
	assert_int_equal(psk_case(&w, NULL, psk_b), HS_ERR_AUTH);
	assert_int_equal(psk_case(&w, NULL, NULL), HS_OK);
	assert_memory_equal(w.ini_keys.data_i2r, plain_i2r, 32);
}

/* ---- tampering ---- */

/*
 * Every single-bit flip in INIT up to mac2, with mac1 left alone or
 * recomputed. mac2 is no business of the handshake's: core/cookie.c
 * judges it, before (cookie_test.c).
 */
static void test_tampered_init_refused(void **state)
{
	uint8_t msg[JVPN_HS_INIT_LEN];
	struct world w;
	size_t i;
	int bit, remacked;

	(void)state;
	world_make(&w);
	assert_int_equal(start(&w), HS_OK);
	for (i = 0; i < JVPN_HS_INIT_MAC2_OFF; i++) {
		for (bit = 0; bit < 8; bit++) {
			for (remacked = 0; remacked < 2; remacked++) {
				memcpy(msg, w.init_msg, sizeof(msg));
				msg[i] ^= (uint8_t)(1u << bit);
				if (remacked && i < JVPN_HS_INIT_MAC1_OFF)
					remac(msg, sizeof(msg), w.gateway.pub);
				assert_int_not_equal(
					consume_init(&w, msg, sizeof(msg)),
					HS_OK);
				assert_int_equal(w.table.stores, 0);
				if (!remacked)
					assert_false(handshake_init_mac1_ok(
						w.gateway.pub, msg,
						sizeof(msg)));
			}
		}
	}
	/* forgeries left no mark: the genuine INIT still goes through */
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
}

/* What a flip of each part of INIT (mac1 recomputed) is refused as. */
static void test_tampered_init_reasons(void **state)
{
	static const struct {
		size_t offset;
		uint8_t xor ;
		enum hs_status expected;
	} cases[] = {
		{ 0, 0x03, HS_ERR_MALFORMED }, /* type 1 -> 2 */
		{ 1, 0x01, HS_ERR_MALFORMED }, /* version_min 0 */
		{ 2, 0x02, HS_ERR_AUTH },      /* version_max 3: bound by h */
		{ 3, 0x01, HS_ERR_MALFORMED }, /* reserved */
		{ 4, 0x80, HS_ERR_AUTH },      /* initiator id */
		{ 12, 0x01, HS_ERR_AUTH },     /* ephemeral */
		{ 44, 0x01, HS_ERR_AUTH },     /* encrypted static */
		{ 91, 0x01, HS_ERR_AUTH },     /* its tag */
		{ 92, 0x01, HS_ERR_AUTH },     /* encrypted timestamp */
		{ 119, 0x01, HS_ERR_AUTH },    /* its tag */
	};
	uint8_t msg[JVPN_HS_INIT_LEN];
	struct world w;
	size_t i;

	(void)state;
	world_make(&w);
	assert_int_equal(start(&w), HS_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(msg, w.init_msg, sizeof(msg));
		msg[cases[i].offset] ^= cases[i].xor ;
		remac(msg, sizeof(msg), w.gateway.pub);
		assert_true(handshake_init_mac1_ok(w.gateway.pub, msg,
						   sizeof(msg)) ==
			    (cases[i].offset != 0));
		assert_int_equal(consume_init(&w, msg, sizeof(msg)),
				 cases[i].expected);
		assert_int_equal(w.res.status, cases[i].expected);
		assert_false(w.res.send_reject);
		assert_int_equal(w.res.reason, cases[i].expected == HS_ERR_AUTH
						       ? JVPND_REASON_BAD_PROOF
						       : JVPND_REASON_NONE);
		assert_true(sodium_is_zero((const uint8_t *)&w.resp,
					   sizeof(w.resp)));
	}
}

static void test_tampered_resp_refused(void **state)
{
	uint8_t msg[JVPN_HS_RESP_LEN];
	struct world w;
	size_t i;
	int bit, remacked;

	(void)state;
	world_make(&w);
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(reply(&w), HS_OK);
	for (i = 0; i < JVPN_HS_RESP_LEN; i++) {
		for (bit = 0; bit < 8; bit++) {
			for (remacked = 0; remacked < 2; remacked++) {
				memcpy(msg, w.resp_msg, sizeof(msg));
				msg[i] ^= (uint8_t)(1u << bit);
				if (remacked &&
				    i < JVPN_HS_RESP_LEN - JVPN_HS_MAC1_LEN)
					remac(msg, sizeof(msg), w.client.pub);
				assert_int_not_equal(
					consume_resp(&w, msg, sizeof(msg)),
					HS_OK);
				assert_true(w.ini.pending);
			}
		}
	}
	/* the attempt survived every forgery */
	assert_int_equal(consume_resp(&w, w.resp_msg, JVPN_HS_RESP_LEN), HS_OK);
	assert_keys_match(&w.ini_keys, &w.resp_keys);
}

static void test_tampered_resp_reasons(void **state)
{
	static const struct {
		size_t offset;
		uint8_t xor ;
		bool remac;
		enum hs_status expected;
	} cases[] = {
		{ 0, 0x01, true, HS_ERR_MALFORMED }, /* type */
		{ 1, 0x01, false, HS_ERR_MAC1 },
		{ 1, 0x03, true, HS_ERR_VERSION },   /* 1 -> 2: not offered */
		{ 2, 0x01, true, HS_ERR_MALFORMED }, /* reserved */
		{ 11, 0x01, true, HS_ERR_AUTH }, /* session id: bound by h */
		{ 12, 0x01, true, HS_ERR_UNMATCHED }, /* initiator id */
		{ 20, 0x01, true, HS_ERR_AUTH },      /* ephemeral */
		{ 52, 0x01, true, HS_ERR_AUTH },      /* confirmation tag */
		{ 83, 0x01, false, HS_ERR_MAC1 },
	};
	uint8_t msg[JVPN_HS_RESP_LEN];
	struct world w;
	size_t i;

	(void)state;
	world_make(&w);
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(reply(&w), HS_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(msg, w.resp_msg, sizeof(msg));
		msg[cases[i].offset] ^= cases[i].xor ;
		if (cases[i].remac)
			remac(msg, sizeof(msg), w.client.pub);
		assert_int_equal(consume_resp(&w, msg, sizeof(msg)),
				 cases[i].expected);
	}
	/* a session id of zero is refused even with a valid mac1 */
	memcpy(msg, w.resp_msg, sizeof(msg));
	memset(msg + 4, 0, 8);
	remac(msg, sizeof(msg), w.client.pub);
	assert_int_equal(consume_resp(&w, msg, sizeof(msg)), HS_ERR_MALFORMED);
}

/* ---- who may talk ---- */

static void test_wrong_gateway_key_refused_before_dh(void **state)
{
	struct party other;
	struct world w;
	uint8_t msg[JVPN_HS_INIT_LEN];

	(void)state;
	world_make(&w);
	party_make(&other, 0x33);
	/* the client pinned another gateway's key */
	memcpy(w.gateway.pub, other.pub, JVPN_KEY_LEN);
	assert_int_equal(start(&w), HS_OK);
	party_make(&w.gateway, 0x22);
	assert_false(handshake_init_mac1_ok(w.gateway.pub, w.init_msg,
					    JVPN_HS_INIT_LEN));
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_MAC1);
	assert_int_equal(w.table.calls, 0);
	assert_false(w.res.offer_valid);
	assert_false(w.res.send_reject);
	assert_int_equal(w.res.reason, JVPND_REASON_NONE);

	/*
	 * Proof of the order: the same INIT with an ephemeral of small order
	 * fails X25519 once mac1 is right (AUTH), yet with mac1 wrong it is
	 * refused as MAC1, so no X25519 ran.
	 */
	memcpy(msg, w.init_msg, sizeof(msg));
	memset(msg + 12, 0, JVPN_KEY_LEN);
	assert_int_equal(consume_init(&w, msg, sizeof(msg)), HS_ERR_MAC1);
	remac(msg, sizeof(msg), w.gateway.pub);
	assert_int_equal(consume_init(&w, msg, sizeof(msg)), HS_ERR_AUTH);
	assert_int_equal(w.table.calls, 0);
}

/* An unknown key is refused in silence: a REJECT would tell anyone with
 * the gateway's public key whether a key is on the allowed list. */
static void test_unknown_client_refused(void **state)
{
	uint8_t reject[JVPN_HS_REJECT_LEN];
	size_t len = sizeof(reject);
	struct world w;

	(void)state;
	world_make(&w);
	w.table.n = 0;
	assert_int_equal(start(&w), HS_OK);
	assert_true(handshake_init_mac1_ok(w.gateway.pub, w.init_msg,
					   JVPN_HS_INIT_LEN));
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_UNKNOWN_PEER);
	assert_int_equal(w.res.reason, JVPND_REASON_UNKNOWN_PEER);
	assert_false(w.res.send_reject);
	assert_true(w.res.has_peer_pub);
	assert_memory_equal(w.res.peer_pub, w.client.pub, JVPN_KEY_LEN);
	assert_int_equal(w.table.stores, 0);
	assert_int_equal(reply(&w), HS_ERR_STATE);
	assert_int_equal(handshake_responder_reject(&w.res, &w.gateway_params,
						    reject, &len),
			 HS_ERR_STATE);
	/* not even when a caller insists */
	w.res.send_reject = true;
	assert_int_equal(handshake_responder_reject(&w.res, &w.gateway_params,
						    reject, &len),
			 HS_ERR_STATE);
}

static void test_replayed_init_refused(void **state)
{
	uint8_t first[JVPN_HS_INIT_LEN], reject[JVPN_HS_REJECT_LEN];
	size_t len = sizeof(reject);
	struct world w;

	(void)state;
	world_make(&w);
	assert_int_equal(start(&w), HS_OK);
	memcpy(first, w.init_msg, sizeof(first));
	assert_int_equal(consume_init(&w, first, sizeof(first)), HS_OK);

	/* the same bytes again */
	assert_int_equal(consume_init(&w, first, sizeof(first)), HS_ERR_REPLAY);
	assert_int_equal(w.res.reason, JVPND_REASON_REPLAYED_HANDSHAKE);
	assert_false(w.res.send_reject);
	assert_int_equal(handshake_responder_reject(&w.res, &w.gateway_params,
						    reject, &len),
			 HS_ERR_STATE);
	assert_int_equal(reply(&w), HS_ERR_STATE);

	/* a new INIT with the same timestamp, or an older one */
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_REPLAY);
	w.now.nsec--;
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_REPLAY);
	assert_int_equal(w.table.stores, 1);

	/* one nanosecond later than the greatest seen is accepted */
	w.now.nsec += 2;
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(w.table.peer[0].ts.nsec, 123456790);
	assert_int_equal(w.table.stores, 2);
	/* and the first one stays refused */
	assert_int_equal(consume_init(&w, first, sizeof(first)), HS_ERR_REPLAY);
}

static void test_replay_across_seconds(void **state)
{
	struct world w;

	(void)state;
	world_make(&w);
	w.table.peer[0].has_ts = true;
	w.table.peer[0].ts = (struct hs_time){ 1700000000, 999999999 };
	/* a later second with fewer nanoseconds is later */
	w.now = (struct hs_time){ 1700000001, 0 };
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	w.now = (struct hs_time){ 1700000000, 999999999 };
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_REPLAY);
}

/* A client clock ahead of the gateway's bound is refused, and its time is
 * not stored: the peer is not locked out once its clock is right. */
static void test_future_timestamp_refused(void **state)
{
	struct hs_time latest = { 1700000600, 0 };
	struct world w;

	(void)state;
	world_make(&w);
	w.gateway_params.latest = &latest;
	w.now = (struct hs_time){ 1700000600, 1 };
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_FUTURE);
	assert_int_equal(w.res.reason, JVPND_REASON_STALE_TIMESTAMP);
	assert_false(w.res.send_reject);
	assert_int_equal(w.table.stores, 0);
	assert_int_equal(reply(&w), HS_ERR_STATE);
	/* the corrected clock gets in */
	w.now = (struct hs_time){ 1700000000, 0 };
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(w.table.stores, 1);
	/* exactly at the bound is not after it */
	w.now = latest;
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
}

/* ---- versions ---- */

static void negotiate(struct world *w, uint8_t cmin, uint8_t cmax, uint8_t gmin,
		      uint8_t gmax)
{
	world_make(w);
	w->client_params.version_min = cmin;
	w->client_params.version_max = cmax;
	w->gateway_params.version_min = gmin;
	w->gateway_params.version_max = gmax;
	assert_int_equal(start(w), HS_OK);
}

static void test_version_overlap(void **state)
{
	static const uint8_t cases[][5] = {
		/* client min, max, gateway min, max, chosen */
		{ 1, 3, 2, 5, 3 },
		{ 2, 2, 1, 4, 2 },
		{ 1, 9, 1, 1, 1 },
		{ 4, 255, 1, 200, 200 },
	};
	struct world w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		negotiate(&w, cases[i][0], cases[i][1], cases[i][2],
			  cases[i][3]);
		assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
				 HS_OK);
		assert_int_equal(w.res.version, cases[i][4]);
		assert_int_equal(reply(&w), HS_OK);
		assert_int_equal(w.resp_msg[1], cases[i][4]);
		assert_int_equal(consume_resp(&w, w.resp_msg, JVPN_HS_RESP_LEN),
				 HS_OK);
		assert_int_equal(w.ini_keys.version, cases[i][4]);
		assert_keys_match(&w.ini_keys, &w.resp_keys);
	}
}

static void test_version_none_common(void **state)
{
	uint8_t reject[JVPN_HS_REJECT_LEN];
	size_t len = sizeof(reject);
	struct hs_reject rej;
	struct world w;

	(void)state;
	negotiate(&w, 3, 4, 1, 2);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_VERSION);
	/* decided before any X25519 and before the client table */
	assert_int_equal(w.table.calls, 0);
	assert_false(w.res.has_peer_pub);
	assert_true(w.res.offer_valid);
	assert_true(w.res.send_reject);
	assert_int_equal(w.res.reason, JVPND_REASON_VERSION_MISMATCH);
	assert_int_equal(w.res.version_min, 3);
	assert_int_equal(w.res.version_max, 4);

	assert_int_equal(handshake_responder_reject(&w.res, &w.gateway_params,
						    reject, &len),
			 HS_OK);
	assert_int_equal(reject[1], 1);
	assert_int_equal(reject[2], 2);
	assert_int_equal(reject[12], 0);
	assert_int_equal(reject[13], JVPND_REASON_VERSION_MISMATCH);
	assert_int_equal(
		handshake_initiator_consume_reject(&w.ini, reject, len, &rej),
		HS_OK);
	assert_int_equal(rej.reason, JVPND_REASON_VERSION_MISMATCH);
	assert_int_equal(rej.version_min, 1);
	assert_int_equal(rej.version_max, 2);
	assert_true(w.ini.pending); /* the caller decides to give up */
}

/* A man in the middle cannot talk both ends down to an older version. */
static void test_version_downgrade_detected(void **state)
{
	struct world w;

	(void)state;
	negotiate(&w, 1, 3, 1, 3);
	w.init_msg[2] = 1; /* version_max 3 -> 1 */
	remac(w.init_msg, JVPN_HS_INIT_LEN, w.gateway.pub);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_AUTH);

	negotiate(&w, 1, 3, 1, 3);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(reply(&w), HS_OK);
	w.resp_msg[1] = 1; /* chosen 3 -> 1 */
	remac(w.resp_msg, JVPN_HS_RESP_LEN, w.client.pub);
	assert_int_equal(consume_resp(&w, w.resp_msg, JVPN_HS_RESP_LEN),
			 HS_ERR_AUTH);
}

/* ---- REJECT: what the client believes ---- */

static void make_reject(uint8_t *msg, uint8_t gmin, uint8_t gmax, uint64_t id,
			uint16_t reason)
{
	int i;

	msg[0] = JVPN_MSG_HANDSHAKE_REJECT;
	msg[1] = gmin;
	msg[2] = gmax;
	msg[3] = 0;
	for (i = 0; i < 8; i++)
		msg[4 + i] = (uint8_t)(id >> (56 - 8 * i));
	msg[12] = (uint8_t)(reason >> 8);
	msg[13] = (uint8_t)reason;
}

static void test_reject_checks(void **state)
{
	uint8_t msg[JVPN_HS_REJECT_LEN + 1];
	struct hs_reject rej;
	struct world w;
	uint64_t id;

	(void)state;
	negotiate(&w, 1, 2, 1, 2);
	id = w.ini.initiator_id;

	make_reject(msg, 3, 4, id, JVPND_REASON_VERSION_MISMATCH);
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN, &rej),
			 HS_OK);
	/* another attempt's */
	make_reject(msg, 3, 4, id ^ 1, JVPND_REASON_VERSION_MISMATCH);
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN, &rej),
			 HS_ERR_UNMATCHED);
	/* a "mismatch" between ranges that overlap is not believed */
	make_reject(msg, 2, 4, id, JVPND_REASON_VERSION_MISMATCH);
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN, &rej),
			 HS_ERR_MALFORMED);
	/* reasons a gateway never sends in a REJECT */
	make_reject(msg, 1, 2, id, JVPND_REASON_REPLAYED_HANDSHAKE);
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN, &rej),
			 HS_ERR_MALFORMED);
	make_reject(msg, 1, 2, id, 0x100 | JVPND_REASON_UNKNOWN_PEER);
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN, &rej),
			 HS_ERR_MALFORMED);
	/* bad range, reserved byte, length */
	make_reject(msg, 2, 1, id, JVPND_REASON_UNKNOWN_PEER);
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN, &rej),
			 HS_ERR_MALFORMED);
	make_reject(msg, 1, 2, id, JVPND_REASON_UNKNOWN_PEER);
	msg[3] = 1;
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN, &rej),
			 HS_ERR_MALFORMED);
	msg[3] = 0;
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN + 1, &rej),
			 HS_ERR_MALFORMED);
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN - 1, &rej),
			 HS_ERR_MALFORMED);
	assert_int_equal(handshake_initiator_consume_reject(
				 &w.ini, msg, JVPN_HS_REJECT_LEN, &rej),
			 HS_OK);
}

/* Only VERSION results are ever answered. */
static void test_reject_only_after_mac1(void **state)
{
	uint8_t out[JVPN_HS_REJECT_LEN];
	struct hs_result res;
	struct world w;
	size_t len;
	int s;

	(void)state;
	world_make(&w);
	for (s = HS_OK; s <= HS_ERR_FUTURE; s++) {
		memset(&res, 0, sizeof(res));
		res.status = (enum hs_status)s;
		res.send_reject = true;
		res.offer_valid = true;
		len = sizeof(out);
		assert_int_equal(
			handshake_responder_reject(&res, NULL, out, &len),
			s == HS_ERR_VERSION ? HS_OK : HS_ERR_STATE);
	}
	/* an INIT that failed mac1 produces a result that cannot be answered */
	assert_int_equal(start(&w), HS_OK);
	w.init_msg[50] ^= 1;
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_MAC1);
	len = sizeof(out);
	assert_int_equal(handshake_responder_reject(&w.res, NULL, out, &len),
			 HS_ERR_STATE);
	/* short output buffer */
	res.status = HS_ERR_VERSION;
	len = JVPN_HS_REJECT_LEN - 1;
	assert_int_equal(handshake_responder_reject(&res, NULL, out, &len),
			 HS_ERR_PARAM);
}

/* ---- lengths ---- */

static void test_truncated_and_oversized(void **state)
{
	uint8_t big[2 * JVPN_HS_INIT_LEN];
	struct world w;
	size_t len;

	(void)state;
	world_make(&w);
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(reply(&w), HS_OK);
	w.table.peer[0].has_ts = false;

	memset(big, 0, sizeof(big));
	memcpy(big, w.init_msg, JVPN_HS_INIT_LEN);
	for (len = 0; len < sizeof(big); len++) {
		if (len == JVPN_HS_INIT_LEN)
			continue;
		assert_false(handshake_init_mac1_ok(w.gateway.pub, big, len));
		assert_int_equal(consume_init(&w, big, len), HS_ERR_MALFORMED);
	}
	assert_int_equal(consume_init(&w, NULL, 0), HS_ERR_MALFORMED);
	assert_int_equal(w.table.calls, 3); /* from the one good INIT */

	memcpy(big, w.resp_msg, JVPN_HS_RESP_LEN);
	for (len = 0; len < sizeof(big); len++) {
		if (len == JVPN_HS_RESP_LEN)
			continue;
		assert_int_equal(consume_resp(&w, big, len), HS_ERR_MALFORMED);
	}
	assert_int_equal(consume_resp(&w, NULL, 0), HS_ERR_MALFORMED);
	assert_true(w.ini.pending);
	assert_int_equal(consume_resp(&w, w.resp_msg, JVPN_HS_RESP_LEN), HS_OK);
}

static void test_peek_initiator_id(void **state)
{
	struct world w;
	uint64_t id = 0;

	(void)state;
	world_make(&w);
	handshake(&w);
	assert_true(
		handshake_peek_initiator_id(w.resp_msg, JVPN_HS_RESP_LEN, &id));
	assert_int_equal(id, w.res.initiator_id);
	assert_false(handshake_peek_initiator_id(w.resp_msg,
						 JVPN_HS_RESP_LEN - 1, &id));
	assert_false(
		handshake_peek_initiator_id(w.init_msg, JVPN_HS_INIT_LEN, &id));
}

/* ---- state and arguments ---- */

static void test_state_misuse(void **state)
{
	uint8_t old_resp[JVPN_HS_RESP_LEN];
	struct world w;

	(void)state;
	world_make(&w);
	/* no INIT sent: nothing to consume */
	assert_int_equal(consume_resp(&w, w.resp_msg, JVPN_HS_RESP_LEN),
			 HS_ERR_STATE);
	/* no INIT accepted: nothing to reply */
	assert_int_equal(reply(&w), HS_ERR_STATE);
	handshake(&w);
	/* a RESP consumed twice */
	assert_int_equal(consume_resp(&w, w.resp_msg, JVPN_HS_RESP_LEN),
			 HS_ERR_STATE);
	/* an old RESP, mac1 right, reaching a newer attempt */
	memcpy(old_resp, w.resp_msg, sizeof(old_resp));
	w.now.sec++;
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_resp(&w, old_resp, JVPN_HS_RESP_LEN),
			 HS_ERR_UNMATCHED);
	/* a reply is sent once */
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	assert_int_equal(reply(&w), HS_OK);
	assert_int_equal(reply(&w), HS_ERR_STATE);
}

static void test_bad_arguments(void **state)
{
	static const uint8_t small_order[JVPN_KEY_LEN]; /* all zero */
	struct hs_peer_ops partial = peer_ops;
	uint8_t out[JVPN_HS_INIT_LEN];
	struct world w;
	size_t len;

	(void)state;
	world_make(&w);
	len = JVPN_HS_INIT_LEN - 1;
	assert_int_equal(handshake_initiator_start(&w.ini, w.client.priv,
						   w.client.pub, w.gateway.pub,
						   &w.now, &w.client_params,
						   out, &len),
			 HS_ERR_PARAM);
	assert_int_equal(len, JVPN_HS_INIT_LEN - 1);
	w.now.nsec = 1000000000;
	assert_int_equal(start(&w), HS_ERR_PARAM);
	w.now = (struct hs_time){ UINT64_C(1) << 62, 0 };
	assert_int_equal(start(&w), HS_ERR_PARAM);
	world_make(&w);
	w.client_params.version_min = 0;
	assert_int_equal(start(&w), HS_ERR_PARAM);
	w.client_params =
		(struct hs_params){ 3, 2, rng_fill, &w.client_rng, NULL, NULL };
	assert_int_equal(start(&w), HS_ERR_PARAM);
	assert_true(sodium_is_zero((const uint8_t *)&w.ini, sizeof(w.ini)));

	/* a pinned gateway key of small order gives no secret: refused */
	world_make(&w);
	memcpy(w.gateway.pub, small_order, JVPN_KEY_LEN);
	assert_int_equal(start(&w), HS_ERR_PARAM);
	assert_false(w.ini.pending);

	/* the gateway needs all three callbacks and a valid range */
	world_make(&w);
	assert_int_equal(start(&w), HS_OK);
	partial.store_timestamp = NULL;
	assert_int_equal(handshake_responder_consume_init(
				 &w.resp, w.gateway.priv, w.gateway.pub, NULL,
				 &partial, &w.table, w.init_msg,
				 JVPN_HS_INIT_LEN, &w.res),
			 HS_ERR_PARAM);
	w.gateway_params.version_max = 0;
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN),
			 HS_ERR_PARAM);
	w.gateway_params.version_max = 1;
	assert_int_equal(handshake_responder_consume_init(
				 &w.resp, w.gateway.priv, w.gateway.pub, NULL,
				 &peer_ops, &w.table, w.init_msg,
				 JVPN_HS_INIT_LEN, NULL),
			 HS_ERR_PARAM);

	/* session id 0 is never assigned; a refused reply ends the state */
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	w.session_id = 0;
	assert_int_equal(reply(&w), HS_ERR_PARAM);
	assert_int_equal(reply(&w), HS_ERR_STATE);
	w.now.sec++;
	assert_int_equal(start(&w), HS_OK);
	assert_int_equal(consume_init(&w, w.init_msg, JVPN_HS_INIT_LEN), HS_OK);
	w.session_id = 9;
	len = JVPN_HS_RESP_LEN - 1;
	assert_int_equal(handshake_responder_reply(&w.resp, w.session_id, NULL,
						   w.resp_msg, &len,
						   &w.resp_keys),
			 HS_ERR_PARAM);
	assert_int_equal(handshake_initiator_consume_resp(NULL, w.resp_msg,
							  JVPN_HS_RESP_LEN,
							  &w.ini_keys),
			 HS_ERR_PARAM);
}

/* ---- rotation ---- */

static void test_rotation(void **state)
{
	struct handshake_keys i1, r1, i2, r2;
	struct world w;

	(void)state;
	world_make(&w);
	handshake(&w);
	assert_int_equal(handshake_rotate(&w.ini_keys, 1, &i1), HS_OK);
	assert_int_equal(handshake_rotate(&w.resp_keys, 1, &r1), HS_OK);
	assert_keys_match(&i1, &r1);
	assert_int_equal(i1.generation, 1);
	assert_true(i1.initiator);
	assert_false(r1.initiator);
	/* new data keys and chain; control, session and version stay */
	assert_memory_not_equal(i1.data_i2r, w.ini_keys.data_i2r, JVPN_KEY_LEN);
	assert_memory_not_equal(i1.data_r2i, w.ini_keys.data_r2i, JVPN_KEY_LEN);
	assert_memory_not_equal(i1.chain, w.ini_keys.chain, JVPN_KEY_LEN);
	assert_memory_equal(i1.control, w.ini_keys.control, JVPN_KEY_LEN);
	assert_int_equal(i1.session_id, w.ini_keys.session_id);
	assert_int_equal(i1.version, w.ini_keys.version);
	assert_memory_not_equal(i1.data_i2r, i1.data_r2i, JVPN_KEY_LEN);
	assert_memory_not_equal(i1.data_i2r, i1.control, JVPN_KEY_LEN);
	assert_memory_not_equal(i1.data_r2i, i1.control, JVPN_KEY_LEN);

	assert_int_equal(handshake_rotate(&i1, 2, &i2), HS_OK);
	assert_int_equal(handshake_rotate(&r1, 2, &r2), HS_OK);
	assert_keys_match(&i2, &r2);
	assert_memory_not_equal(i2.data_i2r, i1.data_i2r, JVPN_KEY_LEN);
	assert_memory_not_equal(i2.data_i2r, w.ini_keys.data_i2r, JVPN_KEY_LEN);

	/* in place gives the same as into another struct */
	assert_int_equal(handshake_rotate(&r1, 2, &r1), HS_OK);
	assert_keys_match(&r1, &i2);
}

static void test_rotation_generation_checked(void **state)
{
	struct handshake_keys next, wrapped;
	struct world w;

	(void)state;
	world_make(&w);
	handshake(&w);
	memset(&next, 0x5a, sizeof(next));
	assert_int_equal(handshake_rotate(&w.ini_keys, 0, &next), HS_ERR_PARAM);
	assert_int_equal(handshake_rotate(&w.ini_keys, 2, &next), HS_ERR_PARAM);
	assert_int_equal(next.generation, 0x5a5a5a5a); /* untouched */
	wrapped = w.ini_keys;
	wrapped.generation = UINT32_MAX;
	assert_int_equal(handshake_rotate(&wrapped, 0, &next), HS_ERR_PARAM);
	assert_int_equal(handshake_rotate(NULL, 1, &next), HS_ERR_PARAM);
	handshake_keys_wipe(&wrapped);
	assert_true(sodium_is_zero((const uint8_t *)&wrapped, sizeof(wrapped)));
}

/* ---- the document's formulas, recomputed with libsodium alone ---- */

static void t_hash(uint8_t out[32], const void *a, size_t a_len, const void *b,
		   size_t b_len)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, a, a_len);
	crypto_generichash_update(&st, b, b_len);
	crypto_generichash_final(&st, out, 32);
}

static void t_prf(uint8_t out[32], const uint8_t key[32], const void *in,
		  size_t len)
{
	crypto_generichash(out, 32, in, len, key, 32);
}

static void t_prf_label(uint8_t out[32], const uint8_t key[32],
			const char *label)
{
	t_prf(out, key, label, strlen(label));
}

/* ck, k = KDF2(ck, in); k may be NULL */
static void t_kdf(uint8_t ck[32], const uint8_t *in, size_t len, uint8_t k[32])
{
	uint8_t prk[32], t1[32], t2_in[33];

	t_prf(prk, ck, in, len);
	t_prf(t1, prk, (const uint8_t *)"\x01", 1);
	memcpy(t2_in, t1, 32);
	t2_in[32] = 2;
	if (k)
		t_prf(k, prk, t2_in, 33);
	memcpy(ck, t1, 32);
}

static void t_mix_dh(uint8_t ck[32], const uint8_t priv[32],
		     const uint8_t pub[32], uint8_t k[32])
{
	uint8_t shared[32];

	assert_int_equal(crypto_scalarmult(shared, priv, pub), 0);
	t_kdf(ck, shared, 32, k);
}

/* checks that sealed == AEAD(k, 0, plain, ad = h), then h = HASH(h||sealed) */
static void t_expect_sealed(uint8_t h[32], const uint8_t k[32],
			    const uint8_t *plain, size_t plain_len,
			    const uint8_t *sealed)
{
	static const uint8_t nonce[12];
	uint8_t expected[64];

	crypto_aead_chacha20poly1305_ietf_encrypt(
		expected, NULL, plain, plain_len, h, 32, NULL, nonce, k);
	assert_memory_equal(sealed, expected, plain_len + 16);
	t_hash(h, h, 32, sealed, plain_len + 16);
}

static void t_expect_mac1(const uint8_t *msg, size_t len,
			  const uint8_t receiver_pub[32])
{
	uint8_t key[32], mac[16];

	t_hash(key, "mac1----", 8, receiver_pub, 32);
	if (len == JVPN_HS_INIT_LEN) /* mac1, then mac2: zero, no cookie */
		len = JVPN_HS_INIT_MAC2_OFF;
	crypto_generichash(mac, 16, msg, len - 16, key, 32);
	assert_memory_equal(msg + len - 16, mac, 16);
}

static void t_expect_ephemeral(uint8_t ck[32], uint8_t h[32],
			       const uint8_t priv[32], const uint8_t *wire)
{
	uint8_t pub[32];

	assert_int_equal(crypto_scalarmult_base(pub, priv), 0);
	assert_memory_equal(wire, pub, 32);
	t_hash(h, h, 32, pub, 32);
	t_kdf(ck, pub, 32, NULL);
}

static void test_spec_derivation(void **state)
{
	static const char name[] =
		"Jumping VPN handshake 1: Noise_IK X25519 ChaChaPoly BLAKE2b";
	uint8_t ck[32], h[32], k[32], seed[32], key[32], e_i[32], e_r[32];
	uint8_t ts[12], rotate_in[17];
	const uint8_t *init, *resp;
	struct handshake_keys next;
	struct world w;

	(void)state;
	world_make(&w);
	handshake(&w);
	init = w.init_msg;
	resp = w.resp_msg;
	memcpy(e_i, w.client_rng.log[1], 32);
	keys_clamp_private(e_i);
	memcpy(e_r, w.gateway_rng.log[0], 32);
	keys_clamp_private(e_r);

	/* INIT = e, es, s, ss, {timestamp} */
	assert_memory_equal(init, "\x01\x01\x01\x00", 4);
	assert_memory_equal(init + 4, w.client_rng.log[0], 8);
	t_hash(ck, name, strlen(name), "", 0);
	t_hash(h, ck, 32, w.gateway.pub, 32);
	t_hash(h, h, 32, init, 12);
	t_expect_ephemeral(ck, h, e_i, init + 12);
	t_mix_dh(ck, e_i, w.gateway.pub, k);
	t_expect_sealed(h, k, w.client.pub, 32, init + 44);
	t_mix_dh(ck, w.client.priv, w.gateway.pub, k);
	memcpy(ts, "\x40\x00\x00\x00\x65\x53\xf1\x00\x07\x5b\xcd\x15", 12);
	t_expect_sealed(h, k, ts, 12, init + 92);
	t_expect_mac1(init, JVPN_HS_INIT_LEN, w.gateway.pub);
	assert_true(
		sodium_is_zero(init + JVPN_HS_INIT_MAC2_OFF, JVPN_HS_MAC2_LEN));

	/* RESP = e, ee, se, {} */
	assert_memory_equal(
		resp, "\x02\x01\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08", 12);
	assert_memory_equal(resp + 12, init + 4, 8);
	t_hash(h, h, 32, resp, 20);
	t_expect_ephemeral(ck, h, e_r, resp + 20);
	t_mix_dh(ck, e_r, init + 12, NULL);
	t_mix_dh(ck, e_r, w.client.pub, k);
	t_expect_sealed(h, k, (const uint8_t *)"", 0, resp + 52);
	t_expect_mac1(resp, JVPN_HS_RESP_LEN, w.client.pub);

	/* Split */
	t_prf(seed, ck, h, 32);
	t_prf_label(key, seed, "jvpn 1 data initiator->responder");
	assert_memory_equal(w.ini_keys.data_i2r, key, 32);
	t_prf_label(key, seed, "jvpn 1 data responder->initiator");
	assert_memory_equal(w.ini_keys.data_r2i, key, 32);
	t_prf_label(key, seed, "jvpn 1 control");
	assert_memory_equal(w.ini_keys.control, key, 32);
	t_prf_label(key, seed, "jvpn 1 chain");
	assert_memory_equal(w.ini_keys.chain, key, 32);

	/* Rotation to generation 1 */
	memcpy(rotate_in, "jvpn 1 rotate\x00\x00\x00\x01", 17);
	t_prf(seed, w.ini_keys.chain, rotate_in, 17);
	assert_int_equal(handshake_rotate(&w.ini_keys, 1, &next), HS_OK);
	t_prf_label(key, seed, "jvpn 1 data initiator->responder");
	assert_memory_equal(next.data_i2r, key, 32);
	t_prf_label(key, seed, "jvpn 1 data responder->initiator");
	assert_memory_equal(next.data_r2i, key, 32);
	t_prf_label(key, seed, "jvpn 1 chain");
	assert_memory_equal(next.chain, key, 32);
}

static void test_names_and_reasons(void **state)
{
	const char *names[HS_ERR_FUTURE + 1];
	int s, t;

	(void)state;
	for (s = HS_OK; s <= HS_ERR_FUTURE; s++) {
		names[s] = handshake_status_name((enum hs_status)s);
		assert_string_not_equal(names[s], "unknown");
		for (t = 0; t < s; t++)
			assert_string_not_equal(names[s], names[t]);
	}
	assert_string_equal(handshake_status_name(HS_ERR_MAC1), "mac1");
	assert_int_equal(handshake_status_reason(HS_OK), JVPND_REASON_NONE);
	assert_int_equal(handshake_status_reason(HS_ERR_MAC1),
			 JVPND_REASON_NONE);
	assert_int_equal(handshake_status_reason(HS_ERR_MALFORMED),
			 JVPND_REASON_NONE);
	assert_int_equal(handshake_status_reason(HS_ERR_VERSION),
			 JVPND_REASON_VERSION_MISMATCH);
	assert_int_equal(handshake_status_reason(HS_ERR_UNKNOWN_PEER),
			 JVPND_REASON_UNKNOWN_PEER);
	assert_int_equal(handshake_status_reason(HS_ERR_REPLAY),
			 JVPND_REASON_REPLAYED_HANDSHAKE);
	assert_int_equal(handshake_status_reason(HS_ERR_AUTH),
			 JVPND_REASON_BAD_PROOF);
	assert_true(hs_time_after(&(struct hs_time){ 2, 0 },
				  &(struct hs_time){ 1, 999999999 }));
	assert_false(hs_time_after(&(struct hs_time){ 1, 5 },
				   &(struct hs_time){ 1, 5 }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preshared_key),
		cmocka_unit_test(test_full_handshake_keys_match),
		cmocka_unit_test(test_keys_distinct),
		cmocka_unit_test(test_fresh_ephemerals_fresh_keys),
		cmocka_unit_test(test_default_params),
		cmocka_unit_test(test_tampered_init_refused),
		cmocka_unit_test(test_tampered_init_reasons),
		cmocka_unit_test(test_tampered_resp_refused),
		cmocka_unit_test(test_tampered_resp_reasons),
		cmocka_unit_test(test_wrong_gateway_key_refused_before_dh),
		cmocka_unit_test(test_unknown_client_refused),
		cmocka_unit_test(test_replayed_init_refused),
		cmocka_unit_test(test_replay_across_seconds),
		cmocka_unit_test(test_future_timestamp_refused),
		cmocka_unit_test(test_version_overlap),
		cmocka_unit_test(test_version_none_common),
		cmocka_unit_test(test_version_downgrade_detected),
		cmocka_unit_test(test_reject_checks),
		cmocka_unit_test(test_reject_only_after_mac1),
		cmocka_unit_test(test_truncated_and_oversized),
		cmocka_unit_test(test_peek_initiator_id),
		cmocka_unit_test(test_state_misuse),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_rotation_generation_checked),
		cmocka_unit_test(test_spec_derivation),
		cmocka_unit_test(test_names_and_reasons),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
