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

#include "clock.h"
#include "emit.h"
#include "names.h"
#include "jvpnd.h"
#include "metrics.h"
#include "reason.h"
#include "role.h"
#include "sessions.h"
#include "udp.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- HTTP requests ------------------------------------------------------ */

/* RFC 9110 5.6.2 */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_tchar(s[i]))
			return false;
	return true;
}

/* A line of buf[*pos..len): its start and length without CR LF / LF.
 * false while no LF ends it. */
static bool next_line(const char *buf, size_t len, size_t *pos,
		      const char **line, size_t *line_len)
{
	const char *lf = memchr(buf + *pos, '\n', len - *pos);
	size_t n;

	if (!lf)
		return false;
	*line = buf + *pos;
	n = (size_t)(lf - *line);
	if (n && (*line)[n - 1] == '\r')
		n--;
	*line_len = n;
	*pos = (size_t)(lf - buf) + 1;
	return true;
}

/* origin-form "/p?q", or absolute-form "http://host/p?q" (RFC 9112 3.2) */
static bool parse_target(const char *t, size_t len, struct http_request *req)
{
	size_t n;

	for (size_t i = 0; i < len; i++)
		if (t[i] <= 0x20 || t[i] >= 0x7f)
			return false;
	if (len > 7 && !strncasecmp(t, "http://", 7)) {
		const char *slash = memchr(t + 7, '/', len - 7);

		if (!slash)
			return false;
		len -= (size_t)(slash - t);
		t = slash;
	}
	if (!len || t[0] != '/')
		return false;
	for (n = 0; n < len && t[n] != '?' && t[n] != '#'; n++)
		;
	if (n >= sizeof(req->path))
		return false;
	memcpy(req->path, t, n);
	req->path[n] = '\0';
	return true;
}

/* METHOD SP target SP HTTP/d.d */
static enum http_parse parse_request_line(const char *l, size_t len,
					  struct http_request *req)
{
	const char *sp1 = memchr(l, ' ', len), *sp2;
	const char *v;

	if (!sp1 || !is_token(l, (size_t)(sp1 - l)) ||
	    (size_t)(sp1 - l) >= sizeof(req->method))
		return HTTP_PARSE_BAD;
	memcpy(req->method, l, (size_t)(sp1 - l));
	req->method[sp1 - l] = '\0';
	sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - l));
	if (!sp2 || !parse_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), req))
		return HTTP_PARSE_BAD;
	v = sp2 + 1;
	if ((size_t)(l + len - v) != 8 || strncmp(v, "HTTP/", 5) ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
		return HTTP_PARSE_BAD;
	if (v[5] != '1')
		return HTTP_PARSE_VERSION;
	req->minor = v[7] - '0';
	return HTTP_PARSE_DONE;
}

/* name ":" value; no space before the colon (RFC 9112 5.1), no folding */
static enum http_parse parse_header(const char *l, size_t len, bool *host)
{
	const char *colon = memchr(l, ':', len);

	if (!colon || !is_token(l, (size_t)(colon - l)))
		return HTTP_PARSE_BAD;
	for (const char *c = colon + 1; c < l + len; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return HTTP_PARSE_BAD;
	if (colon - l == 4 && !strncasecmp(l, "host", 4))
		*host = true;
	return HTTP_PARSE_DONE;
}

/* Bytes no request line has: a TLS hello or binary noise is refused at
 * once, not after the timeout. */
static bool request_line_garbage(const char *buf, size_t len)
{
	for (size_t i = 0; i < len && buf[i] != '\n'; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\r') || c >= 0x7f)
			return true;
	}
	return false;
}

enum http_parse http_parse_request(const char *buf, size_t len,
				   struct http_request *req)
{
	enum http_parse r = HTTP_PARSE_MORE;
	size_t pos = 0, n;
	const char *l;
	bool host = false, first = true;

