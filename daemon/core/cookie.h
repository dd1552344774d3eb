/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Cookies: how a gateway under load makes a handshake's sender prove that
 * it receives at its address before the gateway spends any Diffie-Hellman
 * on it (the design of WireGuard's cookie reply; the wire format is
 * HANDSHAKE_COOKIE and the INIT's mac2 in uapi/jvpn/messages.h, the prose
 * is docs/control-plane-protocol.md, "Cookies under load").
 *
 *   gateway                                  client
 *   cookie_mac2_ok(INIT)? no, under load:
 *   cookie_reply_write()  -- COOKIE -->     cookie_client_consume()
 *                         <-- INIT+mac2 --  cookie_client_mac2_write()
 *   cookie_mac2_ok(INIT): yes
 *
 * cookie = MAC(secret, source address || port), the secret random,
 * changed every JVPN_HS_COOKIE_SECRET_S and never written anywhere.
 * mac2 = MAC(cookie, INIT up to mac2). MAC is keyed BLAKE2b-128.
 *
 * Pure code: the time comes in as milliseconds of one monotonic clock,
 * randomness through the caller's function (NULL: libsodium's CSPRNG).
 * The program must have called sodium_init().
 */
#ifndef JVPND_COOKIE_H
#define JVPND_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include <jvpn/messages.h>

#define COOKIE_SECRET_MS ((uint64_t)JVPN_HS_COOKIE_SECRET_S * 1000)
/* the client stops using a cookie this long before the gateway's
 * secret that made it could have changed twice */
#define COOKIE_CLIENT_MARGIN_MS 5000
/* the largest source the caller passes: an IPv6 address and a port */
#define COOKIE_SOURCE_MAX 18

typedef void cookie_random_fn(void *ctx, void *buf, size_t len);

/* The gateway's side: the secret, the one before it, the sealing key. */
struct cookie_gateway {
	uint8_t secret[JVPN_KEY_LEN];
	uint8_t previous[JVPN_KEY_LEN];
	uint64_t secret_since_ms;
	bool has_secret;
	bool has_previous;
	uint8_t seal_key[JVPN_KEY_LEN]; /* from the gateway's public key */
	cookie_random_fn *random;	/* NULL: randombytes_buf */
	void *random_ctx;
};

void cookie_gateway_init(struct cookie_gateway *g,
			 const uint8_t gateway_pub[JVPN_KEY_LEN],
			 cookie_random_fn *random, void *random_ctx);
void cookie_gateway_wipe(struct cookie_gateway *g);

/*
 * True when the INIT msg (JVPN_HS_INIT_LEN bytes) carries a mac2 made
 * with the cookie that source (1..COOKIE_SOURCE_MAX bytes) gets under the
 * current secret or the one before it. Changes the secret first if it is
 * older than COOKIE_SECRET_MS. Two BLAKE2b calls at most, no X25519.
 */
bool cookie_mac2_ok(struct cookie_gateway *g, const uint8_t *source,
		    size_t source_len, const uint8_t *msg, size_t len,
		    uint64_t now_ms);

/*
 * Writes the HANDSHAKE_COOKIE (JVPN_HS_COOKIE_LEN bytes) answering the
 * INIT init from source: its cookie under the current secret, sealed to
 * the INIT's mac1. False on a bad argument (nothing written).
 */
bool cookie_reply_write(struct cookie_gateway *g, const uint8_t *source,
			size_t source_len, const uint8_t *init, size_t init_len,
			uint64_t now_ms, uint8_t out[JVPN_HS_COOKIE_LEN]);

/* The client's side: the last INIT sent, and the cookie it earned. */
struct cookie_client {
	uint8_t open_key[JVPN_KEY_LEN]; /* from the gateway's public key */
	uint8_t sent_mac1[JVPN_HS_MAC1_LEN];
	uint64_t sent_initiator_id;
	bool sent;
	uint8_t cookie[JVPN_HS_COOKIE_VALUE_LEN];
	uint64_t cookie_ms; /* when it arrived */
	bool has_cookie;
};

void cookie_client_init(struct cookie_client *c,
			const uint8_t gateway_pub[JVPN_KEY_LEN]);
void cookie_client_wipe(struct cookie_client *c);

/*
 * Before an INIT goes out: keys its mac2 with the cookie if one is held
 * and younger than COOKIE_SECRET_MS - COOKIE_CLIENT_MARGIN_MS (else mac2
 * stays zero), and remembers the INIT's mac1 and initiator id, which the
 * answer must match. True when a mac2 was written.
 */
bool cookie_client_mac2_write(struct cookie_client *c, uint8_t *init,
			      size_t init_len, uint64_t now_ms);

/*
 * A HANDSHAKE_COOKIE: true, and the cookie kept, when it answers the last
 * INIT (its initiator id, and it opens with that INIT's mac1); false for
 * anything else, which changes nothing.
 */
bool cookie_client_consume(struct cookie_client *c, const uint8_t *msg,
			   size_t len, uint64_t now_ms);

#endif /* JVPND_COOKIE_H */
