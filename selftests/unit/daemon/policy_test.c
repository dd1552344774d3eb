// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/policy.c: the built-in profiles, the text form of
 * each field, the safety checklist (one test per finding, by item name),
 * policy_diff and the diagnostics list.
 *
 * The checklist cases are a table; each row becomes its own cmocka test
 * (named after the row), starts from a built-in profile, changes one
 * field through its config text, and expects exactly the findings named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "policy.h"

/* Fails with every kept finding printed, so a failure explains itself. */
static void fail_with_diag(const struct diag *diag, const char *why)
{
	for (unsigned int i = 0; i < diag->count; i++)
		print_message("  finding: %s\n", diag->entries[i].text);
	fail_msg("%s", why);
}

static void set_ok(struct policy *policy, enum policy_field field,
		   const char *text)
{
	char why[DIAG_TEXT_MAX] = "";

	if (!policy_set_field(policy, field, text, why, sizeof(why)))
		fail_msg("%s = %s: refused: %s", policy_field_key(field), text,
			 why);
}

/* The field refuses text with a reason containing needle, unchanged. */
static void set_refused(enum policy_field field, const char *text,
			const char *needle)
{
	struct policy policy = *policy_builtin("mobile");
	char why[DIAG_TEXT_MAX] = "";

	if (policy_set_field(&policy, field, text, why, sizeof(why)))
		fail_msg("%s = \"%s\": accepted", policy_field_key(field),
			 text);
	if (!strstr(why, needle))
		fail_msg("%s = \"%s\": \"%s\" lacks \"%s\"",
			 policy_field_key(field), text, why, needle);
	assert_memory_equal(&policy, policy_builtin("mobile"), sizeof(policy));
}

/* ---- built-in profiles ------------------------------------------- */

/* The numbers docs/config.md documents; a change here is a doc change. */
static void test_mobile_defaults(void **state)
{
	const struct policy *p = policy_builtin("mobile");

	(void)state;
	assert_non_null(p);
	assert_string_equal(p->name, "mobile");
	assert_int_equal(p->health_threshold_ms, 1000);
	assert_int_equal(p->probe_interval_ms, 300);
	assert_int_equal(p->recovery_window_ms, 60000);
	assert_int_equal(p->degraded_after_switches, 3);
	assert_int_equal(p->session_ttl_s, 86400);
	assert_int_equal(p->transport_loss_ttl_ms, 120000);
	assert_int_equal(p->cooldown_ms, 500);
	assert_int_equal(p->max_switches_per_minute, 12);
	assert_int_equal(p->reattach_rate_per_session.per_second, 2);
	assert_int_equal(p->reattach_rate_per_session.burst, 5);
	assert_int_equal(p->reattach_rate_per_source.per_second, 20);
	assert_int_equal(p->reattach_rate_per_source.burst, 50);
	assert_int_equal(p->replay_window, 8128);
	assert_int_equal(p->freshness_window_ms, 30000);
	assert_int_equal(p->allowed_transports,
			 POLICY_TRANSPORT_UDP4 | POLICY_TRANSPORT_UDP6);
	assert_int_equal(p->handshake_timeout_ms, 5000);
	assert_int_equal(p->max_reattach_attempts, 10);
	assert_int_equal(p->handshake_rate.per_second, 100);
	assert_int_equal(p->handshake_rate.burst, 200);
	assert_int_equal(p->handshake_rate_per_source.per_second, 10);
	assert_int_equal(p->handshake_rate_per_source.burst, 20);
	assert_int_equal(p->rehandshake_after_ms, 120000);
}

