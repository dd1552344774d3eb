// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kernel/replay.c, the RFC 6479 replay window.
 *
 * The contract under test is the one replay.h states: a counter is accepted
 * once, and only if it is no more than JVPN_REPLAY_WINDOW behind the highest
 * counter accepted so far; counters at or over JVPN_REJECT_AFTER_MESSAGES
 * never are. (RFC 6479 and WireGuard accept a counter exactly
 * JVPN_REPLAY_WINDOW behind, too.)
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include "replay.h"

#define W	((u64)JVPN_REPLAY_WINDOW)
#define RING	((u64)JVPN_REPLAY_BITS)
#define REJECT	JVPN_REJECT_AFTER_MESSAGES

static struct jvpn_replay *new_replay(struct kunit *test)
{
	struct jvpn_replay *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	jvpn_replay_init(r);
	return r;
}

static void replay_first_packet(struct kunit *test)
{
	struct jvpn_replay *r = new_replay(test);

	KUNIT_EXPECT_TRUE(test, jvpn_replay_may_accept(r, 0));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 0));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 0));

	/* the first packet may carry any counter, however large */
	r = new_replay(test);
	KUNIT_EXPECT_TRUE(test, jvpn_replay_may_accept(r, 123456789));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 123456789));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 123456789));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 123456788));
}

static void replay_in_order(struct kunit *test)
{
	struct jvpn_replay *r = new_replay(test);
	u64 c;

	/* three turns of the ring, each counter once, then its replay */
	for (c = 0; c < 3 * RING; c++) {
		KUNIT_ASSERT_TRUE_MSG(test, jvpn_replay_accept(r, c),
				      "counter %llu", c);
		KUNIT_ASSERT_FALSE_MSG(test, jvpn_replay_accept(r, c),
				       "replayed counter %llu", c);
	}
	/* and every counter still inside the window is still a replay */
	for (c = 3 * RING - W; c < 3 * RING; c++)
		KUNIT_ASSERT_FALSE_MSG(test, jvpn_replay_accept(r, c),
				       "replayed counter %llu", c);
}

static void replay_out_of_order(struct kunit *test)
{
	static const u64 order[] = {
		5000, 4999, 4000, 3000, 0, 1, 63, 64, 65, 5001, 4500, 127, 128,
	};
	struct jvpn_replay *r = new_replay(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(order); i++)
		KUNIT_EXPECT_TRUE_MSG(test, jvpn_replay_accept(r, order[i]),
				      "counter %llu", order[i]);
	for (i = 0; i < ARRAY_SIZE(order); i++)
		KUNIT_EXPECT_FALSE_MSG(test, jvpn_replay_accept(r, order[i]),
				       "replayed counter %llu", order[i]);
	/* the gaps are still open */
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 2));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 4998));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 62));
}

static void replay_duplicate(struct kunit *test)
{
	struct jvpn_replay *r = new_replay(test);

	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 10));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 20));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 10));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 20));
	/* the window moves on, but not past 10: still a replay */
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 10 + W - 1));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 10));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 20));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 10 + W - 1));
}

/* Exactly JVPN_REPLAY_WINDOW behind the highest: still inside. */
static void replay_window_edge_accepted(struct kunit *test)
{
	const u64 top = 100000;
	struct jvpn_replay *r = new_replay(test);

	KUNIT_ASSERT_TRUE(test, jvpn_replay_accept(r, top));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, top - W + 1));
	KUNIT_EXPECT_TRUE_MSG(test, jvpn_replay_may_accept(r, top - W),
			      "may_accept: %llu is exactly the window behind %llu",
			      top - W, top);
	KUNIT_EXPECT_TRUE_MSG(test, jvpn_replay_accept(r, top - W),
			      "accept: %llu is exactly the window behind %llu",
			      top - W, top);
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, top - W));
}

/* One more behind than the window: too old, never seen or not. */
static void replay_one_past_edge_rejected(struct kunit *test)
{
	const u64 top = 100000;
	struct jvpn_replay *r = new_replay(test);

	KUNIT_ASSERT_TRUE(test, jvpn_replay_accept(r, top));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_may_accept(r, top - W - 1));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, top - W - 1));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_may_accept(r, top - W - 2));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, top - W - 2));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, top - RING));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 0));
	/* a too-old packet does not move or dent the window */
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, top - 1));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, top + 1));
}

/*
 * Jumping forward clears the bits of the blocks passed over: counters seen
 * before the jump that are still inside the window stay replays, while
 * never-seen counters that share a ring slot with old ones are fresh.
 */
