// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kernel/allowedips.c: longest-prefix match over the
 * sessions' allowed IPs, IPv4 and IPv6. Sessions are bare kunit_kzalloc'd
 * structs with ->id and ->allowed_ips set.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include "allowedips.h"
#include "session.h"

#define MAX_SESSIONS	8

struct aip_ctx {
	struct jvpn_allowedips t;
	struct jvpn_session *s[MAX_SESSIONS];
	unsigned int n;
};

/* exit removes every session's prefixes, even after a failed assertion */
static int aip_test_init(struct kunit *test)
{
	struct aip_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	if (jvpn_allowedips_init(&ctx->t))
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

static void aip_test_exit(struct kunit *test)
{
	struct aip_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < ctx->n; i++)
		jvpn_allowedips_remove_session(&ctx->t, ctx->s[i]);
	jvpn_allowedips_destroy(&ctx->t);
}

static struct jvpn_allowedips *table(struct kunit *test)
{
	return &((struct aip_ctx *)test->priv)->t;
}

static struct jvpn_session *new_session(struct kunit *test, u64 id)
{
	struct aip_ctx *ctx = test->priv;
	struct jvpn_session *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	KUNIT_ASSERT_LT(test, ctx->n, MAX_SESSIONS);
	s->id = id;
	INIT_LIST_HEAD(&s->allowed_ips);
	ctx->s[ctx->n++] = s;
	return s;
}

static struct jvpn_prefix v4(u8 a, u8 b, u8 c, u8 d, u8 len)
{
	struct jvpn_prefix p = { .family_index = 0, .prefix_len = len };

	p.addr[0] = htonl((u32)a << 24 | (u32)b << 16 | (u32)c << 8 | d);
	return p;
}

/* An IPv6 prefix from its eight 16-bit groups. */
static struct jvpn_prefix v6(const u16 g[8], u8 len)
{
	struct jvpn_prefix p = { .family_index = 1, .prefix_len = len };
	unsigned int i;

	for (i = 0; i < 4; i++)
		p.addr[i] = htonl((u32)g[2 * i] << 16 | g[2 * i + 1]);
	return p;
}

#define V6(len, ...)	v6((const u16[8]) { __VA_ARGS__ }, len)

static struct jvpn_session *lookup_p(struct jvpn_allowedips *t,
				     const struct jvpn_prefix *p)
{
	struct jvpn_session *s;

	rcu_read_lock();
	s = jvpn_allowedips_lookup(t, p->family_index ? AF_INET6 : AF_INET,
				   p->addr);
	rcu_read_unlock();
	return s;
}

/* Looks up an address, given as a prefix of any length. */
#define LOOKUP(t, p)	({ struct jvpn_prefix __p = (p); lookup_p(t, &__p); })

static int insert(struct jvpn_allowedips *t, struct jvpn_session *s,
		  struct jvpn_prefix p)
{
	return jvpn_allowedips_insert(t, s, &p);
}

static void aip_lpm_v4(struct kunit *test)
{
	struct jvpn_allowedips *t = table(test);
	struct jvpn_session *a = new_session(test, 1);
	struct jvpn_session *b = new_session(test, 2);
	struct jvpn_session *c = new_session(test, 3);
	struct jvpn_session *d = new_session(test, 4);

	KUNIT_EXPECT_EQ(test, insert(t, a, v4(10, 0, 0, 0, 8)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 1, 0, 0, 16)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, c, v4(10, 1, 2, 3, 32)), 0);

	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 4, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 2, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 255, 255, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 0, 0, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 2, 0, 1, 32)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 0, 0, 0, 32)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 255, 255, 255, 32)), a);
	KUNIT_EXPECT_NULL(test, LOOKUP(t, v4(11, 0, 0, 0, 32)));
	KUNIT_EXPECT_NULL(test, LOOKUP(t, v4(9, 255, 255, 255, 32)));
	KUNIT_EXPECT_NULL(test, LOOKUP(t, v4(0, 0, 0, 0, 32)));

	/* a default route catches the rest, and only the rest */
	KUNIT_EXPECT_EQ(test, insert(t, d, v4(0, 0, 0, 0, 0)), 0);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(11, 0, 0, 0, 32)), d);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(255, 255, 255, 255, 32)), d);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 4, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 2, 0, 1, 32)), a);
}

