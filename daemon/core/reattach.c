// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reattach, path and probe messages, and the gateway's judgement of a
 * REATTACH_REQUEST: see reattach.h and docs/reattach.md.
 */
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "bytes.h"
#include "reattach.h"

_Static_assert(JVPN_KEY_LEN == crypto_auth_hmacsha256_KEYBYTES,
	       "the control key is an HMAC-SHA256 key");
_Static_assert(JVPN_CP_MAC_LEN == crypto_auth_hmacsha256_BYTES,
	       "the envelope's mac is a whole HMAC-SHA256");
_Static_assert(REATTACH_REJECT_LEN <= REATTACH_REQUEST_LEN,
	       "a reject must not amplify the request it answers");

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* ---- envelope ------------------------------------------------------ */

const char *reattach_status_name(enum reattach_status st)
{
	switch (st) {
	case REATTACH_OK:
		return "ok";
	case REATTACH_E_LENGTH:
		return "length";
	case REATTACH_E_MAC:
		return "mac";
	case REATTACH_E_TYPE:
		return "type";
	case REATTACH_E_VERSION:
		return "version";
	case REATTACH_E_RESERVED:
		return "reserved";
	case REATTACH_E_FIELD:
		return "field";
	case REATTACH_E_PARAM:
		return "param";
	}
	return "unknown";
}

size_t reattach_msg_len(uint8_t type)
{
	switch (type) {
	case JVPN_MSG_REATTACH_REQUEST:
		return REATTACH_REQUEST_LEN;
	case JVPN_MSG_REATTACH_CHALLENGE:
	case JVPN_MSG_REATTACH_RESPONSE:
		return REATTACH_CHALLENGE_LEN;
	case JVPN_MSG_REATTACH_ACK:
		return REATTACH_ACK_LEN;
	case JVPN_MSG_REATTACH_REJECT:
		return REATTACH_REJECT_LEN;
	case JVPN_MSG_PATH_CHALLENGE:
	case JVPN_MSG_PATH_RESPONSE:
		return REATTACH_PATH_LEN;
	case JVPN_MSG_PROBE:
	case JVPN_MSG_PROBE_ACK:
		return REATTACH_PROBE_LEN;
	}
	return 0;
}

bool reattach_accepts(enum reattach_role receiver, uint8_t type)
{
	bool from_client = type == JVPN_MSG_REATTACH_REQUEST ||
			   type == JVPN_MSG_REATTACH_RESPONSE ||
			   type == JVPN_MSG_PATH_RESPONSE ||
			   type == JVPN_MSG_PROBE;

	if (reattach_msg_len(type) == 0)
		return false;
	return receiver == REATTACH_ROLE_GATEWAY ? from_client : !from_client;
}

enum reattach_status reattach_peek(const uint8_t *buf, size_t len,
				   uint8_t *type, uint64_t *session_id)
{
	if (!buf || len < JVPN_CP_HDR_LEN + JVPN_CP_MAC_LEN)
		return REATTACH_E_LENGTH;
	if (reattach_msg_len(buf[0]) == 0)
		return REATTACH_E_TYPE;
	if (type)
		*type = buf[0];
	if (session_id)
		*session_id = get_be64(buf + 4);
	return REATTACH_OK;
}

/* Header, body (already in out + 12), mac. The body is written by the
 * caller first, so each encoder fills only its own fields. */
static size_t seal(uint8_t type, uint64_t session_id, size_t body_len,
		   struct cp_auth auth, uint8_t *out)
{
	size_t covered = JVPN_CP_HDR_LEN + body_len;

	out[0] = type;
	out[1] = auth.version;
	out[2] = 0;
	out[3] = 0;
	put_be64(out + 4, session_id);
	crypto_auth_hmacsha256(out + covered, out, covered, auth.key);
	return covered + JVPN_CP_MAC_LEN;
}

/* Whether an encoder may write a message of this body length. */
static bool can_encode(const void *m, struct cp_auth auth, uint64_t sid,
		       const uint8_t *out, size_t cap, size_t body_len)
{
	return m && cp_auth_valid(auth) && out && sid != 0 &&
	       cap >= JVPN_CP_MSG_LEN(body_len);
}

