/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* An event about the daemon or one of its sessions, to every outlet. */
#ifndef JVPND_EMIT_H
#define JVPND_EMIT_H

#include "jvpnd.h"

/* @s may be NULL (the daemon itself); @detail may be NULL. A refusal of
 * unauthenticated input (refusals_summarized()) may be folded into a
 * summary line that jvpnd_emit_flush() writes a second later. */
void jvpnd_emit(struct jvpnd *d, enum event_type type, const struct session *s,
		enum jvpnd_reason reason, const char *detail);
/* The same, with a measured latency (0: none) in the event. */
void jvpnd_emit_timed(struct jvpnd *d, enum event_type type,
		      const struct session *s, enum jvpnd_reason reason,
		      const char *detail, uint64_t latency_us);
/* On every tick: the summaries whose second has passed. */
void jvpnd_emit_flush(struct jvpnd *d);

#endif /* JVPND_EMIT_H */
