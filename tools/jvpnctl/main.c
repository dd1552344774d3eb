// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jvpnctl: the operator's tool for Jumping VPN (jvpnctl(8)). A table of
 * subcommands, each in its own file; options that every read command
 * takes (--json, --socket) come before the subcommand or right after it.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "jvpnctl.h"

static int cmd_version(const struct jvpnctl_opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (o->json)
		printf("{\"version\":\"%s\"}\n", JVPN_VERSION);
	else
		printf("jvpnctl %s\n", JVPN_VERSION);
	return JVPNCTL_OK;
}

static const struct command {
	const char *name;
	int (*run)(const struct jvpnctl_opts *o, int argc, char **argv);
	const char *args;
	const char *help;
} commands[] = {
	{ "show", cmd_show, "[DEV]", "devices and sessions, for people" },
	{ "dump", cmd_dump, "[DEV]", "one tab-separated line per session" },
	{ "session", cmd_session,
	  "list [DEV] | show ID [DEV] | kill ID "
	  "[--reason TEXT] [DEV]",
	  "sessions, one or all; end one" },
	{ "monitor", cmd_monitor,
	  "[--count N] [--timeout S] [--rcvbuf BYTES] [DEV]",
	  "kernel and daemon events as they happen" },
	{ "policy", cmd_policy, "show [DEV] | reload [DEV]",
	  "the running policy; reload the config file" },
	{ "checklist", cmd_checklist,
	  "[--evidence FILE] [--drill-max-age DURATION] [DEV]",
	  "the safety checklist, judged on the running deployment" },
	{ "drill", cmd_drill,
	  "[--session ID] [--uplink NAME] [--gateway-socket PATH] "
	  "[--evidence FILE] [--no-evidence] [--timeout S] [DEV]",
	  "a failover drill of a drill session, recorded as evidence" },
	{ "evidence", cmd_evidence, "verify|show [--head HASH] [FILE]",
	  "check or print the drills' hash-chained evidence log" },
	{ "genkey", cmd_genkey, "", "print a new private key" },
	{ "pubkey", cmd_pubkey, "",
	  "read a private key, print its public key" },
	{ "version", cmd_version, "", "print the version" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *out)
{
	fprintf(out, "usage: jvpnctl [--json] [--socket PATH] COMMAND [ARGS]\n"
		     "\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n  %-8s   %s\n", commands[i].name,
			commands[i].args, "", commands[i].help);
	fprintf(out, "\nexit status: 0 ok, 1 failure, 2 usage, 3 jvpn.ko not "
		     "loaded, 4 jvpnd not running,\n5 no such device, 6 no "
		     "such session, 7 permission denied, 8 refused\n");
	return out == stdout ? JVPNCTL_OK : JVPNCTL_USAGE;
}

/*
 * Takes --json and --socket PATH out of argv wherever they are, so that
 * "jvpnctl --json show" and "jvpnctl show --json" are the same.
 */
static int take_options(struct jvpnctl_opts *o, int *argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			o->json = true;
		} else if (!strcmp(argv[i], "--socket") ||
			   !strcmp(argv[i], "-s")) {
			if (i + 1 == *argc)
				return jvpnctl_error(JVPNCTL_USAGE, argv[i],
						     "expected a PATH");
			o->socket = argv[++i];
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	argv[out] = NULL;
	return JVPNCTL_OK;
}

int main(int argc, char **argv)
{
	struct jvpnctl_opts opts = { 0 };
	int status = take_options(&opts, &argc, argv);

	if (status)
		return status;
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return usage(stdout);
	if (sodium_init() < 0)
		return JVPNCTL_FAILURE;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(&opts, argc - 1, argv + 1);
	fprintf(stderr, "jvpnctl: no command '%s' (try: jvpnctl help)\n",
		argv[1]);
	return JVPNCTL_USAGE;
}