/*
 * Length first (cheap, and the mac's position depends on it), then the
 * mac in constant time, and only then anything the bytes say: no field
 * of a forged message is ever looked at.
 */
static enum reattach_status open_env(uint8_t type, size_t body_len,
				     const uint8_t *buf, size_t len,
				     struct cp_auth auth, uint64_t *sid)
{
	size_t covered = JVPN_CP_HDR_LEN + body_len;

	if (!buf || !auth.key || len != covered + JVPN_CP_MAC_LEN)
		return REATTACH_E_LENGTH;
	if (crypto_auth_hmacsha256_verify(buf + covered, buf, covered,
					  auth.key))
		return REATTACH_E_MAC;
	if (buf[0] != type)
		return REATTACH_E_TYPE;
	/* the session's version, not merely one this build speaks */
	if (buf[1] != auth.version)
		return REATTACH_E_VERSION;
	if (buf[2] || buf[3])
		return REATTACH_E_RESERVED;
	*sid = get_be64(buf + 4);
	return *sid ? REATTACH_OK : REATTACH_E_FIELD;
}

#define BODY(p) ((p) + JVPN_CP_HDR_LEN)

/* ---- REATTACH_REQUEST ---------------------------------------------- */

/* body: state_version(8) nonce(8) timestamp_ms(8) class(1) reserved(7) */
size_t reattach_encode_request(const struct reattach_request *m,
			       struct cp_auth auth, uint8_t *out, size_t cap)
{
	uint8_t *b;

	if (!can_encode(m, auth, m ? m->session_id : 0, out, cap,
			JVPN_REATTACH_REQUEST_BODY))
		return 0;
	b = BODY(out);
	put_be64(b, m->state_version);
	put_be64(b + 8, m->nonce);
	put_be64(b + 16, m->timestamp_ms);
	b[24] = m->transport_class;
	memset(b + 25, 0, 7);
	return seal(JVPN_MSG_REATTACH_REQUEST, m->session_id,
		    JVPN_REATTACH_REQUEST_BODY, auth, out);
}

enum reattach_status reattach_decode_request(const uint8_t *buf, size_t len,
					     struct cp_auth auth,
					     struct reattach_request *m)
{
	struct reattach_request r;
	enum reattach_status st;
	const uint8_t *b;

	memset(&r, 0, sizeof(r));
	st = open_env(JVPN_MSG_REATTACH_REQUEST, JVPN_REATTACH_REQUEST_BODY,
		      buf, len, auth, &r.session_id);
	if (st != REATTACH_OK)
		return st;
	b = BODY(buf);
	if (!all_zero(b + 25, 7))
		return REATTACH_E_RESERVED;
	r.state_version = get_be64(b);
	r.nonce = get_be64(b + 8);
	r.timestamp_ms = get_be64(b + 16);
	/* any class decodes: policy answers an unknown one with
	 * CLASS_NOT_ALLOWED, which tells a newer client more than silence */
	r.transport_class = b[24];
	if (m)
		*m = r;
	return REATTACH_OK;
}

/* ---- REATTACH_CHALLENGE / REATTACH_RESPONSE ------------------------ */

/* body: request_nonce(8) token(16) */
static size_t encode_challenge_as(uint8_t type,
				  const struct reattach_challenge *m,
				  struct cp_auth auth, uint8_t *out, size_t cap)
{
	uint8_t *b;

	if (!can_encode(m, auth, m ? m->session_id : 0, out, cap,
			JVPN_REATTACH_CHALLENGE_BODY) ||
	    all_zero(m->token, JVPN_REATTACH_TOKEN_LEN))
		return 0;
	b = BODY(out);
	put_be64(b, m->request_nonce);
	memcpy(b + 8, m->token, JVPN_REATTACH_TOKEN_LEN);
	return seal(type, m->session_id, JVPN_REATTACH_CHALLENGE_BODY, auth,
		    out);
}

