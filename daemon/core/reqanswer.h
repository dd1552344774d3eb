/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The gateway's memory of the newest reattach request it judged, so that
 * the same request arriving again from a second address gets the answer
 * the first got (docs/reattach.md, "Answering a request from a second
 * address"; the model's g_answered, daemon/core/reattach.pml).
 *
 * Why: an attacker that sees a client's request and is faster than the
 * client's path plays a copy of it from another address. The copy is
 * judged first and takes the nonce; the genuine request then used to be
 * refused REPLAYED_NONCE and its path never challenged, which held every
 * reattach up that the attacker could overtake. Now the request is
 * answered once per address, for at most REQANSWER_ADDRS addresses and
 * only inside its challenge window: a copy can no longer swallow the
 * answer, and the answers stay bounded (each no longer than the request).
 *
 * Pure code: no I/O, no global state; the time is an argument.
 */
#ifndef JVPND_REQANSWER_H
#define JVPND_REQANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reason.h"
#include "reattach.h"

/* The model's CHALLENGES: more slots would raise the number of copies an
 * on-path attacker needs, not the kind of attacker (docs/reattach.md). */
#define REQANSWER_ADDRS 2

struct reqanswer {
	uint64_t nonce;		  /* the newest request judged; 0: none */
	uint64_t until_ms;	  /* answerable before this (monotonic) */
	enum jvpnd_reason reason; /* its verdict; NONE: it was challenged */
	uint32_t retry_after_ms;  /* of that verdict */
	uint8_t n;		  /* addresses answered so far */
	uint8_t path[REQANSWER_ADDRS][REATTACH_PATH_KEY_MAX];
	uint8_t path_len[REQANSWER_ADDRS];
};

/*
 * An authentic request with a new @nonce was judged @reason (NONE: it is
 * challenged) and answered to @path: it replaces whatever was remembered.
 * A path longer than REATTACH_PATH_KEY_MAX forgets everything instead.
 */
void reqanswer_judged(struct reqanswer *a, uint64_t nonce,
		      enum jvpnd_reason reason, uint32_t retry_after_ms,
		      const uint8_t *path, size_t path_len, uint64_t now_ms);

/*
 * An authentic request with @nonce again, from @path, which the nonce
 * check refused (REPLAYED_NONCE). True when it is the newest request,
 * still inside its window, from an address not answered yet, and a slot
 * is left: the caller gives it the answer the first address got (a
 * challenge of its own for NONE, else the same reject), and the slot is
 * taken. False: REPLAYED_NONCE, as for any replay.
 */
bool reqanswer_again(struct reqanswer *a, uint64_t nonce, const uint8_t *path,
		     size_t path_len, uint64_t now_ms);

/* The request was settled (its switch committed): no further answer. */
void reqanswer_forget(struct reqanswer *a);

#endif /* JVPND_REQANSWER_H */
