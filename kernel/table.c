// SPDX-License-Identifier: GPL-2.0
#include "session.h"
#include "table.h"

static const struct rhashtable_params table_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct jvpn_session, id),
	.head_offset = offsetof(struct jvpn_session, table_node),
	.automatic_shrinking = true,
};

int jvpn_table_init(struct jvpn_table *t)
{
	return rhashtable_init(&t->ht, &table_params);
}

void jvpn_table_destroy(struct jvpn_table *t)
{
	rhashtable_destroy(&t->ht);
}

int jvpn_table_insert(struct jvpn_table *t, struct jvpn_session *s)
{
	return rhashtable_lookup_insert_fast(&t->ht, &s->table_node,
					     table_params);
}

void jvpn_table_remove(struct jvpn_table *t, struct jvpn_session *s)
{
	rhashtable_remove_fast(&t->ht, &s->table_node, table_params);
}

struct jvpn_session *jvpn_table_lookup(struct jvpn_table *t, u64 id)
{
	return rhashtable_lookup(&t->ht, &id, table_params);
}
