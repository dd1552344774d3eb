// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/limiter.c: token bucket arithmetic (burst, exact
 * refill, cap, a clock that goes backwards), cooldown, the sliding window
 * at exactly 60 s, the per-source table's LRU bound, and the client's
 * retry schedule with its give-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "limiter.h"

static const uint8_t HASH_KEY[LIMITER_HASH_KEY_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static unsigned int take_all(struct limiter_bucket *b,
			     const struct limiter_rate *r, uint64_t now)
{
	unsigned int n = 0;

	while (n < 1000000 && limiter_bucket_take(b, r, now))
		n++;
	return n;
}

/* ---- token bucket -------------------------------------------------- */

static void test_rate_valid(void **state)
{
	(void)state;
	assert_false(limiter_rate_valid(NULL));
	assert_false(limiter_rate_valid(&(struct limiter_rate){ 5, 0 }));
	assert_true(limiter_rate_valid(&(struct limiter_rate){ 5, 1 }));
	assert_true(limiter_rate_valid(&(struct limiter_rate){ 0, 1 }));
}

static void test_bucket_burst(void **state)
{
	struct limiter_rate r = { .per_second = 2, .burst = 5 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 1000);
	assert_int_equal(take_all(&b, &r, 1000), 5);
	assert_int_equal(b.refusals, 1);
	assert_false(limiter_bucket_take(&b, &r, 1000));
	assert_int_equal(b.refusals, 2);
}

/* 2/s: one token every 500 ms, not a millisecond earlier. */
static void test_bucket_refill_exact(void **state)
{
	struct limiter_rate r = { .per_second = 2, .burst = 5 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 1000);
	take_all(&b, &r, 1000);
	assert_false(limiter_bucket_take(&b, &r, 1499));
	assert_true(limiter_bucket_take(&b, &r, 1500));
	assert_int_equal(b.refusals, 0);
	assert_false(limiter_bucket_take(&b, &r, 1500));
	assert_true(limiter_bucket_take(&b, &r, 2000));
}

/* 3/s does not divide 1000 ms: remainders must carry over, not be lost,
 * so one second yields exactly three tokens. */
static void test_bucket_fractional_refill(void **state)
{
	struct limiter_rate r = { .per_second = 3, .burst = 2 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 0);
	assert_int_equal(take_all(&b, &r, 0), 2);
	assert_false(limiter_bucket_take(&b, &r, 333)); /* 999 */
	assert_true(limiter_bucket_take(&b, &r, 334));	/* 1002 */
	assert_int_equal(b.credit, 2);
	assert_false(limiter_bucket_take(&b, &r, 666)); /* 2 + 996 */
	assert_true(limiter_bucket_take(&b, &r, 667));	/* 1001 */
	assert_int_equal(b.credit, 1);
	assert_true(limiter_bucket_take(&b, &r, 1000)); /* 1 + 999 */
	assert_int_equal(b.credit, 0);
}

/* The cap applies to the remainder too: burst 1 cannot bank 1.002. */
static void test_bucket_cap_drops_remainder(void **state)
{
	struct limiter_rate r = { .per_second = 3, .burst = 1 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 0);
	assert_true(limiter_bucket_take(&b, &r, 0));
	assert_true(limiter_bucket_take(&b, &r, 334));
	assert_int_equal(b.credit, 0);
}

static void test_bucket_cap(void **state)
{
	struct limiter_rate r = { .per_second = 10, .burst = 3 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 0);
	take_all(&b, &r, 0);
	/* an hour idle still gives only the burst */
	assert_int_equal(take_all(&b, &r, 3600 * 1000), 3);
	/* and the largest gap cannot overflow the credit */
	assert_int_equal(take_all(&b, &r, UINT64_MAX), 3);
	assert_int_equal(b.credit, 0);
}

static void test_bucket_huge_rate_no_overflow(void **state)
{
	struct limiter_rate r = { .per_second = UINT32_MAX,
				  .burst = UINT32_MAX };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 0);
	b.credit = 0;
	assert_true(limiter_bucket_take(&b, &r, UINT64_MAX / 2));
	assert_int_equal(b.credit, (uint64_t)UINT32_MAX * 1000 - 1000);
}

