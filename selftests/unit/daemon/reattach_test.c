// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/reattach.c: every message's round trip and byte
 * layout; every truncated, extended, bit-flipped, re-keyed or
 * field-corrupted message refused; the gateway's nine checks, each
 * reached alone and each reported first when it and every later check
 * fail together; what each outcome charges, burns and answers; the path
 * challenge; and one whole reattach from request to ACK.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "policy.h"
#include "reattach.h"

/* The wire class values and the policy's transport bits are one contract. */
_Static_assert(REATTACH_CLASS_BIT(REATTACH_CLASS_UDP4) == POLICY_TRANSPORT_UDP4,
	       "udp4 bit");
_Static_assert(REATTACH_CLASS_BIT(REATTACH_CLASS_UDP6) == POLICY_TRANSPORT_UDP6,
	       "udp6 bit");
_Static_assert(REATTACH_CLASSES_KNOWN == POLICY_TRANSPORTS_SUPPORTED,
	       "supported classes");

static uint8_t KEY[JVPN_KEY_LEN];
static uint8_t OTHER_KEY[JVPN_KEY_LEN];
/* a session's authentication: its key, at the version it negotiated */
#define AUTH(k) ((struct cp_auth){ (k), JVPN_CP_VERSION_MIN })
static const uint8_t HASH_KEY[LIMITER_HASH_KEY_LEN] = { 9, 9, 9 };
static const uint8_t TOKEN[JVPN_REATTACH_TOKEN_LEN] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};

#define SID 0x0102030405060708ull

/* ---- one sample of every message, and a generic view of the codecs -- */

static const struct reattach_request S_REQ = {
	.session_id = SID,
	.state_version = 0x1112131415161718ull,
	.nonce = 0x2122232425262728ull,
	.timestamp_ms = 0x3132333435363738ull,
	.transport_class = REATTACH_CLASS_UDP6,
};
static struct reattach_challenge s_chal;
static const struct reattach_ack S_ACK = {
	.session_id = SID,
	.request_nonce = 77,
	.state_version = 5,
};
static const struct reattach_reject S_REJ = {
	.session_id = SID,
	.reason = JVPND_REASON_COOLDOWN,
	.retry_after_ms = 0x41424344,
	.request_nonce = 0x5152535455565758ull,
	.state_version = 0x6162636465666768ull,
	.nonce_floor = 0x7172737475767778ull,
};
static struct reattach_path s_path;
static const struct reattach_probe S_PROBE = {
	.session_id = SID,
	.seq = 0x8182838485868788ull,
	.timestamp_ms = 0x9192939495969798ull,
};

/* Field by field: struct padding is not part of a message. */
static bool eq_reattach_request(const struct reattach_request *a,
				const struct reattach_request *b)
{
	return a->session_id == b->session_id &&
	       a->state_version == b->state_version && a->nonce == b->nonce &&
	       a->timestamp_ms == b->timestamp_ms &&
	       a->transport_class == b->transport_class;
}

static bool eq_reattach_challenge(const struct reattach_challenge *a,
				  const struct reattach_challenge *b)
{
	return a->session_id == b->session_id &&
	       a->request_nonce == b->request_nonce &&
	       !memcmp(a->token, b->token, sizeof(a->token));
}

static bool eq_reattach_ack(const struct reattach_ack *a,
			    const struct reattach_ack *b)
{
	return a->session_id == b->session_id &&
	       a->request_nonce == b->request_nonce &&
	       a->state_version == b->state_version;
}

static bool eq_reattach_reject(const struct reattach_reject *a,
			       const struct reattach_reject *b)
{
	return a->session_id == b->session_id && a->reason == b->reason &&
	       a->retry_after_ms == b->retry_after_ms &&
	       a->request_nonce == b->request_nonce &&
	       a->state_version == b->state_version &&
	       a->nonce_floor == b->nonce_floor;
}

static bool eq_reattach_path(const struct reattach_path *a,
			     const struct reattach_path *b)
{
	return a->session_id == b->session_id &&
	       !memcmp(a->token, b->token, sizeof(a->token));
}

static bool eq_reattach_probe(const struct reattach_probe *a,
			      const struct reattach_probe *b)
{
	return a->session_id == b->session_id && a->seq == b->seq &&
	       a->timestamp_ms == b->timestamp_ms;
}

struct codec {
	const char *name;
	uint8_t type;
	size_t len;
	size_t (*encode)(const uint8_t *key, uint8_t *out, size_t cap);
	/* decodes and, on OK, asserts the result equals the sample */
	enum reattach_status (*decode)(const uint8_t *buf, size_t len,
				       const uint8_t *key);
};

#define CODEC(NAME, TYPE, LEN, STRUCT, SAMPLE)                                 \
	static size_t enc_##NAME(const uint8_t *key, uint8_t *out, size_t cap) \
	{                                                                      \
		return reattach_encode_##NAME(&(SAMPLE), AUTH(key), out, cap); \
	}                                                                      \
	static enum reattach_status dec_##NAME(const uint8_t *buf, size_t len, \
					       const uint8_t *key)             \
	{                                                                      \
		struct STRUCT m;                                               \
		enum reattach_status st;                                       \
                                                                               \
		memset(&m, 0, sizeof(m));                                      \
		st = reattach_decode_##NAME(buf, len, AUTH(key), &m);          \
		if (st == REATTACH_OK)                                         \
			assert_true(eq_##STRUCT(&m, &(SAMPLE)));               \
		return st;                                                     \
	}

CODEC(request, JVPN_MSG_REATTACH_REQUEST, REATTACH_REQUEST_LEN,
      reattach_request, S_REQ)
CODEC(challenge, JVPN_MSG_REATTACH_CHALLENGE, REATTACH_CHALLENGE_LEN,
      reattach_challenge, s_chal)
CODEC(response, JVPN_MSG_REATTACH_RESPONSE, REATTACH_CHALLENGE_LEN,
      reattach_challenge, s_chal)
CODEC(ack, JVPN_MSG_REATTACH_ACK, REATTACH_ACK_LEN, reattach_ack, S_ACK)
CODEC(reject, JVPN_MSG_REATTACH_REJECT, REATTACH_REJECT_LEN, reattach_reject,
      S_REJ)
CODEC(path_challenge, JVPN_MSG_PATH_CHALLENGE, REATTACH_PATH_LEN, reattach_path,
      s_path)
CODEC(path_response, JVPN_MSG_PATH_RESPONSE, REATTACH_PATH_LEN, reattach_path,
      s_path)
CODEC(probe, JVPN_MSG_PROBE, REATTACH_PROBE_LEN, reattach_probe, S_PROBE)
CODEC(probe_ack, JVPN_MSG_PROBE_ACK, REATTACH_PROBE_LEN, reattach_probe,
      S_PROBE)

#define C(NAME, TYPE, LEN)                                                     \
	{                                                                      \
#NAME, TYPE, LEN, enc_##NAME, dec_##NAME                       \
	}
static const struct codec CODECS[] = {
	C(request, JVPN_MSG_REATTACH_REQUEST, 76),
	C(challenge, JVPN_MSG_REATTACH_CHALLENGE, 68),
	C(response, JVPN_MSG_REATTACH_RESPONSE, 68),
	C(ack, JVPN_MSG_REATTACH_ACK, 60),
	C(reject, JVPN_MSG_REATTACH_REJECT, 76),
	C(path_challenge, JVPN_MSG_PATH_CHALLENGE, 60),
	C(path_response, JVPN_MSG_PATH_RESPONSE, 60),
	C(probe, JVPN_MSG_PROBE, 60),
	C(probe_ack, JVPN_MSG_PROBE_ACK, 60),
};
#define N_CODECS (sizeof(CODECS) / sizeof(CODECS[0]))

/* Recomputes the mac, so that a change reaches the field checks. */
static void reseal(uint8_t *buf, size_t len, const uint8_t *key)
{
	crypto_auth_hmacsha256(buf + len - JVPN_CP_MAC_LEN, buf,
			       len - JVPN_CP_MAC_LEN, key);
}

static size_t encode_sample(const struct codec *c, uint8_t *buf)
{
	size_t n = c->encode(KEY, buf, REATTACH_MSG_MAX + 64);

	assert_int_equal(n, c->len);
	return n;
}

/* ---- sizes, round trips, layout ---------------------------------- */

static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(REATTACH_REQUEST_LEN, 76);
	assert_int_equal(REATTACH_CHALLENGE_LEN, 68);
	assert_int_equal(REATTACH_ACK_LEN, 60);
	assert_int_equal(REATTACH_REJECT_LEN, 76);
	assert_int_equal(REATTACH_PATH_LEN, 60);
	assert_int_equal(REATTACH_PROBE_LEN, 60);
	for (size_t i = 0; i < N_CODECS; i++)
		assert_int_equal(reattach_msg_len(CODECS[i].type),
				 CODECS[i].len);
	for (unsigned int t = 0; t < 256; t++)
		if (t < JVPN_MSG_REATTACH_REQUEST || t > JVPN_MSG_PROBE_ACK)
			assert_int_equal(reattach_msg_len((uint8_t)t), 0);
}

