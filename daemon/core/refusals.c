// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdio.h>
#include <string.h>

#include "refusals.h"

void refusals_init(struct refusals *r)
{
	memset(r, 0, sizeof(*r));
}

/* a reattach refusal a third party can cause: unauthenticated (unknown
 * session), or a captured genuine request sent again (replayed, stale) */
static bool unauthenticated_reject(enum jvpnd_reason reason)
{
	switch (reason) {
	case JVPND_REASON_UNKNOWN_SESSION:
	case JVPND_REASON_BAD_PROOF:
	case JVPND_REASON_REPLAYED_NONCE:
	case JVPND_REASON_STALE_TIMESTAMP:
	case JVPND_REASON_VERSION_MISMATCH:
	case JVPND_REASON_UNKNOWN_PEER:
	case JVPND_REASON_REPLAYED_HANDSHAKE:
		return true;
	default:
		return false;
	}
}

bool refusals_summarized(enum event_type type, enum jvpnd_reason reason)
{
	return type == EV_SECURITY_EVENT || type == EV_RATE_LIMIT_TRIGGER ||
	       (type == EV_REATTACH_REJECT && unauthenticated_reject(reason));
}

static struct refusal_slot *slot_of(struct refusals *r, enum event_type type,
				    enum jvpnd_reason reason)
{
	for (size_t i = 0; i < REFUSALS_SLOTS; i++) {
		struct refusal_slot *s = &r->slots[i];

		if (!s->used) {
			s->used = true;
			s->type = type;
			s->reason = reason;
			return s;
		}
		if (s->type == type && s->reason == reason)
			return s;
	}
	return NULL;
}

static void copy_text(char *dst, const char *src)
{
	snprintf(dst, REFUSALS_TEXT_MAX, "%s", src ? src : "");
}

static void absorb(struct refusal_slot *s, const struct event *ev)
{
	if (!s->pending) {
		s->mixed = false;
		s->session_id = ev->session_id;
	} else if (s->session_id != ev->session_id) {
		s->mixed = true;
	}
	s->state_version = ev->state_version;
	s->new_state = ev->new_state;
	copy_text(s->transport, ev->new_transport);
	copy_text(s->detail, ev->detail);
	s->pending++;
}

bool refusals_admit(struct refusals *r, const struct event *ev, uint64_t now_ms)
{
	struct refusal_slot *s = slot_of(r, ev->type, ev->reason);

	if (!s)
		return true; /* no room to count it: better a line than none */
	/* a pending count goes out (refusals_flush) before a new window */
	if (s->pending ||
	    (s->window_ms && now_ms - s->window_ms < REFUSALS_WINDOW_MS)) {
		absorb(s, ev);
		return false;
	}
	s->window_ms = now_ms ? now_ms : 1;
	return true;
}

static void emit_summary(struct refusal_slot *s, refusals_emit_fn fn, void *ctx)
{
	struct event ev = {
		.type = s->type,
		.reason = s->reason,
		.old_state = -1,
		.new_state = -1,
		.detail = s->detail[0] ? s->detail : NULL,
		.count = s->pending,
	};

	if (!s->mixed) {
		ev.session_id = s->session_id;
		ev.state_version = s->state_version;
		ev.new_state = s->new_state;
		ev.new_transport = s->transport[0] ? s->transport : NULL;
	}
	fn(ctx, &ev);
}

void refusals_flush(struct refusals *r, uint64_t now_ms, refusals_emit_fn fn,
		    void *ctx)
{
	for (size_t i = 0; i < REFUSALS_SLOTS && r->slots[i].used; i++) {
		struct refusal_slot *s = &r->slots[i];

		if (!s->pending || now_ms - s->window_ms < REFUSALS_WINDOW_MS)
			continue;
		emit_summary(s, fn, ctx);
		s->pending = 0;
		s->window_ms = now_ms ? now_ms : 1;
	}
}
