// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Step 3: across sections, what no single section can see: duplicate
 * keys, names and allowed-ips between peers, missing sections, and the
 * policy of peers without a profile of their own.
 */
#include <stdlib.h>
#include <string.h>

#include "parser.h"

static int compare_claims(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;
	int order = memcmp(x->value, y->value, sizeof(x->value));

	if (order)
		return order;
	return (x->line > y->line) - (x->line < y->line);
}

static int compare_cidr_claims(const void *a, const void *b)
{
	const struct cidr_claim *x = a, *y = b;
	int order = memcmp(&x->cidr, &y->cidr, sizeof(x->cidr));

	if (order)
		return order;
	return (x->line > y->line) - (x->line < y->line);
}

typedef void report_repeat_fn(struct parser *p, const struct claim *repeat,
			      const struct claim *first);

/* Sorted by value, then line: each repeat is reported with its first. */
static void check_unique_claims(struct parser *p, struct vec *vec,
				report_repeat_fn *report)
{
	struct claim *claims = vec->items;

	if (!claims)
		return;
	qsort(claims, vec->count, sizeof(*claims), compare_claims);
	for (size_t i = 1, first = 0; i < vec->count; i++) {
		if (memcmp(claims[i].value, claims[first].value,
			   sizeof(claims[i].value))) {
			first = i;
			continue;
		}
		report(p, &claims[i], &claims[first]);
	}
}

static void report_same_key(struct parser *p, const struct claim *repeat,
			    const struct claim *first)
{
	key_error(p, repeat->line, "public-key",
		  "same key as the "
		  "peer at line %u",
		  first->peer_line);
}

static void report_same_name(struct parser *p, const struct claim *repeat,
			     const struct claim *first)
{
	key_error(p, repeat->line, "name",
		  "\"%s\" is already the "
		  "name of the peer at line %u",
		  (const char *)repeat->value, first->peer_line);
}

/*
 * The same prefix twice would make the kernel's routing depend on which
 * peer was added last: ambiguity, so refused. Overlapping prefixes of
 * different lengths are fine (longest match).
 */
static void check_unique_allowed_ips(struct parser *p)
{
	struct cidr_claim *claims = p->cidr_claims.items;
	char text[64];

	if (!claims)
		return;
	qsort(claims, p->cidr_claims.count, sizeof(*claims),
	      compare_cidr_claims);
	for (size_t i = 1, first = 0; i < p->cidr_claims.count; i++) {
		if (memcmp(&claims[i].cidr, &claims[first].cidr,
			   sizeof(claims[i].cidr))) {
			first = i;
			continue;
		}
		format_cidr(&claims[i].cidr, text, sizeof(text));
		if (claims[i].peer_line == claims[first].peer_line)
			key_error(p, claims[i].line, "allowed-ips",
				  "%s is "
				  "listed twice in this peer (first at line "
				  "%u)",
				  text, claims[first].line);
		else
			key_error(p, claims[i].line, "allowed-ips",
				  "%s is "
				  "already routed to the peer at line %u",
				  text, claims[first].peer_line);
	}
}

static void check_peer_count(struct parser *p)
{
	if (p->role == CONFIG_ROLE_CLIENT && !p->peers.count)
		diag_report(p->diag, DIAG_ERROR, 0, "peer",
			    "no [peer] "
			    "section: a client needs its gateway's [peer]");
	if (p->role == CONFIG_ROLE_GATEWAY && !p->peers.count)
		diag_report(p->diag, DIAG_WARNING, 0, "peer",
			    "no [peer] "
			    "section: this gateway accepts nobody");
}

/* Peers without a profile of their own follow the interface's. */
static void resolve_peer_policies(struct parser *p)
{
	for (size_t i = 0; i < p->peers.count; i++) {
		struct config_peer *peer =
			VEC_AT(&p->peers, struct config_peer, i);

		if (peer->policy == POLICY_OF_INTERFACE)
			peer->policy = p->config->interface.policy;
	}
}

void cross_check(struct parser *p)
{
	if (!p->interface_line)
		diag_report(p->diag, DIAG_ERROR, 0, "interface",
			    "no [interface] section");
	check_peer_count(p);
	check_unique_claims(p, &p->key_claims, report_same_key);
	check_unique_claims(p, &p->name_claims, report_same_name);
	check_unique_allowed_ips(p);
	resolve_peer_policies(p);
}
