// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness of daemon/core/reattach.c (and the sm/limiter code it
 * drives). Every input is used three ways:
 *
 *  1. as it is, into reattach_peek and every decoder: nothing may crash
 *     or leak, and (a forged mac being out of reach) nothing may decode;
 *  2. with its last 32 bytes replaced by a valid mac, so the header and
 *     body checks behind the mac are fuzzed too: whatever decodes must
 *     encode back to exactly the same bytes (one encoding per message);
 *  3. as a description of a session, a request and a policy, judged by
 *     reattach_validate: the verdict must keep the invariants of the
 *     fixed order (docs/reattach.md), whatever the numbers;
 *  4. as a socket address (unaligned, any length) for the source and path
 *     keys, and as an answer to an armed path challenge.
 *
 *   clang -fsanitize=fuzzer,address,undefined ... (see the Makefile)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clientguard.h"
#include "reattach.h"

static const uint8_t KEY[JVPN_KEY_LEN] = {
	0x6a, 0x76, 0x70, 0x6e, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x6b,
	0x65, 0x79, 0x2d, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
	0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
};
/* the fixture session negotiated the lowest version */
#define AUTH ((struct cp_auth){ KEY, JVPN_CP_VERSION_MIN })

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

/* ---- decoders, and the canonical re-encoding ------------------------ */

#define ROUND_TRIP(NAME, STRUCT)                                               \
	static bool rt_##NAME(const uint8_t *buf, size_t len)                  \
	{                                                                      \
		uint8_t again[REATTACH_MSG_MAX];                               \
		struct STRUCT m;                                               \
                                                                               \
		if (reattach_decode_##NAME(buf, len, AUTH, &m) != REATTACH_OK) \
			return false;                                          \
		CHECK(reattach_encode_##NAME(&m, AUTH, again,                  \
					     sizeof(again)) == len);           \
		CHECK(memcmp(again, buf, len) == 0);                           \
		return true;                                                   \
	}

ROUND_TRIP(request, reattach_request)
ROUND_TRIP(challenge, reattach_challenge)
ROUND_TRIP(response, reattach_challenge)
ROUND_TRIP(ack, reattach_ack)
ROUND_TRIP(reject, reattach_reject)
ROUND_TRIP(path_challenge, reattach_path)
ROUND_TRIP(path_response, reattach_path)
ROUND_TRIP(probe, reattach_probe)
ROUND_TRIP(probe_ack, reattach_probe)

/* How many decoders took the bytes; at most one may (types differ). */
static int decode_all(const uint8_t *buf, size_t len)
{
	uint8_t type;
	uint64_t sid;
	int ok = 0;

	if (reattach_peek(buf, len, &type, &sid) == REATTACH_OK)
		CHECK(reattach_msg_len(type) != 0);
	ok += rt_request(buf, len);
	ok += rt_challenge(buf, len);
	ok += rt_response(buf, len);
	ok += rt_ack(buf, len);
	ok += rt_reject(buf, len);
	ok += rt_path_challenge(buf, len);
	ok += rt_path_response(buf, len);
	ok += rt_probe(buf, len);
	ok += rt_probe_ack(buf, len);
	CHECK(ok <= 1);
	return ok;
}

static void fuzz_raw(const uint8_t *data, size_t size)
{
	/* a mac found by chance would be news: refuse to believe it */
	CHECK(decode_all(data, size) == 0);
}

static void fuzz_resealed(const uint8_t *data, size_t size)
{
	uint8_t buf[REATTACH_MSG_MAX + 8];
	size_t covered;

	if (size < JVPN_CP_HDR_LEN + JVPN_CP_MAC_LEN || size > sizeof(buf))
		return;
	memcpy(buf, data, size);
	covered = size - JVPN_CP_MAC_LEN;
	crypto_auth_hmacsha256(buf + covered, buf, covered, KEY);
	if (decode_all(buf, size) == 1)
		CHECK(size == reattach_msg_len(buf[0]));
}

/* ---- reattach_validate ------------------------------------------------ */

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct reader *r, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v << 8 | (r->left ? *r->p : 0);
		if (r->left) {
			r->p++;
			r->left--;
		}
	}
	return v;
}

struct scene {
	struct sm sm;
	struct reattach_session rs;
	struct reattach_policy pol;
	struct reattach_request req;
	struct reattach_source src;
	struct reattach_clock now;
	bool proof_ok;
	bool known;
};

