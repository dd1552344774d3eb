// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jvpnk: a test-only command line for the jvpn generic-netlink family.
 * This file only dispatches: each subcommand lives in its own file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jvpnk.h"

#ifndef JVPN_VERSION
#define JVPN_VERSION "unknown"
#endif

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis; /* arguments, printed after the name */
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "session-new", cmd_session_new,
	  "DEV --id N --bind ADDR:PORT [--bind-dev IFNAME] --peer ADDR:PORT\n"
	  "\t\t--tx-key HEX64 --rx-key HEX64 [--allowed-ip CIDR]...\n"
	  "\t\t[--version N] [--key-phase 0|1] [--min-switch-ms N]\n"
	  "\t\t[--state NAME]",
	  "bind a UDP socket and create a session on it" },
	{ "switch", cmd_switch,
	  "DEV --id N --bind ADDR:PORT [--bind-dev IFNAME] --peer ADDR:PORT\n"
	  "\t\t--expect N --version N",
	  "move a session to a newly bound UDP socket" },
	{ "set-keys", cmd_set_keys,
	  "DEV --id N --tx-key HEX64 --rx-key HEX64 --key-phase 0|1",
	  "install a new key pair" },
	{ "set", cmd_set,
	  "DEV --id N --expect N --version N [--state NAME]\n"
	  "\t\t[--min-switch-ms N]",
	  "change the mirrored state or the switch interval" },
	{ "del", cmd_del, "DEV --id N [--reason NAME]",
	  "delete a session (reason defaults to admin)" },
	{ "get", cmd_get, "DEV --id N [--field NAME]", "print one session" },
	{ "dump", cmd_dump, "DEV [--field NAME]",
	  "print every session of a device, one per line" },
	{ "dev", cmd_dev, "DEV [--field NAME]",
	  "print the device-wide counters" },
	{ "monitor", cmd_monitor,
	  "[--count N] [--timeout SECS] [--dev DEV] [--event NAME]...",
	  "print events; exit 0 after N of them, 3 on timeout" },
	{ "raw", cmd_raw,
	  "DEV CASE [--id N] [--switch [--expect N] [--version N]]",
	  "send a malformed request; exit 0 if the kernel refused it" },
};

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

static void print_synopsis(FILE *out, const struct subcommand *sub)
{
	fprintf(out, "usage: jvpnk %s %s\n", sub->name, sub->synopsis);
}

static void print_help(FILE *out)
{
	fprintf(out,
		"jvpnk %s: drives jvpn.ko over generic netlink, "
		"for tests\n\n",
		JVPN_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(out, "  %-12s %s\n\t\t%s\n", subcommands[i].name,
			subcommands[i].summary, subcommands[i].synopsis);
	fprintf(out,
		"\n"
		"  ADDR:PORT   192.0.2.1:51820 or [2001:db8::1]:51820\n"
		"  CIDR        10.0.0.0/24, fd00::/64; a bare address is "
		"a host\n"
		"  NAME        --state: HANDSHAKE ACTIVE VOLATILE DEGRADED "
		"TERMINATED\n"
		"              --reason: admin device-gone session-ttl "
		"transport-loss-ttl\n"
		"                switch-limit security version-mismatch "
		"replaced\n"
		"              (a number is sent as is)\n"
		"              --event: created deleted switched stray state\n"
		"              --field: a key of the lines get/dump/dev print\n"
		"  CASE        valid wrong-type short-key long-key zero-id "
		"missing-id\n"
		"              missing-remote bad-port bad-prefix bad-family "
		"both-addrs\n"
		"              bad-fd not-udp-fd unbound-fd bad-ifindex "
		"unknown-attr\n"
		"              bad-state bad-reason\n"
		"  exit        0 done, 1 refused or failed, 2 usage, "
		"3 timeout;\n"
		"              raw: 0 refused, 1 accepted, 4 not sent\n");
}

/* "jvpnk help [CMD]" and "jvpnk CMD --help" */
static int help(const char *topic)
{
	const struct subcommand *sub;

	if (!topic) {
		print_help(stdout);
		return EXIT_SUCCESS;
	}
	sub = find_subcommand(topic);
	if (!sub) {
		fprintf(stderr, "jvpnk: help: no subcommand '%s'\n", topic);
		return EXIT_USAGE;
	}
	print_synopsis(stdout, sub);
	return EXIT_SUCCESS;
}

static bool wants_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int main(int argc, char **argv)
{
	const struct subcommand *sub;
	int status;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || wants_help(argv[1]))
		return help(argc > 2 ? argv[2] : NULL);
	if (!strcmp(argv[1], "--version")) {
		printf("jvpnk %s\n", JVPN_VERSION);
		return EXIT_SUCCESS;
	}

	sub = find_subcommand(argv[1]);
	if (!sub) {
		fprintf(stderr, "jvpnk: no subcommand '%s' (try: jvpnk help)\n",
			argv[1]);
		return EXIT_USAGE;
	}
	if (argc > 2 && wants_help(argv[2]))
		return help(sub->name);

	status = sub->run(argc - 1, argv + 1);
	if (status == EXIT_USAGE)
		print_synopsis(stderr, sub);
	return status;
}
