// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Token bucket, cooldown, sliding window, per-source table and retry
 * schedule: see limiter.h. All arithmetic is integer and saturating; no
 * input, however large or however the clock moves, can overflow.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "limiter.h"

/* ---- token bucket -------------------------------------------------- */

bool limiter_rate_valid(const struct limiter_rate *rate)
{
	return rate && rate->burst >= 1;
}

static uint64_t bucket_capacity(const struct limiter_rate *rate)
{
	return (uint64_t)rate->burst * LIMITER_TOKEN;
}

/*
 * The time since last_ms, converted to credit and capped at the burst.
 * elapsed * per_second can exceed 64 bits after a long idle period, so the
 * room left decides first whether the bucket simply fills up.
 */
static uint64_t refilled_credit(const struct limiter_bucket *b,
				const struct limiter_rate *rate,
				uint64_t now_ms)
{
	uint64_t cap = bucket_capacity(rate);
	uint64_t credit = b->credit < cap ? b->credit : cap;
	uint64_t room = cap - credit;
	uint64_t elapsed;

	if (now_ms <= b->last_ms || rate->per_second == 0)
		return credit;
	elapsed = now_ms - b->last_ms;
	if (elapsed > room / rate->per_second)
		return cap;
	return credit + elapsed * rate->per_second;
}

static void bucket_refill(struct limiter_bucket *b,
			  const struct limiter_rate *rate, uint64_t now_ms)
{
	b->credit = refilled_credit(b, rate, now_ms);
	if (now_ms > b->last_ms)
		b->last_ms = now_ms;
}

void limiter_bucket_init(struct limiter_bucket *b,
			 const struct limiter_rate *rate, uint64_t now_ms)
{
	b->credit = bucket_capacity(rate);
	b->last_ms = now_ms;
	b->refusals = 0;
}

bool limiter_bucket_take(struct limiter_bucket *b,
			 const struct limiter_rate *rate, uint64_t now_ms)
{
	bucket_refill(b, rate, now_ms);
	if (b->credit >= LIMITER_TOKEN) {
		b->credit -= LIMITER_TOKEN;
		b->refusals = 0;
		return true;
	}
	if (b->refusals < UINT32_MAX)
		b->refusals++;
	return false;
}

bool limiter_bucket_at_least_half(const struct limiter_bucket *b,
				  const struct limiter_rate *rate,
				  uint64_t now_ms)
{
	return refilled_credit(b, rate, now_ms) * 2 >= bucket_capacity(rate);
}

uint64_t limiter_bucket_wait_ms(const struct limiter_bucket *b,
				const struct limiter_rate *rate,
				uint64_t now_ms)
{
	uint64_t credit = refilled_credit(b, rate, now_ms);
	uint64_t missing, refill_ms, behind;

	if (credit >= LIMITER_TOKEN)
		return 0;
	if (rate->per_second == 0 || bucket_capacity(rate) < LIMITER_TOKEN)
		return UINT64_MAX;
	missing = LIMITER_TOKEN - credit;
	refill_ms = (missing + rate->per_second - 1) / rate->per_second;
	/* A clock behind last_ms refills nothing until it catches up. */
	behind = b->last_ms > now_ms ? b->last_ms - now_ms : 0;
	return behind > UINT64_MAX - refill_ms ? UINT64_MAX
					       : behind + refill_ms;
}

/* ---- cooldown ------------------------------------------------------ */

bool limiter_cooldown_over(uint64_t last_ms, uint64_t now_ms,
			   uint64_t cooldown_ms)
{
	if (last_ms == 0)
		return true;
	if (now_ms < last_ms)
		return false;
	return now_ms - last_ms >= cooldown_ms;
}

uint64_t limiter_cooldown_left_ms(uint64_t last_ms, uint64_t now_ms,
				  uint64_t cooldown_ms)
{
	uint64_t behind;

	if (limiter_cooldown_over(last_ms, now_ms, cooldown_ms))
		return 0;
	if (now_ms >= last_ms)
		return cooldown_ms - (now_ms - last_ms);
	behind = last_ms - now_ms;
	return behind > UINT64_MAX - cooldown_ms ? UINT64_MAX
						 : behind + cooldown_ms;
}

/* ---- sliding window ------------------------------------------------ */

