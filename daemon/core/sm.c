// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The session state machine: see sm.h. The rules live in three small
 * predicates (sm_transition_allowed, sm_reason_fits, version room) and
 * one function that makes a change (apply_change); everything that
 * changes a machine goes through it, so "one change, one version, one
 * record" holds by construction.
 */
#include <string.h>

#include "sm.h"

void sm_init(struct sm *sm, uint64_t now_ms, sm_outlet_fn *outlet,
	     void *outlet_ctx)
{
	memset(sm, 0, sizeof(*sm));
	sm->state = JVPN_STATE_HANDSHAKE;
	sm->version = SM_FIRST_VERSION;
	sm->bound_version = SM_FIRST_VERSION;
	sm->created_ms = now_ms;
	sm->since_ms = now_ms;
	sm->outlet = outlet;
	sm->outlet_ctx = outlet_ctx;
}

void sm_snapshot(const struct sm *sm, struct sm_snapshot *snap)
{
	snap->state = sm->state;
	snap->version = sm->version;
	snap->bound_version = sm->bound_version;
	snap->created_ms = sm->created_ms;
	snap->since_ms = sm->since_ms;
}

static bool state_known(enum jvpn_state s)
{
	return (unsigned int)s <= JVPN_STATE_MAX;
}

enum sm_status sm_restore(struct sm *sm, const struct sm_snapshot *snap,
			  sm_outlet_fn *outlet, void *outlet_ctx)
{
	if (!sm || !snap || !state_known(snap->state) ||
	    snap->bound_version > snap->version)
		return SM_INVALID;
	/* The last version belongs to TERMINATED only (see SM_EXHAUSTED). */
	if (snap->version == UINT64_MAX && snap->state != JVPN_STATE_TERMINATED)
		return SM_INVALID;
	memset(sm, 0, sizeof(*sm));
	sm->state = snap->state;
	sm->version = snap->version;
	sm->bound_version = snap->bound_version;
	sm->created_ms = snap->created_ms;
	sm->since_ms = snap->since_ms;
	sm->outlet = outlet;
	sm->outlet_ctx = outlet_ctx;
	return SM_OK;
}

bool sm_transition_allowed(enum jvpn_state from, enum jvpn_state to)
{
	switch (from) {
	case JVPN_STATE_HANDSHAKE:
		return to == JVPN_STATE_ACTIVE || to == JVPN_STATE_TERMINATED;
	case JVPN_STATE_ACTIVE:
		return to == JVPN_STATE_VOLATILE || to == JVPN_STATE_TERMINATED;
	case JVPN_STATE_VOLATILE:
		return to == JVPN_STATE_ACTIVE || to == JVPN_STATE_DEGRADED ||
		       to == JVPN_STATE_TERMINATED;
	case JVPN_STATE_DEGRADED:
		return to == JVPN_STATE_ACTIVE || to == JVPN_STATE_TERMINATED;
	case JVPN_STATE_TERMINATED:
	case __JVPN_STATE_MAX:
		break;
	}
	return false;
}

/*
 * Every reason this build knows. No default case: a reason added to
 * daemon/core/reason.h fails the -Werror build here until someone decides whether it
 * may end a session.
 */
