// SPDX-License-Identifier: GPL-2.0
#include <linux/errno.h>
#include "cas.h"

enum jvpn_cas_verdict jvpn_cas_check(u64 current_version,
				     const struct jvpn_cas_request *req)
{
	if (req->expected != current_version)
		return JVPN_CAS_STALE;
	if (req->next <= current_version)
		return JVPN_CAS_NOT_MONOTONIC;
	return JVPN_CAS_OK;
}

/*
 * Staleness is judged before the interval: a caller with an old view must
 * learn that first, whatever the clock says. last_switch_ns == 0: never
 * switched, so no interval applies.
 */
enum jvpn_cas_verdict jvpn_switch_check(u64 current_version,
					const struct jvpn_cas_request *req,
					u64 last_switch_ns, u64 now_ns,
					u64 min_interval_ns)
{
	enum jvpn_cas_verdict v = jvpn_cas_check(current_version, req);

	if (v != JVPN_CAS_OK)
		return v;
	if (last_switch_ns && now_ns < last_switch_ns + min_interval_ns)
		return JVPN_CAS_TOO_SOON;
	return JVPN_CAS_OK;
}

int jvpn_cas_errno(enum jvpn_cas_verdict v)
{
	switch (v) {
	case JVPN_CAS_OK:
		return 0;
	case JVPN_CAS_STALE:
		return -ESTALE;
	case JVPN_CAS_NOT_MONOTONIC:
		return -EINVAL;
	case JVPN_CAS_TOO_SOON:
		return -EBUSY;
	}
	return -EINVAL;
}