void limiter_window_init(struct limiter_window *w)
{
	memset(w, 0, sizeof(*w));
}

void limiter_window_add(struct limiter_window *w, uint64_t now_ms)
{
	w->times_ms[w->next] = now_ms;
	w->next = (w->next + 1) % LIMITER_WINDOW_CAP;
	if (w->count < LIMITER_WINDOW_CAP)
		w->count++;
}

/* The i-th newest kept time, i < count. */
static uint64_t window_nth_newest(const struct limiter_window *w, uint32_t i)
{
	return w->times_ms[(w->next + LIMITER_WINDOW_CAP - 1 - i) %
			   LIMITER_WINDOW_CAP];
}

uint32_t limiter_window_count(const struct limiter_window *w, uint64_t now_ms,
			      uint64_t span_ms)
{
	uint32_t inside = 0;

	/* All kept times are looked at: after a clock jump they need not be
	 * in order, so stopping at the first old one could undercount. */
	for (uint32_t i = 0; i < w->count; i++) {
		uint64_t t = window_nth_newest(w, i);

		if (t >= now_ms || now_ms - t < span_ms)
			inside++;
	}
	return inside;
}

size_t limiter_window_times(const struct limiter_window *w, uint64_t *out,
			    size_t out_cap)
{
	size_t n = w->count < out_cap ? w->count : out_cap;

	for (size_t i = 0; i < n; i++)
		out[i] = window_nth_newest(w, (uint32_t)i);
	return n;
}

/* ---- per-source table ---------------------------------------------- */

static uint32_t slot_count(uint32_t capacity)
{
	uint32_t slots = 1;

	while (slots < capacity)
		slots <<= 1;
	return slots;
}

size_t limiter_table_bytes(uint32_t capacity)
{
	if (capacity == 0 || capacity > LIMITER_TABLE_MAX)
		return 0;
	return (size_t)capacity * sizeof(struct limiter_source) +
	       (size_t)slot_count(capacity) * sizeof(uint32_t);
}

bool limiter_table_init(struct limiter_table *t, uint32_t capacity,
			const uint8_t hash_key[LIMITER_HASH_KEY_LEN])
{
	uint32_t slots = slot_count(capacity);

	memset(t, 0, sizeof(*t));
	t->newest = t->oldest = LIMITER_NIL;
	if (capacity == 0 || capacity > LIMITER_TABLE_MAX)
		return false;
	t->entries = calloc(capacity, sizeof(*t->entries));
	t->slots = malloc((size_t)slots * sizeof(*t->slots));
	if (!t->entries || !t->slots) {
		limiter_table_free(t);
		return false;
	}
	memset(t->slots, 0xff, (size_t)slots * sizeof(*t->slots)); /* NIL */
	t->capacity = capacity;
	t->slot_mask = slots - 1;
	memcpy(t->hash_key, hash_key, LIMITER_HASH_KEY_LEN);
	return true;
}

void limiter_table_free(struct limiter_table *t)
{
	free(t->entries);
	free(t->slots);
	memset(t, 0, sizeof(*t));
	t->newest = t->oldest = LIMITER_NIL;
}

static uint32_t key_slot(const struct limiter_table *t, const uint8_t *key,
			 size_t key_len)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, key, key_len, t->hash_key);
	memcpy(&v, h, sizeof(v));
	return (uint32_t)(v & t->slot_mask);
}

static bool key_usable(const struct limiter_table *t, const uint8_t *key,
		       size_t key_len)
{
	return t && t->entries && key && key_len >= 1 &&
	       key_len <= LIMITER_KEY_MAX;
}

static uint32_t table_find(const struct limiter_table *t, const uint8_t *key,
			   size_t key_len)
{
	uint32_t i = t->slots[key_slot(t, key, key_len)];

	while (i != LIMITER_NIL) {
		const struct limiter_source *e = &t->entries[i];

		if (e->key_len == key_len && !memcmp(e->key, key, key_len))
			return i;
		i = e->hash_next;
	}
	return LIMITER_NIL;
}

static void lru_unlink(struct limiter_table *t, uint32_t i)
{
	struct limiter_source *e = &t->entries[i];

	if (e->lru_newer != LIMITER_NIL)
		t->entries[e->lru_newer].lru_older = e->lru_older;
	else
		t->newest = e->lru_older;
	if (e->lru_older != LIMITER_NIL)
		t->entries[e->lru_older].lru_newer = e->lru_newer;
	else
		t->oldest = e->lru_newer;
}

