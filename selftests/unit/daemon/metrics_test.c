// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/metrics.c's pure parts: the HTTP request parser
 * (good, bad, partial and oversized requests), routing, escaping in the
 * exposition text, and the exact text rendered for known counters.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static enum http_parse parse(const char *text, struct http_request *req)
{
	return http_parse_request(text, strlen(text), req);
}

/* ---- good requests ----------------------------------------------------- */

static void test_get_http11(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(
		parse("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\n"
		      "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
		      &req),
		HTTP_PARSE_DONE);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.path, "/metrics");
	assert_int_equal(req.minor, 1);
	assert_int_equal(http_route(&req), 200);
}

static void test_get_http10_needs_no_host(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(parse("GET /metrics HTTP/1.0\r\n\r\n", &req),
			 HTTP_PARSE_DONE);
	assert_int_equal(req.minor, 0);
	assert_int_equal(http_route(&req), 200);
}

static void test_bare_lf_and_leading_empty_line(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(parse("\r\nGET /metrics HTTP/1.1\nhost: x\n\n", &req),
			 HTTP_PARSE_DONE);
	assert_string_equal(req.path, "/metrics");
}

static void test_query_and_absolute_form(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(
		parse("GET /metrics?name[]=up HTTP/1.1\r\nHost: x\r\n\r\n",
		      &req),
		HTTP_PARSE_DONE);
	assert_string_equal(req.path, "/metrics");
	assert_int_equal(parse("GET http://127.0.0.1:9100/metrics HTTP/1.1\r\n"
			       "Host: x\r\n\r\n",
			       &req),
			 HTTP_PARSE_DONE);
	assert_string_equal(req.path, "/metrics");
}

static void test_body_is_not_read(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(parse("POST /metrics HTTP/1.1\r\nHost: x\r\n"
			       "Content-Length: 5\r\n\r\nhello",
			       &req),
			 HTTP_PARSE_DONE);
	assert_int_equal(http_route(&req), 405);
}

/* ---- routing ----------------------------------------------------------- */

static int route(const char *method, const char *path)
{
	struct http_request req = { 0 };

	snprintf(req.method, sizeof(req.method), "%s", method);
	snprintf(req.path, sizeof(req.path), "%s", path);
	return http_route(&req);
}

static void test_routes(void **state)
{
	(void)state;
	assert_int_equal(route("GET", "/metrics"), 200);
	assert_int_equal(route("HEAD", "/metrics"), 200);
	assert_int_equal(route("POST", "/metrics"), 405);
	assert_int_equal(route("DELETE", "/metrics"), 405);
	assert_int_equal(route("get", "/metrics"), 405); /* case matters */
	assert_int_equal(route("GET", "/"), 404);
	assert_int_equal(route("GET", "/metrics/"), 404);
	assert_int_equal(route("GET", "/Metrics"), 404);
	assert_int_equal(route("POST", "/nothing"), 404);
}

/* ---- Host: DNS rebinding ----------------------------------------------- */

static union jvpn_sockaddr v4(const char *addr)
{
	union jvpn_sockaddr a = { .in4 = { .sin_family = AF_INET,
					   .sin_port = htons(9100) } };

	assert_int_equal(inet_pton(AF_INET, addr, &a.in4.sin_addr), 1);
	return a;
}

static union jvpn_sockaddr v6(const char *addr)
{
	union jvpn_sockaddr a = { .in6 = { .sin6_family = AF_INET6,
					   .sin6_port = htons(9100) } };

	assert_int_equal(inet_pton(AF_INET6, addr, &a.in6.sin6_addr), 1);
	return a;
}

static void test_host_parsed(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(
		parse("GET /metrics HTTP/1.1\r\nHost: \t127.0.0.1:9100 "
		      "\r\n\r\n",
		      &req),
		HTTP_PARSE_DONE);
	assert_string_equal(req.host, "127.0.0.1:9100");
	assert_int_equal(parse("GET /metrics HTTP/1.0\r\n\r\n", &req),
			 HTTP_PARSE_DONE);
	assert_string_equal(req.host, "");
	/* two Hosts: which would a proxy have checked? */
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: localhost\r\n"
			       "Host: evil.example\r\n\r\n",
			       &req),
			 HTTP_PARSE_BAD);
}

