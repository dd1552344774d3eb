// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/io/outlet.c and daemon/eventbus.c: datagrams reach a
 * listener; a busy listener costs lines, not time; a listener that went
 * away is lost from and found again once it is back, at most once per
 * second; a full pipe loses lines and a torn line is closed before the
 * next; reopening (SIGHUP, logrotate) keeps counters and seq; every
 * outlet the configuration names gets its own rendering; taps see every
 * event, with the JSON line even when the json outlet is off.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "eventbus.h"

#define SEC UINT64_C(1000000000)

struct fixture {
	char dir[64];
	char sock[128];
	int listener;
};

static int listen_dgram(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(addr.sun_path, path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/jvpn-outlets.XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->sock, sizeof(f->sock), "%s/log", f->dir);
	f->listener = listen_dgram(f->sock);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	close(f->listener);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

static ssize_t recv_one(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* ---- outlet.c: datagrams ---------------------------------------------- */

static void test_dgram_delivers(void **state)
{
	struct fixture *f = *state;
	struct outlet o;
	char buf[64];

	outlet_init(&o);
	assert_int_equal(outlet_open(&o, OUTLET_DGRAM, f->sock, 0), 0);
	assert_true(outlet_send(&o, "hello", 5, 1));
	assert_int_equal(recv_one(f->listener, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	outlet_close(&o);
	assert_false(o.enabled);
	assert_false(outlet_send(&o, "x", 1, 2));
}

/* a listener that reads nothing: sends fail at once, the connection stays
 * and works again once it drains */
static void test_dgram_busy_listener(void **state)
{
	struct fixture *f = *state;
	char line[512] = { 0 }, buf[600];
	struct outlet o;
	int fd, sent = 0;

	outlet_init(&o);
	assert_int_equal(outlet_open(&o, OUTLET_DGRAM, f->sock, 0), 0);
	fd = o.fd;
	while (sent < 100000 && outlet_send(&o, line, sizeof(line), 1))
		sent++;
	assert_true(sent < 100000);
	assert_false(outlet_send(&o, line, sizeof(line), 2));
	assert_int_equal(o.fd, fd);
	while (recv_one(f->listener, buf, sizeof(buf)) > 0)
		;
	assert_true(outlet_send(&o, line, sizeof(line), 3));
	outlet_close(&o);
}

/* the listener dies (syslogd killed) and another binds the same path */
static void test_dgram_listener_restart(void **state)
{
	struct fixture *f = *state;
	struct outlet o;
	char buf[64];

	outlet_init(&o);
	assert_int_equal(outlet_open(&o, OUTLET_DGRAM, f->sock, 10 * SEC), 0);
	close(f->listener);
	unlink(f->sock);
	/* gone: lost, one reconnect attempt now, none for a second */
	assert_false(outlet_send(&o, "a", 1, 20 * SEC));
	assert_int_equal(o.fd, -1);
	f->listener = listen_dgram(f->sock);
	assert_false(outlet_send(&o, "b", 1, 20 * SEC + SEC / 2));
	assert_int_equal(o.fd, -1);
	assert_true(outlet_send(&o, "c", 1, 21 * SEC));
	assert_int_equal(recv_one(f->listener, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "c");

	/* restarted while we were not looking: the stale connection is
	 * refused, and the first send reconnects at once */
	close(f->listener);
	unlink(f->sock);
	f->listener = listen_dgram(f->sock);
	assert_true(outlet_send(&o, "d", 1, 30 * SEC));
	assert_int_equal(recv_one(f->listener, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "d");
	outlet_close(&o);
}

/* no listener at start: enabled, -errno, retried later */
static void test_dgram_absent_at_open(void **state)
{
	struct fixture *f = *state;
	char path[160];
	struct outlet o;
	int listener;

	snprintf(path, sizeof(path), "%s/later", f->dir);
	outlet_init(&o);
	assert_int_equal(outlet_open(&o, OUTLET_DGRAM, path, 5 * SEC), -ENOENT);
	assert_true(o.enabled);
	listener = listen_dgram(path);
	assert_false(outlet_send(&o, "x", 1, 5 * SEC + 1));
	assert_true(outlet_send(&o, "x", 1, 6 * SEC));
	close(listener);
	outlet_close(&o);
}

/* ---- outlet.c: files ------------------------------------------------------ */

static void pipe_path(int fd, char *path, size_t size)
{
	snprintf(path, size, "/proc/self/fd/%d", fd);
}

/* a reader that stalls: lines are lost, never waited for; a write cut
 * short is followed by a newline, so the next line starts clean */
static void test_file_full_pipe(void **state)
{
	static char big[5000], out[8192];
	char path[64];
	struct outlet o;
	int p[2], sent = 0;

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) >= 4096);
	pipe_path(p[1], path, sizeof(path));
	outlet_init(&o);
	assert_int_equal(outlet_open(&o, OUTLET_FILE, path, 0), 0);
	/* whole short lines until the pipe is full: the next one is lost */
	while (sent < 10000 && outlet_send(&o, "a\n", 2, 1))
		sent++;
	assert_int_equal(sent, 2048);
	assert_false(o.torn);
	assert_int_equal(read(p[0], out, sizeof(out)), 4096);
	/* a line longer than the pipe: cut short */
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_false(outlet_send(&o, big, sizeof(big), 2));
	assert_true(o.torn);
	assert_int_equal(read(p[0], out, sizeof(out)), 4096);
	assert_true(outlet_send(&o, "y\n", 2, 3));
	assert_false(o.torn);
	assert_int_equal(read(p[0], out, sizeof(out)), 3);
	assert_memory_equal(out, "\ny\n", 3);
	outlet_close(&o);
	close(p[0]);
	close(p[1]);
}

/* ---- events.c ---------------------------------------------------------- */

static const struct event EV = {
	.type = EV_STATE_CHANGE,
	.session_id = 9,
	.state_version = 3,
	.reason = JVPND_REASON_RECOVERED,
	.old_state = 3,
	.new_state = 1,
	.new_transport = "10.2.0.2:4000",
};

struct tapped {
	unsigned int n;
	uint64_t seq;
	char json[1024];
};

static void tap(void *ctx, const struct event *ev, uint64_t seq,
		const char *json, size_t len)
{
	struct tapped *t = ctx;

	assert_int_equal(ev->session_id, 9);
	assert_int_equal(strlen(json), len);
	t->n++;
	t->seq = seq;
	snprintf(t->json, sizeof(t->json), "%s", json);
}

static void init(struct event_outlets *o, const struct fixture *f)
{
	events_init(o);
	o->syslog_socket = f->sock;
	o->journal_socket = f->sock;
}

static size_t count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;
	int c;

	if (!fp)
		return 0;
	while ((c = fgetc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

static void test_taps_without_json_outlet(void **state)
{
	struct fixture *f = *state;
	struct config_interface ifc = { 0 };
	struct event_outlets o;
	struct tapped t = { 0 };
	char err[256];

	init(&o, f);
	assert_int_equal(events_open(&o, &ifc, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	for (int k = 0; k < OUTLET_COUNT; k++)
		assert_false(outlet_enabled(&o, k));
	for (int i = 0; i < EVENTS_MAX_TAPS; i++)
		assert_int_equal(events_add_tap(&o, tap, &t), 0);
	assert_int_equal(events_add_tap(&o, tap, &t), -ENOSPC);
	events_emit(&o, &EV);
	events_emit(&o, &EV);
	assert_int_equal(t.n, 2 * EVENTS_MAX_TAPS);
	assert_int_equal(t.seq, 2);
	assert_non_null(strstr(t.json, "{\"seq\":2,\"type\":\"STATE_CHANGE\""));
	assert_non_null(
		strstr(t.json, "\"new_transport\":\"10.2.0.2:4000\"}\n"));
	for (int k = 0; k < OUTLET_COUNT; k++)
		assert_int_equal(o.sent[k] + o.lost[k], 0);
	events_close(&o);
}

/* every outlet on: each gets its own rendering, each counts */
static void test_all_outlets(void **state)
{
	struct fixture *f = *state;
	struct config_interface ifc = { .syslog = true, .journald = true };
	struct event_outlets o;
	char err[256], buf[8192], counts[256];

	init(&o, f);
	snprintf(ifc.event_log, sizeof(ifc.event_log), "%s/ev.json", f->dir);
	snprintf(ifc.cef_log, sizeof(ifc.cef_log), "%s/ev.cef", f->dir);
	assert_int_equal(events_open(&o, &ifc, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	events_emit(&o, &EV);
	for (int k = 0; k < OUTLET_COUNT; k++) {
		assert_true(outlet_enabled(&o, k));
		assert_int_equal(o.sent[k], 1);
		assert_int_equal(o.lost[k], 0);
	}
	/* syslog first, then journald: the order events.c sends in */
	assert_true(recv_one(f->listener, buf, sizeof(buf)) > 0);
	assert_true(!strncmp(buf, "<30>1 ", 6) || !strncmp(buf, "<29>1 ", 6));
	assert_non_null(strstr(buf, " jvpnd "));
	assert_non_null(strstr(buf, " STATE_CHANGE [jvpn@32473 seq=\"1\" "));
	assert_true(recv_one(f->listener, buf, sizeof(buf)) > 0);
	assert_true(!strncmp(buf, "MESSAGE=STATE_CHANGE session 9 ", 31));
	assert_non_null(
		strstr(buf, "\nMESSAGE_ID=75cfe7642212f1b73a8b69c5247767fa\n"));
	snprintf(buf, sizeof(buf), "%s/ev.json", f->dir);
	assert_int_equal(count_lines(buf), 1);
	snprintf(buf, sizeof(buf), "%s/ev.cef", f->dir);
	assert_int_equal(count_lines(buf), 1);
	events_counts_text(&o, counts, sizeof(counts));
	assert_string_equal(counts,
			    "json sent=1 lost=0, syslog sent=1 lost=0, "
			    "journald sent=1 lost=0, cef sent=1 lost=0");
	events_close(&o);
	events_counts_text(&o, counts, sizeof(counts));
	assert_string_equal(counts, "no outlet");
}

/* logrotate: move the file, SIGHUP; counters and seq go on */
static void test_reopen_rotates(void **state)
{
	struct fixture *f = *state;
	struct config_interface ifc = { .syslog = true };
	struct event_outlets o;
	char err[256], path[160], moved[160], buf[4096];

	init(&o, f);
	snprintf(path, sizeof(path), "%s/rot.json", f->dir);
	snprintf(moved, sizeof(moved), "%s/rot.json.1", f->dir);
	strcpy(ifc.event_log, path);
	assert_int_equal(events_open(&o, &ifc, err, sizeof(err)), 0);
	events_emit(&o, &EV);
	assert_int_equal(rename(path, moved), 0);
	/* syslog off on reload: closed; json reopened at the old path */
	ifc.syslog = false;
	assert_int_equal(events_open(&o, &ifc, err, sizeof(err)), 0);
	assert_false(outlet_enabled(&o, OUTLET_SYSLOG));
	events_emit(&o, &EV);
	events_emit(&o, &EV);
	assert_int_equal(count_lines(moved), 1);
	assert_int_equal(count_lines(path), 2);
	assert_int_equal(o.seq, 3);
	assert_int_equal(o.sent[OUTLET_JSON], 3);
	assert_int_equal(o.sent[OUTLET_SYSLOG], 1);
	while (recv_one(f->listener, buf, sizeof(buf)) > 0)
		;
	events_close(&o);
}

/* a file that cannot be opened is an error for the caller, named; a
 * socket without listener is only reported; both count what they miss */
static void test_open_failures(void **state)
{
	struct fixture *f = *state;
	struct config_interface ifc = { .journald = true };
	struct event_outlets o;
	char err[512];

	init(&o, f);
	o.journal_socket = "/nonexistent/jvpn/socket";
	snprintf(ifc.cef_log, sizeof(ifc.cef_log), "%s/no/such/dir/x.cef",
		 f->dir);
	assert_int_equal(events_open(&o, &ifc, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cef-log "));
	assert_non_null(strstr(err, "x.cef: No such file or directory"));
	assert_non_null(strstr(err, "; journald /nonexistent/jvpn/socket: "));
	assert_true(outlet_enabled(&o, OUTLET_CEF));
	assert_true(outlet_enabled(&o, OUTLET_JOURNALD));
	events_emit(&o, &EV);
	events_emit(&o, &EV);
	assert_int_equal(o.lost[OUTLET_CEF], 2);
	assert_int_equal(o.lost[OUTLET_JOURNALD], 2);
	assert_int_equal(o.sent[OUTLET_CEF] + o.sent[OUTLET_JOURNALD], 0);
	/* the socket alone is not fatal */
	ifc.cef_log[0] = '\0';
	assert_int_equal(events_open(&o, &ifc, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "journald "));
	assert_int_equal(o.lost[OUTLET_CEF], 2); /* kept */
	/* no room for the text: still the status */
	assert_int_equal(events_open(&o, &ifc, NULL, 0), 0);
	events_close(&o);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(outlet_name(OUTLET_JSON), "json");
	assert_string_equal(outlet_name(OUTLET_SYSLOG), "syslog");
	assert_string_equal(outlet_name(OUTLET_JOURNALD), "journald");
	assert_string_equal(outlet_name(OUTLET_CEF), "cef");
	assert_string_equal(outlet_name(OUTLET_COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dgram_delivers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dgram_busy_listener, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dgram_listener_restart,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dgram_absent_at_open,
						setup, teardown),
		cmocka_unit_test(test_file_full_pipe),
		cmocka_unit_test_setup_teardown(test_taps_without_json_outlet,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_outlets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reopen_rotates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_failures, setup,
						teardown),
		cmocka_unit_test(test_names),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("outlets", tests, NULL, NULL);
}
