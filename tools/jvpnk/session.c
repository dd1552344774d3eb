// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * session-new, set-keys, set and del: the requests that create a session
 * and change or end it in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/jvpn.h>

#include "cli.h"
#include "jvpnk.h"
#include "parse.h"
#include "nlreq.h"
#include "udpsock.h"

/* session-new */

enum {
	NEW_ID,
	NEW_BIND,
	NEW_BIND_DEV,
	NEW_PEER,
	NEW_TX_KEY,
	NEW_RX_KEY,
	NEW_ALLOWED_IP,
	NEW_VERSION,
	NEW_KEY_PHASE,
	NEW_MIN_SWITCH_MS,
	NEW_STATE,
};

static const struct cli_option session_new_options[] = {
	[NEW_ID] = { "id", true, false },
	[NEW_BIND] = { "bind", true, false },
	[NEW_BIND_DEV] = { "bind-dev", true, false },
	[NEW_PEER] = { "peer", true, false },
	[NEW_TX_KEY] = { "tx-key", true, false },
	[NEW_RX_KEY] = { "rx-key", true, false },
	[NEW_ALLOWED_IP] = { "allowed-ip", true, true },
	[NEW_VERSION] = { "version", true, false },
	[NEW_KEY_PHASE] = { "key-phase", true, false },
	[NEW_MIN_SWITCH_MS] = { "min-switch-ms", true, false },
	[NEW_STATE] = { "state", true, false },
};

static const int session_new_required[] = {
	NEW_ID, NEW_BIND, NEW_PEER, NEW_TX_KEY, NEW_RX_KEY,
};

static const struct cli_spec session_new_spec = {
	.options = session_new_options,
	.n_options = ARRAY_SIZE(session_new_options),
	.required = session_new_required,
	.n_required = ARRAY_SIZE(session_new_required),
	.n_positional = 1,
	.positional_names = "DEV",
};

struct session_new_args {
	unsigned int ifindex;
	uint64_t id;
	const char *bind_text; /* as written, for messages */
	union jvpn_sockaddr bind;
	const char *bind_dev; /* NULL: no SO_BINDTODEVICE */
	union jvpn_sockaddr peer;
	uint8_t tx_key[JVPN_KEY_LEN];
	uint8_t rx_key[JVPN_KEY_LEN];
	struct jvpn_cidr allowed_ips[MAX_ALLOWED_IPS];
	size_t n_allowed_ips;
	uint64_t version;
	/* optional attributes: sent only when given */
	bool has_key_phase, has_min_switch_ms, has_state;
	uint8_t key_phase;
	uint32_t min_switch_ms;
	uint8_t state;
	int fd; /* the bound transport socket */
};

static int add_allowed_ip(const struct cli *cli, struct session_new_args *a,
			  const char *value)
{
	struct jvpn_cidr *cidr;

	if (a->n_allowed_ips == MAX_ALLOWED_IPS)
		return cli_bad_value(cli, "more prefixes than the tool's "
					  "limit of 1024");
	cidr = &a->allowed_ips[a->n_allowed_ips++];
	return cli_check(cli, parse_cidr(value, cidr));
}

static int session_new_option(const struct cli *cli, int option,
			      const char *value, void *args)
{
	struct session_new_args *a = args;

	switch (option) {
	case NEW_ID:
		return cli_u64(cli, value, UINT64_MAX, &a->id);
	case NEW_BIND:
		a->bind_text = value;
		return cli_check(cli, parse_endpoint(value, &a->bind));
	case NEW_BIND_DEV:
		a->bind_dev = value;
		return 0;
	case NEW_PEER:
		return cli_check(cli, parse_endpoint(value, &a->peer));
	case NEW_TX_KEY:
		return cli_check(cli, parse_key(value, a->tx_key));
	case NEW_RX_KEY:
		return cli_check(cli, parse_key(value, a->rx_key));
	case NEW_ALLOWED_IP:
		return add_allowed_ip(cli, a, value);
	case NEW_VERSION:
		return cli_u64(cli, value, UINT64_MAX, &a->version);
	case NEW_KEY_PHASE:
		a->has_key_phase = true;
		return cli_u8(cli, value, &a->key_phase);
	case NEW_MIN_SWITCH_MS:
		a->has_min_switch_ms = true;
		return cli_u32(cli, value, &a->min_switch_ms);
	case NEW_STATE:
		a->has_state = true;
		return cli_check(cli, parse_state(value, &a->state));
	}
	return 0;
}

