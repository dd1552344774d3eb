/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_COUNTERS_H
#define _JVPN_COUNTERS_H

#include <linux/percpu.h>
#include <linux/types.h>

/*
 * Per-CPU counters of a session or a device. The order matches
 * enum jvpn_stats_attr in uapi/linux/jvpn.h: attribute = counter + 1, and
 * + 2 past JVPN_STATS_A_PAD (jvpn_counter_attr()).
 */
enum jvpn_counter {
	JVPN_C_TX_PACKETS,
	JVPN_C_TX_BYTES,
	JVPN_C_RX_PACKETS,
	JVPN_C_RX_BYTES,
	JVPN_C_DROP_BAD_AUTH,
	JVPN_C_DROP_REPLAY,
	JVPN_C_DROP_STRAY,
	JVPN_C_DROP_UNKNOWN_SESSION,
	JVPN_C_DROP_MALFORMED,
	JVPN_C_DROP_INNER_SRC,
	JVPN_C_DROP_NO_ROUTE,
	JVPN_C_DROP_TX_ERROR,
	JVPN_C_SWITCHES,
	JVPN_C_STRAY_EVENTS_SUPPRESSED,
	/* JVPN_STATS_A_PAD: the counters below are its attribute + 1 */
	JVPN_C_DROP_STRAY_LIMITED,
	JVPN_C_DROP_QUEUE_FULL,
	JVPN_C_MAX
};

struct jvpn_counters {
	u64 c[JVPN_C_MAX];
};

/*
 * this_cpu_add() is one instruction on x86-64, safe from process and
 * softirq context alike; readers sum all CPUs (64-bit loads do not tear).
 */
static inline void jvpn_count(struct jvpn_counters __percpu *pc,
			      enum jvpn_counter c, u64 n)
{
	this_cpu_add(pc->c[c], n);
}

static inline int jvpn_counter_attr(enum jvpn_counter c)
{
	return c + 1 + (c > JVPN_C_STRAY_EVENTS_SUPPRESSED);
}

static inline u64 jvpn_counter_sum(struct jvpn_counters __percpu *pc,
				   enum jvpn_counter c)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(pc, cpu)->c[c]);
	return sum;
}

#endif /* _JVPN_COUNTERS_H */