static bool reason_known(enum jvpnd_reason r)
{
	switch (r) {
	case JVPND_REASON_NONE:
		return false;
	case JVPND_REASON_UNKNOWN_SESSION:
	case JVPND_REASON_BAD_PROOF:
	case JVPND_REASON_REPLAYED_NONCE:
	case JVPND_REASON_STALE_TIMESTAMP:
	case JVPND_REASON_STALE_VERSION:
	case JVPND_REASON_RATE_LIMITED:
	case JVPND_REASON_COOLDOWN:
	case JVPND_REASON_SWITCH_LIMIT:
	case JVPND_REASON_CLASS_NOT_ALLOWED:
	case JVPND_REASON_KERNEL_LOST:
	case JVPND_REASON_VERSION_MISMATCH:
	case JVPND_REASON_UNKNOWN_PEER:
	case JVPND_REASON_REPLAYED_HANDSHAKE:
	case JVPND_REASON_BAD_MAC1:
	case JVPND_REASON_HANDSHAKE_DONE:
	case JVPND_REASON_HEALTH_THRESHOLD:
	case JVPND_REASON_RECOVERED:
	case JVPND_REASON_REPEATED_INSTABILITY:
	case JVPND_REASON_REATTACHED:
	case JVPND_REASON_SESSION_TTL:
	case JVPND_REASON_TRANSPORT_LOSS_TTL:
	case JVPND_REASON_SECURITY:
	case JVPND_REASON_ADMIN:
	case JVPND_REASON_NAT_REBINDING:
	case JVPND_REASON_INTERFACE_DOWN:
	case JVPND_REASON_SOCKET_ERROR:
	case JVPND_REASON_REPLACED:
		return true;
	}
	return false;
}

/*
 * Why a bound transport may be given up on. REATTACHED: the peer proved a
 * new path because it lost the bound one, which the gateway's session in
 * ACTIVE takes as its own VOLATILE (see sm_switched).
 */
static bool reason_loses_health(enum jvpnd_reason r)
{
	return r == JVPND_REASON_HEALTH_THRESHOLD ||
	       r == JVPND_REASON_REATTACHED ||
	       r == JVPND_REASON_INTERFACE_DOWN ||
	       r == JVPND_REASON_SOCKET_ERROR ||
	       r == JVPND_REASON_KERNEL_LOST || r == JVPND_REASON_NAT_REBINDING;
}

static bool reason_switches(enum jvpnd_reason r)
{
	return r == JVPND_REASON_REATTACHED || r == JVPND_REASON_NAT_REBINDING;
}

bool sm_reason_fits(enum jvpn_state from, enum jvpn_state to,
		    enum jvpnd_reason reason)
{
	if (!sm_transition_allowed(from, to) || !reason_known(reason))
		return false;
	if (to == JVPN_STATE_TERMINATED)
		return true;
	if (from == JVPN_STATE_HANDSHAKE)
		return reason == JVPND_REASON_HANDSHAKE_DONE;
	if (to == JVPN_STATE_VOLATILE)
		return reason_loses_health(reason);
	if (to == JVPN_STATE_DEGRADED)
		return reason == JVPND_REASON_REPEATED_INSTABILITY;
	/* -> ACTIVE from VOLATILE or DEGRADED; only VOLATILE may be left
	 * by a switch, DEGRADED is left only after a calm recovery window */
	if (from == JVPN_STATE_VOLATILE && reason == JVPND_REASON_REATTACHED)
		return true;
	return reason == JVPND_REASON_RECOVERED;
}

/* The only place a machine changes: one version, one record. */
static void apply_change(struct sm *sm, enum jvpn_state to,
			 enum jvpnd_reason reason, uint64_t version,
			 uint64_t now_ms)
{
	struct sm_record rec = {
		.old_state = sm->state,
		.new_state = to,
		.old_version = sm->version,
		.new_version = version,
		.reason = reason,
		.time_ms = now_ms,
	};

	sm->version = rec.new_version;
	if (to != rec.old_state)
		sm->since_ms = now_ms;
	sm->state = to;
	if (sm->outlet)
		sm->outlet(sm->outlet_ctx, &rec);
}

/*
 * Commits a change unless it would take the last version for a state
 * other than TERMINATED; then the machine terminates instead, so that
 * the version space can never wrap and never be reused.
 */
static enum sm_status commit_to(struct sm *sm, enum jvpn_state to,
				enum jvpnd_reason reason, uint64_t version,
				uint64_t now_ms)
{
	if (sm->version == UINT64_MAX)
		return SM_INVALID; /* only a corrupted struct gets here */
	if (version <= sm->version)
		version = sm->version + 1;
	if (version == UINT64_MAX && to != JVPN_STATE_TERMINATED) {
		apply_change(sm, JVPN_STATE_TERMINATED, JVPND_REASON_SECURITY,
			     UINT64_MAX, now_ms);
		return SM_EXHAUSTED;
	}
	apply_change(sm, to, reason, version, now_ms);
	return SM_OK;
}

