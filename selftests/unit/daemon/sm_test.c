// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/sm.c: every allowed transition with its reasons and
 * its one record, every refused one (nothing changes, nothing is emitted),
 * TERMINATED is final, the switch bump, the end of the version space, and
 * sm_evaluate for every due transition on both sides of its boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sm.h"

#define T0 100000 /* creation time of every machine here */

/* ---- the outlet: remembers every record ---------------------------- */

struct log {
	struct sm_record recs[16];
	unsigned int n;
};

static void log_outlet(void *ctx, const struct sm_record *rec)
{
	struct log *log = ctx;

	assert_true(log->n < 16);
	log->recs[log->n++] = *rec;
}

static const enum jvpn_state ALL_STATES[] = {
	JVPN_STATE_HANDSHAKE, JVPN_STATE_ACTIVE,     JVPN_STATE_VOLATILE,
	JVPN_STATE_DEGRADED,  JVPN_STATE_TERMINATED,
};
#define N_STATES 5

/* Every reason daemon/core/reason.h defines, NONE first. */
static const enum jvpnd_reason ALL_REASONS[] = {
	JVPND_REASON_NONE,
	JVPND_REASON_UNKNOWN_SESSION,
	JVPND_REASON_BAD_PROOF,
	JVPND_REASON_REPLAYED_NONCE,
	JVPND_REASON_STALE_TIMESTAMP,
	JVPND_REASON_STALE_VERSION,
	JVPND_REASON_RATE_LIMITED,
	JVPND_REASON_COOLDOWN,
	JVPND_REASON_SWITCH_LIMIT,
	JVPND_REASON_CLASS_NOT_ALLOWED,
	JVPND_REASON_VERSION_MISMATCH,
	JVPND_REASON_UNKNOWN_PEER,
	JVPND_REASON_REPLAYED_HANDSHAKE,
	JVPND_REASON_BAD_MAC1,
	JVPND_REASON_HANDSHAKE_DONE,
	JVPND_REASON_HEALTH_THRESHOLD,
	JVPND_REASON_RECOVERED,
	JVPND_REASON_REPEATED_INSTABILITY,
	JVPND_REASON_REATTACHED,
	JVPND_REASON_SESSION_TTL,
	JVPND_REASON_TRANSPORT_LOSS_TTL,
	JVPND_REASON_SECURITY,
	JVPND_REASON_ADMIN,
	JVPND_REASON_NAT_REBINDING,
	JVPND_REASON_INTERFACE_DOWN,
	JVPND_REASON_SOCKET_ERROR,
	JVPND_REASON_KERNEL_LOST,
};
#define N_REASONS (sizeof(ALL_REASONS) / sizeof(ALL_REASONS[0]))

/* Drives a fresh machine to state by allowed steps, then forgets the log. */
static void reach(struct sm *sm, struct log *log, enum jvpn_state state)
{
	memset(log, 0, sizeof(*log));
	sm_init(sm, T0, log_outlet, log);
	if (state == JVPN_STATE_HANDSHAKE)
		goto out;
	if (state == JVPN_STATE_TERMINATED) {
		assert_int_equal(
			sm_transition(sm, state, JVPND_REASON_ADMIN, T0),
			SM_OK);
		goto out;
	}
	assert_int_equal(sm_transition(sm, JVPN_STATE_ACTIVE,
				       JVPND_REASON_HANDSHAKE_DONE, T0),
			 SM_OK);
	if (state == JVPN_STATE_ACTIVE)
		goto out;
	assert_int_equal(sm_transition(sm, JVPN_STATE_VOLATILE,
				       JVPND_REASON_HEALTH_THRESHOLD, T0),
			 SM_OK);
	if (state == JVPN_STATE_VOLATILE)
		goto out;
	assert_int_equal(sm_transition(sm, JVPN_STATE_DEGRADED,
				       JVPND_REASON_REPEATED_INSTABILITY, T0),
			 SM_OK);
out:
	assert_int_equal(sm->state, state);
	log->n = 0;
}

static void assert_record(const struct sm_record *r, enum jvpn_state old,
			  enum jvpn_state new, uint64_t old_version,
			  enum jvpnd_reason reason, uint64_t time)
{
	assert_int_equal(r->old_state, old);
	assert_int_equal(r->new_state, new);
	assert_int_equal(r->old_version, old_version);
	assert_int_equal(r->new_version, old_version + 1);
	assert_int_equal(r->reason, reason);
	assert_int_equal(r->time_ms, time);
}

/* One allowed change: SM_OK, the new state, version + 1, one record. */
static void check_allowed(enum jvpn_state from, enum jvpn_state to,
			  enum jvpnd_reason reason)
{
	struct sm sm;
	struct log log;
	uint64_t v;

	reach(&sm, &log, from);
	v = sm.version;
	assert_int_equal(sm_transition(&sm, to, reason, T0 + 7), SM_OK);
	assert_int_equal(sm.state, to);
	assert_int_equal(sm.version, v + 1);
	assert_int_equal(sm.since_ms, T0 + 7);
	assert_int_equal(log.n, 1);
	assert_record(&log.recs[0], from, to, v, reason, T0 + 7);
}

/* ---- construction -------------------------------------------------- */

static void test_init(void **state)
{
	struct log log = { .n = 0 };
	struct sm sm;

	(void)state;
	sm_init(&sm, T0, log_outlet, &log);
	assert_int_equal(sm.state, JVPN_STATE_HANDSHAKE);
	assert_int_equal(sm.version, SM_FIRST_VERSION);
	assert_int_equal(sm.bound_version, SM_FIRST_VERSION);
	assert_int_equal(sm.created_ms, T0);
	assert_int_equal(sm.since_ms, T0);
	assert_int_equal(log.n, 0);
}

