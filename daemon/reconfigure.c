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

bool jvpnd_reload(struct jvpnd *d, struct diag *diag)
{
	struct config next;

	if (config_reload(&d->cfg, d->config_path, &next, diag)) {
		diag_print(diag, stderr);
		reopen_outlets(d);
		jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN,
			   "reload refused: the running configuration stays");
		return false;
	}
	config_free(&d->cfg);
	d->cfg = next;
	metrics_apply_config(d);
	remap_peers(d);
	reopen_outlets(d);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN,
		   "configuration reloaded");
	return true;
}
