// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdio.h>
#include <string.h>

#include "emit.h"
#include "metrics.h"
#include "reconfigure.h"
#include "sessions.h"

/* Peers are found again by key: a reload may add, remove or reorder them. */
static void remap_peers(struct jvpnd *d)
{
	for (size_t i = 0; i < d->n_sessions; i++) {
		struct session *s = &d->sessions[i];
		bool found = false;

		if (!s->in_use)
			continue;
		for (size_t p = 0; p < d->cfg.n_peers && !found; p++)
			if (!memcmp(d->cfg.peers[p].public_key, s->peer_pub,
				    JVPN_KEY_LEN)) {
				s->peer = p;
				found = true;
			}
		if (!found) /* the operator removed the peer */
			session_end(d, s, JVPND_REASON_ADMIN);
	}
}

/*
 * Every reload reopens the event outlets, even with a refused file: that
 * is how logrotate's move-then-HUP works. The counts say what each outlet
 * lost before.
 */
static void reopen_outlets(struct jvpnd *d)
{
	char err[512], counts[256], detail[300];

	if (events_open(&d->out, &d->cfg.interface, err, sizeof(err)) || *err)
		fprintf(stderr, "jvpnd: reopening outlets: %s\n", err);
	events_counts_text(&d->out, counts, sizeof(counts));
	snprintf(detail, sizeof(detail), "outlets reopened: %s", counts);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN, detail);
}

static void emit_change(void *ctx, const char *text)
{
	char detail[CONFIG_CHANGE_TEXT_MAX + 16];

	snprintf(detail, sizeof(detail), "reload: %s", text);
	jvpnd_emit(ctx, EV_DAEMON, NULL, JVPND_REASON_ADMIN, detail);
}

/* The event names why, as stderr does: the first error in file order. */
static void emit_refused(struct jvpnd *d, const struct diag *diag)
{
	char detail[DIAG_TEXT_MAX + 128];
	const char *why = "unknown error";

	for (unsigned int i = 0; i < diag->count; i++)
		if (diag->entries[i].severity == DIAG_ERROR) {
			why = diag->entries[i].text;
			break;
		}
	snprintf(detail, sizeof(detail),
		 "reload refused (%u error%s): %s; the running configuration "
		 "stays",
		 diag->errors, diag->errors == 1 ? "" : "s", why);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN, detail);
}

bool jvpnd_reload(struct jvpnd *d, struct diag *diag)
{
	struct config next;

	if (config_reload(&d->cfg, d->config_path, &next, diag)) {
		diag_print(diag, stderr);
		reopen_outlets(d);
		emit_refused(d, diag);
		return false;
	}
	config_diff(&d->cfg, &next, emit_change, d);
	config_free(&d->cfg);
	d->cfg = next;
	metrics_apply_config(d);
	remap_peers(d);
	reopen_outlets(d);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN,
		   "configuration reloaded");
	return true;
}