static void test_datacenter_defaults(void **state)
{
	const struct policy *p = policy_builtin("datacenter");

	(void)state;
	assert_non_null(p);
	assert_string_equal(p->name, "datacenter");
	assert_int_equal(p->health_threshold_ms, 3000);
	assert_int_equal(p->probe_interval_ms, 1000);
	assert_int_equal(p->recovery_window_ms, 300000);
	assert_int_equal(p->degraded_after_switches, 2);
	assert_int_equal(p->session_ttl_s, 604800);
	assert_int_equal(p->transport_loss_ttl_ms, 30000);
	assert_int_equal(p->cooldown_ms, 5000);
	assert_int_equal(p->max_switches_per_minute, 4);
	assert_int_equal(p->reattach_rate_per_session.per_second, 1);
	assert_int_equal(p->reattach_rate_per_session.burst, 2);
	assert_int_equal(p->reattach_rate_per_source.per_second, 5);
	assert_int_equal(p->reattach_rate_per_source.burst, 10);
	assert_int_equal(p->replay_window, 8128);
	assert_int_equal(p->freshness_window_ms, 10000);
	assert_int_equal(p->allowed_transports,
			 POLICY_TRANSPORT_UDP4 | POLICY_TRANSPORT_UDP6);
	assert_int_equal(p->handshake_timeout_ms, 2000);
	assert_int_equal(p->max_reattach_attempts, 5);
	assert_int_equal(p->handshake_rate.per_second, 50);
	assert_int_equal(p->handshake_rate.burst, 100);
	assert_int_equal(p->handshake_rate_per_source.per_second, 2);
	assert_int_equal(p->handshake_rate_per_source.burst, 5);
	assert_int_equal(p->rehandshake_after_ms, 120000);
}

/* The mobile profile detects faster and tolerates more than datacenter:
 * the brief's reason for having two. */
static void test_profiles_differ_as_documented(void **state)
{
	const struct policy *m = policy_builtin("mobile");
	const struct policy *d = policy_builtin("datacenter");

	(void)state;
	assert_true(m->health_threshold_ms < d->health_threshold_ms);
	assert_true(m->transport_loss_ttl_ms > d->transport_loss_ttl_ms);
	assert_true(m->max_switches_per_minute > d->max_switches_per_minute);
	assert_true(m->cooldown_ms < d->cooldown_ms);
}

static void test_builtins_pass_the_checklist(void **state)
{
	static const char *const names[] = { "mobile", "datacenter" };
	struct diag diag;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		diag_init(&diag, NULL);
		assert_int_equal(policy_check(policy_builtin(names[i]), &diag),
				 0);
		if (diag.errors || diag.warnings)
			fail_with_diag(&diag, names[i]);
	}
}

static void test_unknown_profile_is_not_builtin(void **state)
{
	(void)state;
	assert_null(policy_builtin("fast"));
	assert_null(policy_builtin("Mobile"));
	assert_null(policy_builtin(""));
}

/* ---- keys and text ------------------------------------------------ */

static void test_field_keys_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < POLICY_FIELD_COUNT; i++)
		assert_int_equal(policy_field_by_key(policy_field_key(i)), i);
	assert_int_equal(policy_field_by_key("cooldown"), POLICY_COOLDOWN);
	assert_int_equal(policy_field_by_key("session-ttl"),
			 POLICY_SESSION_TTL);
	assert_int_equal(policy_field_by_key("colour"), -1);
	assert_int_equal(policy_field_by_key("Cooldown"), -1);
	assert_null(policy_field_key(POLICY_FIELD_COUNT));
}

static void test_durations_accepted(void **state)
{
	static const struct {
		const char *text;
		uint64_t ms;
	} cases[] = {
		{ "0ms", 0 },
		{ "0s", 0 },
		{ "500ms", 500 },
		{ "2s", 2000 },
		{ "5m", 300000 },
		{ "1h", 3600000 },
		{ "007s", 7000 },
		{ "720h", 720ull * 3600000 },
		{ "18446744073709551615ms", UINT64_MAX },
	};
	uint64_t ms;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ms = 12345;
		if (!policy_parse_duration_ms(cases[i].text, &ms))
			fail_msg("\"%s\" refused", cases[i].text);
		if (ms != cases[i].ms)
			fail_msg("\"%s\" gave %llu", cases[i].text,
				 (unsigned long long)ms);
	}
}

static void test_durations_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"fast",
		"2",
		"2 s",
		" 2s",
		"2s ",
		"1.5s",
		"-1s",
		"+1s",
		"s",
		"ms",
		"2S",
		"2sec",
		"2d",
		"1h30m",
		"0x10s",
		"18446744073709551616ms",
		"18446744073709552s",
		"5124095576030432h",
	};
	uint64_t ms = 777;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (policy_parse_duration_ms(bad[i], &ms))
			fail_msg("\"%s\" accepted as %llu ms", bad[i],
				 (unsigned long long)ms);
	assert_int_equal(ms, 777);
}