/*
 * A clock read that goes backwards grants nothing, and must not pull the
 * refill clock back either: otherwise the same interval would be granted
 * twice when the clock returns.
 */
static void test_bucket_backwards_clock(void **state)
{
	struct limiter_rate r = { .per_second = 1, .burst = 1 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 10000);
	assert_true(limiter_bucket_take(&b, &r, 10000));
	assert_false(limiter_bucket_take(&b, &r, 5000));
	assert_int_equal(b.last_ms, 10000);
	assert_int_equal(b.credit, 0);
	assert_false(limiter_bucket_take(&b, &r, 10999));
	assert_true(limiter_bucket_take(&b, &r, 11000));
}

static void test_bucket_zero_rate(void **state)
{
	struct limiter_rate r = { .per_second = 0, .burst = 2 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 0);
	assert_int_equal(take_all(&b, &r, 0), 2);
	assert_int_equal(take_all(&b, &r, 365ull * 86400 * 1000), 0);
	assert_int_equal(limiter_bucket_wait_ms(&b, &r, 1), UINT64_MAX);
}

/* A reload that lowers the burst applies to a full bucket at once. */
static void test_bucket_rate_lowered(void **state)
{
	struct limiter_rate old = { .per_second = 1, .burst = 10 };
	struct limiter_rate new = { .per_second = 1, .burst = 2 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &old, 0);
	assert_int_equal(take_all(&b, &new, 0), 2);
}

static void test_bucket_wait(void **state)
{
	struct limiter_rate r = { .per_second = 2, .burst = 1 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 1000);
	assert_int_equal(limiter_bucket_wait_ms(&b, &r, 1000), 0);
	assert_true(limiter_bucket_take(&b, &r, 1000));
	assert_int_equal(limiter_bucket_wait_ms(&b, &r, 1000), 500);
	assert_int_equal(limiter_bucket_wait_ms(&b, &r, 1200), 300);
	assert_int_equal(limiter_bucket_wait_ms(&b, &r, 1499), 1);
	assert_int_equal(limiter_bucket_wait_ms(&b, &r, 1500), 0);
	/* behind the refill clock: the gap, then the refill */
	assert_int_equal(limiter_bucket_wait_ms(&b, &r, 900), 600);
	/* wait does not change the bucket */
	assert_int_equal(b.credit, 0);
	assert_int_equal(b.last_ms, 1000);
}

/* 3/s: a token takes 333.3 ms, so the wait rounds up, never down (a
 * client told 333 would come back too early and be refused again). */
static void test_bucket_wait_rounds_up(void **state)
{
	struct limiter_rate r = { .per_second = 3, .burst = 1 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 0);
	assert_true(limiter_bucket_take(&b, &r, 0));
	assert_int_equal(limiter_bucket_wait_ms(&b, &r, 0), 334);
	assert_false(limiter_bucket_take(&b, &r, 333));
	assert_true(limiter_bucket_take(&b, &r, 334));
}

static void test_refusals_saturate(void **state)
{
	struct limiter_rate r = { .per_second = 0, .burst = 1 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 0);
	take_all(&b, &r, 0);
	b.refusals = UINT32_MAX - 1;
	assert_false(limiter_bucket_take(&b, &r, 0));
	assert_false(limiter_bucket_take(&b, &r, 0));
	assert_int_equal(b.refusals, UINT32_MAX);
}

