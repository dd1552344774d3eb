// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What a reload changed, as one sentence per change, for the event stream
 * (daemon/reconfigure.c): a SIEM sees each changed value, not only that
 * something changed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "key.h"

struct profile_report {
	config_change_fn *report;
	void *ctx;
	const char *profile;
	size_t changed;
};

static void say(config_change_fn *report, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(config_change_fn *report, void *ctx, const char *fmt, ...)
{
	char text[CONFIG_CHANGE_TEXT_MAX];
	va_list ap;

	if (!report)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	report(ctx, text);
}

static void field_changed(void *ctx, const char *key, const char *old_text,
			  const char *new_text)
{
	struct profile_report *r = ctx;

	r->changed++;
	say(r->report, r->ctx, "profile %s: %s %s -> %s", r->profile, key,
	    old_text, new_text);
}

static size_t diff_profiles(const struct config *old, const struct config *new,
			    config_change_fn *report, void *ctx)
{
	size_t changed = 0;

	for (size_t i = 0; i < new->n_policies; i++) {
		const struct policy *p = &new->policies[i].policy;
		const struct config_policy *was =
			config_find_policy(old, p->name);
		struct profile_report r = { report, ctx, p->name, 0 };

		if (!was) {
			say(report, ctx, "profile %s: added", p->name);
			changed++;
			continue;
		}
		policy_diff(&was->policy, p, field_changed, &r);
		changed += r.changed;
	}
	for (size_t i = 0; i < old->n_policies; i++) {
		const char *name = old->policies[i].policy.name;

		if (!config_find_policy(new, name)) {
			say(report, ctx, "profile %s: removed", name);
			changed++;
		}
	}
	return changed;
}

static const struct config_peer *find_peer(const struct config *c,
					   const uint8_t key[JVPN_KEY_LEN])
{
	for (size_t i = 0; i < c->n_peers; i++)
		if (!memcmp(c->peers[i].public_key, key, JVPN_KEY_LEN))
			return &c->peers[i];
	return NULL;
}

/* A peer by its name, else by its public key (never a secret). */
static const char *peer_label(const struct config_peer *p,
			      char text[KEYS_B64_SIZE])
{
	if (*p->name)
		return p->name;
	key_to_base64(p->public_key, text);
	return text;
}

static bool same_allowed_ips(const struct config_peer *a,
			     const struct config_peer *b)
{
	return a->n_allowed_ips == b->n_allowed_ips &&
	       !memcmp(a->allowed_ips, b->allowed_ips,
		       a->n_allowed_ips * sizeof(a->allowed_ips[0]));
}

static size_t diff_peer(const struct config *old, const struct config *new,
			const struct config_peer *was,
			const struct config_peer *now, config_change_fn *report,
			void *ctx)
{
	const char *old_profile = old->policies[was->policy].policy.name;
	const char *new_profile = new->policies[now->policy].policy.name;
	char key[KEYS_B64_SIZE];
	size_t changed = 0;

	if (strcmp(old_profile, new_profile)) {
		say(report, ctx, "peer %s: profile %s -> %s",
		    peer_label(now, key), old_profile, new_profile);
		changed++;
	}
	if (!same_allowed_ips(was, now)) {
		say(report, ctx, "peer %s: allowed-ips changed (%zu -> %zu)",
		    peer_label(now, key), was->n_allowed_ips,
		    now->n_allowed_ips);
		changed++;
	}
	if (was->drill != now->drill) {
		say(report, ctx, "peer %s: drill %s -> %s",
		    peer_label(now, key), was->drill ? "on" : "off",
		    now->drill ? "on" : "off");
		changed++;
	}
	return changed;
}

static size_t diff_peers(const struct config *old, const struct config *new,
			 config_change_fn *report, void *ctx)
{
	char key[KEYS_B64_SIZE];
	size_t changed = 0;

	for (size_t i = 0; i < new->n_peers; i++) {
		const struct config_peer *now = &new->peers[i];
		const struct config_peer *was = find_peer(old, now->public_key);

		if (was) {
			changed += diff_peer(old, new, was, now, report, ctx);
			continue;
		}
		say(report, ctx, "peer %s: added", peer_label(now, key));
		changed++;
	}
	for (size_t i = 0; i < old->n_peers; i++)
		if (!find_peer(new, old->peers[i].public_key)) {
			say(report, ctx, "peer %s: removed",
			    peer_label(&old->peers[i], key));
			changed++;
		}
	return changed;
}

size_t config_diff(const struct config *old, const struct config *new,
		   config_change_fn *report, void *ctx)
{
	return diff_profiles(old, new, report, ctx) +
	       diff_peers(old, new, report, ctx);
}