	memset(req, 0, sizeof(*req));
	if (memchr(buf, '\0', len))
		return HTTP_PARSE_BAD;
	if (request_line_garbage(buf, len))
		return HTTP_PARSE_BAD;
	while (next_line(buf, len, &pos, &l, &n)) {
		if (first && !n && pos <= 2)
			continue;	/* one empty line before: RFC 9112 2.2 */
		if (!first && !n) {
			/* 1.1 needs Host (RFC 9112 3.2) */
			return req->minor >= 1 && !host ? HTTP_PARSE_BAD :
							  HTTP_PARSE_DONE;
		}
		if (memchr(l, '\r', n))
			return HTTP_PARSE_BAD;	/* a bare CR */
		r = first ? parse_request_line(l, n, req) :
			    parse_header(l, n, &host);
		if (r != HTTP_PARSE_DONE)
			return r;
		first = false;
	}
	return len >= METRICS_REQUEST_MAX ? HTTP_PARSE_TOO_LARGE :
					    HTTP_PARSE_MORE;
}

int http_route(const struct http_request *req)
{
	if (strcmp(req->path, "/metrics"))
		return 404;
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
		return 405;
	return 200;
}

/* ---- exposition text ------------------------------------------------------ */

void expo_free(struct expo *e)
{
	free(e->buf);
	*e = (struct expo){ 0 };
}

static bool expo_reserve(struct expo *e, size_t more)
{
	size_t cap = e->cap ? e->cap : 4096;
	char *p;

	if (e->failed)
		return false;
	while (cap - e->len <= more)
		cap *= 2;
	if (cap == e->cap)
		return true;
	p = realloc(e->buf, cap);
	if (!p) {
		e->failed = true;
		return false;
	}
	e->buf = p;
	e->cap = cap;
	return true;
}

void expo_printf(struct expo *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !expo_reserve(e, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
	va_end(ap);
	e->len += (size_t)n;
}

static void expo_putc(struct expo *e, char c)
{
	if (!expo_reserve(e, 1))
		return;
	e->buf[e->len++] = c;
	e->buf[e->len] = '\0';
}

/* Escapes backslash and newline, and the double quote when asked: the
 * text format's rules for HELP text and for label values. */
static void expo_escaped(struct expo *e, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			expo_printf(e, "\\\\");
		else if (*s == '\n')
			expo_printf(e, "\\n");
		else if (*s == '"' && quote)
			expo_printf(e, "\\\"");
		else
			expo_putc(e, *s);
	}
}

void expo_family(struct expo *e, const char *name, const char *type,
		 const char *help)
{
	expo_printf(e, "# HELP %s ", name);
	expo_escaped(e, help, false);
	expo_printf(e, "\n# TYPE %s %s\n", name, type);
}

static void expo_sample_text(struct expo *e, const char *name,
			     const char *const *labels, const char *value)
{
	expo_printf(e, "%s", name);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		expo_printf(e, "%c%s=\"", i ? ',' : '{', labels[i]);
		expo_escaped(e, labels[i + 1], true);
		expo_putc(e, '"');
	}
	expo_printf(e, "%s %s\n", labels && labels[0] ? "}" : "", value);
}

void expo_sample(struct expo *e, const char *name, const char *const *labels,
		 uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	expo_sample_text(e, name, labels, text);
}

/* ---- renderers -------------------------------------------------------------- */