static void test_host_loopback_listen(void **state)
{
	union jvpn_sockaddr lo = v4("127.0.0.1");

	(void)state;
	assert_true(http_host_allowed("", &lo));
	assert_true(http_host_allowed("127.0.0.1:9100", &lo));
	assert_true(http_host_allowed("127.0.0.1", &lo));
	assert_true(http_host_allowed("127.1.2.3:80", &lo));
	assert_true(http_host_allowed("localhost:9100", &lo));
	assert_true(http_host_allowed("LocalHost", &lo));
	assert_true(http_host_allowed("[::1]:9100", &lo));
	/* a rebound name, whatever it now resolves to */
	assert_false(http_host_allowed("evil.example:9100", &lo));
	assert_false(http_host_allowed("evil.example", &lo));
	assert_false(http_host_allowed("localhost.evil.example", &lo));
	assert_false(http_host_allowed("127.0.0.1.nip.io:9100", &lo));
	assert_false(http_host_allowed("10.0.0.5:9100", &lo));
	/* malformed */
	assert_false(http_host_allowed("127.0.0.1:91x0", &lo));
	assert_false(http_host_allowed("[::1", &lo));
	assert_false(http_host_allowed(":9100", &lo));
	assert_false(http_host_allowed("::1", &lo));
}

static void test_host_configured_listen(void **state)
{
	union jvpn_sockaddr a = v4("10.0.0.5"), b = v6("fd00::5");
	union jvpn_sockaddr any4 = v4("0.0.0.0"), any6 = v6("::");

	(void)state;
	assert_true(http_host_allowed("10.0.0.5:9100", &a));
	assert_false(http_host_allowed("10.0.0.6:9100", &a));
	assert_true(http_host_allowed("[fd00::5]:9100", &b));
	assert_false(http_host_allowed("[fd00::6]:9100", &b));
	assert_false(http_host_allowed("fd00::5", &b));
	/* a wildcard: any address literal, still no name */
	assert_true(http_host_allowed("192.0.2.7:9100", &any4));
	assert_true(http_host_allowed("[2001:db8::7]:9100", &any6));
	assert_false(http_host_allowed("metrics.example:9100", &any4));
	assert_false(http_host_allowed("metrics.example", &any6));
}

/* ---- partial, bad and oversized ------------------------------------------ */

static void test_partial(void **state)
{
	static const char full[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	struct http_request req;

	(void)state;
	/* every proper prefix asks for more; the whole is done */
	for (size_t n = 0; n < sizeof(full) - 1; n++)
		assert_int_equal(http_parse_request(full, n, &req),
				 HTTP_PARSE_MORE);
	assert_int_equal(http_parse_request(full, sizeof(full) - 1, &req),
			 HTTP_PARSE_DONE);
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
		"GET /metrics HTTP/1.1\r\n\r\n", /* 1.1 without Host */
		"GET\r\n\r\n",
		"GET /metrics\r\n\r\n", /* HTTP/0.9 */
		"GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /metrics HTTP/1.1 \r\nHost: x\r\n\r\n",
		"GET metrics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
		"G(T /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /met rics HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /metrics HTTP/1.x\r\nHost: x\r\n\r\n",
		"GET /metrics FTP/1.1\r\nHost: x\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\ry\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\x01\r\n\r\n",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ /metrics HTTP/1.1\r\nHost: "
		"x\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01", /* a TLS hello: at once */
	};
	struct http_request req;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum http_parse r = parse(bad[i], &req);

		if (r != HTTP_PARSE_BAD)
			fail_msg("request %zu: %d, not BAD", i, r);
	}
}