static void test_round_trips(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX + 64];

	(void)state;
	for (size_t i = 0; i < N_CODECS; i++) {
		size_t n = encode_sample(&CODECS[i], buf);

		assert_int_equal(buf[0], CODECS[i].type);
		assert_int_equal(CODECS[i].decode(buf, n, KEY), REATTACH_OK);
	}
}

static void test_request_layout(void **state)
{
	static const uint8_t want_head[] = {
		0x04, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
		0x05, 0x06, 0x07, 0x08,				/* sid */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* version */
		0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, /* nonce */
		0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, /* ts */
		0x02, 0,    0,	  0,	0,    0,    0,	  0, /* class, rsvd */
	};
	uint8_t buf[REATTACH_MSG_MAX], mac[32];

	(void)state;
	assert_int_equal(
		reattach_encode_request(&S_REQ, AUTH(KEY), buf, sizeof(buf)),
		76);
	assert_memory_equal(buf, want_head, sizeof(want_head));
	crypto_auth_hmacsha256(mac, buf, 44, KEY);
	assert_memory_equal(buf + 44, mac, 32);
}

static void test_reject_layout(void **state)
{
	static const uint8_t want_body[] = {
		0x00, 0x07, 0x00, 0x00, 0x41, 0x42, 0x43, 0x44,
		0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
		0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
		0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
	};
	uint8_t buf[REATTACH_MSG_MAX];

	(void)state;
	assert_int_equal(
		reattach_encode_reject(&S_REJ, AUTH(KEY), buf, sizeof(buf)),
		76);
	assert_int_equal(buf[0], JVPN_MSG_REATTACH_REJECT);
	assert_memory_equal(buf + 12, want_body, sizeof(want_body));
}

static void test_small_layouts(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX];

	(void)state;
	reattach_encode_challenge(&s_chal, AUTH(KEY), buf, sizeof(buf));
	assert_int_equal(buf[12 + 7], 99); /* request_nonce low */
	assert_memory_equal(buf + 20, TOKEN, 16);
	reattach_encode_ack(&S_ACK, AUTH(KEY), buf, sizeof(buf));
	assert_int_equal(buf[12 + 7], 77);
	assert_int_equal(buf[12 + 15], 5);
	reattach_encode_path_challenge(&s_path, AUTH(KEY), buf, sizeof(buf));
	assert_memory_equal(buf + 12, TOKEN, 16);
	reattach_encode_probe(&S_PROBE, AUTH(KEY), buf, sizeof(buf));
	assert_int_equal(buf[12], 0x81);
	assert_int_equal(buf[20], 0x91);
}

/* ---- refusals ------------------------------------------------------ */

static void test_truncated_refused(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX + 64];

	(void)state;
	for (size_t i = 0; i < N_CODECS; i++) {
		size_t n = encode_sample(&CODECS[i], buf);

		for (size_t len = 0; len < n; len++)
			assert_int_equal(CODECS[i].decode(buf, len, KEY),
					 REATTACH_E_LENGTH);
		assert_int_equal(CODECS[i].decode(NULL, n, KEY),
				 REATTACH_E_LENGTH);
	}
}

/* Longer by 1..32 bytes, even with a valid mac at the new end. */
static void test_extended_refused(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX + 64];

	(void)state;
	for (size_t i = 0; i < N_CODECS; i++) {
		for (size_t extra = 1; extra <= 32; extra++) {
			size_t n = encode_sample(&CODECS[i], buf);

			memset(buf + n, 0x5a, extra);
			assert_int_equal(CODECS[i].decode(buf, n + extra, KEY),
					 REATTACH_E_LENGTH);
			reseal(buf, n + extra, KEY);
			assert_int_equal(CODECS[i].decode(buf, n + extra, KEY),
					 REATTACH_E_LENGTH);
		}
	}
}

/* Every single bit of every message matters. */
static void test_every_bit_flip_refused(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX + 64];
	unsigned int flips = 0;

	(void)state;
	for (size_t i = 0; i < N_CODECS; i++) {
		size_t n = encode_sample(&CODECS[i], buf);

		for (size_t byte = 0; byte < n; byte++) {
			for (int bit = 0; bit < 8; bit++) {
				buf[byte] ^= (uint8_t)(1u << bit);
				assert_int_equal(CODECS[i].decode(buf, n, KEY),
						 REATTACH_E_MAC);
				buf[byte] ^= (uint8_t)(1u << bit);
				flips++;
			}
		}
		assert_int_equal(CODECS[i].decode(buf, n, KEY), REATTACH_OK);
	}
	assert_int_equal(flips, 8 * (76 + 68 + 68 + 60 + 76 + 60 * 4));
}

static void test_other_key_refused(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX + 64];

	(void)state;
	for (size_t i = 0; i < N_CODECS; i++) {
		size_t n = encode_sample(&CODECS[i], buf);

		assert_int_equal(CODECS[i].decode(buf, n, OTHER_KEY),
				 REATTACH_E_MAC);
		assert_int_equal(CODECS[i].decode(buf, n, NULL),
				 REATTACH_E_LENGTH);
	}
}

/* Authentic bytes of one type fed to another decoder of equal length:
 * the type is under the mac, so it cannot be swapped, only misrouted. */
static void test_type_confusion_refused(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX + 64];
	unsigned int pairs = 0;

	(void)state;
	for (size_t i = 0; i < N_CODECS; i++) {
		size_t n = encode_sample(&CODECS[i], buf);

		for (size_t j = 0; j < N_CODECS; j++) {
			if (j == i || CODECS[j].len != n)
				continue;
			assert_int_equal(CODECS[j].decode(buf, n, KEY),
					 REATTACH_E_TYPE);
			pairs++;
		}
	}
	/* 76: request<->reject; 68: challenge<->response; 60: ack, path
	 * challenge and response, probe, probe ack: 5 * 4 */
	assert_int_equal(pairs, 2 + 2 + 20);
}

/*
 * The header carries the session's negotiated version, and a message is
 * opened only at that version: a session that negotiated another one
 * (here 2, as a newer minor release would) refuses a version-1 message
 * under its own key, however good the mac.
 */
