// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "clock.h"
#include "emit.h"
#include "names.h"
#include "jvpnd.h"
#include "metrics.h"
#include "reason.h"
#include "role.h"
#include "sessions.h"
#include "udp.h"

/* ---- the server --------------------------------------------------------------- */

/* How often open connections are checked against their deadline. */
#define METRICS_SWEEP_MS 250
/* An answered client gets this long to close its side (conn_linger). */
#define METRICS_LINGER_MS 1000
/* Connections taken per wake-up: the loop has other work. */
#define METRICS_ACCEPT_BURST 16

struct metrics_conn {
	int fd; /* -1: free */
	uint64_t deadline_ms;
	size_t in_len;
	char in[METRICS_REQUEST_MAX];
	struct expo out; /* the response, once there is one */
	size_t out_off;
	bool lingering; /* answered, our side shut: read to the client's end */
};

/* Answers counted by status; 0 stands for "closed without an answer". */
static const int response_codes[] = {
	200, 400, 404, 405, 421, 431, 503, 505, 0
};
#define N_CODES ARRAY_SIZE(response_codes)

struct metrics {
	struct jvpnd *d;
	union jvpn_sockaddr addr; /* what listen_fd is bound to */
	int listen_fd;		  /* -1: none */
	int timer_fd;
	bool timer_armed;
	uint64_t start_time_s; /* the process's, wall clock */
	uint64_t responses[N_CODES];
	struct metrics_conn conns[METRICS_MAX_CONNS];
};

static void count_response(struct metrics *m, int code)
{
	for (size_t i = 0; i < N_CODES; i++)
		if (response_codes[i] == code) {
			m->responses[i]++;
			return;
		}
}

static const char *status_text(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 421:
		return "Misdirected Request";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Error";
}

/* ---- the page ---- */

struct kernel_totals {
	uint64_t stats[JVPN_STATS_A_MAX + 1];
	uint64_t sessions;
};

static void add_session(const struct kernel_session_info *s, void *ctx)
{
	struct kernel_totals *t = ctx;

	t->sessions++;
	for (size_t i = 0; i <= JVPN_STATS_A_MAX; i++)
		t->stats[i] += s->stats[i];
}

/*
 * The device's own counters plus those of every session it holds now:
 * what the device has counted in total, but for sessions already deleted
 * (the kernel keeps no counters of a deleted session).
 */
static bool query_kernel(struct jvpnd *d, struct kernel_totals *t)
{
	memset(t, 0, sizeof(*t));
	return !kernel_dev_get(&d->kreq, t->stats) &&
	       !kernel_session_dump(&d->kreq, add_session, t);
}

static void render_daemon(struct expo *e, const struct metrics *m)
{
	const struct jvpnd *d = m->d;
	const char *role = d->role->name;
	uint64_t by_state[STATS_STATES] = { 0 };

	expo_family(e, "jvpnd_up", "gauge", "1: jvpnd answers.");
	expo_sample(e, "jvpnd_up", NULL, 1);
	expo_family(e, "jvpnd_build_info", "gauge",
		    "jvpnd's version and role; the value is always 1.");
	expo_sample(e, "jvpnd_build_info",
		    (const char *const[]){ "version", JVPN_VERSION, "role",
					   role, NULL },
		    1);
	expo_family(e, "jvpnd_start_time_seconds", "gauge",
		    "When jvpnd started, seconds since the Unix epoch.");
	expo_sample(e, "jvpnd_start_time_seconds", NULL, m->start_time_s);
	sessions_count(d, by_state);
	metrics_render_sessions(e, by_state);
}

static void render_responses(struct expo *e, const struct metrics *m)
{
	char code[8];

	expo_family(e, "jvpnd_metrics_responses_total", "counter",
		    "Answers of this endpoint by HTTP status; code \"none\": "
		    "closed unanswered (timeout, client gone).");
	for (size_t i = 0; i < N_CODES; i++) {
		snprintf(code, sizeof(code), "%d", response_codes[i]);
		expo_sample(e, "jvpnd_metrics_responses_total",
			    (const char *const[]){
				    "code", response_codes[i] ? code : "none",
				    NULL },
			    m->responses[i]);
	}
}

