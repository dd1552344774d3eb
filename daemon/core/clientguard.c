// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "clientguard.h"

bool clientguard_from_gateway(const union jvpn_sockaddr *endpoints, size_t n,
			      const union jvpn_sockaddr *from)
{
	for (size_t i = 0; i < n; i++)
		if (jvpn_sockaddr_equal(&endpoints[i], from))
			return true;
	return false;
}

void clientguard_request_sent(struct clientguard *g, uint64_t nonce)
{
	g->request_nonce = nonce;
}

enum clientguard_verdict clientguard_challenge(const struct clientguard *g,
					       uint64_t request_nonce)
{
	return request_nonce && request_nonce == g->request_nonce
		       ? CLIENTGUARD_OK
		       : CLIENTGUARD_NOT_OUTSTANDING;
}

enum clientguard_verdict clientguard_ack(struct clientguard *g,
					 uint64_t request_nonce,
					 uint64_t state_version,
					 uint64_t peer_bound)
{
	if (request_nonce &&
	    clientguard_challenge(g, request_nonce) != CLIENTGUARD_OK)
		return CLIENTGUARD_NOT_OUTSTANDING;
	if (state_version <= peer_bound)
		return CLIENTGUARD_STALE_VERSION;
	if (request_nonce)
		g->request_nonce = 0;
	return CLIENTGUARD_OK;
}

enum clientguard_verdict clientguard_reject(struct clientguard *g,
					    uint64_t request_nonce)
{
	if (clientguard_challenge(g, request_nonce) != CLIENTGUARD_OK)
		return CLIENTGUARD_NOT_OUTSTANDING;
	g->request_nonce = 0;
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
