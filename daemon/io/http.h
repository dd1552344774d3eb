/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The HTTP/1.x request parser of the metrics endpoint (metrics.h). */
#ifndef JVPND_HTTP_H
#define JVPND_HTTP_H

#include <stddef.h>

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

struct http_request {
	char method[HTTP_METHOD_MAX];
	char path[HTTP_PATH_MAX]; /* without the query */
	int minor;		  /* HTTP/1.minor */
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

#endif /* JVPND_HTTP_H */
