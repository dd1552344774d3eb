/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_KEYGUARD_H
#define _JVPN_KEYGUARD_H

#include <linux/types.h>

struct jvpn_keypair;

/*
 * What SESSION_SET_KEYS may do with a session's keys (keyguard.c). A
 * ChaCha20-Poly1305 key must never seal two packets under one counter,
 * and a new pair starts at counter 0: so no transmit key the session
 * holds may be installed again, and no generation at or below the
 * highest one the session has seen. The one exception is promoting the
 * staged next pair, which keeps its object, and so its counter.
 */
enum jvpn_keys_verdict {
	JVPN_KEYS_INSTALL,	/* a new pair: install it */
	JVPN_KEYS_PROMOTE,	/* the staged pair, exactly: make it current */
	JVPN_KEYS_RESTAGE,	/* the staged pair staged again: nothing to do */
	JVPN_KEYS_SAME_PHASE,	/* the phase must alternate */
	JVPN_KEYS_TX_REUSED,	/* its transmit key is the current or previous one */
	JVPN_KEYS_STALE_GEN,	/* generation not above the high-water mark */
	JVPN_KEYS_WRONG_GEN,	/* promotion naming another generation */
};

/*
 * @cur, @prev: the session's pairs (either may be NULL); @hwm: the highest
 * generation installed so far; @kp: the requested pair, with its phase and
 * generation set; @next: KEY_NEXT (stage, do not transmit); @gen_given:
 * whether the request named its generation (if not, @kp carries @hwm + 1
 * and the generation checks cannot refuse it).
 */
enum jvpn_keys_verdict jvpn_keys_check(const struct jvpn_keypair *cur,
				       const struct jvpn_keypair *prev,
				       u64 hwm, const struct jvpn_keypair *kp,
				       bool next, bool gen_given);

#endif /* _JVPN_KEYGUARD_H */