static void test_nul_is_bad(void **state)
{
	static const char text[] = "GET /metrics HTTP/1.1\r\nHost: \0x\r\n\r\n";
	struct http_request req;

	(void)state;
	assert_int_equal(http_parse_request(text, sizeof(text) - 1, &req),
			 HTTP_PARSE_BAD);
}

static void test_long_path_is_bad(void **state)
{
	char text[HTTP_PATH_MAX + 64];
	struct http_request req;

	(void)state;
	memset(text, 'a', sizeof(text));
	memcpy(text, "GET /", 5);
	snprintf(text + HTTP_PATH_MAX + 8, 40, " HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(parse(text, &req), HTTP_PARSE_BAD);
}

static void test_other_versions(void **state)
{
	struct http_request req;

	(void)state;
	assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n", &req),
			 HTTP_PARSE_VERSION);
	assert_int_equal(
		parse("GET /metrics HTTP/1.2\r\nHost: x\r\n\r\n", &req),
		HTTP_PARSE_DONE); /* a later 1.x is understood as 1.1 */
}

static void test_oversized(void **state)
{
	char *text = malloc(METRICS_REQUEST_MAX);
	struct http_request req;
	size_t n;

	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, METRICS_REQUEST_MAX,
			     "GET /metrics HTTP/1.1\r\nHost: x\r\n");
	/* headers that never end, one byte short of the limit: more */
	while (n + 12 < METRICS_REQUEST_MAX - 1)
		n += (size_t)snprintf(text + n, METRICS_REQUEST_MAX - n,
				      "X-Pad: abc\r\n");
	memset(text + n, 'a', METRICS_REQUEST_MAX - n);
	assert_int_equal(
		http_parse_request(text, METRICS_REQUEST_MAX - 1, &req),
		HTTP_PARSE_MORE);
	assert_int_equal(http_parse_request(text, METRICS_REQUEST_MAX, &req),
			 HTTP_PARSE_TOO_LARGE);
	free(text);
}

/* ---- exposition text ----------------------------------------------------- */

static void test_escaping(void **state)
{
	struct expo e = { 0 };

	(void)state;
	expo_family(&e, "x_total", "counter", "a \\ b\nc \"q\"");
	expo_sample(&e, "x_total",
		    (const char *const[]){ "a", "back\\slash", "b", "quote\"",
					   "c", "new\nline", NULL },
		    7);
	expo_sample(&e, "x_total", NULL, UINT64_MAX);
	assert_false(e.failed);
	assert_string_equal(e.buf, "# HELP x_total a \\\\ b\\nc \"q\"\n"
				   "# TYPE x_total counter\n"
				   "x_total{a=\"back\\\\slash\",b="
				   "\"quote\\\"\",c=\"new\\nline\"} 7\n"
				   "x_total 18446744073709551615\n");
	expo_free(&e);
}

static void test_grows(void **state)
{
	struct expo e = { 0 };

	(void)state;
	for (int i = 0; i < 5000; i++)
		expo_sample(&e, "a_long_metric_name_for_growth", NULL,
			    (uint64_t)i);
	assert_false(e.failed);
	assert_int_equal(strlen(e.buf), e.len);
	assert_non_null(strstr(e.buf, "a_long_metric_name_for_growth 4999\n"));
	expo_free(&e);
}

static void test_sessions_text(void **state)
{
	const uint64_t by_state[STATS_STATES] = { 0, 1, 0, 0, 2 };
	struct expo e = { 0 };

	(void)state;
	metrics_render_sessions(&e, by_state);
	assert_string_equal(
		e.buf,
		"# HELP jvpnd_sessions Sessions the daemon holds, by state.\n"
		"# TYPE jvpnd_sessions gauge\n"
		"jvpnd_sessions{state=\"HANDSHAKE\"} 0\n"
		"jvpnd_sessions{state=\"ACTIVE\"} 1\n"
		"jvpnd_sessions{state=\"VOLATILE\"} 0\n"
		"jvpnd_sessions{state=\"DEGRADED\"} 0\n"
		"jvpnd_sessions{state=\"TERMINATED\"} 2\n");
	expo_free(&e);
}

