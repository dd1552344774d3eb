// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 6479 replay window. The bitmap is a ring of blocks; moving the window
 * forward clears whole blocks instead of shifting bits, so the cost of a
 * jump does not depend on its size beyond the ring's length.
 */
#include <linux/bitops.h>
#include <linux/string.h>
#include "replay.h"

#define BLOCK_BITS	BITS_PER_LONG
#define BLOCK_LOG	ilog2(BLOCK_BITS)
#define RING_BLOCKS	(JVPN_REPLAY_BITS / BLOCK_BITS)

void jvpn_replay_init(struct jvpn_replay *r)
{
	spin_lock_init(&r->lock);
	r->top = 0;
	memset(r->bitmap, 0, sizeof(r->bitmap));
}

static bool too_old(u64 top, u64 counter)
{
	return counter + JVPN_REPLAY_WINDOW + 1 < top;
}

bool jvpn_replay_may_accept(const struct jvpn_replay *r, u64 counter)
{
	if (counter >= JVPN_REJECT_AFTER_MESSAGES)
		return false;
	return !too_old(READ_ONCE(r->top), counter);
}

/* Clears the blocks between the old top and the new one. */
static void advance(struct jvpn_replay *r, u64 counter)
{
	u64 old_block = r->top ? (r->top - 1) >> BLOCK_LOG : 0;
	u64 new_block = counter >> BLOCK_LOG;
	u64 gap = new_block - old_block, i;

	if (r->top == 0)
		gap = RING_BLOCKS;	/* first packet: the ring is empty */
	gap = min_t(u64, gap, RING_BLOCKS);
	for (i = 1; i <= gap; i++)
		r->bitmap[(old_block + i) % RING_BLOCKS] = 0;
	WRITE_ONCE(r->top, counter + 1);
}

bool jvpn_replay_accept(struct jvpn_replay *r, u64 counter)
{
	unsigned long *block;
	unsigned int bit;
	bool fresh = false;

	if (counter >= JVPN_REJECT_AFTER_MESSAGES)
		return false;
	spin_lock_bh(&r->lock);
	if (too_old(r->top, counter))
		goto out;
	if (counter >= r->top)
		advance(r, counter);
	block = &r->bitmap[(counter >> BLOCK_LOG) % RING_BLOCKS];
	bit = counter & (BLOCK_BITS - 1);
	fresh = !test_and_set_bit(bit, block);
out:
	spin_unlock_bh(&r->lock);
	return fresh;
}