/* The kernel starts a session at version 1 in ACTIVE: the handshake's
 * completion must land exactly there on both ends. */
static void test_handshake_lands_on_kernel_version(void **state)
{
	struct sm sm;
	struct log log;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	assert_int_equal(sm.version, 1);
	assert_int_equal(sm.bound_version, 1);
}

/* ---- allowed transitions ------------------------------------------- */

static void test_handshake_to_active(void **state)
{
	(void)state;
	check_allowed(JVPN_STATE_HANDSHAKE, JVPN_STATE_ACTIVE,
		      JVPND_REASON_HANDSHAKE_DONE);
}

static void test_active_to_volatile(void **state)
{
	(void)state;
	check_allowed(JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE,
		      JVPND_REASON_HEALTH_THRESHOLD);
	check_allowed(JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE,
		      JVPND_REASON_INTERFACE_DOWN);
	check_allowed(JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE,
		      JVPND_REASON_SOCKET_ERROR);
	check_allowed(JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE,
		      JVPND_REASON_NAT_REBINDING);
	check_allowed(JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE,
		      JVPND_REASON_REATTACHED);
	/* the module reloaded under it (daemon/kernelback.c) */
	check_allowed(JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE,
		      JVPND_REASON_KERNEL_LOST);
}

static void test_volatile_to_active(void **state)
{
	(void)state;
	check_allowed(JVPN_STATE_VOLATILE, JVPN_STATE_ACTIVE,
		      JVPND_REASON_RECOVERED);
	check_allowed(JVPN_STATE_VOLATILE, JVPN_STATE_ACTIVE,
		      JVPND_REASON_REATTACHED);
}

static void test_volatile_to_degraded(void **state)
{
	(void)state;
	check_allowed(JVPN_STATE_VOLATILE, JVPN_STATE_DEGRADED,
		      JVPND_REASON_REPEATED_INSTABILITY);
}

static void test_degraded_to_active(void **state)
{
	(void)state;
	check_allowed(JVPN_STATE_DEGRADED, JVPN_STATE_ACTIVE,
		      JVPND_REASON_RECOVERED);
}

/* Any non-terminal state ends with any known reason but NONE. */
static void test_any_to_terminated(void **state)
{
	(void)state;
	for (int s = 0; s < N_STATES - 1; s++)
		for (size_t r = 1; r < N_REASONS; r++)
			check_allowed(ALL_STATES[s], JVPN_STATE_TERMINATED,
				      ALL_REASONS[r]);
}

/* ---- refused transitions ------------------------------------------- */

static bool in_diagram(enum jvpn_state from, enum jvpn_state to)
{
	static const enum jvpn_state edges[][2] = {
		{ JVPN_STATE_HANDSHAKE, JVPN_STATE_ACTIVE },
		{ JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE },
		{ JVPN_STATE_VOLATILE, JVPN_STATE_ACTIVE },
		{ JVPN_STATE_VOLATILE, JVPN_STATE_DEGRADED },
		{ JVPN_STATE_DEGRADED, JVPN_STATE_ACTIVE },
	};

	if (to == JVPN_STATE_TERMINATED)
		return from != JVPN_STATE_TERMINATED;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		if (edges[i][0] == from && edges[i][1] == to)
			return true;
	return false;
}

/* Nothing changes and nothing is emitted. */
static void check_refused(enum jvpn_state from, enum jvpn_state to,
			  enum jvpnd_reason reason, enum sm_status want)
{
	struct sm sm, before;
	struct log log;

	reach(&sm, &log, from);
	memcpy(&before, &sm, sizeof(before));
	assert_int_equal(sm_transition(&sm, to, reason, T0 + 9), want);
	assert_memory_equal(&sm, &before, sizeof(sm));
	assert_int_equal(log.n, 0);
}

/* The whole 5x5 matrix, self-loops included, with every reason: outside
 * the diagram nothing is allowed, whatever the reason. */
static void test_refused_matrix(void **state)
{
	unsigned int refused = 0;

	(void)state;
	for (int f = 0; f < N_STATES; f++) {
		for (int t = 0; t < N_STATES; t++) {
			enum jvpn_state from = ALL_STATES[f],
					to = ALL_STATES[t];

			assert_int_equal(sm_transition_allowed(from, to),
					 in_diagram(from, to));
			if (in_diagram(from, to))
				continue;
			for (size_t r = 0; r < N_REASONS; r++)
				check_refused(from, to, ALL_REASONS[r],
					      from == JVPN_STATE_TERMINATED
						      ? SM_FINAL
						      : SM_REFUSED);
			refused++;
		}
	}
	/* 25 pairs minus 5 edges minus 4 terminations */
	assert_int_equal(refused, 16);
}

static void test_no_implicit_downgrade(void **state)
{
	(void)state;
	check_refused(JVPN_STATE_ACTIVE, JVPN_STATE_DEGRADED,
		      JVPND_REASON_REPEATED_INSTABILITY, SM_REFUSED);
	check_refused(JVPN_STATE_DEGRADED, JVPN_STATE_VOLATILE,
		      JVPND_REASON_HEALTH_THRESHOLD, SM_REFUSED);
	check_refused(JVPN_STATE_ACTIVE, JVPN_STATE_HANDSHAKE,
		      JVPND_REASON_ADMIN, SM_REFUSED);
}

/* Every allowed edge refuses NONE. */
static void test_reason_none_refused(void **state)
{
	(void)state;
	for (int f = 0; f < N_STATES; f++)
		for (int t = 0; t < N_STATES; t++)
			if (in_diagram(ALL_STATES[f], ALL_STATES[t]))
				check_refused(ALL_STATES[f], ALL_STATES[t],
					      JVPND_REASON_NONE, SM_NO_REASON);
}

