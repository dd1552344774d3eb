/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_REPLAY_H
#define _JVPN_REPLAY_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include "constants.h"

/*
 * Sliding replay window over received nonce counters (RFC 6479): a counter
 * is accepted once, and only if it is no more than JVPN_REPLAY_WINDOW behind
 * the highest counter accepted so far.
 */
struct jvpn_replay {
	spinlock_t lock;
	u64 top;	/* highest accepted counter + 1; 0: nothing yet */
	unsigned long bitmap[JVPN_REPLAY_BITS / BITS_PER_LONG];
};

void jvpn_replay_init(struct jvpn_replay *r);
/* Cheap lockless pre-check before decryption: false means surely a replay. */
bool jvpn_replay_may_accept(const struct jvpn_replay *r, u64 counter);
/* Authoritative check-and-mark after authentication. */
bool jvpn_replay_accept(struct jvpn_replay *r, u64 counter);

#endif /* _JVPN_REPLAY_H */
