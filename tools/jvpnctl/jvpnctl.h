/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnctl: the operator's tool. Kernel state is read over generic netlink
 * directly (show, dump, the kernel half of session and monitor); what
 * only the daemon knows comes over its control socket. One file per
 * subcommand; main.c dispatches. Exit statuses are part of the interface
 * (jvpnctl(8)): scripts tell "daemon not running" from "no such session".
 */
#ifndef JVPNCTL_H
#define JVPNCTL_H

#include <stdbool.h>

enum jvpnctl_exit {
	JVPNCTL_OK = 0,
	JVPNCTL_FAILURE = 1,	/* anything not below */
	JVPNCTL_USAGE = 2,	/* bad command line: nothing was done */
	JVPNCTL_NO_MODULE = 3,	/* jvpn.ko is not loaded */
	JVPNCTL_NO_DAEMON = 4,	/* no jvpnd answers on the socket */
	JVPNCTL_NO_DEVICE = 5,	/* no such jvpn device */
	JVPNCTL_NO_SESSION = 6, /* no such session */
	JVPNCTL_PERMISSION = 7, /* not root (CAP_NET_ADMIN) */
	JVPNCTL_REFUSED = 8,	/* the daemon refused (a bad config) */
};

/* What every subcommand may be given before its own arguments. */
struct jvpnctl_opts {
	bool json;	    /* --json */
	const char *socket; /* --socket PATH, else by device */
	bool quiet;	    /* probing: a missing daemon is no error */
};

/*
 * Each gets argv from its own name on ("show", "jvpn0") and returns an
 * enum jvpnctl_exit.
 */
int cmd_show(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_dump(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_session(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_monitor(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_policy(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_genkey(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_pubkey(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_checklist(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_evidence(const struct jvpnctl_opts *o, int argc, char **argv);
int cmd_drill(const struct jvpnctl_opts *o, int argc, char **argv);

/* Where drills append their evidence records unless told otherwise. */
#define JVPN_EVIDENCE_LOG "/var/lib/jvpn/evidence.log"

/* "jvpnctl: show: " then the message, on stderr; returns status. */
int jvpnctl_error(int status, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* JVPNCTL_H */