static void aip_lpm_v6(struct kunit *test)
{
	struct jvpn_allowedips *t = table(test);
	struct jvpn_session *a = new_session(test, 1);
	struct jvpn_session *b = new_session(test, 2);
	struct jvpn_session *c = new_session(test, 3);
	struct jvpn_session *d = new_session(test, 4);
	struct jvpn_session *e = new_session(test, 5);
	struct jvpn_session *f = new_session(test, 6);

	KUNIT_EXPECT_EQ(test, insert(t, a, V6(32, 0x2001, 0xdb8)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, V6(48, 0x2001, 0xdb8, 1)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, c, V6(128, 0x2001, 0xdb8, 1, 0, 0, 0,
					      0, 1)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, d, V6(0)), 0);
	/* lengths that end inside a 32-bit word */
	KUNIT_EXPECT_EQ(test, insert(t, e, V6(65, 0x2001, 0xdb8, 1, 0,
					      0x8000)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, f, V6(127, 0x2001, 0xdb8, 1, 0, 0, 0,
					      0, 4)), 0);

	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0, 0, 0,
					       0, 1)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0, 0, 0,
					       0, 2)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0, 0, 0,
					       0, 4)), f);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0, 0, 0,
					       0, 5)), f);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0, 0, 0,
					       0, 6)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0,
					       0x8000, 0, 0, 5)), e);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0,
					       0xffff, 0xffff, 0xffff,
					       0xffff)), e);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0,
					       0x7fff, 0, 0, 5)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 0xffff,
					       0xffff)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 2)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 0xffff,
					       0xffff)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb9)), d);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb7, 0xffff)), d);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128)), d);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0xffff, 0xffff, 0xffff,
					       0xffff, 0xffff, 0xffff, 0xffff,
					       0xffff)), d);
}

static void expect_prefix(struct kunit *test, struct jvpn_prefix p,
			  const struct jvpn_prefix *want)
{
	unsigned int i;

	jvpn_prefix_normalise(&p);
	KUNIT_EXPECT_EQ(test, p.family_index, want->family_index);
	KUNIT_EXPECT_EQ(test, p.prefix_len, want->prefix_len);
	KUNIT_EXPECT_EQ(test, p.pad[0], 0);
	KUNIT_EXPECT_EQ(test, p.pad[1], 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, ntohl(p.addr[i]),
				    ntohl(want->addr[i]), "/%u word %u",
				    want->prefix_len, i);
}

#define EXPECT_NORMAL(test, in, out)					\
	do {								\
		struct jvpn_prefix __want = (out);			\
		expect_prefix(test, in, &__want);			\
	} while (0)

