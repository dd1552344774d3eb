// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "clock.h"
#include "emit.h"
#include "udp.h"

static void emit_now(void *ctx, const struct event *ev)
{
	struct jvpnd *d = ctx;

	events_emit(&d->out, ev);
}

void jvpnd_emit(struct jvpnd *d, enum event_type type, const struct session *s,
		enum jvpnd_reason reason, const char *detail)
{
	jvpnd_emit_timed(d, type, s, reason, detail, 0);
}

void jvpnd_emit_timed(struct jvpnd *d, enum event_type type,
		      const struct session *s, enum jvpnd_reason reason,
		      const char *detail, uint64_t latency_us)
{
	char remote[64];
	struct event ev = {
		.type = type,
		.session_id = s ? s->id : 0,
		.state_version = s ? s->sm.version : 0,
		.reason = reason,
		.old_state = -1,
		.new_state = s ? (int)s->sm.state : -1,
		.new_transport = s ? jvpn_sockaddr_text(&s->remote, remote,
							sizeof(remote))
				   : NULL,
		.detail = detail,
		.latency_us = latency_us,
	};
	uint64_t now;

	if (refusals_summarized(type, reason)) {
		/* a third party can cause these at line rate: at most one
		 * line per reason per second, with its count (refusals.h) */
		now = jvpn_boot_ms();
		refusals_flush(&d->refusals, now, emit_now, d);
		if (!refusals_admit(&d->refusals, &ev, now))
			return;
		ev.count = 1;
	}
	events_emit(&d->out, &ev);
}

void jvpnd_emit_flush(struct jvpnd *d)
{
	refusals_flush(&d->refusals, jvpn_boot_ms(), emit_now, d);
}