static enum reattach_status decode_challenge_as(uint8_t type,
						const uint8_t *buf, size_t len,
						struct cp_auth auth,
						struct reattach_challenge *m)
{
	struct reattach_challenge c;
	enum reattach_status st;
	const uint8_t *b;

	memset(&c, 0, sizeof(c));
	st = open_env(type, JVPN_REATTACH_CHALLENGE_BODY, buf, len, auth,
		      &c.session_id);
	if (st != REATTACH_OK)
		return st;
	b = BODY(buf);
	if (all_zero(b + 8, JVPN_REATTACH_TOKEN_LEN))
		return REATTACH_E_FIELD;
	c.request_nonce = get_be64(b);
	memcpy(c.token, b + 8, JVPN_REATTACH_TOKEN_LEN);
	if (m)
		*m = c;
	return REATTACH_OK;
}

size_t reattach_encode_challenge(const struct reattach_challenge *m,
				 struct cp_auth auth, uint8_t *out, size_t cap)
{
	return encode_challenge_as(JVPN_MSG_REATTACH_CHALLENGE, m, auth, out,
				   cap);
}

size_t reattach_encode_response(const struct reattach_challenge *m,
				struct cp_auth auth, uint8_t *out, size_t cap)
{
	return encode_challenge_as(JVPN_MSG_REATTACH_RESPONSE, m, auth, out,
				   cap);
}

enum reattach_status reattach_decode_challenge(const uint8_t *buf, size_t len,
					       struct cp_auth auth,
					       struct reattach_challenge *m)
{
	return decode_challenge_as(JVPN_MSG_REATTACH_CHALLENGE, buf, len, auth,
				   m);
}

enum reattach_status reattach_decode_response(const uint8_t *buf, size_t len,
					      struct cp_auth auth,
					      struct reattach_challenge *m)
{
	return decode_challenge_as(JVPN_MSG_REATTACH_RESPONSE, buf, len, auth,
				   m);
}

/* ---- REATTACH_ACK --------------------------------------------------- */

/* body: request_nonce(8) state_version(8); version 0 is HANDSHAKE's and
 * can never be the result of a switch */
size_t reattach_encode_ack(const struct reattach_ack *m, struct cp_auth auth,
			   uint8_t *out, size_t cap)
{
	uint8_t *b;

	if (!can_encode(m, auth, m ? m->session_id : 0, out, cap,
			JVPN_REATTACH_ACK_BODY) ||
	    m->state_version == 0)
		return 0;
	b = BODY(out);
	put_be64(b, m->request_nonce);
	put_be64(b + 8, m->state_version);
	return seal(JVPN_MSG_REATTACH_ACK, m->session_id,
		    JVPN_REATTACH_ACK_BODY, auth, out);
}

enum reattach_status reattach_decode_ack(const uint8_t *buf, size_t len,
					 struct cp_auth auth,
					 struct reattach_ack *m)
{
	struct reattach_ack a;
	enum reattach_status st;
	const uint8_t *b;

	memset(&a, 0, sizeof(a));
	st = open_env(JVPN_MSG_REATTACH_ACK, JVPN_REATTACH_ACK_BODY, buf, len,
		      auth, &a.session_id);
	if (st != REATTACH_OK)
		return st;
	b = BODY(buf);
	a.request_nonce = get_be64(b);
	a.state_version = get_be64(b + 8);
	if (a.state_version == 0)
		return REATTACH_E_FIELD;
	if (m)
		*m = a;
	return REATTACH_OK;
}

/* ---- REATTACH_REJECT ------------------------------------------------ */

/* The reasons a gateway puts on the wire: never NONE, never BAD_PROOF. */
static bool reject_reason_sendable(uint16_t reason)
{
	return reason == JVPND_REASON_UNKNOWN_SESSION ||
	       (reason >= JVPND_REASON_REPLAYED_NONCE &&
		reason <= JVPND_REASON_KERNEL_LOST);
}

/* body: reason(2) reserved(2) retry_after_ms(4) request_nonce(8)
 *       state_version(8) nonce_floor(8) */
size_t reattach_encode_reject(const struct reattach_reject *m,
			      struct cp_auth auth, uint8_t *out, size_t cap)
{
	uint8_t *b;