static void aip_normalise(struct kunit *test)
{
	struct jvpn_prefix p;

	EXPECT_NORMAL(test, v4(10, 1, 2, 3, 16), v4(10, 1, 0, 0, 16));
	EXPECT_NORMAL(test, v4(10, 1, 2, 3, 8), v4(10, 0, 0, 0, 8));
	EXPECT_NORMAL(test, v4(10, 1, 2, 3, 31), v4(10, 1, 2, 2, 31));
	EXPECT_NORMAL(test, v4(10, 1, 2, 3, 32), v4(10, 1, 2, 3, 32));
	EXPECT_NORMAL(test, v4(10, 1, 2, 3, 0), v4(0, 0, 0, 0, 0));
	EXPECT_NORMAL(test, v4(255, 255, 255, 255, 1), v4(128, 0, 0, 0, 1));
	EXPECT_NORMAL(test, v4(255, 255, 255, 255, 17), v4(255, 255, 128, 0, 17));

	/* IPv4 uses addr[0] only: the rest and the pad are cleared */
	p = v4(192, 168, 1, 1, 24);
	p.addr[1] = p.addr[2] = p.addr[3] = htonl(0xdeadbeef);
	p.pad[0] = 0x55;
	p.pad[1] = 0xaa;
	EXPECT_NORMAL(test, p, v4(192, 168, 1, 0, 24));

	EXPECT_NORMAL(test, V6(32, 0x2001, 0xdb8, 0xffff, 1, 2, 3, 4, 5),
		      V6(32, 0x2001, 0xdb8));
	EXPECT_NORMAL(test, V6(48, 0x2001, 0xdb8, 0xffff, 0xffff),
		      V6(48, 0x2001, 0xdb8, 0xffff));
	EXPECT_NORMAL(test, V6(65, 0x2001, 0xdb8, 1, 2, 0xffff, 0xffff),
		      V6(65, 0x2001, 0xdb8, 1, 2, 0x8000));
	EXPECT_NORMAL(test, V6(127, 1, 2, 3, 4, 5, 6, 7, 0xffff),
		      V6(127, 1, 2, 3, 4, 5, 6, 7, 0xfffe));
	EXPECT_NORMAL(test, V6(128, 1, 2, 3, 4, 5, 6, 7, 0xffff),
		      V6(128, 1, 2, 3, 4, 5, 6, 7, 0xffff));
	EXPECT_NORMAL(test, V6(96, 1, 2, 3, 4, 5, 6, 7, 8),
		      V6(96, 1, 2, 3, 4, 5, 6));
	EXPECT_NORMAL(test, V6(0, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
			       0xffff, 0xffff, 0xffff), V6(0));
}

static struct jvpn_aip *first_aip(struct jvpn_session *s)
{
	return list_first_entry_or_null(&s->allowed_ips, struct jvpn_aip,
					session_node);
}

static void aip_host_bits_on_insert(struct kunit *test)
{
	struct jvpn_allowedips *t = table(test);
	struct jvpn_session *a = new_session(test, 1);
	struct jvpn_session *b = new_session(test, 2);
	struct jvpn_prefix p;
	struct jvpn_aip *aip;

	KUNIT_EXPECT_EQ(test, insert(t, a, v4(10, 1, 2, 3, 16)), 0);
	aip = first_aip(a);
	KUNIT_ASSERT_NOT_NULL(test, aip);
	KUNIT_EXPECT_EQ(test, ntohl(aip->key.addr[0]), 0x0a010000U);
	KUNIT_EXPECT_EQ(test, aip->key.prefix_len, 16);
	KUNIT_EXPECT_PTR_EQ(test, aip->session, a);

	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 99, 99, 32)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 0, 0, 32)), a);
	/* the same prefix, however its host bits are spelled */
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 1, 0, 0, 16)), -EEXIST);
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 1, 255, 255, 16)), -EEXIST);
	p = v4(10, 1, 7, 7, 16);
	p.pad[0] = 1;
	p.addr[3] = htonl(1);
	KUNIT_EXPECT_EQ(test, jvpn_allowedips_insert(t, b, &p), -EEXIST);
	KUNIT_EXPECT_TRUE(test, list_empty(&b->allowed_ips));

	KUNIT_EXPECT_EQ(test, insert(t, a, V6(32, 0x2001, 0xdb8, 0, 0, 0, 0, 0,
					      0xffff)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, V6(32, 0x2001, 0xdb8)), -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 5)), a);
}

