// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "evformat.h"
#include "eventbus.h"

_Static_assert(OUTLET_PATH_MAX >= CONFIG_PATH_MAX,
	       "every configured path fits an outlet");

#define SYSLOG_SOCKET  "/dev/log"
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

void events_init(struct event_outlets *o)
{
	memset(o, 0, sizeof(*o));
	for (int k = 0; k < OUTLET_COUNT; k++)
		outlet_init(&o->outlets[k]);
	o->syslog_socket = SYSLOG_SOCKET;
	o->journal_socket = JOURNAL_SOCKET;
}

const char *outlet_name(enum outlet_kind kind)
{
	static const char *const names[] = {
		[OUTLET_JSON] = "json",
		[OUTLET_SYSLOG] = "syslog",
		[OUTLET_JOURNALD] = "journald",
		[OUTLET_CEF] = "cef",
	};

	return (unsigned int)kind < OUTLET_COUNT ? names[kind] : "unknown";
}

bool outlet_enabled(const struct event_outlets *o, enum outlet_kind kind)
{
	return (unsigned int)kind < OUTLET_COUNT && o->outlets[kind].enabled;
}

int events_add_tap(struct event_outlets *o, event_tap_fn fn, void *ctx)
{
	if (o->n_taps >= EVENTS_MAX_TAPS)
		return -ENOSPC;
	o->taps[o->n_taps++] = (struct event_tap){ .fn = fn, .ctx = ctx };
	return 0;
}

/* Named by the configuration key, which is what the operator wrote. */
static void append_err(char *err, size_t size, enum outlet_kind kind,
		       const char *path, int e)
{
	static const char *const keys[] = {
		[OUTLET_JSON] = "event-log",
		[OUTLET_SYSLOG] = "syslog",
		[OUTLET_JOURNALD] = "journald",
		[OUTLET_CEF] = "cef-log",
	};
	size_t len = strnlen(err, size);

	if (len + 1 < size)
		snprintf(err + len, size - len, "%s%s %s: %s", len ? "; " : "",
			 keys[kind], path, strerror(-e));
}

/* @path NULL or "": the outlet is off. */
static int open_one(struct event_outlets *o, enum outlet_kind kind,
		    enum outlet_transport transport, const char *path,
		    uint64_t now, char *err, size_t err_size)
{
	int e;

	if (!path || !*path) {
		outlet_close(&o->outlets[kind]);
		return 0;
	}
	e = outlet_open(&o->outlets[kind], transport, path, now);
	if (e && err_size)
		append_err(err, err_size, kind, path, e);
	return e;
}

int events_open(struct event_outlets *o, const struct config_interface *ifc,
		char *err, size_t err_size)
{
	const char *json = ifc->event_log_stdout ? "stdout" : ifc->event_log;
	uint64_t now = jvpn_mono_ns();
	int e, first = 0;

	if (err_size)
		*err = '\0';
	if (gethostname(o->hostname, sizeof(o->hostname)))
		o->hostname[0] = '\0';
	o->hostname[sizeof(o->hostname) - 1] = '\0';
	o->pid = (int)getpid();
	e = open_one(o, OUTLET_JSON, OUTLET_FILE, json, now, err, err_size);
	first = e;
	e = open_one(o, OUTLET_CEF, OUTLET_FILE, ifc->cef_log, now, err,
		     err_size);
	if (!first)
		first = e;
	/* a socket's listener may come later: never fatal */
	open_one(o, OUTLET_SYSLOG, OUTLET_DGRAM,
		 ifc->syslog ? o->syslog_socket : NULL, now, err, err_size);
	open_one(o, OUTLET_JOURNALD, OUTLET_DGRAM,
		 ifc->journald ? o->journal_socket : NULL, now, err, err_size);
	return first;
}

void events_close(struct event_outlets *o)
{
	for (int k = 0; k < OUTLET_COUNT; k++)
		outlet_close(&o->outlets[k]);
}

void events_counts_text(const struct event_outlets *o, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return;
	*buf = '\0';
	for (int k = 0; k < OUTLET_COUNT; k++) {
		if (!outlet_enabled(o, k) || len >= size)
			continue;
		len += (size_t)snprintf(buf + len, size - len,
					"%s%s sent=%" PRIu64 " lost=%" PRIu64,
					len ? ", " : "", outlet_name(k),
					o->sent[k], o->lost[k]);
	}
	if (!len)
		snprintf(buf, size, "no outlet");
}

/* A line that cannot be rendered (len 0) is lost like one not taken. */
static void deliver(struct event_outlets *o, enum outlet_kind kind,
		    const char *buf, size_t len, uint64_t now)
{
	if (len && outlet_send(&o->outlets[kind], buf, len, now))
		o->sent[kind]++;
	else
		o->lost[kind]++;
}

static size_t render(const struct event_outlets *o, enum outlet_kind kind,
		     char *buf, size_t size, const struct event *ev,
		     const struct event_stamp *st)
{
	const struct event_origin from = { o->hostname, o->pid };

	switch (kind) {
	case OUTLET_SYSLOG:
		return evformat_syslog(buf, size, ev, st, &from);
	case OUTLET_JOURNALD:
		return evformat_journal(buf, size, ev, st);
	case OUTLET_CEF:
		return evformat_cef(buf, size, ev, st, &from);
	default:
		return evformat_json(buf, size, ev, st);
	}
}

void events_emit(struct event_outlets *o, const struct event *ev)
{
	char json[EVENT_LINE_MAX], other[EVENT_LINE_MAX];
	struct event_stamp st = { .seq = ++o->seq, .mono_ns = jvpn_mono_ns() };
	size_t json_len;

	clock_gettime(CLOCK_REALTIME, &st.wall);
	/* rendered even with the json outlet off: the taps read it */
	json_len = evformat_json(json, sizeof(json), ev, &st);
	if (outlet_enabled(o, OUTLET_JSON))
		deliver(o, OUTLET_JSON, json, json_len, st.mono_ns);
	for (int k = OUTLET_JSON + 1; k < OUTLET_COUNT; k++)
		if (outlet_enabled(o, k))
			deliver(o, k, other,
				render(o, k, other, sizeof(other), ev, &st),
				st.mono_ns);
	for (size_t i = 0; i < o->n_taps; i++)
		o->taps[i].fn(o->taps[i].ctx, ev, st.seq, json, json_len);
}
