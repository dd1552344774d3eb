/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_CAS_H
#define _JVPN_CAS_H

#include <linux/types.h>

/*
 * The kernel's defence in depth on transport switches and state changes:
 * userspace states the state_version it believes is current and the one it
 * moves to. Pure, so KUnit can prove every branch.
 */
struct jvpn_cas_request {
	u64 expected;		/* what userspace believes is current */
	u64 next;		/* what it moves to: must be greater */
};

enum jvpn_cas_verdict {
	JVPN_CAS_OK,
	JVPN_CAS_STALE,		/* expected != current: -ESTALE */
	JVPN_CAS_NOT_MONOTONIC,	/* next <= current: -EINVAL */
	JVPN_CAS_TOO_SOON,	/* inside the minimum switch interval: -EBUSY */
};

enum jvpn_cas_verdict jvpn_cas_check(u64 current_version,
				     const struct jvpn_cas_request *req);
enum jvpn_cas_verdict jvpn_switch_check(u64 current_version,
					const struct jvpn_cas_request *req,
					u64 last_switch_ns, u64 now_ns,
					u64 min_interval_ns);
int jvpn_cas_errno(enum jvpn_cas_verdict v);

#endif /* _JVPN_CAS_H */
