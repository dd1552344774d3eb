/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reattach, path validation and probes: the session-bound control
 * messages 0x04..0x0c of uapi/jvpn/messages.h, their codecs, and the gateway's judgement
 * of a REATTACH_REQUEST. docs/reattach.md is the prose of this file: byte
 * layouts, the order of checks and the reasoning behind each decision.
 *
 * Every message is  type(1) version(1) reserved(2) session_id(8) body
 * mac(32), big endian, mac = HMAC-SHA256 under the session's control key
 * over everything before it, and has exactly one length. The version is
 * the one the session's handshake negotiated (cpauth.h). Decoders check,
 * in this order: the length, the mac (in constant time), then the header
 * and body fields; on failure the output is left untouched.
 *
 * Every type travels one way only (REATTACH_REQUEST, _RESPONSE,
 * PATH_RESPONSE and PROBE from the client; the others from the gateway),
 * and a receiver accepts only the other side's types (reattach_accepts):
 * one control key serves both directions without a message being
 * reflectable back to its sender.
 *
 * Pure code: no sockets, no clocks, no randomness (tokens come from the
 * caller), no global state. The program must have called sodium_init().
 */
#ifndef JVPND_REATTACH_H
#define JVPND_REATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/jvpn.h>

#include "cpauth.h"
#include "limiter.h"
#include <jvpn/messages.h>
#include "reason.h"
#include "sm.h"

/*
 * How long a REATTACH_REQUEST stays answerable: the gateway's pending
 * challenge lives this long, and the client accepts a challenge, ACK or
 * REJECT for any request it sent within it, not only its newest, so a
 * round trip longer than the retry interval still completes (issue 10,
 * "The client terminates itself"; docs/reattach.md, "Client behaviour").
 */
#define REATTACH_CHALLENGE_WINDOW_MS 2000

/* Total sizes of the messages of uapi/jvpn/messages.h. */
#define REATTACH_REQUEST_LEN                                                   \
	JVPN_CP_MSG_LEN(JVPN_REATTACH_REQUEST_BODY) /* 76 */
#define REATTACH_CHALLENGE_LEN                                                 \
	JVPN_CP_MSG_LEN(JVPN_REATTACH_CHALLENGE_BODY)		       /* 68 */
#define REATTACH_ACK_LEN    JVPN_CP_MSG_LEN(JVPN_REATTACH_ACK_BODY)    /* 60 */
#define REATTACH_REJECT_LEN JVPN_CP_MSG_LEN(JVPN_REATTACH_REJECT_BODY) /* 76 */
#define REATTACH_PATH_LEN   JVPN_CP_MSG_LEN(JVPN_PATH_BODY)	       /* 60 */
#define REATTACH_PROBE_LEN  JVPN_CP_MSG_LEN(JVPN_PROBE_BODY)	       /* 60 */
#define REATTACH_MSG_MAX    REATTACH_REQUEST_LEN

/*
 * Transport classes on the wire. Class c is allowed by policy bit
 * 1 << (c - 1), the same bits as enum policy_transport, so a policy's
 * allowed_transports is passed as it is.
 */
enum reattach_class {
	REATTACH_CLASS_UDP4 = 1,
	REATTACH_CLASS_UDP6 = 2,
};
#define REATTACH_CLASS_BIT(c) (1u << ((c)-1))
#define REATTACH_CLASSES_KNOWN                                                 \
	(REATTACH_CLASS_BIT(REATTACH_CLASS_UDP4) |                             \
	 REATTACH_CLASS_BIT(REATTACH_CLASS_UDP6))

/* ---- messages ------------------------------------------------------ */

/* 0x04, client -> gateway over the candidate path. */
struct reattach_request {
	uint64_t session_id;
	uint64_t state_version;	 /* the bound version the client last learnt */
	uint64_t nonce;		 /* strictly increasing per session, from 1 */
	uint64_t timestamp_ms;	 /* client's wall clock, Unix ms */
	uint8_t transport_class; /* enum reattach_class of the candidate */
};

/* 0x05 REATTACH_CHALLENGE (gateway -> candidate path) and 0x06
 * REATTACH_RESPONSE (client, over the same path, echoing both fields). */
struct reattach_challenge {
	uint64_t session_id;
	uint64_t request_nonce;			/* which request this answers */
	uint8_t token[JVPN_REATTACH_TOKEN_LEN]; /* random, never all zero */
};

