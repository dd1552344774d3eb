// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

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

/* Host's value without the optional white space around it */
static enum http_parse take_host(const char *v, const char *end,
				 struct http_request *req, bool *host)
{
	size_t n;

	if (*host)
		return HTTP_PARSE_BAD; /* two Hosts: RFC 9112 3.2 */
	*host = true;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - v);
	if (n >= sizeof(req->host))
		return HTTP_PARSE_BAD;
	memcpy(req->host, v, n);
	req->host[n] = '\0';
	return HTTP_PARSE_DONE;
}

/* name ":" value; no space before the colon (RFC 9112 5.1), no folding */
static enum http_parse parse_header(const char *l, size_t len,
				    struct http_request *req, bool *host)
{
	const char *colon = memchr(l, ':', len);

	if (!colon || !is_token(l, (size_t)(colon - l)))
		return HTTP_PARSE_BAD;
	for (const char *c = colon + 1; c < l + len; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return HTTP_PARSE_BAD;
	if (colon - l == 4 && !strncasecmp(l, "host", 4))
		return take_host(colon + 1, l + len, req, host);
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
			continue; /* one empty line before: RFC 9112 2.2 */
		if (!first && !n) {
			/* 1.1 needs Host (RFC 9112 3.2) */
			return req->minor >= 1 && !host ? HTTP_PARSE_BAD
							: HTTP_PARSE_DONE;
		}
		if (memchr(l, '\r', n))
			return HTTP_PARSE_BAD; /* a bare CR */
		r = first ? parse_request_line(l, n, req)
			  : parse_header(l, n, req, &host);
		if (r != HTTP_PARSE_DONE)
			return r;
		first = false;
	}
	return len >= HTTP_REQUEST_MAX ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_MORE;
}

/* "name", "name:port", "[v6]", "[v6]:port" -> the name or address */
static bool host_name(const char *host, char *name, size_t size)
{
	const char *end, *port;
	size_t n;

	if (host[0] == '[') {
		end = strchr(host, ']');
		port = end ? end + 1 : NULL;
		host++;
	} else {
		end = strrchr(host, ':');
		port = end;
		if (!end)
			end = host + strlen(host);
	}
	if (!end || (port && *port &&
		     (*port != ':' ||
		      strspn(port + 1, "0123456789") != strlen(port + 1))))
		return false;
	n = (size_t)(end - host);
	if (!n || n >= size)
		return false;
	memcpy(name, host, n);
	name[n] = '\0';
	return true;
}

static bool listen_is_wildcard(const union jvpn_sockaddr *l)
{
	if (l->sa.sa_family == AF_INET)
		return l->in4.sin_addr.s_addr == htonl(INADDR_ANY);
	return l->sa.sa_family == AF_INET6 &&
	       IN6_IS_ADDR_UNSPECIFIED(&l->in6.sin6_addr);
}

static bool v4_allowed(const struct in_addr *a, const union jvpn_sockaddr *l)
{
	return (ntohl(a->s_addr) >> 24) == 127 || listen_is_wildcard(l) ||
	       (l->sa.sa_family == AF_INET &&
		l->in4.sin_addr.s_addr == a->s_addr);
}

static bool v6_allowed(const struct in6_addr *a, const union jvpn_sockaddr *l)
{
	return IN6_IS_ADDR_LOOPBACK(a) || listen_is_wildcard(l) ||
	       (l->sa.sa_family == AF_INET6 &&
		!memcmp(&l->in6.sin6_addr, a, sizeof(*a)));
}

bool http_host_allowed(const char *host, const union jvpn_sockaddr *listen)
{
	char name[HTTP_HOST_MAX];
	struct in6_addr a6;
	struct in_addr a4;

	if (!host[0])
		return true;
	if (!host_name(host, name, sizeof(name)))
		return false;
	if (!strcasecmp(name, "localhost") || !strcasecmp(name, "localhost."))
		return true;
	if (host[0] == '[')
		return inet_pton(AF_INET6, name, &a6) == 1 &&
		       v6_allowed(&a6, listen);
	return inet_pton(AF_INET, name, &a4) == 1 && v4_allowed(&a4, listen);
}

int http_route(const struct http_request *req)
{
	if (strcmp(req->path, "/metrics"))
		return 404;
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
		return 405;
	return 200;
}
