// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Step 2: [peer] sections and their rules. Keys, names and prefixes are
 * claimed here and checked against each other in check.c.
 */
#include <stdio.h>
#include <string.h>

#include "key.h"
#include "parser.h"

static bool add_claim(struct parser *p, struct vec *claims, const void *value,
		      size_t len, unsigned int peer_line)
{
	struct claim *claim = vec_push(p, claims, sizeof(*claim));

	if (!claim)
		return false;
	memcpy(claim->value, value, len);
	claim->line = p->line;
	claim->peer_line = peer_line;
	return true;
}

static bool apply_public_key(struct parser *p, void *target, const char *value,
			     char *why, size_t why_size)
{
	struct config_peer *peer = target;

	if (!parse_public_key(value, peer->public_key, why, why_size))
		return false;
	add_claim(p, &p->key_claims, peer->public_key, JVPN_KEY_LEN,
		  peer->line);
	return true;
}

static bool add_allowed_ip(struct parser *p, void *target, const char *item,
			   char *why, size_t why_size)
{
	struct config_peer *peer = target;
	struct cidr_claim *claim;
	struct jvpn_cidr cidr;

	if (!parse_config_cidr(item, true, &cidr, why, why_size))
		return false;
	if (peer->n_allowed_ips == CONFIG_MAX_ALLOWED_IPS) {
		snprintf(why, why_size, "more than %d prefixes in one peer",
			 CONFIG_MAX_ALLOWED_IPS);
		return false;
	}
	peer->allowed_ips[peer->n_allowed_ips++] = cidr;
	claim = vec_push(p, &p->cidr_claims, sizeof(*claim));
	if (claim) {
		claim->cidr = cidr;
		claim->line = p->line;
		claim->peer_line = peer->line;
	}
	return true;
}

static bool apply_allowed_ips(struct parser *p, void *target, const char *value,
			      char *why, size_t why_size)
{
	return for_each_item(p, target, value, add_allowed_ip, why, why_size);
}

static bool apply_name(struct parser *p, void *target, const char *value,
		       char *why, size_t why_size)
{
	struct config_peer *peer = target;

	if (strlen(value) >= sizeof(peer->name)) {
		snprintf(why, why_size, "longer than %zu characters",
			 sizeof(peer->name) - 1);
		return false;
	}
	copy_string(peer->name, sizeof(peer->name), value);
	add_claim(p, &p->name_claims, peer->name, strlen(peer->name),
		  peer->line);
	return true;
}

static bool apply_peer_profile(struct parser *p, void *target,
			       const char *value, char *why, size_t why_size)
{
	struct config_peer *peer = target;

	return lookup_profile(p, value, &peer->policy, why, why_size);
}

static bool add_endpoint(struct parser *p, void *target, const char *value,
			 char *why, size_t why_size)
{
	struct config_peer *peer = target;

	(void)p;
	return add_sockaddr(peer->endpoints, &peer->n_endpoints,
			    CONFIG_MAX_ENDPOINTS, value,
			    "endpoints in one peer", why, why_size);
}

/* "wlan0" or "wlan0@192.0.2.7": an interface, maybe pinned to an address. */
static bool parse_uplink(const char *value, struct config_uplink *uplink,
			 char *why, size_t why_size)
{
	char ifname[CONFIG_LINE_MAX + 1];
	const char *at = strchr(value, '@');

	memset(uplink, 0, sizeof(*uplink));
	snprintf(ifname, sizeof(ifname), "%.*s",
		 (int)(at ? (size_t)(at - value) : strlen(value)), value);
	if (!set_ifname(uplink->ifname, ifname, why, why_size))
		return false;
	return !at || parse_address(at + 1, &uplink->local, why, why_size);
}

static bool add_uplink(struct parser *p, void *target, const char *value,
		       char *why, size_t why_size)
{
	struct config_peer *peer = target;
	struct config_uplink uplink;

	(void)p;
	if (!parse_uplink(value, &uplink, why, why_size))
		return false;
	return append_unique(peer->uplinks, &peer->n_uplinks,
			     CONFIG_MAX_UPLINKS, &uplink, sizeof(uplink), value,
			     "uplinks", why, why_size);
}

