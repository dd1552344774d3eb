// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * get, dump and dev: one line per session (or for the device) of
 * tab-separated key=value pairs; --field prints just one value.
 */
#include <stdio.h>

#include <linux/jvpn.h>

#include "cli.h"
#include "record.h"
#include "jvpnk.h"
#include "nl.h"
#include "nlreq.h"

/*
 * The order tests and people read a session in; every other attribute
 * the kernel sends follows, in uapi order (format.c).
 */
static const char *const session_lead[] = {
	"id",
	"state",
	"version",
	"local",
	"remote",
	"tx_packets",
	"tx_bytes",
	"rx_packets",
	"rx_bytes",
	"drop_bad_auth",
	"drop_replay",
	"drop_stray",
	"drop_malformed",
	"drop_inner_src",
	"switches",
	"last_rx_ns",
	"last_tx_ns",
	"last_switch_ns",
	"allowed_ips",
};

static const char *const dev_lead[] = { "ifindex" };

/* What each of get, dump and dev asks, and how it prints the answer. */
struct show_kind {
	uint8_t genl_cmd;
	uint16_t flags; /* 0 or NLM_F_DUMP */
	bool by_id;	/* the request names a session */
	const char *const *lead;
	size_t n_lead;
};

static const struct show_kind one_session = {
	JVPN_CMD_SESSION_GET, 0, true, session_lead, ARRAY_SIZE(session_lead),
};

static const struct show_kind all_sessions = {
	JVPN_CMD_SESSION_GET,	  NLM_F_DUMP, false, session_lead,
	ARRAY_SIZE(session_lead),
};

static const struct show_kind device = {
	JVPN_CMD_DEV_GET, 0, false, dev_lead, ARRAY_SIZE(dev_lead),
};

/* What get, dump and dev share. */
struct show_args {
	unsigned int ifindex;
	uint64_t id;	   /* get only */
	const char *field; /* --field, or NULL for whole lines */
};

/* What the reply callback needs. */
struct show_output {
	const char *cmd;
	const char *field;
	const char *const *lead;
	size_t n_lead;
	size_t replies;
	size_t missing; /* replies without --field's attribute */
};

static int check_field(const struct cli *cli, const char *value,
		       const char **field)
{
	*field = value;
	if (is_field_name(value))
		return 0;
	return cli_bad_value(cli, "no such field (names are those that "
				  "whole lines print, such as drop_replay)");
}

static void print_field(struct show_output *out, const struct record *rec)
{
	const char *value = record_get(rec, out->field);

	if (value) {
		puts(value);
		return;
	}
	/* an empty line keeps a dump's lines one per session */
	putchar('\n');
	out->missing++;
}

static int print_reply(const struct nlmsghdr *nlh, void *data)
{
	struct show_output *out = data;
	struct jvpn_attrs attrs;
	struct record rec = { 0 };

	jvpn_attrs_parse(nlh, &attrs);
	record_add_fields(&rec, &attrs, out->lead, out->n_lead);
	if (out->field)
		print_field(out, &rec);
	else
		record_print(&rec, '\t');
	record_free(&rec);
	out->replies++;
	return MNL_CB_OK;
}

/* Exit status once the transaction is over: err is its result. */
static int show_status(struct jvpn_nl *nl, int err,
		       const struct show_output *out, bool want_one)
{
	fflush(stdout);
	if (err)
		return jvpn_nl_report(nl, err);
	if (want_one && !out->replies) {
		fprintf(stderr,
			"jvpnk: %s: the kernel acked but sent no "
			"reply\n",
			out->cmd);
		return EXIT_FAILURE;
	}
	if (out->missing) {
		fprintf(stderr,
			"jvpnk: %s: the kernel sent no %s in %zu of "
			"%zu replies\n",
			out->cmd, out->field, out->missing, out->replies);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* Sends one get/dump request and prints every reply. */
static int show(const char *cmd, const struct show_kind *kind,
		const struct show_args *a)
{
	struct show_output out = {
		.cmd = cmd,
		.field = a->field,
		.lead = kind->lead,
		.n_lead = kind->n_lead,
	};
	struct jvpn_nl nl;
	struct nlmsghdr *req;
	int err, status;

	if (jvpn_nl_open(&nl, cmd))
		return EXIT_FAILURE;
	req = jvpn_nl_request(&nl, kind->genl_cmd, kind->flags);
	if (kind->by_id)
		put_session_ref(req, a->ifindex, a->id);
	else
		mnl_attr_put_u32(req, JVPN_A_IFINDEX, a->ifindex);
	err = jvpn_nl_transact(&nl, req, print_reply, &out);
	status = show_status(&nl, err, &out, !(kind->flags & NLM_F_DUMP));
	jvpn_nl_close(&nl);
	return status;
}

/* get */

enum { GET_ID, GET_FIELD };

static const struct cli_option get_options[] = {
	[GET_ID] = { "id", true, false },
	[GET_FIELD] = { "field", true, false },
};

static const int get_required[] = { GET_ID };

static const struct cli_spec get_spec = {
	.options = get_options,
	.n_options = ARRAY_SIZE(get_options),
	.required = get_required,
	.n_required = ARRAY_SIZE(get_required),
	.n_positional = 1,
	.positional_names = "DEV",
};

static int get_option(const struct cli *cli, int option, const char *value,
		      void *args)
{
	struct show_args *a = args;

	switch (option) {
	case GET_ID:
		return cli_u64(cli, value, UINT64_MAX, &a->id);
	case GET_FIELD:
		return check_field(cli, value, &a->field);
	}
	return 0;
}

int cmd_get(int argc, char **argv)
{
	struct show_args args = { 0 };
	struct cli cli;
	int status = cli_parse(&cli, argc, argv, &get_spec, get_option, &args);

	if (status)
		return status;
	args.ifindex = cli_ifindex(&cli, cli.positional[0]);
	if (!args.ifindex)
		return EXIT_FAILURE;
	return show(cli.cmd, &one_session, &args);
}

/* dump and dev: a device and an optional --field */

enum { DEV_FIELD };

static const struct cli_option device_options[] = {
	[DEV_FIELD] = { "field", true, false },
};

static const struct cli_spec device_spec = {
	.options = device_options,
	.n_options = ARRAY_SIZE(device_options),
	.n_positional = 1,
	.positional_names = "DEV",
};

static int device_option(const struct cli *cli, int option, const char *value,
			 void *args)
{
	struct show_args *a = args;

	if (option == DEV_FIELD)
		return check_field(cli, value, &a->field);
	return 0;
}

static int parse_device_args(struct cli *cli, int argc, char **argv,
			     struct show_args *args)
{
	int status =
		cli_parse(cli, argc, argv, &device_spec, device_option, args);

	if (status)
		return status;
	args->ifindex = cli_ifindex(cli, cli->positional[0]);
	return args->ifindex ? 0 : EXIT_FAILURE;
}

int cmd_dump(int argc, char **argv)
{
	struct show_args args = { 0 };
	struct cli cli;
	int status = parse_device_args(&cli, argc, argv, &args);

	if (status)
		return status;
	return show(cli.cmd, &all_sessions, &args);
}

int cmd_dev(int argc, char **argv)
{
	struct show_args args = { 0 };
	struct cli cli;
	int status = parse_device_args(&cli, argc, argv, &args);

	if (status)
		return status;
	return show(cli.cmd, &device, &args);
}
