// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drilljudge.h"

static const char *get(const struct obj *o, const char *name)
{
	const char *v = o ? obj_get(o, name) : NULL;

	return v ? v : "";
}

static bool is(const struct obj *o, const char *name, const char *value)
{
	return !strcmp(get(o, name), value);
}

static bool same(const struct obj *a, const char *an, const struct obj *b,
		 const char *bn)
{
	return *get(a, an) && !strcmp(get(a, an), get(b, bn));
}

static bool ours(const struct obj *ev, const char *id)
{
	return is(ev, "session_id", id);
}

static bool verdict(struct objs *items, const char *item, bool pass,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool verdict(struct objs *items, const char *item, bool pass,
		    const char *fmt, ...)
{
	struct obj *o = objs_push(items);
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (o) {
		obj_set(o, "item", item, OBJ_STRING);
		obj_set(o, "verdict", pass ? "pass" : "fail", OBJ_STRING);
		obj_set(o, "reason", reason, OBJ_STRING);
	}
	return pass;
}

const struct obj *drill_result(const struct objs *events, const char *id)
{
	for (size_t i = 0; i < events->n; i++) {
		const struct obj *ev = &events->items[i];
		const char *detail = get(ev, "detail");

		if (ours(ev, id) && is(ev, "type", "DAEMON") &&
		    (!strncmp(detail, "drill: done", 11) ||
		     !strncmp(detail, "drill: failed", 13)))
			return ev;
	}
	return NULL;
}

const char *drill_switch_ms(const struct objs *events, const char *id)
{
	for (size_t i = 0; i < events->n; i++) {
		const struct obj *ev = &events->items[i];

		if (ours(ev, id) && is(ev, "type", "REATTACH_SUCCESS"))
			return obj_get(ev, "latency_ms");
	}
	return NULL;
}

static bool judge_recovered(const struct drill_view *v, struct objs *items)
{
	const struct obj *r = drill_result(v->events, v->session_id);

	if (!r)
		return verdict(items, "Recovered", false,
			       "no drill result among %zu events",
			       v->events->n);
	return verdict(items, "Recovered",
		       !strncmp(get(r, "detail"), "drill: done", 11), "%s",
		       get(r, "detail"));
}

/* The kernel holds the one binding the daemon says, and it moved. */
static bool judge_binding(const struct drill_view *v, struct objs *items)
{
	const struct obj *a = v->after, *k = v->kernel;

	if (!k)
		return verdict(items, "OneBinding", false,
			       "the kernel has no session %s", v->session_id);
	if (!same(k, "remote", a, "remote") || !same(k, "local", a, "local"))
		return verdict(items, "OneBinding", false,
			       "kernel binds %s -> %s, jvpnd says %s -> %s",
			       get(k, "local"), get(k, "remote"),
			       get(a, "local"), get(a, "remote"));
	if (same(v->before, "local", a, "local"))
		return verdict(items, "OneBinding", false,
			       "the binding did not move from %s",
			       get(a, "local"));
	if (v->gw_after && same(v->gw_before, "remote", v->gw_after, "remote"))
		return verdict(items, "OneBinding", false,
			       "the gateway's binding did not move from %s",
			       get(v->gw_after, "remote"));
	return verdict(items, "OneBinding", true,
		       "kernel and jvpnd bind %s -> %s (was %s)%s",
		       get(a, "local"), get(a, "remote"),
		       get(v->before, "local"),
		       v->gw_after ? "; the gateway's moved too" : "");
}

static bool judge_monotonic(const struct drill_view *v, struct objs *items)
{
	uint64_t last = obj_u64(v->before, "state_version", 0);
	uint64_t after = obj_u64(v->after, "state_version", 0);

	for (size_t i = 0; i < v->events->n; i++) {
		const struct obj *ev = &v->events->items[i];
		uint64_t ver = obj_u64(ev, "state_version", 0);

		if (!ours(ev, v->session_id))
			continue;
		if (ver < last)
			return verdict(items, "VersionMonotonic", false,
				       "event seq %s has state_version %" PRIu64
				       " after %" PRIu64,
				       get(ev, "seq"), ver, last);
		last = ver;
	}
	if (after < last || after <= obj_u64(v->before, "state_version", 0))
		return verdict(items, "VersionMonotonic", false,
			       "state_version %s before, %s after",
			       get(v->before, "state_version"),
			       get(v->after, "state_version"));
	return verdict(items, "VersionMonotonic", true,
		       "state_version %s -> %s, never backwards",
		       get(v->before, "state_version"),
		       get(v->after, "state_version"));
}

static bool judge_agree(const struct drill_view *v, struct objs *items)
{
	const struct obj *a = v->after;

	if (!same(a, "state_version", a, "gateway_state_version"))
		return verdict(items, "VersionsAgree", false,
			       "client holds %s, the gateway's last ACK "
			       "said %s",
			       get(a, "state_version"),
			       get(a, "gateway_state_version"));
	if (v->gw_after &&
	    !same(a, "state_version", v->gw_after, "state_version"))
		return verdict(items, "VersionsAgree", false,
			       "client holds %s, the gateway holds %s",
			       get(a, "state_version"),
			       get(v->gw_after, "state_version"));
	return verdict(items, "VersionsAgree", true, "both ends hold %s (%s)",
		       get(a, "state_version"),
		       v->gw_after ? "asked of the gateway's jvpnd"
				   : "as the gateway's ACK said");
}

/* Events that change or refuse a session must say why. */
static bool needs_reason(const struct obj *ev)
{
	return is(ev, "type", "STATE_CHANGE") ||
	       is(ev, "type", "TRANSPORT_SWITCH") ||
	       is(ev, "type", "REATTACH_SUCCESS") ||
	       is(ev, "type", "REATTACH_REJECT") ||
	       is(ev, "type", "TRANSPORT_SWITCH_DENIED") ||
	       is(ev, "type", "SESSION_TERMINATED");
}

static bool judge_reasons(const struct drill_view *v, struct objs *items)
{
	size_t n = 0;

	for (size_t i = 0; i < v->events->n; i++) {
		const struct obj *ev = &v->events->items[i];
		const char *r = get(ev, "reason");

		if (!ours(ev, v->session_id) || !needs_reason(ev))
			continue;
		if (!*r || !strcmp(r, "none") || !strcmp(r, "unknown"))
			return verdict(items, "ReasonCoded", false,
				       "event seq %s (%s) has no reason",
				       get(ev, "seq"), get(ev, "type"));
		n++;
	}
	return verdict(items, "ReasonCoded", n > 0,
		       "%zu transitions, each with its reason", n);
}

static bool judge_gaps(const struct drill_view *v, struct objs *items)
{
	uint64_t want = v->first_seq + 1;

	for (size_t i = 0; i < v->events->n; i++) {
		uint64_t seq = obj_u64(&v->events->items[i], "seq", 0);

		if (seq != want)
			return verdict(items, "NoEventGap", false,
				       "event seq %" PRIu64 " where %" PRIu64
				       " was due",
				       seq, want);
		want++;
	}
	return verdict(items, "NoEventGap", v->events->n > 0,
		       "seq %" PRIu64 "..%" PRIu64 ", %zu events, none lost",
		       v->first_seq + 1, want - 1, v->events->n);
}

/* A refusal of the session's own switch means a limit was hit. */
static bool refusal(const struct obj *ev)
{
	return is(ev, "type", "REATTACH_REJECT") ||
	       is(ev, "type", "RATE_LIMIT_TRIGGER") ||
	       is(ev, "type", "TRANSPORT_SWITCH_DENIED") ||
	       is(ev, "type", "SESSION_TERMINATED");
}

static bool judge_limits(const struct drill_view *v, struct objs *items)
{
	for (size_t i = 0; i < v->events->n; i++) {
		const struct obj *ev = &v->events->items[i];

		if (ours(ev, v->session_id) && refusal(ev))
			return verdict(items, "WithinLimits", false,
				       "event seq %s: %s %s", get(ev, "seq"),
				       get(ev, "type"), get(ev, "reason"));
	}
	if (!is(v->after, "state", "ACTIVE"))
		return verdict(items, "WithinLimits", false,
			       "the session is %s after the drill",
			       get(v->after, "state"));
	if (v->gw_after && !obj_is_true(v->gw_after, "drill"))
		return verdict(items, "WithinLimits", false,
			       "the gateway does not know session %s as a "
			       "drill session (drill = on in its [peer])",
			       v->session_id);
	return verdict(items, "WithinLimits", true,
		       "ACTIVE, %s switches in the last minute, nothing "
		       "refused",
		       get(v->after, "switches_last_minute"));
}

bool drill_judge(const struct drill_view *v, struct objs *items)
{
	bool pass = judge_recovered(v, items);

	pass &= judge_binding(v, items);
	pass &= judge_monotonic(v, items);
	pass &= judge_agree(v, items);
	pass &= judge_reasons(v, items);
	pass &= judge_gaps(v, items);
	pass &= judge_limits(v, items);
	return pass;
}
