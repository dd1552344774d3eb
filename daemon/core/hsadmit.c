// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Handshake admission: see hsadmit.h. */
#include <string.h>

#include "hsadmit.h"

const char *hsadmit_verdict_name(enum hsadmit_verdict v)
{
	switch (v) {
	case HSADMIT_ACCEPT:
		return "accept";
	case HSADMIT_COOKIE:
		return "cookie";
	case HSADMIT_SOURCE_LIMITED:
		return "source_limited";
	case HSADMIT_BUSY:
		return "busy";
	}
	return "?";
}

bool hsadmit_init(struct hsadmit *a, uint32_t capacity,
		  const uint8_t hash_key[LIMITER_HASH_KEY_LEN],
		  const struct hsadmit_policy *p, uint64_t now_ms)
{
	memset(a, 0, sizeof(*a));
	limiter_bucket_init(&a->global, &p->global, now_ms);
	return limiter_table_init(&a->sources, capacity, hash_key);
}

void hsadmit_free(struct hsadmit *a)
{
	limiter_table_free(&a->sources);
}

static enum hsadmit_verdict judge(struct hsadmit *a,
				  const struct hsadmit_policy *p,
				  const uint8_t *source, size_t source_len,
				  bool proven, uint64_t now_ms)
{
	struct limiter_bucket *b;

	/* cheapest first, and nothing spent on a sender that must prove
	 * its address: a spoofed flood must not drain real sources */
	if (!proven &&
	    !limiter_bucket_at_least_half(&a->global, &p->global, now_ms))
		return HSADMIT_COOKIE;
	b = limiter_table_get(&a->sources, source, source_len, &p->per_source,
			      now_ms);
	if (!b || !limiter_bucket_take(b, &p->per_source, now_ms))
		return HSADMIT_SOURCE_LIMITED;
	if (!limiter_bucket_take(&a->global, &p->global, now_ms))
		return HSADMIT_BUSY;
	return HSADMIT_ACCEPT;
}

enum hsadmit_verdict hsadmit_judge(struct hsadmit *a,
				   const struct hsadmit_policy *p,
				   const uint8_t *source, size_t source_len,
				   bool proven, uint64_t now_ms)
{
	enum hsadmit_verdict v;

	if (!a || !p || !limiter_rate_valid(&p->global) ||
	    !limiter_rate_valid(&p->per_source))
		return HSADMIT_BUSY; /* a caller bug ends in refusal */
	v = judge(a, p, source, source_len, proven, now_ms);
	a->counts[v]++;
	return v;
}
