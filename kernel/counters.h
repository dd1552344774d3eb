/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_COUNTERS_H
#define _JVPN_COUNTERS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

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
	u64_stats_t c[JVPN_C_MAX];
	struct u64_stats_sync syncp;	/* 32-bit: readers see whole values */
};

/*
 * Counted from process, softirq and NAPI context alike, so the writer
 * keeps interrupts off where a u64 takes two stores (32-bit); on 64-bit
 * this is one add on this CPU's counter.
 */
static inline void jvpn_count(struct jvpn_counters __percpu *pc,
			      enum jvpn_counter c, u64 n)
{
	struct jvpn_counters *p = get_cpu_ptr(pc);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&p->syncp);
	u64_stats_add(&p->c[c], n);
	u64_stats_update_end_irqrestore(&p->syncp, flags);
	put_cpu_ptr(pc);
}

static inline struct jvpn_counters __percpu *jvpn_counters_alloc(void)
{
	struct jvpn_counters __percpu *pc = alloc_percpu(struct jvpn_counters);
	int cpu;

	if (pc)
		for_each_possible_cpu(cpu)
			u64_stats_init(&per_cpu_ptr(pc, cpu)->syncp);
	return pc;
}

static inline int jvpn_counter_attr(enum jvpn_counter c)
{
	return c + 1 + (c > JVPN_C_STRAY_EVENTS_SUPPRESSED);
}

static inline u64 jvpn_counter_sum(struct jvpn_counters __percpu *pc,
				   enum jvpn_counter c)
{
	const struct jvpn_counters *p;
	unsigned int start;
	u64 sum = 0, v;
	int cpu;

	for_each_possible_cpu(cpu) {
		p = per_cpu_ptr(pc, cpu);
		do {
			start = u64_stats_fetch_begin_irq(&p->syncp);
			v = u64_stats_read(&p->c[c]);
		} while (u64_stats_fetch_retry_irq(&p->syncp, start));
		sum += v;
	}
	return sum;
}

#endif /* _JVPN_COUNTERS_H */
