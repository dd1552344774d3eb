// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for the handshake's parsers (daemon/core/handshake.c) and
 * the key text parser (lib/key.c), with a fixed key set.
 *
 * The first input byte picks a target; the rest is the message. Random
 * bytes rarely carry a valid mac1, so some targets recompute mac1 (as any
 * attacker who knows the receiver's public key can) to drive the fuzzer
 * into the version, X25519 and AEAD code behind it. Other targets check
 * properties: a genuine message xor the input (mac1 recomputed) is refused
 * exactly when a covered byte changed; a handshake whose versions, time,
 * ids and randomness come from the input ends with equal keys on both ends,
 * or with the one refusal its inputs call for. A violated property traps.
 *
 * The cookie targets (daemon/core/cookie.c) feed HANDSHAKE_COOKIE bytes
 * to a client that sent the fixture's INIT, flip a genuine reply (opened
 * exactly when unchanged), and judge an INIT's mac2 for a source taken
 * from the input (accepted exactly when keyed with that source's cookie).
 *
 * The fresh handshake's envelope (daemon/core/rehandshake.c) gets raw
 * bytes, and a genuine envelope xor the input, which must open exactly
 * when unchanged.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined (see the Makefile).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "handshake.h"
#include "rehandshake.h"
#include "key.h"

enum target {
	T_INIT_RAW,	  /* bytes -> responder, as they are */
	T_INIT_REMAC,	  /* bytes -> responder, mac1 made valid */
	T_RESP_RAW,	  /* bytes -> pending initiator */
	T_RESP_REMAC,	  /* ... with its initiator id and mac1 made valid */
	T_REJECT_RAW,	  /* bytes -> pending initiator's reject check */
	T_REJECT_MATCHED, /* ... with its initiator id made valid */
	T_INIT_FLIP,	  /* genuine INIT xor bytes, remac: property */
	T_RESP_FLIP,	  /* genuine RESP xor bytes, remac: property */
	T_ROUND_TRIP,	  /* bytes choose versions, time, ids: property */
	T_KEY_TEXT,	  /* bytes -> key_from_base64 */
	T_COOKIE_RAW,	  /* bytes -> client that sent template_init */
	T_COOKIE_FLIP,	  /* genuine COOKIE xor bytes: property */
	T_MAC2,		  /* source and mac2 from bytes: property */
	T_REHS_RAW,	  /* bytes -> REHANDSHAKE_INIT / _RESP envelope */
	T_REHS_FLIP,	  /* genuine envelope xor bytes: property */
	T_COUNT,
};

struct fixture {
	uint8_t gw_priv[32], gw_pub[32];
	uint8_t cl_priv[32], cl_pub[32];
	struct hs_initiator pending; /* sent template_init */
	uint8_t template_init[JVPN_HS_INIT_LEN];
	uint8_t template_resp[JVPN_HS_RESP_LEN];
};

static struct fixture fx;

/* ---- the gateway's client table: one allowed client, fresh per input ---- */

struct table {
	bool refuse_client; /* the client is not on the list */
	bool has_ts;
	struct hs_time ts;
};

static bool is_allowed(void *ctx, const uint8_t pub[JVPN_KEY_LEN])
{
	const struct table *t = ctx;

	return !t->refuse_client && memcmp(pub, fx.cl_pub, 32) == 0;
}

static bool last_timestamp(void *ctx, const uint8_t pub[JVPN_KEY_LEN],
			   struct hs_time *greatest)
{
	struct table *t = ctx;

	(void)pub;
	*greatest = t->ts;
	return t->has_ts;
}

static void store_timestamp(void *ctx, const uint8_t pub[JVPN_KEY_LEN],
			    const struct hs_time *ts)
{
	struct table *t = ctx;

	(void)pub;
	t->has_ts = true;
	t->ts = *ts;
}

static const struct hs_peer_ops ops = { is_allowed, last_timestamp,
					store_timestamp };

/* ---- deterministic randomness ---- */

struct rng {
	uint64_t counter;
};

static void rng_fill(void *ctx, void *buf, size_t len)
{
	struct rng *r = ctx;
	uint8_t seed[randombytes_SEEDBYTES] = { 0 };

	memcpy(seed, &r->counter, sizeof(r->counter));
	r->counter++;
	randombytes_buf_deterministic(buf, len, seed);
}

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/* mac1 as the protocol document defines it */
static void remac(uint8_t *msg, size_t len, const uint8_t receiver_pub[32])
{
	crypto_generichash_state st;
	uint8_t key[32];

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"mac1----", 8);
	crypto_generichash_update(&st, receiver_pub, 32);
	crypto_generichash_final(&st, key, 32);
	if (len == JVPN_HS_INIT_LEN) /* an INIT's mac1 precedes its mac2 */
		len = JVPN_HS_INIT_MAC2_OFF;
	crypto_generichash(msg + len - JVPN_HS_MAC1_LEN, JVPN_HS_MAC1_LEN, msg,
			   len - JVPN_HS_MAC1_LEN, key, 32);
}

