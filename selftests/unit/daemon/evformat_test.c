// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/evformat.c: the exact bytes of each rendering (JSON
 * line, RFC 5424, journald native datagram, CEF) for the same events, the
 * escaping each format needs, the field cap at a UTF-8 boundary, a buffer
 * too small, and the per-type constants (MESSAGE_IDs distinct and well
 * formed, severities in range).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <linux/jvpn.h>

#include "evformat.h"

/* 2026-11-21T11:06:36.315Z */
static const struct event_stamp ST = {
	.seq = 4,
	.mono_ns = UINT64_C(32116004460),
	.wall = { .tv_sec = 1795259196, .tv_nsec = 315123456 },
};

static const struct event_origin FROM = { .hostname = "gw1", .pid = 77 };

static const struct event STATE = {
	.type = EV_STATE_CHANGE,
	.session_id = UINT64_C(1119279276303789114),
	.state_version = 2,
	.reason = JVPND_REASON_HEALTH_THRESHOLD,
	.old_state = JVPN_STATE_ACTIVE,
	.new_state = JVPN_STATE_VOLATILE,
	.new_transport = "10.1.0.2:48957",
};

static const struct event REATTACH = {
	.type = EV_REATTACH_SUCCESS,
	.session_id = 7,
	.state_version = 4,
	.reason = JVPND_REASON_REATTACHED,
	.old_state = -1,
	.new_state = JVPN_STATE_ACTIVE,
	.new_transport = "[fd02::2]:47735",
	.detail = "10.1.0.2:48957",
	.latency_us = 12345,
};

/* every character each format must escape */
static const struct event NASTY = {
	.type = EV_SECURITY_EVENT,
	.session_id = 0,
	.state_version = 0,
	.reason = JVPND_REASON_BAD_PROOF,
	.old_state = -1,
	.new_state = -1,
	.detail = "a\"b\\c]d=e|f\ng",
};

static char buf[EVENT_LINE_MAX];

/* ---- JSON ---------------------------------------------------------- */

static void test_json_state_change(void **state)
{
	const char *want =
		"{\"seq\":4,\"type\":\"STATE_CHANGE\","
		"\"time\":\"2026-11-21T11:06:36.315Z\",\"mono_ns\":32116004460,"
		"\"session_id\":\"1119279276303789114\",\"state_version\":2,"
		"\"reason\":\"health_threshold\",\"old_state\":\"ACTIVE\","
		"\"new_state\":\"VOLATILE\",\"new_transport\":\"10.1.0.2:"
		"48957\"}\n";

	(void)state;
	assert_int_equal(evformat_json(buf, sizeof(buf), &STATE, &ST),
			 strlen(want));
	assert_string_equal(buf, want);
}

static void test_json_latency_ms(void **state)
{
	const char *want =
		"{\"seq\":4,\"type\":\"REATTACH_SUCCESS\","
		"\"time\":\"2026-11-21T11:06:36.315Z\",\"mono_ns\":32116004460,"
		"\"session_id\":\"7\",\"state_version\":4,"
		"\"reason\":\"reattached\",\"new_state\":\"ACTIVE\","
		"\"new_transport\":\"[fd02::2]:47735\","
		"\"detail\":\"10.1.0.2:48957\",\"latency_ms\":12.345}\n";

	(void)state;
	evformat_json(buf, sizeof(buf), &REATTACH, &ST);
	assert_string_equal(buf, want);
}

static void test_json_escapes(void **state)
{
	(void)state;
	evformat_json(buf, sizeof(buf), &NASTY, &ST);
	assert_non_null(
		strstr(buf, ",\"detail\":\"a\\\"b\\\\c]d=e|f\\u000ag\"}\n"));
}

/* ---- RFC 5424 ------------------------------------------------------- */

static void test_syslog_state_change(void **state)
{
	const char *want =
		"<29>1 2026-11-21T11:06:36.315Z gw1 jvpnd 77 STATE_CHANGE "
		"[jvpn@32473 seq=\"4\" session_id=\"1119279276303789114\" "
		"state_version=\"2\" reason=\"health_threshold\" "
		"old_state=\"ACTIVE\" new_state=\"VOLATILE\" "
		"new_transport=\"10.1.0.2:48957\" mono_ns=\"32116004460\"] "
		"STATE_CHANGE session 1119279276303789114 ACTIVE -> VOLATILE "
		"reason health_threshold at 10.1.0.2:48957";

	(void)state;
	assert_int_equal(evformat_syslog(buf, sizeof(buf), &STATE, &ST, &FROM),
			 strlen(want));
	assert_string_equal(buf, want);
}

