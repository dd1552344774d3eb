/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The jvpn handshake: one round trip, Noise_IK-shaped, mutual
 * authentication by static X25519 keys, forward secrecy from ephemeral
 * ones. docs/control-plane-protocol.md ("Handshake") is the specification;
 * this file is its API.
 *
 *   client (initiator)                         gateway (responder)
 *   handshake_initiator_start()  -- INIT -->   handshake_init_mac1_ok()
 *                                              (caller: rate limit per source)
 *                                              handshake_responder_consume_init()
 *                                <-- RESP --   handshake_responder_reply()
 *   handshake_initiator_consume_resp()           or
 *                                <-- REJECT -- handshake_responder_reject()
 *   handshake_initiator_consume_reject()
 *
 * Pure code: no sockets, no clocks, no global state. Time comes in as
 * struct hs_time, randomness through struct hs_params (NULL: libsodium's
 * CSPRNG). Every secret on the stack and in a finished state is wiped with
 * sodium_memzero. The program must have called sodium_init().
 */
#ifndef JVPND_HANDSHAKE_H
#define JVPND_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpauth.h"
#include "key.h"
#include <jvpn/messages.h>
#include "reason.h"

/*
 * Wall-clock time (CLOCK_REALTIME) of the initiator: Unix seconds and
 * nanoseconds. The gateway refuses an INIT whose timestamp is not greater
 * than the greatest it accepted from the same client key, so the client
 * must pass a clock that only moves forward across its restarts.
 */
struct hs_time {
	uint64_t sec;  /* < 2^62 */
	uint32_t nsec; /* < 1000000000 */
};

/* a later than b */
bool hs_time_after(const struct hs_time *a, const struct hs_time *b);

enum hs_status {
	HS_OK = 0,
	HS_ERR_PARAM, /* bad argument: NULL, short buffer, bad range, session id 0 */
	HS_ERR_STATE,	  /* the state is not waiting for this call */
	HS_ERR_MALFORMED, /* wrong length, type, reserved or field values */
	HS_ERR_MAC1,	  /* mac1 does not verify: not meant for our key */
	HS_ERR_UNMATCHED, /* RESP/REJECT echoes another attempt's initiator id */
	HS_ERR_VERSION,	  /* no common protocol version */
	HS_ERR_AUTH,	  /* AEAD or X25519 failed: forged or corrupted */
	HS_ERR_UNKNOWN_PEER, /* client key not on the gateway's list */
	HS_ERR_REPLAY,	     /* timestamp not greater than the greatest seen */
	HS_ERR_FUTURE, /* timestamp after hs_params.latest: a clock ahead */
};

/* "ok", "malformed", "mac1", ...: stable names for logs and tests */
const char *handshake_status_name(enum hs_status status);

/*
 * The reason code an event about this status carries:
 * VERSION -> JVPND_REASON_VERSION_MISMATCH, UNKNOWN_PEER ->
 * JVPND_REASON_UNKNOWN_PEER, REPLAY -> JVPND_REASON_REPLAYED_HANDSHAKE,
 * FUTURE -> JVPND_REASON_STALE_TIMESTAMP, AUTH -> JVPND_REASON_BAD_PROOF
 * (never answered), anything else NONE.
 */
enum jvpnd_reason handshake_status_reason(enum hs_status status);

/*
 * Knobs that tests and a mixed-version deployment change. Pass NULL for
 * the defaults: this build's JVPN_CP_VERSION_MIN..MAX and randombytes_buf.
 */
struct hs_params {
	uint8_t version_min; /* 1 <= version_min <= version_max */
	uint8_t version_max;
	/* fills buf with len random bytes; NULL means randombytes_buf */
	void (*random)(void *ctx, void *buf, size_t len);
	void *random_ctx;
	/*
	 * Gateway: an INIT timestamped after this is refused (HS_ERR_FUTURE)
	 * and its time never stored; NULL: no bound. The gateway's clock
	 * plus a skew allowance: one client clock far ahead must not push
	 * its greatest time, the replay guard, past every later INIT.
	 */
	const struct hs_time *latest;
	/*
	 * The pair's preshared key (JVPN_KEY_LEN bytes), mixed into the
	 * chaining key after se, as WireGuard's IKpsk2 does: without it no
	 * key of the session can be computed, even with both static private
	 * keys. NULL: none (the keys are those of the handshake without).
	 * The initiator's is passed to handshake_initiator_start, the
	 * responder's, once it knows the peer, to handshake_responder_reply.
	 */
	const uint8_t *psk;
};

/*
 * The gateway's view of its clients, behind callbacks so that the caller
 * keeps the table and its lock. All three are called from inside
 * handshake_responder_consume_init(), only after the client's static key
 * was decrypted and authenticated by the first AEAD.
 */
