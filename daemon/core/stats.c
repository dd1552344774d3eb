// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>
#include <time.h>

#include "stats.h"

const uint64_t stats_latency_bounds_us[STATS_LATENCY_BUCKETS] = {
	250,   500,    1000,   2500,   5000,	10000,	 25000,
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
};

void stats_init(struct stats *st)
{
	memset(st, 0, sizeof(*st));
}

size_t stats_reason_slot(int reason)
{
	return reason >= 0 && reason < STATS_REASON_SLOTS - 1
		       ? (size_t)reason
		       : STATS_REASON_SLOTS - 1;
}

void stats_observe(struct stats_histogram *h, uint64_t value_us)
{
	size_t i = 0;

	/* "le": a value equal to a bound belongs to that bound's bucket */
	while (i < STATS_LATENCY_BUCKETS &&
	       value_us > stats_latency_bounds_us[i])
		i++;
	h->buckets[i]++;
	h->count++;
	h->sum_us += value_us;
}

static void on_state_change(struct stats *st, const struct event *ev)
{
	if (ev->new_state >= 0 && ev->new_state < STATS_STATES)
		st->transitions[ev->new_state]++;
}

static void on_reattach_success(struct stats *st, const struct event *ev)
{
	st->reattach_successes[stats_reason_slot(ev->reason)]++;
	/* 0 means "not measured"; an unmeasured success is no sample. A
	 * NAT rebinding starts at the kernel's report, not at a request: it
	 * is another quantity and stays out of this histogram. */
	if (ev->latency_us && ev->reason == JVPND_REASON_REATTACHED)
		stats_observe(&st->reattach_latency, ev->latency_us);
}

void stats_on_event(struct stats *st, const struct event *ev)
{
	size_t r = stats_reason_slot(ev->reason);
	/* a summarized refusal stands for ev->count of them (refusals.h) */
	uint64_t n = ev->count ? ev->count : 1;

	switch (ev->type) {
	case EV_SESSION_CREATED:
		st->sessions_created++;
		break;
	case EV_STATE_CHANGE:
		on_state_change(st, ev);
		break;
	case EV_SESSION_TERMINATED:
		st->terminations[r]++;
		break;
	case EV_TRANSPORT_SWITCH:
		st->switches[r]++;
		break;
	case EV_TRANSPORT_SWITCH_DENIED:
		st->switch_denials[r]++;
		break;
	case EV_REATTACH_SUCCESS:
		on_reattach_success(st, ev);
		break;
	case EV_REATTACH_REJECT:
		st->rejects[r] += n;
		break;
	case EV_SECURITY_EVENT:
		st->security_events[r] += n;
		break;
	case EV_RATE_LIMIT_TRIGGER:
		st->rate_limit_triggers += n;
		break;
	case EV_KEY_ROTATION:
		st->key_rotations++;
		break;
	case EV_DAEMON:
		break;
	}
}