static void test_kernel_text(void **state)
{
	uint64_t st[JVPN_STATS_A_MAX + 1] = { 0 };
	struct expo e = { 0 };

	(void)state;
	for (int i = 1; i <= JVPN_STATS_A_MAX; i++)
		st[i] = 100 + (uint64_t)i;
	metrics_render_kernel(&e, "jvpn0", st, 3);
	assert_string_equal(
		e.buf,
		"# HELP jvpn_sessions Sessions in the kernel's table.\n"
		"# TYPE jvpn_sessions gauge\n"
		"jvpn_sessions{device=\"jvpn0\"} 3\n"
		"# HELP jvpn_rx_packets_total Data packets received and "
		"delivered.\n"
		"# TYPE jvpn_rx_packets_total counter\n"
		"jvpn_rx_packets_total{device=\"jvpn0\"} 103\n"
		"# HELP jvpn_rx_bytes_total Bytes of inner packets delivered.\n"
		"# TYPE jvpn_rx_bytes_total counter\n"
		"jvpn_rx_bytes_total{device=\"jvpn0\"} 104\n"
		"# HELP jvpn_tx_packets_total Data packets sealed and sent.\n"
		"# TYPE jvpn_tx_packets_total counter\n"
		"jvpn_tx_packets_total{device=\"jvpn0\"} 101\n"
		"# HELP jvpn_tx_bytes_total Bytes of inner packets sent.\n"
		"# TYPE jvpn_tx_bytes_total counter\n"
		"jvpn_tx_bytes_total{device=\"jvpn0\"} 102\n"
		"# HELP jvpn_switches_total Transport switches the kernel "
		"committed.\n"
		"# TYPE jvpn_switches_total counter\n"
		"jvpn_switches_total{device=\"jvpn0\"} 113\n"
		"# HELP jvpn_stray_events_suppressed_total Stray-data events "
		"not sent because of their rate bound.\n"
		"# TYPE jvpn_stray_events_suppressed_total counter\n"
		"jvpn_stray_events_suppressed_total{device=\"jvpn0\"} 114\n"
		"# HELP jvpn_drops_total Packets the kernel dropped, by "
		"reason.\n"
		"# TYPE jvpn_drops_total counter\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"bad_auth\"} 105\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"replay\"} 106\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"stray\"} 107\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"unknown_session\"} "
		"108\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"malformed\"} 109\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"inner_src\"} 110\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"no_route\"} 111\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"tx_error\"} 112\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"stray_limited\"} "
		"116\n"
		"jvpn_drops_total{device=\"jvpn0\",reason=\"queue_full\"} "
		"117\n");
	expo_free(&e);
}

/* The text from the line that starts with @from to the end. */
static const char *section(const struct expo *e, const char *from)
{
	const char *p = strstr(e->buf, from);

	assert_non_null(p);
	return p;
}