	if (!can_encode(m, auth, m ? m->session_id : 0, out, cap,
			JVPN_REATTACH_REJECT_BODY) ||
	    !reject_reason_sendable(m->reason))
		return 0;
	b = BODY(out);
	put_be16(b, m->reason);
	put_be16(b + 2, 0);
	put_be32(b + 4, m->retry_after_ms);
	put_be64(b + 8, m->request_nonce);
	put_be64(b + 16, m->state_version);
	put_be64(b + 24, m->nonce_floor);
	return seal(JVPN_MSG_REATTACH_REJECT, m->session_id,
		    JVPN_REATTACH_REJECT_BODY, auth, out);
}

enum reattach_status reattach_decode_reject(const uint8_t *buf, size_t len,
					    struct cp_auth auth,
					    struct reattach_reject *m)
{
	struct reattach_reject r;
	enum reattach_status st;
	const uint8_t *b;

	memset(&r, 0, sizeof(r));
	st = open_env(JVPN_MSG_REATTACH_REJECT, JVPN_REATTACH_REJECT_BODY, buf,
		      len, auth, &r.session_id);
	if (st != REATTACH_OK)
		return st;
	b = BODY(buf);
	if (b[2] || b[3])
		return REATTACH_E_RESERVED;
	r.reason = get_be16(b);
	if (!reject_reason_sendable(r.reason))
		return REATTACH_E_FIELD;
	r.retry_after_ms = get_be32(b + 4);
	r.request_nonce = get_be64(b + 8);
	r.state_version = get_be64(b + 16);
	r.nonce_floor = get_be64(b + 24);
	if (m)
		*m = r;
	return REATTACH_OK;
}

/* ---- PATH_CHALLENGE / PATH_RESPONSE -------------------------------- */

/* body: token(16) */
static size_t encode_path_as(uint8_t type, const struct reattach_path *m,
			     struct cp_auth auth, uint8_t *out, size_t cap)
{
	if (!can_encode(m, auth, m ? m->session_id : 0, out, cap,
			JVPN_PATH_BODY) ||
	    all_zero(m->token, JVPN_REATTACH_TOKEN_LEN))
		return 0;
	memcpy(BODY(out), m->token, JVPN_REATTACH_TOKEN_LEN);
	return seal(type, m->session_id, JVPN_PATH_BODY, auth, out);
}

static enum reattach_status decode_path_as(uint8_t type, const uint8_t *buf,
					   size_t len, struct cp_auth auth,
					   struct reattach_path *m)
{
	struct reattach_path p;
	enum reattach_status st;

	memset(&p, 0, sizeof(p));
	st = open_env(type, JVPN_PATH_BODY, buf, len, auth, &p.session_id);
	if (st != REATTACH_OK)
		return st;
	if (all_zero(BODY(buf), JVPN_REATTACH_TOKEN_LEN))
		return REATTACH_E_FIELD;
	memcpy(p.token, BODY(buf), JVPN_REATTACH_TOKEN_LEN);
	if (m)
		*m = p;
	return REATTACH_OK;
}

size_t reattach_encode_path_challenge(const struct reattach_path *m,
				      struct cp_auth auth, uint8_t *out,
				      size_t cap)
{
	return encode_path_as(JVPN_MSG_PATH_CHALLENGE, m, auth, out, cap);
}

size_t reattach_encode_path_response(const struct reattach_path *m,
				     struct cp_auth auth, uint8_t *out,
				     size_t cap)
{
	return encode_path_as(JVPN_MSG_PATH_RESPONSE, m, auth, out, cap);
}

enum reattach_status reattach_decode_path_challenge(const uint8_t *buf,
						    size_t len,
						    struct cp_auth auth,
						    struct reattach_path *m)
{
	return decode_path_as(JVPN_MSG_PATH_CHALLENGE, buf, len, auth, m);
}

enum reattach_status reattach_decode_path_response(const uint8_t *buf,
						   size_t len,
						   struct cp_auth auth,
						   struct reattach_path *m)
{
	return decode_path_as(JVPN_MSG_PATH_RESPONSE, buf, len, auth, m);
}