/* A reason that does not explain the change is refused. */
static void test_reason_must_fit(void **state)
{
	(void)state;
	check_refused(JVPN_STATE_HANDSHAKE, JVPN_STATE_ACTIVE,
		      JVPND_REASON_RECOVERED, SM_NO_REASON);
	check_refused(JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE,
		      JVPND_REASON_SESSION_TTL, SM_NO_REASON);
	check_refused(JVPN_STATE_VOLATILE, JVPN_STATE_DEGRADED,
		      JVPND_REASON_HEALTH_THRESHOLD, SM_NO_REASON);
	check_refused(JVPN_STATE_VOLATILE, JVPN_STATE_ACTIVE,
		      JVPND_REASON_HANDSHAKE_DONE, SM_NO_REASON);
	/* DEGRADED is left only after a calm window, not by a switch */
	check_refused(JVPN_STATE_DEGRADED, JVPN_STATE_ACTIVE,
		      JVPND_REASON_REATTACHED, SM_NO_REASON);
}

static void test_unknown_reason_refused(void **state)
{
	(void)state;
	check_refused(JVPN_STATE_ACTIVE, JVPN_STATE_TERMINATED,
		      (enum jvpnd_reason)999, SM_NO_REASON);
	check_refused(JVPN_STATE_ACTIVE, JVPN_STATE_TERMINATED,
		      (enum jvpnd_reason) - 1, SM_NO_REASON);
	check_refused(JVPN_STATE_ACTIVE, (enum jvpn_state)77,
		      JVPND_REASON_ADMIN, SM_REFUSED);
}

static void test_terminated_is_final(void **state)
{
	struct sm sm, before;
	struct log log;

	(void)state;
	reach(&sm, &log, JVPN_STATE_TERMINATED);
	memcpy(&before, &sm, sizeof(before));
	for (int t = 0; t < N_STATES; t++)
		for (size_t r = 0; r < N_REASONS; r++)
			assert_int_equal(sm_transition(&sm, ALL_STATES[t],
						       ALL_REASONS[r], T0),
					 SM_FINAL);
	assert_int_equal(sm_bump_for_switch(&sm, JVPND_REASON_REATTACHED, T0),
			 SM_FINAL);
	assert_memory_equal(&sm, &before, sizeof(sm));
	assert_int_equal(log.n, 0);
}

static void test_null_machine(void **state)
{
	(void)state;
	assert_int_equal(sm_transition(NULL, JVPN_STATE_ACTIVE,
				       JVPND_REASON_HANDSHAKE_DONE, 0),
			 SM_INVALID);
	assert_int_equal(sm_bump_for_switch(NULL, JVPND_REASON_REATTACHED, 0),
			 SM_INVALID);
}

/* Without an outlet the machine works the same and emits nothing. */
static void test_null_outlet(void **state)
{
	struct sm sm;

	(void)state;
	sm_init(&sm, T0, NULL, NULL);
	assert_int_equal(sm_transition(&sm, JVPN_STATE_ACTIVE,
				       JVPND_REASON_HANDSHAKE_DONE, T0),
			 SM_OK);
	assert_int_equal(sm.version, 1);
}

/* ---- versions --------------------------------------------------------- */

/* A long walk: each record continues the previous one, one per change. */
static void test_versions_chain(void **state)
{
	static const struct {
		enum jvpn_state to;
		enum jvpnd_reason reason;
		bool bump;
	} walk[] = {
		{ JVPN_STATE_ACTIVE, JVPND_REASON_HANDSHAKE_DONE, false },
		{ JVPN_STATE_VOLATILE, JVPND_REASON_HEALTH_THRESHOLD, false },
		{ 0, JVPND_REASON_REATTACHED, true },
		{ JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED, false },
		{ 0, JVPND_REASON_NAT_REBINDING, true },
		{ JVPN_STATE_VOLATILE, JVPND_REASON_INTERFACE_DOWN, false },
		{ JVPN_STATE_DEGRADED, JVPND_REASON_REPEATED_INSTABILITY,
		  false },
		{ 0, JVPND_REASON_REATTACHED, true },
		{ JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED, false },
		{ JVPN_STATE_TERMINATED, JVPND_REASON_SESSION_TTL, false },
	};
	struct log log = { .n = 0 };
	struct sm sm;

	(void)state;
	sm_init(&sm, T0, log_outlet, &log);
	for (size_t i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
		enum sm_status st =
			walk[i].bump ? sm_bump_for_switch(&sm, walk[i].reason,
							  T0 + i)
				     : sm_transition(&sm, walk[i].to,
						     walk[i].reason, T0 + i);

		assert_int_equal(st, SM_OK);
		assert_int_equal(log.n, i + 1);
		assert_int_equal(log.recs[i].old_version, i);
		assert_int_equal(log.recs[i].new_version, i + 1);
		assert_int_equal(log.recs[i].reason, walk[i].reason);
		if (i > 0)
			assert_int_equal(log.recs[i].old_state,
					 log.recs[i - 1].new_state);
	}
	assert_int_equal(sm.version, 10);
	assert_int_equal(sm.state, JVPN_STATE_TERMINATED);
}

/* ---- switch bump ------------------------------------------------------ */

static void check_bump(enum jvpn_state s, enum jvpnd_reason reason)
{
	struct sm sm;
	struct log log;
	uint64_t v, since;

	reach(&sm, &log, s);
	v = sm.version;
	since = sm.since_ms;
	assert_int_equal(sm_bump_for_switch(&sm, reason, T0 + 50), SM_OK);
	assert_int_equal(sm.state, s);
	assert_int_equal(sm.version, v + 1);
	assert_int_equal(sm.bound_version, v + 1);
	/* the time spent VOLATILE or DEGRADED goes on */
	assert_int_equal(sm.since_ms, since);
	assert_int_equal(log.n, 1);
	assert_record(&log.recs[0], s, s, v, reason, T0 + 50);
}