static void test_stats_text(void **state)
{
	struct expo e = { 0 };
	struct stats st;
	const char *rejects, *end;

	(void)state;
	stats_init(&st);
	st.sessions_created = 3;
	st.switches[JVPND_REASON_REATTACHED] = 2;
	st.rejects[JVPND_REASON_STALE_VERSION] = 4;
	st.rejects[STATS_REASON_SLOTS - 1] = 1;
	st.rejects[JVPND_REASON_HANDSHAKE_DONE] = 5; /* unexpected: shown */
	st.rate_limit_triggers = 7;
	stats_observe(&st.reattach_latency, 800);
	stats_observe(&st.reattach_latency, 30000);
	stats_observe(&st.reattach_latency, 9000000);
	metrics_render_stats(&e, &st);
	assert_non_null(strstr(e.buf, "\njvpnd_sessions_created_total 3\n"));
	assert_non_null(strstr(
		e.buf, "\njvpnd_switches_total{reason=\"reattached\"} 2\n"
		       "jvpnd_switches_total{reason=\"nat_rebinding\"} 0\n"));
	assert_non_null(strstr(e.buf, "\njvpnd_rate_limit_triggers_total 7\n"));
	rejects = section(&e, "jvpnd_rejects_total{");
	end = strstr(rejects, "# HELP");
	assert_non_null(end);
	assert_int_equal(
		strncmp(rejects,
			"jvpnd_rejects_total{reason=\"unknown_session\"} 0\n"
			"jvpnd_rejects_total{reason=\"replayed_nonce\"} 0\n"
			"jvpnd_rejects_total{reason=\"stale_timestamp\"} 0\n"
			"jvpnd_rejects_total{reason=\"stale_version\"} 4\n"
			"jvpnd_rejects_total{reason=\"rate_limited\"} 0\n"
			"jvpnd_rejects_total{reason=\"cooldown\"} 0\n"
			"jvpnd_rejects_total{reason=\"switch_limit\"} 0\n"
			"jvpnd_rejects_total{reason=\"class_not_allowed\"} 0\n"
			"jvpnd_rejects_total{reason=\"kernel_lost\"} 0\n"
			"jvpnd_rejects_total{reason=\"version_mismatch\"} 0\n"
			"jvpnd_rejects_total{reason=\"unknown_peer\"} 0\n"
			"jvpnd_rejects_total{reason=\"handshake_done\"} 5\n"
			"jvpnd_rejects_total{reason=\"unknown\"} 1\n",
			(size_t)(end - rejects)),
		0);
	assert_string_equal(
		section(&e, "# TYPE jvpnd_reattach_latency_seconds"),
		"# TYPE jvpnd_reattach_latency_seconds histogram\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.00025\"} 0\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.0005\"} 0\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.001\"} 1\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.0025\"} 1\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.005\"} 1\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.01\"} 1\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.025\"} 1\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.05\"} 2\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.1\"} 2\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.25\"} 2\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"0.5\"} 2\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"1\"} 2\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"2.5\"} 2\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"5\"} 2\n"
		"jvpnd_reattach_latency_seconds_bucket{le=\"+Inf\"} 3\n"
		"jvpnd_reattach_latency_seconds_sum 9.0308\n"
		"jvpnd_reattach_latency_seconds_count 3\n");
	expo_free(&e);
}

/* Every family has HELP then TYPE before its samples, once. */
static void test_stats_families_well_formed(void **state)
{
	struct expo e = { 0 };
	struct stats st;
	char *copy, *line, *save = NULL, family[128] = "";
	int helps = 0, types = 0;

	(void)state;
	stats_init(&st);
	metrics_render_stats(&e, &st);
	copy = strdup(e.buf);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# HELP ", 7)) {
			sscanf(line + 7, "%127s", family);
			helps++;
		} else if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(
				strncmp(line + 7, family, strlen(family)), 0);
			types++;
		} else {
			/* a sample of the current family */
			assert_int_equal(strncmp(line, family, strlen(family)),
					 0);
		}
	}
	assert_int_equal(helps, types);
	assert_int_equal(helps, 11);
	free(copy);
	expo_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_http11),
		cmocka_unit_test(test_get_http10_needs_no_host),
		cmocka_unit_test(test_bare_lf_and_leading_empty_line),
		cmocka_unit_test(test_query_and_absolute_form),
		cmocka_unit_test(test_body_is_not_read),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_host_parsed),
		cmocka_unit_test(test_host_loopback_listen),
		cmocka_unit_test(test_host_configured_listen),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_nul_is_bad),
		cmocka_unit_test(test_long_path_is_bad),
		cmocka_unit_test(test_other_versions),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_sessions_text),
		cmocka_unit_test(test_kernel_text),
		cmocka_unit_test(test_stats_text),
		cmocka_unit_test(test_stats_families_well_formed),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