/* Half the burst, refilled to now, without touching the bucket. */
static void test_bucket_at_least_half(void **state)
{
	const struct limiter_rate r = { .per_second = 100, .burst = 10 };
	struct limiter_bucket b;

	(void)state;
	limiter_bucket_init(&b, &r, 1000);
	assert_true(limiter_bucket_at_least_half(&b, &r, 1000));
	assert_int_equal(take_all(&b, &r, 1000), 10);
	assert_false(limiter_bucket_at_least_half(&b, &r, 1000));
	/* 100/s: 5 tokens after 50 ms, exactly half */
	assert_false(limiter_bucket_at_least_half(&b, &r, 1049));
	assert_true(limiter_bucket_at_least_half(&b, &r, 1050));
	assert_int_equal(b.credit, 0); /* unchanged */
	assert_int_equal(b.last_ms, 1000);
	/* a clock that went back refills nothing */
	assert_false(limiter_bucket_at_least_half(&b, &r, 10));
}

/* ---- cooldown ------------------------------------------------------ */

static void test_cooldown_never_switched(void **state)
{
	(void)state;
	assert_true(limiter_cooldown_over(0, 0, 1000));
	assert_true(limiter_cooldown_over(0, 5, UINT64_MAX));
	assert_int_equal(limiter_cooldown_left_ms(0, 5, 1000), 0);
}

static void test_cooldown_boundary(void **state)
{
	(void)state;
	assert_false(limiter_cooldown_over(1000, 1499, 500));
	assert_int_equal(limiter_cooldown_left_ms(1000, 1499, 500), 1);
	assert_true(limiter_cooldown_over(1000, 1500, 500));
	assert_int_equal(limiter_cooldown_left_ms(1000, 1500, 500), 0);
	assert_true(limiter_cooldown_over(1000, 1000, 0));
}

static void test_cooldown_backwards_clock(void **state)
{
	(void)state;
	assert_false(limiter_cooldown_over(1000, 900, 500));
	assert_int_equal(limiter_cooldown_left_ms(1000, 900, 500), 600);
	assert_false(limiter_cooldown_over(1000, 900, 0));
	assert_int_equal(limiter_cooldown_left_ms(UINT64_MAX, 1, UINT64_MAX),
			 UINT64_MAX);
}

/* ---- sliding window ------------------------------------------------ */

static void test_window_evicts_at_exactly_60s(void **state)
{
	struct limiter_window w;

	(void)state;
	limiter_window_init(&w);
	limiter_window_add(&w, 1000);
	assert_int_equal(limiter_window_count(&w, 1000, LIMITER_MINUTE_MS), 1);
	assert_int_equal(limiter_window_count(&w, 60999, LIMITER_MINUTE_MS), 1);
	assert_int_equal(limiter_window_count(&w, 61000, LIMITER_MINUTE_MS), 0);
}

static void test_window_slides(void **state)
{
	struct limiter_window w;

	(void)state;
	limiter_window_init(&w);
	limiter_window_add(&w, 10000);
	limiter_window_add(&w, 20000);
	limiter_window_add(&w, 30000);
	assert_int_equal(limiter_window_count(&w, 30000, 60000), 3);
	assert_int_equal(limiter_window_count(&w, 70000, 60000), 2);
	assert_int_equal(limiter_window_count(&w, 80000, 60000), 1);
	assert_int_equal(limiter_window_count(&w, 90000, 60000), 0);
	/* another span over the same times */
	assert_int_equal(limiter_window_count(&w, 30000, 15000), 2);
}

static void test_window_ring_bound(void **state)
{
	uint64_t out[LIMITER_WINDOW_CAP + 5];
	struct limiter_window w;
	uint32_t i;

	(void)state;
	limiter_window_init(&w);
	for (i = 1; i <= LIMITER_WINDOW_CAP + 10; i++) {
		limiter_window_add(&w, i);
		assert_int_equal(w.count, i < LIMITER_WINDOW_CAP
						  ? i
						  : LIMITER_WINDOW_CAP);
		assert_int_equal(limiter_window_count(&w, i, 60000), w.count);
	}
	assert_int_equal(limiter_window_count(&w, 100, 60000),
			 LIMITER_WINDOW_CAP);
	assert_int_equal(
		limiter_window_times(&w, out, sizeof(out) / sizeof(out[0])),
		LIMITER_WINDOW_CAP);
	assert_int_equal(out[0], LIMITER_WINDOW_CAP + 10); /* newest */
	assert_int_equal(out[LIMITER_WINDOW_CAP - 1], 11); /* oldest kept */
	assert_int_equal(limiter_window_times(&w, out, 2), 2);
	assert_int_equal(out[1], LIMITER_WINDOW_CAP + 9);
}

