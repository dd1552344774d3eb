// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The jvpn handshake (handshake.h; specified in
 * docs/control-plane-protocol.md, section "Handshake"). The message flow is
 * Noise_IK: INIT = e, es, s, ss, {timestamp}; RESP = e, ee, se, {}.
 */
#include <string.h>

#include <sodium.h>

#include "bytes.h"
#include "handshake.h"

#define HS_TAG_LEN   crypto_aead_chacha20poly1305_ietf_ABYTES
#define TAI64_LABEL  (UINT64_C(1) << 62) /* TAI64 second 0 */
#define NSEC_PER_SEC 1000000000u

_Static_assert(JVPN_KEY_LEN == JVPN_KEY_LEN,
	       "X25519 keys are JVPN_KEY_LEN bytes");
_Static_assert(HS_TAG_LEN == 16, "Poly1305 tags are 16 bytes");
_Static_assert(JVPN_KEY_LEN == crypto_aead_chacha20poly1305_ietf_KEYBYTES,
	       "AEAD keys are JVPN_KEY_LEN bytes");

/* HANDSHAKE_INIT: offsets of its fields */
enum {
	INIT_OFF_TYPE = 0,
	INIT_OFF_VERSION_MIN = 1,
	INIT_OFF_VERSION_MAX = 2,
	INIT_OFF_RESERVED = 3,
	INIT_OFF_INITIATOR_ID = 4,
	INIT_OFF_EPHEMERAL = 12,
	INIT_OFF_STATIC = INIT_OFF_EPHEMERAL + JVPN_KEY_LEN,
	INIT_OFF_TIMESTAMP = INIT_OFF_STATIC + JVPN_KEY_LEN + HS_TAG_LEN,
	INIT_OFF_MAC1 = INIT_OFF_TIMESTAMP + JVPN_HS_TIMESTAMP_LEN + HS_TAG_LEN,
	INIT_OFF_MAC2 = INIT_OFF_MAC1 + JVPN_HS_MAC1_LEN,
};
_Static_assert(INIT_OFF_MAC1 == JVPN_HS_INIT_MAC1_OFF &&
		       INIT_OFF_MAC2 == JVPN_HS_INIT_MAC2_OFF &&
		       INIT_OFF_MAC2 + JVPN_HS_MAC2_LEN == JVPN_HS_INIT_LEN,
	       "INIT layout");
/* mac1 of an INIT covers what precedes it: the INIT without its macs */
#define INIT_MAC1_END (INIT_OFF_MAC1 + JVPN_HS_MAC1_LEN)

/* HANDSHAKE_RESP */
enum {
	RESP_OFF_TYPE = 0,
	RESP_OFF_VERSION = 1,
	RESP_OFF_RESERVED = 2, /* two bytes */
	RESP_OFF_SESSION_ID = 4,
	RESP_OFF_INITIATOR_ID = 12,
	RESP_OFF_EPHEMERAL = 20,
	RESP_OFF_CONFIRM = RESP_OFF_EPHEMERAL + JVPN_KEY_LEN,
	RESP_OFF_MAC1 = RESP_OFF_CONFIRM + HS_TAG_LEN,
};
_Static_assert(RESP_OFF_MAC1 + JVPN_HS_MAC1_LEN == JVPN_HS_RESP_LEN,
	       "RESP layout");

/* HANDSHAKE_REJECT */
enum {
	REJECT_OFF_TYPE = 0,
	REJECT_OFF_VERSION_MIN = 1,
	REJECT_OFF_VERSION_MAX = 2,
	REJECT_OFF_RESERVED = 3,
	REJECT_OFF_INITIATOR_ID = 4,
	REJECT_OFF_REASON = 12, /* u16 */
};
_Static_assert(REJECT_OFF_REASON + 2 == JVPN_HS_REJECT_LEN, "REJECT layout");

/*
 * Domain separation: the protocol name seeds the chaining key, so no
 * other protocol's transcript can collide with ours; the labels keep each
 * derived key apart from every other.
 */
static const char PROTOCOL_NAME[] =
	"Jumping VPN handshake 1: Noise_IK X25519 ChaChaPoly BLAKE2b";
static const char MAC1_LABEL[] = "mac1----";
static const char LABEL_DATA_I2R[] = "jvpn 1 data initiator->responder";
static const char LABEL_DATA_R2I[] = "jvpn 1 data responder->initiator";
static const char LABEL_CONTROL[] = "jvpn 1 control";
static const char LABEL_CHAIN[] = "jvpn 1 chain";
static const char LABEL_ROTATE[] = "jvpn 1 rotate";

/* ---- primitives: HASH, PRF, KDF, MAC1 (names as in the document) ---- */

