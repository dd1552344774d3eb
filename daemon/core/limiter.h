/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The bounds jvpnd puts on reattach and switching (docs/reattach.md,
 * "Limits"): a token bucket, a cooldown, a sliding window of switch
 * times, a bounded table of per-source buckets, and the client's retry
 * schedule.
 *
 * Pure code: no clock is read here. Every function takes the time as
 * milliseconds of one monotonic clock (CLOCK_BOOTTIME in jvpnd, the
 * kernel's clock), and no function keeps global state.
 */
#ifndef JVPND_LIMITER_H
#define JVPND_LIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- token bucket -------------------------------------------------- */

/* Same shape and units as struct policy_rate (policy.h). */
struct limiter_rate {
	uint32_t per_second; /* refill; 0: the burst is all there is */
	uint32_t burst;	     /* capacity; at least 1 */
};

bool limiter_rate_valid(const struct limiter_rate *rate);

/*
 * Credit is kept in milli-tokens so that any per_second refills exactly,
 * with integers: each millisecond adds per_second milli-tokens, a request
 * costs 1000. The rate is passed to every call, not stored, so a reloaded
 * policy applies to a running bucket at once.
 */
struct limiter_bucket {
	uint64_t credit;   /* milli-tokens, at most burst * 1000 */
	uint64_t last_ms;  /* refill clock; never moves backwards */
	uint32_t refusals; /* refused since the last grant (saturates) */
};

#define LIMITER_TOKEN 1000u /* milli-tokens per request */

/* A new bucket is full: a fresh session or source may use its burst. */
void limiter_bucket_init(struct limiter_bucket *b,
			 const struct limiter_rate *rate, uint64_t now_ms);

/*
 * Refills for the time since the last call, then takes one token if there
 * is one. A clock that went backwards refills nothing (and the refill
 * clock stays where it was, so nothing is granted twice when time comes
 * back). On refusal b->refusals counts up: 1 means "this bucket has just
 * run dry", the moment worth one RATE_LIMIT_TRIGGER event.
 */
bool limiter_bucket_take(struct limiter_bucket *b,
			 const struct limiter_rate *rate, uint64_t now_ms);

/*
 * True when the bucket, refilled to now, holds at least half its burst.
 * Does not change the bucket. The gateway's handshake budget is "under
 * load" below that (hsadmit.h).
 */
bool limiter_bucket_at_least_half(const struct limiter_bucket *b,
				  const struct limiter_rate *rate,
				  uint64_t now_ms);

/* Milliseconds until a take would succeed; 0 if now; UINT64_MAX if never
 * (per_second 0 and empty). Does not change the bucket. */
uint64_t limiter_bucket_wait_ms(const struct limiter_bucket *b,
				const struct limiter_rate *rate,
				uint64_t now_ms);

/* ---- cooldown ------------------------------------------------------ */

/*
 * True when cooldown_ms have passed since last_ms (at exactly cooldown_ms:
 * over, as in the kernel's jvpn_switch_check). last_ms 0 means never, so
 * no cooldown applies. A clock before last_ms is still cooling.
 */
bool limiter_cooldown_over(uint64_t last_ms, uint64_t now_ms,
			   uint64_t cooldown_ms);
uint64_t limiter_cooldown_left_ms(uint64_t last_ms, uint64_t now_ms,
				  uint64_t cooldown_ms);

/* ---- sliding window of event times -------------------------------- */

#define LIMITER_MINUTE_MS 60000u
/*
 * The newest LIMITER_WINDOW_CAP times are kept, older ones overwritten.
 * Counts are exact up to the capacity, so a limit compared with a count
 * must not exceed it (reattach clamps max_switches_per_minute to it).
 */
#define LIMITER_WINDOW_CAP 64u

struct limiter_window {
	uint64_t times_ms[LIMITER_WINDOW_CAP];
	uint32_t next;	/* slot the next time goes to */
	uint32_t count; /* valid slots, at most the capacity */
};

void limiter_window_init(struct limiter_window *w);
void limiter_window_add(struct limiter_window *w, uint64_t now_ms);

/*
 * How many kept times lie inside the last span_ms: now - t < span_ms. A
 * time exactly span_ms old has left the window. Times after now (a clock
 * that went backwards) count as inside: a limit must not loosen because
 * the clock jumped.
 */
uint32_t limiter_window_count(const struct limiter_window *w, uint64_t now_ms,
			      uint64_t span_ms);

/* Copies the kept times, newest first, into out; returns how many. */
size_t limiter_window_times(const struct limiter_window *w, uint64_t *out,
			    size_t out_cap);

/* ---- per-source table ---------------------------------------------- */

/*
 * A bucket per source address, in a table of fixed capacity: a flood
 * from spoofed sources cannot grow memory, it only evicts the least
 * recently used entry (which forgets that source's debt; docs/reattach.md
 * explains why that is the lesser evil). Lookup is O(1) on average: the
 * index is a hash table keyed with SipHash under a per-table secret, so a
 * sender cannot aim its addresses at one chain.
 *
 * Memory: limiter_table_bytes(capacity) exactly, allocated once in
 * limiter_table_init: capacity * sizeof(struct limiter_source) plus one
 * uint32_t per hash slot (the next power of two >= capacity).
 */
#define LIMITER_KEY_MAX	     16 /* an IPv6 address */
#define LIMITER_HASH_KEY_LEN 16 /* crypto_shorthash_KEYBYTES */
#define LIMITER_TABLE_MAX    (1u << 20)
#define LIMITER_NIL	     UINT32_MAX

struct limiter_source {
	struct limiter_bucket bucket;
	uint32_t hash_next; /* next entry in the same hash slot */
	uint32_t lru_newer; /* towards the most recently used */
	uint32_t lru_older;
	uint8_t key_len; /* 0: free */
	uint8_t key[LIMITER_KEY_MAX];
};

struct limiter_table {
	struct limiter_source *entries; /* capacity of them */
	uint32_t *slots;		/* hash slots: entry index or NIL */
	uint32_t capacity;
	uint32_t slot_mask; /* slots - 1 */
	uint32_t used;
	uint32_t newest; /* LRU ends, entry indices or NIL */
	uint32_t oldest;
	uint64_t evictions; /* for counters and tests */
	uint8_t hash_key[LIMITER_HASH_KEY_LEN];
};

size_t limiter_table_bytes(uint32_t capacity);

/* capacity 1..LIMITER_TABLE_MAX; hash_key should be random per process.
 * False (and t left empty) if the capacity is out of range or memory is
 * short. */
bool limiter_table_init(struct limiter_table *t, uint32_t capacity,
			const uint8_t hash_key[LIMITER_HASH_KEY_LEN]);
void limiter_table_free(struct limiter_table *t);

/*
 * The bucket of a source, marked most recently used; a source not in the
 * table gets a full bucket (evicting the least recently used entry when
 * the table is full). NULL only for a key length outside
 * 1..LIMITER_KEY_MAX or an uninitialised table. The pointer is valid
 * until the next limiter_table_get on the same table.
 */
struct limiter_bucket *limiter_table_get(struct limiter_table *t,
					 const uint8_t *key, size_t key_len,
					 const struct limiter_rate *rate,
					 uint64_t now_ms);

/* The bucket of a source if present, without touching the LRU order. */
const struct limiter_bucket *limiter_table_peek(const struct limiter_table *t,
						const uint8_t *key,
						size_t key_len);

/* ---- client retry schedule ----------------------------------------- */

/*
 * Attempt 1 goes out at once, attempt k >= 2 after first_ms * 2^(k-2),
 * capped at max_ms; after max_attempts attempts the client gives up. The
 * schedule is finite by construction: the worst case from the first
 * attempt to giving up is below max_attempts * max(max_ms, hints).
 */
struct limiter_backoff_policy {
	uint32_t first_ms;     /* wait before the second attempt; >= 1 */
	uint32_t max_ms;       /* cap of any wait; >= first_ms */
	uint32_t max_attempts; /* policy max_reattach_attempts; >= 1 */
};

struct limiter_backoff {
	uint32_t attempts; /* made so far */
};

bool limiter_backoff_policy_valid(const struct limiter_backoff_policy *p);
void limiter_backoff_reset(struct limiter_backoff *b);

/*
 * Before each attempt: false means give up (max_attempts were made);
 * otherwise *delay_ms is the wait before making it, at least hint_ms (the
 * gateway's retry-after from a REJECT, 0 when none): the client honours
 * the gateway's cooldown and rate limits rather than guessing.
 */
bool limiter_backoff_next(struct limiter_backoff *b,
			  const struct limiter_backoff_policy *p,
			  uint64_t hint_ms, uint64_t *delay_ms);

/*
 * delay scaled into [delay/2, delay] by a caller-supplied random number,
 * so that clients cut off together do not retry in lockstep.
 */
uint64_t limiter_backoff_jitter(uint64_t delay_ms, uint32_t random);

#endif /* JVPND_LIMITER_H */
