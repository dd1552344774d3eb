// SPDX-License-Identifier: GPL-2.0
/*
 * The nonce-reuse guard of SESSION_SET_KEYS (keyguard.h): a pure decision
 * over the session's pairs, so KUnit checks it (selftests/kunit/).
 */
#include <crypto/algapi.h>
#include "keyguard.h"
#include "keypair.h"

static bool same_tx(const struct jvpn_keypair *a, const struct jvpn_keypair *b)
{
	return a && !crypto_memneq(a->tx_key, b->tx_key, sizeof(a->tx_key));
}

static bool same_pair(const struct jvpn_keypair *a,
		      const struct jvpn_keypair *b)
{
	return a->phase == b->phase && same_tx(a, b) &&
	       !crypto_memneq(a->rx_key, b->rx_key, sizeof(a->rx_key));
}

enum jvpn_keys_verdict jvpn_keys_check(const struct jvpn_keypair *cur,
				       const struct jvpn_keypair *prev,
				       u64 hwm, const struct jvpn_keypair *kp,
				       bool next, bool gen_given)
{
	if (cur && cur->phase == kp->phase)
		return JVPN_KEYS_SAME_PHASE;
	/*
	 * The staged pair has sealed nothing: making it current (it keeps its
	 * object, so its counter) or staging it again (a daemon that lost
	 * track, e.g. restarted mid-rotation; it stays as it is) repeats no
	 * nonce.
	 */
	if (prev && prev->staged && same_pair(prev, kp)) {
		if (gen_given && kp->generation != prev->generation)
			return JVPN_KEYS_WRONG_GEN;
		return next ? JVPN_KEYS_RESTAGE : JVPN_KEYS_PROMOTE;
	}
	if (same_tx(cur, kp) || same_tx(prev, kp))
		return JVPN_KEYS_TX_REUSED;
	if (gen_given && kp->generation <= hwm)
		return JVPN_KEYS_STALE_GEN;
	return JVPN_KEYS_INSTALL;
}