static void test_bump_for_switch(void **state)
{
	(void)state;
	check_bump(JVPN_STATE_ACTIVE, JVPND_REASON_REATTACHED);
	check_bump(JVPN_STATE_VOLATILE, JVPND_REASON_REATTACHED);
	check_bump(JVPN_STATE_DEGRADED, JVPND_REASON_REATTACHED);
	check_bump(JVPN_STATE_ACTIVE, JVPND_REASON_NAT_REBINDING);
	check_bump(JVPN_STATE_VOLATILE, JVPND_REASON_NAT_REBINDING);
}

/* A switch to the version the gateway announced: one record, the jump
 * whole; never backwards, never to a version already held. */
static void test_bump_to_announced(void **state)
{
	struct sm sm;
	struct log log;
	uint64_t v;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	v = sm.version;
	log.n = 0;
	assert_int_equal(sm_bump_for_switch_to(&sm, JVPND_REASON_NAT_REBINDING,
					       v + 5, T0 + 1),
			 SM_OK);
	assert_int_equal(sm.version, v + 5);
	assert_int_equal(sm.bound_version, v + 5);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.recs[0].old_version, v);
	assert_int_equal(log.recs[0].new_version, v + 5);
	assert_int_equal(log.recs[0].old_state, log.recs[0].new_state);
	/* an announced version at or below ours: still one step up */
	assert_int_equal(
		sm_bump_for_switch_to(&sm, JVPND_REASON_REATTACHED, v, T0 + 2),
		SM_OK);
	assert_int_equal(sm.version, v + 6);
	/* the last version belongs to TERMINATED alone */
	assert_int_equal(sm_bump_for_switch_to(&sm, JVPND_REASON_REATTACHED,
					       UINT64_MAX, T0 + 3),
			 SM_EXHAUSTED);
	assert_int_equal(sm.state, JVPN_STATE_TERMINATED);
}

static void test_bump_refused(void **state)
{
	struct sm sm, before;
	struct log log;

	(void)state;
	reach(&sm, &log, JVPN_STATE_HANDSHAKE);
	assert_int_equal(sm_bump_for_switch(&sm, JVPND_REASON_REATTACHED, T0),
			 SM_REFUSED);
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	memcpy(&before, &sm, sizeof(before));
	for (size_t r = 0; r < N_REASONS; r++) {
		enum jvpnd_reason reason = ALL_REASONS[r];

		if (reason == JVPND_REASON_REATTACHED ||
		    reason == JVPND_REASON_NAT_REBINDING)
			continue;
		assert_int_equal(sm_bump_for_switch(&sm, reason, T0),
				 SM_NO_REASON);
	}
	assert_memory_equal(&sm, &before, sizeof(sm));
	assert_int_equal(log.n, 0);
}

/* Other transitions leave bound_version where the last binding put it. */
static void test_bound_version_only_on_binding(void **state)
{
	struct sm sm;
	struct log log;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	assert_int_equal(sm_transition(&sm, JVPN_STATE_VOLATILE,
				       JVPND_REASON_HEALTH_THRESHOLD, T0),
			 SM_OK);
	assert_int_equal(sm_transition(&sm, JVPN_STATE_ACTIVE,
				       JVPND_REASON_RECOVERED, T0),
			 SM_OK);
	assert_int_equal(sm.version, 3);
	assert_int_equal(sm.bound_version, 1);
	assert_int_equal(sm_bump_for_switch(&sm, JVPND_REASON_REATTACHED, T0),
			 SM_OK);
	assert_int_equal(sm.bound_version, 4);
}

/* ---- the end of the version space ----------------------------------- */

static void restore_at(struct sm *sm, struct log *log, enum jvpn_state s,
		       uint64_t version)
{
	struct sm_snapshot snap = {
		.state = s,
		.version = version,
		.bound_version = version,
		.created_ms = T0,
		.since_ms = T0,
	};

	memset(log, 0, sizeof(*log));
	assert_int_equal(sm_restore(sm, &snap, log_outlet, log), SM_OK);
}

/* The last version belongs to TERMINATED: a change that would take it
 * for anything else terminates the machine instead, with SECURITY. */
static void test_version_exhaustion_terminates(void **state)
{
	struct sm sm;
	struct log log;

	(void)state;
	restore_at(&sm, &log, JVPN_STATE_ACTIVE, UINT64_MAX - 2);
	assert_int_equal(sm_transition(&sm, JVPN_STATE_VOLATILE,
				       JVPND_REASON_HEALTH_THRESHOLD, T0),
			 SM_OK);
	assert_int_equal(sm.version, UINT64_MAX - 1);
	assert_int_equal(sm_transition(&sm, JVPN_STATE_ACTIVE,
				       JVPND_REASON_RECOVERED, T0 + 1),
			 SM_EXHAUSTED);
	assert_int_equal(sm.state, JVPN_STATE_TERMINATED);
	assert_int_equal(sm.version, UINT64_MAX);
	assert_int_equal(log.n, 2);
	assert_record(&log.recs[1], JVPN_STATE_VOLATILE, JVPN_STATE_TERMINATED,
		      UINT64_MAX - 1, JVPND_REASON_SECURITY, T0 + 1);
	assert_int_equal(sm_transition(&sm, JVPN_STATE_TERMINATED,
				       JVPND_REASON_ADMIN, T0),
			 SM_FINAL);
}

