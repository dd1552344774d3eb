// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * session list | show ID | kill ID [--reason TEXT]: the kernel says which
 * sessions exist and how they forward; the daemon adds who they are and
 * ends them (a kill goes through jvpnd, so that its state machine, its
 * state file and its events all know).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "inventory.h"
#include "parse.h"
#include "view.h"

static void print_table(const struct inventory *inv)
{
	char ago[24];

	printf("%-8s %-20s %-16s %-10s %7s  %-24s %s\n", "DEVICE", "SESSION",
	       "PEER", "STATE", "VERSION", "REMOTE", "LAST RX");
	for (size_t i = 0; i < inv->n; i++) {
		const struct objs *list = &inv->devs[i].sessions;

		for (size_t s = 0; s < list->n; s++) {
			const struct obj *o = &list->items[s];
			const char *peer = obj_get(o, "peer");

			if (obj_get(o, "last_rx_ago_ms"))
				view_duration(ago, sizeof(ago),
					      obj_u64(o, "last_rx_ago_ms", 0));
			else
				strcpy(ago, "never");
			printf("%-8s %-20s %-16s %-10s %7s  %-24s %s\n",
			       obj_get(o, "device"), obj_get(o, "session_id"),
			       peer && *peer ? peer : "-",
			       obj_get(o, "state") ?: "?",
			       obj_get(o, "state_version") ?: "?",
			       obj_get(o, "remote") ?: "-", ago);
		}
	}
}

static int list(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct objs all = { 0 };
	struct inventory inv;
	int status;

	if (argc > 2)
		return jvpnctl_error(JVPNCTL_USAGE, "session list",
				     "expected "
				     "at most one DEV, got '%s'",
				     argv[2]);
	status = inventory_read(&inv, o, "session list",
				argc == 2 ? argv[1] : NULL);
	if (!status && o->json) {
		for (size_t i = 0; i < inv.n; i++)
			for (size_t s = 0; s < inv.devs[i].sessions.n; s++)
				*objs_push(&all) =
					inv.devs[i].sessions.items[s];
		view_print_array(&all, stdout);
		putchar('\n');
		free(all.items);
	} else if (!status) {
		print_table(&inv);
	}
	inventory_free(&inv);
	return status;
}

/* Decimal or 0x-hex, as jvpnk reads it; 0 is never a session. */
static bool parse_id(const char *text, uint64_t *id)
{
	return text && !parse_u64(text, UINT64_MAX, id) && *id;
}

/* The one session with that id, on DEV or on any jvpn device. */
static const struct obj *find(const struct inventory *inv, uint64_t id)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, id);
	for (size_t i = 0; i < inv->n; i++) {
		const struct obj *o =
			objs_find(&inv->devs[i].sessions, "session_id", text);

		if (o)
			return o;
	}
	return NULL;
}

static void print_fields(const struct obj *o)
{
	for (size_t i = 0; i < o->n; i++)
		printf("%-24s %s\n", o->m[i].name, o->m[i].value);
}

static int show(const struct jvpnctl_opts *o, int argc, char **argv)
{
	const char *cmd = "session show";
	struct inventory inv;
	const struct obj *s;
	uint64_t id;
	int status;

	if (argc < 2 || argc > 3 || !parse_id(argv[1], &id))
		return jvpnctl_error(JVPNCTL_USAGE, cmd,
				     "expected ID [DEV], "
				     "ID a decimal or 0x-hex session id");
	status = inventory_read(&inv, o, cmd, argc == 3 ? argv[2] : NULL);
	s = status ? NULL : find(&inv, id);
	if (!status && !s)
		status = jvpnctl_error(JVPNCTL_NO_SESSION, cmd,
				       "no session "
				       "%" PRIu64 " on %s",
				       id,
				       argc == 3 ? argv[2] : "any jvpn device");
	if (s && o->json) {
		obj_print_json(s, stdout);
		putchar('\n');
	} else if (s) {
		print_fields(s);
	}
	inventory_free(&inv);
	return status;
}

static int kill_session(const struct jvpnctl_opts *o, int argc, char **argv)
{
	const char *cmd = "session kill", *reason = "", *dev = NULL;
	char request[512];
	struct ctl c;
	uint64_t id;
	int status;

	if (argc < 2 || !parse_id(argv[1], &id))
		return jvpnctl_error(JVPNCTL_USAGE, cmd,
				     "expected ID "
				     "[--reason TEXT] [DEV]");
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--reason") && i + 1 < argc)
			reason = argv[++i];
		else if (!dev && argv[i][0] != '-')
			dev = argv[i];
		else
			return jvpnctl_error(JVPNCTL_USAGE, cmd,
					     "unexpected "
					     "'%s'",
					     argv[i]);
	}
	if (strchr(reason, '\n') || strlen(reason) > 128)
		return jvpnctl_error(JVPNCTL_USAGE, cmd,
				     "--reason: one line "
				     "of at most 128 characters");
	snprintf(request, sizeof(request), "kill %" PRIu64 " %s", id, reason);
	status = ctl_ask(&c, o, cmd, dev, request, NULL);
	ctl_close(&c);
	if (!status && o->json)
		printf("{\"killed\":\"%" PRIu64 "\"}\n", id);
	return status;
}

int cmd_session(const struct jvpnctl_opts *o, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";

	if (!strcmp(sub, "list"))
		return list(o, argc > 1 ? argc - 1 : 1, argv + (argc > 1));
	if (!strcmp(sub, "show"))
		return show(o, argc - 1, argv + 1);
	if (!strcmp(sub, "kill"))
		return kill_session(o, argc - 1, argv + 1);
	return jvpnctl_error(JVPNCTL_USAGE, "session",
			     "no subcommand '%s': "
			     "expected list, show or kill",
			     sub);
}
