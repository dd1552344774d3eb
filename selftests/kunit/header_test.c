// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kernel/header.c: the data header's encoding on the wire
 * (uapi/jvpn/messages.h) and every verdict of its decoder.
 */
#include <kunit/test.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include "header.h"

/* A well-formed encoded header followed by room for a tag. */
struct hdr_buf {
	struct jvpn_data_hdr hdr;
	u8 rest[64];
};

static void encode_valid(struct hdr_buf *b, u64 id, u64 counter, u8 phase)
{
	struct jvpn_header h = {
		.session_id = id, .counter = counter, .key_phase = phase,
	};

	memset(b, 0xa5, sizeof(*b));
	jvpn_header_encode(&b->hdr, &h);
}

static void header_sizes(struct kunit *test)
{
	BUILD_BUG_ON(sizeof(struct jvpn_data_hdr) != 20);
	KUNIT_EXPECT_EQ(test, JVPN_DATA_HDR_LEN, 20U);
	KUNIT_EXPECT_EQ(test, JVPN_TAG_LEN, 16);
	KUNIT_EXPECT_EQ(test, JVPN_DATA_OVERHEAD, 36U);
	KUNIT_EXPECT_EQ(test, offsetof(struct jvpn_data_hdr, type), 0UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct jvpn_data_hdr, version), 1UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct jvpn_data_hdr, flags), 2UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct jvpn_data_hdr, reserved), 3UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct jvpn_data_hdr, session_id), 4UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct jvpn_data_hdr, counter), 12UL);
}

static void expect_bytes(struct kunit *test, const void *got,
			 const u8 *want, unsigned int len)
{
	const u8 *p = got;
	unsigned int i;

	for (i = 0; i < len; i++)
		KUNIT_EXPECT_EQ_MSG(test, p[i], want[i], "byte %u", i);
}

static void header_byte_layout(struct kunit *test)
{
	static const u8 want0[20] = {
		0x10, 0x01, 0x00, 0x00,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	};
	static const u8 want1[20] = {
		0x10, 0x01, 0x01, 0x00,
		0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct hdr_buf b;

	encode_valid(&b, 0x0102030405060708ULL, 0x1112131415161718ULL, 0);
	expect_bytes(test, &b, want0, sizeof(want0));
	/* encode writes exactly the header: the next byte is untouched */
	KUNIT_EXPECT_EQ(test, b.rest[0], 0xa5);

	encode_valid(&b, 0xffeeddccbbaa9988ULL, 0, 1);
	expect_bytes(test, &b, want1, sizeof(want1));
	KUNIT_EXPECT_EQ(test, b.rest[0], 0xa5);
}

static void header_key_phase_nonzero_is_one_flag(struct kunit *test)
{
	struct hdr_buf b;

	/* any non-zero phase sets exactly the key-phase flag */
	encode_valid(&b, 9, 9, 0x80);
	KUNIT_EXPECT_EQ(test, b.hdr.flags, JVPN_FLAG_KEY_PHASE);
}

static void header_round_trip(struct kunit *test)
{
	static const struct {
		u64 id, counter;
		u8 phase;
	} v[] = {
		{ 1, 0, 0 },
		{ 1, 0, 1 },
		{ 0x8000000000000000ULL, 1, 0 },
		{ U64_MAX, U64_MAX, 1 },
		{ 0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0 },
		{ 0x0123456789abcdefULL, 0xfedcba9876543210ULL, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct jvpn_header out;
		struct hdr_buf b;

		memset(&out, 0x5a, sizeof(out));
		encode_valid(&b, v[i].id, v[i].counter, v[i].phase);
		KUNIT_EXPECT_EQ_MSG(test, jvpn_header_decode(&b.hdr,
							     JVPN_DATA_OVERHEAD,
							     &out),
				    JVPN_HDR_OK, "vector %u", i);
		KUNIT_EXPECT_EQ_MSG(test, out.session_id, v[i].id,
				    "vector %u", i);
		KUNIT_EXPECT_EQ_MSG(test, out.counter, v[i].counter,
				    "vector %u", i);
		KUNIT_EXPECT_EQ_MSG(test, out.key_phase, v[i].phase,
				    "vector %u", i);
	}
}

static void header_decode_long_packet(struct kunit *test)
{
	struct jvpn_header out;
	struct hdr_buf b;

	encode_valid(&b, 42, 7, 1);
	KUNIT_EXPECT_EQ(test, jvpn_header_decode(&b.hdr, 1500, &out),
			JVPN_HDR_OK);
	KUNIT_EXPECT_EQ(test, out.session_id, 42ULL);
	KUNIT_EXPECT_EQ(test, out.counter, 7ULL);
	KUNIT_EXPECT_EQ(test, out.key_phase, 1);
}

static void header_not_data(struct kunit *test)
{
	static const u8 types[] = { 0x00, 0x01, 0x0f, 0x11, 0xff };
	struct jvpn_header out;
	struct hdr_buf b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		encode_valid(&b, 42, 7, 0);
		b.hdr.type = types[i];
		KUNIT_EXPECT_EQ_MSG(test, jvpn_header_decode(&b.hdr, 100, &out),
				    JVPN_HDR_NOT_DATA, "type %#x", types[i]);
	}
	/* an empty payload has no type at all */
	encode_valid(&b, 42, 7, 0);
	KUNIT_EXPECT_EQ(test, jvpn_header_decode(&b.hdr, 0, &out),
			JVPN_HDR_NOT_DATA);
}

static void header_too_short(struct kunit *test)
{
	struct jvpn_header out;
	struct hdr_buf b;
	size_t len;

	encode_valid(&b, 42, 7, 0);
	/* a data type byte, but no room for header + tag */
	for (len = 1; len < JVPN_DATA_OVERHEAD; len++)
		KUNIT_EXPECT_EQ_MSG(test, jvpn_header_decode(&b.hdr, len, &out),
				    JVPN_HDR_TOO_SHORT, "len %zu", len);
	KUNIT_EXPECT_EQ(test, jvpn_header_decode(&b.hdr, JVPN_DATA_OVERHEAD,
						 &out), JVPN_HDR_OK);
}

static void header_bad_version(struct kunit *test)
{
	static const u8 versions[] = { 0, 2, 0x81, 0xff };
	struct jvpn_header out;
	struct hdr_buf b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		encode_valid(&b, 42, 7, 0);
		b.hdr.version = versions[i];
		KUNIT_EXPECT_EQ_MSG(test, jvpn_header_decode(&b.hdr, 100, &out),
				    JVPN_HDR_BAD_VERSION, "version %u",
				    versions[i]);
	}
}