static void test_window_future_counts(void **state)
{
	struct limiter_window w;

	(void)state;
	limiter_window_init(&w);
	limiter_window_add(&w, 5000);
	assert_int_equal(limiter_window_count(&w, 1000, 60000), 1);
}

/* ---- per-source table ---------------------------------------------- */

static void key_of(uint32_t n, uint8_t key[4])
{
	key[0] = (uint8_t)(n >> 24);
	key[1] = (uint8_t)(n >> 16);
	key[2] = (uint8_t)(n >> 8);
	key[3] = (uint8_t)n;
}

static void test_table_memory_bound(void **state)
{
	(void)state;
	assert_int_equal(limiter_table_bytes(1000),
			 1000 * sizeof(struct limiter_source) + 1024 * 4);
	assert_int_equal(limiter_table_bytes(1024),
			 1024 * sizeof(struct limiter_source) + 1024 * 4);
	assert_int_equal(limiter_table_bytes(0), 0);
	assert_int_equal(limiter_table_bytes(LIMITER_TABLE_MAX + 1), 0);
	print_message("sizeof(struct limiter_source) = %zu, 4096 sources = %zu "
		      "bytes\n",
		      sizeof(struct limiter_source), limiter_table_bytes(4096));
}

static void test_table_init_bounds(void **state)
{
	struct limiter_rate r = { 1, 1 };
	struct limiter_table t;
	uint8_t k[4] = { 1, 2, 3, 4 };

	(void)state;
	assert_false(limiter_table_init(&t, 0, HASH_KEY));
	assert_null(limiter_table_get(&t, k, 4, &r, 0));
	assert_false(limiter_table_init(&t, LIMITER_TABLE_MAX + 1, HASH_KEY));
	assert_null(t.entries);
	assert_true(limiter_table_init(&t, 1, HASH_KEY));
	assert_non_null(limiter_table_get(&t, k, 4, &r, 0));
	limiter_table_free(&t);
	assert_null(limiter_table_get(&t, k, 4, &r, 0));
}

static void test_table_same_source_same_bucket(void **state)
{
	struct limiter_rate r = { .per_second = 0, .burst = 2 };
	uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };
	struct limiter_table t;
	struct limiter_bucket *ba;

	(void)state;
	assert_true(limiter_table_init(&t, 8, HASH_KEY));
	ba = limiter_table_get(&t, a, 4, &r, 0);
	assert_ptr_equal(ba, limiter_table_get(&t, a, 4, &r, 0));
	assert_int_equal(take_all(ba, &r, 0), 2);
	assert_false(
		limiter_bucket_take(limiter_table_get(&t, a, 4, &r, 0), &r, 0));
	assert_true(
		limiter_bucket_take(limiter_table_get(&t, b, 4, &r, 0), &r, 0));
	assert_int_equal(t.used, 2);
	limiter_table_free(&t);
}

static void test_table_key_length_is_part_of_key(void **state)
{
	struct limiter_rate r = { 1, 1 };
	uint8_t k[5] = { 10, 0, 0, 1, 0 };
	struct limiter_table t;

	(void)state;
	assert_true(limiter_table_init(&t, 8, HASH_KEY));
	assert_ptr_not_equal(limiter_table_get(&t, k, 4, &r, 0),
			     limiter_table_get(&t, k, 5, &r, 0));
	assert_int_equal(t.used, 2);
	limiter_table_free(&t);
}