static void test_duration_fields(void **state)
{
	struct policy p = *policy_builtin("mobile");

	(void)state;
	set_ok(&p, POLICY_COOLDOWN, "750ms");
	assert_int_equal(p.cooldown_ms, 750);
	set_ok(&p, POLICY_HEALTH_THRESHOLD, "2s");
	assert_int_equal(p.health_threshold_ms, 2000);
	set_ok(&p, POLICY_RECOVERY_WINDOW, "10m");
	assert_int_equal(p.recovery_window_ms, 600000);
	set_ok(&p, POLICY_SESSION_TTL, "2h");
	assert_int_equal(p.session_ttl_s, 7200);
	set_ok(&p, POLICY_SESSION_TTL, "90000ms");
	assert_int_equal(p.session_ttl_s, 90);
	set_ok(&p, POLICY_TRANSPORT_LOSS_TTL, "1193h");
	assert_int_equal(p.transport_loss_ttl_ms, 1193u * 3600000);

	set_refused(POLICY_COOLDOWN, "fast",
		    "expected a duration such as "
		    "500ms or 2s, got \"fast\"");
	set_refused(POLICY_COOLDOWN, "500", "expected a duration");
	set_refused(POLICY_SESSION_TTL, "1500ms", "expected whole seconds");
	set_refused(POLICY_TRANSPORT_LOSS_TTL, "1194h", "too long");
}

static void test_count_fields(void **state)
{
	struct policy p = *policy_builtin("mobile");

	(void)state;
	set_ok(&p, POLICY_MAX_SWITCHES_PER_MINUTE, "30");
	assert_int_equal(p.max_switches_per_minute, 30);
	set_ok(&p, POLICY_REPLAY_WINDOW, "4294967295");
	assert_int_equal(p.replay_window, UINT32_MAX);
	set_ok(&p, POLICY_MAX_REATTACH_ATTEMPTS, "0");
	assert_int_equal(p.max_reattach_attempts, 0);

	set_refused(POLICY_MAX_SWITCHES_PER_MINUTE, "many",
		    "expected a whole number such as 12, got \"many\"");
	set_refused(POLICY_REPLAY_WINDOW, "4294967296", "whole number");
	set_refused(POLICY_REPLAY_WINDOW, "-1", "whole number");
	set_refused(POLICY_REPLAY_WINDOW, "+1", "whole number");
	set_refused(POLICY_REPLAY_WINDOW, "12x", "whole number");
	set_refused(POLICY_REPLAY_WINDOW, "1 2", "whole number");
}

static void test_rate_fields(void **state)
{
	struct policy p = *policy_builtin("mobile");

	(void)state;
	set_ok(&p, POLICY_REATTACH_RATE_PER_SESSION, "3/s burst 7");
	assert_int_equal(p.reattach_rate_per_session.per_second, 3);
	assert_int_equal(p.reattach_rate_per_session.burst, 7);
	set_ok(&p, POLICY_REATTACH_RATE_PER_SOURCE, "100/s \t burst  400");
	assert_int_equal(p.reattach_rate_per_source.per_second, 100);
	assert_int_equal(p.reattach_rate_per_source.burst, 400);

	set_refused(POLICY_REATTACH_RATE_PER_SESSION, "3",
		    "expected a rate such as \"2/s burst 5\", got \"3\"");
	set_refused(POLICY_REATTACH_RATE_PER_SESSION, "3/s", "expected a rate");
	set_refused(POLICY_REATTACH_RATE_PER_SESSION, "3/m burst 4",
		    "expected a rate");
	set_refused(POLICY_REATTACH_RATE_PER_SESSION, "3/s burst",
		    "expected a rate");
	set_refused(POLICY_REATTACH_RATE_PER_SESSION, "3/sburst 4",
		    "expected a rate");
	set_refused(POLICY_REATTACH_RATE_PER_SESSION, "3/s burst 4 extra",
		    "expected a rate");
	set_refused(POLICY_REATTACH_RATE_PER_SOURCE, "3/s burst 4294967296",
		    "expected a rate");
}