/* HASH(a || b) = BLAKE2b-256 */
static void hash_two(uint8_t out[JVPN_KEY_LEN], const void *a, size_t a_len,
		     const void *b, size_t b_len)
{
	crypto_generichash_state state;

	crypto_generichash_init(&state, NULL, 0, JVPN_KEY_LEN);
	crypto_generichash_update(&state, a, a_len);
	crypto_generichash_update(&state, b, b_len);
	crypto_generichash_final(&state, out, JVPN_KEY_LEN);
	sodium_memzero(&state, sizeof(state));
}

/* PRF(key, in) = BLAKE2b-256 keyed with key: BLAKE2b is a PRF when keyed */
static void prf(uint8_t out[JVPN_KEY_LEN], const uint8_t key[JVPN_KEY_LEN],
		const void *in, size_t in_len)
{
	crypto_generichash(out, JVPN_KEY_LEN, in, in_len, key, JVPN_KEY_LEN);
}

/*
 * HKDF (RFC 5869) with PRF in place of HMAC and an empty info:
 * prk = PRF(ck, in); out1 = PRF(prk, 0x01); out2 = PRF(prk, out1 || 0x02).
 * out1 may be ck itself; out2 may be NULL.
 */
static void kdf(const uint8_t ck[JVPN_KEY_LEN], const void *in, size_t in_len,
		uint8_t out1[JVPN_KEY_LEN], uint8_t out2[JVPN_KEY_LEN])
{
	uint8_t prk[JVPN_KEY_LEN], t1[JVPN_KEY_LEN], t2_in[JVPN_KEY_LEN + 1];
	const uint8_t one = 1;

	prf(prk, ck, in, in_len);
	prf(t1, prk, &one, 1);
	if (out2) {
		memcpy(t2_in, t1, JVPN_KEY_LEN);
		t2_in[JVPN_KEY_LEN] = 2;
		prf(out2, prk, t2_in, sizeof(t2_in));
	}
	memcpy(out1, t1, JVPN_KEY_LEN);
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t1, sizeof(t1));
	sodium_memzero(t2_in, sizeof(t2_in));
}

/* mac1 key = HASH("mac1----" || the receiver's static public key) */
static void mac1_compute(uint8_t mac[JVPN_HS_MAC1_LEN],
			 const uint8_t receiver_pub[JVPN_KEY_LEN],
			 const uint8_t *msg, size_t covered_len)
{
	uint8_t key[JVPN_KEY_LEN];

	hash_two(key, MAC1_LABEL, sizeof(MAC1_LABEL) - 1, receiver_pub,
		 JVPN_KEY_LEN);
	crypto_generichash(mac, JVPN_HS_MAC1_LEN, msg, covered_len, key,
			   JVPN_KEY_LEN);
}

/* Writes the last JVPN_HS_MAC1_LEN bytes of msg[msg_len]. */
static void mac1_write(const uint8_t receiver_pub[JVPN_KEY_LEN], uint8_t *msg,
		       size_t msg_len)
{
	mac1_compute(msg + msg_len - JVPN_HS_MAC1_LEN, receiver_pub, msg,
		     msg_len - JVPN_HS_MAC1_LEN);
}

static bool mac1_verify(const uint8_t receiver_pub[JVPN_KEY_LEN],
			const uint8_t *msg, size_t msg_len)
{
	uint8_t mac[JVPN_HS_MAC1_LEN];

	mac1_compute(mac, receiver_pub, msg, msg_len - JVPN_HS_MAC1_LEN);
	return sodium_memcmp(mac, msg + msg_len - JVPN_HS_MAC1_LEN,
			     JVPN_HS_MAC1_LEN) == 0;
}

/* ---- the symmetric state: ck and h, as Noise's MixKey / MixHash ---- */

static void symmetric_init(struct hs_symmetric *sym,
			   const uint8_t responder_pub[JVPN_KEY_LEN])
{
	hash_two(sym->ck, PROTOCOL_NAME, sizeof(PROTOCOL_NAME) - 1, "", 0);
	hash_two(sym->h, sym->ck, JVPN_KEY_LEN, responder_pub, JVPN_KEY_LEN);
}

static void mix_hash(struct hs_symmetric *sym, const uint8_t *data, size_t len)
{
	hash_two(sym->h, sym->h, JVPN_KEY_LEN, data, len);
}

/* an ephemeral public key goes into both h and ck */
static void mix_ephemeral(struct hs_symmetric *sym,
			  const uint8_t pub[JVPN_KEY_LEN])
{
	mix_hash(sym, pub, JVPN_KEY_LEN);
	kdf(sym->ck, pub, JVPN_KEY_LEN, sym->ck, NULL);
}

/*
 * ck, key = KDF2(ck, X25519(priv, pub)); key may be NULL (KDF1). Fails on
 * a public key of small order, whose shared secret is all zero and so
 * would contribute nothing an attacker does not know.
 */