static void lru_push_newest(struct limiter_table *t, uint32_t i)
{
	struct limiter_source *e = &t->entries[i];

	e->lru_newer = LIMITER_NIL;
	e->lru_older = t->newest;
	if (t->newest != LIMITER_NIL)
		t->entries[t->newest].lru_newer = i;
	t->newest = i;
	if (t->oldest == LIMITER_NIL)
		t->oldest = i;
}

static void hash_unlink(struct limiter_table *t, uint32_t i)
{
	struct limiter_source *e = &t->entries[i];
	uint32_t *link = &t->slots[key_slot(t, e->key, e->key_len)];

	while (*link != i)
		link = &t->entries[*link].hash_next;
	*link = e->hash_next;
}

/* A free entry, or the least recently used one, emptied. */
static uint32_t table_claim(struct limiter_table *t)
{
	uint32_t i;

	if (t->used < t->capacity)
		return t->used++;
	i = t->oldest;
	hash_unlink(t, i);
	lru_unlink(t, i);
	t->evictions++;
	return i;
}

static uint32_t table_insert(struct limiter_table *t, const uint8_t *key,
			     size_t key_len, const struct limiter_rate *rate,
			     uint64_t now_ms)
{
	uint32_t i = table_claim(t);
	struct limiter_source *e = &t->entries[i];
	uint32_t *slot = &t->slots[key_slot(t, key, key_len)];

	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, key_len);
	e->key_len = (uint8_t)key_len;
	limiter_bucket_init(&e->bucket, rate, now_ms);
	e->hash_next = *slot;
	*slot = i;
	lru_push_newest(t, i);
	return i;
}

struct limiter_bucket *limiter_table_get(struct limiter_table *t,
					 const uint8_t *key, size_t key_len,
					 const struct limiter_rate *rate,
					 uint64_t now_ms)
{
	uint32_t i;

	if (!key_usable(t, key, key_len) || !rate)
		return NULL;
	i = table_find(t, key, key_len);
	if (i == LIMITER_NIL)
		return &t->entries[table_insert(t, key, key_len, rate, now_ms)]
				.bucket;
	lru_unlink(t, i);
	lru_push_newest(t, i);
	return &t->entries[i].bucket;
}

const struct limiter_bucket *limiter_table_peek(const struct limiter_table *t,
						const uint8_t *key,
						size_t key_len)
{
	uint32_t i;

	if (!key_usable(t, key, key_len))
		return NULL;
	i = table_find(t, key, key_len);
	return i == LIMITER_NIL ? NULL : &t->entries[i].bucket;
}

/* ---- retry schedule ------------------------------------------------ */

bool limiter_backoff_policy_valid(const struct limiter_backoff_policy *p)
{
	return p && p->first_ms >= 1 && p->max_ms >= p->first_ms &&
	       p->max_attempts >= 1;
}

void limiter_backoff_reset(struct limiter_backoff *b)
{
	b->attempts = 0;
}

/* The wait before attempt k (1-based): none for the first. */
static uint64_t backoff_step(const struct limiter_backoff_policy *p, uint32_t k)
{
	uint32_t shift;
	uint64_t d;

	if (k <= 1)
		return 0;
	shift = k - 2;
	if (shift >= 32)
		return p->max_ms;
	d = (uint64_t)p->first_ms << shift;
	return d < p->max_ms ? d : p->max_ms;
}

bool limiter_backoff_next(struct limiter_backoff *b,
			  const struct limiter_backoff_policy *p,
			  uint64_t hint_ms, uint64_t *delay_ms)
{
	uint64_t d;

	if (!p || b->attempts >= p->max_attempts)
		return false;
	b->attempts++;
	d = backoff_step(p, b->attempts);
	*delay_ms = d > hint_ms ? d : hint_ms;
	return true;
}

uint64_t limiter_backoff_jitter(uint64_t delay_ms, uint32_t random)
{
	uint64_t half = delay_ms - delay_ms / 2;
	/* half * random / 2^32 without a 128-bit product */
	uint64_t add =
		(half >> 32) * random + (((half & 0xffffffffu) * random) >> 32);

	return delay_ms / 2 + add;
}