static void test_transport_fields(void **state)
{
	struct policy p = *policy_builtin("mobile");

	(void)state;
	set_ok(&p, POLICY_ALLOWED_TRANSPORTS, "udp4");
	assert_int_equal(p.allowed_transports, POLICY_TRANSPORT_UDP4);
	set_ok(&p, POLICY_ALLOWED_TRANSPORTS, " udp6 ,udp4");
	assert_int_equal(p.allowed_transports,
			 POLICY_TRANSPORT_UDP4 | POLICY_TRANSPORT_UDP6);
	set_ok(&p, POLICY_ALLOWED_TRANSPORTS, "udp6");
	assert_int_equal(p.allowed_transports, POLICY_TRANSPORT_UDP6);

	set_refused(POLICY_ALLOWED_TRANSPORTS, "tcp",
		    "\"tcp\" is not supported by this build");
	set_refused(POLICY_ALLOWED_TRANSPORTS, "udp4, quic",
		    "\"quic\" is not supported by this build");
	set_refused(POLICY_ALLOWED_TRANSPORTS, "udp5",
		    "expected a list of udp4, udp6, got \"udp5\"");
	set_refused(POLICY_ALLOWED_TRANSPORTS, "udp4,,udp6", "got \"\"");
	set_refused(POLICY_ALLOWED_TRANSPORTS, "UDP4", "expected a list");
}

/* Whatever a field holds, its text form reads back to the same value. */
static void test_format_reads_back(void **state)
{
	static const char *const names[] = { "mobile", "datacenter" };

	(void)state;
	for (size_t n = 0; n < ARRAY_SIZE(names); n++) {
		const struct policy *original = policy_builtin(names[n]);
		struct policy copy;

		memset(&copy, 0, sizeof(copy));
		memcpy(copy.name, original->name, sizeof(copy.name));
		for (int i = 0; i < POLICY_FIELD_COUNT; i++) {
			char text[64];

			policy_format_field(original, i, text, sizeof(text));
			set_ok(&copy, i, text);
		}
		assert_memory_equal(&copy, original, sizeof(copy));
	}
}

static void test_format_texts(void **state)
{
	const struct policy *m = policy_builtin("mobile");
	char text[64];

	(void)state;
	policy_format_field(m, POLICY_COOLDOWN, text, sizeof(text));
	assert_string_equal(text, "500ms");
	policy_format_field(m, POLICY_RECOVERY_WINDOW, text, sizeof(text));
	assert_string_equal(text, "1m");
	policy_format_field(m, POLICY_SESSION_TTL, text, sizeof(text));
	assert_string_equal(text, "24h");
	policy_format_field(m, POLICY_TRANSPORT_LOSS_TTL, text, sizeof(text));
	assert_string_equal(text, "2m");
	policy_format_field(m, POLICY_REATTACH_RATE_PER_SOURCE, text,
			    sizeof(text));
	assert_string_equal(text, "20/s burst 50");
	policy_format_field(m, POLICY_ALLOWED_TRANSPORTS, text, sizeof(text));
	assert_string_equal(text, "udp4, udp6");
}

/* ---- policy_diff -------------------------------------------------- */

struct diff_log {
	char lines[8][128];
	size_t count;
};

static void log_change(void *ctx, const char *key, const char *old_text,
		       const char *new_text)
{
	struct diff_log *log = ctx;

	assert_true(log->count < ARRAY_SIZE(log->lines));
	snprintf(log->lines[log->count++], sizeof(log->lines[0]), "%s %s -> %s",
		 key, old_text, new_text);
}

static void test_diff_names_each_change(void **state)
{
	struct policy old = *policy_builtin("mobile"), new = old;
	struct diff_log log = { .count = 0 };

	(void)state;
	assert_int_equal(policy_diff(&old, &new, log_change, &log), 0);
	set_ok(&new, POLICY_COOLDOWN, "1s");
	set_ok(&new, POLICY_ALLOWED_TRANSPORTS, "udp6");
	assert_int_equal(policy_diff(&old, &new, log_change, &log), 2);
	assert_int_equal(log.count, 2);
	assert_string_equal(log.lines[0], "cooldown 500ms -> 1s");
	assert_string_equal(log.lines[1],
			    "allowed-transports udp4, udp6 -> udp6");
	assert_int_equal(policy_diff(&old, &new, NULL, NULL), 2);
}