static int mix_dh(struct hs_symmetric *sym, const uint8_t priv[JVPN_KEY_LEN],
		  const uint8_t pub[JVPN_KEY_LEN], uint8_t key[JVPN_KEY_LEN])
{
	uint8_t shared[JVPN_KEY_LEN];
	int ret = -1;

	if (crypto_scalarmult(shared, priv, pub) == 0) {
		kdf(sym->ck, shared, sizeof(shared), sym->ck, key);
		ret = 0;
	}
	sodium_memzero(shared, sizeof(shared));
	return ret;
}

/* Each AEAD key seals exactly one message, so the nonce can be zero. */
static const uint8_t zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

/* out = AEAD(key, 0, plain, ad = h); h = HASH(h || out) */
static void encrypt_and_hash(struct hs_symmetric *sym,
			     const uint8_t key[JVPN_KEY_LEN],
			     const uint8_t *plain, size_t plain_len,
			     uint8_t *out)
{
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, plain, plain_len,
						  sym->h, JVPN_KEY_LEN, NULL,
						  zero_nonce, key);
	mix_hash(sym, out, plain_len + HS_TAG_LEN);
}

static int decrypt_and_hash(struct hs_symmetric *sym,
			    const uint8_t key[JVPN_KEY_LEN],
			    const uint8_t *sealed, size_t sealed_len,
			    uint8_t *plain)
{
	if (crypto_aead_chacha20poly1305_ietf_decrypt(
		    plain, NULL, NULL, sealed, sealed_len, sym->h, JVPN_KEY_LEN,
		    zero_nonce, key) != 0)
		return -1;
	mix_hash(sym, sealed, sealed_len);
	return 0;
}

/* ---- parameters, versions, time ---- */

static void get_random(const struct hs_params *params, void *buf, size_t len)
{
	if (params && params->random)
		params->random(params->random_ctx, buf, len);
	else
		randombytes_buf(buf, len);
}

static bool version_range_valid(uint8_t min, uint8_t max)
{
	return min >= 1 && min <= max;
}

static bool params_versions(const struct hs_params *params, uint8_t *min,
			    uint8_t *max)
{
	*min = params ? params->version_min : JVPN_CP_VERSION_MIN;
	*max = params ? params->version_max : JVPN_CP_VERSION_MAX;
	return version_range_valid(*min, *max);
}

/* the highest version both ranges contain */
static bool negotiate(uint8_t a_min, uint8_t a_max, uint8_t b_min,
		      uint8_t b_max, uint8_t *chosen)
{
	uint8_t low = a_min > b_min ? a_min : b_min;
	uint8_t high = a_max < b_max ? a_max : b_max;

	*chosen = high;
	return low <= high;
}

bool hs_time_after(const struct hs_time *a, const struct hs_time *b)
{
	return a->sec > b->sec || (a->sec == b->sec && a->nsec > b->nsec);
}

static bool time_valid(const struct hs_time *t)
{
	return t->sec < TAI64_LABEL && t->nsec < NSEC_PER_SEC;
}

static void timestamp_encode(uint8_t out[JVPN_HS_TIMESTAMP_LEN],
			     const struct hs_time *t)
{
	put_be64(out, TAI64_LABEL + t->sec);
	put_be32(out + 8, t->nsec);
}

static bool timestamp_decode(const uint8_t in[JVPN_HS_TIMESTAMP_LEN],
			     struct hs_time *t)
{
	uint64_t label = get_be64(in);
	struct hs_time decoded;

	if (label < TAI64_LABEL)
		return false;
	decoded.sec = label - TAI64_LABEL;
	decoded.nsec = get_be32(in + 8);
	if (!time_valid(&decoded))
		return false;
	*t = decoded;
	return true;
}

/* ---- keys ---- */

/* data keys and chain of one generation (and control at generation 0) */
static void derive_generation(const uint8_t seed[JVPN_KEY_LEN],
			      struct handshake_keys *keys, bool with_control)
{
	prf(keys->data_i2r, seed, LABEL_DATA_I2R, sizeof(LABEL_DATA_I2R) - 1);
	prf(keys->data_r2i, seed, LABEL_DATA_R2I, sizeof(LABEL_DATA_R2I) - 1);
	prf(keys->chain, seed, LABEL_CHAIN, sizeof(LABEL_CHAIN) - 1);
	if (with_control)
		prf(keys->control, seed, LABEL_CONTROL,
		    sizeof(LABEL_CONTROL) - 1);
}

/* seed = PRF(ck, h): every key depends on the whole transcript */
static void split(const struct hs_symmetric *sym, bool initiator,
		  uint64_t session_id, uint8_t version,
		  struct handshake_keys *keys)
{
	uint8_t seed[JVPN_KEY_LEN];

	memset(keys, 0, sizeof(*keys));
	prf(seed, sym->ck, sym->h, JVPN_KEY_LEN);
	derive_generation(seed, keys, true);
	keys->session_id = session_id;
	keys->generation = 0;
	keys->version = version;
	keys->initiator = initiator;
	sodium_memzero(seed, sizeof(seed));
}

const uint8_t *handshake_keys_tx(const struct handshake_keys *keys)
{
	return keys->initiator ? keys->data_i2r : keys->data_r2i;
}

