/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The client's judgement of what its gateway sends: nothing the gateway
 * sent once can be used twice, and nothing moves the client unless it
 * answers something the client has outstanding (docs/reattach.md,
 * "Client behaviour"). The caller has verified the mac and that the
 * datagram came from one of its configured gateway endpoints
 * (clientguard_from_gateway); these rules are what a replay of an
 * authentic message must still fail.
 *
 * A request is outstanding from when it is sent until its challenge
 * window (REATTACH_CHALLENGE_WINDOW_MS) has passed, an ACK ended the
 * attempt, or a REJECT answered it. Several can be outstanding at once:
 * with a round trip longer than the retry interval the answer to an
 * older request arrives after a newer one went out, and must count.
 *
 * Pure code: no I/O, no global state; the time is an argument
 * (milliseconds of one monotonic clock).
 */
#ifndef JVPND_CLIENTGUARD_H
#define JVPND_CLIENTGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockaddr.h"

/* Requests remembered at once; older ones are forgotten first. Even at
 * the fastest retry schedule fewer than this fit in one window. */
#define CLIENTGUARD_OUTSTANDING 8

struct clientguard_request {
	uint64_t nonce; /* 0: free */
	uint64_t sent_ms;
};

struct clientguard {
	struct clientguard_request out[CLIENTGUARD_OUTSTANDING];
	size_t next;	      /* the slot the next request takes */
	uint64_t probe_sent;  /* greatest PROBE seq sent */
	uint64_t probe_acked; /* greatest PROBE_ACK seq accepted */
};

enum clientguard_verdict {
	CLIENTGUARD_OK,
	CLIENTGUARD_NOT_OUTSTANDING, /* answers nothing asked, or asked before */
	CLIENTGUARD_STALE_VERSION,   /* not above the version already known */
	CLIENTGUARD_COPY_FIRST,	     /* a copy of the request got there first:
				      * the request stays outstanding */
};

/* Whether @from is one of the @n configured gateway endpoints. */
bool clientguard_from_gateway(const union jvpn_sockaddr *endpoints, size_t n,
			      const union jvpn_sockaddr *from);

/* A REATTACH_REQUEST with @nonce (never 0) went out at @now_ms. */
void clientguard_request_sent(struct clientguard *g, uint64_t nonce,
			      uint64_t now_ms);

/* Whether @request_nonce is outstanding at @now_ms. */
bool clientguard_outstanding(const struct clientguard *g,
			     uint64_t request_nonce, uint64_t now_ms);

/* A REATTACH_CHALLENGE for @request_nonce: answered only while that
 * request is outstanding (the challenge may come more than once). */
enum clientguard_verdict clientguard_challenge(const struct clientguard *g,
					       uint64_t request_nonce,
					       uint64_t now_ms);

/*
 * A REATTACH_ACK. request_nonce != 0: it must name an outstanding
 * request; it ends the attempt, so no request is outstanding after it
 * (an ACK is good once, and a later challenge for a request the switch
 * made moot is not answered). request_nonce == 0 is the gateway's notice
 * of a switch it made itself (NAT rebinding). Either way its
 * state_version must be above @peer_bound, the greatest the client has
 * accepted: a replay, even of a notice, never is.
 */
enum clientguard_verdict clientguard_ack(struct clientguard *g,
					 uint64_t request_nonce,
					 uint64_t state_version,
					 uint64_t peer_bound, uint64_t now_ms);

/*
 * A REATTACH_REJECT of @reason for @request_nonce, with the gateway's
 * @nonce_floor, while the client's newest nonce is @own_nonce. It answers
 * its outstanding request once, too (OK); the others stay outstanding.
 * Except: a REPLAYED_NONCE whose floor the client has not passed
 * (@nonce_floor <= @own_nonce) means only that the gateway saw this
 * request before, from wherever: a copy got there first, and the
 * request's own answer (its challenge) may still come. That reject
 * consumes nothing and is no failed attempt: CLIENTGUARD_COPY_FIRST
 * (docs/reattach.md, "Client behaviour"; the model's client). A floor
 * above the client's nonces is the restarted client's resync: OK.
 */
enum clientguard_verdict
clientguard_reject(struct clientguard *g, uint64_t request_nonce,
		   uint16_t reason, uint64_t nonce_floor, uint64_t own_nonce,
		   uint64_t now_ms);

/* No request outstanding any more (the path came back by itself). */
void clientguard_forget_requests(struct clientguard *g);

/* A PROBE with @seq went out. */
void clientguard_probe_sent(struct clientguard *g, uint64_t seq);

/* A PROBE_ACK must echo a probe sent and not yet acknowledged, so every
 * ACK counts once and an old one never: seq in (probe_acked, probe_sent]. */
enum clientguard_verdict clientguard_probe_ack(struct clientguard *g,
					       uint64_t seq);

#endif /* JVPND_CLIENTGUARD_H */
