// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "inventory.h"
#include "view.h"

/* The daemon's half, if a daemon answers: its absence is not an error
 * here (the kernel keeps forwarding without it), only a fact to show. */
static void read_daemon(struct dev_view *v, const struct jvpnctl_opts *opts,
			const char *cmd, struct objs *sessions)
{
	struct jvpnctl_opts quiet = *opts;
	struct ctl c;

	quiet.quiet = true;
	if (!ctl_ask(&c, &quiet, cmd, v->dev.name, "status", NULL) &&
	    ctl_next(&c, &v->daemon) > 0)
		v->daemon_up = true;
	ctl_close(&c);
	if (v->daemon_up &&
	    !ctl_ask(&c, &quiet, cmd, v->dev.name, "sessions", NULL))
		ctl_read_all(&c, sessions);
	ctl_close(&c);
}

static int read_device(struct jvpn_nl *nl, struct dev_view *v,
		       const struct jvpnctl_opts *opts, const char *cmd)
{
	struct objs kernel = { 0 }, daemon = { 0 };
	int status = kview_sessions(nl, &v->dev, &kernel);

	if (status)
		return status;
	read_daemon(v, opts, cmd, &daemon);
	for (size_t i = 0; i < kernel.n; i++) {
		const char *id = obj_get(&kernel.items[i], "session_id");

		view_merge(objs_push(&v->sessions), v->dev.name,
			   &kernel.items[i],
			   id ? objs_find(&daemon, "session_id", id) : NULL);
	}
	objs_free(&kernel);
	objs_free(&daemon);
	return JVPNCTL_OK;
}

int inventory_read(struct inventory *inv, const struct jvpnctl_opts *opts,
		   const char *cmd, const char *dev)
{
	struct kdev *devs = NULL;
	struct jvpn_nl nl;
	size_t n = 0;
	int status;

	*inv = (struct inventory){ 0 };
	status = kview_open(&nl, cmd);
	if (status)
		return status;
	status = kview_devices(&nl, dev, &devs, &n);
	if (!status && n) {
		inv->devs = calloc(n, sizeof(*inv->devs));
		status = inv->devs ? JVPNCTL_OK : JVPNCTL_FAILURE;
	}
	for (size_t i = 0; !status && i < n; i++) {
		inv->devs[i].dev = devs[i];
		devs[i].counters = (struct obj){ 0 };
		inv->n++;
		status = read_device(&nl, &inv->devs[i], opts, cmd);
	}
	kview_free_devices(devs, n);
	jvpn_nl_close(&nl);
	return status;
}

void inventory_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		obj_free(&inv->devs[i].dev.counters);
		obj_free(&inv->devs[i].daemon);
		objs_free(&inv->devs[i].sessions);
	}
	free(inv->devs);
	*inv = (struct inventory){ 0 };
}
