/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Which HANDSHAKE_INITs the gateway spends Diffie-Hellman on: the
 * admission of docs/control-plane-protocol.md ("Cookies under load"),
 * decided after mac1 and before any X25519.
 *
 * Two budgets, both token buckets (limiter.h): one for the whole gateway
 * (handshake-rate) and one per source address (handshake-rate-per-source,
 * in a table of its own: reattach requests never spend it). The gateway is
 * under load while the global bucket holds less than half its burst; then
 * an INIT whose sender has not proven its address (no valid mac2) gets a
 * cookie and nothing else. A proven sender may use the other half: a
 * spoofed flood, which can never prove an address it does not receive at,
 * cannot take the whole budget from the clients that can.
 *
 * Pure code: the time comes in as milliseconds of one monotonic clock.
 */
#ifndef JVPND_HSADMIT_H
#define JVPND_HSADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limiter.h"

enum hsadmit_verdict {
	HSADMIT_ACCEPT,		/* go on with the handshake */
	HSADMIT_COOKIE,		/* under load, not proven: answer a cookie */
	HSADMIT_SOURCE_LIMITED, /* this source is over its budget: drop */
	HSADMIT_BUSY,		/* the gateway's budget is spent: drop */
};

const char *hsadmit_verdict_name(enum hsadmit_verdict v);

struct hsadmit_policy {
	struct limiter_rate global;
	struct limiter_rate per_source;
};

struct hsadmit {
	struct limiter_bucket global;
	struct limiter_table sources;
	uint64_t counts[HSADMIT_BUSY + 1]; /* verdicts so far */
};

/* capacity: how many sources the table remembers (limiter_table_init);
 * false when it cannot be allocated. */
bool hsadmit_init(struct hsadmit *a, uint32_t capacity,
		  const uint8_t hash_key[LIMITER_HASH_KEY_LEN],
		  const struct hsadmit_policy *p, uint64_t now_ms);
void hsadmit_free(struct hsadmit *a);

/*
 * The verdict for one INIT whose mac1 verified, from source (the address
 * only, 1..LIMITER_KEY_MAX bytes), proven when its mac2 verified for that
 * source (cookie.h). Takes from the budgets only on HSADMIT_ACCEPT and
 * HSADMIT_BUSY (the source's token is spent, the global one was not).
 */
enum hsadmit_verdict hsadmit_judge(struct hsadmit *a,
				   const struct hsadmit_policy *p,
				   const uint8_t *source, size_t source_len,
				   bool proven, uint64_t now_ms);

#endif /* JVPND_HSADMIT_H */
