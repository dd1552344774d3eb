/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnd's events (docs/events.md): one schema, rendered as JSON lines to a
 * file or stdout and as syslog lines. Emitting never blocks: an outlet
 * that cannot take a line loses it and counts the loss; no decision ever
 * depends on an outlet.
 */
#ifndef JVPND_EVENTS_H
#define JVPND_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

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
	EV_KEY_ROTATION,	/* data keys moved to the next generation */
	EV_DAEMON,		/* start, reload, resync: the daemon itself */
};

struct event {
	enum event_type type;
	uint64_t session_id;	/* 0: none */
	uint64_t state_version;
	enum jvpn_reason reason;
	int old_state;		/* enum jvpn_state, -1: not a transition */
	int new_state;
	const char *old_transport;	/* "addr:port" or NULL */
	const char *new_transport;
	const char *detail;	/* free text or NULL */
	/* REATTACH_SUCCESS: from the request to the committed switch; 0 when
	 * not measured */
	uint64_t latency_us;
};

struct event_outlets {
	int json_fd;		/* -1: off */
	int syslog_fd;		/* -1: off */
	uint64_t seq;		/* per daemon: gaps show lost events */
	uint64_t lost_json;
	uint64_t lost_syslog;
};

void events_init(struct event_outlets *o);
/* @path: a file (appended), "stdout", or NULL for none. */
bool events_open_json(struct event_outlets *o, const char *path);
bool events_open_syslog(struct event_outlets *o);
void events_close(struct event_outlets *o);
void events_emit(struct event_outlets *o, const struct event *ev);
const char *event_type_name(enum event_type type);

#endif /* JVPND_EVENTS_H */