/* Small numbers are the interesting ones: most fields take few bytes. */
static void read_scene(struct reader *r, struct scene *s)
{
	struct sm_snapshot snap = { 0 };

	s->pol.freshness_ms = (uint32_t)take(r, 2);
	s->pol.session_rate.per_second = (uint32_t)take(r, 1);
	s->pol.session_rate.burst = (uint32_t)take(r, 1);
	s->pol.source_rate.per_second = (uint32_t)take(r, 1);
	s->pol.source_rate.burst = (uint32_t)take(r, 1);
	s->pol.cooldown_ms = (uint32_t)take(r, 2);
	s->pol.max_switches_per_minute = (uint32_t)take(r, 1);
	s->pol.allowed_classes = (uint32_t)take(r, 1);
	snap.state = (enum jvpn_state)(take(r, 1) % 5);
	snap.version = take(r, 8);
	snap.bound_version = snap.version - take(r, 1);
	if (sm_restore(&s->sm, &snap, NULL, NULL) != SM_OK)
		sm_init(&s->sm, 0, NULL, NULL);
	s->now.mono_ms = take(r, 4);
	s->now.wall_ms = take(r, 8);
	reattach_session_init(&s->rs, &s->pol, s->now.mono_ms - take(r, 2));
	s->rs.last_nonce = take(r, 1);
	for (uint64_t n = take(r, 1) % 8; n > 0; n--)
		reattach_note_switch(&s->rs, s->now.mono_ms - take(r, 3));
	s->req.session_id = 1;
	s->req.state_version = take(r, 8);
	s->req.nonce = take(r, 1);
	s->req.timestamp_ms = s->now.wall_ms + take(r, 3) - 0x800000;
	s->req.transport_class = (uint8_t)take(r, 1);
	s->src.key_len = (uint8_t)(take(r, 1) % (LIMITER_KEY_MAX + 2));
	s->src.key[0] = (uint8_t)take(r, 1);
	s->src.observed_class = (uint8_t)take(r, 1);
	s->proof_ok = take(r, 1) & 1;
	s->known = take(r, 1) & 1;
}

/* What the fixed order promises, checked against a verdict. */
static void check_verdict(const struct scene *before, const struct scene *s,
			  const struct reattach_verdict *v)
{
	enum jvpnd_reason r = v->reason;
	bool passed_nonce = r != JVPND_REASON_UNKNOWN_SESSION &&
			    r != JVPND_REASON_BAD_PROOF &&
			    r != JVPND_REASON_REPLAYED_NONCE;

	CHECK(r == JVPND_REASON_NONE || (r >= JVPND_REASON_UNKNOWN_SESSION &&
					 r <= JVPND_REASON_CLASS_NOT_ALLOWED));
	if (!s->known)
		CHECK(r == JVPND_REASON_UNKNOWN_SESSION && !v->answer);
	if (!s->proof_ok)
		CHECK(r == JVPND_REASON_UNKNOWN_SESSION ||
		      r == JVPND_REASON_BAD_PROOF);
	if (!s->proof_ok || v->source_limited)
		CHECK(!v->answer);
	CHECK(v->security_event == (r == JVPND_REASON_BAD_PROOF));
	CHECK(v->terminate == (r == JVPND_REASON_SWITCH_LIMIT));
	/* the nonce floor moves only for an authentic, new nonce */
	if (passed_nonce)
		CHECK(s->rs.last_nonce == s->req.nonce &&
		      s->req.nonce > before->rs.last_nonce);
	else
		CHECK(s->rs.last_nonce == before->rs.last_nonce);
	/* the session's budget is untouched by anything stopped in 1-5 */
	if (r >= JVPND_REASON_UNKNOWN_SESSION &&
	    r <= JVPND_REASON_STALE_VERSION)
		CHECK(memcmp(&s->rs.bucket, &before->rs.bucket,
			     sizeof(s->rs.bucket)) == 0);
	if (r == JVPND_REASON_NONE)
		CHECK(s->req.state_version >= s->sm.bound_version &&
		      s->req.state_version <= s->sm.version);
}

