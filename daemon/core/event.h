/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One event of jvpnd (docs/events.md): the single schema every outlet
 * renders (evformat.h) and every subscriber sees (eventbus.h).
 */
#ifndef JVPND_EVENT_H
#define JVPND_EVENT_H

#include <stdint.h>

#include "reason.h"

enum event_type {
	EV_SESSION_CREATED,
	EV_STATE_CHANGE,
	EV_TRANSPORT_SWITCH,
	EV_TRANSPORT_SWITCH_DENIED,
	EV_REATTACH_SUCCESS,
	EV_REATTACH_REJECT,
	EV_SECURITY_EVENT,
	EV_RATE_LIMIT_TRIGGER,
	EV_SESSION_TERMINATED,
	EV_KEY_ROTATION, /* data keys moved to the next generation */
	EV_DAEMON,	 /* start, reload, resync: the daemon itself */
};

struct event {
	enum event_type type;
	uint64_t session_id; /* 0: none */
	uint64_t state_version;
	enum jvpnd_reason reason;
	int old_state; /* enum jvpn_state, -1: not a transition */
	int new_state;
	const char *old_transport; /* "addr:port" or NULL */
	const char *new_transport;
	const char *detail; /* free text or NULL */
	/* REATTACH_SUCCESS: from the request to the committed switch; 0 when
	 * not measured */
	uint64_t latency_us;
	/* a summarized refusal (refusals.h): how many refusals this one
	 * event stands for; 0 for every other event, which stands for one */
	uint64_t count;
};

/* "SESSION_CREATED", ...; "UNKNOWN" out of range */
const char *event_type_name(enum event_type type);

#endif /* JVPND_EVENT_H */
