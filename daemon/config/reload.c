// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What a reload may not change (config_check_reload), and the reload
 * itself.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"

static const char *role_name(enum config_role role)
{
	return role == CONFIG_ROLE_GATEWAY  ? "gateway"
	       : role == CONFIG_ROLE_CLIENT ? "client"
					    : "none";
}

static void report_fixed(struct diag *diag, const char *key, const char *what)
{
	diag_report(diag, DIAG_ERROR, 0, key,
		    "%s: %s cannot change on "
		    "reload; restart jvpnd to change it",
		    key, what);
}

unsigned int config_check_reload(const struct config *running,
				 const struct config *next, struct diag *diag)
{
	const struct config_interface *a = &running->interface;
	const struct config_interface *b = &next->interface;
	unsigned int before = diag->errors;

	if (a->role != b->role)
		diag_report(diag, DIAG_ERROR, 0, "role",
			    "role: %s cannot "
			    "become %s on reload; restart jvpnd to change it",
			    role_name(a->role), role_name(b->role));
	if (strcmp(a->device, b->device))
		report_fixed(diag, "device", "the device");
	if (a->n_listen != b->n_listen ||
	    memcmp(a->listen, b->listen, sizeof(a->listen)))
		report_fixed(diag, "listen", "the listen addresses");
	if (strcmp(a->private_key_file, b->private_key_file))
		report_fixed(diag, "private-key-file", "this side's key");
	if (strcmp(a->state_file, b->state_file))
		report_fixed(diag, "state-file", "the state file");
	if (strcmp(a->control_socket, b->control_socket))
		report_fixed(diag, "control-socket", "the control socket");
	if (a->role == CONFIG_ROLE_CLIENT && b->role == CONFIG_ROLE_CLIENT &&
	    running->n_peers && next->n_peers &&
	    memcmp(running->peers[0].public_key, next->peers[0].public_key,
		   JVPN_KEY_LEN))
		diag_report(diag, DIAG_ERROR, next->peers[0].line, "public-key",
			    "public-key: the gateway's key "
			    "cannot change on reload: a new gateway is a new "
			    "session; restart jvpnd");
	return diag->errors - before;
}

int config_reload(const struct config *running, const char *path,
		  struct config *next, struct diag *diag)
{
	if (config_load(path, next, diag) != 0)
		return -1;
	if (config_check_reload(running, next, diag) == 0)
		return 0;
	config_free(next);
	return -1;
}
