/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Everything show, dump and session list print: each jvpn device with its
 * counters, its daemon's status if one answers, and its sessions with the
 * kernel's and the daemon's halves merged. The kernel is the authority on
 * what exists; the daemon adds what only it knows (peer name, profile).
 */
#ifndef JVPNCTL_INVENTORY_H
#define JVPNCTL_INVENTORY_H

#include "jvpnctl.h"
#include "kview.h"

struct dev_view {
	struct kdev dev;
	bool daemon_up;
	struct obj daemon;    /* its status line */
	struct objs sessions; /* merged */
};

struct inventory {
	struct dev_view *devs;
	size_t n;
};

/* @dev: one device's name or NULL for all. Returns an exit status. */
int inventory_read(struct inventory *inv, const struct jvpnctl_opts *opts,
		   const char *cmd, const char *dev);
void inventory_free(struct inventory *inv);

#endif /* JVPNCTL_INVENTORY_H */