static void test_version_exhaustion_by_switch(void **state)
{
	struct sm sm;
	struct log log;

	(void)state;
	restore_at(&sm, &log, JVPN_STATE_DEGRADED, UINT64_MAX - 1);
	assert_int_equal(sm_bump_for_switch(&sm, JVPND_REASON_REATTACHED, T0),
			 SM_EXHAUSTED);
	assert_int_equal(sm.state, JVPN_STATE_TERMINATED);
	assert_int_equal(sm.version, UINT64_MAX);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.recs[0].reason, JVPND_REASON_SECURITY);
}

/* A termination asked for at the last version keeps its own reason. */
static void test_last_version_for_termination(void **state)
{
	struct sm sm;
	struct log log;

	(void)state;
	restore_at(&sm, &log, JVPN_STATE_ACTIVE, UINT64_MAX - 1);
	assert_int_equal(sm_transition(&sm, JVPN_STATE_TERMINATED,
				       JVPND_REASON_ADMIN, T0),
			 SM_OK);
	assert_int_equal(sm.version, UINT64_MAX);
	assert_int_equal(log.recs[0].reason, JVPND_REASON_ADMIN);
}

static void test_corrupt_struct_never_wraps(void **state)
{
	struct sm sm;
	struct log log;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	sm.version = UINT64_MAX; /* written by hand, as a bug would */
	assert_int_equal(sm_transition(&sm, JVPN_STATE_TERMINATED,
				       JVPND_REASON_ADMIN, T0),
			 SM_INVALID);
	assert_int_equal(sm.version, UINT64_MAX);
	assert_int_equal(log.n, 0);
}

/* ---- snapshot / restore ---------------------------------------------- */

static void test_snapshot_restore(void **state)
{
	struct sm sm, back;
	struct log log;
	struct sm_snapshot snap;

	(void)state;
	reach(&sm, &log, JVPN_STATE_VOLATILE);
	sm_bump_for_switch(&sm, JVPND_REASON_REATTACHED, T0 + 5);
	sm_snapshot(&sm, &snap);
	assert_int_equal(sm_restore(&back, &snap, log_outlet, &log), SM_OK);
	assert_int_equal(back.state, sm.state);
	assert_int_equal(back.version, sm.version);
	assert_int_equal(back.bound_version, sm.bound_version);
	assert_int_equal(back.created_ms, sm.created_ms);
	assert_int_equal(back.since_ms, sm.since_ms);
	assert_int_equal(log.n, 1); /* only the bump; restore emits none */
}

static void test_restore_refuses_nonsense(void **state)
{
	struct sm_snapshot bad[] = {
		{ .state = (enum jvpn_state)5, .version = 3 },
		{ .state = JVPN_STATE_ACTIVE,
		  .version = 3,
		  .bound_version = 4 },
		{ .state = JVPN_STATE_ACTIVE,
		  .version = UINT64_MAX,
		  .bound_version = 1 },
	};
	struct sm_snapshot ok = { .state = JVPN_STATE_TERMINATED,
				  .version = UINT64_MAX };
	struct sm sm, before;

	(void)state;
	sm_init(&sm, T0, NULL, NULL);
	memcpy(&before, &sm, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sm_restore(&sm, &bad[i], NULL, NULL),
				 SM_INVALID);
		assert_memory_equal(&sm, &before, sizeof(sm));
	}
	assert_int_equal(sm_restore(&sm, NULL, NULL, NULL), SM_INVALID);
	assert_int_equal(sm_restore(&sm, &ok, NULL, NULL), SM_OK);
}

/* ---- sm_evaluate ------------------------------------------------------ */

static const struct sm_limits LIM = {
	.health_threshold_ms = 3000,
	.recovery_window_ms = 60000,
	.degraded_after_switches = 3,
	.session_ttl_s = 86400,
	.transport_loss_ttl_ms = 120000,
};

static bool eval(const struct sm *sm, uint64_t now, uint64_t last_rx,
		 const uint64_t *sw, size_t n, struct sm_due *d)
{
	struct sm_inputs in = { .now_ms = now,
				.last_rx_ms = last_rx,
				.switch_times_ms = sw,
				.switch_count = n };

	memset(d, 0xee, sizeof(*d));
	return sm_evaluate(sm, &LIM, &in, d);
}

static void assert_due(bool is_due, const struct sm_due *d, enum jvpn_state to,
		       enum jvpnd_reason reason)
{
	assert_true(is_due);
	assert_int_equal(d->to, to);
	assert_int_equal(d->reason, reason);
}

static void test_limits_valid(void **state)
{
	struct sm_limits l = LIM;

	(void)state;
	assert_true(sm_limits_valid(&l));
	l.health_threshold_ms = 0;
	assert_false(sm_limits_valid(&l));
	l = LIM;
	l.transport_loss_ttl_ms = l.health_threshold_ms;
	assert_false(sm_limits_valid(&l));
	l = LIM;
	l.degraded_after_switches = 0;
	assert_false(sm_limits_valid(&l));
	l = LIM;
	l.session_ttl_s = 0;
	assert_false(sm_limits_valid(&l));
	l = LIM;
	l.recovery_window_ms = 0;
	assert_false(sm_limits_valid(&l));
	assert_false(sm_limits_valid(NULL));
}

static void test_eval_active_to_volatile_boundary(void **state)
{
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE); /* since T0 */
	assert_false(eval(&sm, T0 + 10000, T0 + 7001, NULL, 0, &d));
	assert_due(eval(&sm, T0 + 10000, T0 + 7000, NULL, 0, &d), &d,
		   JVPN_STATE_VOLATILE, JVPND_REASON_HEALTH_THRESHOLD);
}

