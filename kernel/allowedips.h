/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_ALLOWEDIPS_H
#define _JVPN_ALLOWEDIPS_H

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/rhashtable.h>
#include <linux/in6.h>

struct jvpn_session;
struct sk_buff;

/* A prefix; host bits beyond prefix_len are always zero. */
struct jvpn_prefix {
	u8 family_index;	/* 0: IPv4, 1: IPv6; keeps the key compact */
	u8 prefix_len;
	u8 pad[2];		/* zero: part of the hash key */
	__be32 addr[4];		/* IPv4 uses addr[0] */
};

/*
 * Longest-prefix match by one hash table of prefixes plus a bitmap of the
 * prefix lengths in use: a lookup probes only lengths that exist, longest
 * first, so its cost grows with distinct lengths, not with sessions.
 */
struct jvpn_allowedips {
	struct rhashtable ht;
	/* bit (max_len - len) set while a prefix of that length exists */
	DECLARE_BITMAP(lengths4, 33);
	DECLARE_BITMAP(lengths6, 129);
	unsigned int users4[33];	/* prefixes per length */
	unsigned int users6[129];
};

/* One prefix owned by one session. */
struct jvpn_aip {
	struct rhash_head node;
	struct jvpn_prefix key;
	struct jvpn_session *session;
	struct list_head session_node;
	struct rcu_head rcu;
};

int jvpn_allowedips_init(struct jvpn_allowedips *t);
void jvpn_allowedips_destroy(struct jvpn_allowedips *t);
/* Normalises @p (clears host bits). */
void jvpn_prefix_normalise(struct jvpn_prefix *p);
/* -EEXIST when another session already holds exactly this prefix. */
int jvpn_allowedips_insert(struct jvpn_allowedips *t, struct jvpn_session *s,
			   const struct jvpn_prefix *p);
/* Whether a session holds exactly @p (normalised), under the writer's lock. */
bool jvpn_allowedips_held(struct jvpn_allowedips *t,
			  const struct jvpn_prefix *p);
void jvpn_allowedips_remove_session(struct jvpn_allowedips *t,
				    struct jvpn_session *s);
/* Under rcu_read_lock(): the session whose prefix best matches. */
struct jvpn_session *jvpn_allowedips_lookup(struct jvpn_allowedips *t,
					    int family, const __be32 *addr);

#endif /* _JVPN_ALLOWEDIPS_H */