static void replay_jump_inside_ring(struct kunit *test)
{
	struct jvpn_replay *r = new_replay(test);
	u64 c, jump;

	for (c = 0; c < 200; c++)
		KUNIT_ASSERT_TRUE(test, jvpn_replay_accept(r, c));
	/* jump by half a window: all of 0..199 stays inside it */
	jump = 199 + W / 2;
	KUNIT_ASSERT_TRUE(test, jvpn_replay_accept(r, jump));
	for (c = 0; c < 200; c++)
		KUNIT_EXPECT_FALSE_MSG(test, jvpn_replay_accept(r, c),
				       "seen %llu accepted after a jump to %llu",
				       c, jump);
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 200));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, jump - 1));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 1000));

	/*
	 * Another jump, by about half a ring: the ring wraps, and the slots
	 * of counters 0..199 (seen, now too old) are reused by RING..RING+199.
	 */
	jump = RING + 300;
	KUNIT_ASSERT_TRUE(test, jvpn_replay_accept(r, jump));
	for (c = RING; c < RING + 200; c++)
		KUNIT_EXPECT_TRUE_MSG(test, jvpn_replay_accept(r, c),
				      "never-seen %llu refused after a jump to %llu",
				      c, jump);
	/* 1000 and jump-1 of the old jump are still in the window */
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 1000));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 199 + W / 2 - 1));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 199 + W / 2));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, 100));	/* too old */
}

static void replay_jump_past_ring(struct kunit *test)
{
	struct jvpn_replay *r = new_replay(test);
	u64 c, base = 5 * RING + 17, jump;

	for (c = base; c < base + 300; c++)
		KUNIT_ASSERT_TRUE(test, jvpn_replay_accept(r, c));
	/* further than the whole ring */
	jump = base + 3 * RING + 400;
	KUNIT_ASSERT_TRUE(test, jvpn_replay_accept(r, jump));
	/* what was seen is too old now */
	for (c = base; c < base + 300; c++)
		KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, c));
	/*
	 * Never-seen counters inside the new window, on the ring slots of the
	 * seen ones (same counter modulo the ring size): all fresh.
	 */
	for (c = base + 3 * RING; c < base + 3 * RING + 300; c++)
		KUNIT_EXPECT_TRUE_MSG(test, jvpn_replay_accept(r, c),
				      "never-seen %llu refused after a jump to %llu",
				      c, jump);
	/* and the oldest part of the new window, never seen either */
	for (c = jump - W + 1; c < jump - W + 65; c++)
		KUNIT_EXPECT_TRUE_MSG(test, jvpn_replay_accept(r, c),
				      "never-seen %llu refused after a jump to %llu",
				      c, jump);
	/* and a huge jump, far beyond any ring arithmetic */
	jump = 1ULL << 62;
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, jump));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, jump - 1));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, jump - RING / 2));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, jump - 1));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, base + 3 * RING + 400));
}

static void replay_reject_after_messages(struct kunit *test)
{
	struct jvpn_replay *r = new_replay(test);

	/* refused even as the very first packet; the window stays empty */
	KUNIT_EXPECT_FALSE(test, jvpn_replay_may_accept(r, REJECT));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, REJECT));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, U64_MAX));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, 0));

	r = new_replay(test);
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, REJECT - 2));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_may_accept(r, REJECT - 1));
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, REJECT - 1));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, REJECT - 1));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_may_accept(r, REJECT));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, REJECT));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, REJECT + 1));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_may_accept(r, U64_MAX));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, U64_MAX));
	/* the window below still works at the very end of the space */
	KUNIT_EXPECT_TRUE(test, jvpn_replay_accept(r, REJECT - 100));
	KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, REJECT - 2 - W - 1));
}

/*
 * On never-seen counters, the lockless pre-check and the authoritative
 * check must give the same verdict: the only reason left is "too old".
 */
static void replay_may_accept_agrees(struct kunit *test)
{
	static const u64 tops[] = { 0, 1, 63, 64, 65, W - 1, W, W + 1, RING,
				    100000, 1ULL << 40 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tops); i++) {
		struct jvpn_replay *r = new_replay(test);
		u64 top = tops[i], c, lo, first = 0;
		unsigned int differ = 0;

		KUNIT_ASSERT_TRUE(test, jvpn_replay_accept(r, top));
		lo = top > W + 130 ? top - W - 130 : 0;
		for (c = lo; c < top; c++) {
			bool may = jvpn_replay_may_accept(r, c);

			if (may != jvpn_replay_accept(r, c) && !differ++)
				first = c;
		}
		KUNIT_EXPECT_EQ_MSG(test, differ, 0U,
				    "highest %llu: first disagreement at %llu",
				    top, first);
		/* on a replay the pre-check may pass; accept must not */
		KUNIT_EXPECT_FALSE(test, jvpn_replay_accept(r, top));
	}
}

/* ---- randomized comparison against a reference model ---- */

