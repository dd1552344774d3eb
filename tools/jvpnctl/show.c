// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * show: a summary for people, like `wg show`. dump: one tab-separated line
 * per session in fixed columns, for scripts. Both take --json.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "view.h"

/* The drop counters, in the order people look for them. */
static const char *const drops[] = {
	"drop_bad_auth",  "drop_replay",    "drop_stray",
	"drop_malformed", "drop_inner_src", "drop_unknown_session",
	"drop_no_route",  "drop_tx_error",
};

/* dump's columns: never reordered, only appended to (jvpnctl(8)). */
static const char *const dump_columns[] = {
	"device",	  "session_id",	    "peer",	   "state",
	"state_version",  "local",	    "remote",	   "last_rx_ago_ms",
	"rx_packets",	  "rx_bytes",	    "tx_packets",  "tx_bytes",
	"switches",	  "drop_bad_auth",  "drop_replay", "drop_stray",
	"drop_malformed", "drop_inner_src", "profile",	   "allowed_ips",
};

static void print_drops(const struct obj *o, const char *indent)
{
	bool any = false;

	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
		uint64_t n = obj_u64(o, drops[i], 0);

		if (!n)
			continue;
		printf("%s%s %s %" PRIu64, any ? ", " : indent,
		       any ? "" : "drops:", drops[i] + 5, n);
		any = true;
	}
	if (any)
		putchar('\n');
	else
		printf("%sdrops: none\n", indent);
}

static void print_session(const struct obj *s)
{
	const char *peer = obj_get(s, "peer");
	char rx[24], tx[24], ago[24];

	printf("\n  session %s", obj_get(s, "session_id"));
	if (peer && *peer)
		printf(" (%s)", peer);
	printf("\n    state: %s, version %s", obj_get(s, "state") ?: "?",
	       obj_get(s, "state_version") ?: "?");
	if (obj_get(s, "profile"))
		printf(", profile %s", obj_get(s, "profile"));
	printf("\n    transport: %s -> %s\n", obj_get(s, "local") ?: "?",
	       obj_get(s, "remote") ?: "?");
	if (obj_get(s, "last_rx_ago_ms")) {
		view_duration(ago, sizeof(ago),
			      obj_u64(s, "last_rx_ago_ms", 0));
		printf("    last rx: %s ago\n", ago);
	} else {
		printf("    last rx: never\n");
	}
	view_bytes(rx, sizeof(rx), obj_u64(s, "rx_bytes", 0));
	view_bytes(tx, sizeof(tx), obj_u64(s, "tx_bytes", 0));
	printf("    transfer: %s received, %s sent\n", rx, tx);
	printf("    switches: %s", obj_get(s, "switches") ?: "0");
	if (obj_get(s, "switches_last_minute"))
		printf(" (%s in the last minute)",
		       obj_get(s, "switches_last_minute"));
	printf("\n");
	print_drops(s, "    ");
	if (obj_get(s, "allowed_ips"))
		printf("    allowed ips: %s\n", obj_get(s, "allowed_ips"));
}

static void print_device(const struct dev_view *v)
{
	const struct obj *d = &v->daemon;
	char up[24];

	printf("device: %s\n", v->dev.name);
	if (v->daemon_up) {
		view_duration(up, sizeof(up), obj_u64(d, "uptime_ms", 0));
		printf("  daemon: jvpnd %s, %s, pid %s, up %s, profile %s\n",
		       obj_get(d, "version") ?: "?", obj_get(d, "role") ?: "?",
		       obj_get(d, "pid") ?: "?", up,
		       obj_get(d, "profile") ?: "?");
	} else {
		printf("  daemon: not running (the kernel keeps forwarding; "
		       "no failover until it is back)\n");
	}
	printf("  sessions: %zu\n", v->sessions.n);
	print_drops(&v->dev.counters, "  ");
	for (size_t i = 0; i < v->sessions.n; i++)
		print_session(&v->sessions.items[i]);
}

static void print_device_json(const struct dev_view *v, FILE *out)
{
	fprintf(out,
		"{\"device\":\"%s\",\"ifindex\":%u,\"daemon\":", v->dev.name,
		v->dev.ifindex);
	if (v->daemon_up)
		obj_print_json(&v->daemon, out);
	else
		fputs("null", out);
	fputs(",\"counters\":", out);
	obj_print_json(&v->dev.counters, out);
	fputs(",\"sessions\":", out);
	view_print_array(&v->sessions, out);
	fputc('}', out);
}

static int read_args(const char *cmd, int argc, char **argv, const char **dev)
{
	if (argc > 2)
		return jvpnctl_error(JVPNCTL_USAGE, cmd,
				     "expected at most "
				     "one DEV, got '%s'",
				     argv[2]);
	*dev = argc == 2 ? argv[1] : NULL;
	return JVPNCTL_OK;
}

int cmd_show(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct inventory inv;
	const char *dev = NULL;
	int status = read_args("show", argc, argv, &dev);

	if (status)
		return status;
	status = inventory_read(&inv, o, "show", dev);
	if (!status && o->json)
		fputc('[', stdout);
	for (size_t i = 0; !status && i < inv.n; i++) {
		if (o->json) {
			if (i)
				fputc(',', stdout);
			print_device_json(&inv.devs[i], stdout);
		} else {
			if (i)
				putchar('\n');
			print_device(&inv.devs[i]);
		}
	}
	if (!status && o->json)
		fputs("]\n", stdout);
	else if (!status && !inv.n)
		printf("no jvpn devices\n");
	inventory_free(&inv);
	return status;
}

static void print_row(const struct obj *s)
{
	for (size_t c = 0; c < sizeof(dump_columns) / sizeof(*dump_columns);
	     c++) {
		const char *v = obj_get(s, dump_columns[c]);

		printf("%s%s", c ? "\t" : "", v && *v ? v : "-");
	}
	putchar('\n');
}

int cmd_dump(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct objs all = { 0 };
	struct inventory inv;
	const char *dev = NULL;
	int status = read_args("dump", argc, argv, &dev);

	if (status)
		return status;
	status = inventory_read(&inv, o, "dump", dev);
	for (size_t i = 0; !status && i < inv.n; i++) {
		const struct objs *list = &inv.devs[i].sessions;

		for (size_t s = 0; s < list->n; s++) {
			if (o->json)
				*objs_push(&all) = list->items[s];
			else
				print_row(&list->items[s]);
		}
	}
	if (!status && o->json) {
		view_print_array(&all, stdout);
		putchar('\n');
	}
	/* the objects are the inventory's: only the array goes */
	free(all.items);
	inventory_free(&inv);
	return status;
}