static void aip_duplicate(struct kunit *test)
{
	struct jvpn_allowedips *t = table(test);
	struct jvpn_session *a = new_session(test, 1);
	struct jvpn_session *b = new_session(test, 2);

	KUNIT_EXPECT_EQ(test, insert(t, a, v4(10, 1, 0, 0, 16)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 1, 0, 0, 16)), -EEXIST);
	KUNIT_EXPECT_EQ(test, insert(t, a, v4(10, 1, 0, 0, 16)), -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), a);
	KUNIT_EXPECT_TRUE(test, list_empty(&b->allowed_ips));
	KUNIT_EXPECT_TRUE(test, list_is_singular(&a->allowed_ips));

	/* other lengths of the same address are other prefixes */
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 1, 0, 0, 17)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 1, 0, 0, 15)), 0);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 128, 3, 32)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 0, 0, 1, 32)), b);

	/* the refused inserts left no count behind: /16 empties with a */
	jvpn_allowedips_remove_session(t, a);
	KUNIT_EXPECT_FALSE(test, test_bit(32 - 16, t->lengths4));
	KUNIT_EXPECT_EQ(test, t->users4[16], 0U);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 128, 3, 32)), b);
	/* and the prefix is free for another session */
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 1, 0, 0, 16)), 0);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 128, 3, 32)), b);
}

static void aip_remove_session(struct kunit *test)
{
	struct jvpn_allowedips *t = table(test);
	struct jvpn_session *a = new_session(test, 1);
	struct jvpn_session *b = new_session(test, 2);
	struct jvpn_session *c = new_session(test, 3);

	KUNIT_EXPECT_EQ(test, insert(t, a, v4(10, 0, 0, 0, 8)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, a, V6(32, 0x2001, 0xdb8)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 1, 0, 0, 16)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, V6(48, 0x2001, 0xdb8, 1)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(192, 168, 0, 0, 24)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, c, v4(10, 1, 2, 0, 24)), 0);

	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 3, 3, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(192, 168, 0, 9, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 9)), b);

	jvpn_allowedips_remove_session(t, b);
	KUNIT_EXPECT_TRUE(test, list_empty(&b->allowed_ips));
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 3, 3, 32)), a);
	KUNIT_EXPECT_NULL(test, LOOKUP(t, v4(192, 168, 0, 9, 32)));
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 9)), a);
	/* removing it again is harmless */
	jvpn_allowedips_remove_session(t, b);

	jvpn_allowedips_remove_session(t, c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), a);

	jvpn_allowedips_remove_session(t, a);
	KUNIT_EXPECT_NULL(test, LOOKUP(t, v4(10, 1, 2, 3, 32)));
	KUNIT_EXPECT_NULL(test, LOOKUP(t, V6(128, 0x2001, 0xdb8, 1, 9)));
	KUNIT_EXPECT_TRUE(test, bitmap_empty(t->lengths4, 33));
	KUNIT_EXPECT_TRUE(test, bitmap_empty(t->lengths6, 129));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ht.nelems), 0);
}

static void aip_edges(struct kunit *test)
{
	struct jvpn_allowedips *t = table(test);
	struct jvpn_session *a = new_session(test, 1);
	struct jvpn_session *b = new_session(test, 2);
	struct jvpn_session *c = new_session(test, 3);
	struct jvpn_session *d = new_session(test, 4);

	KUNIT_EXPECT_EQ(test, insert(t, a, v4(0, 0, 0, 0, 0)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(255, 255, 255, 255, 32)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, c, v4(0, 0, 0, 0, 32)), 0);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(255, 255, 255, 255, 32)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(255, 255, 255, 254, 32)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(0, 0, 0, 0, 32)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(0, 0, 0, 1, 32)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(128, 0, 0, 0, 32)), a);

	KUNIT_EXPECT_EQ(test, insert(t, a, V6(0)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, V6(128, 0xffff, 0xffff, 0xffff,
					      0xffff, 0xffff, 0xffff, 0xffff,
					      0xffff)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, c, V6(128)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, d, V6(1, 0x8000)), 0);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0xffff, 0xffff, 0xffff,
					       0xffff, 0xffff, 0xffff, 0xffff,
					       0xffff)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0xffff, 0xffff, 0xffff,
					       0xffff, 0xffff, 0xffff, 0xffff,
					       0xfffe)), d);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0, 0, 0, 0, 0, 0, 0, 1)),
			    a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x7fff)), a);

	/* without the /128 and /32, their addresses fall back to /0 or /1 */
	jvpn_allowedips_remove_session(t, b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(255, 255, 255, 255, 32)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0xffff, 0xffff, 0xffff,
					       0xffff, 0xffff, 0xffff, 0xffff,
					       0xffff)), d);
	/* and without /0, nothing else matches */
	jvpn_allowedips_remove_session(t, a);
	KUNIT_EXPECT_NULL(test, LOOKUP(t, v4(255, 255, 255, 255, 32)));
	KUNIT_EXPECT_NULL(test, LOOKUP(t, V6(128, 0x7fff)));
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(0, 0, 0, 0, 32)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128)), c);
}