static enum sm_status commit(struct sm *sm, enum jvpn_state to,
			     enum jvpnd_reason reason, uint64_t now_ms)
{
	return commit_to(sm, to, reason, 0, now_ms);
}

enum sm_status sm_transition(struct sm *sm, enum jvpn_state to,
			     enum jvpnd_reason reason, uint64_t now_ms)
{
	enum sm_status st;

	if (!sm)
		return SM_INVALID;
	if (sm->state == JVPN_STATE_TERMINATED)
		return SM_FINAL;
	if (!sm_transition_allowed(sm->state, to))
		return SM_REFUSED;
	if (!sm_reason_fits(sm->state, to, reason))
		return SM_NO_REASON;
	st = commit(sm, to, reason, now_ms);
	if (st == SM_OK && to == JVPN_STATE_ACTIVE &&
	    reason == JVPND_REASON_HANDSHAKE_DONE)
		sm->bound_version = sm->version;
	return st;
}

enum sm_status sm_bump_for_switch(struct sm *sm, enum jvpnd_reason reason,
				  uint64_t now_ms)
{
	return sm_bump_for_switch_to(sm, reason, 0, now_ms);
}

enum sm_status sm_bump_for_switch_to(struct sm *sm, enum jvpnd_reason reason,
				     uint64_t at_least, uint64_t now_ms)
{
	enum sm_status st;

	if (!sm)
		return SM_INVALID;
	if (sm->state == JVPN_STATE_TERMINATED)
		return SM_FINAL;
	if (sm->state == JVPN_STATE_HANDSHAKE || !state_known(sm->state))
		return SM_REFUSED;
	if (!reason_switches(reason))
		return SM_NO_REASON;
	st = commit_to(sm, sm->state, reason, at_least, now_ms);
	if (st == SM_OK)
		sm->bound_version = sm->version;
	return st;
}

/* ---- health judgement ---------------------------------------------- */

bool sm_limits_valid(const struct sm_limits *lim)
{
	return lim && lim->health_threshold_ms > 0 &&
	       lim->recovery_window_ms > 0 &&
	       lim->degraded_after_switches > 0 && lim->session_ttl_s > 0 &&
	       lim->transport_loss_ttl_ms > lim->health_threshold_ms;
}