static void test_table_bad_keys(void **state)
{
	uint8_t k[LIMITER_KEY_MAX + 1] = { 0 };
	struct limiter_rate r = { 1, 1 };
	struct limiter_table t;

	(void)state;
	assert_true(limiter_table_init(&t, 8, HASH_KEY));
	assert_null(limiter_table_get(&t, k, 0, &r, 0));
	assert_null(limiter_table_get(&t, k, LIMITER_KEY_MAX + 1, &r, 0));
	assert_null(limiter_table_get(&t, NULL, 4, &r, 0));
	assert_null(limiter_table_get(&t, k, 4, NULL, 0));
	assert_non_null(limiter_table_get(&t, k, LIMITER_KEY_MAX, &r, 0));
	assert_int_equal(t.used, 1);
	limiter_table_free(&t);
}

static void test_table_lru_evicts_least_recent(void **state)
{
	uint8_t a[4], b[4], c[4], d[4];
	struct limiter_rate r = { 1, 1 };
	struct limiter_table t;

	(void)state;
	key_of(1, a), key_of(2, b), key_of(3, c), key_of(4, d);
	assert_true(limiter_table_init(&t, 3, HASH_KEY));
	limiter_table_get(&t, a, 4, &r, 0);
	limiter_table_get(&t, b, 4, &r, 0);
	limiter_table_get(&t, c, 4, &r, 0);
	limiter_table_get(&t, a, 4, &r, 0); /* a is now the newest */
	limiter_table_get(&t, d, 4, &r, 0); /* evicts b */
	assert_int_equal(t.used, 3);
	assert_int_equal(t.evictions, 1);
	assert_null(limiter_table_peek(&t, b, 4));
	assert_non_null(limiter_table_peek(&t, a, 4));
	assert_non_null(limiter_table_peek(&t, c, 4));
	assert_non_null(limiter_table_peek(&t, d, 4));
	limiter_table_free(&t);
}

static void test_table_peek_does_not_refresh(void **state)
{
	uint8_t a[4], b[4], c[4];
	struct limiter_rate r = { 1, 1 };
	struct limiter_table t;

	(void)state;
	key_of(1, a), key_of(2, b), key_of(3, c);
	assert_true(limiter_table_init(&t, 2, HASH_KEY));
	limiter_table_get(&t, a, 4, &r, 0);
	limiter_table_get(&t, b, 4, &r, 0);
	assert_non_null(limiter_table_peek(&t, a, 4));
	limiter_table_get(&t, c, 4, &r, 0);
	assert_null(limiter_table_peek(&t, a, 4));
	assert_non_null(limiter_table_peek(&t, b, 4));
	limiter_table_free(&t);
}

/* A spoofed-source flood never grows the table, and the index stays
 * consistent through tens of thousands of evictions. */
static void test_table_bound_under_flood(void **state)
{
	enum { CAP = 64, N = 20000 };
	struct limiter_rate r = { 1, 1 };
	struct limiter_table t;
	uint8_t k[4];
	uint32_t i, present = 0;

	(void)state;
	assert_true(limiter_table_init(&t, CAP, HASH_KEY));
	for (i = 0; i < N; i++) {
		key_of(i, k);
		assert_non_null(limiter_table_get(&t, k, 4, &r, i));
		assert_true(t.used <= CAP);
	}
	assert_int_equal(t.used, CAP);
	assert_int_equal(t.evictions, N - CAP);
	for (i = 0; i < N; i++) {
		key_of(i, k);
		if (limiter_table_peek(&t, k, 4)) {
			present++;
			assert_true(i >= N - CAP);
		}
	}
	assert_int_equal(present, CAP);
	limiter_table_free(&t);
}

/* Eviction forgets a source's debt (docs/reattach.md: the table bounds
 * memory, not the aggregate rate). */