/* ---- the checklist, one row per finding --------------------------- */

struct checklist_case {
	const char *title;
	const char *base; /* built-in profile to start from */
	enum policy_field field;
	const char *text; /* NULL: mutate instead */
	void (*mutate)(struct policy *policy);
	const char *item; /* NULL: no finding at all */
	enum diag_severity severity;
	const char *needle;
	unsigned int findings; /* expected in total */
};

static void no_transports(struct policy *policy)
{
	policy->allowed_transports = 0;
}

static void tcp_transport(struct policy *policy)
{
	policy->allowed_transports |= POLICY_TRANSPORT_TCP;
}

#define E DIAG_ERROR
#define W DIAG_WARNING

static struct checklist_case checklist_cases[] = {
	{ "SessionTTL: 0 is undefined", "datacenter", POLICY_SESSION_TTL, "0s",
	  NULL, "SessionTTL", E, "session-ttl is undefined", 1 },
	{ "SessionTTL: above 30 days", "datacenter", POLICY_SESSION_TTL, "721h",
	  NULL, "SessionTTL", E, "session-ttl 721h is above 720h", 1 },
	{ "SessionTTL: 30 days is fine", "datacenter", POLICY_SESSION_TTL,
	  "720h", NULL, NULL, E, NULL, 0 },
	{ "SessionTTL: below 5m warns", "datacenter", POLICY_SESSION_TTL, "1m",
	  NULL, "SessionTTL", W, "session-ttl 1m is below 5m", 1 },
	{ "TransportLossTTL: 0 is undefined", "datacenter",
	  POLICY_TRANSPORT_LOSS_TTL, "0s", NULL, "TransportLossTTL", E,
	  "transport-loss-ttl is undefined", 1 },
	{ "TransportLossTTL: not below session TTL", "datacenter",
	  POLICY_TRANSPORT_LOSS_TTL, "168h", NULL, "TransportLossTTL", E,
	  "transport-loss-ttl 168h is not below session-ttl 168h", 1 },
	{ "TransportLossTTL: not above health threshold", "datacenter",
	  POLICY_TRANSPORT_LOSS_TTL, "3s", NULL, "TransportLossTTL", E,
	  "not above health-threshold 3s", 1 },
	{ "MaxSwitchesPerMinute: 0 is undefined", "datacenter",
	  POLICY_MAX_SWITCHES_PER_MINUTE, "0", NULL, "MaxSwitchesPerMinute", E,
	  "max-switches-per-minute is undefined", 1 },
	{ "MaxSwitchesPerMinute: above 600", "datacenter",
	  POLICY_MAX_SWITCHES_PER_MINUTE, "601", NULL, "MaxSwitchesPerMinute",
	  E, "601 is above 600", 1 },
	{ "MaxSwitchesPerMinute: above 60 warns", "datacenter",
	  POLICY_MAX_SWITCHES_PER_MINUTE, "500", NULL, "MaxSwitchesPerMinute",
	  W, "500 is above 60: a flapping link will churn keys", 1 },
	{ "MaxSwitchesPerMinute: 60 is fine", "datacenter",
	  POLICY_MAX_SWITCHES_PER_MINUTE, "60", NULL, NULL, E, NULL, 0 },
	{ "MaxSwitchesPerMinute: 61 warns", "datacenter",
	  POLICY_MAX_SWITCHES_PER_MINUTE, "61", NULL, "MaxSwitchesPerMinute", W,
	  "61 is above 60", 1 },
	{ "MaxSwitchesPerMinute: 600 is the most", "datacenter",
	  POLICY_MAX_SWITCHES_PER_MINUTE, "600", NULL, "MaxSwitchesPerMinute",
	  W, "600 is above 60", 1 },
	{ "ReplayWindow: below the kernel's", "datacenter",
	  POLICY_REPLAY_WINDOW, "8127", NULL, "ReplayWindow", E,
	  "replay-window 8127 is below 8128", 1 },
	{ "ReplayWindow: bigger is recorded", "datacenter",
	  POLICY_REPLAY_WINDOW, "65536", NULL, NULL, E, NULL, 0 },
	{ "RateLimiter: per-session rate 0", "datacenter",
	  POLICY_REATTACH_RATE_PER_SESSION, "0/s burst 2", NULL, "RateLimiter",
	  E,
	  "reattach-rate-per-session 0/s burst 2 is "
	  "undefined",
	  1 },
	{ "RateLimiter: per-source burst 0", "datacenter",
	  POLICY_REATTACH_RATE_PER_SOURCE, "5/s burst 0", NULL, "RateLimiter",
	  E,
	  "reattach-rate-per-source 5/s burst 0 is "
	  "undefined",
	  1 },
	{ "RateLimiter: handshake burst 0", "mobile", POLICY_HANDSHAKE_RATE,
	  "100/s burst 0", NULL, "RateLimiter", E,
	  "handshake-rate 100/s burst 0 is undefined", 1 },
	{ "RateLimiter: per-source handshake rate 0", "datacenter",
	  POLICY_HANDSHAKE_RATE_PER_SOURCE, "0/s burst 5", NULL, "RateLimiter",
	  E, "handshake-rate-per-source 0/s burst 5", 1 },
	{ "RateLimiter: a fast session warns", "mobile",
	  POLICY_REATTACH_RATE_PER_SESSION, "11/s burst 20", NULL,
	  "RateLimiter", W, "11/s is above 10/s", 1 },
	{ "Cooldown: 0 is undefined", "datacenter", POLICY_COOLDOWN, "0s", NULL,
	  "Cooldown", E, "cooldown is undefined", 1 },
	{ "Cooldown: above the kernel's 1h", "datacenter", POLICY_COOLDOWN,
	  "61m", NULL, "Cooldown", E, "cooldown 61m is above 1h", 1 },
	{ "Cooldown: longer than the recovery window", "datacenter",
	  POLICY_COOLDOWN, "6m", NULL, "Cooldown", E,
	  "cooldown 6m is longer than recovery-window 5m", 1 },
	{ "Cooldown: equal to the recovery window is fine", "datacenter",
	  POLICY_COOLDOWN, "5m", NULL, NULL, E, NULL, 0 },
	{ "Cooldown: below 100ms warns", "datacenter", POLICY_COOLDOWN, "50ms",
	  NULL, "Cooldown", W, "cooldown 50ms is below 100ms", 1 },
	{ "HealthThreshold: not above twice the probe interval", "datacenter",
	  POLICY_HEALTH_THRESHOLD, "2s", NULL, "HealthThreshold", E,
	  "health-threshold 2s is not above twice probe-interval 1s", 1 },
	{ "HealthThreshold: just above twice is fine", "datacenter",
	  POLICY_HEALTH_THRESHOLD, "2001ms", NULL, NULL, E, NULL, 0 },
	{ "HealthThreshold: probe interval 0", "datacenter",
	  POLICY_PROBE_INTERVAL, "0s", NULL, "HealthThreshold", E,
	  "probe-interval is undefined", 1 },
	{ "FreshnessWindow: below 1s", "datacenter", POLICY_FRESHNESS_WINDOW,
	  "999ms", NULL, "FreshnessWindow", E,
	  "freshness-window 999ms is outside 1s..10m", 1 },
	{ "FreshnessWindow: above 10m", "datacenter", POLICY_FRESHNESS_WINDOW,
	  "601s", NULL, "FreshnessWindow", E, "outside 1s..10m", 1 },
	{ "FreshnessWindow: 1s is fine", "datacenter", POLICY_FRESHNESS_WINDOW,
	  "1s", NULL, NULL, E, NULL, 0 },
	{ "FreshnessWindow: 10m is fine", "datacenter", POLICY_FRESHNESS_WINDOW,
	  "10m", NULL, NULL, E, NULL, 0 },
	{ "TransportClasses: none", "datacenter", 0, NULL, no_transports,
	  "TransportClasses", E, "names no transport this build supports", 1 },
	{ "TransportClasses: tcp set by code", "datacenter", 0, NULL,
	  tcp_transport, "TransportClasses", E,
	  "\"tcp\", not supported by this build", 1 },
	{ "RecoveryWindow: 0 is undefined", "datacenter",
	  POLICY_RECOVERY_WINDOW, "0s", NULL, "RecoveryWindow", E,
	  "recovery-window is undefined", 2 /* and Cooldown > window */ },
	{ "RecoveryWindow: degraded after 0 switches", "datacenter",
	  POLICY_DEGRADED_AFTER_SWITCHES, "0", NULL, "RecoveryWindow", E,
	  "degraded-after-switches is undefined", 1 },
	{ "RecoveryWindow: DEGRADED unreachable warns", "datacenter",
	  POLICY_DEGRADED_AFTER_SWITCHES, "5", NULL, "RecoveryWindow", W,
	  "terminated before they are ever DEGRADED", 1 },
	{ "HandshakeTimeout: 0 is undefined", "datacenter",
	  POLICY_HANDSHAKE_TIMEOUT, "0s", NULL, "HandshakeTimeout", E,
	  "handshake-timeout is undefined", 1 },
	{ "HandshakeTimeout: above 30s warns", "datacenter",
	  POLICY_HANDSHAKE_TIMEOUT, "31s", NULL, "HandshakeTimeout", W,
	  "31s is above 30s", 1 },
	{ "ReattachAttempts: 0 is undefined", "mobile",
	  POLICY_MAX_REATTACH_ATTEMPTS, "0", NULL, "ReattachAttempts", E,
	  "never retry forever", 1 },
	{ "ReattachAttempts: above 100 warns", "mobile",
	  POLICY_MAX_REATTACH_ATTEMPTS, "101", NULL, "ReattachAttempts", W,
	  "101 is above 100", 1 },
};