static void header_unknown_flag(struct kunit *test)
{
	struct jvpn_header out;
	struct hdr_buf b;
	unsigned int bit;

	for (bit = 1; bit < 8; bit++) {
		encode_valid(&b, 42, 7, 1);
		b.hdr.flags |= 1U << bit;
		KUNIT_EXPECT_EQ_MSG(test, jvpn_header_decode(&b.hdr, 100, &out),
				    JVPN_HDR_BAD_FLAGS, "flag bit %u", bit);
	}
}

static void header_reserved_set(struct kunit *test)
{
	static const u8 values[] = { 0x01, 0x80, 0xff };
	struct jvpn_header out;
	struct hdr_buf b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		encode_valid(&b, 42, 7, 0);
		b.hdr.reserved = values[i];
		KUNIT_EXPECT_EQ_MSG(test, jvpn_header_decode(&b.hdr, 100, &out),
				    JVPN_HDR_BAD_FLAGS, "reserved %#x",
				    values[i]);
	}
}

static void header_zero_session(struct kunit *test)
{
	struct jvpn_header out;
	struct hdr_buf b;

	encode_valid(&b, 0, 7, 0);
	KUNIT_EXPECT_EQ(test, jvpn_header_decode(&b.hdr, 100, &out),
			JVPN_HDR_ZERO_SESSION);
	encode_valid(&b, 0, 7, 1);
	KUNIT_EXPECT_EQ(test, jvpn_header_decode(&b.hdr, 100, &out),
			JVPN_HDR_ZERO_SESSION);
}

static struct kunit_case jvpn_header_cases[] = {
	KUNIT_CASE(header_sizes),
	KUNIT_CASE(header_byte_layout),
	KUNIT_CASE(header_key_phase_nonzero_is_one_flag),
	KUNIT_CASE(header_round_trip),
	KUNIT_CASE(header_decode_long_packet),
	KUNIT_CASE(header_not_data),
	KUNIT_CASE(header_too_short),
	KUNIT_CASE(header_bad_version),
	KUNIT_CASE(header_unknown_flag),
	KUNIT_CASE(header_reserved_set),
	KUNIT_CASE(header_zero_session),
	{}
};

static struct kunit_suite jvpn_header_suite = {
	.name = "jvpn_header",
	.test_cases = jvpn_header_cases,
};
kunit_test_suite(jvpn_header_suite);

MODULE_LICENSE("GPL");
