// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "parse.h"

/* cli_next() returns an index into options[], or one of these. */
enum {
	CLI_END = -1,	/* every argument was read */
	CLI_ERROR = -2, /* a message was printed */
};

static int find_option(const struct cli *cli, const char *name, size_t len)
{
	for (size_t i = 0; i < cli->spec->n_options; i++) {
		const char *candidate = cli->spec->options[i].name;

		if (strlen(candidate) == len && !strncmp(candidate, name, len))
			return (int)i;
	}
	return -1;
}

static int take_positional(struct cli *cli, const char *arg)
{
	if (cli->n_positional == CLI_MAX_POSITIONAL) {
		cli_usage_error(cli, "unexpected argument '%s'", arg);
		return CLI_ERROR;
	}
	cli->positional[cli->n_positional++] = arg;
	return 0;
}

/* Reads the value of the option at cli->current, inline or next word. */
static int take_value(struct cli *cli, const char *inline_value,
		      const char **value)
{
	const struct cli_option *opt = &cli->spec->options[cli->current];

	if (!opt->takes_value) {
		*value = NULL;
		if (!inline_value)
			return 0;
		cli_bad_value(cli, "takes no value");
		return CLI_ERROR;
	}
	if (inline_value) {
		*value = inline_value;
		return 0;
	}
	if (cli->next >= cli->argc) {
		cli_bad_value(cli, "needs a value");
		return CLI_ERROR;
	}
	*value = cli->argv[cli->next++];
	return 0;
}

static int handle_option(struct cli *cli, const char *arg, const char **value)
{
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	int index = find_option(cli, name, len);

	if (index < 0) {
		cli_usage_error(cli, "unknown option '%.*s'", (int)len + 2,
				arg);
		return CLI_ERROR;
	}
	cli->current = index;
	if (cli_given(cli, index) && !cli->spec->options[index].repeatable) {
		cli_bad_value(cli, "given more than once");
		return CLI_ERROR;
	}
	cli->given |= UINT64_C(1) << index;
	if (take_value(cli, eq ? eq + 1 : NULL, value))
		return CLI_ERROR;
	return index;
}

/* The next option, collecting positional arguments on the way. */
static int cli_next(struct cli *cli, const char **value)
{
	while (cli->next < cli->argc) {
		const char *arg = cli->argv[cli->next++];

		if (cli->options_ended || arg[0] != '-' || !arg[1]) {
			if (take_positional(cli, arg))
				return CLI_ERROR;
			continue;
		}
		if (!strcmp(arg, "--")) {
			cli->options_ended = true;
			continue;
		}
		if (arg[1] != '-') {
			cli_usage_error(cli,
					"unknown option '%s' (options "
					"are spelt --name)",
					arg);
			return CLI_ERROR;
		}
		return handle_option(cli, arg, value);
	}
	cli->current = -1;
	return CLI_END;
}

static int check_required(const struct cli *cli)
{
	const struct cli_spec *spec = cli->spec;

	for (size_t i = 0; i < spec->n_required; i++)
		if (!cli_given(cli, spec->required[i]))
			return cli_usage_error(
				cli, "missing --%s",
				spec->options[spec->required[i]].name);
	return 0;
}

static int check_positional(const struct cli *cli)
{
	size_t want = cli->spec->n_positional;
	size_t most = want + cli->spec->n_optional_positional;

	if (cli->n_positional > most)
		return cli_usage_error(cli, "unexpected argument '%s'",
				       cli->positional[most]);
	if (cli->n_positional < want)
		return cli_usage_error(cli, "missing %s",
				       cli->spec->positional_names
					       ? cli->spec->positional_names
					       : "arguments");
	return 0;
}

int cli_parse(struct cli *cli, int argc, char **argv,
	      const struct cli_spec *spec, cli_handler handle, void *args)
{
	const char *value;
	int option;

	/* cli->given has one bit per option */
	assert(spec->n_options <= 64);
	*cli = (struct cli){
		.cmd = argv[0],
		.argc = argc,
		.argv = argv,
		.next = 1,
		.spec = spec,
		.current = -1,
	};
	while ((option = cli_next(cli, &value)) != CLI_END) {
		if (option == CLI_ERROR || handle(cli, option, value, args))
			return EXIT_USAGE;
	}
	if (check_positional(cli) || check_required(cli))
		return EXIT_USAGE;
	return 0;
}

bool cli_given(const struct cli *cli, int option)
{
	return cli->given & (UINT64_C(1) << option);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", tool_name(), cli->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_bad_value(const struct cli *cli, const char *problem)
{
	return cli_usage_error(cli, "--%s: %s",
			       cli->spec->options[cli->current].name, problem);
}

int cli_check(const struct cli *cli, const char *problem)
{
	return problem ? cli_bad_value(cli, problem) : 0;
}

int cli_u64(const struct cli *cli, const char *value, uint64_t max,
	    uint64_t *out)
{
	const char *problem = parse_u64(value, max, out);

	if (!problem)
		return 0;
	return cli_usage_error(cli, "--%s: '%s': %s (0..%" PRIu64 ")",
			       cli->spec->options[cli->current].name, value,
			       problem, max);
}

int cli_u32(const struct cli *cli, const char *value, uint32_t *out)
{
	uint64_t wide = 0;
	int rc = cli_u64(cli, value, UINT32_MAX, &wide);

	*out = (uint32_t)wide;
	return rc;
}

int cli_u8(const struct cli *cli, const char *value, uint8_t *out)
{
	uint64_t wide = 0;
	int rc = cli_u64(cli, value, UINT8_MAX, &wide);

	*out = (uint8_t)wide;
	return rc;
}

int cli_seconds(const struct cli *cli, const char *value, int64_t *ms)
{
	return cli_check(cli, parse_seconds(value, ms));
}

unsigned int cli_ifindex(const struct cli *cli, const char *name)
{
	unsigned int ifindex = if_nametoindex(name);

	if (!ifindex)
		fprintf(stderr, "%s: %s: device '%s': %s\n", tool_name(),
			cli->cmd, name, strerror(errno));
	return ifindex;
}
