// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdio.h>
#include <string.h>

#include "drill.h"

/* One switch of the per-minute limit stays for a real failover. */
static bool budget_short(const struct drill_budget *b)
{
	return b->max_per_minute < 2 ||
	       b->switches_minute + 2 > b->max_per_minute;
}

bool drill_refused(const struct drill *d, const struct drill_budget *b,
		   char *why, size_t size)
{
	if (!b->drill_peer)
		snprintf(why, size,
			 "its peer is not a drill peer (drill = on in its "
			 "[peer]): production sessions are never drilled");
	else if (d->phase != DRILL_IDLE)
		snprintf(why, size, "a drill is under way");
	else if (!b->active)
		snprintf(why, size,
			 "the session is not ACTIVE: a drill starts only on a "
			 "healthy session");
	else if (!b->other_path)
		snprintf(why, size,
			 "no other uplink can carry the session: a drill "
			 "needs two");
	else if (b->cooldown_left_ms)
		snprintf(why, size,
			 "cooldown: %llu ms left since the last switch",
			 (unsigned long long)b->cooldown_left_ms);
	else if (budget_short(b))
		snprintf(why, size,
			 "switch budget: %u of %u switches in the last minute "
			 "used, and a drill leaves one for a real failover",
			 b->switches_minute, b->max_per_minute);
	else if (b->switches_recovery + 1 >= b->degraded_after)
		snprintf(why, size,
			 "%u switches inside the recovery window: one more "
			 "would make the session DEGRADED (after %u)",
			 b->switches_recovery, b->degraded_after);
	else
		return false;
	return true;
}

void drill_start(struct drill *d, size_t from, size_t to, uint64_t now_us)
{
	memset(d, 0, sizeof(*d));
	d->phase = DRILL_ASKED;
	d->from = from;
	d->to = to;
	d->started_us = now_us;
}

void drill_sent(struct drill *d, uint64_t nonce, uint64_t now_ms)
{
	if (!d->requests)
		d->first_nonce = nonce;
	d->requests++;
	d->sent_ms = now_ms;
}

bool drill_owns(const struct drill *d, uint64_t nonce)
{
	return d->phase != DRILL_IDLE && d->requests &&
	       nonce >= d->first_nonce && nonce - d->first_nonce < d->requests;
}

enum drill_step drill_due(const struct drill *d, uint64_t now_ms)
{
	if (d->phase == DRILL_SWITCHED)
		return now_ms - d->switched_us / 1000 >= DRILL_ANSWER_MS
			       ? DRILL_NO_ANSWER
			       : DRILL_WAIT;
	if (d->phase != DRILL_ASKED || now_ms - d->sent_ms < DRILL_RESEND_MS)
		return DRILL_WAIT;
	return d->requests < DRILL_MAX_REQUESTS ? DRILL_RESEND : DRILL_NO_ACK;
}

void drill_switched(struct drill *d, uint64_t now_us)
{
	d->phase = DRILL_SWITCHED;
	d->switched_us = now_us;
}

void drill_end(struct drill *d)
{
	memset(d, 0, sizeof(*d));
}