const uint8_t *handshake_keys_rx(const struct handshake_keys *keys)
{
	return keys->initiator ? keys->data_r2i : keys->data_i2r;
}

void handshake_keys_wipe(struct handshake_keys *keys)
{
	sodium_memzero(keys, sizeof(*keys));
}

enum hs_status handshake_rotate(const struct handshake_keys *old,
				uint32_t generation,
				struct handshake_keys *next)
{
	uint8_t input[sizeof(LABEL_ROTATE) - 1 + 4];
	uint8_t seed[JVPN_KEY_LEN];
	struct handshake_keys out;

	if (!old || !next || generation == 0 ||
	    generation != old->generation + 1)
		return HS_ERR_PARAM;
	memcpy(input, LABEL_ROTATE, sizeof(LABEL_ROTATE) - 1);
	put_be32(input + sizeof(LABEL_ROTATE) - 1, generation);
	prf(seed, old->chain, input, sizeof(input));
	out = *old;
	derive_generation(seed, &out, false);
	out.generation = generation;
	*next = out;
	sodium_memzero(&out, sizeof(out));
	sodium_memzero(seed, sizeof(seed));
	return HS_OK;
}

/* ---- names ---- */

const char *handshake_status_name(enum hs_status status)
{
	switch (status) {
	case HS_OK:
		return "ok";
	case HS_ERR_PARAM:
		return "param";
	case HS_ERR_STATE:
		return "state";
	case HS_ERR_MALFORMED:
		return "malformed";
	case HS_ERR_MAC1:
		return "mac1";
	case HS_ERR_UNMATCHED:
		return "unmatched";
	case HS_ERR_VERSION:
		return "version";
	case HS_ERR_AUTH:
		return "auth";
	case HS_ERR_UNKNOWN_PEER:
		return "unknown-peer";
	case HS_ERR_REPLAY:
		return "replay";
	case HS_ERR_FUTURE:
		return "future";
	}
	return "unknown";
}

enum jvpnd_reason handshake_status_reason(enum hs_status status)
{
	switch (status) {
	case HS_ERR_VERSION:
		return JVPND_REASON_VERSION_MISMATCH;
	case HS_ERR_UNKNOWN_PEER:
		return JVPND_REASON_UNKNOWN_PEER;
	case HS_ERR_REPLAY:
		return JVPND_REASON_REPLAYED_HANDSHAKE;
	case HS_ERR_AUTH:
		return JVPND_REASON_BAD_PROOF;
	case HS_ERR_FUTURE:
		return JVPND_REASON_STALE_TIMESTAMP;
	default:
		return JVPND_REASON_NONE;
	}
}

void handshake_initiator_wipe(struct hs_initiator *st)
{
	sodium_memzero(st, sizeof(*st));
}

void handshake_responder_wipe(struct hs_responder *st)
{
	sodium_memzero(st, sizeof(*st));
}

/* ---- initiator: INIT ---- */

static void init_write_header(uint8_t *out, uint8_t version_min,
			      uint8_t version_max, uint64_t initiator_id)
{
	out[INIT_OFF_TYPE] = JVPN_MSG_HANDSHAKE_INIT;
	out[INIT_OFF_VERSION_MIN] = version_min;
	out[INIT_OFF_VERSION_MAX] = version_max;
	out[INIT_OFF_RESERVED] = 0;
	put_be64(out + INIT_OFF_INITIATOR_ID, initiator_id);
}

/* e, es, s, ss, {timestamp} into out; st holds what RESP needs */
static enum hs_status init_seal(struct hs_initiator *st,
				const uint8_t my_priv[JVPN_KEY_LEN],
				const uint8_t my_pub[JVPN_KEY_LEN],
				const uint8_t peer_pub[JVPN_KEY_LEN],
				const struct hs_time *now, uint8_t *out)
{
	uint8_t key[JVPN_KEY_LEN], timestamp[JVPN_HS_TIMESTAMP_LEN];
	enum hs_status status = HS_ERR_PARAM;

	if (keys_public_from_private(st->ephemeral_priv,
				     out + INIT_OFF_EPHEMERAL) != 0)
		goto out;
	symmetric_init(&st->sym, peer_pub);
	mix_hash(&st->sym, out, INIT_OFF_EPHEMERAL);
	mix_ephemeral(&st->sym, out + INIT_OFF_EPHEMERAL);
	/* a gateway key of small order fails here: a configuration error */
	if (mix_dh(&st->sym, st->ephemeral_priv, peer_pub, key) != 0)
		goto out;
	encrypt_and_hash(&st->sym, key, my_pub, JVPN_KEY_LEN,
			 out + INIT_OFF_STATIC);
	if (mix_dh(&st->sym, my_priv, peer_pub, key) != 0)
		goto out;
	timestamp_encode(timestamp, now);
	encrypt_and_hash(&st->sym, key, timestamp, sizeof(timestamp),
			 out + INIT_OFF_TIMESTAMP);
	mac1_write(peer_pub, out, INIT_MAC1_END);
	/* no cookie yet: cookie_mac2_write() may key it (cookie.h) */
	memset(out + INIT_OFF_MAC2, 0, JVPN_HS_MAC2_LEN);
	status = HS_OK;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(timestamp, sizeof(timestamp));
	return status;
}