/* Entering ACTIVE counts as rx: no VOLATILE before a full threshold. */
static void test_eval_active_counts_from_entry(void **state)
{
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	assert_false(eval(&sm, T0 + 2999, 0, NULL, 0, &d));
	assert_due(eval(&sm, T0 + 3000, 0, NULL, 0, &d), &d,
		   JVPN_STATE_VOLATILE, JVPND_REASON_HEALTH_THRESHOLD);
}

static void test_eval_volatile_recovers(void **state)
{
	struct sm sm;
	struct log log;
	struct sm_due d;
	uint64_t since;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	sm_transition(&sm, JVPN_STATE_VOLATILE, JVPND_REASON_INTERFACE_DOWN,
		      T0 + 1000);
	since = sm.since_ms;
	/* rx at or before entering VOLATILE proves nothing */
	assert_false(eval(&sm, since + 10, since, NULL, 0, &d));
	assert_false(eval(&sm, since + 10, since - 5, NULL, 0, &d));
	assert_due(eval(&sm, since + 10, since + 1, NULL, 0, &d), &d,
		   JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED);
	/* rx after, but no longer fresh */
	assert_false(eval(&sm, since + 1 + 3000, since + 1, NULL, 0, &d));
	assert_due(eval(&sm, since + 1 + 2999, since + 1, NULL, 0, &d), &d,
		   JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED);
}

static void test_eval_volatile_to_degraded_boundary(void **state)
{
	uint64_t now = T0 + 100000;
	uint64_t two[] = { now - 10, now - 20 };
	uint64_t three_in[] = { now - 10, now - 20, now - 59999 };
	uint64_t three_edge[] = { now - 10, now - 20, now - 60000 };
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	reach(&sm, &log, JVPN_STATE_VOLATILE);
	assert_false(eval(&sm, now, 0, two, 2, &d));
	assert_false(eval(&sm, now, 0, three_edge, 3, &d));
	assert_due(eval(&sm, now, 0, three_in, 3, &d), &d, JVPN_STATE_DEGRADED,
		   JVPND_REASON_REPEATED_INSTABILITY);
}

/* Repeated instability wins over a path that just came back. */
static void test_eval_degraded_before_recovered(void **state)
{
	uint64_t now = T0 + 1000;
	uint64_t sw[] = { now - 1, now - 2, now - 3 };
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	reach(&sm, &log, JVPN_STATE_VOLATILE);
	assert_due(eval(&sm, now, now, NULL, 0, &d), &d, JVPN_STATE_ACTIVE,
		   JVPND_REASON_RECOVERED);
	assert_due(eval(&sm, now, now, sw, 3, &d), &d, JVPN_STATE_DEGRADED,
		   JVPND_REASON_REPEATED_INSTABILITY);
}

static void test_eval_degraded_to_active(void **state)
{
	struct sm sm;
	struct log log;
	struct sm_due d;
	uint64_t end = T0 + 60000; /* since T0 + window */
	uint64_t recent[] = { end - 59999 };
	uint64_t old[] = { end - 60000 };

	(void)state;
	reach(&sm, &log, JVPN_STATE_DEGRADED);
	assert_false(eval(&sm, end - 1, end - 1, NULL, 0, &d));
	assert_due(eval(&sm, end, end - 1, NULL, 0, &d), &d, JVPN_STATE_ACTIVE,
		   JVPND_REASON_RECOVERED);
	/* a switch inside the last window: not calm yet */
	assert_false(eval(&sm, end, end - 1, recent, 1, &d));
	assert_due(eval(&sm, end, end - 1, old, 1, &d), &d, JVPN_STATE_ACTIVE,
		   JVPND_REASON_RECOVERED);
	/* no fresh rx: not healthy */
	assert_false(eval(&sm, end, end - 3000, NULL, 0, &d));
	assert_false(eval(&sm, end, 0, NULL, 0, &d));
}

static void test_eval_session_ttl_boundary(void **state)
{
	uint64_t ttl = (uint64_t)LIM.session_ttl_s * 1000;
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	for (int s = 0; s < N_STATES - 1; s++) {
		reach(&sm, &log, ALL_STATES[s]);
		/* fresh rx: only the TTL can be due */
		assert_false(
			eval(&sm, T0 + ttl - 1, T0 + ttl - 1, NULL, 0, &d) &&
			d.to == JVPN_STATE_TERMINATED);
		assert_due(eval(&sm, T0 + ttl, T0 + ttl - 1, NULL, 0, &d), &d,
			   JVPN_STATE_TERMINATED, JVPND_REASON_SESSION_TTL);
	}
}

static void test_eval_transport_loss_boundary(void **state)
{
	uint64_t ttl = LIM.transport_loss_ttl_ms;
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	for (int s = 0; s < N_STATES - 1; s++) {
		reach(&sm, &log, ALL_STATES[s]);
		assert_false(
			eval(&sm, T0 + 500 + ttl - 1, T0 + 500, NULL, 0, &d) &&
			d.to == JVPN_STATE_TERMINATED);
		assert_due(eval(&sm, T0 + 500 + ttl, T0 + 500, NULL, 0, &d), &d,
			   JVPN_STATE_TERMINATED,
			   JVPND_REASON_TRANSPORT_LOSS_TTL);
		/* never any rx: counted from creation */
		assert_due(eval(&sm, T0 + ttl, 0, NULL, 0, &d), &d,
			   JVPN_STATE_TERMINATED,
			   JVPND_REASON_TRANSPORT_LOSS_TTL);
	}
}

/* Changes of state do not restart the transport-loss clock: a session
 * that went VOLATILE, then DEGRADED, without any rx, still ends on time. */