/* ---- PROBE / PROBE_ACK ---------------------------------------------- */

/* body: seq(8) timestamp_ms(8) */
static size_t encode_probe_as(uint8_t type, const struct reattach_probe *m,
			      struct cp_auth auth, uint8_t *out, size_t cap)
{
	uint8_t *b;

	if (!can_encode(m, auth, m ? m->session_id : 0, out, cap,
			JVPN_PROBE_BODY))
		return 0;
	b = BODY(out);
	put_be64(b, m->seq);
	put_be64(b + 8, m->timestamp_ms);
	return seal(type, m->session_id, JVPN_PROBE_BODY, auth, out);
}

static enum reattach_status decode_probe_as(uint8_t type, const uint8_t *buf,
					    size_t len, struct cp_auth auth,
					    struct reattach_probe *m)
{
	struct reattach_probe p;
	enum reattach_status st;

	memset(&p, 0, sizeof(p));
	st = open_env(type, JVPN_PROBE_BODY, buf, len, auth, &p.session_id);
	if (st != REATTACH_OK)
		return st;
	p.seq = get_be64(BODY(buf));
	p.timestamp_ms = get_be64(BODY(buf) + 8);
	if (m)
		*m = p;
	return REATTACH_OK;
}

size_t reattach_encode_probe(const struct reattach_probe *m,
			     struct cp_auth auth, uint8_t *out, size_t cap)
{
	return encode_probe_as(JVPN_MSG_PROBE, m, auth, out, cap);
}

size_t reattach_encode_probe_ack(const struct reattach_probe *m,
				 struct cp_auth auth, uint8_t *out, size_t cap)
{
	return encode_probe_as(JVPN_MSG_PROBE_ACK, m, auth, out, cap);
}

enum reattach_status reattach_decode_probe(const uint8_t *buf, size_t len,
					   struct cp_auth auth,
					   struct reattach_probe *m)
{
	return decode_probe_as(JVPN_MSG_PROBE, buf, len, auth, m);
}

enum reattach_status reattach_decode_probe_ack(const uint8_t *buf, size_t len,
					       struct cp_auth auth,
					       struct reattach_probe *m)
{
	return decode_probe_as(JVPN_MSG_PROBE_ACK, buf, len, auth, m);
}

/* ---- policy and session bookkeeping -------------------------------- */

bool reattach_policy_valid(const struct reattach_policy *p)
{
	return p && p->freshness_ms > 0 &&
	       limiter_rate_valid(&p->session_rate) &&
	       limiter_rate_valid(&p->source_rate) &&
	       p->max_switches_per_minute >= 1 &&
	       p->max_switches_per_minute <= LIMITER_WINDOW_CAP &&
	       p->allowed_classes != 0 &&
	       (p->allowed_classes & ~REATTACH_CLASSES_KNOWN) == 0;
}

void reattach_session_init(struct reattach_session *rs,
			   const struct reattach_policy *p, uint64_t now_ms)
{
	memset(rs, 0, sizeof(*rs));
	limiter_bucket_init(&rs->bucket, &p->session_rate, now_ms);
	limiter_window_init(&rs->switches);
}

void reattach_note_switch(struct reattach_session *rs, uint64_t now_ms)
{
	rs->last_switch_ms = now_ms;
	limiter_window_add(&rs->switches, now_ms);
}

/* ---- sources -------------------------------------------------------- */

/*
 * The address and port bytes of an IPv4 or IPv6 endpoint; *addr_len is 4
 * for IPv4 and for v4-mapped IPv6 (a dual-stack socket's IPv4 peers), so
 * one peer has one key whichever socket it reached. Copied, not cast: the
 * caller's buffer need not be aligned for sockaddr_in6.
 */