#undef E
#undef W

static void run_checklist_case(void **state)
{
	const struct checklist_case *c = *state;
	struct policy policy = *policy_builtin(c->base);
	const struct diag_entry *entry;
	struct diag diag;
	unsigned int errors;

	if (c->text)
		set_ok(&policy, c->field, c->text);
	else
		c->mutate(&policy);
	diag_init(&diag, "t.conf");
	errors = policy_check(&policy, &diag);

	if (diag.count != c->findings)
		fail_with_diag(&diag, "wrong number of findings");
	if (!c->item)
		return;
	entry = diag_find(&diag, c->item);
	if (!entry)
		fail_with_diag(&diag, c->item);
	assert_int_equal(entry->severity, c->severity);
	if (!strstr(entry->text, c->needle))
		fail_msg("\"%s\" lacks \"%s\"", entry->text, c->needle);
	/* The item's name and the profile's name are in the text. */
	assert_non_null(strstr(entry->text, c->item));
	assert_non_null(strstr(entry->text, c->base));
	assert_int_equal(errors, diag.errors);
	if (c->severity == DIAG_WARNING)
		assert_non_null(strstr(entry->text, "warning: "));
}

/* ---- where findings point ---------------------------------------- */

static void test_check_points_at_the_field_line(void **state)
{
	struct policy policy = *policy_builtin("datacenter");
	unsigned int lines[POLICY_FIELD_COUNT] = { 0 };
	struct diag diag;

	(void)state;
	policy.session_ttl_s = 0;
	policy.replay_window = 100;
	lines[POLICY_SESSION_TTL] = 17;
	diag_init(&diag, "gw.conf");
	assert_int_equal(policy_check_at(&policy, lines, 9, &diag), 2);
	assert_int_equal(diag_find(&diag, "SessionTTL")->line, 17);
	assert_int_equal(diag_find(&diag, "ReplayWindow")->line, 9);
	assert_non_null(strstr(diag_find(&diag, "SessionTTL")->text,
			       "gw.conf:17: policy datacenter: SessionTTL: "));
}

