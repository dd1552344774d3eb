// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * drill [--session ID] [--uplink NAME] [--gateway-socket PATH]
 *       [--evidence FILE] [--no-evidence] [--timeout SECONDS] [DEV]:
 * the pilot's failover drill (docs/operations.md, "The drill"). Asks the
 * drill client's jvpnd to move its session to another uplink, follows the
 * drill in the daemon's events, reads both ends and the kernel after it,
 * judges the seeds' invariants (drilljudge.h) and appends the result to
 * the evidence log (lib/evidence.h). The daemon refuses a drill that
 * would touch a production session or break the policy's limits.
 */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "ctl.h"
#include "drilljudge.h"
#include "evidence.h"
#include "json.h"
#include "parse.h"
#include "util.h"
#include "view.h"

#define DRILL_TIMEOUT_MS 15000

struct drill_args {
	const char *dev, *uplink, *gw_socket, *evidence;
	uint64_t id; /* 0: the daemon's only session */
	bool record;
	int64_t timeout_ms;
};

/* What one drill saw; drilljudge.h reads it. */
struct drill_run {
	char id[24];
	struct obj status, before, after, kernel;
	struct obj gw_status, gw_before, gw_after;
	bool have_kernel, gw;
	struct objs events;
	uint64_t first_seq;
};

enum {
	OPT_SESSION,
	OPT_UPLINK,
	OPT_GATEWAY_SOCKET,
	OPT_EVIDENCE,
	OPT_NO_EVIDENCE,
	OPT_TIMEOUT
};

static const struct cli_option drill_options[] = {
	[OPT_SESSION] = { "session", true, false },
	[OPT_UPLINK] = { "uplink", true, false },
	[OPT_GATEWAY_SOCKET] = { "gateway-socket", true, false },
	[OPT_EVIDENCE] = { "evidence", true, false },
	[OPT_NO_EVIDENCE] = { "no-evidence", false, false },
	[OPT_TIMEOUT] = { "timeout", true, false },
};

static const struct cli_spec drill_spec = {
	.options = drill_options,
	.n_options = ARRAY_SIZE(drill_options),
	.n_optional_positional = 1,
	.positional_names = "[DEV]",
};

static int drill_option(const struct cli *cli, int option, const char *value,
			void *data)
{
	struct drill_args *a = data;

	switch (option) {
	case OPT_SESSION:
		if (parse_u64(value, UINT64_MAX, &a->id) || !a->id)
			return cli_bad_value(cli, "expected a session id");
		return 0;
	case OPT_UPLINK:
		if (strlen(value) >= 16 || strchr(value, ' '))
			return cli_bad_value(cli, "expected an interface name");
		a->uplink = value;
		return 0;
	case OPT_GATEWAY_SOCKET:
		a->gw_socket = value;
		return 0;
	case OPT_EVIDENCE:
		a->evidence = value;
		return 0;
	case OPT_NO_EVIDENCE:
		a->record = false;
		return 0;
	default:
		if (parse_seconds(value, &a->timeout_ms) || a->timeout_ms <= 0)
			return cli_bad_value(cli, "expected seconds above 0");
		return 0;
	}
}

static int parse_args(int argc, char **argv, struct drill_args *a)
{
	struct cli cli;

	*a = (struct drill_args){ .evidence = JVPN_EVIDENCE_LOG,
				  .record = true,
				  .timeout_ms = DRILL_TIMEOUT_MS };
	if (cli_parse(&cli, argc, argv, &drill_spec, drill_option, a))
		return JVPNCTL_USAGE;
	a->dev = cli.n_positional ? cli.positional[0] : NULL;
	return JVPNCTL_OK;
}

/* @request's data line (the one after "ok") into @out. */
static int ask_line(const struct jvpnctl_opts *o, const char *dev,
		    const char *request, struct obj *out)
{
	struct ctl c = { .fd = -1 };
	int status = ctl_ask(&c, o, "drill", dev, request, NULL);

	if (!status && ctl_next(&c, out) != 1)
		status = jvpnctl_error(JVPNCTL_FAILURE, "drill",
				       "jvpnd sent no answer to '%s'", request);
	ctl_close(&c);
	return status;
}

static int ask_session(const struct jvpnctl_opts *o, const char *dev,
		       const char *id, struct obj *out)
{
	char request[48];

	snprintf(request, sizeof(request), "session %s", id);
	return ask_line(o, dev, request, out);
}