static void test_syslog_latency_and_info(void **state)
{
	const char *want =
		"<30>1 2026-11-21T11:06:36.315Z gw1 jvpnd 77 REATTACH_SUCCESS "
		"[jvpn@32473 seq=\"4\" session_id=\"7\" state_version=\"4\" "
		"reason=\"reattached\" new_state=\"ACTIVE\" "
		"new_transport=\"[fd02::2\\]:47735\" detail=\"10.1.0.2:48957\" "
		"latency_ms=\"12.345\" mono_ns=\"32116004460\"] "
		"REATTACH_SUCCESS session 7 ACTIVE reason reattached at "
		"[fd02::2]:47735 in 12.345 ms: 10.1.0.2:48957";

	(void)state;
	evformat_syslog(buf, sizeof(buf), &REATTACH, &ST, &FROM);
	assert_string_equal(buf, want);
}

/* '"', '\' and ']' escaped in SD; MSG keeps no control character;
 * SECURITY_EVENT is warning; an unknown host is "-". */
static void test_syslog_escapes(void **state)
{
	const struct event_origin nohost = { .hostname = NULL, .pid = 1 };
	const char *want =
		"<28>1 2026-11-21T11:06:36.315Z - jvpnd 1 SECURITY_EVENT "
		"[jvpn@32473 seq=\"4\" session_id=\"0\" state_version=\"0\" "
		"reason=\"bad_proof\" detail=\"a\\\"b\\\\c\\]d=e|f\ng\" "
		"mono_ns=\"32116004460\"] "
		"SECURITY_EVENT reason bad_proof: a\"b\\c]d=e|f?g";

	(void)state;
	evformat_syslog(buf, sizeof(buf), &NASTY, &ST, &nohost);
	assert_string_equal(buf, want);
}

static void test_syslog_hostname_sanitised(void **state)
{
	const struct event_origin odd = { .hostname = "a b\tc", .pid = 2 };

	(void)state;
	evformat_syslog(buf, sizeof(buf), &STATE, &ST, &odd);
	assert_non_null(strstr(buf, ".315Z a_b_c jvpnd 2 STATE_CHANGE ["));
}

/* ---- journald -------------------------------------------------------- */

