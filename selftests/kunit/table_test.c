// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kernel/table.c: the device's sessions by SessionID.
 * Sessions are bare kunit_kzalloc'd structs with only ->id set; nothing else of
 * a session is touched by the table.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "session.h"
#include "table.h"

static struct jvpn_session *new_session(struct kunit *test, u64 id)
{
	struct jvpn_session *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	s->id = id;
	INIT_LIST_HEAD(&s->allowed_ips);
	return s;
}

static struct jvpn_session *lookup(struct jvpn_table *t, u64 id)
{
	struct jvpn_session *s;

	rcu_read_lock();
	s = jvpn_table_lookup(t, id);
	rcu_read_unlock();
	return s;
}

/*
 * Each case gets its table from init and exit destroys it, so that a
 * failed assertion cannot leave the rhashtable's resize work running on
 * freed memory.
 */
static int table_test_init(struct kunit *test)
{
	struct jvpn_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	if (jvpn_table_init(t))
		return -ENOMEM;
	test->priv = t;
	return 0;
}

static void table_test_exit(struct kunit *test)
{
	jvpn_table_destroy(test->priv);
}

static struct jvpn_table *new_table(struct kunit *test)
{
	return test->priv;
}

static void table_insert_lookup_remove(struct kunit *test)
{
	struct jvpn_table *t = new_table(test);
	struct jvpn_session *a = new_session(test, 1);
	struct jvpn_session *b = new_session(test, 0xfedcba9876543210ULL);

	KUNIT_EXPECT_NULL(test, lookup(t, 1));
	KUNIT_EXPECT_EQ(test, jvpn_table_insert(t, a), 0);
	KUNIT_EXPECT_EQ(test, jvpn_table_insert(t, b), 0);
	KUNIT_EXPECT_PTR_EQ(test, lookup(t, 1), a);
	KUNIT_EXPECT_PTR_EQ(test, lookup(t, 0xfedcba9876543210ULL), b);

	jvpn_table_remove(t, a);
	KUNIT_EXPECT_NULL(test, lookup(t, 1));
	KUNIT_EXPECT_PTR_EQ(test, lookup(t, 0xfedcba9876543210ULL), b);
	/* the id is free again */
	KUNIT_EXPECT_EQ(test, jvpn_table_insert(t, a), 0);
	KUNIT_EXPECT_PTR_EQ(test, lookup(t, 1), a);

	jvpn_table_remove(t, a);
	jvpn_table_remove(t, b);
	KUNIT_EXPECT_NULL(test, lookup(t, 1));
	KUNIT_EXPECT_NULL(test, lookup(t, 0xfedcba9876543210ULL));
}

static void table_duplicate_id(struct kunit *test)
{
	struct jvpn_table *t = new_table(test);
	struct jvpn_session *a = new_session(test, 42);
	struct jvpn_session *dup = new_session(test, 42);

	KUNIT_EXPECT_EQ(test, jvpn_table_insert(t, a), 0);
	KUNIT_EXPECT_EQ(test, jvpn_table_insert(t, dup), -EEXIST);
	/* the first holder keeps the id */
	KUNIT_EXPECT_PTR_EQ(test, lookup(t, 42), a);
	/* and once it is gone, the other may take it */
	jvpn_table_remove(t, a);
	KUNIT_EXPECT_EQ(test, jvpn_table_insert(t, dup), 0);
	KUNIT_EXPECT_PTR_EQ(test, lookup(t, 42), dup);
	jvpn_table_remove(t, dup);
}