static void make_party(uint8_t priv[32], uint8_t pub[32], uint8_t seed)
{
	memset(priv, seed, 32);
	keys_clamp_private(priv);
	check(keys_public_from_private(priv, pub) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rng crng = { 1 }, grng = { 2 };
	struct hs_params cp = { 1, 1, rng_fill, &crng, NULL, NULL };
	struct hs_params gp = { 1, 1, rng_fill, &grng, NULL, NULL };
	struct hs_time now = { 1700000000, 1 };
	struct handshake_keys keys;
	struct hs_responder rs;
	struct hs_result res;
	struct table t = { 0 };
	size_t len;

	(void)argc;
	(void)argv;
	check(sodium_init() >= 0);
	make_party(fx.gw_priv, fx.gw_pub, 0x22);
	make_party(fx.cl_priv, fx.cl_pub, 0x11);
	len = sizeof(fx.template_init);
	check(handshake_initiator_start(&fx.pending, fx.cl_priv, fx.cl_pub,
					fx.gw_pub, &now, &cp, fx.template_init,
					&len) == HS_OK);
	check(handshake_responder_consume_init(&rs, fx.gw_priv, fx.gw_pub, &gp,
					       &ops, &t, fx.template_init, len,
					       &res) == HS_OK);
	len = sizeof(fx.template_resp);
	check(handshake_responder_reply(&rs, 42, &gp, fx.template_resp, &len,
					&keys) == HS_OK);
	return 0;
}

static enum hs_status gateway_consume(const uint8_t *msg, size_t len,
				      struct hs_responder *rs,
				      struct hs_result *res)
{
	struct table t = { 0 };

	return handshake_responder_consume_init(rs, fx.gw_priv, fx.gw_pub, NULL,
						&ops, &t, msg, len, res);
}

/* After an accepted INIT, the reply and a reject must behave. */
static void finish_gateway(struct hs_responder *rs, struct hs_result *res,
			   enum hs_status status)
{
	uint8_t out[JVPN_HS_RESP_LEN];
	struct handshake_keys keys;
	size_t len = sizeof(out);

	if (status == HS_OK) {
		check(handshake_responder_reply(rs, 7, NULL, out, &len,
						&keys) == HS_OK);
		return;
	}
	check(handshake_responder_reject(res, NULL, out, &len) ==
	      (res->send_reject ? HS_OK : HS_ERR_STATE));
}

static void fuzz_init(const uint8_t *data, size_t size, bool fix_mac1)
{
	uint8_t msg[JVPN_HS_INIT_LEN];
	struct hs_responder rs;
	struct hs_result res;
	enum hs_status status;

	if (fix_mac1 && size == JVPN_HS_INIT_LEN) {
		memcpy(msg, data, size);
		remac(msg, size, fx.gw_pub);
		data = msg;
	}
	(void)handshake_init_mac1_ok(fx.gw_pub, data, size);
	status = gateway_consume(data, size, &rs, &res);
	check(status == res.status);
	finish_gateway(&rs, &res, status);
}

static void fuzz_resp(const uint8_t *data, size_t size, bool fix)
{
	struct hs_initiator st = fx.pending;
	uint8_t msg[JVPN_HS_RESP_LEN];
	struct handshake_keys keys;
	uint64_t id;

	if (fix && size == JVPN_HS_RESP_LEN) {
		memcpy(msg, data, size);
		memcpy(msg + 12, fx.template_init + 4, 8); /* initiator id */
		remac(msg, size, fx.cl_pub);
		data = msg;
	}
	(void)handshake_peek_initiator_id(data, size, &id);
	if (handshake_initiator_consume_resp(&st, data, size, &keys) == HS_OK)
		check(memcmp(data, fx.template_resp, JVPN_HS_RESP_LEN) == 0);
}

static void fuzz_reject(const uint8_t *data, size_t size, bool fix_id)
{
	uint8_t msg[JVPN_HS_REJECT_LEN];
	struct hs_reject rej;

	if (fix_id && size == JVPN_HS_REJECT_LEN) {
		memcpy(msg, data, size);
		memcpy(msg + 4, fx.template_init + 4, 8); /* initiator id */
		data = msg;
	}

	if (handshake_initiator_consume_reject(&fx.pending, data, size, &rej) ==
	    HS_OK)
		check(rej.reason == JVPND_REASON_VERSION_MISMATCH ||
		      rej.reason == JVPND_REASON_UNKNOWN_PEER);
}

/* msg = template xor data (over the bytes mac1 covers), mac1 recomputed */
static bool flip(uint8_t *msg, const uint8_t *template, size_t len,
		 const uint8_t *data, size_t size, const uint8_t receiver[32])
{
	size_t covered = len == JVPN_HS_INIT_LEN ? JVPN_HS_INIT_MAC1_OFF
						 : len - JVPN_HS_MAC1_LEN;
	bool changed = false;
	size_t i;

	memcpy(msg, template, len);
	for (i = 0; i < size && i < covered; i++) {
		msg[i] ^= data[i];
		changed |= data[i] != 0;
	}
	remac(msg, len, receiver);
	return changed;
}

static void fuzz_init_flip(const uint8_t *data, size_t size)
{
	uint8_t msg[JVPN_HS_INIT_LEN];
	struct hs_responder rs;
	struct hs_result res;
	bool changed;

	changed =
		flip(msg, fx.template_init, sizeof(msg), data, size, fx.gw_pub);
	/* every covered byte is bound: a change is refused, none accepted */
	check((gateway_consume(msg, sizeof(msg), &rs, &res) == HS_OK) ==
	      !changed);
	handshake_responder_wipe(&rs);
}

static void fuzz_resp_flip(const uint8_t *data, size_t size)
{
	struct hs_initiator st = fx.pending;
	uint8_t msg[JVPN_HS_RESP_LEN];
	struct handshake_keys keys;
	bool changed;

	changed =
		flip(msg, fx.template_resp, sizeof(msg), data, size, fx.cl_pub);
	check((handshake_initiator_consume_resp(&st, msg, sizeof(msg), &keys) ==
	       HS_OK) == !changed);
}

/* read n bytes of the input as a number, zero past its end */
static uint64_t take(const uint8_t **data, size_t *size, size_t n)
{
	uint64_t v = 0;

	while (n--) {
		v = v << 8 | (*size ? **data : 0);
		if (*size) {
			(*data)++;
			(*size)--;
		}
	}
	return v;
}

/* the gateway's REJECT reaches the client and says why */
static void expect_reject(const struct hs_initiator *ini,
			  const struct hs_result *res,
			  const struct hs_params *gp, enum jvpnd_reason reason)
{
	uint8_t msg[JVPN_HS_REJECT_LEN];
	size_t len = sizeof(msg);
	struct hs_reject rej;

	check(res->send_reject && res->reason == reason);
	check(handshake_responder_reject(res, gp, msg, &len) == HS_OK);
	check(handshake_initiator_consume_reject(ini, msg, len, &rej) == HS_OK);
	check(rej.reason == reason && rej.version_min == gp->version_min &&
	      rej.version_max == gp->version_max);
}

/* versions, time, ids and randomness from the input: a full handshake */
static void fuzz_round_trip(const uint8_t *data, size_t size)
{
	struct hs_params cp = { 0 }, gp = { 0 };
	struct rng crng, grng;
	struct hs_time now;
	uint8_t init[JVPN_HS_INIT_LEN], resp[JVPN_HS_RESP_LEN];
	struct handshake_keys ik, rk, next;
	struct hs_initiator ini;
	struct hs_responder rs;
	struct hs_result res;
	struct table t = { 0 };
	uint64_t session_id;
	enum hs_status status;
	uint8_t common, flags;
	size_t len;

	cp.version_min = (uint8_t)take(&data, &size, 1);
	cp.version_max = (uint8_t)take(&data, &size, 1);
	gp.version_min = (uint8_t)take(&data, &size, 1);
	gp.version_max = (uint8_t)take(&data, &size, 1);
	crng.counter = take(&data, &size, 8);
	grng.counter = take(&data, &size, 8);
	cp.random = gp.random = rng_fill;
	cp.random_ctx = &crng;
	gp.random_ctx = &grng;
	now.sec = take(&data, &size, 8);
	now.nsec = (uint32_t)take(&data, &size, 4);
	flags = (uint8_t)take(&data, &size, 1);
	t.has_ts = flags & 1;
	t.refuse_client = flags & 2;
	t.ts.sec = take(&data, &size, 8);
	t.ts.nsec = (uint32_t)take(&data, &size, 4);
	session_id = take(&data, &size, 8);

	len = sizeof(init);
	if (handshake_initiator_start(&ini, fx.cl_priv, fx.cl_pub, fx.gw_pub,
				      &now, &cp, init, &len) != HS_OK)
		return;
	status = handshake_responder_consume_init(
		&rs, fx.gw_priv, fx.gw_pub, &gp, &ops, &t, init, len, &res);
	if (status == HS_ERR_PARAM)
		return;
	/* the only refusals of a genuine INIT: version and replay */
	if (gp.version_min > cp.version_max ||
	    cp.version_min > gp.version_max) {
		check(status == HS_ERR_VERSION);
		expect_reject(&ini, &res, &gp, JVPND_REASON_VERSION_MISMATCH);
		return;
	}
	if (t.refuse_client) {
		uint8_t msg[JVPN_HS_REJECT_LEN];
		size_t len = sizeof(msg);

		/* silence: nothing tells a prober the key is not listed */
		check(status == HS_ERR_UNKNOWN_PEER && !res.send_reject);
		check(handshake_responder_reject(&res, &gp, msg, &len) ==
		      HS_ERR_STATE);
		return;
	}
	if (status == HS_ERR_REPLAY) {
		check(t.has_ts && !hs_time_after(&now, &t.ts));
		return;
	}
	check(status == HS_OK);
	common = cp.version_max < gp.version_max ? cp.version_max
						 : gp.version_max;
	check(res.version == common);
	len = sizeof(resp);
	status = handshake_responder_reply(&rs, session_id, &gp, resp, &len,
					   &rk);
	check(status == (session_id ? HS_OK : HS_ERR_PARAM));
	if (status != HS_OK)
		return;
	check(handshake_initiator_consume_resp(&ini, resp, len, &ik) == HS_OK);
	check(memcmp(&ik, &rk, offsetof(struct handshake_keys, initiator)) ==
	      0);
	check(handshake_rotate(&ik, 1, &next) == HS_OK);
	check(memcmp(next.data_i2r, ik.data_i2r, 32) != 0);
}

static void fuzz_key_text(const uint8_t *data, size_t size)
{
	char text[64], err[KEYS_ERR_SIZE], back[KEYS_B64_SIZE];
	uint8_t key[JVPN_KEY_LEN];

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (key_from_base64(text, key, err) != KEYS_OK)
		return;
	/* a key that decodes encodes back to the same text: one form only */
	key_to_base64(key, back);
	check(strcmp(back, text) == 0);
}

/* ---- cookies ---- */

static const uint8_t COOKIE_SOURCE[6] = { 10, 1, 0, 2, 0xc3, 0x50 };

static void cookie_client_of_template(struct cookie_client *c)
{
	uint8_t init[JVPN_HS_INIT_LEN];

	memcpy(init, fx.template_init, sizeof(init));
	cookie_client_init(c, fx.gw_pub);
	cookie_client_mac2_write(c, init, sizeof(init), 1000);
}

static void fuzz_cookie_raw(const uint8_t *data, size_t size)
{
	struct cookie_client c;
	bool ok;

	cookie_client_of_template(&c);
	ok = cookie_client_consume(&c, data, size, 1000);
	check(ok == c.has_cookie);
	check(!ok || (size == JVPN_HS_COOKIE_LEN &&
		      data[0] == JVPN_MSG_HANDSHAKE_COOKIE));
}

static void fuzz_cookie_flip(const uint8_t *data, size_t size)
{
	struct rng grng = { 3 };
	struct cookie_gateway g;
	struct cookie_client c;
	uint8_t reply[JVPN_HS_COOKIE_LEN];
	bool changed = false;

	cookie_gateway_init(&g, fx.gw_pub, rng_fill, &grng);
	cookie_client_of_template(&c);
	check(cookie_reply_write(&g, COOKIE_SOURCE, sizeof(COOKIE_SOURCE),
				 fx.template_init, JVPN_HS_INIT_LEN, 1000,
				 reply));
	for (size_t i = 0; i < size && i < sizeof(reply); i++) {
		reply[i] ^= data[i];
		changed |= data[i] != 0;
	}
	check(cookie_client_consume(&c, reply, sizeof(reply), 1000) ==
	      !changed);
}

/* source length (1), source, then the mac2's xor: a genuine mac2 for that
 * source is accepted exactly when the xor is zero */
static void fuzz_mac2(const uint8_t *data, size_t size)
{
	struct rng grng = { 4 };
	struct cookie_gateway g;
	struct cookie_client c;
	uint8_t init[JVPN_HS_INIT_LEN], reply[JVPN_HS_COOKIE_LEN];
	uint8_t source[COOKIE_SOURCE_MAX] = { 0 };
	size_t source_len = 1 + take(&data, &size, 1) % COOKIE_SOURCE_MAX;
	bool changed = false;

	for (size_t i = 0; i < source_len; i++)
		source[i] = (uint8_t)take(&data, &size, 1);
	cookie_gateway_init(&g, fx.gw_pub, rng_fill, &grng);
	cookie_client_of_template(&c);
	check(cookie_reply_write(&g, source, source_len, fx.template_init,
				 JVPN_HS_INIT_LEN, 1000, reply));
	check(cookie_client_consume(&c, reply, sizeof(reply), 1000));
	memcpy(init, fx.template_init, sizeof(init));
	check(cookie_client_mac2_write(&c, init, sizeof(init), 1000));
	for (size_t i = 0; i < size && i < JVPN_HS_MAC2_LEN; i++) {
		init[JVPN_HS_INIT_MAC2_OFF + i] ^= data[i];
		changed |= data[i] != 0;
	}
	check(cookie_mac2_ok(&g, source, source_len, init, sizeof(init),
			     1000) == !changed);
	/* never for another source */
	source[0] ^= 1;
	check(!cookie_mac2_ok(&g, source, source_len, init, sizeof(init),
			      1000));
}

/* ---- the fresh handshake's envelope ---- */

static const uint8_t REHS_KEY[32] = { 0x5a };

static void fuzz_rehs_raw(const uint8_t *data, size_t size)
{
	const uint8_t *inner;

	(void)rehandshake_peek_session(data, size);
	inner = rehandshake_unwrap(data, size, JVPN_MSG_REHANDSHAKE_INIT, 1,
				   REHS_KEY);
	check(!inner || inner == data + JVPN_CP_HDR_LEN);
	inner = rehandshake_unwrap(data, size, JVPN_MSG_REHANDSHAKE_RESP, 1,
				   REHS_KEY);
	check(!inner || size == JVPN_REHS_RESP_LEN);
}

static void fuzz_rehs_flip(const uint8_t *data, size_t size)
{
	uint8_t msg[JVPN_REHS_INIT_LEN];
	bool changed = false;
	size_t n;

	n = rehandshake_wrap(JVPN_MSG_REHANDSHAKE_INIT, 1, 42, fx.template_init,
			     REHS_KEY, msg, sizeof(msg));
	check(n == sizeof(msg));
	for (size_t i = 0; i < size && i < n; i++) {
		msg[i] ^= data[i];
		changed |= data[i] != 0;
	}
	check(!rehandshake_unwrap(msg, n, JVPN_MSG_REHANDSHAKE_INIT, 1,
				  REHS_KEY) == changed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum target target;

	if (size == 0)
		return 0;
	target = (enum target)(data[0] % T_COUNT);
	data++;
	size--;
	switch (target) {
	case T_INIT_RAW:
		fuzz_init(data, size, false);
		break;
	case T_INIT_REMAC:
		fuzz_init(data, size, true);
		break;
	case T_RESP_RAW:
		fuzz_resp(data, size, false);
		break;
	case T_RESP_REMAC:
		fuzz_resp(data, size, true);
		break;
	case T_REJECT_RAW:
		fuzz_reject(data, size, false);
		break;
	case T_REJECT_MATCHED:
		fuzz_reject(data, size, true);
		break;
	case T_INIT_FLIP:
		fuzz_init_flip(data, size);
		break;
	case T_RESP_FLIP:
		fuzz_resp_flip(data, size);
		break;
	case T_ROUND_TRIP:
		fuzz_round_trip(data, size);
		break;
	case T_KEY_TEXT:
		fuzz_key_text(data, size);
		break;
	case T_COOKIE_RAW:
		fuzz_cookie_raw(data, size);
		break;
	case T_COOKIE_FLIP:
		fuzz_cookie_flip(data, size);
		break;
	case T_MAC2:
		fuzz_mac2(data, size);
		break;
	case T_REHS_RAW:
		fuzz_rehs_raw(data, size);
		break;
	case T_REHS_FLIP:
		fuzz_rehs_flip(data, size);
		break;
	case T_COUNT:
		break;
	}
	return 0;
}