/* 0x07, gateway -> client over the new path, after the commit. A
 * request_nonce of 0 announces a gateway-initiated switch (NAT rebinding). */
struct reattach_ack {
	uint64_t session_id;
	uint64_t request_nonce;
	uint64_t state_version; /* the new bound version */
};

/* 0x08, gateway -> the path the request came from. */
struct reattach_reject {
	uint64_t session_id;
	uint16_t reason;	 /* enum jvpnd_reason: 1, 3..9 */
	uint32_t retry_after_ms; /* 0: no hint */
	uint64_t request_nonce;
	uint64_t state_version; /* gateway's current: to resync */
	uint64_t nonce_floor;	/* greatest nonce seen: to resync */
};

/* 0x09 PATH_CHALLENGE (gateway -> an unbound endpoint that sent
 * authenticated data) and 0x0a PATH_RESPONSE (client, echoing). */
struct reattach_path {
	uint64_t session_id;
	uint8_t token[JVPN_REATTACH_TOKEN_LEN];
};

/* 0x0b PROBE (client -> gateway, bound path) and 0x0c PROBE_ACK (gateway,
 * echoing both fields). */
struct reattach_probe {
	uint64_t session_id;
	uint64_t seq;	       /* strictly increasing per sender */
	uint64_t timestamp_ms; /* sender's monotonic clock, for the RTT */
};

enum reattach_status {
	REATTACH_OK = 0,
	REATTACH_E_LENGTH,   /* not exactly the type's length */
	REATTACH_E_MAC,	     /* forged, corrupted, or another key */
	REATTACH_E_TYPE,     /* authentic, but another type */
	REATTACH_E_VERSION,  /* not the session's negotiated version */
	REATTACH_E_RESERVED, /* a reserved byte is not zero */
	REATTACH_E_FIELD,    /* session id 0, a reason that is not sent, ... */
	REATTACH_E_PARAM,    /* encoders: bad argument or short buffer */
};

const char *reattach_status_name(enum reattach_status st);

/*
 * Encoders write the whole message into out (cap bytes) and return its
 * length, or 0 when cap is short or a field is not sendable (session id 0,
 * an all-zero token, a reject reason that is never sent).
 */
size_t reattach_encode_request(const struct reattach_request *m,
			       struct cp_auth auth, uint8_t *out, size_t cap);
size_t reattach_encode_challenge(const struct reattach_challenge *m,
				 struct cp_auth auth, uint8_t *out, size_t cap);
size_t reattach_encode_response(const struct reattach_challenge *m,
				struct cp_auth auth, uint8_t *out, size_t cap);
size_t reattach_encode_ack(const struct reattach_ack *m, struct cp_auth auth,
			   uint8_t *out, size_t cap);
size_t reattach_encode_reject(const struct reattach_reject *m,
			      struct cp_auth auth, uint8_t *out, size_t cap);
size_t reattach_encode_path_challenge(const struct reattach_path *m,
				      struct cp_auth auth, uint8_t *out,
				      size_t cap);
size_t reattach_encode_path_response(const struct reattach_path *m,
				     struct cp_auth auth, uint8_t *out,
				     size_t cap);
size_t reattach_encode_probe(const struct reattach_probe *m,
			     struct cp_auth auth, uint8_t *out, size_t cap);
size_t reattach_encode_probe_ack(const struct reattach_probe *m,
				 struct cp_auth auth, uint8_t *out, size_t cap);

enum reattach_status reattach_decode_request(const uint8_t *buf, size_t len,
					     struct cp_auth auth,
					     struct reattach_request *m);
enum reattach_status reattach_decode_challenge(const uint8_t *buf, size_t len,
					       struct cp_auth auth,
					       struct reattach_challenge *m);
enum reattach_status reattach_decode_response(const uint8_t *buf, size_t len,
					      struct cp_auth auth,
					      struct reattach_challenge *m);
enum reattach_status reattach_decode_ack(const uint8_t *buf, size_t len,
					 struct cp_auth auth,
					 struct reattach_ack *m);
enum reattach_status reattach_decode_reject(const uint8_t *buf, size_t len,
					    struct cp_auth auth,
					    struct reattach_reject *m);
enum reattach_status reattach_decode_path_challenge(const uint8_t *buf,
						    size_t len,
						    struct cp_auth auth,
						    struct reattach_path *m);