/* Time since t, 0 when the clock reads earlier than t. */
static uint64_t elapsed(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

static uint64_t later(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static bool rx_fresh(const struct sm_limits *lim, const struct sm_inputs *in)
{
	return in->last_rx_ms != 0 &&
	       elapsed(in->now_ms, in->last_rx_ms) < lim->health_threshold_ms;
}

static size_t switches_inside(const struct sm_inputs *in, uint64_t span_ms)
{
	size_t n = 0;

	for (size_t i = 0; in->switch_times_ms && i < in->switch_count; i++) {
		uint64_t t = in->switch_times_ms[i];

		if (t >= in->now_ms || in->now_ms - t < span_ms)
			n++;
	}
	return n;
}

static bool due(struct sm_due *d, enum jvpn_state to, enum jvpnd_reason r)
{
	d->to = to;
	d->reason = r;
	return true;
}

static bool due_termination(const struct sm *sm, const struct sm_limits *lim,
			    const struct sm_inputs *in, struct sm_due *d)
{
	uint64_t ttl_ms = (uint64_t)lim->session_ttl_s * 1000;
	uint64_t life = later(in->last_rx_ms, sm->created_ms);

	if (elapsed(in->now_ms, sm->created_ms) >= ttl_ms)
		return due(d, JVPN_STATE_TERMINATED, JVPND_REASON_SESSION_TTL);
	if (elapsed(in->now_ms, life) >= lim->transport_loss_ttl_ms)
		return due(d, JVPN_STATE_TERMINATED,
			   JVPND_REASON_TRANSPORT_LOSS_TTL);
	return false;
}

static bool due_active(const struct sm *sm, const struct sm_limits *lim,
		       const struct sm_inputs *in, struct sm_due *d)
{
	/* Entering ACTIVE was itself a sign of life (handshake, recovery). */
	uint64_t heard = later(in->last_rx_ms, sm->since_ms);

	if (elapsed(in->now_ms, heard) >= lim->health_threshold_ms)
		return due(d, JVPN_STATE_VOLATILE,
			   JVPND_REASON_HEALTH_THRESHOLD);
	return false;
}

static bool due_volatile(const struct sm *sm, const struct sm_limits *lim,
			 const struct sm_inputs *in, struct sm_due *d)
{
	if (switches_inside(in, lim->recovery_window_ms) >=
	    lim->degraded_after_switches)
		return due(d, JVPN_STATE_DEGRADED,
			   JVPND_REASON_REPEATED_INSTABILITY);
	/* rx from before VOLATILE proves nothing about the path now */
	if (in->last_rx_ms > sm->since_ms && rx_fresh(lim, in))
		return due(d, JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED);
	return false;
}

static bool due_degraded(const struct sm *sm, const struct sm_limits *lim,
			 const struct sm_inputs *in, struct sm_due *d)
{
	if (elapsed(in->now_ms, sm->since_ms) >= lim->recovery_window_ms &&
	    switches_inside(in, lim->recovery_window_ms) == 0 &&
	    rx_fresh(lim, in))
		return due(d, JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED);
	return false;
}

bool sm_evaluate(const struct sm *sm, const struct sm_limits *lim,
		 const struct sm_inputs *in, struct sm_due *d)
{
	if (!sm || !lim || !in || !d || sm->state == JVPN_STATE_TERMINATED)
		return false;
	if (due_termination(sm, lim, in, d))
		return true;
	switch (sm->state) {
	case JVPN_STATE_ACTIVE:
		return due_active(sm, lim, in, d);
	case JVPN_STATE_VOLATILE:
		return due_volatile(sm, lim, in, d);
	case JVPN_STATE_DEGRADED:
		return due_degraded(sm, lim, in, d);
	case JVPN_STATE_HANDSHAKE: /* the handshake has its own timeout */
	case JVPN_STATE_TERMINATED:
	case __JVPN_STATE_MAX:
		break;
	}
	return false;
}

unsigned int sm_tick(struct sm *sm, const struct sm_limits *lim,
		     const struct sm_inputs *in)
{
	unsigned int applied = 0;
	struct sm_due d;

	while (applied < SM_TICK_MAX && sm_evaluate(sm, lim, in, &d)) {
		enum sm_status st =
			sm_transition(sm, d.to, d.reason, in->now_ms);

		if (st != SM_OK && st != SM_EXHAUSTED)
			break;
		applied++;
	}
	return applied;
}

enum sm_status sm_before_switch(struct sm *sm, enum jvpnd_reason reason,
				uint64_t now_ms)
{
	if (!sm)
		return SM_INVALID;
	if (reason != JVPND_REASON_REATTACHED || sm->state != JVPN_STATE_ACTIVE)
		return SM_OK;
	return sm_transition(sm, JVPN_STATE_VOLATILE, JVPND_REASON_REATTACHED,
			     now_ms);
}

enum sm_status sm_switched(struct sm *sm, const struct sm_limits *lim,
			   const struct sm_inputs *in)
{
	if (!sm || !lim || !in)
		return SM_INVALID;
	if (sm->state != JVPN_STATE_VOLATILE)
		return SM_OK;
	if (switches_inside(in, lim->recovery_window_ms) >=
	    lim->degraded_after_switches)
		return sm_transition(sm, JVPN_STATE_DEGRADED,
				     JVPND_REASON_REPEATED_INSTABILITY,
				     in->now_ms);
	return sm_transition(sm, JVPN_STATE_ACTIVE, JVPND_REASON_REATTACHED,
			     in->now_ms);
}