static void render_outlets(struct expo *e, const struct event_outlets *o)
{
	expo_family(e, "jvpnd_events_emitted_total", "counter",
		    "Events jvpnd emitted (the seq of the newest one).");
	expo_sample(e, "jvpnd_events_emitted_total", NULL, o->seq);
	expo_family(e, "jvpnd_events_total", "counter",
		    "Event lines an outlet took in full.");
	for (int k = 0; k < OUTLET_COUNT; k++)
		expo_sample(
			e, "jvpnd_events_total",
			(const char *const[]){ "outlet", outlet_name(k), NULL },
			o->sent[k]);
	expo_family(e, "jvpnd_events_lost_total", "counter",
		    "Event lines an outlet should have had but did not take.");
	for (int k = 0; k < OUTLET_COUNT; k++)
		expo_sample(
			e, "jvpnd_events_lost_total",
			(const char *const[]){ "outlet", outlet_name(k), NULL },
			o->lost[k]);
}

static void render_page(struct expo *e, struct metrics *m)
{
	struct kernel_totals t;
	bool kernel_ok = query_kernel(m->d, &t);
	const char *dev = m->d->cfg.interface.device;

	render_daemon(e, m);
	metrics_render_stats(e, &m->d->stats);
	expo_family(e, "jvpnd_kernel_query_success", "gauge",
		    "1: the kernel's counters below were read for this scrape; "
		    "0: the netlink query failed and they are absent.");
	expo_sample(e, "jvpnd_kernel_query_success",
		    (const char *const[]){ "device", dev, NULL }, kernel_ok);
	if (kernel_ok)
		metrics_render_kernel(e, dev, t.stats, t.sessions);
	render_outlets(e, &m->d->out);
	render_responses(e, m);
}

/* ---- connections ---- */

static void arm_timer(struct metrics *m, bool on)
{
	struct itimerspec it = { 0 };

	if (m->timer_armed == on)
		return;
	if (on) {
		it.it_interval.tv_nsec = METRICS_SWEEP_MS * 1000000L;
		it.it_value = it.it_interval;
	}
	timerfd_settime(m->timer_fd, 0, &it, NULL);
	m->timer_armed = on;
}

static void conn_close(struct metrics *m, struct metrics_conn *c)
{
	char sink[512];
	bool any = false;

	/* unread input would turn close() into a reset that can cut the
	 * answer short at the client: take what is there first */
	for (int i = 0; i < 8 && recv(c->fd, sink, sizeof(sink), 0) > 0; i++)
		;
	loop_unwatch(&m->d->loop, c->fd);
	close(c->fd);
	expo_free(&c->out);
	c->fd = -1;
	for (size_t i = 0; i < METRICS_MAX_CONNS; i++)
		any |= m->conns[i].fd >= 0;
	arm_timer(m, any);
}

/*
 * Answered: our side is shut and what the client still sends is read
 * until it closes (at most METRICS_LINGER_MS), so that close() never finds
 * unread input and resets the answer away before the client read it (a
 * request too large for us may still be arriving when its 431 is sent).
 */
static void conn_linger(struct metrics *m, struct metrics_conn *c)
{
	uint64_t until = jvpn_boot_ms() + METRICS_LINGER_MS;

	if (shutdown(c->fd, SHUT_WR)) {
		conn_close(m, c);
		return;
	}
	c->lingering = true;
	if (c->deadline_ms > until)
		c->deadline_ms = until;
	loop_rewatch(&m->d->loop, c->fd, EPOLLIN | EPOLLRDHUP);
}

/* Lingering: input is read and dropped; the client's end closes. */
static void conn_drain(struct metrics *m, struct metrics_conn *c)
{
	char sink[1024];
	ssize_t n;

	do
		n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
	while (n > 0 || (n < 0 && errno == EINTR));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	conn_close(m, c);
}

/* Writes what the socket takes; lingers once all is written. */
static void conn_flush(struct metrics *m, struct metrics_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->out_off,
				 c->out.len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* EPOLLOUT brings us back */
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out.len)
		conn_linger(m, c);
	else
		conn_close(m, c);
}