static bool sockaddr_bytes(const struct sockaddr *sa, socklen_t len,
			   uint8_t addr[16], size_t *addr_len, uint8_t port[2])
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	sa_family_t family;

	if (!sa || len < (socklen_t)sizeof(family))
		return false;
	memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family),
	       sizeof(family));
	if (family == AF_INET && len >= (socklen_t)sizeof(in4)) {
		memcpy(&in4, sa, sizeof(in4));
		memcpy(addr, &in4.sin_addr, 4);
		memcpy(port, &in4.sin_port, 2);
		*addr_len = 4;
		return true;
	}
	if (family != AF_INET6 || len < (socklen_t)sizeof(in6))
		return false;
	memcpy(&in6, sa, sizeof(in6));
	memcpy(port, &in6.sin6_port, 2);
	if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
		memcpy(addr, in6.sin6_addr.s6_addr + 12, 4);
		*addr_len = 4;
	} else {
		memcpy(addr, in6.sin6_addr.s6_addr, 16);
		*addr_len = 16;
	}
	return true;
}

bool reattach_source_from_sockaddr(const struct sockaddr *sa, socklen_t len,
				   struct reattach_source *src)
{
	uint8_t addr[16], port[2];
	size_t addr_len;

	if (!src || !sockaddr_bytes(sa, len, addr, &addr_len, port))
		return false;
	memset(src, 0, sizeof(*src));
	/* an IPv6 host owns a /64: keying by less would let it rotate
	 * through 2^64 fresh buckets */
	src->key_len = addr_len == 4 ? 4 : 8;
	memcpy(src->key, addr, src->key_len);
	src->observed_class =
		addr_len == 4 ? REATTACH_CLASS_UDP4 : REATTACH_CLASS_UDP6;
	return true;
}

bool reattach_path_key_from_sockaddr(const struct sockaddr *sa, socklen_t len,
				     uint8_t key[REATTACH_PATH_KEY_MAX],
				     uint8_t *key_len)
{
	uint8_t addr[16], port[2];
	size_t addr_len;

	if (!key || !key_len || !sockaddr_bytes(sa, len, addr, &addr_len, port))
		return false;
	memcpy(key, addr, addr_len);
	memcpy(key + addr_len, port, 2);
	*key_len = (uint8_t)(addr_len + 2);
	return true;
}

/* ---- validation ------------------------------------------------------ */

static uint32_t clamp_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Only ACTIVE, VOLATILE and DEGRADED sessions have a binding to move. */
static bool session_reattachable(const struct reattach_view *s)
{
	if (!s || !s->sm || !s->rs)
		return false;
	return s->sm->state == JVPN_STATE_ACTIVE ||
	       s->sm->state == JVPN_STATE_VOLATILE ||
	       s->sm->state == JVPN_STATE_DEGRADED;
}

static bool timestamp_fresh(uint64_t ts, uint64_t wall, uint32_t window)
{
	uint64_t skew = wall > ts ? wall - ts : ts - wall;

	return skew <= window;
}

/*
 * Current means: made with the binding that holds now. Versions the
 * gateway took since its last binding change (its own VOLATILE, DEGRADED,
 * RECOVERED) were never sent to the client and do not make its view
 * stale; a version from before the binding, or one the gateway never
 * had, does.
 */
static bool version_current(const struct sm *sm, uint64_t v)
{
	return v >= sm->bound_version && v <= sm->version;
}

bool reattach_class_allowed(const struct reattach_policy *p, uint8_t c)
{
	return c >= 1 && c <= 32 &&
	       (p->allowed_classes & REATTACH_CLASSES_KNOWN &
		REATTACH_CLASS_BIT(c));
}

struct judging {
	const struct reattach_view *session;
	const struct reattach_request *req;
	const struct reattach_source *src;
	const struct reattach_clock *now;
	const struct reattach_policy *policy;
	bool source_ok;
	uint32_t source_wait_ms;
};

/*
 * Every request that is not its session's own fresh one costs its source
 * a token: that is what bounds a flood of unknown ids, forged proofs and
 * replays, and decides whether such a request is answered. A fresh
 * authenticated one is judged by its session's own bucket alone
 * (judge_limits), so that junk from a victim's address (the same CGNAT
 * address, or a spoofed one) cannot refuse the victim's genuine requests:
 * authenticate first, then judge.
 */
