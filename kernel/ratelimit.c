// SPDX-License-Identifier: GPL-2.0
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/time64.h>
#include "ratelimit.h"

void jvpn_rate_init(struct jvpn_rate *r, unsigned int per_sec,
		    unsigned int burst, u64 now_ns)
{
	spin_lock_init(&r->lock);
	r->interval_ns = div_u64(NSEC_PER_SEC, max(per_sec, 1U));
	r->burst_ns = r->interval_ns * max(burst, 1U);
	r->tokens_ns = r->burst_ns;
	r->last_ns = now_ns;
}

bool jvpn_rate_allow(struct jvpn_rate *r, u64 now_ns)
{
	bool allowed = false;

	spin_lock_bh(&r->lock);
	/* a clock that went backwards refills nothing */
	if (now_ns > r->last_ns) {
		r->tokens_ns = min(r->burst_ns,
				   r->tokens_ns + (now_ns - r->last_ns));
		r->last_ns = now_ns;
	}
	if (r->tokens_ns >= r->interval_ns) {
		r->tokens_ns -= r->interval_ns;
		allowed = true;
	}
	spin_unlock_bh(&r->lock);
	return allowed;
}
