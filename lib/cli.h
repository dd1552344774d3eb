/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small long-option parser: "--name VALUE" or "--name=VALUE", options and
 * positional arguments in any order, "--" ends the options. Unlike getopt
 * it knows which option a bad value belongs to, so every message can name
 * it, and it refuses a single-valued option given twice.
 */
#ifndef JVPN_CLI_H
#define JVPN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_MAX_POSITIONAL 4

struct cli_option {
	const char *name; /* without the leading "--" */
	bool takes_value;
	bool repeatable;
};

/* What a subcommand accepts. */
struct cli_spec {
	const struct cli_option *options; /* at most 64 */
	size_t n_options;
	const int *required; /* indexes into options[] */
	size_t n_required;
	size_t n_positional;	      /* at least this many */
	size_t n_optional_positional; /* and up to this many more */
	const char *positional_names; /* "DEV CASE", for messages */
};

struct cli {
	const char *cmd; /* the subcommand, for messages */
	int argc;
	char **argv;
	int next;	    /* index of the next argument to read */
	bool options_ended; /* "--" was seen */
	const struct cli_spec *spec;
	uint64_t given; /* bit i: options[i] appeared */
	int current;	/* the option being handled, or -1 */
	const char *positional[CLI_MAX_POSITIONAL];
	size_t n_positional;
};

/*
 * Handles one option (an index into options[]; value is NULL for a flag).
 * Returns 0, or EXIT_USAGE having printed why.
 */
typedef int (*cli_handler)(const struct cli *cli, int option, const char *value,
			   void *args);

/*
 * Reads argv (argv[0] is the subcommand) against spec, calling handle for
 * each option, then checks required options and positional arguments.
 * Returns 0 or EXIT_USAGE, having printed why.
 */
int cli_parse(struct cli *cli, int argc, char **argv,
	      const struct cli_spec *spec, cli_handler handle, void *args);

/* Whether the caller gave an option (an index into options[]). */
bool cli_given(const struct cli *cli, int option);

/*
 * These print "TOOL: CMD: ..." and return EXIT_USAGE so that a caller can
 * write "return cli_bad_value(...)".
 */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "TOOL: CMD: --OPTION: problem", for the option being handled */
int cli_bad_value(const struct cli *cli, const char *problem);

/*
 * Reports a parse.h problem against the option being handled: 0 if problem
 * is NULL, else EXIT_USAGE.
 */
int cli_check(const struct cli *cli, const char *problem);

/* Value parsers that report through the cli: 0 or EXIT_USAGE. */
int cli_u64(const struct cli *cli, const char *value, uint64_t max,
	    uint64_t *out);
int cli_u32(const struct cli *cli, const char *value, uint32_t *out);
int cli_u8(const struct cli *cli, const char *value, uint8_t *out);
int cli_seconds(const struct cli *cli, const char *value, int64_t *ms);

/*
 * The ifindex of a device named on the command line; 0 after printing
 * "TOOL: CMD: device 'X': No such device".
 */
unsigned int cli_ifindex(const struct cli *cli, const char *name);

#endif /* JVPN_CLI_H */