static void test_session_version_is_the_one_checked(void **state)
{
	const struct cp_auth v2 = { KEY, JVPN_CP_VERSION_MIN + 1 };
	uint8_t buf[REATTACH_MSG_MAX + 64];
	struct reattach_request req;

	(void)state;
	for (size_t i = 0; i < N_CODECS; i++) {
		const struct codec *c = &CODECS[i];
		size_t n = encode_sample(c, buf);

		assert_int_equal(buf[1], JVPN_CP_VERSION_MIN);
		assert_int_equal(c->decode(buf, n, KEY), REATTACH_OK);
	}
	assert_int_equal(
		reattach_encode_request(&S_REQ, AUTH(KEY), buf, sizeof(buf)),
		REATTACH_REQUEST_LEN);
	assert_int_equal(
		reattach_decode_request(buf, REATTACH_REQUEST_LEN, v2, &req),
		REATTACH_E_VERSION);
	buf[1] = v2.version;
	reseal(buf, REATTACH_REQUEST_LEN, KEY);
	assert_int_equal(
		reattach_decode_request(buf, REATTACH_REQUEST_LEN, v2, &req),
		REATTACH_OK);
	assert_int_equal(reattach_decode_request(buf, REATTACH_REQUEST_LEN,
						 AUTH(KEY), &req),
			 REATTACH_E_VERSION);
}

/* Header fields, with the mac made valid again so they are judged. */
static void test_header_fields_refused(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX + 64];

	(void)state;
	for (size_t i = 0; i < N_CODECS; i++) {
		const struct codec *c = &CODECS[i];
		size_t n;

		n = encode_sample(c, buf);
		buf[1] = 0;
		reseal(buf, n, KEY);
		assert_int_equal(c->decode(buf, n, KEY), REATTACH_E_VERSION);
		n = encode_sample(c, buf);
		buf[1] = JVPN_CP_VERSION_MAX + 1;
		reseal(buf, n, KEY);
		assert_int_equal(c->decode(buf, n, KEY), REATTACH_E_VERSION);
		for (int r = 2; r <= 3; r++) {
			n = encode_sample(c, buf);
			buf[r] = 0x80;
			reseal(buf, n, KEY);
			assert_int_equal(c->decode(buf, n, KEY),
					 REATTACH_E_RESERVED);
		}
		n = encode_sample(c, buf);
		memset(buf + 4, 0, 8);
		reseal(buf, n, KEY);
		assert_int_equal(c->decode(buf, n, KEY), REATTACH_E_FIELD);
	}
}

static void test_body_fields_refused(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX];
	static const uint16_t bad_reasons[] = {
		JVPND_REASON_NONE,
		JVPND_REASON_BAD_PROOF,
		11,
		JVPND_REASON_VERSION_MISMATCH,
		JVPND_REASON_HANDSHAKE_DONE,
		0x0103,
	};

	(void)state;
	for (int off = 25; off < 32; off++) { /* request reserved */
		reattach_encode_request(&S_REQ, AUTH(KEY), buf, sizeof(buf));
		buf[12 + off] = 1;
		reseal(buf, 76, KEY);
		assert_int_equal(dec_request(buf, 76, KEY),
				 REATTACH_E_RESERVED);
	}
	for (int off = 2; off < 4; off++) { /* reject reserved */
		reattach_encode_reject(&S_REJ, AUTH(KEY), buf, sizeof(buf));
		buf[12 + off] = 1;
		reseal(buf, 76, KEY);
		assert_int_equal(dec_reject(buf, 76, KEY), REATTACH_E_RESERVED);
	}
	for (size_t i = 0; i < sizeof(bad_reasons) / 2; i++) {
		reattach_encode_reject(&S_REJ, AUTH(KEY), buf, sizeof(buf));
		buf[12] = (uint8_t)(bad_reasons[i] >> 8);
		buf[13] = (uint8_t)bad_reasons[i];
		reseal(buf, 76, KEY);
		assert_int_equal(dec_reject(buf, 76, KEY), REATTACH_E_FIELD);
	}
	reattach_encode_challenge(&s_chal, AUTH(KEY), buf, sizeof(buf));
	memset(buf + 20, 0, 16);
	reseal(buf, 68, KEY);
	assert_int_equal(dec_challenge(buf, 68, KEY), REATTACH_E_FIELD);
	reattach_encode_response(&s_chal, AUTH(KEY), buf, sizeof(buf));
	memset(buf + 20, 0, 16);
	reseal(buf, 68, KEY);
	assert_int_equal(dec_response(buf, 68, KEY), REATTACH_E_FIELD);
	reattach_encode_path_response(&s_path, AUTH(KEY), buf, sizeof(buf));
	memset(buf + 12, 0, 16);
	reseal(buf, 60, KEY);
	assert_int_equal(dec_path_response(buf, 60, KEY), REATTACH_E_FIELD);
	reattach_encode_ack(&S_ACK, AUTH(KEY), buf, sizeof(buf));
	memset(buf + 20, 0, 8);
	reseal(buf, 60, KEY);
	assert_int_equal(dec_ack(buf, 60, KEY), REATTACH_E_FIELD);
}

/* Every sendable reject reason decodes; the class byte is policy's. */
static void test_body_fields_accepted(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX];
	struct reattach_reject rej = S_REJ;
	struct reattach_request req = S_REQ, back;

	(void)state;
	for (uint16_t r = 1; r <= JVPND_REASON_KERNEL_LOST; r++) {
		if (r == JVPND_REASON_BAD_PROOF)
			continue;
		rej.reason = r;
		assert_int_equal(reattach_encode_reject(&rej, AUTH(KEY), buf,
							sizeof(buf)),
				 76);
		assert_int_equal(
			reattach_decode_reject(buf, 76, AUTH(KEY), NULL),
			REATTACH_OK);
	}
	for (unsigned int c = 0; c < 256; c += 51) {
		req.transport_class = (uint8_t)c;
		reattach_encode_request(&req, AUTH(KEY), buf, sizeof(buf));
		assert_int_equal(
			reattach_decode_request(buf, 76, AUTH(KEY), &back),
			REATTACH_OK);
		assert_int_equal(back.transport_class, c);
	}
}

static void test_output_untouched_on_failure(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX];
	struct reattach_request m, before;

	(void)state;
	memset(&m, 0xaa, sizeof(m));
	memcpy(&before, &m, sizeof(before));
	reattach_encode_request(&S_REQ, AUTH(KEY), buf, sizeof(buf));
	buf[30] ^= 1;
	assert_int_equal(reattach_decode_request(buf, 76, AUTH(KEY), &m),
			 REATTACH_E_MAC);
	assert_memory_equal(&m, &before, sizeof(m));
	buf[30] ^= 1;
	buf[2] = 1;
	reseal(buf, 76, KEY);
	assert_int_equal(reattach_decode_request(buf, 76, AUTH(KEY), &m),
			 REATTACH_E_RESERVED);
	assert_memory_equal(&m, &before, sizeof(m));
}