/* The drill client's session: --session, else its only one. */
static int choose_session(const struct jvpnctl_opts *o,
			  const struct drill_args *a, struct drill_run *r)
{
	if (a->id) {
		snprintf(r->id, sizeof(r->id), "%" PRIu64, a->id);
		return JVPNCTL_OK;
	}
	if (obj_u64(&r->status, "sessions", 0) != 1)
		return jvpnctl_error(JVPNCTL_NO_SESSION, "drill",
				     "jvpnd on %s has %s sessions: name one "
				     "with --session ID",
				     obj_get(&r->status, "device") ?: "?",
				     obj_get(&r->status, "sessions") ?: "no");
	struct ctl c = { .fd = -1 };
	struct obj s = { 0 };
	int status = ctl_ask(&c, o, "drill", a->dev, "sessions", NULL);

	if (!status && ctl_next(&c, &s) == 1)
		snprintf(r->id, sizeof(r->id), "%s",
			 obj_get(&s, "session_id") ?: "");
	ctl_close(&c);
	obj_free(&s);
	if (!status && !r->id[0])
		status = jvpnctl_error(JVPNCTL_NO_SESSION, "drill",
				       "jvpnd listed no session");
	return status;
}

/* The kernel's half of the session after the drill, read directly. */
static void read_kernel(struct drill_run *r)
{
	struct kdev *devs = NULL;
	struct jvpn_nl nl;
	size_t n = 0;
	uint64_t id = strtoull(r->id, NULL, 10);

	if (kview_open(&nl, "drill"))
		return;
	if (!kview_devices(&nl, obj_get(&r->status, "device"), &devs, &n) &&
	    n == 1)
		r->have_kernel = !kview_session(&nl, &devs[0], id, &r->kernel);
	kview_free_devices(devs, n);
	jvpn_nl_close(&nl);
}

/* Events until the session's drill result, or the deadline. */
static void follow(struct ctl *mon, struct drill_run *r, uint64_t deadline)
{
	char *line;

	while (!drill_result(&r->events, r->id)) {
		struct pollfd p = { .fd = mon->fd, .events = POLLIN };
		uint64_t now = jvpn_mono_ms();

		if ((line = ctl_line(mon))) {
			struct obj *ev = objs_push(&r->events);

			if (ev && !obj_parse_json(ev, line))
				obj_set(ev, "unparsed", line, OBJ_STRING);
			continue;
		}
		if (now >= deadline)
			return;
		if (poll(&p, 1, (int)(deadline - now)) > 0 &&
		    ctl_fill(mon) <= 0)
			return;
	}
}

/* Starts the drill with a monitor already open, and follows it. */
static int run_drill(const struct jvpnctl_opts *o, const struct drill_args *a,
		     struct drill_run *r)
{
	struct ctl mon = { .fd = -1 }, req = { .fd = -1 };
	struct obj first = { 0 };
	char request[64];
	int status = ctl_ask(&mon, o, "drill", a->dev, "monitor", &first);

	if (status)
		return status;
	r->first_seq = obj_u64(&first, "seq", 0);
	snprintf(request, sizeof(request), "drill %s%s%s", r->id,
		 a->uplink ? " " : "", a->uplink ? a->uplink : "");
	status = ctl_ask(&req, o, "drill", a->dev, request, NULL);
	ctl_close(&req);
	if (!status)
		follow(&mon, r, jvpn_mono_ms() + (uint64_t)a->timeout_ms);
	ctl_close(&mon);
	obj_free(&first);
	return status;
}

static void put_raw_or_null(struct json_line *j, const char *key,
			    const char *number)
{
	json_raw(j, key, number && *number ? number : "null");
}

/* The record: what ran, when, on which config and versions, the
 * measurements, and each invariant's verdict (docs/evidence.md). */
static size_t record(const struct drill_run *r, const struct objs *items,
		     bool pass, char *buf, size_t size)
{
	const struct obj *res = drill_result(&r->events, r->id);
	char when[32];
	time_t now = time(NULL);
	struct json_line j;
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_open_whole(&j, buf, size);
	json_str(&j, "kind", "drill");
	json_u64(&j, "time_unix", (uint64_t)now);
	json_str(&j, "time", when);
	json_str(&j, "verdict", pass ? "pass" : "fail");
	json_str(&j, "device", obj_get(&r->status, "device") ?: "");
	json_str(&j, "session_id", r->id);
	json_str(&j, "peer", obj_get(&r->before, "peer") ?: "");
	json_str(&j, "config", obj_get(&r->status, "config") ?: "");
	json_str(&j, "config_hash", obj_get(&r->status, "config_hash") ?: "");
	json_str(&j, "software", obj_get(&r->status, "version") ?: "");
	if (r->gw)
		json_str(&j, "gateway_software",
			 obj_get(&r->gw_status, "version") ?: "");
	put_raw_or_null(&j, "protocol_version",
			obj_get(&r->after, "protocol_version"));
	json_str(&j, "uplink_before", obj_get(&r->before, "uplink") ?: "");
	json_str(&j, "uplink_after", obj_get(&r->after, "uplink") ?: "");
	put_raw_or_null(&j, "switch_ms", drill_switch_ms(&r->events, r->id));
	put_raw_or_null(&j, "recovery_ms",
			res ? obj_get(res, "latency_ms") : NULL);
	put_raw_or_null(&j, "state_version_before",
			obj_get(&r->before, "state_version"));
	put_raw_or_null(&j, "state_version_after",
			obj_get(&r->after, "state_version"));
	json_u64(&j, "events", r->events.n);
	for (size_t i = 0; i < items->n; i++) {
		const struct obj *it = &items->items[i];
		char key[48];

		json_str(&j, obj_get(it, "item"), obj_get(it, "verdict"));
		snprintf(key, sizeof(key), "%s_why", obj_get(it, "item"));
		if (strcmp(obj_get(it, "verdict"), "pass"))
			json_strn(&j, key, obj_get(it, "reason"), 200);
	}
	return json_close(&j);
}

