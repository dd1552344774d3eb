// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Cookies under load (cookie.h; docs/control-plane-protocol.md, "Cookies
 * under load").
 */
#include <string.h>

#include <sodium.h>

#include "bytes.h"
#include "cookie.h"

/* HANDSHAKE_COOKIE: offsets of its fields */
enum {
	COOKIE_OFF_TYPE = 0,
	COOKIE_OFF_RESERVED = 1, /* three bytes */
	COOKIE_OFF_INITIATOR_ID = 4,
	COOKIE_OFF_NONCE = 12,
	COOKIE_OFF_SEALED = COOKIE_OFF_NONCE + JVPN_HS_COOKIE_NONCE_LEN,
};
_Static_assert(COOKIE_OFF_SEALED + JVPN_HS_COOKIE_VALUE_LEN +
			       crypto_aead_xchacha20poly1305_ietf_ABYTES ==
		       JVPN_HS_COOKIE_LEN,
	       "COOKIE layout");
_Static_assert(JVPN_HS_COOKIE_NONCE_LEN ==
		       crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	       "XChaCha20 nonces are 24 bytes");
/* the INIT's initiator id, at the same offset as in handshake.c */
#define INIT_OFF_INITIATOR_ID 4

/* seal key = HASH("cookie--" || the gateway's static public key) */
static const char COOKIE_LABEL[] = "cookie--";

static void seal_key(uint8_t out[JVPN_KEY_LEN],
		     const uint8_t gateway_pub[JVPN_KEY_LEN])
{
	crypto_generichash_state state;

	crypto_generichash_init(&state, NULL, 0, JVPN_KEY_LEN);
	crypto_generichash_update(&state, (const uint8_t *)COOKIE_LABEL,
				  sizeof(COOKIE_LABEL) - 1);
	crypto_generichash_update(&state, gateway_pub, JVPN_KEY_LEN);
	crypto_generichash_final(&state, out, JVPN_KEY_LEN);
}

static bool init_shape_ok(const uint8_t *msg, size_t len)
{
	return msg && len == JVPN_HS_INIT_LEN &&
	       msg[0] == JVPN_MSG_HANDSHAKE_INIT;
}

static bool source_ok(const uint8_t *source, size_t len)
{
	return source && len >= 1 && len <= COOKIE_SOURCE_MAX;
}

/* mac2 = MAC(cookie, INIT up to mac2) */
static void mac2_compute(uint8_t mac[JVPN_HS_MAC2_LEN],
			 const uint8_t cookie[JVPN_HS_COOKIE_VALUE_LEN],
			 const uint8_t *init)
{
	crypto_generichash(mac, JVPN_HS_MAC2_LEN, init, JVPN_HS_INIT_MAC2_OFF,
			   cookie, JVPN_HS_COOKIE_VALUE_LEN);
}

/* ---- gateway ---- */

static void get_random(const struct cookie_gateway *g, void *buf, size_t len)
{
	if (g->random)
		g->random(g->random_ctx, buf, len);
	else
		randombytes_buf(buf, len);
}

void cookie_gateway_init(struct cookie_gateway *g,
			 const uint8_t gateway_pub[JVPN_KEY_LEN],
			 cookie_random_fn *random, void *random_ctx)
{
	memset(g, 0, sizeof(*g));
	seal_key(g->seal_key, gateway_pub);
	g->random = random;
	g->random_ctx = random_ctx;
}

void cookie_gateway_wipe(struct cookie_gateway *g)
{
	sodium_memzero(g, sizeof(*g));
}

/*
 * A secret older than COOKIE_SECRET_MS becomes the previous one (cookies
 * it made stay good for one more period, so a client that got one just
 * before the change is not sent back for another); one older than two
 * periods is forgotten. A clock before the secret's birth changes nothing.
 */
static void rotate(struct cookie_gateway *g, uint64_t now_ms)
{
	uint64_t age = now_ms - g->secret_since_ms;

	if (g->has_secret &&
	    (now_ms < g->secret_since_ms || age < COOKIE_SECRET_MS))
		return;
	g->has_previous = g->has_secret && age < 2 * COOKIE_SECRET_MS;
	if (g->has_previous)
		memcpy(g->previous, g->secret, JVPN_KEY_LEN);
	else
		sodium_memzero(g->previous, JVPN_KEY_LEN);
	get_random(g, g->secret, JVPN_KEY_LEN);
	g->has_secret = true;
	g->secret_since_ms = now_ms;
}

static void cookie_of(uint8_t out[JVPN_HS_COOKIE_VALUE_LEN],
		      const uint8_t secret[JVPN_KEY_LEN], const uint8_t *source,
		      size_t source_len)
{
	crypto_generichash(out, JVPN_HS_COOKIE_VALUE_LEN, source, source_len,
			   secret, JVPN_KEY_LEN);
}

static bool mac2_matches(const uint8_t secret[JVPN_KEY_LEN],
			 const uint8_t *source, size_t source_len,
			 const uint8_t *msg)
{
	uint8_t cookie[JVPN_HS_COOKIE_VALUE_LEN], mac[JVPN_HS_MAC2_LEN];
	bool ok;

	cookie_of(cookie, secret, source, source_len);
	mac2_compute(mac, cookie, msg);
	ok = sodium_memcmp(mac, msg + JVPN_HS_INIT_MAC2_OFF,
			   JVPN_HS_MAC2_LEN) == 0;
	sodium_memzero(cookie, sizeof(cookie));
	return ok;
}