static bool charge_source(struct judging *j, struct limiter_table *sources,
			  struct reattach_verdict *v)
{
	const struct limiter_rate *rate = &j->policy->source_rate;
	struct limiter_bucket *b;

	if (!sources || !j->src)
		return false;
	b = limiter_table_get(sources, j->src->key, j->src->key_len, rate,
			      j->now->mono_ms);
	if (!b)
		return false;
	if (limiter_bucket_take(b, rate, j->now->mono_ms))
		return true;
	v->source_limited = true;
	v->rate_event |= b->refusals == 1;
	j->source_wait_ms =
		clamp_u32(limiter_bucket_wait_ms(b, rate, j->now->mono_ms));
	return false;
}

/* Checks 1-5: is this the session's own, fresh, current request? */
static enum jvpnd_reason judge_identity(const struct judging *j, bool proof_ok)
{
	const struct reattach_request *req = j->req;
	struct reattach_session *rs;

	if (!session_reattachable(j->session))
		return JVPND_REASON_UNKNOWN_SESSION;
	if (!proof_ok)
		return JVPND_REASON_BAD_PROOF;
	rs = j->session->rs;
	if (req->nonce <= rs->last_nonce)
		return JVPND_REASON_REPLAYED_NONCE;
	/* authentic and new: it can never be judged again, whatever follows
	 * (a captured request must not be replayable until it passes) */
	rs->last_nonce = req->nonce;
	if (!timestamp_fresh(req->timestamp_ms, j->now->wall_ms,
			     j->policy->freshness_ms))
		return JVPND_REASON_STALE_TIMESTAMP;
	if (!version_current(j->session->sm, req->state_version))
		return JVPND_REASON_STALE_VERSION;
	return JVPND_REASON_NONE;
}

static uint32_t switch_limit(const struct reattach_policy *p)
{
	return p->max_switches_per_minute < LIMITER_WINDOW_CAP
		       ? p->max_switches_per_minute
		       : LIMITER_WINDOW_CAP;
}

/* The session's own request, never judged before: what anyone can
 * send (an unknown id, a forged proof, a replay) is not. */
static bool authenticated_fresh(enum jvpnd_reason identity)
{
	return identity != JVPND_REASON_UNKNOWN_SESSION &&
	       identity != JVPND_REASON_BAD_PROOF &&
	       identity != JVPND_REASON_REPLAYED_NONCE;
}

/* Checks 6-9: may this session switch now, to this class? */
static enum jvpnd_reason judge_limits(const struct judging *j,
				      struct reattach_verdict *v)
{
	struct reattach_session *rs = j->session->rs;
	const struct reattach_policy *p = j->policy;
	uint64_t now = j->now->mono_ms;

	if (!j->source_ok) {
		v->retry_after_ms = j->source_wait_ms;
		return JVPND_REASON_RATE_LIMITED;
	}
	if (!limiter_bucket_take(&rs->bucket, &p->session_rate, now)) {
		v->session_limited = true;
		v->rate_event |= rs->bucket.refusals == 1;
		v->retry_after_ms = clamp_u32(limiter_bucket_wait_ms(
			&rs->bucket, &p->session_rate, now));
		return JVPND_REASON_RATE_LIMITED;
	}
	if (!limiter_cooldown_over(rs->last_switch_ms, now, p->cooldown_ms)) {
		v->retry_after_ms = clamp_u32(limiter_cooldown_left_ms(
			rs->last_switch_ms, now, p->cooldown_ms));
		return JVPND_REASON_COOLDOWN;
	}
	if (limiter_window_count(&rs->switches, now, LIMITER_MINUTE_MS) >=
	    switch_limit(p))
		return JVPND_REASON_SWITCH_LIMIT;
	if (!reattach_class_allowed(p, j->req->transport_class) ||
	    !reattach_class_allowed(p, j->src->observed_class))
		return JVPND_REASON_CLASS_NOT_ALLOWED;
	return JVPND_REASON_NONE;
}

/*
 * Silence for a forged proof, for anything from a source over its budget
 * (answers must not become a reflection flood), and for a request we
 * cannot or did not authenticate: an unknown session has no key, and a
 * known one's UNKNOWN_SESSION comes before the proof check.
 */