static void test_table_evicted_source_starts_fresh(void **state)
{
	struct limiter_rate r = { .per_second = 0, .burst = 1 };
	struct limiter_table t;
	uint8_t a[4], other[4];

	(void)state;
	key_of(7, a);
	assert_true(limiter_table_init(&t, 2, HASH_KEY));
	assert_true(
		limiter_bucket_take(limiter_table_get(&t, a, 4, &r, 0), &r, 0));
	assert_false(
		limiter_bucket_take(limiter_table_get(&t, a, 4, &r, 0), &r, 0));
	key_of(8, other);
	limiter_table_get(&t, other, 4, &r, 0);
	key_of(9, other);
	limiter_table_get(&t, other, 4, &r, 0);
	assert_null(limiter_table_peek(&t, a, 4));
	assert_true(
		limiter_bucket_take(limiter_table_get(&t, a, 4, &r, 0), &r, 0));
	limiter_table_free(&t);
}

static void test_table_capacity_one(void **state)
{
	struct limiter_rate r = { .per_second = 0, .burst = 1 };
	uint8_t a[4], b[4];
	struct limiter_table t;

	(void)state;
	key_of(1, a), key_of(2, b);
	assert_true(limiter_table_init(&t, 1, HASH_KEY));
	for (int i = 0; i < 10; i++) {
		assert_true(limiter_bucket_take(
			limiter_table_get(&t, i % 2 ? a : b, 4, &r, 0), &r, 0));
		assert_int_equal(t.used, 1);
	}
	assert_int_equal(t.evictions, 9);
	limiter_table_free(&t);
}

/* ---- retry schedule ------------------------------------------------ */

static void test_backoff_schedule_and_give_up(void **state)
{
	struct limiter_backoff_policy p = { .first_ms = 100,
					    .max_ms = 1000,
					    .max_attempts = 6 };
	static const uint64_t want[] = { 0, 100, 200, 400, 800, 1000 };
	struct limiter_backoff b;
	uint64_t d;

	(void)state;
	limiter_backoff_reset(&b);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_true(limiter_backoff_next(&b, &p, 0, &d));
		assert_int_equal(d, want[i]);
	}
	for (int i = 0; i < 1000; i++)
		assert_false(limiter_backoff_next(&b, &p, 0, &d));
	assert_int_equal(b.attempts, 6);
	limiter_backoff_reset(&b);
	assert_true(limiter_backoff_next(&b, &p, 0, &d));
	assert_int_equal(d, 0);
}

static void test_backoff_honours_hint(void **state)
{
	struct limiter_backoff_policy p = { 100, 1000, 5 };
	struct limiter_backoff b = { 0 };
	uint64_t d;

	(void)state;
	assert_true(limiter_backoff_next(&b, &p, 5000, &d));
	assert_int_equal(d, 5000);
	assert_true(limiter_backoff_next(&b, &p, 50, &d));
	assert_int_equal(d, 100);
}

static void test_backoff_no_overflow(void **state)
{
	struct limiter_backoff_policy p = { 3, UINT32_MAX, UINT32_MAX };
	struct limiter_backoff b = { .attempts = 31 };
	uint64_t d;

	(void)state;
	assert_true(limiter_backoff_next(&b, &p, 0, &d)); /* 3 << 30 */
	assert_int_equal(d, 3ull << 30);
	assert_true(limiter_backoff_next(&b, &p, 0, &d)); /* 3 << 31 */
	assert_int_equal(d, UINT32_MAX);
	b.attempts = 40;
	assert_true(limiter_backoff_next(&b, &p, 0, &d));
	assert_int_equal(d, UINT32_MAX);
	b.attempts = UINT32_MAX - 1;
	assert_true(limiter_backoff_next(&b, &p, 0, &d));
	assert_false(limiter_backoff_next(&b, &p, 0, &d));
}

