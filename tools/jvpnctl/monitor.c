// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * monitor [--count N] [--timeout SECONDS] [--rcvbuf BYTES] [DEV]: the kernel's
 * multicast events and the daemon's event stream, one line each as they
 * come. Both sources number their events; a gap means events were lost
 * (a full socket buffer, a slow terminal), and then monitor says so and
 * prints the current sessions from a fresh dump, so that what the reader
 * holds is right again.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/jvpn.h>

#include "clock.h"
#include "cli.h"
#include "ctl.h"
#include "names.h"
#include "parse.h"
#include "util.h"
#include "view.h"

#define MONITOR_RCVBUF (4 << 20)
#define RECONNECT_MS   1000

struct monitor {
	const struct jvpnctl_opts *opts;
	const char *dev;	 /* NULL: every device */
	unsigned int ifindex;	 /* of dev, 0: every device */
	uint64_t count, printed; /* stop after count (0: never) */
	int rcvbuf;		 /* the netlink socket's, bytes */
	struct jvpn_nl nl;	 /* subscribed */
	uint64_t kernel_seq;	 /* last seen, 0: none yet */
	struct ctl daemon;	 /* fd -1: not connected */
	uint64_t daemon_seq;
	uint64_t next_connect_ms;
};

/* Members that only make sense to a machine, left out for people. */
static bool hidden(const char *name)
{
	static const char *const names[] = { "source",	"event",  "type",
					     "seq",	"time",	  "mono_ns",
					     "time_ns", "ifindex" };

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static void print(struct monitor *m, const struct obj *o, bool counts)
{
	struct timespec ts;
	struct tm tm;
	char when[16];

	if (m->opts->json) {
		obj_print_json(o, stdout);
		putchar('\n');
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		printf("%s.%03ld %-7s %-24s", when, ts.tv_nsec / 1000000,
		       obj_get(o, "source") ?: "?",
		       obj_get(o, "event") ?: obj_get(o, "type") ?: "?");
		for (size_t i = 0; i < o->n; i++)
			if (!hidden(o->m[i].name) && *o->m[i].value)
				printf(" %s=%s", o->m[i].name, o->m[i].value);
		putchar('\n');
	}
	fflush(stdout);
	if (counts)
		m->printed++;
}

static void notice(struct monitor *m, const char *from, uint64_t lost,
		   const char *message)
{
	struct obj o = { 0 };

	obj_set(&o, "source", "jvpnctl", OBJ_STRING);
	obj_set(&o, "event", "resync", OBJ_STRING);
	obj_set(&o, "from", from, OBJ_STRING);
	if (lost)
		obj_set_u64(&o, "lost", lost);
	obj_set(&o, "message", message, OBJ_STRING);
	print(m, &o, false);
	obj_free(&o);
}

/* Every session as the kernel has it now, marked as a snapshot. */
static void kernel_snapshot(struct monitor *m)
{
	struct kdev *devs = NULL;
	struct jvpn_nl nl;
	size_t n = 0;

	if (kview_open(&nl, "monitor"))
		return;
	if (!kview_devices(&nl, m->dev, &devs, &n)) {
		for (size_t i = 0; i < n; i++) {
			struct objs list = { 0 };

			kview_sessions(&nl, &devs[i], &list);
			for (size_t s = 0; s < list.n; s++) {
				struct obj o = { 0 };

				obj_set(&o, "source", "kernel", OBJ_STRING);
				obj_set(&o, "event", "snapshot", OBJ_STRING);
				view_merge(&o, devs[i].name, &list.items[s],
					   NULL);
				print(m, &o, false);
				obj_free(&o);
			}
			objs_free(&list);
		}
	}
	kview_free_devices(devs, n);
	jvpn_nl_close(&nl);
}

/* The daemon's sessions now, over a second connection. */
static void daemon_snapshot(struct monitor *m)
{
	struct jvpnctl_opts quiet = *m->opts;
	struct objs list = { 0 };
	struct ctl c;

	quiet.quiet = true;
	if (!ctl_ask(&c, &quiet, "monitor", m->dev, "sessions", NULL))
		ctl_read_all(&c, &list);
	ctl_close(&c);
	for (size_t i = 0; i < list.n; i++) {
		struct obj o = { 0 };

		obj_set(&o, "source", "jvpnd", OBJ_STRING);
		obj_set(&o, "event", "snapshot", OBJ_STRING);
		for (size_t k = 0; k < list.items[i].n; k++)
			obj_set(&o, list.items[i].m[k].name,
				list.items[i].m[k].value,
				list.items[i].m[k].kind);
		print(m, &o, false);
		obj_free(&o);
	}
	objs_free(&list);
}

static void kernel_gap(struct monitor *m, uint64_t lost)
{
	notice(m, "kernel", lost,
	       "kernel events were lost: sessions "
	       "re-read from a dump");
	kernel_snapshot(m);
}

static int on_kernel_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	struct obj event = { 0 }, o = { 0 };
	const char *name;
	uint64_t seq;

	if (nlh->nlmsg_type != m->nl.family_id ||
	    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	kview_to_obj(nlh, &event);
	seq = obj_u64(&event, "seq", 0);
	if (seq && m->kernel_seq && seq != m->kernel_seq + 1 &&
	    seq > m->kernel_seq)
		kernel_gap(m, seq - m->kernel_seq - 1);
	if (seq)
		m->kernel_seq = seq;
	if (!m->ifindex || obj_u64(&event, "ifindex", 0) == m->ifindex) {
		name = jvpn_event_name(genl->cmd);
		obj_set(&o, "source", "kernel", OBJ_STRING);
		obj_set(&o, "event", name ?: "unknown", OBJ_STRING);
		for (size_t i = 0; i < event.n; i++)
			obj_set(&o, event.m[i].name, event.m[i].value,
				event.m[i].kind);
		print(m, &o, true);
	}
	obj_free(&event);
	obj_free(&o);
	return m->count && m->printed >= m->count ? MNL_CB_STOP : MNL_CB_OK;
}

/* Returns false when monitoring must end (count reached, or an error). */
static bool read_kernel(struct monitor *m)
{
	ssize_t n = mnl_socket_recvfrom(m->nl.sock, m->nl.rx, JVPN_NL_BUF_SIZE);

	if (n < 0 && errno == ENOBUFS) {
		kernel_gap(m, 0);
		return true;
	}
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	return mnl_cb_run(m->nl.rx, (size_t)n, 0, 0, on_kernel_msg, m) >
	       MNL_CB_STOP;
}

static void daemon_connect(struct monitor *m, bool first_time)
{
	struct jvpnctl_opts quiet = *m->opts;
	struct obj ok = { 0 };

	quiet.quiet = true;
	m->next_connect_ms = jvpn_mono_ms() + RECONNECT_MS;
	if (ctl_ask(&m->daemon, &quiet, "monitor", m->dev, "monitor", &ok)) {
		ctl_close(&m->daemon);
		if (first_time)
			fprintf(stderr,
				"jvpnctl: monitor: jvpnd is not "
				"running: kernel events only until it is\n");
		obj_free(&ok);
		return;
	}
	/* lines after the status may already be in the buffer */
	m->daemon_seq = obj_u64(&ok, "seq", 0);
	obj_free(&ok);
	if (!first_time) {
		notice(m, "jvpnd", 0, "jvpnd is back: its sessions follow");
		daemon_snapshot(m);
	}
}

static void daemon_line(struct monitor *m, const char *line)
{
	struct obj event = { 0 }, o = { 0 };
	uint64_t seq;

	if (!obj_parse_json(&event, line)) {
		obj_free(&event);
		return;
	}
	seq = obj_u64(&event, "seq", 0);
	if (seq > m->daemon_seq + 1) {
		notice(m, "jvpnd", seq - m->daemon_seq - 1,
		       "jvpnd events "
		       "were lost: sessions re-read from the daemon");
		daemon_snapshot(m);
	}
	m->daemon_seq = seq;
	obj_set(&o, "source", "jvpnd", OBJ_STRING);
	for (size_t i = 0; i < event.n; i++)
		obj_set(&o, event.m[i].name, event.m[i].value, event.m[i].kind);
	print(m, &o, true);
	obj_free(&event);
	obj_free(&o);
}

static void daemon_gone(struct monitor *m)
{
	ctl_close(&m->daemon);
	notice(m, "jvpnd", 0,
	       "jvpnd went away: kernel events only until "
	       "it is back");
}

static bool drain_daemon(struct monitor *m);

static void read_daemon(struct monitor *m)
{
	int n = ctl_fill(&m->daemon);

	if (n == -EINTR || n == -EAGAIN)
		return;
	if (n <= 0) {
		daemon_gone(m);
		return;
	}
	drain_daemon(m);
}

/* Lines read along with an earlier one: poll would not see them. */
static bool drain_daemon(struct monitor *m)
{
	bool any = false;
	char *line;

	while ((!m->count || m->printed < m->count) &&
	       (line = ctl_line(&m->daemon))) {
		daemon_line(m, line);
		any = true;
	}
	return any;
}

enum { OPT_COUNT, OPT_TIMEOUT, OPT_RCVBUF };

static const struct cli_option monitor_options[] = {
	[OPT_COUNT] = { "count", true, false },
	[OPT_TIMEOUT] = { "timeout", true, false },
	[OPT_RCVBUF] = { "rcvbuf", true, false },
};

static const struct cli_spec monitor_spec = {
	.options = monitor_options,
	.n_options = ARRAY_SIZE(monitor_options),
	.n_optional_positional = 1,
	.positional_names = "[DEV]",
};

struct monitor_args {
	struct monitor *m;
	int64_t *timeout_ms;
};

static int monitor_option(const struct cli *cli, int option, const char *value,
			  void *data)
{
	struct monitor_args *a = data;
	uint64_t n;

	switch (option) {
	case OPT_COUNT:
		if (parse_u64(value, UINT64_MAX, &n) || !n)
			return cli_bad_value(cli, "expected a number above 0");
		a->m->count = n;
		return 0;
	case OPT_TIMEOUT:
		if (parse_seconds(value, a->timeout_ms) || *a->timeout_ms <= 0)
			return cli_bad_value(cli, "expected seconds above 0");
		return 0;
	default:
		if (parse_u64(value, 64 << 20, &n) || n < 1024)
			return cli_bad_value(cli,
					     "expected bytes, 1024 to 64 MiB");
		a->m->rcvbuf = (int)n;
		return 0;
	}
}

static int parse_args(struct monitor *m, int argc, char **argv,
		      int64_t *timeout_ms)
{
	struct monitor_args a = { m, timeout_ms };
	struct cli cli;
	int status =
		cli_parse(&cli, argc, argv, &monitor_spec, monitor_option, &a);

	if (status)
		return JVPNCTL_USAGE;
	m->dev = cli.n_positional ? cli.positional[0] : NULL;
	return JVPNCTL_OK;
}

static int open_kernel(struct monitor *m)
{
	int size = m->rcvbuf ? m->rcvbuf : MONITOR_RCVBUF, fd;
	int status = kview_open(&m->nl, "monitor");

	if (status)
		return status;
	if (m->dev) {
		struct kdev *devs = NULL;
		size_t n = 0;

		status = kview_devices(&m->nl, m->dev, &devs, &n);
		m->ifindex = n ? devs[0].ifindex : 0;
		kview_free_devices(devs, n);
		if (status)
			return status;
	}
	if (jvpn_nl_subscribe(&m->nl))
		return JVPNCTL_PERMISSION;
	fd = mnl_socket_get_fd(m->nl.sock);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return JVPNCTL_OK;
}

static int run(struct monitor *m, int64_t timeout_ms)
{
	uint64_t deadline =
		timeout_ms ? jvpn_mono_ms() + (uint64_t)timeout_ms : 0;

	while (!m->count || m->printed < m->count) {
		struct pollfd p[2] = {
			{ .fd = mnl_socket_get_fd(m->nl.sock),
			  .events = POLLIN },
			{ .fd = m->daemon.fd, .events = POLLIN },
		};
		uint64_t now = jvpn_mono_ms();
		int wait = 250;

		if (deadline && now >= deadline)
			return m->count ? jvpnctl_error(
						  JVPNCTL_FAILURE, "monitor",
						  "timed out after %" PRIu64
						  " of %" PRIu64 " events",
						  m->printed, m->count)
					: JVPNCTL_OK;
		if (m->daemon.fd < 0 && now >= m->next_connect_ms)
			daemon_connect(m, false);
		if (m->daemon.fd >= 0 && drain_daemon(m))
			continue;
		if (poll(p, 2, wait) < 0 && errno != EINTR)
			return jvpnctl_error(JVPNCTL_FAILURE, "monitor",
					     "poll: %s", strerror(errno));
		if (p[0].revents && !read_kernel(m))
			break;
		if (p[1].revents && m->daemon.fd >= 0)
			read_daemon(m);
	}
	return JVPNCTL_OK;
}

int cmd_monitor(const struct jvpnctl_opts *o, int argc, char **argv)
{
	struct monitor m = { .opts = o, .daemon = { .fd = -1 } };
	int64_t timeout_ms = 0;
	int status = parse_args(&m, argc, argv, &timeout_ms);

	if (status)
		return status;
	status = open_kernel(&m);
	if (!status) {
		daemon_connect(&m, true);
		status = run(&m, timeout_ms);
	}
	ctl_close(&m.daemon);
	jvpn_nl_close(&m.nl);
	return status;
}