struct hs_peer_ops {
	/* true when client_pub is on the list of allowed clients */
	bool (*is_allowed)(void *ctx, const uint8_t client_pub[JVPN_KEY_LEN]);
	/*
	 * true and *greatest = the greatest timestamp accepted from this
	 * client; false when none was accepted yet (keep them across
	 * restarts, in the state file, or a captured INIT replays once)
	 */
	bool (*last_timestamp)(void *ctx,
			       const uint8_t client_pub[JVPN_KEY_LEN],
			       struct hs_time *greatest);
	/* record ts as the greatest; called once per accepted INIT */
	void (*store_timestamp)(void *ctx,
				const uint8_t client_pub[JVPN_KEY_LEN],
				const struct hs_time *ts);
};

/*
 * What a completed handshake yields, identical on both ends except for
 * `initiator`. The caller installs data keys into the kernel (tx/rx from
 * handshake_keys_tx/rx) with key phase generation & 1, keeps control for
 * HMAC-SHA256 proofs of reattach and probe messages, keeps chain for
 * handshake_rotate(), and wipes the struct with handshake_keys_wipe().
 */
struct handshake_keys {
	uint8_t data_i2r[JVPN_KEY_LEN]; /* data key initiator -> responder */
	uint8_t data_r2i[JVPN_KEY_LEN]; /* data key responder -> initiator */
	uint8_t control[JVPN_KEY_LEN];	/* HMAC-SHA256 key, never a data key */
	uint8_t chain[JVPN_KEY_LEN];	/* secret seed of the next generation */
	uint64_t session_id;		/* assigned by the gateway, never 0 */
	uint32_t generation; /* 0 from the handshake, +1 per rotation */
	uint8_t version;     /* negotiated protocol version */
	bool initiator;	     /* this end sent the INIT */
};

const uint8_t *handshake_keys_tx(const struct handshake_keys *keys);
const uint8_t *handshake_keys_rx(const struct handshake_keys *keys);
void handshake_keys_wipe(struct handshake_keys *keys);

/* What the session's control messages are sealed and opened with. */
static inline struct cp_auth handshake_keys_auth(const struct handshake_keys *k)
{
	return (struct cp_auth){ k->control, k->version };
}

/*
 * next = the keys of generation `generation`, which must be
 * old->generation + 1 (and not wrap to 0): both ends derive the same next
 * data keys and chain from old->chain alone, without a round trip. The
 * control key, session id and version carry over. next may be old itself.
 * Adds no forward secrecy (see the protocol document): rekey by a fresh
 * handshake when a time bound passes. HS_ERR_PARAM on a wrong generation.
 */
enum hs_status handshake_rotate(const struct handshake_keys *old,
				uint32_t generation,
				struct handshake_keys *next);

/* Chaining key and transcript hash, as in Noise's SymmetricState. */
struct hs_symmetric {
	uint8_t ck[JVPN_KEY_LEN];
	uint8_t h[JVPN_KEY_LEN];
};

/* Client side of one attempt. Fields are private to handshake.c. */
struct hs_initiator {
	struct hs_symmetric sym;
	uint8_t ephemeral_priv[JVPN_KEY_LEN];
	uint8_t static_priv[JVPN_KEY_LEN];
	uint8_t static_pub[JVPN_KEY_LEN];
	uint64_t initiator_id;
	uint8_t version_min;
	uint8_t version_max;
	bool pending; /* INIT sent, no RESP consumed yet */
	bool has_psk;
	uint8_t psk[JVPN_KEY_LEN];
};

/* Gateway side between consume_init and reply. Private to handshake.c. */
struct hs_responder {
	struct hs_symmetric sym;
	uint8_t initiator_ephemeral[JVPN_KEY_LEN];
	uint8_t initiator_static[JVPN_KEY_LEN];
	uint64_t initiator_id;
	uint8_t version;
	bool ready; /* INIT accepted, reply not sent */
};

/*
 * What handshake_responder_consume_init() learnt; public to the caller.
 * Which fields are valid depends on how far the INIT got.
 */
struct hs_result {
	enum hs_status status;
	enum jvpnd_reason reason; /* handshake_status_reason(status) */
	bool send_reject;	  /* handshake_responder_reject() may answer */
	/* mac1 verified and fields well-formed: the next three are valid */
	bool offer_valid;
	uint64_t initiator_id;
	uint8_t version_min; /* the client's offer */
	uint8_t version_max;
	uint8_t version; /* negotiated; valid on HS_OK */
	/*
	 * The static key the INIT names (it decrypted under es). Proven to be
	 * the sender's only on HS_OK and HS_ERR_REPLAY (ss verified); on
	 * HS_ERR_UNKNOWN_PEER or HS_ERR_AUTH anyone could have named it.
	 */
	bool has_peer_pub;
	uint8_t peer_pub[JVPN_KEY_LEN];
	struct hs_time timestamp; /* valid on HS_OK, HS_ERR_REPLAY, _FUTURE */
};