static void test_encoders_refuse(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX + 1];
	struct reattach_request req = S_REQ;
	struct reattach_challenge ch = s_chal;
	struct reattach_path pa = s_path;
	struct reattach_reject rej = S_REJ;
	struct reattach_ack ack = S_ACK;
	struct reattach_probe pr = S_PROBE;

	(void)state;
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(reattach_encode_request(&req, AUTH(KEY), buf, 75), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xcc); /* nothing written */
	assert_int_equal(reattach_encode_request(NULL, AUTH(KEY), buf, 76), 0);
	assert_int_equal(reattach_encode_request(&req, AUTH(NULL), buf, 76), 0);
	/* a version this build does not speak is never written */
	assert_int_equal(reattach_encode_request(
				 &req, (struct cp_auth){ KEY, 0 }, buf, 76),
			 0);
	assert_int_equal(
		reattach_encode_request(
			&req, (struct cp_auth){ KEY, JVPN_CP_VERSION_MAX + 1 },
			buf, 76),
		0);
	assert_int_equal(reattach_encode_request(&req, AUTH(KEY), NULL, 76), 0);
	req.session_id = 0;
	assert_int_equal(reattach_encode_request(&req, AUTH(KEY), buf, 76), 0);
	memset(ch.token, 0, sizeof(ch.token));
	assert_int_equal(reattach_encode_challenge(&ch, AUTH(KEY), buf, 76), 0);
	assert_int_equal(reattach_encode_response(&ch, AUTH(KEY), buf, 76), 0);
	memset(pa.token, 0, sizeof(pa.token));
	assert_int_equal(
		reattach_encode_path_challenge(&pa, AUTH(KEY), buf, 76), 0);
	rej.reason = JVPND_REASON_BAD_PROOF;
	assert_int_equal(reattach_encode_reject(&rej, AUTH(KEY), buf, 76), 0);
	rej.reason = JVPND_REASON_NONE;
	assert_int_equal(reattach_encode_reject(&rej, AUTH(KEY), buf, 76), 0);
	ack.state_version = 0;
	assert_int_equal(reattach_encode_ack(&ack, AUTH(KEY), buf, 76), 0);
	pr.session_id = 0;
	assert_int_equal(reattach_encode_probe_ack(&pr, AUTH(KEY), buf, 76), 0);
}

static void test_peek(void **state)
{
	uint8_t buf[REATTACH_MSG_MAX];
	uint64_t sid = 0;
	uint8_t type = 0;

	(void)state;
	reattach_encode_probe(&S_PROBE, AUTH(KEY), buf, sizeof(buf));
	assert_int_equal(reattach_peek(buf, 60, &type, &sid), REATTACH_OK);
	assert_int_equal(type, JVPN_MSG_PROBE);
	assert_int_equal(sid, SID);
	assert_int_equal(reattach_peek(buf, 43, &type, &sid),
			 REATTACH_E_LENGTH);
	assert_int_equal(reattach_peek(NULL, 60, &type, &sid),
			 REATTACH_E_LENGTH);
	buf[0] = JVPN_MSG_HANDSHAKE_INIT;
	assert_int_equal(reattach_peek(buf, 60, &type, &sid), REATTACH_E_TYPE);
	buf[0] = 0x10; /* data: the kernel's */
	assert_int_equal(reattach_peek(buf, 60, NULL, NULL), REATTACH_E_TYPE);
}

/* Each type has one direction; no type is accepted by both ends. */
static void test_directions(void **state)
{
	static const uint8_t to_gateway[] = {
		JVPN_MSG_REATTACH_REQUEST,
		JVPN_MSG_REATTACH_RESPONSE,
		JVPN_MSG_PATH_RESPONSE,
		JVPN_MSG_PROBE,
	};
	unsigned int gw = 0, cl = 0;

	(void)state;
	for (unsigned int t = 0; t < 256; t++) {
		bool g = reattach_accepts(REATTACH_ROLE_GATEWAY, (uint8_t)t);
		bool c = reattach_accepts(REATTACH_ROLE_CLIENT, (uint8_t)t);

		assert_false(g && c);
		gw += g;
		cl += c;
	}
	assert_int_equal(gw, 4);
	assert_int_equal(cl, 5);
	for (size_t i = 0; i < sizeof(to_gateway); i++)
		assert_true(
			reattach_accepts(REATTACH_ROLE_GATEWAY, to_gateway[i]));
}

/* ---- the gateway's judgement ---------------------------------------- */

#define MONO 1000000ull
#define WALL 1700000000000ull

struct gw {
	struct sm sm;
	struct reattach_session rs;
	struct reattach_view view;
	struct reattach_policy pol;
	struct limiter_table sources;
	struct reattach_source src;
	struct reattach_clock now;
	struct reattach_request req;
	bool proof_ok;
};

static const struct reattach_policy POLICY = {
	.freshness_ms = 30000,
	.session_rate = { .per_second = 1, .burst = 3 },
	.source_rate = { .per_second = 10, .burst = 20 },
	.cooldown_ms = 1000,
	.max_switches_per_minute = 3,
	.allowed_classes = REATTACH_CLASSES_KNOWN,
};

static void set_v4(struct reattach_source *src, uint8_t last)
{
	memset(src, 0, sizeof(*src));
	src->key[0] = 192, src->key[1] = 0, src->key[2] = 2;
	src->key[3] = last;
	src->key_len = 4;
	src->observed_class = REATTACH_CLASS_UDP4;
}

static int gw_setup(void **state)
{
	struct gw *g = calloc(1, sizeof(*g));

	if (!g)
		return -1;
	sm_init(&g->sm, MONO - 500000, NULL, NULL);
	sm_transition(&g->sm, JVPN_STATE_ACTIVE, JVPND_REASON_HANDSHAKE_DONE,
		      MONO - 500000);
	g->pol = POLICY;
	reattach_session_init(&g->rs, &g->pol, MONO - 500000);
	g->view = (struct reattach_view){ .sm = &g->sm, .rs = &g->rs };
	if (!limiter_table_init(&g->sources, 16, HASH_KEY))
		return -1;
	set_v4(&g->src, 1);
	g->now = (struct reattach_clock){ .mono_ms = MONO, .wall_ms = WALL };
	g->req = (struct reattach_request){
		.session_id = SID,
		.state_version = 1,
		.nonce = 1,
		.timestamp_ms = WALL,
		.transport_class = REATTACH_CLASS_UDP4,
	};
	g->proof_ok = true;
	*state = g;
	return 0;
}

static int gw_teardown(void **state)
{
	struct gw *g = *state;

	limiter_table_free(&g->sources);
	free(g);
	return 0;
}

static enum jvpnd_reason judge(struct gw *g, struct reattach_verdict *v)
{
	return reattach_validate(&g->view, &g->req, g->proof_ok, &g->src,
				 &g->now, &g->pol, &g->sources, v);
}

static const enum jvpnd_reason ORDER[] = {
	JVPND_REASON_UNKNOWN_SESSION,	JVPND_REASON_BAD_PROOF,
	JVPND_REASON_REPLAYED_NONCE,	JVPND_REASON_STALE_TIMESTAMP,
	JVPND_REASON_STALE_VERSION,	JVPND_REASON_RATE_LIMITED,
	JVPND_REASON_COOLDOWN,		JVPND_REASON_SWITCH_LIMIT,
	JVPND_REASON_CLASS_NOT_ALLOWED,
};

/* Makes check k (1-based, in ORDER) fail, independently of the others. */
static void break_check(struct gw *g, int k)
{
	switch (k) {
	case 1: /* terminated: the gateway still knows it, but it is over */
		sm_transition(&g->sm, JVPN_STATE_TERMINATED, JVPND_REASON_ADMIN,
			      MONO);
		break;
	case 2:
		g->proof_ok = false;
		break;
	case 3:
		g->rs.last_nonce = g->req.nonce;
		break;
	case 4:
		g->req.timestamp_ms = WALL - g->pol.freshness_ms - 1;
		break;
	case 5:
		g->req.state_version = g->sm.bound_version - 1;
		break;
	case 6:
		while (limiter_bucket_take(&g->rs.bucket, &g->pol.session_rate,
					   MONO))
			;
		break;
	case 7:
		g->rs.last_switch_ms = MONO - 1;
		break;
	case 8:
		limiter_window_add(&g->rs.switches, MONO - 30000);
		limiter_window_add(&g->rs.switches, MONO - 20000);
		limiter_window_add(&g->rs.switches, MONO - 10000);
		if (!g->rs.last_switch_ms)
			g->rs.last_switch_ms = MONO - 10000;
		break;
	case 9:
		g->req.transport_class = REATTACH_CLASS_UDP6;
		g->pol.allowed_classes =
			REATTACH_CLASS_BIT(REATTACH_CLASS_UDP4);
		break;
	}
}