static void test_check_reports_every_item(void **state)
{
	struct policy policy;
	struct diag diag;
	static const char *const items[] = {
		"SessionTTL",	    "TransportLossTTL", "MaxSwitchesPerMinute",
		"ReplayWindow",	    "RateLimiter",	"Cooldown",
		"HealthThreshold",  "RecoveryWindow",	"FreshnessWindow",
		"TransportClasses", "HandshakeTimeout", "ReattachAttempts",
	};

	(void)state;
	memset(&policy, 0, sizeof(policy)); /* nothing defined at all */
	diag_init(&diag, NULL);
	assert_true(policy_check(&policy, &diag) >= ARRAY_SIZE(items));
	for (size_t i = 0; i < ARRAY_SIZE(items); i++)
		if (!diag_find(&diag, items[i]))
			fail_with_diag(&diag, items[i]);
	assert_non_null(strstr(diag.entries[0].text, "policy (unnamed): "));
}

/* ---- diagnostics -------------------------------------------------- */

static void test_diag_caps_at_50(void **state)
{
	struct diag diag;
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	(void)state;
	diag_init(&diag, "x.conf");
	for (unsigned int i = 1; i <= 60; i++)
		diag_report(&diag, DIAG_ERROR, i, "key", "key: error %u", i);
	assert_int_equal(diag.errors, 60);
	assert_int_equal(diag.count, DIAG_MAX_ENTRIES);
	assert_string_equal(diag.entries[49].text, "x.conf:50: key: error 50");

	out = open_memstream(&text, &size);
	assert_non_null(out);
	diag_print(&diag, out);
	fclose(out);
	assert_non_null(strstr(text, "x.conf:1: key: error 1\n"));
	assert_null(strstr(text, "error 51"));
	assert_non_null(strstr(text, "x.conf: 10 more errors and warnings "
				     "not shown"));
	free(text);
}

