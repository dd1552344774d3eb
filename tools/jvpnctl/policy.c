// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * policy show | reload [DEV]: the running policy as jvpnd holds it (after
 * the file's overrides), and a reload that says what was wrong if the new
 * file is refused; the running configuration is untouched then.
 */
#include <string.h>

#include "ctl.h"
#include "view.h"

static void print_policy(const struct obj *p)
{
	const char *name = obj_get(p, "name") ?: "?";
	const char *base = obj_get(p, "base");

	printf("policy %s", name);
	if (base && strcmp(base, name))
		printf(" (based on %s)", base);
	if (obj_is_true(p, "interface_default"))
		printf(", the interface's profile");
	putchar('\n');
	for (size_t i = 0; i < p->n; i++) {
		const char *key = p->m[i].name;

		if (strcmp(key, "name") && strcmp(key, "base") &&
		    strcmp(key, "interface_default"))
			printf("  %-28s %s\n", key, p->m[i].value);
	}
}

static int ask(const struct jvpnctl_opts *o, const char *cmd, int argc,
	       char **argv, const char *request, struct ctl *c)
{
	/* the caller closes c whatever happens here */
	*c = (struct ctl){ .fd = -1 };
	if (argc > 2)
		return jvpnctl_error(JVPNCTL_USAGE, cmd,
				     "expected at most "
				     "one DEV, got '%s'",
				     argv[2]);
	return ctl_ask(c, o, cmd, argc == 2 ? argv[1] : NULL, request, NULL);
}

static int show(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct objs list = { 0 };
	struct ctl c;
	int status = ask(o, "policy show", argc, argv, "policies", &c);

	if (!status)
		status = ctl_read_all(&c, &list);
	ctl_close(&c);
	if (!status && o->json) {
		view_print_array(&list, stdout);
		putchar('\n');
	}
	for (size_t i = 0; !status && !o->json && i < list.n; i++) {
		if (i)
			putchar('\n');
		print_policy(&list.items[i]);
	}
	objs_free(&list);
	return status;
}

static int reload(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct objs findings = { 0 };
	struct ctl c;
	int status = ask(o, "policy reload", argc, argv, "reload", &c);

	/* a refusal is followed by each finding of the parser */
	if (status == JVPNCTL_REFUSED)
		ctl_read_all(&c, &findings);
	ctl_close(&c);
	for (size_t i = 0; i < findings.n; i++)
		fprintf(stderr, "  %s\n",
			obj_get(&findings.items[i], "finding") ?: "?");
	if (!status && !o->json)
		printf("reloaded\n");
	else if (!status)
		printf("{\"reloaded\":true}\n");
	objs_free(&findings);
	return status;
}

int cmd_policy(const struct jvpnctl_opts *o, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "show";

	if (!strcmp(sub, "show"))
		return show(o, argc > 1 ? argc - 1 : 1, argv + (argc > 1));
	if (!strcmp(sub, "reload"))
		return reload(o, argc - 1, argv + 1);
	return jvpnctl_error(JVPNCTL_USAGE, "policy",
			     "no subcommand '%s': "
			     "expected show or reload",
			     sub);
}