enum reattach_status reattach_decode_path_response(const uint8_t *buf,
						   size_t len,
						   struct cp_auth auth,
						   struct reattach_path *m);
enum reattach_status reattach_decode_probe(const uint8_t *buf, size_t len,
					   struct cp_auth auth,
					   struct reattach_probe *m);
enum reattach_status reattach_decode_probe_ack(const uint8_t *buf, size_t len,
					       struct cp_auth auth,
					       struct reattach_probe *m);

/*
 * Unauthenticated look at a datagram, to find the session (and so the key)
 * before decoding: E_LENGTH if shorter than header + mac, E_TYPE if not one
 * of this file's types. Nothing it returns may be trusted or acted on
 * beyond choosing the key and the decoder.
 */
enum reattach_status reattach_peek(const uint8_t *buf, size_t len,
				   uint8_t *type, uint64_t *session_id);

/* The exact length of a message of this type; 0 if not one of ours. */
size_t reattach_msg_len(uint8_t type);

enum reattach_role {
	REATTACH_ROLE_CLIENT,
	REATTACH_ROLE_GATEWAY,
};

/* Whether a receiver in this role processes this type at all. */
bool reattach_accepts(enum reattach_role receiver, uint8_t type);

/* ---- the gateway's judgement of a REATTACH_REQUEST ---------------- */

/*
 * Limits of one request, in the units of struct policy (the caller copies
 * its profile in: freshness_window_ms, reattach_rate_per_session and
 * _per_source, cooldown_ms, max_switches_per_minute, allowed_transports;
 * in DEGRADED the caller passes its stricter numbers).
 */
struct reattach_policy {
	uint32_t freshness_ms;
	struct limiter_rate session_rate;
	struct limiter_rate source_rate;
	uint32_t cooldown_ms;
	uint32_t max_switches_per_minute; /* 1..LIMITER_WINDOW_CAP */
	uint32_t allowed_classes;	  /* REATTACH_CLASS_BIT()s */
};

bool reattach_policy_valid(const struct reattach_policy *p);

/* The gateway's reattach bookkeeping of one session; lives with it. */
struct reattach_session {
	uint64_t last_nonce;	 /* greatest authenticated nonce; 0: none */
	uint64_t last_switch_ms; /* monotonic; 0: never switched */
	struct limiter_bucket bucket;	/* the session's request budget */
	struct limiter_window switches; /* committed switch times */
};

void reattach_session_init(struct reattach_session *rs,
			   const struct reattach_policy *p, uint64_t now_ms);

/* After a switch is committed in the kernel (and sm_bump_for_switch). */
void reattach_note_switch(struct reattach_session *rs, uint64_t now_ms);

/* A session as the gateway sees it: both NULL-free, or pass NULL for the
 * whole view when the session id is unknown. */
struct reattach_view {
	const struct sm *sm;
	struct reattach_session *rs;
};

/*
 * Where a request came from: the per-source limiter key (IPv4 address, or
 * the /64 of an IPv6 address, as WireGuard does: an IPv6 host owns a /64)
 * and the transport class the gateway itself observed.
 */
struct reattach_source {
	uint8_t key[LIMITER_KEY_MAX];
	uint8_t key_len;
	uint8_t observed_class; /* enum reattach_class */
};

/* From recvfrom's address; a v4-mapped IPv6 address counts as IPv4.
 * False for another family or a short length. */
bool reattach_source_from_sockaddr(const struct sockaddr *sa, socklen_t len,
				   struct reattach_source *src);

struct reattach_clock {
	uint64_t mono_ms; /* CLOCK_BOOTTIME: limits, cooldown */
	uint64_t wall_ms; /* CLOCK_REALTIME: the request's timestamp */
};

struct reattach_verdict {
	enum jvpnd_reason reason; /* NONE: accepted, send the challenge */
	bool answer;		  /* a REJECT (or the challenge) may be sent */
	bool security_event;	  /* BAD_PROOF: emit SECURITY_EVENT */
	bool terminate;		 /* SWITCH_LIMIT: the caller ends the session */
	bool source_limited;	 /* the source's bucket refused */
	bool session_limited;	 /* the session's bucket refused */
	bool rate_event;	 /* a bucket has just run dry: one
				 * RATE_LIMIT_TRIGGER, not one per packet */
	uint32_t retry_after_ms; /* for RATE_LIMITED and COOLDOWN */
};

