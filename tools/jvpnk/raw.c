// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * raw: negative tests. Each case sends a well-formed SESSION_NEW (or, with
 * --switch, SESSION_SWITCH) request with exactly one thing wrong, so that
 * a refusal can only be about that one thing, and prints what the kernel
 * said. Exit 0 if it refused, 1 if it accepted, 4 if the case could not
 * be sent at all.
 *
 * A request about an existing session (DEL for bad-reason, and every
 * --switch case) names --id, or else the first session the device dumps:
 * with a made-up id the kernel could refuse for "no such session" and the
 * malformation would go untested.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/jvpn.h>

#include "cli.h"
#include "record.h"
#include "jvpnk.h"
#include "nl.h"
#include "nlreq.h"

#define RAW_EXIT_REFUSED  EXIT_SUCCESS
#define RAW_EXIT_ACCEPTED EXIT_FAILURE
#define RAW_EXIT_NOT_SENT 4

/* Chosen to fit a u32, so that wrong-type names the same session. */
#define RAW_DEFAULT_ID	0x72617721 /* "raw!" */
#define RAW_REMOTE_PORT 51820
/* A descriptor number no test runner leaves open. */
#define RAW_BOGUS_FD 9999

/* What JVPN_A_SOCKET_FD refers to. */
enum raw_fd {
	FD_BOUND_UDP, /* the good case: UDP bound to 127.0.0.1 */
	FD_TCP,
	FD_UNBOUND_UDP,
	FD_BOGUS, /* not an open descriptor */
	FD_NONE,  /* no socket in this request */
};

/* The request of one case: the base, then the case's one change. */
struct raw_request {
	uint8_t cmd;
	uint32_t ifindex;
	bool put_id;
	bool id_as_u32;
	uint64_t id;
	enum raw_fd fd_kind;
	bool put_remote;
	bool remote_both_addrs;
	uint16_t remote_port;
	size_t tx_key_len;
	bool put_allowed_ip;
	uint16_t allowed_ip_family;
	uint8_t allowed_ip_prefix;
	bool put_state;
	uint8_t state;
	bool put_unknown_attr;
	uint32_t del_reason;
	uint64_t expected_version; /* SWITCH */
	uint64_t version;
};

/* How cmd_raw wants the request aimed, before the case changes it. */
struct raw_plan {
	bool on_existing; /* the request is about an existing session */
	uint64_t want_id; /* --id for that, or 0: the first one */
	bool given_expect, given_version; /* else from the session */
};

struct raw_case {
	const char *name;
	bool new_only;	  /* no SWITCH form */
	bool on_existing; /* about an existing session, even unswitched */
	void (*apply)(struct raw_request *r);
};

static void valid(struct raw_request *r)
{
	(void)r;
}

static void wrong_type(struct raw_request *r)
{
	r->id_as_u32 = true;
}

static void short_key(struct raw_request *r)
{
	r->tx_key_len = 16;
}

static void long_key(struct raw_request *r)
{
	r->tx_key_len = JVPN_KEY_LEN + 1;
}

static void zero_id(struct raw_request *r)
{
	r->id = 0;
}

static void missing_id(struct raw_request *r)
{
	r->put_id = false;
}

static void missing_remote(struct raw_request *r)
{
	r->put_remote = false;
}

static void bad_port(struct raw_request *r)
{
	r->remote_port = 0;
}

static void bad_prefix(struct raw_request *r)
{
	r->put_allowed_ip = true;
	r->allowed_ip_prefix = 33;
}

static void bad_family(struct raw_request *r)
{
	r->put_allowed_ip = true;
	r->allowed_ip_family = 99;
}

static void both_addrs(struct raw_request *r)
{
	r->remote_both_addrs = true;
}

static void bad_fd(struct raw_request *r)
{
	r->fd_kind = FD_BOGUS;
}

static void not_udp_fd(struct raw_request *r)
{
	r->fd_kind = FD_TCP;
}