static void test_diag_sorts_by_line_stably(void **state)
{
	struct diag diag;

	(void)state;
	diag_init(&diag, "s.conf");
	diag_report(&diag, DIAG_ERROR, 0, "interface", "no [interface]");
	diag_report(&diag, DIAG_ERROR, 9, "b", "b: first at 9");
	diag_report(&diag, DIAG_WARNING, 3, "a", "a: at 3");
	diag_report(&diag, DIAG_ERROR, 9, "c", "c: second at 9");
	diag_sort_by_line(&diag);
	assert_string_equal(diag.entries[0].text, "s.conf:3: warning: a: at 3");
	assert_string_equal(diag.entries[1].subject, "b");
	assert_string_equal(diag.entries[2].subject, "c");
	assert_string_equal(diag.entries[3].text, "s.conf: no [interface]");
	assert_int_equal(diag.errors, 3);
	assert_int_equal(diag.warnings, 1);
}

static void test_diag_without_file(void **state)
{
	struct diag diag;

	(void)state;
	diag_init(&diag, NULL);
	diag_report(&diag, DIAG_ERROR, 4, NULL, "bad");
	diag_report(&diag, DIAG_ERROR, 0, NULL, "worse");
	assert_string_equal(diag.entries[0].text, "4: bad");
	assert_string_equal(diag.entries[1].text, "worse");
	assert_string_equal(diag.entries[1].subject, "");
	assert_null(diag_find(&diag, "nothing"));
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_mobile_defaults),
		cmocka_unit_test(test_datacenter_defaults),
		cmocka_unit_test(test_profiles_differ_as_documented),
		cmocka_unit_test(test_builtins_pass_the_checklist),
		cmocka_unit_test(test_unknown_profile_is_not_builtin),
		cmocka_unit_test(test_field_keys_round_trip),
		cmocka_unit_test(test_durations_accepted),
		cmocka_unit_test(test_durations_refused),
		cmocka_unit_test(test_duration_fields),
		cmocka_unit_test(test_count_fields),
		cmocka_unit_test(test_rate_fields),
		cmocka_unit_test(test_transport_fields),
		cmocka_unit_test(test_format_reads_back),
		cmocka_unit_test(test_format_texts),
		cmocka_unit_test(test_diff_names_each_change),
		cmocka_unit_test(test_check_points_at_the_field_line),
		cmocka_unit_test(test_check_reports_every_item),
		cmocka_unit_test(test_diag_caps_at_50),
		cmocka_unit_test(test_diag_sorts_by_line_stably),
		cmocka_unit_test(test_diag_without_file),
	};
	struct CMUnitTest
		tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(checklist_cases)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < ARRAY_SIZE(checklist_cases); i++)
		tests[n++] = (struct CMUnitTest){
			.name = checklist_cases[i].title,
			.test_func = run_checklist_case,
			.initial_state = &checklist_cases[i],
		};
	setvbuf(stdout, NULL, _IOLBF, 0);
	return _cmocka_run_group_tests("policy", tests, n, NULL, NULL);
}
