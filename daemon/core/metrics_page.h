/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The daemon's numbers as Prometheus metric families (docs/metrics.md). */
#ifndef JVPND_METRICS_PAGE_H
#define JVPND_METRICS_PAGE_H

#include <stdint.h>

#include <linux/jvpn.h>

#include "expo.h"
#include "stats.h"

/* The daemon's own counters (stats.h), always every family. */
void metrics_render_stats(struct expo *e, const struct stats *st);
void metrics_render_sessions(struct expo *e,
			     const uint64_t by_state[STATS_STATES]);
/* Kernel counters of @device, by enum jvpn_stats_attr. */
void metrics_render_kernel(struct expo *e, const char *device,
			   const uint64_t stats[JVPN_STATS_A_MAX + 1],
			   uint64_t sessions);

#endif /* JVPND_METRICS_PAGE_H */