enum hs_status handshake_initiator_start(struct hs_initiator *st,
					 const uint8_t my_priv[JVPN_KEY_LEN],
					 const uint8_t my_pub[JVPN_KEY_LEN],
					 const uint8_t peer_pub[JVPN_KEY_LEN],
					 const struct hs_time *now,
					 const struct hs_params *params,
					 uint8_t *out, size_t *out_len)
{
	uint8_t version_min, version_max, id[8];
	enum hs_status status;

	if (!st)
		return HS_ERR_PARAM;
	handshake_initiator_wipe(st);
	if (!my_priv || !my_pub || !peer_pub || !now || !out || !out_len ||
	    *out_len < JVPN_HS_INIT_LEN || !time_valid(now) ||
	    !params_versions(params, &version_min, &version_max))
		return HS_ERR_PARAM;

	get_random(params, id, sizeof(id));
	get_random(params, st->ephemeral_priv, JVPN_KEY_LEN);
	keys_clamp_private(st->ephemeral_priv);
	st->initiator_id = get_be64(id);
	init_write_header(out, version_min, version_max, st->initiator_id);
	status = init_seal(st, my_priv, my_pub, peer_pub, now, out);
	if (status != HS_OK) {
		handshake_initiator_wipe(st);
		memset(out, 0, JVPN_HS_INIT_LEN);
		return status;
	}
	memcpy(st->static_priv, my_priv, JVPN_KEY_LEN);
	memcpy(st->static_pub, my_pub, JVPN_KEY_LEN);
	st->version_min = version_min;
	st->version_max = version_max;
	st->has_psk = params && params->psk;
	if (st->has_psk)
		memcpy(st->psk, params->psk, JVPN_KEY_LEN);
	st->pending = true;
	*out_len = JVPN_HS_INIT_LEN;
	return HS_OK;
}

/* ---- responder: INIT ---- */

static bool init_shape_ok(const uint8_t *msg, size_t len)
{
	return msg && len == JVPN_HS_INIT_LEN &&
	       msg[INIT_OFF_TYPE] == JVPN_MSG_HANDSHAKE_INIT;
}

bool handshake_init_mac1_ok(const uint8_t my_pub[JVPN_KEY_LEN],
			    const uint8_t *msg, size_t len)
{
	return my_pub && init_shape_ok(msg, len) &&
	       mac1_verify(my_pub, msg, INIT_MAC1_END);
}

static bool init_fields_ok(const uint8_t *msg)
{
	return msg[INIT_OFF_RESERVED] == 0 &&
	       version_range_valid(msg[INIT_OFF_VERSION_MIN],
				   msg[INIT_OFF_VERSION_MAX]);
}

static bool peer_ops_valid(const struct hs_peer_ops *peers)
{
	return peers && peers->is_allowed && peers->last_timestamp &&
	       peers->store_timestamp;
}

/* the timestamp must be greater than every one accepted before */
static bool timestamp_fresh(const struct hs_peer_ops *peers, void *peers_ctx,
			    const uint8_t client_pub[JVPN_KEY_LEN],
			    const struct hs_time *ts)
{
	struct hs_time greatest = { 0, 0 };

	if (!peers->last_timestamp(peers_ctx, client_pub, &greatest))
		return true;
	return hs_time_after(ts, &greatest);
}

/* es, s, ss, {timestamp}: who the client is, and whether it is fresh */
static enum hs_status init_open(struct hs_symmetric *sym,
				const uint8_t my_priv[JVPN_KEY_LEN],
				const uint8_t *msg,
				const struct hs_time *latest,
				const struct hs_peer_ops *peers,
				void *peers_ctx, struct hs_result *res)
{
	uint8_t key[JVPN_KEY_LEN], timestamp[JVPN_HS_TIMESTAMP_LEN];
	enum hs_status status = HS_ERR_AUTH;

	mix_hash(sym, msg, INIT_OFF_EPHEMERAL);
	mix_ephemeral(sym, msg + INIT_OFF_EPHEMERAL);
	if (mix_dh(sym, my_priv, msg + INIT_OFF_EPHEMERAL, key) != 0 ||
	    decrypt_and_hash(sym, key, msg + INIT_OFF_STATIC,
			     JVPN_KEY_LEN + HS_TAG_LEN, res->peer_pub) != 0)
		goto out;
	res->has_peer_pub = true;
	/* before the second X25519: an unknown key costs us one, not two */
	status = HS_ERR_UNKNOWN_PEER;
	if (!peers->is_allowed(peers_ctx, res->peer_pub))
		goto out;
	status = HS_ERR_AUTH;
	if (mix_dh(sym, my_priv, res->peer_pub, key) != 0 ||
	    decrypt_and_hash(sym, key, msg + INIT_OFF_TIMESTAMP,
			     JVPN_HS_TIMESTAMP_LEN + HS_TAG_LEN,
			     timestamp) != 0)
		goto out;
	status = HS_ERR_MALFORMED; /* authentic, but not a timestamp */
	if (!timestamp_decode(timestamp, &res->timestamp))
		goto out;
	status = HS_ERR_FUTURE;
	if (latest && hs_time_after(&res->timestamp, latest))
		goto out;
	status = HS_ERR_REPLAY;
	if (!timestamp_fresh(peers, peers_ctx, res->peer_pub, &res->timestamp))
		goto out;
	peers->store_timestamp(peers_ctx, res->peer_pub, &res->timestamp);
	status = HS_OK;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(timestamp, sizeof(timestamp));
	return status;
}

