/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The fan-out of jvpnd's events (event.h, docs/events.md): each is
 * rendered (evformat.h) for each outlet the configuration names: JSON lines to a file or stdout,
 * RFC 5424 to syslog, the journal's native protocol, CEF lines to a file.
 * Emitting never blocks: an outlet that cannot take a line loses it and
 * counts the loss; no decision ever depends on an outlet.
 */
#ifndef JVPND_EVENTBUS_H
#define JVPND_EVENTBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "outlet.h"

struct config_interface;

enum outlet_kind {
	OUTLET_JSON,
	OUTLET_SYSLOG,
	OUTLET_JOURNALD,
	OUTLET_CEF,
	OUTLET_COUNT
};

/* A part of jvpnd that sees every event after the outlets: the control
 * socket's monitor subscribers, the metrics. json is the JSON line
 * (with its newline) that the json outlet writes. */
typedef void (*event_tap_fn)(void *ctx, const struct event *ev, uint64_t seq,
			     const char *json, size_t len);
#define EVENTS_MAX_TAPS 4

struct event_tap {
	event_tap_fn fn;
	void *ctx;
};

struct event_outlets {
	struct outlet outlets[OUTLET_COUNT];
	uint64_t seq; /* per daemon: gaps show lost events */
	/* per outlet, since start (reloads keep them): lines it took in
	 * full, and lines it should have had but did not (docs/events.md) */
	uint64_t sent[OUTLET_COUNT];
	uint64_t lost[OUTLET_COUNT];
	struct event_tap taps[EVENTS_MAX_TAPS];
	size_t n_taps;
	/* where syslog and journald listen; tests point them elsewhere */
	const char *syslog_socket;
	const char *journal_socket;
	/* RFC 5424 HOSTNAME and PROCID, CEF dvchost and dvcpid */
	char hostname[256];
	int pid;
};

/* "json", "syslog", "journald", "cef" */
const char *outlet_name(enum outlet_kind kind);
/* the configuration names it (it may be failing right now) */
bool outlet_enabled(const struct event_outlets *o, enum outlet_kind kind);
/* 0, or -ENOSPC */
int events_add_tap(struct event_outlets *o, event_tap_fn fn, void *ctx);

void events_init(struct event_outlets *o);
/*
 * Opens every outlet @ifc names and closes the others: at start and on
 * each SIGHUP (how logrotate's move-then-HUP works). Counters, seq and
 * taps stay. Returns 0, or -errno of the first file outlet (event-log,
 * cef-log) that could not be opened; @err (if @err_size) names each
 * outlet that failed, sockets included, and is "" when none did. A
 * failed outlet stays enabled: it is retried once a second, and what it
 * misses meanwhile is counted as lost.
 */
int events_open(struct event_outlets *o, const struct config_interface *ifc,
		char *err, size_t err_size);
void events_close(struct event_outlets *o);
/* "json sent=12 lost=0, syslog sent=9 lost=3" over the enabled outlets,
 * or "no outlet"; for a DAEMON event's detail. */
void events_counts_text(const struct event_outlets *o, char *buf, size_t size);
void events_emit(struct event_outlets *o, const struct event *ev);

#endif /* JVPND_EVENTBUS_H */