struct replay_model {
	u64 *seen;	/* every counter accepted so far, unordered */
	unsigned int n;
	bool any;
	u64 highest;
};

static bool model_in_window(const struct replay_model *m, u64 c)
{
	return !m->any || c >= m->highest || m->highest - c <= W;
}

static bool model_accept(struct replay_model *m, u64 c)
{
	unsigned int i;

	if (c >= REJECT || !model_in_window(m, c))
		return false;
	for (i = 0; i < m->n; i++)
		if (m->seen[i] == c)
			return false;
	m->seen[m->n++] = c;
	if (!m->any || c > m->highest)
		m->highest = c;
	m->any = true;
	return true;
}

/* Uniform enough in [0, bound); u32 keeps the division 32-bit. */
static u32 rnd(struct rnd_state *s, u32 bound)
{
	return bound ? prandom_u32_state(s) % bound : 0;
}

static u64 sat_add(u64 a, u64 b)
{
	return a > U64_MAX - b ? U64_MAX : a + b;
}

/* A jittery, mostly increasing stream of counters. */
static u64 next_counter(struct rnd_state *s, u64 *base,
			const struct replay_model *m, const u64 *drawn,
			unsigned int ndrawn)
{
	u32 kind = rnd(s, 100), back;

	if (kind < 55) {			/* onwards, sometimes tied */
		*base = sat_add(*base, rnd(s, 8));
		return *base;
	}
	if (kind < 80) {			/* late: reordered in flight */
		back = rnd(s, W + W / 4);
		return *base > back ? *base - back : 0;
	}
	if (kind < 90 && ndrawn)		/* an exact replay */
		return drawn[ndrawn - 1 - rnd(s, min(ndrawn, 32U))];
	if (kind < 95) {			/* a loss burst: jump ahead */
		*base = sat_add(*base, 64 + rnd(s, 3 * RING));
		return *base;
	}
	if (m->any && m->highest >= W + 2)	/* the window's edge */
		return m->highest - W - 1 + rnd(s, 3);
	*base = sat_add(*base, 1);
	return *base;
}

static void replay_random_run(struct kunit *test, u64 seed, u64 start,
			      unsigned int steps)
{
	struct jvpn_replay *r = new_replay(test);
	struct replay_model m = { };
	struct rnd_state s;
	u64 base = start, *drawn;
	unsigned int i;

	m.seen = kunit_kmalloc_array(test, steps, sizeof(u64), GFP_KERNEL);
	drawn = kunit_kmalloc_array(test, steps, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m.seen);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drawn);
	prandom_seed_state(&s, seed);

	for (i = 0; i < steps; i++) {
		u64 c = next_counter(&s, &base, &m, drawn, i);
		bool in_window = c < REJECT && model_in_window(&m, c);
		u64 highest = m.highest;
		bool may = jvpn_replay_may_accept(r, c);
		bool got = jvpn_replay_accept(r, c);
		bool want = model_accept(&m, c);

		drawn[i] = c;
		if (got != want || may != in_window) {
			KUNIT_FAIL(test,
				   "seed %llu step %u: counter %llu (highest %llu, %lld behind): accept %d, model %d; may_accept %d, model %d",
				   seed, i, c, highest, (s64)(highest - c),
				   got, want, may, in_window);
			return;
		}
	}
	kunit_info(test, "seed %llu: %u counters, %u accepted, highest %llu\n",
		   seed, steps, m.n, m.highest);
}

static void replay_random_vs_model(struct kunit *test)
{
	replay_random_run(test, 1, 0, 4000);
	replay_random_run(test, 2, 0, 4000);
	replay_random_run(test, 0x6a76706e, 1000000, 4000);
}

/* The same, at the end of the counter space. */
static void replay_random_near_reject(struct kunit *test)
{
	replay_random_run(test, 3, REJECT - 4 * RING, 3000);
}

static struct kunit_case jvpn_replay_cases[] = {
	KUNIT_CASE(replay_first_packet),
	KUNIT_CASE(replay_in_order),
	KUNIT_CASE(replay_out_of_order),
	KUNIT_CASE(replay_duplicate),
	KUNIT_CASE(replay_window_edge_accepted),
	KUNIT_CASE(replay_one_past_edge_rejected),
	KUNIT_CASE(replay_jump_inside_ring),
	KUNIT_CASE(replay_jump_past_ring),
	KUNIT_CASE(replay_reject_after_messages),
	KUNIT_CASE(replay_may_accept_agrees),
	KUNIT_CASE(replay_random_vs_model),
	KUNIT_CASE(replay_random_near_reject),
	{}
};

static struct kunit_suite jvpn_replay_suite = {
	.name = "jvpn_replay",
	.test_cases = jvpn_replay_cases,
};
kunit_test_suite(jvpn_replay_suite);

MODULE_LICENSE("GPL");