/* Checks k..9 all fail (later ones first, so that breaking one cannot
 * mend another): the verdict must name k. */
static void check_first_failure(void **state, int k)
{
	struct gw *g = *state;
	struct reattach_verdict v;
	uint64_t credit, floor;

	for (int i = 9; i >= k; i--)
		break_check(g, i);
	credit = g->rs.bucket.credit;
	floor = g->rs.last_nonce;
	assert_int_equal(judge(g, &v), ORDER[k - 1]);
	assert_int_equal(v.reason, ORDER[k - 1]);
	/* the nonce is burnt only once the proof and nonce checks passed */
	if (k >= 4) {
		assert_int_equal(floor, 0);
		assert_int_equal(g->rs.last_nonce, g->req.nonce);
	} else {
		assert_int_equal(g->rs.last_nonce, floor);
	}
	/* the session's budget is charged only from check 6 on */
	if (k <= 6)
		assert_int_equal(g->rs.bucket.credit, credit);
	else
		assert_int_equal(g->rs.bucket.credit, credit - LIMITER_TOKEN);
}

/* Only check k fails: the verdict names k, and a request stopped before
 * the nonce check leaves the nonce floor where it was. */
static void check_only_failure(void **state, int k)
{
	struct gw *g = *state;
	uint64_t floor;

	break_check(g, k);
	floor = g->rs.last_nonce;
	assert_int_equal(judge(g, NULL), ORDER[k - 1]);
	if (k <= 3)
		assert_int_equal(g->rs.last_nonce, floor);
	else
		assert_int_equal(g->rs.last_nonce, g->req.nonce);
}

#define ORDER_TESTS(K, NAME)                                                   \
	static void test_first_##NAME(void **state)                            \
	{                                                                      \
		check_first_failure(state, K);                                 \
	}                                                                      \
	static void test_only_##NAME(void **state)                             \
	{                                                                      \
		check_only_failure(state, K);                                  \
	}

ORDER_TESTS(1, unknown_session)
ORDER_TESTS(2, bad_proof)
ORDER_TESTS(3, replayed_nonce)
ORDER_TESTS(4, stale_timestamp)
ORDER_TESTS(5, stale_version)
ORDER_TESTS(6, rate_limited)
ORDER_TESTS(7, cooldown)
ORDER_TESTS(8, switch_limit)
ORDER_TESTS(9, class_not_allowed)

static void test_accepted(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;

	assert_int_equal(judge(g, &v), JVPND_REASON_NONE);
	assert_true(v.answer);
	assert_false(v.security_event || v.terminate || v.rate_event);
	assert_int_equal(g->rs.last_nonce, 1);
	assert_int_equal(g->rs.bucket.credit, 2 * LIMITER_TOKEN);
}

static void test_unknown_session_silent(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;

	assert_int_equal(reattach_validate(NULL, &g->req, true, &g->src,
					   &g->now, &g->pol, &g->sources, &v),
			 JVPND_REASON_UNKNOWN_SESSION);
	assert_false(v.answer); /* no key to authenticate an answer */
	/* and the flood still costs its source */
	assert_non_null(limiter_table_peek(&g->sources, g->src.key, 4));
	assert_int_equal(limiter_table_peek(&g->sources, g->src.key, 4)->credit,
			 19 * LIMITER_TOKEN);
}

/* A terminated session still has a key: its UNKNOWN_SESSION may be
 * answered, but only to a request whose proof verified. */
static void test_terminated_answered_only_if_authentic(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;

	break_check(g, 1);
	assert_int_equal(judge(g, &v), JVPND_REASON_UNKNOWN_SESSION);
	assert_true(v.answer);
	g->proof_ok = false;
	assert_int_equal(judge(g, &v), JVPND_REASON_UNKNOWN_SESSION);
	assert_false(v.answer);
}

static void test_handshake_session_unknown(void **state)
{
	struct gw *g = *state;

	sm_init(&g->sm, MONO, NULL, NULL);
	assert_int_equal(judge(g, NULL), JVPND_REASON_UNKNOWN_SESSION);
}

static void test_bad_proof_changes_nothing(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;
	struct reattach_session before;

	memcpy(&before, &g->rs, sizeof(before));
	g->proof_ok = false;
	g->req.nonce = 1000;
	assert_int_equal(judge(g, &v), JVPND_REASON_BAD_PROOF);
	assert_false(v.answer);
	assert_true(v.security_event);
	assert_memory_equal(&g->rs, &before, sizeof(before));
}

/* A captured request judged once can never be judged again, even when
 * what refused it (here its age... or a cooldown) has changed. */
static void test_refused_request_cannot_be_replayed(void **state)
{
	struct gw *g = *state;

	g->rs.last_switch_ms = MONO - 1;
	assert_int_equal(judge(g, NULL), JVPND_REASON_COOLDOWN);
	g->now.mono_ms += 5000; /* cooldown over */
	assert_int_equal(judge(g, NULL), JVPND_REASON_REPLAYED_NONCE);
	g->req.nonce++;
	assert_int_equal(judge(g, NULL), JVPND_REASON_NONE);
}

static void test_replay_after_accept(void **state)
{
	struct gw *g = *state;

	g->req.nonce = 10;
	assert_int_equal(judge(g, NULL), JVPND_REASON_NONE);
	assert_int_equal(judge(g, NULL), JVPND_REASON_REPLAYED_NONCE);
	g->req.nonce = 9;
	assert_int_equal(judge(g, NULL), JVPND_REASON_REPLAYED_NONCE);
	assert_int_equal(g->rs.last_nonce, 10);
	g->req.nonce = 0;
	assert_int_equal(judge(g, NULL), JVPND_REASON_REPLAYED_NONCE);
}

static void test_timestamp_boundaries(void **state)
{
	struct gw *g = *state;

	g->req.timestamp_ms = WALL - 30000;
	assert_int_equal(judge(g, NULL), JVPND_REASON_NONE);
	g->req.nonce++;
	g->req.timestamp_ms = WALL + 30000;
	assert_int_equal(judge(g, NULL), JVPND_REASON_NONE);
	g->req.nonce++;
	g->req.timestamp_ms = WALL + 30001;
	assert_int_equal(judge(g, NULL), JVPND_REASON_STALE_TIMESTAMP);
	g->req.nonce++;
	g->req.timestamp_ms = WALL - 30001;
	assert_int_equal(judge(g, NULL), JVPND_REASON_STALE_TIMESTAMP);
	g->req.nonce++;
	g->req.timestamp_ms = UINT64_MAX;
	assert_int_equal(judge(g, NULL), JVPND_REASON_STALE_TIMESTAMP);
}

/*
 * The version a client may present is any from the last binding on: the
 * gateway's own VOLATILE/RECOVERED steps were never sent to it.
 */
static void test_version_window(void **state)
{
	struct gw *g = *state;

	g->pol.cooldown_ms = 0;
	sm_transition(&g->sm, JVPN_STATE_VOLATILE,
		      JVPND_REASON_HEALTH_THRESHOLD, MONO); /* v2, bound 1 */
	for (uint64_t v = 0; v <= 3; v++) {
		g->req.nonce++;
		g->req.state_version = v;
		assert_int_equal(judge(g, NULL),
				 v == 1 || v == 2 ? JVPND_REASON_NONE
						  : JVPND_REASON_STALE_VERSION);
	}
	sm_bump_for_switch(&g->sm, JVPND_REASON_REATTACHED, MONO); /* v3 */
	g->req.nonce++;
	g->req.state_version = 2;
	assert_int_equal(judge(g, NULL), JVPND_REASON_STALE_VERSION);
	g->req.nonce++;
	g->req.state_version = 3;
	g->rs.bucket.credit = 3 * LIMITER_TOKEN;
	assert_int_equal(judge(g, NULL), JVPND_REASON_NONE);
}