static void unbound_fd(struct raw_request *r)
{
	r->fd_kind = FD_UNBOUND_UDP;
}

static void bad_ifindex(struct raw_request *r)
{
	/* loopback exists in every namespace and is never a jvpn device */
	r->ifindex = if_nametoindex("lo");
}

static void unknown_attr(struct raw_request *r)
{
	r->put_unknown_attr = true;
}

static void bad_state(struct raw_request *r)
{
	r->put_state = true;
	r->state = 200;
}

static void bad_reason(struct raw_request *r)
{
	r->cmd = JVPN_CMD_SESSION_DEL;
	r->fd_kind = FD_NONE;
	r->del_reason = 200;
}

static const struct raw_case raw_cases[] = {
	{ "valid", false, false, valid }, /* the base: "accepted" */
	{ "wrong-type", false, false, wrong_type },
	{ "short-key", true, false, short_key },
	{ "long-key", true, false, long_key },
	{ "zero-id", false, false, zero_id },
	{ "missing-id", false, false, missing_id },
	{ "missing-remote", false, false, missing_remote },
	{ "bad-port", false, false, bad_port },
	{ "bad-prefix", true, false, bad_prefix },
	{ "bad-family", true, false, bad_family },
	{ "both-addrs", false, false, both_addrs },
	{ "bad-fd", false, false, bad_fd },
	{ "not-udp-fd", false, false, not_udp_fd },
	{ "unbound-fd", false, false, unbound_fd },
	{ "bad-ifindex", false, false, bad_ifindex },
	{ "unknown-attr", false, false, unknown_attr },
	{ "bad-state", true, false, bad_state },
	{ "bad-reason", true, true, bad_reason },
};

static const struct raw_case *find_case(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(raw_cases); i++)
		if (!strcmp(raw_cases[i].name, name))
			return &raw_cases[i];
	return NULL;
}

static void list_cases(FILE *out)
{
	fputs("cases:", out);
	for (size_t i = 0; i < ARRAY_SIZE(raw_cases); i++)
		fprintf(out, " %s", raw_cases[i].name);
	fputc('\n', out);
}

/* The well-formed request every case starts from. */
static struct raw_request base_request(uint32_t ifindex, uint64_t id,
				       bool as_switch)
{
	return (struct raw_request){
		.cmd = as_switch ? JVPN_CMD_SESSION_SWITCH
				 : JVPN_CMD_SESSION_NEW,
		.ifindex = ifindex,
		.put_id = true,
		.id = id,
		.fd_kind = FD_BOUND_UDP,
		.put_remote = true,
		.remote_port = RAW_REMOTE_PORT,
		.tx_key_len = JVPN_KEY_LEN,
		.allowed_ip_family = AF_INET,
		.allowed_ip_prefix = 32,
		.del_reason = JVPN_DEL_REASON_ADMIN,
		.version = 1,
	};
}

static void put_raw_remote(struct nlmsghdr *nlh, const struct raw_request *r)
{
	const struct in_addr v4 = { htonl(INADDR_LOOPBACK) };
	struct nlattr *nest = mnl_attr_nest_start(nlh, JVPN_A_REMOTE);

	mnl_attr_put(nlh, JVPN_EP_A_ADDR4, sizeof(v4), &v4);
	if (r->remote_both_addrs)
		mnl_attr_put(nlh, JVPN_EP_A_ADDR6, sizeof(in6addr_loopback),
			     &in6addr_loopback);
	mnl_attr_put_u16(nlh, JVPN_EP_A_PORT, r->remote_port);
	mnl_attr_nest_end(nlh, nest);
}

static void put_raw_allowed_ip(struct nlmsghdr *nlh,
			       const struct raw_request *r)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IPS);
	struct jvpn_cidr cidr = {
		.family = r->allowed_ip_family,
		.prefix_len = r->allowed_ip_prefix,
		.addr = { 10, 114, 97, 119 },
	};

	/* put_allowed_ip() sends 4 address bytes for any non-v6 family */
	put_allowed_ip(nlh, &cidr);
	mnl_attr_nest_end(nlh, nest);
}