static void aip_families_do_not_mix(struct kunit *test)
{
	struct jvpn_allowedips *t = table(test);
	struct jvpn_session *a = new_session(test, 1);
	struct jvpn_session *b = new_session(test, 2);
	struct jvpn_session *c = new_session(test, 3);
	struct jvpn_session *d = new_session(test, 4);
	struct jvpn_prefix p;

	KUNIT_EXPECT_EQ(test, insert(t, a, v4(0, 0, 0, 0, 0)), 0);
	KUNIT_EXPECT_NULL(test, LOOKUP(t, V6(128)));
	KUNIT_EXPECT_NULL(test, LOOKUP(t, V6(128, 0x2001, 0xdb8)));

	/* the same bits, as an IPv4 and an IPv6 prefix: two prefixes */
	KUNIT_EXPECT_EQ(test, insert(t, c, v4(10, 1, 2, 3, 32)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, d, V6(32, 0x0a01, 0x0203)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, v4(10, 0, 0, 0, 8)), 0);
	KUNIT_EXPECT_EQ(test, insert(t, b, V6(8, 0x0a00)), 0);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), c);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x0a01, 0x0203)), d);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x0a01, 0x0204)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 4, 32)), b);
	KUNIT_EXPECT_NULL(test, LOOKUP(t, V6(128, 0x0b01, 0x0203)));

	/* an IPv4 lookup reads addr[0] only */
	p = v4(10, 1, 2, 3, 32);
	p.addr[1] = p.addr[2] = p.addr[3] = htonl(0xffffffff);
	KUNIT_EXPECT_PTR_EQ(test, lookup_p(t, &p), c);

	KUNIT_EXPECT_EQ(test, insert(t, a, V6(0)), 0);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x2001, 0xdb8)), a);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(1, 2, 3, 4, 32)), a);
	jvpn_allowedips_remove_session(t, d);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, V6(128, 0x0a01, 0x0203)), b);
	KUNIT_EXPECT_PTR_EQ(test, LOOKUP(t, v4(10, 1, 2, 3, 32)), c);
}

static struct kunit_case jvpn_allowedips_cases[] = {
	KUNIT_CASE(aip_lpm_v4),
	KUNIT_CASE(aip_lpm_v6),
	KUNIT_CASE(aip_normalise),
	KUNIT_CASE(aip_host_bits_on_insert),
	KUNIT_CASE(aip_duplicate),
	KUNIT_CASE(aip_remove_session),
	KUNIT_CASE(aip_edges),
	KUNIT_CASE(aip_families_do_not_mix),
	{}
};

static struct kunit_suite jvpn_allowedips_suite = {
	.name = "jvpn_allowedips",
	.init = aip_test_init,
	.exit = aip_test_exit,
	.test_cases = jvpn_allowedips_cases,
};
kunit_test_suite(jvpn_allowedips_suite);

MODULE_LICENSE("GPL");
