/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnk: drives the "jvpn" generic-netlink family directly, so that jvpn.ko
 * can be tested without the daemon. One file per group of subcommands;
 * main.c dispatches.
 */
#ifndef JVPNK_H
#define JVPNK_H

#include <stdlib.h>

#include "util.h"

/* Exit statuses, shared by every subcommand (EXIT_SUCCESS, EXIT_FAILURE,
 * EXIT_USAGE of lib/util.h). */
#define EXIT_TIMEOUT 3 /* monitor waited in vain */

/*
 * Every subcommand gets argv starting at its own name (argv[0] is
 * "session-new", ...) and returns an exit status.
 */
int cmd_session_new(int argc, char **argv);
int cmd_set_keys(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_del(int argc, char **argv);
int cmd_switch(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_dev(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_raw(int argc, char **argv);

#endif /* JVPNK_H */