static bool apply_address(struct parser *p, void *target, const char *value,
			  char *why, size_t why_size)
{
	struct config_peer *peer = target;
	struct jvpn_cidr address;

	(void)p;
	if (!parse_config_cidr(value, false, &address, why, why_size))
		return false;
	if (!address.prefix_len) {
		snprintf(why, why_size,
			 "a /0 prefix is not an address of "
			 "this side; write e.g. 10.8.0.2/24");
		return false;
	}
	peer->address = address;
	return true;
}

static bool apply_psk_file(struct parser *p, void *target, const char *value,
			   char *why, size_t why_size)
{
	struct config_peer *peer = target;
	char err[KEYS_ERR_SIZE];

	(void)p;
	if (keys_load_private_file(value, peer->psk, err) != KEYS_OK) {
		snprintf(why, why_size, "%s", err);
		return false;
	}
	peer->has_psk = true;
	return true;
}

static bool apply_drill(struct parser *p, void *target, const char *value,
			char *why, size_t why_size)
{
	struct config_peer *peer = target;

	(void)p;
	return set_switch(&peer->drill, value, why, why_size);
}

static const struct rule peer_rules[] = {
	{ "public-key", false, ROLE_ANY, NULL, apply_public_key },
	{ "preshared-key-file", false, ROLE_ANY, NULL, apply_psk_file },
	{ "allowed-ips", true, ROLE_ANY, NULL, apply_allowed_ips },
	{ "name", false, ROLE_ANY, NULL, apply_name },
	{ "drill", false, ROLE_ANY, NULL, apply_drill },
	{ "profile", false, ROLE_GATEWAY,
	  "a client's profile is the "
	  "[interface] profile",
	  apply_peer_profile },
	{ "endpoint", true, ROLE_CLIENT,
	  "only a client dials its peer; a "
	  "gateway learns client addresses from their handshakes",
	  add_endpoint },
	{ "uplink", true, ROLE_CLIENT, "only a client has uplinks",
	  add_uplink },
	{ "address", false, ROLE_CLIENT,
	  "only a client has an address "
	  "here; a gateway's clients are its allowed-ips",
	  apply_address },
};

static void finish_peer(struct parser *p, const struct seen *seen,
			unsigned int line)
{
	const size_t n = ARRAY_SIZE(peer_rules);

	require_key(p, peer_rules, n, seen, line, "public-key",
		    "the peer's X25519 public key in base64");
	require_key(p, peer_rules, n, seen, line, "allowed-ips",
		    p->role == CONFIG_ROLE_CLIENT
			    ? "the prefixes to send through the tunnel"
			    : "the inner addresses this client may use");
	if (p->role != CONFIG_ROLE_CLIENT)
		return;
	require_key(p, peer_rules, n, seen, line, "endpoint",
		    "the gateway's ADDR:PORT (one or more)");
	require_key(p, peer_rules, n, seen, line, "address",
		    "this client's inner address, such as 10.8.0.2/24");
}

/* The limits on peers: the count, and one gateway for a client. */
static bool may_add_peer(struct parser *p, const struct section *section)
{
	if (p->role == CONFIG_ROLE_CLIENT && p->first_peer_line) {
		diag_report(p->diag, DIAG_ERROR, section->line, "peer",
			    "[peer]: a client has exactly one [peer], its "
			    "gateway; the first is at line %u",
			    p->first_peer_line);
		return false;
	}
	if (p->peers.count == CONFIG_MAX_PEERS) {
		if (!p->reported_too_many_peers)
			diag_report(p->diag, DIAG_ERROR, section->line, "peer",
				    "[peer]: more than %d peers",
				    CONFIG_MAX_PEERS);
		p->reported_too_many_peers = true;
		return false;
	}
	return true;
}

void read_peer_section(struct parser *p, const struct section *section)
{
	struct seen seen = { { 0 } };
	struct config_peer *peer;

	if (!may_add_peer(p, section))
		return;
	peer = vec_push(p, &p->peers, sizeof(*peer));
	if (!peer)
		return;
	if (!p->first_peer_line)
		p->first_peer_line = section->line;
	peer->line = section->line;
	peer->policy = POLICY_OF_INTERFACE;
	apply_section(p, section, peer_rules, ARRAY_SIZE(peer_rules), "[peer]",
		      peer, &seen);
	finish_peer(p, &seen, section->line);
}