static bool may_answer(const struct judging *j, bool proof_ok,
		       const struct reattach_verdict *v)
{
	if (v->reason == JVPND_REASON_BAD_PROOF || !j->source_ok)
		return false;
	if (v->reason == JVPND_REASON_UNKNOWN_SESSION)
		return j->session && j->session->sm && j->session->rs &&
		       proof_ok;
	return true;
}

enum jvpnd_reason reattach_validate(
	const struct reattach_view *session, const struct reattach_request *req,
	bool proof_ok, const struct reattach_source *src,
	const struct reattach_clock *now, const struct reattach_policy *policy,
	struct limiter_table *sources, struct reattach_verdict *out)
{
	struct reattach_verdict v = { .reason = JVPND_REASON_UNKNOWN_SESSION };
	struct judging j = {
		.session = session,
		.req = req,
		.src = src,
		.now = now,
		.policy = policy,
	};

	/* a caller bug must end in silence, never in acceptance */
	if (req && now && policy) {
		v.reason = judge_identity(&j, proof_ok);
		j.source_ok = src && (authenticated_fresh(v.reason) ||
				      charge_source(&j, sources, &v));
		if (v.reason == JVPND_REASON_NONE)
			v.reason = judge_limits(&j, &v);
		v.answer = may_answer(&j, proof_ok, &v);
	}
	v.security_event = v.reason == JVPND_REASON_BAD_PROOF;
	v.terminate = v.reason == JVPND_REASON_SWITCH_LIMIT;
	if (out)
		*out = v;
	return v.reason;
}

void reattach_make_reject(const struct reattach_view *session,
			  const struct reattach_request *req,
			  const struct reattach_verdict *verdict,
			  struct reattach_reject *out)
{
	memset(out, 0, sizeof(*out));
	out->session_id = req->session_id;
	out->reason = (uint16_t)verdict->reason;
	out->retry_after_ms = verdict->retry_after_ms;
	out->request_nonce = req->nonce;
	if (session && session->sm)
		out->state_version = session->sm->version;
	if (session && session->rs)
		out->nonce_floor = session->rs->last_nonce;
}

/* ---- pending path challenge ---------------------------------------- */

bool reattach_pending_arm(struct reattach_pending *p,
			  const uint8_t token[JVPN_REATTACH_TOKEN_LEN],
			  uint64_t request_nonce, const uint8_t *path,
			  size_t path_len, uint64_t now_ms, uint64_t timeout_ms)
{
	memset(p, 0, sizeof(*p));
	if (!token || !path || path_len == 0 ||
	    path_len > REATTACH_PATH_KEY_MAX)
		return false;
	memcpy(p->token, token, JVPN_REATTACH_TOKEN_LEN);
	p->request_nonce = request_nonce;
	p->deadline_ms = timeout_ms > UINT64_MAX - now_ms ? UINT64_MAX
							  : now_ms + timeout_ms;
	memcpy(p->path, path, path_len);
	p->path_len = (uint8_t)path_len;
	p->armed = true;
	return true;
}

enum reattach_match
reattach_pending_match(struct reattach_pending *p,
		       const uint8_t token[JVPN_REATTACH_TOKEN_LEN],
		       uint64_t request_nonce, const uint8_t *path,
		       size_t path_len, uint64_t now_ms)
{
	bool token_ok;

	if (!p->armed)
		return REATTACH_MATCH_NONE;
	if (now_ms >= p->deadline_ms) {
		p->armed = false;
		return REATTACH_MATCH_EXPIRED;
	}
	if (!path || path_len != p->path_len || memcmp(path, p->path, path_len))
		return REATTACH_MATCH_WRONG_PATH;
	token_ok = token &&
		   sodium_memcmp(token, p->token, JVPN_REATTACH_TOKEN_LEN) == 0;
	if (!token_ok || request_nonce != p->request_nonce)
		return REATTACH_MATCH_WRONG_TOKEN;
	p->armed = false;
	return REATTACH_MATCH_OK;
}
