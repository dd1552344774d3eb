/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The HTTP/1.x request parser of the metrics endpoint (metrics.h). */
#ifndef JVPND_HTTP_H
#define JVPND_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "sockaddr.h"

enum http_parse {
	HTTP_PARSE_MORE, /* not complete yet: read more */
	HTTP_PARSE_DONE,
	HTTP_PARSE_BAD,	      /* 400 */
	HTTP_PARSE_TOO_LARGE, /* 431: no end of headers in the limit */
	HTTP_PARSE_VERSION,   /* 505: not HTTP/1.x */
};

/* request line and headers: a request without their end in it is refused */
#define HTTP_REQUEST_MAX 4096
#define HTTP_METHOD_MAX	 16
#define HTTP_PATH_MAX	 256
#define HTTP_HOST_MAX	 256

struct http_request {
	char method[HTTP_METHOD_MAX];
	char path[HTTP_PATH_MAX]; /* without the query */
	int minor;		  /* HTTP/1.minor */
	char host[HTTP_HOST_MAX]; /* the Host header's value, "" if none */
};

/*
 * Parses the request line and headers of buf[0..len) (the body, if any, is
 * never read). Tolerates bare LF line ends (RFC 9112 2.2); refuses what
 * is not a request, an HTTP/1.1 request without Host, a request with
 * two Host headers (RFC 9112 3.2), header folding.
 */
enum http_parse http_parse_request(const char *buf, size_t len,
				   struct http_request *req);

/*
 * Whether a request with Host @host may be answered by an endpoint
 * listening on @listen: DNS rebinding (a page of evil.example whose name
 * now resolves to 127.0.0.1) reaches a loopback endpoint from a browser
 * on the same machine, but its Host still names evil.example. Allowed:
 * no Host at all (HTTP/1.0: no browser sends that), "localhost", a
 * loopback address (127.0.0.0/8, [::1]), the listen address itself, and,
 * when @listen is a wildcard (0.0.0.0, ::), any address literal: a name
 * can be rebound, an address cannot. Any port.
 */
bool http_host_allowed(const char *host, const union jvpn_sockaddr *listen);

/* The status a parsed request gets: 200, 404 or 405. */
int http_route(const struct http_request *req);

#endif /* JVPND_HTTP_H */
