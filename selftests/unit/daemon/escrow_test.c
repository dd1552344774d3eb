// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/escrow.c, the record of a session's keys the
 * kernel keeps for a restarted jvpnd: a round trip keeps every field the
 * daemon needs and none of the data keys; a record for another session,
 * of another length or format, with a reserved byte or version 0, is
 * refused and writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "escrow.h"

#define SID UINT64_C(0x0102030405060708)

static void sample(struct handshake_keys *k, uint8_t peer[JVPN_KEY_LEN])
{
	memset(k, 0, sizeof(*k));
	randombytes_buf(k->data_i2r, sizeof(k->data_i2r));
	randombytes_buf(k->data_r2i, sizeof(k->data_r2i));
	randombytes_buf(k->control, sizeof(k->control));
	randombytes_buf(k->chain, sizeof(k->chain));
	randombytes_buf(peer, JVPN_KEY_LEN);
	k->session_id = SID;
	k->generation = 0x7abcdef1;
	k->version = 2;
	k->initiator = true;
}

static void test_round_trip(void **state)
{
	uint8_t peer[JVPN_KEY_LEN], peer2[JVPN_KEY_LEN], rec[ESCROW_LEN];
	struct handshake_keys k, back;
	const uint8_t zero[JVPN_KEY_LEN] = { 0 };

	(void)state;
	sample(&k, peer);
	escrow_encode(&k, peer, rec);
	assert_int_equal(rec[0], ESCROW_FORMAT);
	assert_true(escrow_decode(rec, sizeof(rec), SID, &back, peer2));
	assert_memory_equal(back.control, k.control, JVPN_KEY_LEN);
	assert_memory_equal(back.chain, k.chain, JVPN_KEY_LEN);
	assert_memory_equal(peer2, peer, JVPN_KEY_LEN);
	assert_int_equal(back.generation, k.generation);
	assert_int_equal(back.version, k.version);
	assert_int_equal(back.session_id, SID);
	assert_true(back.initiator);
	/* the data keys stay with the kernel alone */
	assert_memory_equal(back.data_i2r, zero, JVPN_KEY_LEN);
	assert_memory_equal(back.data_r2i, zero, JVPN_KEY_LEN);
	assert_null(memmem(rec, sizeof(rec), k.data_i2r, JVPN_KEY_LEN));
	assert_null(memmem(rec, sizeof(rec), k.data_r2i, JVPN_KEY_LEN));
	/* the responder's end round-trips too */
	k.initiator = false;
	escrow_encode(&k, peer, rec);
	assert_true(escrow_decode(rec, sizeof(rec), SID, &back, peer2));
	assert_false(back.initiator);
}

static void assert_refused(const uint8_t *rec, size_t len, uint64_t id)
{
	struct handshake_keys back;
	uint8_t peer[JVPN_KEY_LEN];

	memset(&back, 0x5a, sizeof(back));
	memset(peer, 0x5a, sizeof(peer));
	assert_false(escrow_decode(rec, len, id, &back, peer));
	assert_int_equal(back.control[0], 0x5a);
	assert_int_equal(peer[0], 0x5a);
}

static void test_refusals(void **state)
{
	uint8_t peer[JVPN_KEY_LEN], rec[ESCROW_LEN + 1], bad[ESCROW_LEN];
	struct handshake_keys k;

	(void)state;
	sample(&k, peer);
	escrow_encode(&k, peer, rec);
	assert_refused(NULL, ESCROW_LEN, SID);
	assert_refused(rec, ESCROW_LEN - 1, SID);
	assert_refused(rec, ESCROW_LEN + 1, SID);
	assert_refused(rec, ESCROW_LEN, SID + 1); /* another session's */
	assert_refused(rec, ESCROW_LEN, 0);
	for (size_t i = 0; i < 4; i++) {
		static const uint8_t wrong[4] = { 2, 0, 2, 1 };

		memcpy(bad, rec, sizeof(bad));
		bad[i] = wrong[i];
		assert_refused(bad, sizeof(bad), SID);
	}
	/* the session id field is checked, not assumed */
	memcpy(bad, rec, sizeof(bad));
	bad[15] ^= 1;
	assert_refused(bad, sizeof(bad), SID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