static int append(const struct drill_args *a, const char *members)
{
	struct evidence_head head;
	char err[256];

	if (evidence_append(a->evidence, members, &head, err, sizeof(err)))
		return jvpnctl_error(JVPNCTL_FAILURE, "drill",
				     "the drill ran but its record was not "
				     "written: %s",
				     err);
	fprintf(stderr, "evidence: record %" PRIu64 " in %s, head %s\n",
		head.seq, a->evidence, head.hash);
	return JVPNCTL_OK;
}

static void print_items(const struct drill_run *r, const struct objs *items,
			bool pass)
{
	printf("drill of session %s on %s: uplink %s -> %s\n", r->id,
	       obj_get(&r->status, "device") ?: "?",
	       obj_get(&r->before, "uplink") ?: "?",
	       obj_get(&r->after, "uplink") ?: "?");
	for (size_t i = 0; i < items->n; i++)
		printf("%-4s  %-17s %s\n", obj_get(&items->items[i], "verdict"),
		       obj_get(&items->items[i], "item"),
		       obj_get(&items->items[i], "reason"));
	printf("verdict: %s\n", pass ? "pass" : "FAIL");
}

/* Before: the client's status and session, the gateway's if asked. */
static int read_before(const struct jvpnctl_opts *o, const struct drill_args *a,
		       struct drill_run *r, struct jvpnctl_opts *gw)
{
	int status = ask_line(o, a->dev, "status", &r->status);

	if (!status && strcmp(obj_get(&r->status, "role") ?: "", "client"))
		status = jvpnctl_error(JVPNCTL_REFUSED, "drill",
				       "jvpnd on %s is a %s: run the drill "
				       "on the drill client's host "
				       "(docs/operations.md)",
				       obj_get(&r->status, "device") ?: "?",
				       obj_get(&r->status, "role") ?: "?");
	if (!status)
		status = choose_session(o, a, r);
	if (!status)
		status = ask_session(o, a->dev, r->id, &r->before);
	if (!status && r->gw)
		status = ask_line(gw, NULL, "status", &r->gw_status);
	if (!status && r->gw)
		status = ask_session(gw, NULL, r->id, &r->gw_before);
	return status;
}

static void run_free(struct drill_run *r)
{
	obj_free(&r->status);
	obj_free(&r->before);
	obj_free(&r->after);
	obj_free(&r->kernel);
	obj_free(&r->gw_status);
	obj_free(&r->gw_before);
	obj_free(&r->gw_after);
	objs_free(&r->events);
}

int cmd_drill(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct jvpnctl_opts gw = *o;
	struct objs items = { 0 };
	struct drill_args a;
	struct drill_run r = { 0 };
	char members[EVIDENCE_LINE_MAX - 256];
	int status = parse_args(argc, argv, &a);
	bool pass;

	if (status)
		return status;
	gw.socket = a.gw_socket;
	r.gw = a.gw_socket != NULL;
	status = read_before(o, &a, &r, &gw);
	if (!status)
		status = run_drill(o, &a, &r);
	if (!status)
		status = ask_session(o, a.dev, r.id, &r.after);
	if (!status && r.gw)
		status = ask_session(&gw, NULL, r.id, &r.gw_after);
	if (status) {
		run_free(&r);
		return status;
	}
	read_kernel(&r);
	pass = drill_judge(
		&(struct drill_view){
			.session_id = r.id,
			.before = &r.before,
			.after = &r.after,
			.kernel = r.have_kernel ? &r.kernel : NULL,
			.gw_before = r.gw ? &r.gw_before : NULL,
			.gw_after = r.gw ? &r.gw_after : NULL,
			.events = &r.events,
			.first_seq = r.first_seq,
		},
		&items);
	if (!record(&r, &items, pass, members, sizeof(members)))
		status = jvpnctl_error(JVPNCTL_FAILURE, "drill",
				       "the record does not fit in a line");
	else if (o->json)
		fputs(members, stdout);
	else
		print_items(&r, &items, pass);
	if (!status && a.record)
		status = append(&a, members);
	objs_free(&items);
	run_free(&r);
	return status ? status : pass ? JVPNCTL_OK : JVPNCTL_FAILURE;
}
