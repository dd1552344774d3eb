// SPDX-License-Identifier: GPL-2.0
#include <linux/netdevice.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include "constants.h"
#include "header.h"
#include "keypair.h"

/* room for the data header plus the widest outer IP and UDP headers */
#define JVPN_TX_HEADROOM	ALIGN(JVPN_DATA_HDR_LEN + \
				      JVPN_OUTER_OVERHEAD_MAX + NET_SKB_PAD, 4)

/* Own cache: live key pairs show in /proc/slabinfo, leaks at unload. */
static struct kmem_cache *keypair_cache;

int __init jvpn_keypair_cache_init(void)
{
	keypair_cache = KMEM_CACHE(jvpn_keypair, 0);
	return keypair_cache ? 0 : -ENOMEM;
}

void jvpn_keypair_cache_destroy(void)
{
	kmem_cache_destroy(keypair_cache);
}

struct jvpn_keypair *jvpn_keypair_new(const u8 *tx_key, const u8 *rx_key,
				      u8 phase, u64 generation)
{
	struct jvpn_keypair *kp = kmem_cache_zalloc(keypair_cache, GFP_KERNEL);

	if (!kp)
		return NULL;
	memcpy(kp->tx_key, tx_key, sizeof(kp->tx_key));
	memcpy(kp->rx_key, rx_key, sizeof(kp->rx_key));
	atomic64_set(&kp->tx_counter, 0);
	jvpn_replay_init(&kp->replay);
	kp->phase = phase;
	kp->generation = generation;
	return kp;
}

void jvpn_keypair_free(struct jvpn_keypair *kp)
{
	if (!kp)
		return;
	memzero_explicit(kp, sizeof(*kp));
	kmem_cache_free(keypair_cache, kp);
}

static void keypair_free_rcu(struct rcu_head *rcu)
{
	jvpn_keypair_free(container_of(rcu, struct jvpn_keypair, rcu));
}

void jvpn_keypair_free_rcu(struct jvpn_keypair *kp)
{
	if (kp)
		call_rcu(&kp->rcu, keypair_free_rcu);
}

int jvpn_keypair_seal(struct jvpn_keypair *kp, u64 session_id,
		      struct sk_buff *skb)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	unsigned int plain_len = skb->len;
	struct jvpn_header h = {
		.session_id = session_id,
		.key_phase = kp->phase,
	};
	struct jvpn_data_hdr *hdr;
	struct sk_buff *trailer;
	int nfrags;

	h.counter = atomic64_inc_return(&kp->tx_counter) - 1;
	if (unlikely(h.counter >= JVPN_REJECT_AFTER_MESSAGES))
		return -EKEYEXPIRED;
	if (unlikely(skb_cow_head(skb, JVPN_TX_HEADROOM)))
		return -ENOMEM;
	/* the inner checksum must be final before it is encrypted */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return -EINVAL;
	nfrags = skb_cow_data(skb, JVPN_TAG_LEN, &trailer);
	if (unlikely(nfrags < 0 || nfrags > ARRAY_SIZE(sg)))
		return -ENOMEM;
	skb_set_inner_network_header(skb, 0);
	hdr = skb_push(skb, JVPN_DATA_HDR_LEN);
	jvpn_header_encode(hdr, &h);
	pskb_put(skb, trailer, JVPN_TAG_LEN);
	sg_init_table(sg, nfrags);
	if (skb_to_sgvec(skb, sg, JVPN_DATA_HDR_LEN,
			 plain_len + JVPN_TAG_LEN) <= 0)
		return -EINVAL;
	if (!chacha20poly1305_encrypt_sg_inplace(sg, plain_len, (u8 *)hdr,
						 JVPN_DATA_HDR_LEN, h.counter,
						 kp->tx_key))
		return -EINVAL;
	return 0;
}

bool jvpn_keypair_open(const struct jvpn_keypair *kp, struct sk_buff *skb,
		       unsigned int offset, u64 counter)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	unsigned int crypt_off = offset + JVPN_DATA_HDR_LEN;
	u8 ad[sizeof(struct jvpn_data_hdr)];
	struct sk_buff *trailer;
	int nfrags;

	/* the header may move when the skb is made writable: keep a copy */
	memcpy(ad, skb->data + offset, sizeof(ad));
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nfrags < 0 || nfrags > ARRAY_SIZE(sg)))
		return false;
	sg_init_table(sg, nfrags);
	if (skb_to_sgvec(skb, sg, crypt_off, skb->len - crypt_off) <= 0)
		return false;
	if (!chacha20poly1305_decrypt_sg_inplace(sg, skb->len - crypt_off,
						 ad, sizeof(ad), counter,
						 kp->rx_key))
		return false;
	return pskb_trim(skb, skb->len - JVPN_TAG_LEN) == 0;
}