static void build_response(struct expo *out, int code, bool head,
			   const struct expo *body)
{
	expo_printf(out, "HTTP/1.1 %d %s\r\n", code, status_text(code));
	expo_printf(out, "Content-Type: text/plain; %scharset=utf-8\r\n",
		    code == 200 ? "version=0.0.4; " : "");
	expo_printf(out, "Content-Length: %zu\r\n", body->len);
	if (code == 405)
		expo_printf(out, "Allow: GET, HEAD\r\n");
	expo_printf(out, "Connection: close\r\n\r\n");
	if (!head && body->len)
		expo_printf(out, "%s", body->buf);
}

static void respond(struct metrics *m, struct metrics_conn *c, int code,
		    bool head)
{
	struct expo body = { 0 };

	if (code == 200)
		render_page(&body, m);
	else
		expo_printf(&body, "%d %s\n", code, status_text(code));
	build_response(&c->out, code, head, &body);
	expo_free(&body);
	if (c->out.failed) {
		count_response(m, 0);
		conn_close(m, c);
		return;
	}
	count_response(m, code);
	loop_rewatch(&m->d->loop, c->fd, EPOLLOUT);
	conn_flush(m, c);
}

static int parse_status(const struct metrics *m, enum http_parse r,
			const struct http_request *req)
{
	switch (r) {
	case HTTP_PARSE_DONE:
		/* a name other than ours: DNS rebinding (http.h) */
		if (!http_host_allowed(req->host, &m->addr))
			return 421;
		return http_route(req);
	case HTTP_PARSE_TOO_LARGE:
		return 431;
	case HTTP_PARSE_VERSION:
		return 505;
	default:
		return 400;
	}
}

static void conn_read(struct metrics *m, struct metrics_conn *c)
{
	struct http_request req;
	enum http_parse r;
	bool eof = false;
	ssize_t n;

	while (c->in_len < sizeof(c->in)) {
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			/* a client may send its request and shut its side */
			eof = true;
			break;
		}
		c->in_len += (size_t)n;
	}
	r = http_parse_request(c->in, c->in_len, &req);
	if (r != HTTP_PARSE_MORE)
		respond(m, c, parse_status(m, r, &req),
			r == HTTP_PARSE_DONE && !strcmp(req.method, "HEAD"));
	else if (eof) { /* gone before a whole request */
		count_response(m, 0);
		conn_close(m, c);
	}
}

static struct metrics_conn *find_conn(struct metrics *m, int fd)
{
	for (size_t i = 0; i < METRICS_MAX_CONNS; i++)
		if (m->conns[i].fd == fd)
			return &m->conns[i];
	return NULL;
}

static void on_conn(void *ctx, int fd, uint32_t events)
{
	struct metrics *m = ctx;
	struct metrics_conn *c = find_conn(m, fd);

	if (!c)
		return;
	if (c->lingering)
		conn_drain(m, c);
	else if (c->out.len)
		conn_flush(m, c);
	else if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		conn_read(m, c);
}

/* Every connection in use: a short answer now is kinder than a hang. */
static void refuse(struct metrics *m, int fd)
{
	static const char busy[] =
		"HTTP/1.1 503 Service Unavailable\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Length: 5\r\nConnection: close\r\n\r\nbusy\n";

	if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* nothing more to do for it */
	}
	close(fd);
	count_response(m, 503);
}

static void take_conn(struct metrics *m, int fd)
{
	struct metrics_conn *c = find_conn(m, -1);

	if (!c) {
		refuse(m, fd);
		return;
	}
	*c = (struct metrics_conn){
		.fd = fd,
		.deadline_ms = jvpn_boot_ms() + METRICS_TIMEOUT_MS,
	};
	if (loop_watch(&m->d->loop, fd, EPOLLIN | EPOLLRDHUP, on_conn, m)) {
		close(fd);
		c->fd = -1;
		return;
	}
	arm_timer(m, true);
}

static void on_listen(void *ctx, int fd, uint32_t events)
{
	(void)events;
	for (int i = 0; i < METRICS_ACCEPT_BURST; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0)
			return; /* EAGAIN, or a connection already gone */
		take_conn(ctx, c);
	}
}

