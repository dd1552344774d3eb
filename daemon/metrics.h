/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * /metrics: Prometheus text exposition (format 0.0.4) on a loopback HTTP
 * port, off unless `metrics-listen` is set (docs/metrics.md).
 *
 * The server lives inside jvpnd's one loop, so it must never make the loop
 * wait: every socket is non-blocking, at most METRICS_MAX_CONNS requests
 * are served at once, a request is at most METRICS_REQUEST_MAX bytes and
 * METRICS_TIMEOUT_MS long, and a response the client is slow to read is
 * written as the socket takes it (EPOLLOUT), never in a blocking write.
 * Every connection carries one request and is closed after the answer.
 *
 * The parts below the server (HTTP request parser, exposition writer and
 * renderers) are pure and tested on their own.
 */
#ifndef JVPND_METRICS_H
#define JVPND_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define METRICS_MAX_CONNS	8
#define METRICS_REQUEST_MAX	4096	/* request line and headers */
#define METRICS_TIMEOUT_MS	5000	/* whole connection, read and write */

/* ---- HTTP requests ---- */

enum http_parse {
	HTTP_PARSE_MORE,	/* not complete yet: read more */
	HTTP_PARSE_DONE,
	HTTP_PARSE_BAD,		/* 400 */
	HTTP_PARSE_TOO_LARGE,	/* 431: no end of headers in the limit */
	HTTP_PARSE_VERSION,	/* 505: not HTTP/1.x */
};

#define HTTP_METHOD_MAX	16
#define HTTP_PATH_MAX	256

struct http_request {
	char method[HTTP_METHOD_MAX];
	char path[HTTP_PATH_MAX];	/* without the query */
	int minor;			/* HTTP/1.minor */
};

/*
 * Parses the request line and headers of buf[0..len) (the body, if any, is
 * never read). Tolerates bare LF line ends (RFC 9112 2.2); refuses what
 * is not a request, an HTTP/1.1 request without Host, header folding.
 */
enum http_parse http_parse_request(const char *buf, size_t len,
				   struct http_request *req);

/* The status a parsed request gets: 200, 404 or 405. */
int http_route(const struct http_request *req);

/* ---- exposition text ---- */

/* A growing buffer; after an allocation failure it stays failed. */
struct expo {
	char *buf;
	size_t len;
	size_t cap;
	bool failed;
};

void expo_free(struct expo *e);
void expo_printf(struct expo *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "# HELP" (escaped) and "# TYPE" lines of one metric family. */
void expo_family(struct expo *e, const char *name, const char *type,
		 const char *help);
/*
 * One sample: name{k1="v1",...} value. labels: key, value, key, value...
 * ending with NULL (or labels NULL); values are escaped.
 */
void expo_sample(struct expo *e, const char *name, const char *const *labels,
		 uint64_t value);

/* The daemon's own counters (stats.h), always every family. */
void metrics_render_stats(struct expo *e, const struct stats *st);
void metrics_render_sessions(struct expo *e,
			     const uint64_t by_state[STATS_STATES]);
/* Kernel counters of @device, by enum jvpn_stats_attr. */
void metrics_render_kernel(struct expo *e, const char *device,
			   const uint64_t stats[JVPN_STATS_A_MAX + 1],
			   uint64_t sessions);

/* ---- the server in jvpnd ---- */

struct jvpnd;

/*
 * Makes the running server match d->cfg.interface.metrics_listen: starts
 * it, moves it to a new address, or stops it. At start and on a reload.
 * A listener that cannot be opened is reported and leaves metrics off (or
 * on the old address); the VPN runs on either way.
 */
void metrics_apply_config(struct jvpnd *d);
void metrics_stop(struct jvpnd *d);

#endif /* JVPND_METRICS_H */
