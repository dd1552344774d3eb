/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The client's schedule of reattach requests (docs/reattach.md, "Client
 * behaviour"): attempt 1 at once, attempt k >= 2 after the backoff of
 * limiter_backoff_next() (first x 2^(k-2), capped), jittered into
 * [wait/2, wait], never before the gateway's retry_after_ms, and at most
 * max_reattach_attempts attempts; the client gives up only once the last
 * one has had its whole challenge window to be answered. A resync (the
 * gateway's STALE_VERSION reject told the client the version it holds
 * now) asks again at once and is no attempt: a third party that moves
 * the gateway's version (a copied data packet makes it validate another
 * path) must not spend the client's attempts (docs/reattach.md, "The
 * model"). At most RETRY_RESYNCS_MAX of them per failover go at once;
 * beyond, a resync waits for the next attempt like any retry.
 *
 * Pure code: the time and the random number are arguments.
 */
#ifndef JVPND_RETRY_H
#define JVPND_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "limiter.h"
#include "policy.h"

/* resyncs per failover that go at once, uncounted: more than a gateway
 * that moves its version honestly ever needs in one failover */
#define RETRY_RESYNCS_MAX 4

struct retry {
	struct limiter_backoff backoff;
	bool planned;		/* next_ms holds the next attempt's time */
	uint64_t next_ms;	/* the planned attempt goes then */
	uint64_t last_ms;	/* the last attempt went then */
	uint64_t not_before_ms; /* the gateway's retry_after, as a time */
	bool resync;		/* the next request is a resync, now */
	uint32_t resyncs;	/* resyncs sent in this failover */
};

enum retry_step {
	RETRY_WAIT,    /* nothing to send yet */
	RETRY_NOW,     /* send an attempt now, then retry_sent() */
	RETRY_GIVE_UP, /* every attempt made and unanswered */
	RETRY_RESYNC,  /* send the same attempt again now (uncounted), then
			* retry_sent() */
};

/*
 * The backoff a profile implies: the first wait is the probe interval,
 * and the cap spreads max_reattach_attempts over the transport-loss TTL
 * (transport_loss_ttl / max_reattach_attempts, at least the first wait),
 * so that the client still tries late in a long outage and has given up
 * by the time the session would end anyway.
 */
void retry_policy(const struct policy *p, struct limiter_backoff_policy *bp);

/* No attempt made: the next one goes at once. */
void retry_reset(struct retry *r);

/* What to do at @now_ms; @random spreads the wait (limiter_backoff_jitter). */
enum retry_step retry_due(struct retry *r,
			  const struct limiter_backoff_policy *bp,
			  uint64_t now_ms, uint32_t random);

/* An attempt went out at @now_ms. */
void retry_sent(struct retry *r, uint64_t now_ms);

/* The gateway asked for no retry before @retry_after_ms from @now_ms. */
void retry_not_before(struct retry *r, uint64_t now_ms,
		      uint32_t retry_after_ms);

/* The gateway's STALE_VERSION reject answered the last request: ask again
 * at once, without counting an attempt (at most RETRY_RESYNCS_MAX times). */
void retry_resync(struct retry *r);

/* Attempts made so far. */
uint32_t retry_attempts(const struct retry *r);

#endif /* JVPND_RETRY_H */