static void put_raw_keys(struct nlmsghdr *nlh, const struct raw_request *r)
{
	uint8_t tx_key[JVPN_KEY_LEN + 1], rx_key[JVPN_KEY_LEN];

	memset(tx_key, 0x11, sizeof(tx_key));
	memset(rx_key, 0x22, sizeof(rx_key));
	mnl_attr_put(nlh, JVPN_A_TX_KEY, r->tx_key_len, tx_key);
	mnl_attr_put(nlh, JVPN_A_RX_KEY, sizeof(rx_key), rx_key);
}

static void put_raw_id(struct nlmsghdr *nlh, const struct raw_request *r)
{
	if (!r->put_id)
		return;
	if (r->id_as_u32)
		mnl_attr_put_u32(nlh, JVPN_A_SESSION_ID, (uint32_t)r->id);
	else
		mnl_attr_put_u64(nlh, JVPN_A_SESSION_ID, r->id);
}

static void build_raw(struct nlmsghdr *nlh, const struct raw_request *r, int fd)
{
	mnl_attr_put_u32(nlh, JVPN_A_IFINDEX, r->ifindex);
	put_raw_id(nlh, r);
	if (r->cmd == JVPN_CMD_SESSION_DEL) {
		mnl_attr_put_u32(nlh, JVPN_A_DEL_REASON, r->del_reason);
		return;
	}
	mnl_attr_put_u32(nlh, JVPN_A_SOCKET_FD, (uint32_t)fd);
	if (r->put_remote)
		put_raw_remote(nlh, r);
	if (r->cmd == JVPN_CMD_SESSION_NEW)
		put_raw_keys(nlh, r);
	else
		mnl_attr_put_u64(nlh, JVPN_A_EXPECTED_VERSION,
				 r->expected_version);
	mnl_attr_put_u64(nlh, JVPN_A_STATE_VERSION, r->version);
	if (r->put_allowed_ip)
		put_raw_allowed_ip(nlh, r);
	if (r->put_state)
		mnl_attr_put_u8(nlh, JVPN_A_STATE, r->state);
	if (r->put_unknown_attr)
		mnl_attr_put_u32(nlh, JVPN_A_MAX + 1, 0);
}

/* Whether the case's JVPN_A_SOCKET_FD is a socket raw must open. */
static bool opens_socket(enum raw_fd kind)
{
	return kind == FD_BOUND_UDP || kind == FD_TCP || kind == FD_UNBOUND_UDP;
}

