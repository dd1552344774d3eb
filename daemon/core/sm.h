/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The session state machine (docs/design.md, "The state machine"), one per
 * session on each end:
 *
 *   HANDSHAKE -> ACTIVE <-> VOLATILE -> DEGRADED -> ACTIVE,
 *   every state but TERMINATED -> TERMINATED.
 *
 * States are the kernel's enum jvpn_state, so the mirror is 1:1. Every
 * change takes a reason code, adds one to state_version and hands exactly
 * one struct sm_record to the outlet; nothing else changes the state.
 * A transport switch is a change too: sm_bump_for_switch() adds one to
 * state_version without changing the state (the kernel's compare-and-swap
 * on a switch needs a new version) and emits a record with old == new.
 *
 * Pure code: the time is an argument (milliseconds of one monotonic clock,
 * CLOCK_BOOTTIME in jvpnd, the clock of the kernel's last-rx times), and
 * the only state is the struct sm the caller owns.
 */
#ifndef JVPND_SM_H
#define JVPND_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/jvpn.h>

#include <jvpn/messages.h>
#include "reason.h"

/*
 * The first state_version is 0 (HANDSHAKE), so the handshake's completion
 * is version 1 on both ends without sending it, and that is also where
 * jvpn.ko starts a session it is given without JVPN_A_STATE_VERSION.
 */
#define SM_FIRST_VERSION 0

/* One change of state or version: what the event outlet turns into a
 * STATE_CHANGE, TRANSPORT_SWITCH or SESSION_TERMINATED event. */
struct sm_record {
	enum jvpn_state old_state;
	enum jvpn_state new_state; /* == old_state for a switch */
	uint64_t old_version;
	uint64_t new_version; /* old_version + 1, always */
	enum jvpnd_reason reason;
	uint64_t time_ms; /* as passed by the caller */
};

/*
 * Called once per change, after the change is made, with the machine
 * already in its new state. It must not call back into the same machine,
 * and what it does (or fails to do) changes nothing here.
 */
typedef void sm_outlet_fn(void *ctx, const struct sm_record *rec);

struct sm {
	enum jvpn_state state;
	uint64_t version;
	/*
	 * The version made by the latest change of binding: the handshake's
	 * completion or a switch. It is what the peer was told (REATTACH_ACK)
	 * and what a REATTACH_REQUEST may carry: see docs/reattach.md.
	 */
	uint64_t bound_version;
	uint64_t created_ms;
	uint64_t since_ms;    /* when the current state was entered */
	sm_outlet_fn *outlet; /* may be NULL */
	void *outlet_ctx;
};

enum sm_status {
	SM_OK = 0,
	SM_NO_REASON, /* reason NONE, unknown, or not one of this change */
	SM_REFUSED,   /* not an allowed transition */
	SM_FINAL,     /* the machine is TERMINATED */
	/*
	 * The change would have used the last version, which only
	 * TERMINATED may take: the machine was TERMINATED instead, with
	 * reason SECURITY (2^64 changes cannot happen honestly; a state file
	 * that claims them is corrupt or forged).
	 */
	SM_EXHAUSTED,
	SM_INVALID, /* bad argument (sm_restore, NULL) */
};

/* HANDSHAKE, version SM_FIRST_VERSION, created and since now_ms. Emits no
 * record: creation is the caller's SESSION_CREATED event. */
void sm_init(struct sm *sm, uint64_t now_ms, sm_outlet_fn *outlet,
	     void *outlet_ctx);

/* What a state file keeps of a machine, to resume after a restart. */
struct sm_snapshot {
	enum jvpn_state state;
	uint64_t version;
	uint64_t bound_version;
	uint64_t created_ms;
	uint64_t since_ms;
};

void sm_snapshot(const struct sm *sm, struct sm_snapshot *snap);
/* SM_INVALID (sm untouched) for an unknown state, bound_version > version,
 * or the last version on a state other than TERMINATED. No record. */
enum sm_status sm_restore(struct sm *sm, const struct sm_snapshot *snap,
			  sm_outlet_fn *outlet, void *outlet_ctx);

/* Whether from -> to is in the diagram at all, whatever the reason. */
bool sm_transition_allowed(enum jvpn_state from, enum jvpn_state to);

/*
 * Whether reason may justify from -> to (docs/reattach.md lists them).
 * Into TERMINATED every known reason but NONE is accepted: a termination
 * must never fail for the wording of its cause.
 */
bool sm_reason_fits(enum jvpn_state from, enum jvpn_state to,
		    enum jvpnd_reason reason);

/* The one way to change state. Nothing changes unless SM_OK or
 * SM_EXHAUSTED is returned. */
enum sm_status sm_transition(struct sm *sm, enum jvpn_state to,
			     enum jvpnd_reason reason, uint64_t now_ms);

/*
 * A committed transport switch in ACTIVE, VOLATILE or DEGRADED: version
 * + 1, state kept (and since_ms kept: a switch does not restart the time
 * spent VOLATILE or DEGRADED), bound_version = the new version. reason is
 * REATTACHED (client-asked) or NAT_REBINDING (gateway-initiated after a
 * path challenge). Refused in HANDSHAKE (nothing is bound yet).
 */
enum sm_status sm_bump_for_switch(struct sm *sm, enum jvpnd_reason reason,
				  uint64_t now_ms);
/*
 * The same, to version max(version + 1, at_least): the client takes the
 * version its gateway announced for the switch (REATTACH_ACK), so that
 * both ends hold one number after it (docs/reattach.md, "state_version").
 * One record, however far it jumps; the version still only grows.
 */
enum sm_status sm_bump_for_switch_to(struct sm *sm, enum jvpnd_reason reason,
				     uint64_t at_least, uint64_t now_ms);

/* ---- health judgement ---------------------------------------------- */

/* Same names, widths and units as the fields of struct policy. */
struct sm_limits {
	uint32_t health_threshold_ms; /* no rx this long: VOLATILE */
	uint32_t recovery_window_ms;
	uint32_t degraded_after_switches;
	uint32_t session_ttl_s;
	uint32_t transport_loss_ttl_ms;
};

/* Every field nonzero, health threshold below the transport-loss TTL. */
bool sm_limits_valid(const struct sm_limits *lim);

struct sm_inputs {
	uint64_t now_ms;
	/*
	 * Newest authenticated rx on the bound transport, 0 for none: the
	 * kernel's last-rx, or a later PROBE_ACK / PATH_RESPONSE /
	 * REATTACH_RESPONSE the daemon verified itself.
	 */
	uint64_t last_rx_ms;
	/* Times of recent switches, any order (limiter_window_times). */
	const uint64_t *switch_times_ms;
	size_t switch_count;
};

struct sm_due {
	enum jvpn_state to;
	enum jvpnd_reason reason;
};

/*
 * The transition that is due, if any (true, *due filled). Checked in this
 * order; "at" a limit is due (elapsed >= limit):
 *  1. any but TERMINATED: now - created >= session TTL   -> SESSION_TTL
 *  2. any but TERMINATED: now - max(last_rx, created)
 *                         >= transport-loss TTL          -> TRANSPORT_LOSS_TTL
 *  3. ACTIVE: now - max(last_rx, since) >= threshold     -> VOLATILE,
 *                                                      HEALTH_THRESHOLD
 *  4. VOLATILE: >= degraded_after_switches switches less than the
 *     recovery window old                                -> DEGRADED,
 *                                                      REPEATED_INSTABILITY
 *  5. VOLATILE: rx after since, and fresh
 *     (now - last_rx < threshold)                        -> ACTIVE, RECOVERED
 *  6. DEGRADED: a recovery window since entering, no switch inside the
 *     last window, fresh rx                              -> ACTIVE, RECOVERED
 * 4 before 5: a path that came back after repeated switches is still an
 * unstable one. Elapsed times saturate at 0 when the clock is behind.
 */
bool sm_evaluate(const struct sm *sm, const struct sm_limits *lim,
		 const struct sm_inputs *in, struct sm_due *due);

/*
 * Applies due transitions until none is due. At most SM_TICK_MAX are
 * possible in a row (ACTIVE -> VOLATILE -> DEGRADED, or a TTL), because
 * no due transition leads to one whose condition is its opposite. Returns
 * how many were applied.
 */
#define SM_TICK_MAX 4
unsigned int sm_tick(struct sm *sm, const struct sm_limits *lim,
		     const struct sm_inputs *in);

/* ---- around a client-asked switch (docs/reattach.md, "DEGRADED") ---- */

/*
 * Before a switch with reason REATTACHED: a machine in ACTIVE goes
 * VOLATILE (reason REATTACHED: the peer proved a new path because it lost
 * the bound one), so that the switch is made in VOLATILE or DEGRADED on
 * both ends, whichever noticed the loss first, and both make the same
 * number of changes. SM_OK and nothing done for any other reason or state.
 */
enum sm_status sm_before_switch(struct sm *sm, enum jvpnd_reason reason,
				uint64_t now_ms);

/*
 * After a client-asked switch, with in->switch_times_ms including it: a
 * machine in VOLATILE goes DEGRADED (REPEATED_INSTABILITY) when at least
 * degraded_after_switches switches are inside the recovery window, else
 * ACTIVE (REATTACHED). DEGRADED stays DEGRADED: a switch alone never
 * leaves it (rule 6 of sm_evaluate does, after a calm window). SM_OK and
 * nothing done in ACTIVE or DEGRADED.
 */
enum sm_status sm_switched(struct sm *sm, const struct sm_limits *lim,
			   const struct sm_inputs *in);

#endif /* JVPND_SM_H */