static void fuzz_validate(const uint8_t *data, size_t size)
{
	static const uint8_t hash_key[LIMITER_HASH_KEY_LEN];
	struct reader r = { data, size };
	struct limiter_table sources;
	struct reattach_verdict v;
	struct scene s, before;
	struct reattach_view view;

	memset(&s, 0, sizeof(s));
	read_scene(&r, &s);
	before = s;
	view = (struct reattach_view){ .sm = &s.sm, .rs = &s.rs };
	if (!limiter_table_init(&sources, 4, hash_key))
		return;
	/* the same request twice: the second can never be accepted */
	reattach_validate(s.known ? &view : NULL, &s.req, s.proof_ok, &s.src,
			  &s.now, &s.pol, &sources, &v);
	check_verdict(&before, &s, &v);
	before = s;
	reattach_validate(s.known ? &view : NULL, &s.req, s.proof_ok, &s.src,
			  &s.now, &s.pol, &sources, &v);
	check_verdict(&before, &s, &v);
	CHECK(v.reason != JVPND_REASON_NONE);
	limiter_table_free(&sources);
}

/* ---- addresses and the pending challenge ----------------------------- */

static void fuzz_addresses(const uint8_t *data, size_t size)
{
	uint8_t path[REATTACH_PATH_KEY_MAX], path_len = 0;
	const uint8_t *token =
		size >= 1 + JVPN_REATTACH_TOKEN_LEN ? data + 1 : data;
	struct reattach_pending p;
	struct reattach_source src;
	bool have_path;

	/* data + 1: a sockaddr at an odd address must be read safely */
	if (size < 1)
		return;
	if (reattach_source_from_sockaddr((const struct sockaddr *)(data + 1),
					  (socklen_t)(size - 1), &src))
		CHECK(src.key_len == 4 || src.key_len == 8);
	have_path = reattach_path_key_from_sockaddr(
		(const struct sockaddr *)(data + 1), (socklen_t)(size - 1),
		path, &path_len);
	if (!have_path || size < 1 + JVPN_REATTACH_TOKEN_LEN)
		return;
	CHECK(path_len == 6 || path_len == 18);
	CHECK(reattach_pending_arm(&p, token, data[0], path, path_len, 10, 5));
	CHECK(reattach_pending_match(&p, token, data[0], path, path_len, 14) ==
	      REATTACH_MATCH_OK);
	CHECK(reattach_pending_match(&p, token, data[0], path, path_len, 14) ==
	      REATTACH_MATCH_NONE);
}

/* ---- the client's judgement: nothing accepted twice ----------------- */

static uint64_t take_u8(const uint8_t **p, const uint8_t *end)
{
	return *p < end ? *(*p)++ : 0;
}

/*
 * The bytes are a script of what the client sends and what arrives; each
 * ACK's version and nonce are small so that repeats are frequent. Checks:
 * an accepted ACK has a version above every one before it, an ACK of a
 * request is accepted at most once per request, and PROBE_ACKs are
 * accepted in strictly increasing order, each for a probe sent.
 */
static void fuzz_clientguard(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct clientguard g = { 0 };
	uint64_t bound = 0, nonce = 0, seq = 0, acked_for = 0, last_probe = 0;

	while (p < end) {
		uint8_t op = (uint8_t)(take_u8(&p, end) & 3);
		uint64_t a = take_u8(&p, end) & 15, v = take_u8(&p, end) & 15;

		if (op == 0) {
			clientguard_request_sent(&g, ++nonce, 0);
		} else if (op == 1) {
			clientguard_probe_sent(&g, ++seq);
		} else if (op == 2 && clientguard_ack(&g, a, v, bound, 0) ==
					      CLIENTGUARD_OK) {
			CHECK(v > bound);
			/* one of the newest requests, sent after the last
			 * ACK (which ended every request before it) */
			CHECK(a == 0 || (a <= nonce && a > acked_for &&
					 nonce - a < CLIENTGUARD_OUTSTANDING));
			if (a)
				acked_for = nonce;
			bound = v;
		} else if (op == 3 &&
			   clientguard_probe_ack(&g, a) == CLIENTGUARD_OK) {
			CHECK(a > last_probe && a <= seq);
			last_probe = a;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_raw(data, size);
	fuzz_resealed(data, size);
	fuzz_validate(data, size);
	fuzz_addresses(data, size);
	fuzz_clientguard(data, size);
	return 0;
}
