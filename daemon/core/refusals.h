/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Refusals of unauthenticated input, summarized (docs/events.md): anyone
 * can send junk that names a victim's session, a forged handshake or a
 * replayed one, so such a refusal must not cost a line on every outlet.
 * The first refusal of a (type, reason) goes out at once with count 1;
 * the ones after it within REFUSALS_WINDOW_MS are counted and go out as
 * one event carrying their count once the window has passed. The sum of
 * the counts is the number of refusals, so the counters fed by events
 * (stats.h) still count every one. Pure: the caller passes the time.
 */
#ifndef JVPND_REFUSALS_H
#define JVPND_REFUSALS_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

#define REFUSALS_WINDOW_MS 1000
/* more (type, reason) pairs than the daemon emits for refusals */
#define REFUSALS_SLOTS	  24
#define REFUSALS_TEXT_MAX 96

struct refusal_slot {
	bool used;
	enum event_type type;
	enum jvpnd_reason reason;
	uint64_t window_ms; /* when the last line of this pair went out */
	uint64_t pending;   /* refusals since, not yet in a line */
	/* of the pending ones: one session, or several (session_id 0) */
	bool mixed;
	uint64_t session_id;
	uint64_t state_version;
	int new_state;
	char transport[REFUSALS_TEXT_MAX];
	char detail[REFUSALS_TEXT_MAX]; /* the last one's */
};

struct refusals {
	struct refusal_slot slots[REFUSALS_SLOTS];
};

void refusals_init(struct refusals *r);
/* The event is a refusal of input nobody authenticated (or a replay of
 * input somebody did): one a third party can make the daemon emit. */
bool refusals_summarized(enum event_type type, enum jvpnd_reason reason);
/*
 * For an event refusals_summarized() names: true when it goes out now
 * (the caller sets its count to 1), false when it was counted into the
 * pending summary of its pair. Call refusals_flush() first, so that a
 * window that has passed is closed.
 */
bool refusals_admit(struct refusals *r, const struct event *ev,
		    uint64_t now_ms);

typedef void (*refusals_emit_fn)(void *ctx, const struct event *ev);
/* Emits (through @fn) the summary of each pair whose window has passed
 * with refusals pending; @ev->count carries how many. */
void refusals_flush(struct refusals *r, uint64_t now_ms, refusals_emit_fn fn,
		    void *ctx);

#endif /* JVPND_REFUSALS_H */
