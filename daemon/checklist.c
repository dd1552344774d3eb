// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "checklist.h"
#include "emit.h"
#include "jvpnd.h"

/* A policy item and the fields whose values its reason shows. */
static const struct policy_item {
	const char *item;
	enum policy_field fields[2];
	size_t n_fields;
} policy_items[] = {
	{ "SessionTTL", { POLICY_SESSION_TTL }, 1 },
	{ "TransportLossTTL", { POLICY_TRANSPORT_LOSS_TTL }, 1 },
	{ "MaxSwitchesPerMinute", { POLICY_MAX_SWITCHES_PER_MINUTE }, 1 },
	{ "ReplayWindow", { POLICY_REPLAY_WINDOW }, 1 },
	{ "RateLimiter",
	  { POLICY_REATTACH_RATE_PER_SESSION, POLICY_REATTACH_RATE_PER_SOURCE },
	  2 },
	{ "Cooldown", { POLICY_COOLDOWN }, 1 },
	{ "HealthThreshold",
	  { POLICY_HEALTH_THRESHOLD, POLICY_PROBE_INTERVAL },
	  2 },
	{ "RecoveryWindow",
	  { POLICY_RECOVERY_WINDOW, POLICY_DEGRADED_AFTER_SWITCHES },
	  2 },
	{ "FreshnessWindow", { POLICY_FRESHNESS_WINDOW }, 1 },
	{ "TransportClasses", { POLICY_ALLOWED_TRANSPORTS }, 1 },
	{ "HandshakeTimeout", { POLICY_HANDSHAKE_TIMEOUT }, 1 },
	{ "ReattachAttempts", { POLICY_MAX_REATTACH_ATTEMPTS }, 1 },
};

#define MAX_PROFILES_IN_USE (CONFIG_MAX_POLICIES + 1)

const char *check_verdict_name(enum check_verdict v)
{
	return v == CHECK_PASS ? "pass" : v == CHECK_FAIL ? "fail" : "n/a";
}

static size_t add_unique(const struct policy **in_use, size_t n,
			 const struct policy *p)
{
	for (size_t i = 0; i < n; i++)
		if (in_use[i] == p)
			return n;
	in_use[n] = p;
	return n + 1;
}

/* The interface's profile and every peer's, each once. */
static size_t profiles_in_use(const struct config *cfg,
			      const struct policy **in_use)
{
	size_t n = add_unique(in_use, 0, config_interface_policy(cfg));

	for (size_t i = 0; i < cfg->n_peers && n < MAX_PROFILES_IN_USE; i++)
		n = add_unique(in_use, n,
			       config_peer_policy(cfg, &cfg->peers[i]));
	return n;
}

static void append(char *buf, size_t size, const char *fmt, const char *a,
		   const char *b, const char *c)
{
	size_t len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, fmt, a, b, c);
}

/* "mobile: session-ttl 24h; datacenter: session-ttl 168h" */
static void describe(const struct policy_item *pi,
		     const struct policy *const *in_use, size_t n, char *buf,
		     size_t size)
{
	*buf = 0;
	for (size_t i = 0; i < n; i++) {
		append(buf, size, "%s%s:%s", i ? "; " : "", in_use[i]->name,
		       "");
		for (size_t f = 0; f < pi->n_fields; f++) {
			char value[64];

			policy_format_field(in_use[i], pi->fields[f], value,
					    sizeof(value));
			append(buf, size, "%s %s %s", f ? "," : "",
			       policy_field_key(pi->fields[f]), value);
		}
	}
}

/*
 * A running daemon's file passed these checks when it was loaded, so an
 * error here is rare (a built-in profile changed under it); a warning is
 * shown in the reason, the item still passes.
 */
static void judge_policy(const struct policy_item *pi,
			 const struct policy *const *in_use, size_t n,
			 struct check_item *out)
{
	const struct diag_entry *e = NULL;
	struct diag diag;

	out->item = pi->item;
	out->verdict = CHECK_PASS;
	describe(pi, in_use, n, out->reason, sizeof(out->reason));
	for (size_t i = 0; i < n; i++) {
		diag_init(&diag, NULL);
		policy_check(in_use[i], &diag);
		e = diag_find(&diag, pi->item);
		if (!e)
			continue;
		if (e->severity == DIAG_ERROR)
			out->verdict = CHECK_FAIL;
		snprintf(out->reason, sizeof(out->reason), "%s%s",
			 e->severity == DIAG_WARNING ? "warning: " : "",
			 e->text);
		if (out->verdict == CHECK_FAIL)
			return;
	}
}

static void judge_ownership(const struct jvpnd *d, struct check_item *out)
{
	out->item = "OwnershipModel";
	if (d->cfg.interface.role == CONFIG_ROLE_CLIENT) {
		out->verdict = CHECK_NOT_APPLICABLE;
		snprintf(out->reason, sizeof(out->reason),
			 "a client owns its one session; ownership is the "
			 "gateway's question");
		return;
	}
	out->verdict = CHECK_PASS;
	snprintf(out->reason, sizeof(out->reason),
		 "single node: this gateway owns every session it completed "
		 "a handshake for, bound in this host's jvpn.ko only "
		 "(docs/config.md, Safety checklist)");
}

/* A test event now, and whether each outlet counted it as sent. */
static void judge_logging(struct jvpnd *d, struct check_item *out)
{
	uint64_t before[OUTLET_COUNT];
	size_t len = 0;
	bool any = false;

	out->item = "LoggingPipeline";
	out->verdict = CHECK_PASS;
	memcpy(before, d->out.sent, sizeof(before));
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN,
		   "checklist: test event through every outlet");
	for (int k = 0; k < OUTLET_COUNT; k++) {
		bool took = d->out.sent[k] > before[k];

		if (!outlet_enabled(&d->out, k))
			continue;
		any = true;
		if (!took)
			out->verdict = CHECK_FAIL;
		if (len < sizeof(out->reason))
			len += (size_t)snprintf(
				out->reason + len, sizeof(out->reason) - len,
				"%s%s %s (sent=%" PRIu64 " lost=%" PRIu64 ")",
				len ? ", " : "", outlet_name(k),
				took ? "took the test event"
				     : "did not take the test event",
				d->out.sent[k], d->out.lost[k]);
	}
	if (!any) {
		out->verdict = CHECK_FAIL;
		snprintf(out->reason, sizeof(out->reason),
			 "no outlet is configured: every event is lost");
	}
}

size_t jvpnd_checklist(struct jvpnd *d, struct check_item *items)
{
	const struct policy *in_use[MAX_PROFILES_IN_USE];
	size_t n_profiles = profiles_in_use(&d->cfg, in_use);
	size_t n = 0;

	for (size_t i = 0; i < 4; i++)
		judge_policy(&policy_items[i], in_use, n_profiles, &items[n++]);
	judge_ownership(d, &items[n++]);
	judge_policy(&policy_items[4], in_use, n_profiles, &items[n++]);
	judge_logging(d, &items[n++]);
	for (size_t i = 5; i < sizeof(policy_items) / sizeof(policy_items[0]);
	     i++)
		judge_policy(&policy_items[i], in_use, n_profiles, &items[n++]);
	return n;
}