static void test_backoff_policy_valid(void **state)
{
	struct limiter_backoff_policy zero = { 100, 1000, 0 };
	struct limiter_backoff b = { 0 };
	uint64_t d;

	(void)state;
	assert_true(limiter_backoff_policy_valid(
		&(struct limiter_backoff_policy){ 1, 1, 1 }));
	assert_false(limiter_backoff_policy_valid(
		&(struct limiter_backoff_policy){ 0, 1, 1 }));
	assert_false(limiter_backoff_policy_valid(
		&(struct limiter_backoff_policy){ 10, 5, 1 }));
	assert_false(limiter_backoff_policy_valid(&zero));
	assert_false(limiter_backoff_policy_valid(NULL));
	/* even an invalid policy never means "retry forever" */
	assert_false(limiter_backoff_next(&b, &zero, 0, &d));
	assert_false(limiter_backoff_next(&b, NULL, 0, &d));
}

static void test_backoff_jitter_bounds(void **state)
{
	(void)state;
	assert_int_equal(limiter_backoff_jitter(1000, 0), 500);
	assert_in_range(limiter_backoff_jitter(1000, UINT32_MAX), 999, 1000);
	assert_in_range(limiter_backoff_jitter(1000, UINT32_MAX / 2), 749, 750);
	assert_int_equal(limiter_backoff_jitter(1001, 0), 500);
	assert_in_range(limiter_backoff_jitter(1001, UINT32_MAX), 1000, 1001);
	assert_int_equal(limiter_backoff_jitter(0, UINT32_MAX), 0);
	assert_true(limiter_backoff_jitter(UINT64_MAX, UINT32_MAX) >=
		    UINT64_MAX - (UINT64_MAX >> 32) - 1);
	assert_int_equal(limiter_backoff_jitter(UINT64_MAX, 0), UINT64_MAX / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_valid),
		cmocka_unit_test(test_bucket_burst),
		cmocka_unit_test(test_bucket_refill_exact),
		cmocka_unit_test(test_bucket_fractional_refill),
		cmocka_unit_test(test_bucket_cap_drops_remainder),
		cmocka_unit_test(test_bucket_cap),
		cmocka_unit_test(test_bucket_huge_rate_no_overflow),
		cmocka_unit_test(test_bucket_backwards_clock),
		cmocka_unit_test(test_bucket_zero_rate),
		cmocka_unit_test(test_bucket_rate_lowered),
		cmocka_unit_test(test_bucket_wait),
		cmocka_unit_test(test_bucket_wait_rounds_up),
		cmocka_unit_test(test_refusals_saturate),
		cmocka_unit_test(test_bucket_at_least_half),
		cmocka_unit_test(test_cooldown_never_switched),
		cmocka_unit_test(test_cooldown_boundary),
		cmocka_unit_test(test_cooldown_backwards_clock),
		cmocka_unit_test(test_window_evicts_at_exactly_60s),
		cmocka_unit_test(test_window_slides),
		cmocka_unit_test(test_window_ring_bound),
		cmocka_unit_test(test_window_future_counts),
		cmocka_unit_test(test_table_memory_bound),
		cmocka_unit_test(test_table_init_bounds),
		cmocka_unit_test(test_table_same_source_same_bucket),
		cmocka_unit_test(test_table_key_length_is_part_of_key),
		cmocka_unit_test(test_table_bad_keys),
		cmocka_unit_test(test_table_lru_evicts_least_recent),
		cmocka_unit_test(test_table_peek_does_not_refresh),
		cmocka_unit_test(test_table_bound_under_flood),
		cmocka_unit_test(test_table_evicted_source_starts_fresh),
		cmocka_unit_test(test_table_capacity_one),
		cmocka_unit_test(test_backoff_schedule_and_give_up),
		cmocka_unit_test(test_backoff_honours_hint),
		cmocka_unit_test(test_backoff_no_overflow),
		cmocka_unit_test(test_backoff_policy_valid),
		cmocka_unit_test(test_backoff_jitter_bounds),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("limiter", tests, NULL, NULL);
}