static void test_journal_state_change(void **state)
{
	const char *want =
		"MESSAGE=STATE_CHANGE session 1119279276303789114 ACTIVE -> "
		"VOLATILE reason health_threshold at 10.1.0.2:48957\n"
		"MESSAGE_ID=75cfe7642212f1b73a8b69c5247767fa\n"
		"PRIORITY=5\n"
		"SYSLOG_FACILITY=3\n"
		"SYSLOG_IDENTIFIER=jvpnd\n"
		"JVPN_EVENT=STATE_CHANGE\n"
		"JVPN_SEQ=4\n"
		"JVPN_SESSION_ID=1119279276303789114\n"
		"JVPN_STATE_VERSION=2\n"
		"JVPN_REASON=health_threshold\n"
		"JVPN_OLD_STATE=ACTIVE\n"
		"JVPN_NEW_STATE=VOLATILE\n"
		"JVPN_NEW_TRANSPORT=10.1.0.2:48957\n"
		"JVPN_MONO_NS=32116004460\n";

	(void)state;
	assert_int_equal(evformat_journal(buf, sizeof(buf), &STATE, &ST),
			 strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static void test_journal_latency(void **state)
{
	(void)state;
	evformat_journal(buf, sizeof(buf), &REATTACH, &ST);
	assert_non_null(strstr(
		buf,
		"\nMESSAGE_ID=38b9d95eacb12074bf6048a07a149234\nPRIORITY=6\n"));
	assert_non_null(strstr(
		buf, "\nJVPN_DETAIL=10.1.0.2:48957\nJVPN_LATENCY_MS=12.345\n"));
}

/* a value with a newline: KEY\n, 64-bit little-endian length, value, \n */
static void test_journal_binary_safe(void **state)
{
	static const char want[] = "\nJVPN_DETAIL\n"
				   "\x0d\0\0\0\0\0\0\0"
				   "a\"b\\c]d=e|f\ng\n"
				   "JVPN_MONO_NS=32116004460\n";
	size_t n;

	(void)state;
	n = evformat_journal(buf, sizeof(buf), &NASTY, &ST);
	assert_true(n > sizeof(want) - 1);
	assert_memory_equal(buf + n - (sizeof(want) - 1), want,
			    sizeof(want) - 1);
	assert_non_null(strstr(
		buf,
		"MESSAGE=SECURITY_EVENT reason bad_proof: a\"b\\c]d=e|f?g\n"));
	assert_non_null(strstr(buf, "\nPRIORITY=4\n"));
}

/* ---- CEF ------------------------------------------------------------ */

static void test_cef_state_change(void **state)
{
	const char *want =
		"CEF:0|Jumping VPN|jvpnd|" JVPN_VERSION
		"|101|Session state changed|4|"
		"rt=1795259196315 cat=STATE_CHANGE dvchost=gw1 dvcpid=77 "
		"msg=STATE_CHANGE session 1119279276303789114 ACTIVE -> "
		"VOLATILE "
		"reason health_threshold at 10.1.0.2:48957 "
		"src=10.1.0.2 spt=48957 "
		"cs1Label=sessionId cs1=1119279276303789114 "
		"cs2Label=reason cs2=health_threshold "
		"cs3Label=oldState cs3=ACTIVE cs4Label=newState cs4=VOLATILE "
		"cn1Label=stateVersion cn1=2 cn2Label=seq cn2=4\n";

	(void)state;
	assert_int_equal(evformat_cef(buf, sizeof(buf), &STATE, &ST, &FROM),
			 strlen(want));
	assert_string_equal(buf, want);
}

static void test_cef_ipv6_and_latency(void **state)
{
	(void)state;
	evformat_cef(buf, sizeof(buf), &REATTACH, &ST, &FROM);
	assert_non_null(strstr(buf, "|104|Reattach succeeded|3|"));
	assert_non_null(strstr(
		buf, " c6a2Label=Source IPv6 Address c6a2=fd02::2 spt=47735 "));
	assert_null(strstr(buf, " src="));
	assert_non_null(strstr(buf, " cs6Label=detail cs6=10.1.0.2:48957 "));
	assert_non_null(strstr(buf, " cn3Label=latencyMs cn3=12\n"));
}

/* extension: '\' and '=' escaped, newline as \n; '|' is not special there */
static void test_cef_escapes(void **state)
{
	(void)state;
	evformat_cef(buf, sizeof(buf), &NASTY, &ST, &FROM);
	assert_non_null(strstr(buf, "|106|Security event|8|"));
	assert_non_null(
		strstr(buf, " cs6Label=detail cs6=a\"b\\\\c]d\\=e|f\\ng "));
	assert_non_null(strstr(
		buf,
		" msg=SECURITY_EVENT reason bad_proof: a\"b\\\\c]d\\=e|f?g "));
	/* the only line break is the one that ends the line */
	assert_ptr_equal(strchr(buf, '\n'), buf + strlen(buf) - 1);
}

/* a transport that is not addr:port gives no src rather than a wrong one */
static void test_cef_bad_transport(void **state)
{
	struct event ev = STATE;

	(void)state;
	ev.new_transport = "nonsense:1";
	evformat_cef(buf, sizeof(buf), &ev, &ST, &FROM);
	assert_null(strstr(buf, " src="));
	assert_null(strstr(buf, " spt="));
	ev.new_transport = "[fd00::1:5";
	evformat_cef(buf, sizeof(buf), &ev, &ST, &FROM);
	assert_null(strstr(buf, " spt="));
}

/* ---- limits ------------------------------------------------------------ */

static void test_too_small_is_zero(void **state)
{
	char small[64];

	(void)state;
	assert_int_equal(evformat_json(small, sizeof(small), &STATE, &ST), 0);
	assert_string_equal(small, "");
	assert_int_equal(
		evformat_syslog(small, sizeof(small), &STATE, &ST, &FROM), 0);
	assert_int_equal(evformat_journal(small, sizeof(small), &STATE, &ST),
			 0);
	assert_int_equal(evformat_cef(small, sizeof(small), &STATE, &ST, &FROM),
			 0);
	assert_int_equal(evformat_json(small, 0, &STATE, &ST), 0);
}

/* exactly fitting: the NUL needs the last byte */
static void test_exact_fit(void **state)
{
	size_t n = evformat_json(buf, sizeof(buf), &STATE, &ST);
	char fit[1024];

	(void)state;
	assert_true(n < sizeof(fit));
	assert_int_equal(evformat_json(fit, n + 1, &STATE, &ST), n);
	assert_int_equal(evformat_json(fit, n, &STATE, &ST), 0);
}

/* a long field is cut at EVFORMAT_FIELD_MAX, never inside a UTF-8
 * sequence, so even the worst case fits EVENT_LINE_MAX */
static void test_field_cap(void **state)
{
	char detail[1000], want[EVFORMAT_FIELD_MAX + 16];
	struct event ev = STATE;
	size_t i;

	(void)state;
	for (i = 0; i + 2 < sizeof(detail); i += 2)
		memcpy(detail + i, "\xc3\xa9", 2); /* é */
	detail[i] = '\0';
	ev.detail = detail;
	evformat_json(buf, sizeof(buf), &ev, &ST);
	/* 256 bytes is 128 whole é */
	snprintf(want, sizeof(want), "\"detail\":\"%.*s\"}", EVFORMAT_FIELD_MAX,
		 detail);
	assert_non_null(strstr(buf, want));
	/* one byte more in front: the 256th byte would start an é, so the
	 * cut falls before it, at 255 */
	detail[0] = 'x';
	for (i = 1; i + 2 < sizeof(detail); i += 2)
		memcpy(detail + i, "\xc3\xa9", 2);
	detail[i] = '\0';
	evformat_json(buf, sizeof(buf), &ev, &ST);
	snprintf(want, sizeof(want), "\"detail\":\"%.*s\"}",
		 EVFORMAT_FIELD_MAX - 1, detail);
	assert_non_null(strstr(buf, want));

	memset(detail, '"', sizeof(detail) - 1); /* each one 2 bytes in JSON */
	detail[sizeof(detail) - 1] = '\0';
	ev.detail = detail;
	ev.old_transport = detail;
	ev.new_transport = detail;
	assert_true(evformat_json(buf, sizeof(buf), &ev, &ST) > 0);
	assert_true(evformat_syslog(buf, sizeof(buf), &ev, &ST, &FROM) > 0);
	assert_true(evformat_journal(buf, sizeof(buf), &ev, &ST) > 0);
	assert_true(evformat_cef(buf, sizeof(buf), &ev, &ST, &FROM) > 0);
	memset(detail, '\x01', sizeof(detail) - 1); /* 6 bytes in JSON */
	assert_true(evformat_json(buf, sizeof(buf), &ev, &ST) > 0);
}

/* ---- the per-type constants ---------------------------------------------- */

static void test_constants(void **state)
{
	(void)state;
	for (int t = EV_SESSION_CREATED; t <= EV_DAEMON; t++) {
		const char *id = event_message_id(t);

		assert_int_equal(strlen(id), 32);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
		for (int u = EV_SESSION_CREATED; u < t; u++)
			assert_string_not_equal(id, event_message_id(u));
		assert_in_range(event_syslog_severity(t), 0, 7);
		assert_in_range(event_cef_severity(t), 0, 10);
		assert_string_not_equal(event_type_name(t), "UNKNOWN");
	}
	assert_int_equal(event_syslog_severity(EV_SECURITY_EVENT), 4);
	assert_int_equal(event_syslog_severity(EV_REATTACH_REJECT), 5);
	assert_int_equal(event_syslog_severity(EV_RATE_LIMIT_TRIGGER), 5);
	/* out of range: still something well formed */
	assert_int_equal(strlen(event_message_id((enum event_type)99)), 32);
	assert_string_equal(event_type_name((enum event_type)99), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_state_change),
		cmocka_unit_test(test_json_latency_ms),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_syslog_state_change),
		cmocka_unit_test(test_syslog_latency_and_info),
		cmocka_unit_test(test_syslog_escapes),
		cmocka_unit_test(test_syslog_hostname_sanitised),
		cmocka_unit_test(test_journal_state_change),
		cmocka_unit_test(test_journal_latency),
		cmocka_unit_test(test_journal_binary_safe),
		cmocka_unit_test(test_cef_state_change),
		cmocka_unit_test(test_cef_ipv6_and_latency),
		cmocka_unit_test(test_cef_escapes),
		cmocka_unit_test(test_cef_bad_transport),
		cmocka_unit_test(test_too_small_is_zero),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_field_cap),
		cmocka_unit_test(test_constants),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("evformat", tests, NULL, NULL);
}