/*
 * Judges a REATTACH_REQUEST and returns the first failing check, in the
 * fixed order of docs/design.md (docs/reattach.md, "Validation"):
 *   UNKNOWN_SESSION  view NULL, or the session in HANDSHAKE or TERMINATED
 *   BAD_PROOF        !proof_ok: the mac did not verify (never answered)
 *   REPLAYED_NONCE   nonce <= the greatest seen
 *   STALE_TIMESTAMP  |wall - timestamp| > freshness
 *   STALE_VERSION    state_version outside [bound_version, version]
 *   RATE_LIMITED     the source's or the session's bucket is empty
 *   COOLDOWN         the last switch is less than cooldown_ms old
 *   SWITCH_LIMIT     max_switches_per_minute switches in the last minute
 *   CLASS_NOT_ALLOWED  declared or observed class not allowed
 * Side effects, each reasoned in docs/reattach.md: every call takes a
 * token from the source's bucket; an authentic request with a new nonce
 * raises the nonce floor whatever follows; only a request that passed
 * checks 1-5 takes a token from the session's bucket. A request with
 * proof_ok false never reaches the nonce check, so forged input changes
 * nothing of the session. out may be NULL.
 */
enum jvpnd_reason reattach_validate(
	const struct reattach_view *session, const struct reattach_request *req,
	bool proof_ok, const struct reattach_source *src,
	const struct reattach_clock *now, const struct reattach_policy *policy,
	struct limiter_table *sources, struct reattach_verdict *out);

/* Whether transport class @c (enum reattach_class) is allowed: check 9. */
bool reattach_class_allowed(const struct reattach_policy *p, uint8_t c);

/* The REJECT to send for a refused request (verdict->answer true). */
void reattach_make_reject(const struct reattach_view *session,
			  const struct reattach_request *req,
			  const struct reattach_verdict *verdict,
			  struct reattach_reject *out);

/* ---- the path challenge the gateway waits on ---------------------- */

#define REATTACH_PATH_KEY_MAX 18 /* IPv6 address + port */

/*
 * One outstanding challenge per session: a new one replaces the old.
 * path is the endpoint the challenge went to, as bytes the caller chooses
 * (reattach_path_key_from_sockaddr); the response must come from it.
 */
struct reattach_pending {
	bool armed;
	uint8_t token[JVPN_REATTACH_TOKEN_LEN];
	uint64_t request_nonce; /* 0 for a PATH_CHALLENGE */
	uint64_t deadline_ms;	/* monotonic */
	uint8_t path[REATTACH_PATH_KEY_MAX];
	uint8_t path_len;
};

enum reattach_match {
	REATTACH_MATCH_OK,
	REATTACH_MATCH_NONE,	    /* nothing outstanding */
	REATTACH_MATCH_EXPIRED,	    /* too late: disarmed */
	REATTACH_MATCH_WRONG_PATH,  /* answered from another endpoint */
	REATTACH_MATCH_WRONG_TOKEN, /* or another request's nonce */
};

/* Address and port bytes of an endpoint (v4-mapped as IPv4); false for
 * another family. */
bool reattach_path_key_from_sockaddr(const struct sockaddr *sa, socklen_t len,
				     uint8_t key[REATTACH_PATH_KEY_MAX],
				     uint8_t *key_len);

/* false (p disarmed) for a path longer than REATTACH_PATH_KEY_MAX. */
bool reattach_pending_arm(struct reattach_pending *p,
			  const uint8_t token[JVPN_REATTACH_TOKEN_LEN],
			  uint64_t request_nonce, const uint8_t *path,
			  size_t path_len, uint64_t now_ms,
			  uint64_t timeout_ms);

/*
 * An authentic RESPONSE or PATH_RESPONSE against the outstanding
 * challenge: OK (and disarmed: a token is good once) when the token and
 * nonce match in constant time, it came from the challenged path and
 * now < deadline. A wrong path or token leaves the challenge armed, so a
 * stray answer cannot cancel the genuine one.
 */
enum reattach_match
reattach_pending_match(struct reattach_pending *p,
		       const uint8_t token[JVPN_REATTACH_TOKEN_LEN],
		       uint64_t request_nonce, const uint8_t *path,
		       size_t path_len, uint64_t now_ms);

#endif /* JVPND_REATTACH_H */
