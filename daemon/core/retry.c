// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include "reattach.h"
#include "retry.h"

void retry_policy(const struct policy *p, struct limiter_backoff_policy *bp)
{
	uint32_t attempts =
		p->max_reattach_attempts ? p->max_reattach_attempts : 1;
	uint32_t spread = p->transport_loss_ttl_ms / attempts;

	bp->first_ms = p->probe_interval_ms ? p->probe_interval_ms : 1;
	bp->max_ms = spread > bp->first_ms ? spread : bp->first_ms;
	bp->max_attempts = attempts;
}

void retry_reset(struct retry *r)
{
	memset(r, 0, sizeof(*r));
	limiter_backoff_reset(&r->backoff);
}

static uint64_t later(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Plans the next attempt; false when every attempt was made. */
static bool plan(struct retry *r, const struct limiter_backoff_policy *bp,
		 uint64_t now_ms, uint32_t random)
{
	bool first = r->backoff.attempts == 0;
	uint64_t wait;

	if (!limiter_backoff_next(&r->backoff, bp, 0, &wait))
		return false;
	r->next_ms = first ? now_ms
			   : r->last_ms + limiter_backoff_jitter(wait, random);
	r->planned = true;
	return true;
}

enum retry_step retry_due(struct retry *r,
			  const struct limiter_backoff_policy *bp,
			  uint64_t now_ms, uint32_t random)
{
	if (r->resync)
		return RETRY_RESYNC;
	if (!r->planned && !plan(r, bp, now_ms, random))
		return now_ms - r->last_ms >= REATTACH_CHALLENGE_WINDOW_MS
			       ? RETRY_GIVE_UP
			       : RETRY_WAIT;
	return now_ms >= later(r->next_ms, r->not_before_ms) ? RETRY_NOW
							     : RETRY_WAIT;
}

void retry_sent(struct retry *r, uint64_t now_ms)
{
	if (r->resync) {
		/* the resync is the live request now: a retry planned
		 * after the last one waits as long after this one */
		if (r->planned && r->next_ms > r->last_ms &&
		    now_ms > r->last_ms)
			r->next_ms += now_ms - r->last_ms;
		r->resync = false;
		r->resyncs++;
		r->last_ms = now_ms;
		return;
	}
	r->planned = false;
	r->last_ms = now_ms;
}

void retry_resync(struct retry *r)
{
	if (r->resyncs < RETRY_RESYNCS_MAX)
		r->resync = true;
}

void retry_not_before(struct retry *r, uint64_t now_ms, uint32_t retry_after_ms)
{
	r->not_before_ms = later(r->not_before_ms, now_ms + retry_after_ms);
}

uint32_t retry_attempts(const struct retry *r)
{
	return r->backoff.attempts;
}