/* What a REJECT said; see the protocol document for what it is worth. */
struct hs_reject {
	enum jvpnd_reason reason; /* VERSION_MISMATCH or UNKNOWN_PEER */
	uint8_t version_min;	  /* the gateway's range */
	uint8_t version_max;
};

/*
 * Client: writes a HANDSHAKE_INIT to out (*out_len: capacity in, bytes
 * written out, JVPN_HS_INIT_LEN) and fills st for the answer. my_pub must be
 * keys_public_from_private(my_priv); peer_pub is the pinned gateway key.
 * HS_ERR_PARAM for a short buffer, a bad time or version range, or a
 * gateway key of small order. st is wiped on any failure.
 */
enum hs_status handshake_initiator_start(struct hs_initiator *st,
					 const uint8_t my_priv[JVPN_KEY_LEN],
					 const uint8_t my_pub[JVPN_KEY_LEN],
					 const uint8_t peer_pub[JVPN_KEY_LEN],
					 const struct hs_time *now,
					 const struct hs_params *params,
					 uint8_t *out, size_t *out_len);

/*
 * Gateway, before anything else: true when msg has the length and type of
 * a HANDSHAKE_INIT and its mac1 was made for my_pub. Costs two BLAKE2b
 * calls and no X25519, so the caller checks it, then rate-limits the
 * source, then calls handshake_responder_consume_init().
 */
bool handshake_init_mac1_ok(const uint8_t my_pub[JVPN_KEY_LEN],
			    const uint8_t *msg, size_t len);

/*
 * Gateway: judges a HANDSHAKE_INIT, in this order: length and type, mac1,
 * field values, common version, X25519 es and the client's static key,
 * peers->is_allowed, X25519 ss and the timestamp, the replay check. The
 * first failure is returned and described in *res (always filled); on HS_OK
 * the timestamp has been stored through peers->store_timestamp and st is
 * ready for handshake_responder_reply(). st is wiped on any failure.
 */
enum hs_status handshake_responder_consume_init(
	struct hs_responder *st, const uint8_t my_priv[JVPN_KEY_LEN],
	const uint8_t my_pub[JVPN_KEY_LEN], const struct hs_params *params,
	const struct hs_peer_ops *peers, void *peers_ctx, const uint8_t *msg,
	size_t len, struct hs_result *res);

/*
 * Gateway, after HS_OK: writes the HANDSHAKE_RESP (JVPN_HS_RESP_LEN bytes)
 * assigning session_id (not 0) and fills keys. st is wiped afterwards,
 * whatever the outcome.
 */
enum hs_status handshake_responder_reply(struct hs_responder *st,
					 uint64_t session_id,
					 const struct hs_params *params,
					 uint8_t *out, size_t *out_len,
					 struct handshake_keys *keys);

/*
 * Gateway, after HS_ERR_VERSION (res->send_reject): writes a
 * HANDSHAKE_REJECT (JVPN_HS_REJECT_LEN bytes) with res->reason and the
 * gateway's range from params. HS_ERR_STATE for any other result: nothing
 * else is ever answered, an unknown key (HS_ERR_UNKNOWN_PEER) included.
 */
enum hs_status handshake_responder_reject(const struct hs_result *res,
					  const struct hs_params *params,
					  uint8_t *out, size_t *out_len);

/*
 * Client: judges a HANDSHAKE_RESP for the pending attempt st: length,
 * type, mac1 (keyed by our static key, before any X25519), reserved bytes,
 * initiator id, version inside our offer, session id not 0, then X25519
 * ee and se and the key confirmation AEAD. On HS_OK keys are filled and st
 * is wiped; on failure st is left as it was, so a forged RESP cannot kill
 * an attempt that a genuine RESP would still complete.
 */
enum hs_status handshake_initiator_consume_resp(struct hs_initiator *st,
						const uint8_t *msg, size_t len,
						struct handshake_keys *keys);

/*
 * Client: HS_OK when msg is a well-formed HANDSHAKE_REJECT echoing st's
 * initiator id with a reason a gateway may send (and, for a version
 * mismatch, a range that really misses ours). The caller then gives up
 * this attempt with rej->reason; it must conclude nothing else.
 */
enum hs_status handshake_initiator_consume_reject(const struct hs_initiator *st,
						  const uint8_t *msg,
						  size_t len,
						  struct hs_reject *rej);

/* The initiator id a RESP or REJECT echoes, to find the pending attempt. */
bool handshake_peek_initiator_id(const uint8_t *msg, size_t len,
				 uint64_t *initiator_id);

void handshake_initiator_wipe(struct hs_initiator *st);
void handshake_responder_wipe(struct hs_responder *st);

#endif /* JVPND_HANDSHAKE_H */