/* The socket of an opens_socket() kind; -1 after printing why. */
static int open_case_socket(const char *cmd, enum raw_fd kind)
{
	struct sockaddr_in loopback = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int type = kind == FD_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	/* bound to an ephemeral port, so that only the kind is wrong */
	if (kind != FD_UNBOUND_UDP &&
	    bind(fd, (struct sockaddr *)&loopback, sizeof(loopback)))
		goto fail;
	return fd;
fail:
	fprintf(stderr, "jvpnk: %s: a socket for the case: %s\n", cmd,
		strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown errno";
}

/* The session a request about an existing session is sent for. */
struct target_session {
	uint64_t want_id; /* 0: the first one dumped */
	bool found;
	uint64_t id;
	uint64_t version;
};

static int find_target(const struct nlmsghdr *nlh, void *data)
{
	struct target_session *target = data;
	const struct nlattr *id, *version;
	struct jvpn_attrs attrs;

	jvpn_attrs_parse(nlh, &attrs);
	id = attrs.top[JVPN_A_SESSION_ID];
	version = attrs.top[JVPN_A_STATE_VERSION];
	if (target->found || !id || mnl_attr_validate(id, MNL_TYPE_U64))
		return MNL_CB_OK;
	if (target->want_id && mnl_attr_get_u64(id) != target->want_id)
		return MNL_CB_OK;
	target->found = true;
	target->id = mnl_attr_get_u64(id);
	if (version && !mnl_attr_validate(version, MNL_TYPE_U64))
		target->version = mnl_attr_get_u64(version);
	return MNL_CB_OK;
}

/* Dumps the device for target: 0, or RAW_EXIT_NOT_SENT having printed. */
static int find_session(struct jvpn_nl *nl, uint32_t ifindex,
			struct target_session *target)
{
	struct nlmsghdr *req =
		jvpn_nl_request(nl, JVPN_CMD_SESSION_GET, NLM_F_DUMP);
	int err;

	mnl_attr_put_u32(req, JVPN_A_IFINDEX, ifindex);
	err = jvpn_nl_transact(nl, req, find_target, target);
	if (err) {
		jvpn_nl_report(nl, err);
		return RAW_EXIT_NOT_SENT;
	}
	if (target->found)
		return 0;
	if (target->want_id)
		fprintf(stderr, "jvpnk: %s: no session %llu on the device\n",
			nl->cmd, (unsigned long long)target->want_id);
	else
		fprintf(stderr,
			"jvpnk: %s: this case needs an existing "
			"session: create one first\n",
			nl->cmd);
	return RAW_EXIT_NOT_SENT;
}

/* After an accepted SESSION_NEW: take the session away again. */
static void delete_again(struct jvpn_nl *nl, const struct raw_request *r)
{
	uint64_t id = r->id_as_u32 ? (uint32_t)r->id : r->id;
	struct nlmsghdr *req;
	int err;

	if (r->cmd != JVPN_CMD_SESSION_NEW || !r->put_id)
		return;
	req = jvpn_nl_request(nl, JVPN_CMD_SESSION_DEL, 0);
	put_session_ref(req, r->ifindex, id);
	mnl_attr_put_u32(req, JVPN_A_DEL_REASON, JVPN_DEL_REASON_ADMIN);
	err = jvpn_nl_transact(nl, req, NULL, NULL);
	if (err)
		fprintf(stderr,
			"jvpnk: %s: could not delete session %llu "
			"again: %s\n",
			nl->cmd, (unsigned long long)id, strerror(-err));
}

static int print_outcome(struct jvpn_nl *nl, const char *name, int err)
{
	if (!err) {
		printf("accepted %s\n", name);
		return RAW_EXIT_ACCEPTED;
	}
	if (nl->extack[0])
		printf("refused %s: %s: %s\n", name, errno_name(-err),
		       nl->extack);
	else
		printf("refused %s: %s\n", name, errno_name(-err));
	return RAW_EXIT_REFUSED;
}

/*
 * Points r at the existing session the plan asks for, with the versions a
 * SWITCH of it needs: 0 or RAW_EXIT_NOT_SENT.
 */
static int aim_request(struct jvpn_nl *nl, const struct raw_plan *plan,
		       struct raw_request *r)
{
	struct target_session target = { .want_id = plan->want_id };

	if (!plan->on_existing)
		return 0;
	if (find_session(nl, r->ifindex, &target))
		return RAW_EXIT_NOT_SENT;
	r->id = target.id;
	if (!plan->given_expect)
		r->expected_version = target.version;
	if (!plan->given_version)
		r->version = r->expected_version + 1;
	return 0;
}

/*
 * Aims the base request r, applies case c to it (after aiming, so that c
 * can still change the id) and sends it.
 */
static int send_case(const char *cmd, const struct raw_case *c,
		     const struct raw_plan *plan, struct raw_request *r)
{
	struct jvpn_nl nl;
	struct nlmsghdr *req;
	int fd, err, status;

	if (jvpn_nl_open(&nl, cmd))
		return RAW_EXIT_NOT_SENT;
	if (aim_request(&nl, plan, r)) {
		jvpn_nl_close(&nl);
		return RAW_EXIT_NOT_SENT;
	}
	c->apply(r);
	fd = opens_socket(r->fd_kind) ? open_case_socket(cmd, r->fd_kind)
				      : RAW_BOGUS_FD;
	if (fd < 0) {
		jvpn_nl_close(&nl);
		return RAW_EXIT_NOT_SENT;
	}
	req = jvpn_nl_request(&nl, r->cmd, 0);
	build_raw(req, r, fd);
	err = jvpn_nl_transact(&nl, req, NULL, NULL);
	status = print_outcome(&nl, c->name, err);
	if (!err)
		delete_again(&nl, r);
	if (opens_socket(r->fd_kind))
		close(fd);
	jvpn_nl_close(&nl);
	return status;
}

enum { RAW_ID, RAW_SWITCH, RAW_EXPECT, RAW_VERSION };

static const struct cli_option raw_options[] = {
	[RAW_ID] = { "id", true, false },
	[RAW_SWITCH] = { "switch", false, false },
	[RAW_EXPECT] = { "expect", true, false },
	[RAW_VERSION] = { "version", true, false },
};

static const struct cli_spec raw_spec = {
	.options = raw_options,
	.n_options = ARRAY_SIZE(raw_options),
	.n_positional = 2,
	.positional_names = "DEV CASE",
};

struct raw_args {
	uint64_t id;
	uint64_t expected_version;
	uint64_t version;
};

static int raw_option(const struct cli *cli, int option, const char *value,
		      void *args)
{
	struct raw_args *a = args;

	switch (option) {
	case RAW_ID:
		return cli_u64(cli, value, UINT64_MAX, &a->id);
	case RAW_EXPECT:
		return cli_u64(cli, value, UINT64_MAX, &a->expected_version);
	case RAW_VERSION:
		return cli_u64(cli, value, UINT64_MAX, &a->version);
	}
	return 0;
}

/* The case named on the command line and whether --switch fits it. */
static const struct raw_case *choose_case(const struct cli *cli)
{
	const struct raw_case *c = find_case(cli->positional[1]);
	bool as_switch = cli_given(cli, RAW_SWITCH);

	if (!c) {
		cli_usage_error(cli, "no case '%s'", cli->positional[1]);
		list_cases(stderr);
		return NULL;
	}
	if (as_switch && c->new_only) {
		cli_usage_error(cli, "case %s has no --switch form", c->name);
		return NULL;
	}
	if (!as_switch &&
	    (cli_given(cli, RAW_EXPECT) || cli_given(cli, RAW_VERSION))) {
		cli_usage_error(cli, "--expect and --version go with "
				     "--switch");
		return NULL;
	}
	return c;
}

int cmd_raw(int argc, char **argv)
{
	struct raw_args args = { .id = RAW_DEFAULT_ID };
	const struct raw_case *c;
	struct raw_request r;
	struct raw_plan plan;
	struct cli cli;
	unsigned int ifindex;
	bool as_switch;
	int status = cli_parse(&cli, argc, argv, &raw_spec, raw_option, &args);

	if (status)
		return status;
	c = choose_case(&cli);
	if (!c)
		return EXIT_USAGE;
	ifindex = cli_ifindex(&cli, cli.positional[0]);
	if (!ifindex)
		return RAW_EXIT_NOT_SENT;
	as_switch = cli_given(&cli, RAW_SWITCH);
	plan = (struct raw_plan){
		.on_existing = as_switch || c->on_existing,
		.want_id = cli_given(&cli, RAW_ID) ? args.id : 0,
		.given_expect = cli_given(&cli, RAW_EXPECT),
		.given_version = cli_given(&cli, RAW_VERSION),
	};
	r = base_request(ifindex, args.id, as_switch);
	r.expected_version = args.expected_version;
	if (plan.given_version)
		r.version = args.version;
	return send_case(cli.cmd, c, &plan, &r);
}