static enum hs_status
consume_init(struct hs_responder *st, const uint8_t my_priv[JVPN_KEY_LEN],
	     const uint8_t my_pub[JVPN_KEY_LEN], const struct hs_params *params,
	     const struct hs_peer_ops *peers, void *peers_ctx,
	     const uint8_t *msg, size_t len, struct hs_result *res)
{
	uint8_t my_min, my_max;
	enum hs_status status;

	if (!my_priv || !my_pub || !peer_ops_valid(peers) ||
	    !params_versions(params, &my_min, &my_max))
		return HS_ERR_PARAM;
	/* cheapest first; nothing before mac1 is worth an answer */
	if (!init_shape_ok(msg, len))
		return HS_ERR_MALFORMED;
	if (!mac1_verify(my_pub, msg, INIT_MAC1_END))
		return HS_ERR_MAC1;
	if (!init_fields_ok(msg))
		return HS_ERR_MALFORMED;
	res->offer_valid = true;
	res->initiator_id = get_be64(msg + INIT_OFF_INITIATOR_ID);
	res->version_min = msg[INIT_OFF_VERSION_MIN];
	res->version_max = msg[INIT_OFF_VERSION_MAX];
	if (!negotiate(res->version_min, res->version_max, my_min, my_max,
		       &res->version))
		return HS_ERR_VERSION;

	symmetric_init(&st->sym, my_pub);
	status = init_open(&st->sym, my_priv, msg,
			   params ? params->latest : NULL, peers, peers_ctx,
			   res);
	if (status != HS_OK)
		return status;
	memcpy(st->initiator_ephemeral, msg + INIT_OFF_EPHEMERAL, JVPN_KEY_LEN);
	memcpy(st->initiator_static, res->peer_pub, JVPN_KEY_LEN);
	st->initiator_id = res->initiator_id;
	st->version = res->version;
	st->ready = true;
	return HS_OK;
}

enum hs_status handshake_responder_consume_init(
	struct hs_responder *st, const uint8_t my_priv[JVPN_KEY_LEN],
	const uint8_t my_pub[JVPN_KEY_LEN], const struct hs_params *params,
	const struct hs_peer_ops *peers, void *peers_ctx, const uint8_t *msg,
	size_t len, struct hs_result *res)
{
	enum hs_status status;

	if (!st || !res)
		return HS_ERR_PARAM;
	handshake_responder_wipe(st);
	memset(res, 0, sizeof(*res));
	status = consume_init(st, my_priv, my_pub, params, peers, peers_ctx,
			      msg, len, res);
	if (status != HS_OK)
		handshake_responder_wipe(st);
	if (status != HS_OK)
		res->version = 0;
	res->status = status;
	res->reason = handshake_status_reason(status);
	/* an unknown key gets silence, as a forged one does: an answer
	 * would tell anyone holding our public key whether a key is on the
	 * allowed list (docs/control-plane-protocol.md) */
	res->send_reject = status == HS_ERR_VERSION;
	return status;
}

/* ---- responder: RESP and REJECT ---- */

static void resp_write_header(uint8_t *out, uint8_t version,
			      uint64_t session_id, uint64_t initiator_id)
{
	out[RESP_OFF_TYPE] = JVPN_MSG_HANDSHAKE_RESP;
	out[RESP_OFF_VERSION] = version;
	out[RESP_OFF_RESERVED] = 0;
	out[RESP_OFF_RESERVED + 1] = 0;
	put_be64(out + RESP_OFF_SESSION_ID, session_id);
	put_be64(out + RESP_OFF_INITIATOR_ID, initiator_id);
}

/* psk: (ck, k) = KDF2(ck, psk), the key of the confirmation after it */
static void mix_psk(struct hs_symmetric *sym, const uint8_t *psk,
		    uint8_t key[JVPN_KEY_LEN])
{
	if (psk)
		kdf(sym->ck, psk, JVPN_KEY_LEN, sym->ck, key);
}