/* Forgeries from one source exhaust that source, and nothing else. */
static void test_source_flood_bounded(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;
	int events = 0;

	g->proof_ok = false;
	for (int i = 0; i < 100; i++) {
		judge(g, &v);
		assert_int_equal(v.reason, JVPND_REASON_BAD_PROOF);
		events += v.rate_event;
	}
	assert_int_equal(events, 1); /* edge-triggered, not per packet */
	assert_true(v.source_limited);
	assert_false(v.answer); /* no answers to a flooding source */
	/* authenticate first, then judge: the session's own request from
	 * the flooded address (the victim behind the same CGNAT address, or
	 * whose address the flood spoofs) is judged by its session alone */
	assert_int_equal(g->rs.bucket.credit, 3 * LIMITER_TOKEN);
	g->proof_ok = true;
	assert_int_equal(judge(g, &v), JVPND_REASON_NONE);
	assert_false(v.source_limited);
	assert_int_equal(g->rs.bucket.credit, 2 * LIMITER_TOKEN);
	/* a replay of it is anyone's: charged to the source, unanswered */
	assert_int_equal(judge(g, &v), JVPND_REASON_REPLAYED_NONCE);
	assert_true(v.source_limited);
	assert_false(v.answer);
}

/* Over budget, even answerable reasons stay unanswered. */
static void test_over_budget_source_gets_no_answer(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;

	assert_int_equal(judge(g, NULL), JVPND_REASON_NONE); /* uncharged */
	g->proof_ok = false;
	for (int i = 0; i < 20; i++)
		judge(g, NULL); /* forgeries spend the source's 20 */
	g->proof_ok = true;	/* a replay of the first: normally answered */
	assert_int_equal(judge(g, &v), JVPND_REASON_REPLAYED_NONCE);
	assert_false(v.answer);
}

static void test_session_budget(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;

	g->pol.cooldown_ms = 0;
	for (int i = 0; i < 3; i++) {
		g->req.nonce++;
		assert_int_equal(judge(g, &v), JVPND_REASON_NONE);
	}
	g->req.nonce++;
	assert_int_equal(judge(g, &v), JVPND_REASON_RATE_LIMITED);
	assert_true(v.session_limited);
	assert_true(v.answer);
	assert_true(v.rate_event);
	assert_int_equal(v.retry_after_ms, 1000);
	g->req.nonce++;
	assert_int_equal(judge(g, &v), JVPND_REASON_RATE_LIMITED);
	assert_false(v.rate_event);
	g->now.mono_ms += 1000;
	g->req.nonce++;
	assert_int_equal(judge(g, &v), JVPND_REASON_NONE);
}

static void test_cooldown_boundary(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;

	reattach_note_switch(&g->rs, MONO - 300);
	assert_int_equal(judge(g, &v), JVPND_REASON_COOLDOWN);
	assert_int_equal(v.retry_after_ms, 700);
	assert_true(v.answer);
	g->rs.last_switch_ms = MONO - 1000;
	g->req.nonce++;
	assert_int_equal(judge(g, &v), JVPND_REASON_NONE);
}

static void test_switch_limit_window(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;
	uint64_t first = MONO - 50000;

	reattach_note_switch(&g->rs, first);
	reattach_note_switch(&g->rs, first + 10000);
	reattach_note_switch(&g->rs, first + 20000);
	assert_int_equal(judge(g, &v), JVPND_REASON_SWITCH_LIMIT);
	assert_true(v.terminate);
	assert_true(v.answer);
	g->now.mono_ms = first + 60000; /* the first leaves the minute */
	g->req.nonce++;
	assert_int_equal(judge(g, &v), JVPND_REASON_NONE);
	assert_false(v.terminate);
}

/* A limit above what the window can count is clamped, never ignored. */
static void test_switch_limit_clamped(void **state)
{
	struct gw *g = *state;

	g->pol.max_switches_per_minute = 1000;
	g->pol.cooldown_ms = 0;
	for (uint32_t i = 0; i < LIMITER_WINDOW_CAP; i++)
		reattach_note_switch(&g->rs, MONO - 1000 + i);
	assert_int_equal(judge(g, NULL), JVPND_REASON_SWITCH_LIMIT);
}

static void test_classes(void **state)
{
	struct gw *g = *state;

	g->pol.allowed_classes = REATTACH_CLASS_BIT(REATTACH_CLASS_UDP4);
	g->req.transport_class = REATTACH_CLASS_UDP4;
	g->src.observed_class = REATTACH_CLASS_UDP6; /* what we saw */
	assert_int_equal(judge(g, NULL), JVPND_REASON_CLASS_NOT_ALLOWED);
	g->src.observed_class = REATTACH_CLASS_UDP4;
	g->pol.allowed_classes = 0xffffffff; /* unknown bits mean nothing */
	for (unsigned int c = 0; c < 256; c++) {
		g->req.nonce++;
		g->req.transport_class = (uint8_t)c;
		g->rs.bucket.credit = 3 * LIMITER_TOKEN;
		assert_int_equal(judge(g, NULL),
				 c == 1 || c == 2
					 ? JVPND_REASON_NONE
					 : JVPND_REASON_CLASS_NOT_ALLOWED);
		if (c % 16 == 0) /* keep the source under budget */
			g->now.mono_ms += 10000;
	}
}

/* Caller bugs end in silence, never in acceptance. */
static void test_bad_arguments_fail_closed(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;

	assert_int_equal(reattach_validate(&g->view, NULL, true, &g->src,
					   &g->now, &g->pol, &g->sources, &v),
			 JVPND_REASON_UNKNOWN_SESSION);
	assert_false(v.answer);
	assert_int_equal(reattach_validate(&g->view, &g->req, true, &g->src,
					   NULL, &g->pol, &g->sources, &v),
			 JVPND_REASON_UNKNOWN_SESSION);
	assert_int_equal(reattach_validate(&g->view, &g->req, true, &g->src,
					   &g->now, NULL, &g->sources, &v),
			 JVPND_REASON_UNKNOWN_SESSION);
	/* no source accounting: a forgery is refused unanswered, while the
	 * session's own fresh request needs none (judged by its session) */
	assert_int_equal(reattach_validate(&g->view, &g->req, false, &g->src,
					   &g->now, &g->pol, NULL, &v),
			 JVPND_REASON_BAD_PROOF);
	assert_false(v.answer);
	assert_int_equal(reattach_validate(&g->view, &g->req, true, &g->src,
					   &g->now, &g->pol, NULL, &v),
			 JVPND_REASON_NONE);
	g->req.nonce++;
	assert_int_equal(reattach_validate(&g->view, &g->req, true, NULL,
					   &g->now, &g->pol, &g->sources, &v),
			 JVPND_REASON_RATE_LIMITED);
	g->view.rs = NULL;
	assert_int_equal(judge(g, &v), JVPND_REASON_UNKNOWN_SESSION);
	assert_false(v.answer);
}

static void test_make_reject(void **state)
{
	struct gw *g = *state;
	struct reattach_verdict v;
	struct reattach_reject rej;
	uint8_t buf[REATTACH_MSG_MAX];

	g->req.nonce = 42;
	g->rs.last_switch_ms = MONO - 250;
	assert_int_equal(judge(g, &v), JVPND_REASON_COOLDOWN);
	reattach_make_reject(&g->view, &g->req, &v, &rej);
	assert_int_equal(rej.session_id, SID);
	assert_int_equal(rej.reason, JVPND_REASON_COOLDOWN);
	assert_int_equal(rej.retry_after_ms, 750);
	assert_int_equal(rej.request_nonce, 42);
	assert_int_equal(rej.state_version, g->sm.version);
	assert_int_equal(rej.nonce_floor, 42);
	assert_int_equal(
		reattach_encode_reject(&rej, AUTH(KEY), buf, sizeof(buf)),
		REATTACH_REJECT_LEN);
}