static void build_session_new(struct nlmsghdr *req, const void *args)
{
	const struct session_new_args *a = args;

	put_session_ref(req, a->ifindex, a->id);
	mnl_attr_put_u32(req, JVPN_A_SOCKET_FD, (uint32_t)a->fd);
	put_endpoint(req, JVPN_A_REMOTE, &a->peer);
	mnl_attr_put(req, JVPN_A_TX_KEY, JVPN_KEY_LEN, a->tx_key);
	mnl_attr_put(req, JVPN_A_RX_KEY, JVPN_KEY_LEN, a->rx_key);
	if (a->n_allowed_ips)
		put_allowed_ips(req, a->allowed_ips, a->n_allowed_ips);
	mnl_attr_put_u64(req, JVPN_A_STATE_VERSION, a->version);
	if (a->has_key_phase)
		mnl_attr_put_u8(req, JVPN_A_KEY_PHASE, a->key_phase);
	if (a->has_min_switch_ms)
		mnl_attr_put_u32(req, JVPN_A_MIN_SWITCH_INTERVAL_MS,
				 a->min_switch_ms);
	if (a->has_state)
		mnl_attr_put_u8(req, JVPN_A_STATE, a->state);
}

static int session_new(const char *cmd, struct session_new_args *a)
{
	int status;

	a->fd = transport_open(cmd, a->bind_text, &a->bind, a->bind_dev);
	if (a->fd < 0)
		return EXIT_FAILURE;
	status = request_once(cmd, JVPN_CMD_SESSION_NEW, build_session_new, a);
	/* the kernel holds its own reference to the socket */
	close(a->fd);
	return status;
}

int cmd_session_new(int argc, char **argv)
{
	/* big (the allowed IPs): not for the stack */
	struct session_new_args *args = calloc(1, sizeof(*args));
	struct cli cli;
	int status;

	if (!args) {
		fputs("jvpnk: out of memory\n", stderr);
		return EXIT_FAILURE;
	}
	args->version = 1;
	status = cli_parse(&cli, argc, argv, &session_new_spec,
			   session_new_option, args);
	if (!status) {
		args->ifindex = cli_ifindex(&cli, cli.positional[0]);
		status = args->ifindex ? session_new(cli.cmd, args)
				       : EXIT_FAILURE;
	}
	free(args);
	return status;
}

/* set-keys */

enum { KEYS_ID, KEYS_TX_KEY, KEYS_RX_KEY, KEYS_KEY_PHASE };

static const struct cli_option set_keys_options[] = {
	[KEYS_ID] = { "id", true, false },
	[KEYS_TX_KEY] = { "tx-key", true, false },
	[KEYS_RX_KEY] = { "rx-key", true, false },
	[KEYS_KEY_PHASE] = { "key-phase", true, false },
};

static const int set_keys_required[] = {
	KEYS_ID,
	KEYS_TX_KEY,
	KEYS_RX_KEY,
	KEYS_KEY_PHASE,
};

static const struct cli_spec set_keys_spec = {
	.options = set_keys_options,
	.n_options = ARRAY_SIZE(set_keys_options),
	.required = set_keys_required,
	.n_required = ARRAY_SIZE(set_keys_required),
	.n_positional = 1,
	.positional_names = "DEV",
};

struct set_keys_args {
	unsigned int ifindex;
	uint64_t id;
	uint8_t tx_key[JVPN_KEY_LEN];
	uint8_t rx_key[JVPN_KEY_LEN];
	uint8_t key_phase;
};

static int set_keys_option(const struct cli *cli, int option, const char *value,
			   void *args)
{
	struct set_keys_args *a = args;

	switch (option) {
	case KEYS_ID:
		return cli_u64(cli, value, UINT64_MAX, &a->id);
	case KEYS_TX_KEY:
		return cli_check(cli, parse_key(value, a->tx_key));
	case KEYS_RX_KEY:
		return cli_check(cli, parse_key(value, a->rx_key));
	case KEYS_KEY_PHASE:
		return cli_u8(cli, value, &a->key_phase);
	}
	return 0;
}

static void build_set_keys(struct nlmsghdr *req, const void *args)
{
	const struct set_keys_args *a = args;

	put_session_ref(req, a->ifindex, a->id);
	mnl_attr_put(req, JVPN_A_TX_KEY, JVPN_KEY_LEN, a->tx_key);
	mnl_attr_put(req, JVPN_A_RX_KEY, JVPN_KEY_LEN, a->rx_key);
	mnl_attr_put_u8(req, JVPN_A_KEY_PHASE, a->key_phase);
}

int cmd_set_keys(int argc, char **argv)
{
	struct set_keys_args args = { 0 };
	struct cli cli;
	int status = cli_parse(&cli, argc, argv, &set_keys_spec,
			       set_keys_option, &args);

	if (status)
		return status;
	args.ifindex = cli_ifindex(&cli, cli.positional[0]);
	if (!args.ifindex)
		return EXIT_FAILURE;
	return request_once(cli.cmd, JVPN_CMD_SESSION_SET_KEYS, build_set_keys,
			    &args);
}