/* e, ee, se, [psk], {} into out */
static enum hs_status resp_seal(const struct hs_responder *st,
				struct hs_symmetric *sym,
				const uint8_t ephemeral_priv[JVPN_KEY_LEN],
				const uint8_t *psk, uint8_t *out)
{
	uint8_t key[JVPN_KEY_LEN];
	enum hs_status status = HS_ERR_AUTH;

	if (keys_public_from_private(ephemeral_priv,
				     out + RESP_OFF_EPHEMERAL) != 0)
		goto out;
	mix_hash(sym, out, RESP_OFF_EPHEMERAL);
	mix_ephemeral(sym, out + RESP_OFF_EPHEMERAL);
	if (mix_dh(sym, ephemeral_priv, st->initiator_ephemeral, NULL) != 0 ||
	    mix_dh(sym, ephemeral_priv, st->initiator_static, key) != 0)
		goto out;
	mix_psk(sym, psk, key);
	/* the empty payload: proof that we hold s_r and e_r (key confirmation) */
	encrypt_and_hash(sym, key, (const uint8_t *)"", 0,
			 out + RESP_OFF_CONFIRM);
	mac1_write(st->initiator_static, out, JVPN_HS_RESP_LEN);
	status = HS_OK;
out:
	sodium_memzero(key, sizeof(key));
	return status;
}

static enum hs_status reply(const struct hs_responder *st, uint64_t session_id,
			    const struct hs_params *params, uint8_t *out,
			    size_t *out_len, struct handshake_keys *keys)
{
	uint8_t ephemeral_priv[JVPN_KEY_LEN];
	struct hs_symmetric sym;
	enum hs_status status;

	if (!out || !out_len || !keys)
		return HS_ERR_PARAM;
	if (!st->ready)
		return HS_ERR_STATE;
	if (session_id == 0 || *out_len < JVPN_HS_RESP_LEN)
		return HS_ERR_PARAM;

	get_random(params, ephemeral_priv, sizeof(ephemeral_priv));
	keys_clamp_private(ephemeral_priv);
	sym = st->sym;
	resp_write_header(out, st->version, session_id, st->initiator_id);
	status = resp_seal(st, &sym, ephemeral_priv,
			   params ? params->psk : NULL, out);
	if (status == HS_OK) {
		split(&sym, false, session_id, st->version, keys);
		*out_len = JVPN_HS_RESP_LEN;
	} else {
		memset(out, 0, JVPN_HS_RESP_LEN);
	}
	sodium_memzero(ephemeral_priv, sizeof(ephemeral_priv));
	sodium_memzero(&sym, sizeof(sym));
	return status;
}

enum hs_status handshake_responder_reply(struct hs_responder *st,
					 uint64_t session_id,
					 const struct hs_params *params,
					 uint8_t *out, size_t *out_len,
					 struct handshake_keys *keys)
{
	enum hs_status status;

	if (!st)
		return HS_ERR_PARAM;
	status = reply(st, session_id, params, out, out_len, keys);
	handshake_responder_wipe(st);
	return status;
}

enum hs_status handshake_responder_reject(const struct hs_result *res,
					  const struct hs_params *params,
					  uint8_t *out, size_t *out_len)
{
	uint8_t my_min, my_max;

	if (!res || !out || !out_len || *out_len < JVPN_HS_REJECT_LEN ||
	    !params_versions(params, &my_min, &my_max))
		return HS_ERR_PARAM;
	/* only a mac1-checked INIT refused for its version is answered */
	if (!res->send_reject || !res->offer_valid ||
	    res->status != HS_ERR_VERSION)
		return HS_ERR_STATE;
	out[REJECT_OFF_TYPE] = JVPN_MSG_HANDSHAKE_REJECT;
	out[REJECT_OFF_VERSION_MIN] = my_min;
	out[REJECT_OFF_VERSION_MAX] = my_max;
	out[REJECT_OFF_RESERVED] = 0;
	put_be64(out + REJECT_OFF_INITIATOR_ID, res->initiator_id);
	put_be16(out + REJECT_OFF_REASON,
		 (uint16_t)handshake_status_reason(res->status));
	*out_len = JVPN_HS_REJECT_LEN;
	return HS_OK;
}

/* ---- initiator: RESP and REJECT ---- */

/* everything about a RESP that costs no X25519 */
static enum hs_status resp_check_cheap(const struct hs_initiator *st,
				       const uint8_t *msg, size_t len)
{
	uint8_t version;

	if (!msg || len != JVPN_HS_RESP_LEN ||
	    msg[RESP_OFF_TYPE] != JVPN_MSG_HANDSHAKE_RESP)
		return HS_ERR_MALFORMED;
	if (!mac1_verify(st->static_pub, msg, len))
		return HS_ERR_MAC1;
	if (msg[RESP_OFF_RESERVED] != 0 || msg[RESP_OFF_RESERVED + 1] != 0 ||
	    get_be64(msg + RESP_OFF_SESSION_ID) == 0)
		return HS_ERR_MALFORMED;
	if (get_be64(msg + RESP_OFF_INITIATOR_ID) != st->initiator_id)
		return HS_ERR_UNMATCHED;
	version = msg[RESP_OFF_VERSION];
	if (version < st->version_min || version > st->version_max)
		return HS_ERR_VERSION;
	return HS_OK;
}