static void test_eval_loss_counts_from_last_life(void **state)
{
	uint64_t ttl = LIM.transport_loss_ttl_ms;
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	sm_transition(&sm, JVPN_STATE_VOLATILE, JVPND_REASON_HEALTH_THRESHOLD,
		      T0 + 50000);
	sm_transition(&sm, JVPN_STATE_DEGRADED,
		      JVPND_REASON_REPEATED_INSTABILITY, T0 + 90000);
	assert_due(eval(&sm, T0 + ttl, 0, NULL, 0, &d), &d,
		   JVPN_STATE_TERMINATED, JVPND_REASON_TRANSPORT_LOSS_TTL);
	assert_false(eval(&sm, T0 + ttl, T0 + 1, NULL, 0, &d));
}

static void test_eval_session_ttl_first(void **state)
{
	uint64_t ttl = (uint64_t)LIM.session_ttl_s * 1000;
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	reach(&sm, &log, JVPN_STATE_VOLATILE);
	assert_due(eval(&sm, T0 + ttl, 0, NULL, 0, &d), &d,
		   JVPN_STATE_TERMINATED, JVPND_REASON_SESSION_TTL);
}

static void test_eval_nothing_due(void **state)
{
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	reach(&sm, &log, JVPN_STATE_HANDSHAKE);
	assert_false(eval(&sm, T0 + 5000, 0, NULL, 0, &d));
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	assert_false(eval(&sm, T0 + 5000, T0 + 4000, NULL, 0, &d));
	reach(&sm, &log, JVPN_STATE_TERMINATED);
	assert_false(eval(&sm, UINT64_MAX, 0, NULL, 0, &d));
	assert_false(sm_evaluate(NULL, &LIM, &(struct sm_inputs){ 0 }, &d));
}

/* A clock behind the session's times makes nothing due (elapsed is 0). */
static void test_eval_clock_behind(void **state)
{
	struct sm sm;
	struct log log;
	struct sm_due d;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	assert_false(eval(&sm, T0 - 50000, 0, NULL, 0, &d));
	assert_false(eval(&sm, T0 + 10000, T0 + 20000, NULL, 0, &d));
}

/* One tick applies a chain, each step with its own record. */
static void test_tick_chain(void **state)
{
	uint64_t now = T0 + 10000;
	uint64_t sw[] = { now - 100, now - 200, now - 300 };
	struct sm_inputs in = { .now_ms = now,
				.last_rx_ms = T0,
				.switch_times_ms = sw,
				.switch_count = 3 };
	struct sm sm;
	struct log log;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	assert_int_equal(sm_tick(&sm, &LIM, &in), 2);
	assert_int_equal(sm.state, JVPN_STATE_DEGRADED);
	assert_int_equal(log.n, 2);
	assert_record(&log.recs[0], JVPN_STATE_ACTIVE, JVPN_STATE_VOLATILE, 1,
		      JVPND_REASON_HEALTH_THRESHOLD, now);
	assert_record(&log.recs[1], JVPN_STATE_VOLATILE, JVPN_STATE_DEGRADED, 2,
		      JVPND_REASON_REPEATED_INSTABILITY, now);
	assert_int_equal(sm_tick(&sm, &LIM, &in), 0);
}

static void test_tick_terminates(void **state)
{
	struct sm_inputs in = { .now_ms = T0 + LIM.transport_loss_ttl_ms };
	struct sm sm;
	struct log log;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	assert_int_equal(sm_tick(&sm, &LIM, &in), 1);
	assert_int_equal(sm.state, JVPN_STATE_TERMINATED);
	assert_int_equal(log.recs[0].reason, JVPND_REASON_TRANSPORT_LOSS_TTL);
	assert_int_equal(sm_tick(&sm, &LIM, &in), 0);
}

/* ---- around a client-asked switch (issue 10, item 7) --------------- */

static enum sm_status switched(struct sm *sm, uint64_t now, const uint64_t *sw,
			       size_t n)
{
	struct sm_inputs in = { .now_ms = now,
				.last_rx_ms = now,
				.switch_times_ms = sw,
				.switch_count = n };

	return sm_switched(sm, &LIM, &in);
}

/* The gateway's session in ACTIVE goes VOLATILE before a client-asked
 * switch, so that both ends make the same changes around it. */
static void test_before_switch(void **state)
{
	struct sm sm;
	struct log log;
	unsigned int n;

	(void)state;
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	n = log.n;
	assert_int_equal(
		sm_before_switch(&sm, JVPND_REASON_NAT_REBINDING, T0 + 1),
		SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_ACTIVE);
	assert_int_equal(log.n, n);
	assert_int_equal(sm_before_switch(&sm, JVPND_REASON_REATTACHED, T0 + 1),
			 SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_VOLATILE);
	assert_int_equal(log.n, n + 1);
	assert_int_equal(log.recs[n].reason, JVPND_REASON_REATTACHED);
	/* already VOLATILE, or DEGRADED: nothing */
	assert_int_equal(sm_before_switch(&sm, JVPND_REASON_REATTACHED, T0 + 2),
			 SM_OK);
	assert_int_equal(log.n, n + 1);
	reach(&sm, &log, JVPN_STATE_DEGRADED);
	assert_int_equal(sm_before_switch(&sm, JVPND_REASON_REATTACHED, T0 + 2),
			 SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_DEGRADED);
}

/*
 * The finding: a switch used to take VOLATILE straight back to
 * ACTIVE, so DEGRADED never came. Two switches in the window: ACTIVE;
 * the third (degraded_after_switches = 3): DEGRADED.
 */
