// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * switch: move a session to a new UDP socket and peer address, guarded by
 * the state version (compare-and-swap: --expect must be the current one).
 */
#include <unistd.h>

#include <linux/jvpn.h>

#include "cli.h"
#include "jvpnk.h"
#include "parse.h"
#include "nlreq.h"
#include "udpsock.h"

enum { SW_ID, SW_BIND, SW_BIND_DEV, SW_PEER, SW_EXPECT, SW_VERSION };

static const struct cli_option switch_options[] = {
	[SW_ID] = { "id", true, false },
	[SW_BIND] = { "bind", true, false },
	[SW_BIND_DEV] = { "bind-dev", true, false },
	[SW_PEER] = { "peer", true, false },
	[SW_EXPECT] = { "expect", true, false },
	[SW_VERSION] = { "version", true, false },
};

static const int switch_required[] = {
	SW_ID, SW_BIND, SW_PEER, SW_EXPECT, SW_VERSION,
};

static const struct cli_spec switch_spec = {
	.options = switch_options,
	.n_options = ARRAY_SIZE(switch_options),
	.required = switch_required,
	.n_required = ARRAY_SIZE(switch_required),
	.n_positional = 1,
	.positional_names = "DEV",
};

struct switch_args {
	unsigned int ifindex;
	uint64_t id;
	const char *bind_text; /* as written, for messages */
	union jvpn_sockaddr bind;
	const char *bind_dev; /* NULL: no SO_BINDTODEVICE */
	union jvpn_sockaddr peer;
	uint64_t expected_version;
	uint64_t version;
	int fd; /* the new transport socket */
};

static int switch_option(const struct cli *cli, int option, const char *value,
			 void *args)
{
	struct switch_args *a = args;

	switch (option) {
	case SW_ID:
		return cli_u64(cli, value, UINT64_MAX, &a->id);
	case SW_BIND:
		a->bind_text = value;
		return cli_check(cli, parse_endpoint(value, &a->bind));
	case SW_BIND_DEV:
		a->bind_dev = value;
		return 0;
	case SW_PEER:
		return cli_check(cli, parse_endpoint(value, &a->peer));
	case SW_EXPECT:
		return cli_u64(cli, value, UINT64_MAX, &a->expected_version);
	case SW_VERSION:
		return cli_u64(cli, value, UINT64_MAX, &a->version);
	}
	return 0;
}

static void build_switch(struct nlmsghdr *req, const void *args)
{
	const struct switch_args *a = args;

	put_session_ref(req, a->ifindex, a->id);
	mnl_attr_put_u32(req, JVPN_A_SOCKET_FD, (uint32_t)a->fd);
	put_endpoint(req, JVPN_A_REMOTE, &a->peer);
	mnl_attr_put_u64(req, JVPN_A_EXPECTED_VERSION, a->expected_version);
	mnl_attr_put_u64(req, JVPN_A_STATE_VERSION, a->version);
}

int cmd_switch(int argc, char **argv)
{
	struct switch_args args = { 0 };
	struct cli cli;
	int status =
		cli_parse(&cli, argc, argv, &switch_spec, switch_option, &args);

	if (status)
		return status;
	args.ifindex = cli_ifindex(&cli, cli.positional[0]);
	if (!args.ifindex)
		return EXIT_FAILURE;
	args.fd = transport_open(cli.cmd, args.bind_text, &args.bind,
				 args.bind_dev);
	if (args.fd < 0)
		return EXIT_FAILURE;
	/* the kernel holds its own reference to the socket */
	status = request_once(cli.cmd, JVPN_CMD_SESSION_SWITCH, build_switch,
			      &args);
	close(args.fd);
	return status;
}
