/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_KEYPAIR_H
#define _JVPN_KEYPAIR_H

#include <crypto/chacha20poly1305.h>
#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include "replay.h"

struct sk_buff;

/*
 * One generation of a session's data keys. The daemon derives them; the
 * kernel only seals and opens. A session keeps the current pair and the
 * previous one (receive only) so rotation drops nothing in flight.
 */
struct jvpn_keypair {
	u8 tx_key[CHACHA20POLY1305_KEY_SIZE];
	u8 rx_key[CHACHA20POLY1305_KEY_SIZE];
	atomic64_t tx_counter;	/* next nonce */
	struct jvpn_replay replay;
	u8 phase;		/* JVPN_FLAG_KEY_PHASE bit of its packets */
	bool staged;		/* KEY_NEXT: opens only, not promoted yet */
	u64 generation;		/* the daemon's number, or the kernel's */
	struct rcu_head rcu;
};

int jvpn_keypair_cache_init(void);
void jvpn_keypair_cache_destroy(void);
struct jvpn_keypair *jvpn_keypair_new(const u8 *tx_key, const u8 *rx_key,
				      u8 phase, u64 generation);
/* Wipes the keys and frees, now (no reader left) or after a grace period. */
void jvpn_keypair_free(struct jvpn_keypair *kp);
void jvpn_keypair_free_rcu(struct jvpn_keypair *kp);

/*
 * Seals the inner packet in @skb in place: pushes the data header, appends
 * the tag. Returns 0 or a negative errno (the skb is then the caller's to
 * free). -EKEYEXPIRED when the nonce space is spent.
 */
int jvpn_keypair_seal(struct jvpn_keypair *kp, u64 session_id,
		      struct sk_buff *skb);
/*
 * Opens a received data packet whose header starts @offset bytes into
 * @skb; on success the tag is trimmed off and the plaintext follows the
 * header. @counter is the header's nonce.
 */
bool jvpn_keypair_open(const struct jvpn_keypair *kp, struct sk_buff *skb,
		       unsigned int offset, u64 counter);

#endif /* _JVPN_KEYPAIR_H */