/* Microseconds as seconds in decimal, exact and without trailing zeros. */
static const char *us_as_seconds(uint64_t us, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%" PRIu64 ".%06" PRIu64,
				    us / 1000000, us % 1000000);

	while (n && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

/*
 * A counter by reason: the reasons that can occur are always shown (a
 * series that appears only at its first increment hides that increment
 * from rate()), any other only once it is not zero.
 */
static void render_by_reason(struct expo *e, const char *name,
			     const char *help, const uint64_t *counts,
			     const int *expected, size_t n_expected)
{
	expo_family(e, name, "counter", help);
	for (size_t slot = 0; slot < STATS_REASON_SLOTS; slot++) {
		bool show = counts[slot] != 0;

		for (size_t i = 0; i < n_expected && !show; i++)
			show = stats_reason_slot(expected[i]) == slot;
		if (!show)
			continue;
		expo_sample(e, name, (const char *const[]){
			"reason", jvpnd_reason_name((enum jvpnd_reason)slot), NULL },
			counts[slot]);
	}
}

static void render_histogram(struct expo *e, const char *name,
			     const char *help, const struct stats_histogram *h)
{
	char bucket[96], le[32];
	uint64_t cumulative = 0;

	expo_family(e, name, "histogram", help);
	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	for (size_t i = 0; i < STATS_LATENCY_BUCKETS; i++) {
		cumulative += h->buckets[i];
		us_as_seconds(stats_latency_bounds_us[i], le, sizeof(le));
		expo_sample(e, bucket, (const char *const[]){ "le", le, NULL },
			    cumulative);
	}
	expo_sample(e, bucket, (const char *const[]){ "le", "+Inf", NULL },
		    h->count);
	expo_printf(e, "%s_sum %s\n", name, us_as_seconds(h->sum_us, le,
							    sizeof(le)));
	expo_printf(e, "%s_count %" PRIu64 "\n", name, h->count);
}

static const int switch_reasons[] = {
	JVPND_REASON_REATTACHED, JVPND_REASON_NAT_REBINDING,
};
static const int reject_reasons[] = {
	JVPND_REASON_UNKNOWN_SESSION, JVPND_REASON_REPLAYED_NONCE,
	JVPND_REASON_STALE_TIMESTAMP, JVPND_REASON_STALE_VERSION,
	JVPND_REASON_RATE_LIMITED, JVPND_REASON_COOLDOWN,
	JVPND_REASON_SWITCH_LIMIT, JVPND_REASON_CLASS_NOT_ALLOWED,
	JVPND_REASON_VERSION_MISMATCH, JVPND_REASON_UNKNOWN_PEER,
};
static const int security_reasons[] = {
	JVPND_REASON_BAD_PROOF, JVPND_REASON_REPLAYED_HANDSHAKE,
};
static const int termination_reasons[] = {
	JVPND_REASON_SWITCH_LIMIT, JVPND_REASON_SESSION_TTL,
	JVPND_REASON_TRANSPORT_LOSS_TTL, JVPND_REASON_SECURITY,
	JVPND_REASON_ADMIN, JVPND_REASON_REPLACED,
};

static void render_state_counts(struct expo *e, const char *name,
				const char *label, const uint64_t *counts)
{
	for (int i = 0; i < STATS_STATES; i++)
		expo_sample(e, name, (const char *const[]){
			label, jvpn_state_name(i), NULL }, counts[i]);
}

void metrics_render_stats(struct expo *e, const struct stats *st)
{
	expo_family(e, "jvpnd_sessions_created_total", "counter",
		    "Sessions created by a completed handshake.");
	expo_sample(e, "jvpnd_sessions_created_total", NULL,
		    st->sessions_created);
	expo_family(e, "jvpnd_state_transitions_total", "counter",
		    "Changes of session state, by the state entered (switches and terminations not included).");
	render_state_counts(e, "jvpnd_state_transitions_total", "to",
			    st->transitions);
	render_by_reason(e, "jvpnd_sessions_terminated_total",
			 "Sessions terminated, by reason.", st->terminations,
			 termination_reasons, ARRAY_LEN(termination_reasons));
	render_by_reason(e, "jvpnd_switches_total",
			 "Transport switches committed in the kernel, by reason.",
			 st->switches, switch_reasons, ARRAY_LEN(switch_reasons));
	render_by_reason(e, "jvpnd_switch_denials_total",
			 "Switches the kernel refused (compare-and-swap or its own bound), by the reason of the attempt.",
			 st->switch_denials, switch_reasons,
			 ARRAY_LEN(switch_reasons));
	render_by_reason(e, "jvpnd_reattach_successes_total",
			 "Reattaches completed, by reason.",
			 st->reattach_successes, switch_reasons,
			 ARRAY_LEN(switch_reasons));
	render_by_reason(e, "jvpnd_rejects_total",
			 "Reattach and handshake requests refused with an answer (gateway) or refusals received (client), by reason.",
			 st->rejects, reject_reasons, ARRAY_LEN(reject_reasons));
	render_by_reason(e, "jvpnd_security_events_total",
			 "Forged or replayed control messages, dropped without an answer, by reason.",
			 st->security_events, security_reasons,
			 ARRAY_LEN(security_reasons));
	expo_family(e, "jvpnd_rate_limit_triggers_total", "counter",
		    "Requests refused by a rate limit (per source or per session).");
	expo_sample(e, "jvpnd_rate_limit_triggers_total", NULL,
		    st->rate_limit_triggers);
	expo_family(e, "jvpnd_key_rotations_total", "counter",
		    "Data keys moved to their next generation.");
	expo_sample(e, "jvpnd_key_rotations_total", NULL, st->key_rotations);
	render_histogram(e, "jvpnd_reattach_latency_seconds",
			 "Latency of client-asked reattaches. Gateway: from a valid REATTACH_REQUEST to the switch committed in the kernel. Client: from sending the REATTACH_REQUEST to the switch committed after its ACK.",
			 &st->reattach_latency);
}

void metrics_render_sessions(struct expo *e,
			     const uint64_t by_state[STATS_STATES])
{
	expo_family(e, "jvpnd_sessions", "gauge",
		    "Sessions the daemon holds, by state.");
	render_state_counts(e, "jvpnd_sessions", "state", by_state);
}

struct kernel_metric {
	const char *name;
	const char *help;
	int attr;		/* enum jvpn_stats_attr */
};

static const struct kernel_metric kernel_counters[] = {
	{ "jvpn_rx_packets_total", "Data packets received and delivered.",
	  JVPN_STATS_A_RX_PACKETS },
	{ "jvpn_rx_bytes_total", "Bytes of inner packets delivered.",
	  JVPN_STATS_A_RX_BYTES },
	{ "jvpn_tx_packets_total", "Data packets sealed and sent.",
	  JVPN_STATS_A_TX_PACKETS },
	{ "jvpn_tx_bytes_total", "Bytes of inner packets sent.",
	  JVPN_STATS_A_TX_BYTES },
	{ "jvpn_switches_total", "Transport switches the kernel committed.",
	  JVPN_STATS_A_SWITCHES },
	{ "jvpn_stray_events_suppressed_total",
	  "Stray-data events not sent because of their rate bound.",
	  JVPN_STATS_A_STRAY_EVENTS_SUPPRESSED },
};

static const struct {
	const char *reason;
	int attr;
} kernel_drops[] = {
	{ "bad_auth", JVPN_STATS_A_DROP_BAD_AUTH },
	{ "replay", JVPN_STATS_A_DROP_REPLAY },
	{ "stray", JVPN_STATS_A_DROP_STRAY },
	{ "unknown_session", JVPN_STATS_A_DROP_UNKNOWN_SESSION },
	{ "malformed", JVPN_STATS_A_DROP_MALFORMED },
	{ "inner_src", JVPN_STATS_A_DROP_INNER_SRC },
	{ "no_route", JVPN_STATS_A_DROP_NO_ROUTE },
	{ "tx_error", JVPN_STATS_A_DROP_TX_ERROR },
};

void metrics_render_kernel(struct expo *e, const char *device,
			   const uint64_t stats[JVPN_STATS_A_MAX + 1],
			   uint64_t sessions)
{
	const char *const dev[] = { "device", device, NULL };

	expo_family(e, "jvpn_sessions", "gauge",
		    "Sessions in the kernel's table.");
	expo_sample(e, "jvpn_sessions", dev, sessions);
	for (size_t i = 0; i < ARRAY_LEN(kernel_counters); i++) {
		const struct kernel_metric *k = &kernel_counters[i];

		expo_family(e, k->name, "counter", k->help);
		expo_sample(e, k->name, dev, stats[k->attr]);
	}
	expo_family(e, "jvpn_drops_total", "counter",
		    "Packets the kernel dropped, by reason.");
	for (size_t i = 0; i < ARRAY_LEN(kernel_drops); i++)
		expo_sample(e, "jvpn_drops_total", (const char *const[]){
			"device", device, "reason", kernel_drops[i].reason,
			NULL }, stats[kernel_drops[i].attr]);
}

/* ---- the server --------------------------------------------------------------- */

/* How often open connections are checked against their deadline. */
#define METRICS_SWEEP_MS	250
/* Connections taken per wake-up: the loop has other work. */
#define METRICS_ACCEPT_BURST	16

struct metrics_conn {
	int fd;			/* -1: free */
	uint64_t deadline_ms;
	size_t in_len;
	char in[METRICS_REQUEST_MAX];
	struct expo out;	/* the response, once there is one */
	size_t out_off;
};

/* Answers counted by status; 0 stands for "closed without an answer". */
static const int response_codes[] = { 200, 400, 404, 405, 431, 503, 505, 0 };
#define N_CODES ARRAY_LEN(response_codes)

struct metrics {
	struct jvpnd *d;
	union jvpn_sockaddr addr;	/* what listen_fd is bound to */
	int listen_fd;			/* -1: none */
	int timer_fd;
	bool timer_armed;
	uint64_t start_time_s;		/* the process's, wall clock */
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
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
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
	expo_sample(e, "jvpnd_build_info", (const char *const[]){
		"version", JVPN_VERSION, "role", role, NULL }, 1);
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
		    "Answers of this endpoint by HTTP status; code \"none\": closed unanswered (timeout, client gone).");
	for (size_t i = 0; i < N_CODES; i++) {
		snprintf(code, sizeof(code), "%d", response_codes[i]);
		expo_sample(e, "jvpnd_metrics_responses_total",
			    (const char *const[]){
				"code", response_codes[i] ? code : "none",
				NULL }, m->responses[i]);
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
		expo_sample(e, "jvpnd_events_total", (const char *const[]){
			"outlet", outlet_name(k), NULL }, o->sent[k]);
	expo_family(e, "jvpnd_events_lost_total", "counter",
		    "Event lines an outlet should have had but did not take.");
	for (int k = 0; k < OUTLET_COUNT; k++)
		expo_sample(e, "jvpnd_events_lost_total", (const char *const[]){
			"outlet", outlet_name(k), NULL }, o->lost[k]);
}

static void render_page(struct expo *e, struct metrics *m)
{
	struct kernel_totals t;
	bool kernel_ok = query_kernel(m->d, &t);
	const char *dev = m->d->cfg.interface.device;

	render_daemon(e, m);
	metrics_render_stats(e, &m->d->stats);
	expo_family(e, "jvpnd_kernel_query_success", "gauge",
		    "1: the kernel's counters below were read for this scrape; 0: the netlink query failed and they are absent.");
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

/* Writes what the socket takes; closes once all is written. */
static void conn_flush(struct metrics *m, struct metrics_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->out_off,
				 c->out.len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;	/* EPOLLOUT brings us back */
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
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

static int parse_status(enum http_parse r, const struct http_request *req)
{
	switch (r) {
	case HTTP_PARSE_DONE:
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
		respond(m, c, parse_status(r, &req),
			r == HTTP_PARSE_DONE && !strcmp(req.method, "HEAD"));
	else if (eof) {		/* gone before a whole request */
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
	if (c->out.len)
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
			return;	/* EAGAIN, or a connection already gone */
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
	m->timer_fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
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

static void report(struct jvpnd *d, const union jvpn_sockaddr *addr,
		   int err)
{
	char where[64], what[160];

	snprintf(what, sizeof(what),
		 "metrics-listen %s: %s; metrics are %s", jvpn_sockaddr_text(addr,
		 where, sizeof(where)), strerror(-err),
		 d->metrics && d->metrics->listen_fd >= 0 ?
		 "still served where they were" : "not served");
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
