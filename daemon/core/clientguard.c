// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include "clientguard.h"
#include "reason.h"
#include "reattach.h"

bool clientguard_from_gateway(const union jvpn_sockaddr *endpoints, size_t n,
			      const union jvpn_sockaddr *from)
{
	for (size_t i = 0; i < n; i++)
		if (jvpn_sockaddr_equal(&endpoints[i], from))
			return true;
	return false;
}

void clientguard_request_sent(struct clientguard *g, uint64_t nonce,
			      uint64_t now_ms)
{
	if (!nonce)
		return;
	g->out[g->next].nonce = nonce;
	g->out[g->next].sent_ms = now_ms;
	g->next = (g->next + 1) % CLIENTGUARD_OUTSTANDING;
}

/* The slot of an outstanding @nonce, or NULL. */
static struct clientguard_request *find(const struct clientguard *g,
					uint64_t nonce, uint64_t now_ms)
{
	if (!nonce)
		return NULL;
	for (size_t i = 0; i < CLIENTGUARD_OUTSTANDING; i++) {
		const struct clientguard_request *r = &g->out[i];

		/* a clock behind the send time counts as inside the window */
		if (r->nonce == nonce &&
		    (now_ms < r->sent_ms ||
		     now_ms - r->sent_ms < REATTACH_CHALLENGE_WINDOW_MS))
			return (struct clientguard_request *)r;
	}
	return NULL;
}

bool clientguard_outstanding(const struct clientguard *g,
			     uint64_t request_nonce, uint64_t now_ms)
{
	return find(g, request_nonce, now_ms) != NULL;
}

enum clientguard_verdict clientguard_challenge(const struct clientguard *g,
					       uint64_t request_nonce,
					       uint64_t now_ms)
{
	return find(g, request_nonce, now_ms) ? CLIENTGUARD_OK
					      : CLIENTGUARD_NOT_OUTSTANDING;
}

void clientguard_forget_requests(struct clientguard *g)
{
	memset(g->out, 0, sizeof(g->out));
	g->next = 0;
}

enum clientguard_verdict clientguard_ack(struct clientguard *g,
					 uint64_t request_nonce,
					 uint64_t state_version,
					 uint64_t peer_bound, uint64_t now_ms)
{
	if (request_nonce && !find(g, request_nonce, now_ms))
		return CLIENTGUARD_NOT_OUTSTANDING;
	if (state_version <= peer_bound)
		return CLIENTGUARD_STALE_VERSION;
	if (request_nonce)
		clientguard_forget_requests(g);
	return CLIENTGUARD_OK;
}

enum clientguard_verdict clientguard_reject(struct clientguard *g,
					    uint64_t request_nonce,
					    uint16_t reason,
					    uint64_t nonce_floor,
					    uint64_t own_nonce, uint64_t now_ms)
{
	struct clientguard_request *r = find(g, request_nonce, now_ms);

	if (!r)
		return CLIENTGUARD_NOT_OUTSTANDING;
	if (reason == JVPND_REASON_REPLAYED_NONCE && nonce_floor <= own_nonce)
		return CLIENTGUARD_COPY_FIRST;
	r->nonce = 0;
	return CLIENTGUARD_OK;
}

void clientguard_probe_sent(struct clientguard *g, uint64_t seq)
{
	if (seq > g->probe_sent)
		g->probe_sent = seq;
}

enum clientguard_verdict clientguard_probe_ack(struct clientguard *g,
					       uint64_t seq)
{
	if (seq <= g->probe_acked || seq > g->probe_sent)
		return CLIENTGUARD_NOT_OUTSTANDING;
	g->probe_acked = seq;
	return CLIENTGUARD_OK;
}
