/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The counters jvpnd keeps for /metrics (docs/metrics.md). Every one of
 * them is fed by the daemon's events (stats_on_event), so a number on a
 * dashboard and a line in the event log can never disagree about what
 * happened. Pure code: no clock but the one the caller passes in events,
 * no I/O, no global state.
 */
#ifndef JVPND_STATS_H
#define JVPND_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/jvpn.h>

#include "event.h"

/* Reason codes are below 64 (daemon/core/reason.h); the last slot collects any
 * other code a peer sends, and jvpnd_reason_name() calls it "unknown". */
#define STATS_REASON_SLOTS 64
#define STATS_STATES	   (JVPN_STATE_MAX + 1)

/* Upper bounds of the reattach latency buckets, microseconds: from a
 * switch across two veths (well under 1 ms) to a mobile link that takes
 * seconds; the overflow bucket (+Inf) is implicit. */
#define STATS_LATENCY_BUCKETS 14
extern const uint64_t stats_latency_bounds_us[STATS_LATENCY_BUCKETS];

struct stats_histogram {
	/* per bucket, not cumulative; [STATS_LATENCY_BUCKETS]: above all */
	uint64_t buckets[STATS_LATENCY_BUCKETS + 1];
	uint64_t count;
	uint64_t sum_us;
};

struct stats {
	uint64_t sessions_created;
	uint64_t transitions[STATS_STATES]; /* STATE_CHANGE, by new state */
	uint64_t terminations[STATS_REASON_SLOTS];
	uint64_t switches[STATS_REASON_SLOTS];
	uint64_t switch_denials[STATS_REASON_SLOTS];
	uint64_t reattach_successes[STATS_REASON_SLOTS];
	uint64_t rejects[STATS_REASON_SLOTS];
	uint64_t security_events[STATS_REASON_SLOTS];
	uint64_t rate_limit_triggers;
	uint64_t key_rotations;
	struct stats_histogram reattach_latency;
};

void stats_init(struct stats *st);
/* The slot of a reason code in the arrays above. */
size_t stats_reason_slot(int reason);
void stats_on_event(struct stats *st, const struct event *ev);
void stats_observe(struct stats_histogram *h, uint64_t value_us);

/* CLOCK_BOOTTIME in microseconds: what reattach latency is measured in. */

#endif /* JVPND_STATS_H */
