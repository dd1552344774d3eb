// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * evidence verify|show [--head HASH] [FILE]: the drill's evidence log
 * (lib/evidence.h, docs/evidence.md). verify checks the whole hash chain
 * and, given the head an auditor wrote down earlier, that the log still
 * holds it (a chain alone cannot show that its last records were cut).
 */
#include <stdio.h>
#include <string.h>

#include "evidence.h"
#include "jvpnctl.h"
#include "obj.h"

struct evidence_args {
	const char *path;
	const char *head; /* --head HASH or NULL */
};

static int parse_args(const char *cmd, int argc, char **argv,
		      struct evidence_args *a)
{
	a->path = NULL;
	a->head = NULL;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--head") && i + 1 < argc)
			a->head = argv[++i];
		else if (argv[i][0] == '-')
			return jvpnctl_error(JVPNCTL_USAGE, cmd,
					     "unknown option '%s'", argv[i]);
		else if (a->path)
			return jvpnctl_error(JVPNCTL_USAGE, cmd,
					     "expected one FILE, got '%s'",
					     argv[i]);
		else
			a->path = argv[i];
	}
	if (!a->path)
		a->path = JVPN_EVIDENCE_LOG;
	if (a->head && strlen(a->head) != EVIDENCE_HEX_SIZE - 1)
		return jvpnctl_error(JVPNCTL_USAGE, cmd,
				     "--head wants the 64 hex digits that "
				     "verify printed");
	return JVPNCTL_OK;
}

/* Whether some record of the (verified) log carries hash. */
static bool holds_hash(FILE *in, const char *hash)
{
	char line[EVIDENCE_LINE_MAX + 2], want[EVIDENCE_HEX_SIZE + 16];

	snprintf(want, sizeof(want), ",\"hash\":\"%s\"}", hash);
	rewind(in);
	while (fgets(line, sizeof(line), in))
		if (strstr(line, want))
			return true;
	return false;
}

static int verify(const struct jvpnctl_opts *o, const struct evidence_args *a)
{
	char fault[EVIDENCE_FAULT_MAX];
	struct evidence_head head;
	FILE *in = fopen(a->path, "r");
	int rc;

	if (!in)
		return jvpnctl_error(JVPNCTL_FAILURE, "evidence verify",
				     "%s: %m", a->path);
	rc = evidence_verify(in, &head, fault, sizeof(fault));
	if (!rc && a->head && !holds_hash(in, a->head)) {
		snprintf(fault, sizeof(fault),
			 "no record has the head %.16s...: records were cut "
			 "or replaced since it was taken",
			 a->head);
		rc = -1;
	}
	fclose(in);
	if (rc)
		return jvpnctl_error(JVPNCTL_FAILURE, "evidence verify",
				     "%s: %s", a->path, fault);
	if (o->json)
		printf("{\"ok\":true,\"records\":%llu,\"head\":\"%s\"}\n",
		       (unsigned long long)head.seq, head.hash);
	else
		printf("ok: %llu records, head %s\n",
		       (unsigned long long)head.seq, head.hash);
	return JVPNCTL_OK;
}

static void print_record(const struct obj *r)
{
	printf("record %s  %s  %s\n", obj_get(r, "seq") ?: "?",
	       obj_get(r, "time") ?: "-", obj_get(r, "kind") ?: "-");
	for (size_t i = 0; i < r->n; i++) {
		const char *key = r->m[i].name;

		if (strcmp(key, "seq") && strcmp(key, "time") &&
		    strcmp(key, "kind") && strcmp(key, "prev"))
			printf("  %-22s %s\n", key, r->m[i].value);
	}
}

/* Shown only once the chain holds: a reader never sees forged lines. */
static int show(const struct jvpnctl_opts *o, const struct evidence_args *a)
{
	char line[EVIDENCE_LINE_MAX + 2], fault[EVIDENCE_FAULT_MAX];
	struct evidence_head head;
	FILE *in = fopen(a->path, "r");
	bool first = true;

	if (!in)
		return jvpnctl_error(JVPNCTL_FAILURE, "evidence show", "%s: %m",
				     a->path);
	if (evidence_verify(in, &head, fault, sizeof(fault))) {
		fclose(in);
		return jvpnctl_error(JVPNCTL_FAILURE, "evidence show",
				     "%s: %s (run evidence verify)", a->path,
				     fault);
	}
	rewind(in);
	while (fgets(line, sizeof(line), in)) {
		struct obj r = { 0 };

		if (o->json) {
			fputs(line, stdout);
			continue;
		}
		if (!first)
			putchar('\n');
		first = false;
		if (obj_parse_json(&r, line))
			print_record(&r);
		obj_free(&r);
	}
	fclose(in);
	if (!o->json)
		printf("%s%llu records, head %s\n", first ? "" : "\n",
		       (unsigned long long)head.seq, head.hash);
	return JVPNCTL_OK;
}

int cmd_evidence(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct evidence_args a;
	const char *verb = argc > 1 ? argv[1] : "";
	int status;

	if (strcmp(verb, "verify") && strcmp(verb, "show"))
		return jvpnctl_error(JVPNCTL_USAGE, "evidence",
				     "expected verify or show, got '%s'", verb);
	status =
		parse_args(verb[0] == 'v' ? "evidence verify" : "evidence show",
			   argc, argv, &a);
	if (status)
		return status;
	return verb[0] == 'v' ? verify(o, &a) : show(o, &a);
}