/* set */

enum { SET_ID, SET_EXPECT, SET_VERSION, SET_STATE, SET_MIN_SWITCH_MS };

static const struct cli_option set_options[] = {
	[SET_ID] = { "id", true, false },
	[SET_EXPECT] = { "expect", true, false },
	[SET_VERSION] = { "version", true, false },
	[SET_STATE] = { "state", true, false },
	[SET_MIN_SWITCH_MS] = { "min-switch-ms", true, false },
};

static const int set_required[] = { SET_ID, SET_EXPECT, SET_VERSION };

static const struct cli_spec set_spec = {
	.options = set_options,
	.n_options = ARRAY_SIZE(set_options),
	.required = set_required,
	.n_required = ARRAY_SIZE(set_required),
	.n_positional = 1,
	.positional_names = "DEV",
};

struct set_args {
	unsigned int ifindex;
	uint64_t id;
	uint64_t expected_version;
	uint64_t version;
	bool has_state, has_min_switch_ms;
	uint8_t state;
	uint32_t min_switch_ms;
};

static int set_option(const struct cli *cli, int option, const char *value,
		      void *args)
{
	struct set_args *a = args;

	switch (option) {
	case SET_ID:
		return cli_u64(cli, value, UINT64_MAX, &a->id);
	case SET_EXPECT:
		return cli_u64(cli, value, UINT64_MAX, &a->expected_version);
	case SET_VERSION:
		return cli_u64(cli, value, UINT64_MAX, &a->version);
	case SET_STATE:
		a->has_state = true;
		return cli_check(cli, parse_state(value, &a->state));
	case SET_MIN_SWITCH_MS:
		a->has_min_switch_ms = true;
		return cli_u32(cli, value, &a->min_switch_ms);
	}
	return 0;
}

static void build_set(struct nlmsghdr *req, const void *args)
{
	const struct set_args *a = args;

	put_session_ref(req, a->ifindex, a->id);
	mnl_attr_put_u64(req, JVPN_A_EXPECTED_VERSION, a->expected_version);
	mnl_attr_put_u64(req, JVPN_A_STATE_VERSION, a->version);
	if (a->has_state)
		mnl_attr_put_u8(req, JVPN_A_STATE, a->state);
	if (a->has_min_switch_ms)
		mnl_attr_put_u32(req, JVPN_A_MIN_SWITCH_INTERVAL_MS,
				 a->min_switch_ms);
}

int cmd_set(int argc, char **argv)
{
	struct set_args args = { 0 };
	struct cli cli;
	int status = cli_parse(&cli, argc, argv, &set_spec, set_option, &args);

	if (status)
		return status;
	args.ifindex = cli_ifindex(&cli, cli.positional[0]);
	if (!args.ifindex)
		return EXIT_FAILURE;
	return request_once(cli.cmd, JVPN_CMD_SESSION_SET, build_set, &args);
}

/* del */

enum { DEL_ID, DEL_REASON };

static const struct cli_option del_options[] = {
	[DEL_ID] = { "id", true, false },
	[DEL_REASON] = { "reason", true, false },
};

static const int del_required[] = { DEL_ID };

static const struct cli_spec del_spec = {
	.options = del_options,
	.n_options = ARRAY_SIZE(del_options),
	.required = del_required,
	.n_required = ARRAY_SIZE(del_required),
	.n_positional = 1,
	.positional_names = "DEV",
};

struct del_args {
	unsigned int ifindex;
	uint64_t id;
	uint32_t reason;
};

static int del_option(const struct cli *cli, int option, const char *value,
		      void *args)
{
	struct del_args *a = args;

	switch (option) {
	case DEL_ID:
		return cli_u64(cli, value, UINT64_MAX, &a->id);
	case DEL_REASON:
		return cli_check(cli, parse_reason(value, &a->reason));
	}
	return 0;
}

static void build_del(struct nlmsghdr *req, const void *args)
{
	const struct del_args *a = args;

	put_session_ref(req, a->ifindex, a->id);
	mnl_attr_put_u32(req, JVPN_A_DEL_REASON, a->reason);
}

int cmd_del(int argc, char **argv)
{
	struct del_args args = { .reason = JVPN_DEL_REASON_ADMIN };
	struct cli cli;
	int status = cli_parse(&cli, argc, argv, &del_spec, del_option, &args);

	if (status)
		return status;
	args.ifindex = cli_ifindex(&cli, cli.positional[0]);
	if (!args.ifindex)
		return EXIT_FAILURE;
	return request_once(cli.cmd, JVPN_CMD_SESSION_DEL, build_del, &args);
}
