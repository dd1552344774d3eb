/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_RATELIMIT_H
#define _JVPN_RATELIMIT_H

#include <linux/types.h>
#include <linux/spinlock.h>

/*
 * Token bucket with an explicit clock, so tests can drive time: @burst
 * events at once, then one every NSEC_PER_SEC / @per_sec.
 */
struct jvpn_rate {
	spinlock_t lock;
	u64 tokens_ns;	/* credit, in nanoseconds of refill time */
	u64 last_ns;
	u64 interval_ns;
	u64 burst_ns;
};

void jvpn_rate_init(struct jvpn_rate *r, unsigned int per_sec,
		    unsigned int burst, u64 now_ns);
bool jvpn_rate_allow(struct jvpn_rate *r, u64 now_ns);

#endif /* _JVPN_RATELIMIT_H */
