// SPDX-License-Identifier: GPL-2.0
#include <linux/slab.h>
#include <linux/socket.h>
#include "allowedips.h"
#include "session.h"

static const struct rhashtable_params aip_params = {
	.key_len = sizeof(struct jvpn_prefix),
	.key_offset = offsetof(struct jvpn_aip, key),
	.head_offset = offsetof(struct jvpn_aip, node),
	.automatic_shrinking = true,
};

static unsigned int max_len(u8 family_index)
{
	return family_index ? 128 : 32;
}

int jvpn_allowedips_init(struct jvpn_allowedips *t)
{
	memset(t, 0, sizeof(*t));
	return rhashtable_init(&t->ht, &aip_params);
}

void jvpn_allowedips_destroy(struct jvpn_allowedips *t)
{
	rhashtable_destroy(&t->ht);
}

static __be32 word_mask(unsigned int bits)
{
	if (bits >= 32)
		return htonl(~0U);
	return bits ? htonl(~0U << (32 - bits)) : 0;
}

/* Copies @addr masked to @len bits into @out. */
static void mask_addr(__be32 *out, const __be32 *addr, unsigned int words,
		      unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		unsigned int bits = len > 32 * i ? len - 32 * i : 0;

		out[i] = i < words ? addr[i] & word_mask(bits) : 0;
	}
}

void jvpn_prefix_normalise(struct jvpn_prefix *p)
{
	__be32 masked[4];

	mask_addr(masked, p->addr, p->family_index ? 4 : 1, p->prefix_len);
	memcpy(p->addr, masked, sizeof(masked));
	memset(p->pad, 0, sizeof(p->pad));
}

static void length_used(struct jvpn_allowedips *t, u8 fi, u8 len, int delta)
{
	unsigned int *users = fi ? t->users6 : t->users4;
	unsigned long *lengths = fi ? t->lengths6 : t->lengths4;

	users[len] += delta;
	if (users[len])
		set_bit(max_len(fi) - len, lengths);
	else
		clear_bit(max_len(fi) - len, lengths);
}

int jvpn_allowedips_insert(struct jvpn_allowedips *t, struct jvpn_session *s,
			   const struct jvpn_prefix *p)
{
	struct jvpn_aip *aip = kzalloc(sizeof(*aip), GFP_KERNEL);
	int err;

	if (!aip)
		return -ENOMEM;
	aip->key = *p;
	jvpn_prefix_normalise(&aip->key);
	aip->session = s;
	err = rhashtable_lookup_insert_fast(&t->ht, &aip->node, aip_params);
	if (err) {
		kfree(aip);
		return err;
	}
	/* published after the entry, so a reader never probes a ghost */
	length_used(t, aip->key.family_index, aip->key.prefix_len, 1);
	list_add_tail(&aip->session_node, &s->allowed_ips);
	return 0;
}

bool jvpn_allowedips_held(struct jvpn_allowedips *t,
			  const struct jvpn_prefix *p)
{
	bool held;

	rcu_read_lock();
	held = rhashtable_lookup(&t->ht, p, aip_params);
	rcu_read_unlock();
	return held;
}

void jvpn_allowedips_remove_session(struct jvpn_allowedips *t,
				    struct jvpn_session *s)
{
	struct jvpn_aip *aip, *tmp;

	list_for_each_entry_safe(aip, tmp, &s->allowed_ips, session_node) {
		length_used(t, aip->key.family_index, aip->key.prefix_len, -1);
		rhashtable_remove_fast(&t->ht, &aip->node, aip_params);
		list_del(&aip->session_node);
		kfree_rcu(aip, rcu);
	}
}

struct jvpn_session *jvpn_allowedips_lookup(struct jvpn_allowedips *t,
					    int family, const __be32 *addr)
{
	u8 fi = family == AF_INET6;
	unsigned int top = max_len(fi), words = fi ? 4 : 1, bit;
	const unsigned long *lengths = fi ? t->lengths6 : t->lengths4;
	struct jvpn_prefix key = { .family_index = fi };
	struct jvpn_aip *aip;

	for_each_set_bit(bit, lengths, top + 1) {
		key.prefix_len = top - bit;
		mask_addr(key.addr, addr, words, key.prefix_len);
		aip = rhashtable_lookup(&t->ht, &key, aip_params);
		if (aip)
			return READ_ONCE(aip->session);
	}
	return NULL;
}