static void test_policy_valid(void **state)
{
	struct reattach_policy p = POLICY;

	(void)state;
	assert_true(reattach_policy_valid(&p));
	p.freshness_ms = 0;
	assert_false(reattach_policy_valid(&p));
	p = POLICY;
	p.session_rate.burst = 0;
	assert_false(reattach_policy_valid(&p));
	p = POLICY;
	p.source_rate.burst = 0;
	assert_false(reattach_policy_valid(&p));
	p = POLICY;
	p.max_switches_per_minute = 0;
	assert_false(reattach_policy_valid(&p));
	p.max_switches_per_minute = LIMITER_WINDOW_CAP + 1;
	assert_false(reattach_policy_valid(&p));
	p = POLICY;
	p.allowed_classes = 0;
	assert_false(reattach_policy_valid(&p));
	p.allowed_classes = POLICY_TRANSPORT_TCP;
	assert_false(reattach_policy_valid(&p));
	assert_false(reattach_policy_valid(NULL));
}

/* ---- sources and paths --------------------------------------------- */

static void sa4(struct sockaddr_in *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &a->sin_addr), 1);
}

static void sa6(struct sockaddr_in6 *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
}

static void test_source_keys(void **state)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6, b6, m6;
	struct reattach_source s1, s2;
	static const uint8_t v4[] = { 192, 0, 2, 7 };

	(void)state;
	sa4(&a4, "192.0.2.7", 1000);
	assert_true(reattach_source_from_sockaddr((struct sockaddr *)&a4,
						  sizeof(a4), &s1));
	assert_int_equal(s1.key_len, 4);
	assert_memory_equal(s1.key, v4, 4);
	assert_int_equal(s1.observed_class, REATTACH_CLASS_UDP4);
	/* a v4-mapped peer of a dual-stack socket is the same IPv4 source */
	sa6(&m6, "::ffff:192.0.2.7", 2000);
	assert_true(reattach_source_from_sockaddr((struct sockaddr *)&m6,
						  sizeof(m6), &s2));
	assert_memory_equal(&s1, &s2, sizeof(s1));
	/* one /64, one source */
	sa6(&a6, "2001:db8:1:2::1", 1);
	sa6(&b6, "2001:db8:1:2:ffff::9", 2);
	assert_true(reattach_source_from_sockaddr((struct sockaddr *)&a6,
						  sizeof(a6), &s1));
	assert_true(reattach_source_from_sockaddr((struct sockaddr *)&b6,
						  sizeof(b6), &s2));
	assert_int_equal(s1.key_len, 8);
	assert_int_equal(s1.observed_class, REATTACH_CLASS_UDP6);
	assert_memory_equal(&s1, &s2, sizeof(s1));
	sa6(&b6, "2001:db8:1:3::1", 1);
	assert_true(reattach_source_from_sockaddr((struct sockaddr *)&b6,
						  sizeof(b6), &s2));
	assert_memory_not_equal(s1.key, s2.key, 8);
	/* refused */
	assert_false(reattach_source_from_sockaddr((struct sockaddr *)&a6,
						   sizeof(a6) - 1, &s1));
	assert_false(
		reattach_source_from_sockaddr((struct sockaddr *)&a4, 4, &s1));
	a4.sin_family = AF_UNIX;
	assert_false(reattach_source_from_sockaddr((struct sockaddr *)&a4,
						   sizeof(a4), &s1));
	assert_false(reattach_source_from_sockaddr(NULL, 16, &s1));
}

static void test_path_keys(void **state)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6, m6;
	uint8_t k1[REATTACH_PATH_KEY_MAX], k2[REATTACH_PATH_KEY_MAX];
	uint8_t l1, l2;

	(void)state;
	sa4(&a4, "198.51.100.1", 51820);
	sa6(&m6, "::ffff:198.51.100.1", 51820);
	assert_true(reattach_path_key_from_sockaddr((struct sockaddr *)&a4,
						    sizeof(a4), k1, &l1));
	assert_true(reattach_path_key_from_sockaddr((struct sockaddr *)&m6,
						    sizeof(m6), k2, &l2));
	assert_int_equal(l1, 6);
	assert_int_equal(l2, 6);
	assert_memory_equal(k1, k2, 6);
	assert_int_equal(k1[4], 51820 >> 8);
	sa4(&a4, "198.51.100.1", 51821); /* another port, another path */
	reattach_path_key_from_sockaddr((struct sockaddr *)&a4, sizeof(a4), k2,
					&l2);
	assert_memory_not_equal(k1, k2, 6);
	sa6(&a6, "2001:db8::1", 443);
	assert_true(reattach_path_key_from_sockaddr((struct sockaddr *)&a6,
						    sizeof(a6), k1, &l1));
	assert_int_equal(l1, 18);
}

/* ---- pending challenge ----------------------------------------------- */

static const uint8_t PATH_A[] = { 192, 0, 2, 1, 0x12, 0x34 };
static const uint8_t PATH_B[] = { 192, 0, 2, 1, 0x12, 0x35 };

static void test_pending_match(void **state)
{
	struct reattach_pending p;
	uint8_t wrong[JVPN_REATTACH_TOKEN_LEN];

	(void)state;
	memcpy(wrong, TOKEN, sizeof(wrong));
	wrong[15] ^= 1;
	assert_true(reattach_pending_arm(&p, TOKEN, 7, PATH_A, 6, 1000, 500));
	/* stray answers leave the genuine one possible */
	assert_int_equal(reattach_pending_match(&p, TOKEN, 7, PATH_B, 6, 1100),
			 REATTACH_MATCH_WRONG_PATH);
	assert_int_equal(reattach_pending_match(&p, TOKEN, 7, PATH_A, 5, 1100),
			 REATTACH_MATCH_WRONG_PATH);
	assert_int_equal(reattach_pending_match(&p, wrong, 7, PATH_A, 6, 1100),
			 REATTACH_MATCH_WRONG_TOKEN);
	assert_int_equal(reattach_pending_match(&p, TOKEN, 8, PATH_A, 6, 1100),
			 REATTACH_MATCH_WRONG_TOKEN);
	assert_int_equal(reattach_pending_match(&p, TOKEN, 7, PATH_A, 6, 1499),
			 REATTACH_MATCH_OK);
	/* a token is good once */
	assert_int_equal(reattach_pending_match(&p, TOKEN, 7, PATH_A, 6, 1499),
			 REATTACH_MATCH_NONE);
}

static void test_pending_expiry(void **state)
{
	struct reattach_pending p;

	(void)state;
	reattach_pending_arm(&p, TOKEN, 0, PATH_A, 6, 1000, 500);
	assert_int_equal(reattach_pending_match(&p, TOKEN, 0, PATH_A, 6, 1500),
			 REATTACH_MATCH_EXPIRED);
	assert_false(p.armed);
	assert_int_equal(reattach_pending_match(&p, TOKEN, 0, PATH_A, 6, 1000),
			 REATTACH_MATCH_NONE);
	/* a deadline past the clock's end saturates */
	reattach_pending_arm(&p, TOKEN, 0, PATH_A, 6, UINT64_MAX - 1, 500);
	assert_int_equal(p.deadline_ms, UINT64_MAX);
}