static void test_switched_degrades_exactly(void **state)
{
	uint64_t now = T0 + 100000;
	uint64_t two[] = { now, now - 20000 };
	uint64_t three[] = { now, now - 20000, now - 59999 };
	uint64_t three_old[] = { now, now - 20000, now - 60000 };
	struct sm sm;
	struct log log;

	(void)state;
	reach(&sm, &log, JVPN_STATE_VOLATILE);
	assert_int_equal(switched(&sm, now, two, 2), SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_ACTIVE);
	assert_int_equal(log.recs[log.n - 1].reason, JVPND_REASON_REATTACHED);

	reach(&sm, &log, JVPN_STATE_VOLATILE);
	assert_int_equal(switched(&sm, now, three_old, 3), SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_ACTIVE);

	reach(&sm, &log, JVPN_STATE_VOLATILE);
	assert_int_equal(switched(&sm, now, three, 3), SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_DEGRADED);
	assert_int_equal(log.recs[log.n - 1].reason,
			 JVPND_REASON_REPEATED_INSTABILITY);
}

/* A switch never leaves DEGRADED, and changes nothing in ACTIVE. */
static void test_switched_keeps_degraded(void **state)
{
	uint64_t now = T0 + 100000;
	uint64_t one[] = { now };
	struct sm sm;
	struct log log;
	unsigned int n;

	(void)state;
	reach(&sm, &log, JVPN_STATE_DEGRADED);
	n = log.n;
	assert_int_equal(switched(&sm, now, one, 1), SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_DEGRADED);
	assert_int_equal(log.n, n);
	reach(&sm, &log, JVPN_STATE_ACTIVE);
	n = log.n;
	assert_int_equal(switched(&sm, now, one, 1), SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_ACTIVE);
	assert_int_equal(log.n, n);
}

/*
 * DEGRADED is left exactly when policy says: a whole recovery window
 * after entering it, with no switch inside the last window and fresh rx;
 * a millisecond earlier it is not.
 */
static void test_degraded_left_exactly(void **state)
{
	uint64_t now = T0 + 100000;
	uint64_t three[] = { now, now - 10, now - 20 };
	struct sm sm;
	struct log log;
	struct sm_due d;
	uint64_t since;

	(void)state;
	reach(&sm, &log, JVPN_STATE_VOLATILE);
	assert_int_equal(switched(&sm, now, three, 3), SM_OK);
	assert_int_equal(sm.state, JVPN_STATE_DEGRADED);
	since = sm.since_ms;
	assert_false(eval(&sm, since + 59999, since + 59990, three, 3, &d));
	assert_due(eval(&sm, since + 60000, since + 59990, three, 3, &d), &d,
		   JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED);
	/* not without fresh rx */
	assert_false(eval(&sm, since + 60000, since + 50000, three, 3, &d));
	/* a switch while DEGRADED: a calm window must follow it too */
	{
		uint64_t later[] = { now, now - 10, now - 20, since + 30000 };

		assert_false(
			eval(&sm, since + 60000, since + 59990, later, 4, &d));
		assert_false(
			eval(&sm, since + 89999, since + 89990, later, 4, &d));
		assert_due(
			eval(&sm, since + 90000, since + 89990, later, 4, &d),
			&d, JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_handshake_lands_on_kernel_version),
		cmocka_unit_test(test_handshake_to_active),
		cmocka_unit_test(test_active_to_volatile),
		cmocka_unit_test(test_volatile_to_active),
		cmocka_unit_test(test_volatile_to_degraded),
		cmocka_unit_test(test_degraded_to_active),
		cmocka_unit_test(test_any_to_terminated),
		cmocka_unit_test(test_refused_matrix),
		cmocka_unit_test(test_no_implicit_downgrade),
		cmocka_unit_test(test_reason_none_refused),
		cmocka_unit_test(test_reason_must_fit),
		cmocka_unit_test(test_unknown_reason_refused),
		cmocka_unit_test(test_terminated_is_final),
		cmocka_unit_test(test_null_machine),
		cmocka_unit_test(test_null_outlet),
		cmocka_unit_test(test_versions_chain),
		cmocka_unit_test(test_bump_for_switch),
		cmocka_unit_test(test_bump_refused),
		cmocka_unit_test(test_bump_to_announced),
		cmocka_unit_test(test_bound_version_only_on_binding),
		cmocka_unit_test(test_version_exhaustion_terminates),
		cmocka_unit_test(test_version_exhaustion_by_switch),
		cmocka_unit_test(test_last_version_for_termination),
		cmocka_unit_test(test_corrupt_struct_never_wraps),
		cmocka_unit_test(test_snapshot_restore),
		cmocka_unit_test(test_restore_refuses_nonsense),
		cmocka_unit_test(test_limits_valid),
		cmocka_unit_test(test_eval_active_to_volatile_boundary),
		cmocka_unit_test(test_eval_active_counts_from_entry),
		cmocka_unit_test(test_eval_volatile_recovers),
		cmocka_unit_test(test_eval_volatile_to_degraded_boundary),
		cmocka_unit_test(test_eval_degraded_before_recovered),
		cmocka_unit_test(test_eval_degraded_to_active),
		cmocka_unit_test(test_eval_session_ttl_boundary),
		cmocka_unit_test(test_eval_transport_loss_boundary),
		cmocka_unit_test(test_eval_loss_counts_from_last_life),
		cmocka_unit_test(test_eval_session_ttl_first),
		cmocka_unit_test(test_eval_nothing_due),
		cmocka_unit_test(test_eval_clock_behind),
		cmocka_unit_test(test_tick_chain),
		cmocka_unit_test(test_tick_terminates),
		cmocka_unit_test(test_before_switch),
		cmocka_unit_test(test_switched_degrades_exactly),
		cmocka_unit_test(test_switched_keeps_degraded),
		cmocka_unit_test(test_degraded_left_exactly),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("sm", tests, NULL, NULL);
}