/* e, ee, se, {}: the gateway proves it holds s_r and its e_r */
static enum hs_status resp_open(const struct hs_initiator *st,
				struct hs_symmetric *sym, const uint8_t *msg)
{
	uint8_t key[JVPN_KEY_LEN], empty[1];
	enum hs_status status = HS_ERR_AUTH;

	mix_hash(sym, msg, RESP_OFF_EPHEMERAL);
	mix_ephemeral(sym, msg + RESP_OFF_EPHEMERAL);
	if (mix_dh(sym, st->ephemeral_priv, msg + RESP_OFF_EPHEMERAL, NULL) ==
		    0 &&
	    mix_dh(sym, st->static_priv, msg + RESP_OFF_EPHEMERAL, key) == 0) {
		/* a psk unlike the gateway's fails the confirmation here */
		mix_psk(sym, st->has_psk ? st->psk : NULL, key);
		if (decrypt_and_hash(sym, key, msg + RESP_OFF_CONFIRM,
				     HS_TAG_LEN, empty) == 0)
			status = HS_OK;
	}
	sodium_memzero(key, sizeof(key));
	return status;
}

enum hs_status handshake_initiator_consume_resp(struct hs_initiator *st,
						const uint8_t *msg, size_t len,
						struct handshake_keys *keys)
{
	struct hs_symmetric sym;
	enum hs_status status;

	if (!st || !keys)
		return HS_ERR_PARAM;
	if (!st->pending)
		return HS_ERR_STATE;
	status = resp_check_cheap(st, msg, len);
	if (status != HS_OK)
		return status;
	/* work on a copy: a forged RESP leaves the attempt untouched */
	sym = st->sym;
	status = resp_open(st, &sym, msg);
	if (status == HS_OK) {
		split(&sym, true, get_be64(msg + RESP_OFF_SESSION_ID),
		      msg[RESP_OFF_VERSION], keys);
		handshake_initiator_wipe(st);
	}
	sodium_memzero(&sym, sizeof(sym));
	return status;
}

static bool reject_reason_valid(uint16_t reason)
{
	return reason == JVPND_REASON_VERSION_MISMATCH ||
	       reason == JVPND_REASON_UNKNOWN_PEER;
}

enum hs_status handshake_initiator_consume_reject(const struct hs_initiator *st,
						  const uint8_t *msg,
						  size_t len,
						  struct hs_reject *rej)
{
	uint8_t gw_min, gw_max, common;
	uint16_t reason;

	if (!st || !rej)
		return HS_ERR_PARAM;
	if (!st->pending)
		return HS_ERR_STATE;
	if (!msg || len != JVPN_HS_REJECT_LEN ||
	    msg[REJECT_OFF_TYPE] != JVPN_MSG_HANDSHAKE_REJECT ||
	    msg[REJECT_OFF_RESERVED] != 0)
		return HS_ERR_MALFORMED;
	if (get_be64(msg + REJECT_OFF_INITIATOR_ID) != st->initiator_id)
		return HS_ERR_UNMATCHED;
	gw_min = msg[REJECT_OFF_VERSION_MIN];
	gw_max = msg[REJECT_OFF_VERSION_MAX];
	reason = get_be16(msg + REJECT_OFF_REASON);
	if (!reject_reason_valid(reason) ||
	    !version_range_valid(gw_min, gw_max))
		return HS_ERR_MALFORMED;
	/* a version mismatch between ranges that overlap is a lie */
	if (reason == JVPND_REASON_VERSION_MISMATCH &&
	    negotiate(st->version_min, st->version_max, gw_min, gw_max,
		      &common))
		return HS_ERR_MALFORMED;
	rej->reason = (enum jvpnd_reason)reason;
	rej->version_min = gw_min;
	rej->version_max = gw_max;
	return HS_OK;
}

bool handshake_peek_initiator_id(const uint8_t *msg, size_t len,
				 uint64_t *initiator_id)
{
	if (!msg || !initiator_id)
		return false;
	if (len == JVPN_HS_RESP_LEN && msg[0] == JVPN_MSG_HANDSHAKE_RESP) {
		*initiator_id = get_be64(msg + RESP_OFF_INITIATOR_ID);
		return true;
	}
	if (len == JVPN_HS_REJECT_LEN && msg[0] == JVPN_MSG_HANDSHAKE_REJECT) {
		*initiator_id = get_be64(msg + REJECT_OFF_INITIATOR_ID);
		return true;
	}
	return false;
}
