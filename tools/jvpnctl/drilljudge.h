/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The drill's verdicts (docs/operations.md, "The drill"): from what
 * jvpnctl drill saw — the daemon's session before and after, the kernel's
 * session after, the gateway's if it could ask, and every event of the
 * run — one pass/fail item per invariant of the seeds: the session
 * recovered over the new path, one binding, state_version monotonic and
 * equal on both ends, every transition reason-coded, no event gap, and
 * the policy's limits kept. Pure: no I/O, so each verdict has a test.
 */
#ifndef JVPNCTL_DRILLJUDGE_H
#define JVPNCTL_DRILLJUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "kview.h"
#include "obj.h"

struct drill_view {
	const char *session_id;
	const struct obj *before, *after; /* the drill client's jvpnd */
	const struct obj *kernel;	  /* its kernel's session, after */
	/* the gateway's jvpnd (--gateway-socket), or both NULL */
	const struct obj *gw_before, *gw_after;
	const struct objs *events; /* monitor lines, in the order read */
	uint64_t first_seq;	   /* the first event should have this + 1 */
};

/* Appends one item per invariant to @items; true when every one passed. */
bool drill_judge(const struct drill_view *v, struct objs *items);

/* The session's "drill: done"/"drill: failed" event, or NULL. */
const struct obj *drill_result(const struct objs *events, const char *id);

/* The latency_ms of the session's first REATTACH_SUCCESS, or NULL. */
const char *drill_switch_ms(const struct objs *events, const char *id);

#endif /* JVPNCTL_DRILLJUDGE_H */