/* Slow or silent clients lose their connection at the deadline. */
static void on_timer(void *ctx, int fd, uint32_t events)
{
	struct metrics *m = ctx;
	uint64_t expirations, now = jvpn_boot_ms();

	(void)events;
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	for (size_t i = 0; i < METRICS_MAX_CONNS; i++) {
		struct metrics_conn *c = &m->conns[i];

		if (c->fd >= 0 && now >= c->deadline_ms) {
			if (!c->lingering) /* answered ones are counted */
				count_response(m, 0);
			conn_close(m, c);
		}
	}
}

/* ---- life cycle ---- */

/* The process's start from /proc (jvpnd may turn metrics on long after
 * it started); now if /proc says nothing. */
static uint64_t process_start_time(void)
{
	unsigned long long ticks = 0;
	struct timespec wall, boot;
	char buf[1024], *p;
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	long hz = sysconf(_SC_CLK_TCK);

	if (f)
		fclose(f);
	buf[n] = '\0';
	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	/* field 22, counted after the ")" that ends the command name */
	p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &ticks) != 1 || hz <= 0 ||
	    ticks / (unsigned long long)hz > (unsigned long long)boot.tv_sec)
		return (uint64_t)wall.tv_sec;
	return (uint64_t)wall.tv_sec -
	       ((uint64_t)boot.tv_sec - ticks / (unsigned long long)hz);
}

static int open_listener(const union jvpn_sockaddr *addr)
{
	int one = 1, fd;

	fd = socket(addr->sa.sa_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &addr->sa, jvpn_sockaddr_len(addr)) ||
	    listen(fd, METRICS_MAX_CONNS)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static struct metrics *metrics_create(struct jvpnd *d)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->d = d;
	m->listen_fd = -1;
	for (size_t i = 0; i < METRICS_MAX_CONNS; i++)
		m->conns[i].fd = -1;
	m->start_time_s = process_start_time();
	m->timer_fd =
		timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (m->timer_fd < 0 ||
	    loop_watch(&d->loop, m->timer_fd, EPOLLIN, on_timer, m)) {
		if (m->timer_fd >= 0)
			close(m->timer_fd);
		free(m);
		return NULL;
	}
	return m;
}

static void close_listener(struct metrics *m)
{
	if (m->listen_fd < 0)
		return;
	loop_unwatch(&m->d->loop, m->listen_fd);
	close(m->listen_fd);
	m->listen_fd = -1;
}

void metrics_stop(struct jvpnd *d)
{
	struct metrics *m = d->metrics;

	if (!m)
		return;
	for (size_t i = 0; i < METRICS_MAX_CONNS; i++)
		if (m->conns[i].fd >= 0)
			conn_close(m, &m->conns[i]);
	close_listener(m);
	loop_unwatch(&d->loop, m->timer_fd);
	close(m->timer_fd);
	free(m);
	d->metrics = NULL;
}

static void report(struct jvpnd *d, const union jvpn_sockaddr *addr, int err)
{
	char where[64], what[160];

	snprintf(what, sizeof(what), "metrics-listen %s: %s; metrics are %s",
		 jvpn_sockaddr_text(addr, where, sizeof(where)), strerror(-err),
		 d->metrics && d->metrics->listen_fd >= 0
			 ? "still served where they were"
			 : "not served");
	fprintf(stderr, "jvpnd: %s\n", what);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE, what);
}

void metrics_apply_config(struct jvpnd *d)
{
	const union jvpn_sockaddr *want = &d->cfg.interface.metrics_listen;
	struct metrics *m;
	int fd;

	if (want->sa.sa_family == AF_UNSPEC) {
		metrics_stop(d);
		return;
	}
	if (!d->metrics)
		d->metrics = metrics_create(d);
	m = d->metrics;
	if (!m) {
		report(d, want, -ENOMEM);
		return;
	}
	if (m->listen_fd >= 0 && !memcmp(&m->addr, want, sizeof(*want)))
		return;
	/* a new address: bound before the old one goes, so that a failure
	 * leaves metrics where they were */
	fd = open_listener(want);
	if (fd >= 0 && loop_watch(&d->loop, fd, EPOLLIN, on_listen, m)) {
		close(fd);
		fd = -ENOSPC;
	}
	if (fd < 0) {
		report(d, want, fd);
		return;
	}
	close_listener(m);
	m->listen_fd = fd;
	m->addr = *want;
}