bool cookie_mac2_ok(struct cookie_gateway *g, const uint8_t *source,
		    size_t source_len, const uint8_t *msg, size_t len,
		    uint64_t now_ms)
{
	if (!g || !source_ok(source, source_len) || !init_shape_ok(msg, len))
		return false;
	/* a zero mac2 is the "no cookie" of every INIT: not worth a MAC */
	if (sodium_is_zero(msg + JVPN_HS_INIT_MAC2_OFF, JVPN_HS_MAC2_LEN))
		return false;
	rotate(g, now_ms);
	if (mac2_matches(g->secret, source, source_len, msg))
		return true;
	return g->has_previous &&
	       mac2_matches(g->previous, source, source_len, msg);
}

bool cookie_reply_write(struct cookie_gateway *g, const uint8_t *source,
			size_t source_len, const uint8_t *init, size_t init_len,
			uint64_t now_ms, uint8_t out[JVPN_HS_COOKIE_LEN])
{
	uint8_t cookie[JVPN_HS_COOKIE_VALUE_LEN];

	if (!g || !out || !source_ok(source, source_len) ||
	    !init_shape_ok(init, init_len))
		return false;
	rotate(g, now_ms);
	memset(out, 0, JVPN_HS_COOKIE_LEN);
	out[COOKIE_OFF_TYPE] = JVPN_MSG_HANDSHAKE_COOKIE;
	memcpy(out + COOKIE_OFF_INITIATOR_ID, init + INIT_OFF_INITIATOR_ID, 8);
	get_random(g, out + COOKIE_OFF_NONCE, JVPN_HS_COOKIE_NONCE_LEN);
	cookie_of(cookie, g->secret, source, source_len);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + COOKIE_OFF_SEALED, NULL, cookie, sizeof(cookie),
		init + JVPN_HS_INIT_MAC1_OFF, JVPN_HS_MAC1_LEN, NULL,
		out + COOKIE_OFF_NONCE, g->seal_key);
	sodium_memzero(cookie, sizeof(cookie));
	return true;
}

/* ---- client ---- */

void cookie_client_init(struct cookie_client *c,
			const uint8_t gateway_pub[JVPN_KEY_LEN])
{
	memset(c, 0, sizeof(*c));
	seal_key(c->open_key, gateway_pub);
}

void cookie_client_wipe(struct cookie_client *c)
{
	sodium_memzero(c, sizeof(*c));
}

static bool cookie_fresh(const struct cookie_client *c, uint64_t now_ms)
{
	return c->has_cookie && now_ms >= c->cookie_ms &&
	       now_ms - c->cookie_ms <
		       COOKIE_SECRET_MS - COOKIE_CLIENT_MARGIN_MS;
}

bool cookie_client_mac2_write(struct cookie_client *c, uint8_t *init,
			      size_t init_len, uint64_t now_ms)
{
	bool keyed;

	if (!c || !init_shape_ok(init, init_len))
		return false;
	keyed = cookie_fresh(c, now_ms);
	if (keyed)
		mac2_compute(init + JVPN_HS_INIT_MAC2_OFF, c->cookie, init);
	else
		memset(init + JVPN_HS_INIT_MAC2_OFF, 0, JVPN_HS_MAC2_LEN);
	memcpy(c->sent_mac1, init + JVPN_HS_INIT_MAC1_OFF, JVPN_HS_MAC1_LEN);
	c->sent_initiator_id = get_be64(init + INIT_OFF_INITIATOR_ID);
	c->sent = true;
	return keyed;
}

bool cookie_client_consume(struct cookie_client *c, const uint8_t *msg,
			   size_t len, uint64_t now_ms)
{
	uint8_t cookie[JVPN_HS_COOKIE_VALUE_LEN], id[8];

	if (!c || !c->sent || !msg || len != JVPN_HS_COOKIE_LEN ||
	    msg[COOKIE_OFF_TYPE] != JVPN_MSG_HANDSHAKE_COOKIE ||
	    !sodium_is_zero(msg + COOKIE_OFF_RESERVED, 3))
		return false;
	put_be64(id, c->sent_initiator_id);
	if (sodium_memcmp(id, msg + COOKIE_OFF_INITIATOR_ID, 8) != 0)
		return false;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    cookie, NULL, NULL, msg + COOKIE_OFF_SEALED,
		    JVPN_HS_COOKIE_LEN - COOKIE_OFF_SEALED, c->sent_mac1,
		    JVPN_HS_MAC1_LEN, msg + COOKIE_OFF_NONCE, c->open_key) != 0)
		return false;
	memcpy(c->cookie, cookie, sizeof(cookie));
	c->cookie_ms = now_ms;
	c->has_cookie = true;
	/* one cookie per INIT: a copy of this reply changes nothing more */
	c->sent = false;
	sodium_memzero(cookie, sizeof(cookie));
	return true;
}