static void table_lookup_missing(struct kunit *test)
{
	struct jvpn_table *t = new_table(test);
	struct jvpn_session *a = new_session(test, 7);

	KUNIT_EXPECT_NULL(test, lookup(t, 0));
	KUNIT_EXPECT_NULL(test, lookup(t, 7));
	KUNIT_EXPECT_EQ(test, jvpn_table_insert(t, a), 0);
	KUNIT_EXPECT_NULL(test, lookup(t, 0));
	KUNIT_EXPECT_NULL(test, lookup(t, 6));
	KUNIT_EXPECT_NULL(test, lookup(t, 8));
	KUNIT_EXPECT_NULL(test, lookup(t, 7ULL << 32));
	KUNIT_EXPECT_NULL(test, lookup(t, U64_MAX));
	jvpn_table_remove(t, a);
}

#define MANY	10000

/* Spread-out ids, all distinct and non-zero: i -> odd multiplier * (i+1). */
static u64 many_id(unsigned int i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

/* Table size once the deferred resize work has run. */
static unsigned int settled_size(struct jvpn_table *t, bool grown)
{
	unsigned int size = 0, i;

	for (i = 0; i < 200; i++) {
		flush_work(&t->ht.run_work);
		rcu_read_lock();
		size = rcu_dereference(t->ht.tbl)->size;
		rcu_read_unlock();
		if (grown ? size >= MANY : size < MANY / 4)
			break;
		msleep(20);
	}
	return size;
}

static void table_many(struct kunit *test)
{
	struct jvpn_table *t = new_table(test);
	struct jvpn_session **s;
	unsigned int i, missing = 0, wrong = 0, size;

	s = kunit_kcalloc(test, MANY, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	for (i = 0; i < MANY; i++) {
		s[i] = new_session(test, many_id(i));
		KUNIT_ASSERT_EQ_MSG(test, jvpn_table_insert(t, s[i]), 0,
				    "session %u", i);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ht.nelems), MANY);

	rcu_read_lock();
	for (i = 0; i < MANY; i++) {
		struct jvpn_session *got = jvpn_table_lookup(t, many_id(i));

		missing += !got;
		wrong += got && got != s[i];
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, missing, 0U);
	KUNIT_EXPECT_EQ(test, wrong, 0U);

	/* the table grew (it starts at 64 buckets) */
	size = settled_size(t, true);
	KUNIT_EXPECT_GE(test, size, MANY);
	/* and everything is still found after the rehash */
	missing = 0;
	rcu_read_lock();
	for (i = 0; i < MANY; i++)
		missing += jvpn_table_lookup(t, many_id(i)) != s[i];
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, missing, 0U);

	/* an id next to each one is not there */
	rcu_read_lock();
	for (i = 0, wrong = 0; i < MANY; i++)
		wrong += !!jvpn_table_lookup(t, many_id(i) + 1);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, wrong, 0U);

	/* remove every other one, then the rest */
	for (i = 0; i < MANY; i += 2)
		jvpn_table_remove(t, s[i]);
	rcu_read_lock();
	for (i = 0, wrong = 0; i < MANY; i++)
		wrong += jvpn_table_lookup(t, many_id(i)) !=
			 (i % 2 ? s[i] : NULL);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, wrong, 0U);
	for (i = 1; i < MANY; i += 2)
		jvpn_table_remove(t, s[i]);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ht.nelems), 0);

	rcu_read_lock();
	for (i = 0, wrong = 0; i < MANY; i++)
		wrong += !!jvpn_table_lookup(t, many_id(i));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, wrong, 0U);

	/* and it shrank again (automatic_shrinking) */
	size = settled_size(t, false);
	KUNIT_EXPECT_LT(test, size, MANY / 4);
}

static struct kunit_case jvpn_table_cases[] = {
	KUNIT_CASE(table_insert_lookup_remove),
	KUNIT_CASE(table_duplicate_id),
	KUNIT_CASE(table_lookup_missing),
	KUNIT_CASE(table_many),
	{}
};

static struct kunit_suite jvpn_table_suite = {
	.name = "jvpn_table",
	.init = table_test_init,
	.exit = table_test_exit,
	.test_cases = jvpn_table_cases,
};
kunit_test_suite(jvpn_table_suite);

MODULE_LICENSE("GPL");
