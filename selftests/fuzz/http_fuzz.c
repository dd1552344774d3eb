// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness of the metrics endpoint's HTTP request parser
 * (daemon/metrics.c): whatever a local client sends, the parser ends in
 * one of its verdicts, a parsed request is well formed and routes to 200,
 * 404 or 405, every prefix of a complete request is "more" or a refusal
 * (never a different request), and the verdict does not depend on bytes
 * after the end of the headers.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void check_request(const struct http_request *req)
{
	union jvpn_sockaddr any = { .in6 = { .sin6_family = AF_INET6 } };
	union jvpn_sockaddr lo = { .in4 = { .sin_family = AF_INET,
					    .sin_addr.s_addr =
						    htonl(INADDR_LOOPBACK) } };
	int status = http_route(req);

	if (!memchr(req->host, '\0', sizeof(req->host)))
		abort();
	/* whatever the Host, the check ends; a wildcard allows at least
	 * what one address allows */
	if (http_host_allowed(req->host, &lo) &&
	    !http_host_allowed(req->host, &any))
		abort();
	if (!memchr(req->method, '\0', sizeof(req->method)) ||
	    !memchr(req->path, '\0', sizeof(req->path)) || !req->method[0] ||
	    (status != 200 && status != 404 && status != 405))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_request req, again;
	enum http_parse verdict;

	if (size > 2 * HTTP_REQUEST_MAX)
		return 0;
	memset(&req, 0x5a, sizeof(req));
	verdict = http_parse_request(buf, size, &req);
	if (verdict != HTTP_PARSE_MORE && verdict != HTTP_PARSE_DONE &&
	    verdict != HTTP_PARSE_BAD && verdict != HTTP_PARSE_TOO_LARGE &&
	    verdict != HTTP_PARSE_VERSION)
		abort();
	if (verdict != HTTP_PARSE_DONE)
		return 0;
	check_request(&req);
	/* the same bytes, the same request */
	if (http_parse_request(buf, size, &again) != HTTP_PARSE_DONE ||
	    strcmp(req.method, again.method) || strcmp(req.path, again.path) ||
	    req.minor != again.minor)
		abort();
	/* a prefix is never a complete request of its own, other than this */
	for (size_t n = 0; n < size; n++) {
		enum http_parse v = http_parse_request(buf, n, &again);

		if (v == HTTP_PARSE_DONE && (strcmp(req.method, again.method) ||
					     strcmp(req.path, again.path)))
			abort();
	}
	return 0;
}
