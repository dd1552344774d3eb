// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kernel/keyguard.c: which SET_KEYS requests could make a
 * transmit key seal a counter twice, and so are refused.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include "keyguard.h"
#include "keypair.h"

static void pair(struct jvpn_keypair *kp, u8 tx, u8 rx, u8 phase, u64 gen,
		 bool staged)
{
	memset(kp, 0, sizeof(*kp));
	memset(kp->tx_key, tx, sizeof(kp->tx_key));
	memset(kp->rx_key, rx, sizeof(kp->rx_key));
	kp->phase = phase;
	kp->generation = gen;
	kp->staged = staged;
}

static void keyguard_new_pair_installs(struct kunit *test)
{
	struct jvpn_keypair cur, prev, kp;

	pair(&cur, 1, 2, 0, 4, false);
	pair(&prev, 3, 4, 1, 3, false);
	pair(&kp, 5, 6, 1, 5, false);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &prev, 4, &kp, false, true),
			JVPN_KEYS_INSTALL);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &prev, 4, &kp, true, true),
			JVPN_KEYS_INSTALL);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, NULL, 4, &kp, false, false),
			JVPN_KEYS_INSTALL);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(NULL, NULL, 0, &kp, false, true),
			JVPN_KEYS_INSTALL);
}

/* the bug this guards against: current key, flipped phase, counter 0 */
static void keyguard_current_tx_key_refused(struct kunit *test)
{
	struct jvpn_keypair cur, kp;

	pair(&cur, 1, 2, 0, 4, false);
	pair(&kp, 1, 2, 1, 5, false);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, NULL, 4, &kp, false, true),
			JVPN_KEYS_TX_REUSED);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, NULL, 4, &kp, true, false),
			JVPN_KEYS_TX_REUSED);
	pair(&kp, 1, 9, 1, 5, false);	/* another rx key changes nothing */
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, NULL, 4, &kp, false, true),
			JVPN_KEYS_TX_REUSED);
}

static void keyguard_previous_tx_key_refused(struct kunit *test)
{
	struct jvpn_keypair cur, prev, kp;

	pair(&cur, 1, 2, 0, 4, false);
	pair(&prev, 3, 4, 1, 3, false);	/* a former current pair */
	pair(&kp, 3, 4, 1, 5, false);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &prev, 4, &kp, false, true),
			JVPN_KEYS_TX_REUSED);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &prev, 4, &kp, true, true),
			JVPN_KEYS_TX_REUSED);
}

static void keyguard_staged_pair_promotes(struct kunit *test)
{
	struct jvpn_keypair cur, staged, kp;

	pair(&cur, 1, 2, 0, 4, false);
	pair(&staged, 3, 4, 1, 5, true);
	pair(&kp, 3, 4, 1, 5, false);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, false, true),
			JVPN_KEYS_PROMOTE);
	kp.generation = 6;	/* without a generation the kernel's is ignored */
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, false, false),
			JVPN_KEYS_PROMOTE);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, false, true),
			JVPN_KEYS_WRONG_GEN);
	/* staged again: nothing to do; but not under another generation */
	kp.generation = 5;
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, true, true),
			JVPN_KEYS_RESTAGE);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, true, false),
			JVPN_KEYS_RESTAGE);
	kp.generation = 6;
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, true, true),
			JVPN_KEYS_WRONG_GEN);
	/* staged or promoted with other rx keys: not that pair */
	pair(&kp, 3, 7, 1, 6, false);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, true, true),
			JVPN_KEYS_TX_REUSED);
	pair(&kp, 3, 7, 1, 6, false);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, false, true),
			JVPN_KEYS_TX_REUSED);
	/* a former current pair in the previous slot promotes nothing */
	staged.staged = false;
	pair(&kp, 3, 4, 1, 5, false);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &staged, 5, &kp, false, true),
			JVPN_KEYS_TX_REUSED);
}

static void keyguard_past_generation_refused(struct kunit *test)
{
	struct jvpn_keypair cur, prev, kp;

	pair(&cur, 1, 2, 0, 8, false);
	pair(&prev, 3, 4, 1, 7, false);
	pair(&kp, 5, 6, 1, 6, false);	/* two generations old: fresh keys */
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &prev, 8, &kp, false, true),
			JVPN_KEYS_STALE_GEN);
	kp.generation = 8;
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &prev, 8, &kp, true, true),
			JVPN_KEYS_STALE_GEN);
	kp.generation = 9;
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, &prev, 8, &kp, false, true),
			JVPN_KEYS_INSTALL);
}

static void keyguard_phase_must_alternate(struct kunit *test)
{
	struct jvpn_keypair cur, kp;

	pair(&cur, 1, 2, 0, 4, false);
	pair(&kp, 5, 6, 0, 5, false);
	KUNIT_EXPECT_EQ(test, jvpn_keys_check(&cur, NULL, 4, &kp, false, true),
			JVPN_KEYS_SAME_PHASE);
}

static struct kunit_case keyguard_cases[] = {
	KUNIT_CASE(keyguard_new_pair_installs),
	KUNIT_CASE(keyguard_current_tx_key_refused),
	KUNIT_CASE(keyguard_previous_tx_key_refused),
	KUNIT_CASE(keyguard_staged_pair_promotes),
	KUNIT_CASE(keyguard_past_generation_refused),
	KUNIT_CASE(keyguard_phase_must_alternate),
	{}
};

static struct kunit_suite keyguard_suite = {
	.name = "jvpn_keyguard",
	.test_cases = keyguard_cases,
};

kunit_test_suite(keyguard_suite);
