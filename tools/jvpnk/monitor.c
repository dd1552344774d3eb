// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * monitor: prints the events of the "events" multicast group, one line
 * each, so that a test can start it in the background, wait for its
 * "# listening" line, act, and then check what the kernel announced.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/jvpn.h>

#include "cli.h"
#include "record.h"
#include "jvpnk.h"
#include "names.h"
#include "nl.h"
#include "wait.h"

/* Room for bursts of events while a test is busy elsewhere. */
#define MONITOR_RCVBUF (4 << 20)

/* After "seq" and "event": who, then what changed. */
static const char *const event_lead[] = {
	"ifindex", "id",    "version",	  "old_state", "state",
	"reason",  "local", "old_remote", "remote",
};

enum { MON_COUNT, MON_TIMEOUT, MON_DEV, MON_EVENT };

static const struct cli_option monitor_options[] = {
	[MON_COUNT] = { "count", true, false },
	[MON_TIMEOUT] = { "timeout", true, false },
	[MON_DEV] = { "dev", true, false },
	[MON_EVENT] = { "event", true, true },
};

static const struct cli_spec monitor_spec = {
	.options = monitor_options,
	.n_options = ARRAY_SIZE(monitor_options),
};

struct monitor_args {
	uint64_t count;	    /* exit after this many; 0: never */
	int64_t timeout_ms; /* WAIT_FOREVER: no timeout */
	const char *dev;    /* only this device's events; NULL: all */
	uint32_t events;    /* bit per JVPN_CMD_EVENT_*; 0: all */
};

struct monitor {
	const struct monitor_args *args;
	uint16_t family_id;
	unsigned int ifindex; /* of args->dev, or 0 */
	uint64_t printed;
};

static int add_event_filter(const struct cli *cli, struct monitor_args *a,
			    const char *name)
{
	int cmd = jvpn_event_by_name(name);

	if (cmd < 0)
		return cli_bad_value(cli, "expected created, deleted, "
					  "switched, stray or state");
	a->events |= UINT32_C(1) << cmd;
	return 0;
}

static int monitor_option(const struct cli *cli, int option, const char *value,
			  void *args)
{
	struct monitor_args *a = args;

	switch (option) {
	case MON_COUNT:
		if (cli_u64(cli, value, UINT64_MAX, &a->count))
			return EXIT_USAGE;
		return a->count ? 0 : cli_bad_value(cli, "must be at least 1");
	case MON_TIMEOUT:
		return cli_seconds(cli, value, &a->timeout_ms);
	case MON_DEV:
		a->dev = value;
		return 0;
	case MON_EVENT:
		return add_event_filter(cli, a, value);
	}
	return 0;
}

static bool wanted(const struct monitor *mon, uint8_t cmd,
		   const struct jvpn_attrs *attrs)
{
	const struct nlattr *ifindex = attrs->top[JVPN_A_IFINDEX];

	if (mon->args->events &&
	    (cmd >= 32 || !(mon->args->events & (UINT32_C(1) << cmd))))
		return false;
	if (!mon->ifindex)
		return true;
	return ifindex && !mnl_attr_validate(ifindex, MNL_TYPE_U32) &&
	       mnl_attr_get_u32(ifindex) == mon->ifindex;
}

static void print_event(uint8_t cmd, const struct jvpn_attrs *attrs)
{
	const char *name = jvpn_event_name(cmd);
	struct record rec = { 0 };
	char number[16];

	record_add_field(&rec, attrs, "seq");
	if (!name) {
		/* a newer kernel's event: still shown, by number */
		snprintf(number, sizeof(number), "cmd-%u", cmd);
		name = number;
	}
	record_add(&rec, "event", name);
	record_add_fields(&rec, attrs, event_lead, ARRAY_SIZE(event_lead));
	record_print(&rec, ' ');
	record_free(&rec);
}

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *mon = data;
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct jvpn_attrs attrs;

	if (nlh->nlmsg_type != mon->family_id ||
	    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	jvpn_attrs_parse(nlh, &attrs);
	if (!wanted(mon, genl->cmd, &attrs))
		return MNL_CB_OK;
	print_event(genl->cmd, &attrs);
	mon->printed++;
	if (mon->args->count && mon->printed == mon->args->count)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

static void enlarge_rcvbuf(struct jvpn_nl *nl)
{
	int fd = mnl_socket_get_fd(nl->sock);
	int size = MONITOR_RCVBUF;

	/* FORCE passes rmem_max with CAP_NET_ADMIN; else take what we get */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static int receive_error(const struct jvpn_nl *nl)
{
	if (errno == ENOBUFS)
		fprintf(stderr,
			"jvpnk: %s: events were lost: the socket's "
			"receive buffer overflowed\n",
			nl->cmd);
	else
		fprintf(stderr, "jvpnk: %s: receiving events: %s\n", nl->cmd,
			strerror(errno));
	return EXIT_FAILURE;
}

static int timed_out(const struct jvpn_nl *nl, const struct monitor *mon)
{
	if (mon->args->count)
		fprintf(stderr,
			"jvpnk: %s: timed out after %llu of %llu "
			"events\n",
			nl->cmd, (unsigned long long)mon->printed,
			(unsigned long long)mon->args->count);
	else
		fprintf(stderr, "jvpnk: %s: timed out after %llu events\n",
			nl->cmd, (unsigned long long)mon->printed);
	return EXIT_TIMEOUT;
}

/* Prints events until the count is reached or the time is up. */
static int listen_events(struct jvpn_nl *nl, struct monitor *mon)
{
	int fd = mnl_socket_get_fd(nl->sock);
	int64_t budget = mon->args->timeout_ms;

	for (;;) {
		int ready = wait_readable(fd, &budget);
		ssize_t len;
		int ret;

		if (ready == 0)
			return timed_out(nl, mon);
		if (ready < 0)
			return receive_error(nl);
		len = mnl_socket_recvfrom(nl->sock, nl->rx, JVPN_NL_BUF_SIZE);
		if (len < 0)
			return receive_error(nl);
		ret = mnl_cb_run(nl->rx, (size_t)len, 0, 0, on_event, mon);
		if (ret < 0)
			return receive_error(nl);
		if (ret == MNL_CB_STOP)
			return EXIT_SUCCESS;
	}
}

static int monitor(const char *cmd, struct monitor *mon)
{
	struct jvpn_nl nl;
	int status;

	if (jvpn_nl_open(&nl, cmd))
		return EXIT_FAILURE;
	mon->family_id = nl.family_id;
	enlarge_rcvbuf(&nl);
	status = jvpn_nl_subscribe(&nl);
	if (!status) {
		/* from here on no event can be missed: tell the test */
		puts("# listening");
		fflush(stdout);
		status = listen_events(&nl, mon);
	}
	jvpn_nl_close(&nl);
	return status;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor_args args = { .timeout_ms = WAIT_FOREVER };
	struct monitor mon = { .args = &args };
	struct cli cli;
	int status = cli_parse(&cli, argc, argv, &monitor_spec, monitor_option,
			       &args);

	if (status)
		return status;
	if (args.dev) {
		mon.ifindex = cli_ifindex(&cli, args.dev);
		if (!mon.ifindex)
			return EXIT_FAILURE;
	}
	return monitor(cli.cmd, &mon);
}
