/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The renderings of one event (docs/events.md): JSON line, RFC 5424
 * syslog with structured data, a journald native-protocol datagram, a CEF
 * line. Pure functions: everything that varies (sequence number, clocks,
 * host name, pid) is passed in, so tests compare exact bytes.
 *
 * Each writes into buf (size bytes) and returns the length written,
 * without the terminating NUL it also writes; 0 when the rendering does
 * not fit, in which case the outlet loses the line. A string field of an
 * event counts with at most EVFORMAT_FIELD_MAX bytes of it, cut at a
 * UTF-8 boundary, so EVENT_LINE_MAX always suffices.
 */
#ifndef JVPND_EVFORMAT_H
#define JVPND_EVFORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "event.h"

#define EVFORMAT_FIELD_MAX 256
#define EVENT_LINE_MAX	   8192

/* IANA's example Private Enterprise Number (RFC 5612): a placeholder
 * until Jumping VPN has a number of its own. */
#define EVFORMAT_SD_ID	  "jvpn@32473"
#define EVFORMAT_APP_NAME "jvpnd"
#define EVFORMAT_FACILITY 3 /* daemon */

struct event_stamp {
	uint64_t seq;
	uint64_t mono_ns;     /* CLOCK_MONOTONIC */
	struct timespec wall; /* CLOCK_REALTIME */
};

/* Who sends: RFC 5424's HOSTNAME and PROCID, CEF's dvchost and dvcpid. */
struct event_origin {
	const char *hostname; /* NULL or "": "-" */
	int pid;
};

size_t evformat_json(char *buf, size_t size, const struct event *ev,
		     const struct event_stamp *st);
/* No trailing newline: one datagram is one message. */
size_t evformat_syslog(char *buf, size_t size, const struct event *ev,
		       const struct event_stamp *st,
		       const struct event_origin *from);
/* KEY=value lines; binary safe, so not a C string in general. */
size_t evformat_journal(char *buf, size_t size, const struct event *ev,
			const struct event_stamp *st);
size_t evformat_cef(char *buf, size_t size, const struct event *ev,
		    const struct event_stamp *st,
		    const struct event_origin *from);
/* The one-line human text of syslog's MSG, journald's MESSAGE, CEF's msg:
 * "STATE_CHANGE session 7 ACTIVE -> VOLATILE reason health_threshold at
 * 10.1.0.2:48957". Control characters become '?'. */
size_t evformat_summary(char *buf, size_t size, const struct event *ev);

/* journald MESSAGE_ID: 32 lowercase hex digits, fixed per type */
const char *event_message_id(enum event_type type);
/* RFC 5424 severity, 0 (emergency) .. 7 (debug) */
int event_syslog_severity(enum event_type type);
/* CEF severity, 0 .. 10 */
int event_cef_severity(enum event_type type);

#endif /* JVPND_EVFORMAT_H */
