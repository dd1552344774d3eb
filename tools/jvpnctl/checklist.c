// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * checklist [--evidence FILE] [--drill-max-age DURATION] [DEV]: the
 * integration guide's safety checklist (§6) on the running deployment.
 * jvpnd judges what it runs (policy in force, ownership, a test event
 * through every outlet, daemon/checklist.c); this file adds the one item
 * only the evidence log can answer: a passed drill younger than the age
 * allowed. Exit status 1 when any item fails.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "duration.h"
#include "evidence.h"
#include "view.h"

#define DEFAULT_DRILL_MAX_AGE_MS (30ull * 24 * 3600 * 1000)

struct checklist_args {
	const char *evidence;
	uint64_t max_age_ms;
	const char *dev;
};

static int parse_args(int argc, char **argv, struct checklist_args *a)
{
	static const struct jvpn_duration_rules rules = {
		.max_ms = 10ull * 365 * 24 * 3600 * 1000,
	};

	*a = (struct checklist_args){ JVPN_EVIDENCE_LOG,
				      DEFAULT_DRILL_MAX_AGE_MS, NULL };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--evidence") && i + 1 < argc) {
			a->evidence = argv[++i];
		} else if (!strcmp(argv[i], "--drill-max-age") &&
			   i + 1 < argc) {
			if (jvpn_parse_duration(argv[++i], &rules,
						&a->max_age_ms))
				return jvpnctl_error(JVPNCTL_USAGE, "checklist",
						     "--drill-max-age: '%s' is "
						     "not a duration such as "
						     "720h",
						     argv[i]);
		} else if (argv[i][0] == '-' || a->dev) {
			return jvpnctl_error(JVPNCTL_USAGE, "checklist",
					     "unexpected '%s'", argv[i]);
		} else {
			a->dev = argv[i];
		}
	}
	return JVPNCTL_OK;
}

/* The newest drill record's time and verdict, from a verified log. */
static bool newest_drill(FILE *in, uint64_t *when_s, bool *passed)
{
	char line[EVIDENCE_LINE_MAX + 2];
	bool found = false;

	rewind(in);
	while (fgets(line, sizeof(line), in)) {
		struct obj r = { 0 };

		if (obj_parse_json(&r, line) &&
		    !strcmp(obj_get(&r, "kind") ?: "", "drill")) {
			found = true;
			*when_s = obj_u64(&r, "time_unix", 0);
			*passed = !strcmp(obj_get(&r, "verdict") ?: "", "pass");
		}
		obj_free(&r);
	}
	return found;
}

static void judge_drill(const struct checklist_args *a, struct obj *item)
{
	char fault[EVIDENCE_FAULT_MAX], reason[512];
	struct evidence_head head;
	uint64_t when_s = 0, age_s;
	bool passed = false, pass = false;
	FILE *in = fopen(a->evidence, "r");

	if (!in)
		snprintf(reason, sizeof(reason),
			 "%s: %m: no drill was ever recorded (jvpnctl drill)",
			 a->evidence);
	else if (evidence_verify(in, &head, fault, sizeof(fault)))
		snprintf(reason, sizeof(reason), "%s is damaged: %s",
			 a->evidence, fault);
	else if (!newest_drill(in, &when_s, &passed))
		snprintf(reason, sizeof(reason),
			 "%s holds no drill record (jvpnctl drill)",
			 a->evidence);
	else {
		age_s = (uint64_t)time(NULL) - when_s;
		pass = passed && age_s * 1000 <= a->max_age_ms;
		snprintf(reason, sizeof(reason),
			 "newest drill %s, %" PRIu64 "h ago (allowed: %" PRIu64
			 "h)",
			 passed ? "passed" : "FAILED", age_s / 3600,
			 a->max_age_ms / 3600000);
	}
	if (in)
		fclose(in);
	obj_set(item, "item", "FailureInjection", OBJ_STRING);
	obj_set(item, "verdict", pass ? "pass" : "fail", OBJ_STRING);
	obj_set(item, "reason", reason, OBJ_STRING);
}

int cmd_checklist(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct objs items = { 0 };
	struct checklist_args a;
	bool failed = false;
	struct ctl c = { .fd = -1 };
	int status = parse_args(argc, argv, &a);

	if (status)
		return status;
	status = ctl_ask(&c, o, "checklist", a.dev, "checklist", NULL);
	if (!status)
		status = ctl_read_all(&c, &items);
	ctl_close(&c);
	if (status) {
		objs_free(&items);
		return status;
	}
	struct obj *drill = objs_push(&items);

	if (drill)
		judge_drill(&a, drill);
	for (size_t i = 0; i < items.n; i++)
		failed |= !strcmp(obj_get(&items.items[i], "verdict") ?: "",
				  "fail");
	if (o->json) {
		view_print_array(&items, stdout);
		putchar('\n');
	}
	for (size_t i = 0; !o->json && i < items.n; i++)
		printf("%-4s  %-20s  %s\n",
		       obj_get(&items.items[i], "verdict") ?: "?",
		       obj_get(&items.items[i], "item") ?: "?",
		       obj_get(&items.items[i], "reason") ?: "");
	objs_free(&items);
	return failed ? JVPNCTL_FAILURE : JVPNCTL_OK;
}
