/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_TABLE_H
#define _JVPN_TABLE_H

#include <linux/rhashtable.h>

struct jvpn_session;

/*
 * A device's sessions by SessionID: O(1) lookup under RCU from the receive
 * path; insert and remove under the device's lock.
 */
struct jvpn_table {
	struct rhashtable ht;
};

int jvpn_table_init(struct jvpn_table *t);
void jvpn_table_destroy(struct jvpn_table *t);
/* -EEXIST when the id is taken. */
int jvpn_table_insert(struct jvpn_table *t, struct jvpn_session *s);
void jvpn_table_remove(struct jvpn_table *t, struct jvpn_session *s);
/* Caller holds rcu_read_lock() or the device's lock. */
struct jvpn_session *jvpn_table_lookup(struct jvpn_table *t, u64 id);

#endif /* _JVPN_TABLE_H */
