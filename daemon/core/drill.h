/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The failover drill (docs/operations.md, "The drill"): on a drill
 * client, a controlled switch of its session from the bound uplink to
 * another one, asked by jvpnctl drill, made with an ordinary reattach
 * request, and measured until the gateway answers over the new path.
 *
 * A drill spends the session's switch budget like any switch, so it starts
 * only when the budget can afford it and still leave one switch for a real
 * failover: outside the cooldown, below the per-minute limit by two, and
 * below the count that would make the session DEGRADED. It never starts
 * on a session whose peer is not marked `drill = on`: production sessions
 * are never drilled.
 *
 * Pure code: times are arguments.
 */
#ifndef JVPND_DRILL_H
#define JVPND_DRILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* a request unanswered this long is sent again, with a new nonce */
#define DRILL_RESEND_MS	   1000
#define DRILL_MAX_REQUESTS 3
/* after the switch, the gateway's answer over the new path must come
 * within this long */
#define DRILL_ANSWER_MS 3000
#define DRILL_WHY_MAX	160

enum drill_phase {
	DRILL_IDLE,
	DRILL_ASKED,	/* request(s) out over the new uplink, no ACK yet */
	DRILL_SWITCHED, /* the kernel binding moved; awaiting an answer */
};

struct drill {
	enum drill_phase phase;
	size_t from, to;      /* uplink indices */
	uint64_t started_us;  /* the drill was asked (boot clock) */
	uint64_t sent_ms;     /* the newest request went then */
	uint32_t requests;    /* sent in this drill */
	uint64_t first_nonce; /* the nonces of this drill's requests */
	uint64_t switched_us; /* the ACK moved the binding */
};

/* What a drill may spend, as the session knows it now. */
struct drill_budget {
	bool drill_peer;	    /* the peer's `drill = on` */
	bool active;		    /* the session is ACTIVE */
	bool other_path;	    /* another uplink can carry it */
	uint64_t cooldown_left_ms;  /* since the last switch */
	uint32_t switches_minute;   /* in the last 60 s */
	uint32_t max_per_minute;    /* max-switches-per-minute */
	uint32_t switches_recovery; /* inside the recovery window */
	uint32_t degraded_after;    /* degraded-after-switches */
};

/*
 * Why a drill may not start now, as a sentence in @why (at most @size
 * bytes); false when it may. @d: a drill already under way refuses.
 */
bool drill_refused(const struct drill *d, const struct drill_budget *b,
		   char *why, size_t size);

/* Starts a drill from uplink @from to @to; the first request goes now. */
void drill_start(struct drill *d, size_t from, size_t to, uint64_t now_us);

/* A request of this drill went out now with @nonce. */
void drill_sent(struct drill *d, uint64_t nonce, uint64_t now_ms);

/* Whether @nonce is one of this drill's requests. */
bool drill_owns(const struct drill *d, uint64_t nonce);

enum drill_step {
	DRILL_WAIT,	 /* nothing to do */
	DRILL_RESEND,	 /* send the request again now, then drill_sent() */
	DRILL_NO_ACK,	 /* every request unanswered: the drill failed */
	DRILL_NO_ANSWER, /* switched, but nothing came back in time */
};

enum drill_step drill_due(const struct drill *d, uint64_t now_ms);

/* The ACK moved the binding now. */
void drill_switched(struct drill *d, uint64_t now_us);

/* Ends the drill (done or failed): idle again. */
void drill_end(struct drill *d);

#endif /* JVPND_DRILL_H */