static void test_pending_arm_refuses(void **state)
{
	uint8_t long_path[REATTACH_PATH_KEY_MAX + 1] = { 0 };
	struct reattach_pending p;

	(void)state;
	assert_false(reattach_pending_arm(&p, TOKEN, 0, long_path,
					  sizeof(long_path), 0, 1));
	assert_false(p.armed);
	assert_false(reattach_pending_arm(&p, TOKEN, 0, PATH_A, 0, 0, 1));
	assert_false(reattach_pending_arm(&p, NULL, 0, PATH_A, 6, 0, 1));
	assert_int_equal(reattach_pending_match(&p, TOKEN, 0, PATH_A, 6, 0),
			 REATTACH_MATCH_NONE);
}

/* ---- one whole reattach ------------------------------------------------ */

/*
 * Client and gateway, the wire between them, the gateway going VOLATILE
 * and recovering on its own: the version from the ACK stays good for the
 * next request, and a replay of the first request changes nothing.
 */
static void test_whole_reattach(void **state)
{
	struct gw *g = *state;
	uint8_t wire[REATTACH_MSG_MAX], first[REATTACH_MSG_MAX];
	struct reattach_request req;
	struct reattach_challenge ch;
	struct reattach_ack ack;
	struct reattach_pending pend;
	enum reattach_status st;
	uint64_t sid;
	uint8_t type;
	size_t n;

	/* client: the bound version it knows is 1 (the handshake's) */
	n = reattach_encode_request(&g->req, AUTH(KEY), wire, sizeof(wire));
	memcpy(first, wire, n);
	/* gateway */
	assert_int_equal(reattach_peek(wire, n, &type, &sid), REATTACH_OK);
	assert_true(reattach_accepts(REATTACH_ROLE_GATEWAY, type));
	st = reattach_decode_request(wire, n, AUTH(KEY), &req);
	assert_int_equal(reattach_validate(&g->view, &req, st == REATTACH_OK,
					   &g->src, &g->now, &g->pol,
					   &g->sources, NULL),
			 JVPND_REASON_NONE);
	ch = (struct reattach_challenge){ .session_id = sid,
					  .request_nonce = req.nonce };
	memcpy(ch.token, TOKEN, sizeof(TOKEN));
	reattach_pending_arm(&pend, ch.token, req.nonce, PATH_A, 6,
			     g->now.mono_ms, 2000);
	n = reattach_encode_challenge(&ch, AUTH(KEY), wire, sizeof(wire));
	/* client echoes over the same path */
	assert_int_equal(reattach_decode_challenge(wire, n, AUTH(KEY), &ch),
			 REATTACH_OK);
	n = reattach_encode_response(&ch, AUTH(KEY), wire, sizeof(wire));
	/* gateway commits: kernel CAS (not here), bump, note, ACK */
	assert_int_equal(reattach_decode_response(wire, n, AUTH(KEY), &ch),
			 REATTACH_OK);
	assert_int_equal(reattach_pending_match(&pend, ch.token,
						ch.request_nonce, PATH_A, 6,
						g->now.mono_ms + 30),
			 REATTACH_MATCH_OK);
	assert_int_equal(sm_bump_for_switch(&g->sm, JVPND_REASON_REATTACHED,
					    g->now.mono_ms + 30),
			 SM_OK);
	reattach_note_switch(&g->rs, g->now.mono_ms + 30);
	ack = (struct reattach_ack){ .session_id = sid,
				     .request_nonce = req.nonce,
				     .state_version = g->sm.bound_version };
	n = reattach_encode_ack(&ack, AUTH(KEY), wire, sizeof(wire));
	assert_int_equal(reattach_decode_ack(wire, n, AUTH(KEY), &ack),
			 REATTACH_OK);
	assert_int_equal(ack.state_version, 2);
	/* the gateway alone goes VOLATILE and back: versions 3, 4 */
	sm_transition(&g->sm, JVPN_STATE_VOLATILE,
		      JVPND_REASON_HEALTH_THRESHOLD, g->now.mono_ms + 5000);
	sm_transition(&g->sm, JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED,
		      g->now.mono_ms + 6000);
	/* the captured first request, replayed: refused, nothing moves */
	g->now.mono_ms += 10000;
	assert_int_equal(reattach_decode_request(first, REATTACH_REQUEST_LEN,
						 AUTH(KEY), &req),
			 REATTACH_OK);
	assert_int_equal(reattach_validate(&g->view, &req, true, &g->src,
					   &g->now, &g->pol, &g->sources, NULL),
			 JVPND_REASON_REPLAYED_NONCE);
	assert_int_equal(g->sm.version, 4);
	/* the client's next request, with the ACK's version: current */
	g->req.nonce = 2;
	g->req.state_version = ack.state_version;
	g->req.timestamp_ms = g->now.wall_ms;
	assert_int_equal(judge(g, NULL), JVPND_REASON_NONE);
}

#define GW(f) cmocka_unit_test_setup_teardown(f, gw_setup, gw_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_request_layout),
		cmocka_unit_test(test_reject_layout),
		cmocka_unit_test(test_small_layouts),
		cmocka_unit_test(test_truncated_refused),
		cmocka_unit_test(test_extended_refused),
		cmocka_unit_test(test_every_bit_flip_refused),
		cmocka_unit_test(test_other_key_refused),
		cmocka_unit_test(test_type_confusion_refused),
		cmocka_unit_test(test_header_fields_refused),
		cmocka_unit_test(test_session_version_is_the_one_checked),
		cmocka_unit_test(test_body_fields_refused),
		cmocka_unit_test(test_body_fields_accepted),
		cmocka_unit_test(test_output_untouched_on_failure),
		cmocka_unit_test(test_encoders_refuse),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_directions),
		GW(test_first_unknown_session),
		GW(test_first_bad_proof),
		GW(test_first_replayed_nonce),
		GW(test_first_stale_timestamp),
		GW(test_first_stale_version),
		GW(test_first_rate_limited),
		GW(test_first_cooldown),
		GW(test_first_switch_limit),
		GW(test_first_class_not_allowed),
		GW(test_only_unknown_session),
		GW(test_only_bad_proof),
		GW(test_only_replayed_nonce),
		GW(test_only_stale_timestamp),
		GW(test_only_stale_version),
		GW(test_only_rate_limited),
		GW(test_only_cooldown),
		GW(test_only_switch_limit),
		GW(test_only_class_not_allowed),
		GW(test_accepted),
		GW(test_unknown_session_silent),
		GW(test_terminated_answered_only_if_authentic),
		GW(test_handshake_session_unknown),
		GW(test_bad_proof_changes_nothing),
		GW(test_refused_request_cannot_be_replayed),
		GW(test_replay_after_accept),
		GW(test_timestamp_boundaries),
		GW(test_version_window),
		GW(test_source_flood_bounded),
		GW(test_over_budget_source_gets_no_answer),
		GW(test_session_budget),
		GW(test_cooldown_boundary),
		GW(test_switch_limit_window),
		GW(test_switch_limit_clamped),
		GW(test_classes),
		GW(test_bad_arguments_fail_closed),
		GW(test_make_reject),
		cmocka_unit_test(test_policy_valid),
		cmocka_unit_test(test_source_keys),
		cmocka_unit_test(test_path_keys),
		cmocka_unit_test(test_pending_match),
		cmocka_unit_test(test_pending_expiry),
		cmocka_unit_test(test_pending_arm_refuses),
		GW(test_whole_reattach),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return 1;
	for (size_t i = 0; i < sizeof(KEY); i++) {
		KEY[i] = (uint8_t)(i + 1);
		OTHER_KEY[i] = (uint8_t)(0x80 + i);
	}
	s_chal = (struct reattach_challenge){ .session_id = SID,
					      .request_nonce = 99 };
	memcpy(s_chal.token, TOKEN, sizeof(TOKEN));
	s_path = (struct reattach_path){ .session_id = SID };
	memcpy(s_path.token, TOKEN, sizeof(TOKEN));
	return cmocka_run_group_tests_name("reattach", tests, NULL, NULL);
}
