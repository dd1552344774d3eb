// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Policy: built-in profiles, the text form of each field, the safety
 * checklist, and the diagnostics list both config layers report into.
 * docs/config.md explains every number below.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "duration.h"
#include "policy.h"

/* ---- built-in profiles ------------------------------------------- */

/*
 * Volatile networks: phones and laptops moving between Wi-Fi and LTE,
 * behind carrier-grade NAT. Detect a dead path fast, keep the session
 * through long gaps, tolerate a burst of switches. docs/config.md has the
 * reason for each number.
 */
static const struct policy mobile_profile = {
	.name = "mobile",
	.health_threshold_ms = 1000,
	.probe_interval_ms = 300,
	.recovery_window_ms = 60 * 1000,
	.degraded_after_switches = 3,
	.session_ttl_s = 24 * 3600,
	.transport_loss_ttl_ms = 120 * 1000,
	.cooldown_ms = 500,
	.max_switches_per_minute = 12,
	.reattach_rate_per_session = { .per_second = 2, .burst = 5 },
	.reattach_rate_per_source = { .per_second = 20, .burst = 50 },
	.replay_window = POLICY_KERNEL_REPLAY_WINDOW,
	.freshness_window_ms = 30 * 1000,
	.allowed_transports = POLICY_TRANSPORT_UDP4 | POLICY_TRANSPORT_UDP6,
	.handshake_timeout_ms = 5000,
	.max_reattach_attempts = 10,
	.rekey_after_ms = 120 * 1000,
	.handshake_rate = { .per_second = 100, .burst = 200 },
	.handshake_rate_per_source = { .per_second = 10, .burst = 20 },
	.rehandshake_after_ms = 120 * 1000,
};

/*
 * Stable networks: servers with redundant uplinks and synchronised clocks.
 * A missing reply means more, switching is rare, limits are strict.
 */
static const struct policy datacenter_profile = {
	.name = "datacenter",
	.health_threshold_ms = 3000,
	.probe_interval_ms = 1000,
	.recovery_window_ms = 300 * 1000,
	.degraded_after_switches = 2,
	.session_ttl_s = 7 * 24 * 3600,
	.transport_loss_ttl_ms = 30 * 1000,
	.cooldown_ms = 5000,
	.max_switches_per_minute = 4,
	.reattach_rate_per_session = { .per_second = 1, .burst = 2 },
	.reattach_rate_per_source = { .per_second = 5, .burst = 10 },
	.replay_window = POLICY_KERNEL_REPLAY_WINDOW,
	.freshness_window_ms = 10 * 1000,
	.allowed_transports = POLICY_TRANSPORT_UDP4 | POLICY_TRANSPORT_UDP6,
	.handshake_timeout_ms = 2000,
	.max_reattach_attempts = 5,
	.rekey_after_ms = 120 * 1000,
	.handshake_rate = { .per_second = 50, .burst = 100 },
	.handshake_rate_per_source = { .per_second = 2, .burst = 5 },
	.rehandshake_after_ms = 120 * 1000,
};

const struct policy *policy_builtin(const char *name)
{
	if (strcmp(name, mobile_profile.name) == 0)
		return &mobile_profile;
	if (strcmp(name, datacenter_profile.name) == 0)
		return &datacenter_profile;
	return NULL;
}

/* ---- the text form of each field ---------------------------------- */

enum field_kind {
	KIND_MILLISECONDS, /* uint32_t, written as a duration */
	KIND_SECONDS,	   /* uint32_t, a duration in whole seconds */
	KIND_COUNT,	   /* uint32_t */
	KIND_RATE,	   /* struct policy_rate */
	KIND_TRANSPORTS,   /* uint32_t of enum policy_transport bits */
};

struct field_desc {
	const char *key;
	enum field_kind kind;
	size_t offset;
};

#define FIELD(id, key, kind, member)                                           \
	[id] = { key, kind, offsetof(struct policy, member) }

static const struct field_desc fields[POLICY_FIELD_COUNT] = {
	FIELD(POLICY_HEALTH_THRESHOLD, "health-threshold", KIND_MILLISECONDS,
	      health_threshold_ms),
	FIELD(POLICY_PROBE_INTERVAL, "probe-interval", KIND_MILLISECONDS,
	      probe_interval_ms),
	FIELD(POLICY_RECOVERY_WINDOW, "recovery-window", KIND_MILLISECONDS,
	      recovery_window_ms),
	FIELD(POLICY_DEGRADED_AFTER_SWITCHES, "degraded-after-switches",
	      KIND_COUNT, degraded_after_switches),
	FIELD(POLICY_SESSION_TTL, "session-ttl", KIND_SECONDS, session_ttl_s),
	FIELD(POLICY_TRANSPORT_LOSS_TTL, "transport-loss-ttl",
	      KIND_MILLISECONDS, transport_loss_ttl_ms),
	FIELD(POLICY_COOLDOWN, "cooldown", KIND_MILLISECONDS, cooldown_ms),
	FIELD(POLICY_MAX_SWITCHES_PER_MINUTE, "max-switches-per-minute",
	      KIND_COUNT, max_switches_per_minute),
	FIELD(POLICY_REATTACH_RATE_PER_SESSION, "reattach-rate-per-session",
	      KIND_RATE, reattach_rate_per_session),
	FIELD(POLICY_REATTACH_RATE_PER_SOURCE, "reattach-rate-per-source",
	      KIND_RATE, reattach_rate_per_source),
	FIELD(POLICY_REPLAY_WINDOW, "replay-window", KIND_COUNT, replay_window),
	FIELD(POLICY_FRESHNESS_WINDOW, "freshness-window", KIND_MILLISECONDS,
	      freshness_window_ms),
	FIELD(POLICY_ALLOWED_TRANSPORTS, "allowed-transports", KIND_TRANSPORTS,
	      allowed_transports),
	FIELD(POLICY_HANDSHAKE_TIMEOUT, "handshake-timeout", KIND_MILLISECONDS,
	      handshake_timeout_ms),
	FIELD(POLICY_MAX_REATTACH_ATTEMPTS, "max-reattach-attempts", KIND_COUNT,
	      max_reattach_attempts),
	FIELD(POLICY_REKEY_AFTER, "rekey-after", KIND_MILLISECONDS,
	      rekey_after_ms),
	FIELD(POLICY_HANDSHAKE_RATE, "handshake-rate", KIND_RATE,
	      handshake_rate),
	FIELD(POLICY_HANDSHAKE_RATE_PER_SOURCE, "handshake-rate-per-source",
	      KIND_RATE, handshake_rate_per_source),
	FIELD(POLICY_REHANDSHAKE_AFTER, "rehandshake-after", KIND_MILLISECONDS,
	      rehandshake_after_ms),
};

struct transport_name {
	const char *name;
	enum policy_transport bit;
};

static const struct transport_name transport_names[] = {
	{ "udp4", POLICY_TRANSPORT_UDP4 },
	{ "udp6", POLICY_TRANSPORT_UDP6 },
	{ "tcp", POLICY_TRANSPORT_TCP },
	{ "quic", POLICY_TRANSPORT_QUIC },
};

const char *policy_field_key(enum policy_field field)
{
	if ((unsigned int)field >= POLICY_FIELD_COUNT)
		return NULL;
	return fields[field].key;
}

int policy_field_by_key(const char *key)
{
	for (int i = 0; i < POLICY_FIELD_COUNT; i++)
		if (strcmp(fields[i].key, key) == 0)
			return i;
	return -1;
}

static uint32_t *field_u32(struct policy *policy, enum policy_field field)
{
	return (uint32_t *)((char *)policy + fields[field].offset);
}

static const uint32_t *field_u32_const(const struct policy *policy,
				       enum policy_field field)
{
	return (const uint32_t *)((const char *)policy + fields[field].offset);
}

static struct policy_rate *field_rate(struct policy *policy,
				      enum policy_field field)
{
	return (struct policy_rate *)((char *)policy + fields[field].offset);
}

static const struct policy_rate *field_rate_const(const struct policy *policy,
						  enum policy_field field)
{
	return (const struct policy_rate *)((const char *)policy +
					    fields[field].offset);
}

/* Config text in messages: quoted, cut short so one line stays one line. */
static const char *quoted(const char *text, char *buf, size_t size)
{
	size_t len = strlen(text);

	if (len + 3 <= size)
		snprintf(buf, size, "\"%s\"", text);
	else
		snprintf(buf, size, "\"%.*s...\"", (int)(size - 6), text);
	return buf;
}

/* Decimal digits only: no sign, no spaces, no hex; *end past the last. */
static bool parse_decimal(const char *text, uint64_t max, uint64_t *value,
			  const char **end)
{
	uint64_t result = 0;
	const char *p = text;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int digit = (unsigned int)(*p - '0');

		if (result > (max - digit) / 10)
			return false;
		result = result * 10 + digit;
	}
	*value = result;
	*end = p;
	return true;
}

/*
 * A number and a unit, nothing else: a bare "500" is refused because
 * nobody reading the file could tell whether it means ms or s.
 */
bool policy_parse_duration_ms(const char *text, uint64_t *ms)
{
	static const struct jvpn_duration_rules config = {
		.max_ms = UINT64_MAX, /* each key checks its own range */
	};

	return jvpn_parse_duration(text, &config, ms) == JVPN_DURATION_OK;
}

static bool set_duration(uint32_t *out, const char *text, bool whole_seconds,
			 char *why, size_t why_size)
{
	uint64_t ms, value;
	char shown[72];

	if (!policy_parse_duration_ms(text, &ms)) {
		snprintf(why, why_size,
			 "expected a duration such as 500ms or 2s, got %s",
			 quoted(text, shown, sizeof(shown)));
		return false;
	}
	if (whole_seconds && ms % 1000) {
		snprintf(why, why_size, "expected whole seconds, got %s",
			 quoted(text, shown, sizeof(shown)));
		return false;
	}
	value = whole_seconds ? ms / 1000 : ms;
	if (value > UINT32_MAX) {
		snprintf(why, why_size, "%s is too long (at most %s)",
			 quoted(text, shown, sizeof(shown)),
			 whole_seconds ? "1193046h" : "1193h");
		return false;
	}
	*out = (uint32_t)value;
	return true;
}

static bool set_count(uint32_t *out, const char *text, char *why,
		      size_t why_size)
{
	uint64_t value;
	const char *end;
	char shown[72];

	if (!parse_decimal(text, UINT32_MAX, &value, &end) || *end) {
		snprintf(why, why_size,
			 "expected a whole number such as 12, got %s",
			 quoted(text, shown, sizeof(shown)));
		return false;
	}
	*out = (uint32_t)value;
	return true;
}

/* "2/s burst 5": the rate and the burst are both required. */
static bool parse_rate(const char *text, struct policy_rate *rate)
{
	uint64_t per_second, burst;
	const char *p;

	if (!parse_decimal(text, UINT32_MAX, &per_second, &p))
		return false;
	if (strncmp(p, "/s", 2) != 0 || (p[2] != ' ' && p[2] != '\t'))
		return false;
	p += strspn(p + 2, " \t") + 2;
	if (strncmp(p, "burst", 5) != 0 || (p[5] != ' ' && p[5] != '\t'))
		return false;
	p += strspn(p + 5, " \t") + 5;
	if (!parse_decimal(p, UINT32_MAX, &burst, &p) || *p)
		return false;
	rate->per_second = (uint32_t)per_second;
	rate->burst = (uint32_t)burst;
	return true;
}

static bool set_rate(struct policy_rate *out, const char *text, char *why,
		     size_t why_size)
{
	char shown[72];

	if (parse_rate(text, out))
		return true;
	snprintf(why, why_size,
		 "expected a rate such as \"2/s burst 5\", got %s",
		 quoted(text, shown, sizeof(shown)));
	return false;
}

static const struct transport_name *transport_by_name(const char *name,
						      size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(transport_names); i++)
		if (strlen(transport_names[i].name) == len &&
		    strncmp(transport_names[i].name, name, len) == 0)
			return &transport_names[i];
	return NULL;
}

/* One item of "udp4, udp6", already cut out and trimmed. */
static bool add_transport(uint32_t *mask, const char *item, size_t len,
			  char *why, size_t why_size)
{
	const struct transport_name *known = transport_by_name(item, len);
	char shown[72], copy[64];

	snprintf(copy, sizeof(copy), "%.*s", (int)len, item);
	if (!known) {
		snprintf(why, why_size, "expected a list of udp4, udp6, got %s",
			 quoted(copy, shown, sizeof(shown)));
		return false;
	}
	if (!(known->bit & POLICY_TRANSPORTS_SUPPORTED)) {
		snprintf(why, why_size,
			 "\"%s\" is not supported by this build "
			 "(udp4 and udp6 are)",
			 known->name);
		return false;
	}
	*mask |= known->bit;
	return true;
}

static bool set_transports(uint32_t *out, const char *text, char *why,
			   size_t why_size)
{
	uint32_t mask = 0;
	const char *item = text;

	for (;;) {
		size_t len = strcspn(item, ",");
		size_t lead = strspn(item, " \t");
		size_t trimmed = len > lead ? len - lead : 0;

		while (trimmed && strchr(" \t", item[lead + trimmed - 1]))
			trimmed--;
		if (!add_transport(&mask, item + lead, trimmed, why, why_size))
			return false;
		if (!item[len])
			break;
		item += len + 1;
	}
	*out = mask;
	return true;
}

bool policy_set_field(struct policy *policy, enum policy_field field,
		      const char *text, char *why, size_t why_size)
{
	if ((unsigned int)field >= POLICY_FIELD_COUNT) {
		snprintf(why, why_size, "no such policy field");
		return false;
	}
	switch (fields[field].kind) {
	case KIND_MILLISECONDS:
		return set_duration(field_u32(policy, field), text, false, why,
				    why_size);
	case KIND_SECONDS:
		return set_duration(field_u32(policy, field), text, true, why,
				    why_size);
	case KIND_COUNT:
		return set_count(field_u32(policy, field), text, why, why_size);
	case KIND_RATE:
		return set_rate(field_rate(policy, field), text, why, why_size);
	case KIND_TRANSPORTS:
		return set_transports(field_u32(policy, field), text, why,
				      why_size);
	}
	return false;
}

void policy_copy_field(struct policy *dst, const struct policy *src,
		       enum policy_field field)
{
	if ((unsigned int)field >= POLICY_FIELD_COUNT)
		return;
	if (fields[field].kind == KIND_RATE)
		*field_rate(dst, field) = *field_rate_const(src, field);
	else
		*field_u32(dst, field) = *field_u32_const(src, field);
}

/* The largest unit that divides exactly, so the text reads back equal. */
static void format_duration_ms(uint64_t ms, char *buf, size_t size)
{
	if (ms && ms % (3600 * 1000) == 0)
		snprintf(buf, size, "%" PRIu64 "h", ms / (3600 * 1000));
	else if (ms && ms % (60 * 1000) == 0)
		snprintf(buf, size, "%" PRIu64 "m", ms / (60 * 1000));
	else if (ms % 1000 == 0)
		snprintf(buf, size, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, size, "%" PRIu64 "ms", ms);
}

static void format_transports(uint32_t mask, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(transport_names); i++) {
		if (!(mask & transport_names[i].bit) || used >= size)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 used ? ", " : "",
					 transport_names[i].name);
	}
}

void policy_format_field(const struct policy *policy, enum policy_field field,
			 char *buf, size_t size)
{
	const struct policy_rate *rate;

	if (!size)
		return;
	buf[0] = '\0';
	if ((unsigned int)field >= POLICY_FIELD_COUNT)
		return;
	switch (fields[field].kind) {
	case KIND_MILLISECONDS:
		format_duration_ms(*field_u32_const(policy, field), buf, size);
		break;
	case KIND_SECONDS:
		format_duration_ms(*field_u32_const(policy, field) * 1000ull,
				   buf, size);
		break;
	case KIND_COUNT:
		snprintf(buf, size, "%" PRIu32,
			 *field_u32_const(policy, field));
		break;
	case KIND_RATE:
		rate = field_rate_const(policy, field);
		snprintf(buf, size, "%" PRIu32 "/s burst %" PRIu32,
			 rate->per_second, rate->burst);
		break;
	case KIND_TRANSPORTS:
		format_transports(*field_u32_const(policy, field), buf, size);
		break;
	}
}

size_t policy_diff(const struct policy *old, const struct policy *new,
		   policy_diff_fn *report, void *ctx)
{
	size_t changed = 0;

	for (int i = 0; i < POLICY_FIELD_COUNT; i++) {
		char old_text[64], new_text[64];

		policy_format_field(old, i, old_text, sizeof(old_text));
		policy_format_field(new, i, new_text, sizeof(new_text));
		if (strcmp(old_text, new_text) == 0)
			continue;
		changed++;
		if (report)
			report(ctx, fields[i].key, old_text, new_text);
	}
	return changed;
}

/* ---- the safety checklist ----------------------------------------- */

/*
 * Item names: the safety checklist of docs/design.md in CamelCase, plus
 * the items jvpnd adds there. docs/config.md lists each rule and why.
 */
#define MAX_SESSION_TTL_S	  (30u * 24 * 3600)
#define SHORT_SESSION_TTL_S	  300u
#define MAX_SWITCHES_PER_MINUTE	  600u
#define CALM_SWITCHES_PER_MINUTE  60u
#define MIN_FRESHNESS_WINDOW_MS	  1000u
#define MAX_FRESHNESS_WINDOW_MS	  (10u * 60 * 1000)
#define CALM_RATE_PER_SESSION	  10u
#define LONG_HANDSHAKE_TIMEOUT_MS (30u * 1000)
#define MANY_REATTACH_ATTEMPTS	  100u

struct check {
	const struct policy *policy;
	const unsigned int *field_lines; /* may be NULL */
	unsigned int line;
	struct diag *diag;
	unsigned int errors;
};

static void item_report(struct check *check, enum diag_severity severity,
			uint32_t fields, const char *item, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Where a finding points: the latest line among those that set one of
 * its fields (a conflict shows where the second value was written), else
 * the check's own line.
 */
static unsigned int finding_line(const struct check *check, uint32_t fields)
{
	unsigned int line = 0;

	for (int i = 0; check->field_lines && i < POLICY_FIELD_COUNT; i++)
		if ((fields & (1u << i)) && check->field_lines[i] > line)
			line = check->field_lines[i];
	return line ? line : check->line;
}

/* "policy mobile: SessionTTL: session-ttl 0s is undefined ..." */
static void item_report(struct check *check, enum diag_severity severity,
			uint32_t fields, const char *item, const char *fmt, ...)
{
	char message[DIAG_TEXT_MAX];
	const char *name =
		check->policy->name[0] ? check->policy->name : "(unnamed)";
	unsigned int line = finding_line(check, fields);
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	if (severity == DIAG_ERROR)
		check->errors++;
	diag_report(check->diag, severity, line, item, "policy %.*s: %s: %s",
		    POLICY_NAME_MAX, name, item, message);
}

/* fields: F(x) | F(y), the fields the finding is about. */
#define F(field) (1u << (field))
#define item_error(check, fields, item, ...)                                   \
	item_report(check, DIAG_ERROR, fields, item, __VA_ARGS__)
#define item_warning(check, fields, item, ...)                                 \
	item_report(check, DIAG_WARNING, fields, item, __VA_ARGS__)

/* A field as config text, for messages. */
static const char *shown(const struct check *check, enum policy_field field,
			 char *buf, size_t size)
{
	policy_format_field(check->policy, field, buf, size);
	return buf;
}

static void check_session_ttl(struct check *c)
{
	uint32_t ttl = c->policy->session_ttl_s;
	char v[32];

	shown(c, POLICY_SESSION_TTL, v, sizeof(v));
	if (!ttl)
		item_error(c, F(POLICY_SESSION_TTL), "SessionTTL",
			   "session-ttl is undefined (0s); every session "
			   "needs an end, at most 720h");
	else if (ttl > MAX_SESSION_TTL_S)
		item_error(c, F(POLICY_SESSION_TTL), "SessionTTL",
			   "session-ttl %s is above 720h (30 days): "
			   "identities would outlive any audit window",
			   v);
	else if (ttl < SHORT_SESSION_TTL_S)
		item_warning(c, F(POLICY_SESSION_TTL), "SessionTTL",
			     "session-ttl %s is below 5m: every session "
			     "re-handshakes that often",
			     v);
}

static void check_transport_loss_ttl(struct check *c)
{
	const struct policy *p = c->policy;
	char v[32], ttl[32], health[32];

	shown(c, POLICY_TRANSPORT_LOSS_TTL, v, sizeof(v));
	shown(c, POLICY_SESSION_TTL, ttl, sizeof(ttl));
	shown(c, POLICY_HEALTH_THRESHOLD, health, sizeof(health));
	if (!p->transport_loss_ttl_ms)
		item_error(c, F(POLICY_TRANSPORT_LOSS_TTL), "TransportLossTTL",
			   "transport-loss-ttl is "
			   "undefined (0s); a session without a path must end "
			   "at a known time");
	else if (p->session_ttl_s && (uint64_t)p->transport_loss_ttl_ms >=
					     (uint64_t)p->session_ttl_s * 1000)
		item_error(c,
			   F(POLICY_TRANSPORT_LOSS_TTL) | F(POLICY_SESSION_TTL),
			   "TransportLossTTL",
			   "transport-loss-ttl %s is not below session-ttl "
			   "%s",
			   v, ttl);
	else if (p->transport_loss_ttl_ms <= p->health_threshold_ms)
		item_error(c,
			   F(POLICY_TRANSPORT_LOSS_TTL) |
				   F(POLICY_HEALTH_THRESHOLD),
			   "TransportLossTTL",
			   "transport-loss-ttl %s is not above "
			   "health-threshold %s: a session would end before "
			   "it could reattach",
			   v, health);
}

static void check_max_switches(struct check *c)
{
	uint32_t max = c->policy->max_switches_per_minute;

	if (!max)
		item_error(c, F(POLICY_MAX_SWITCHES_PER_MINUTE),
			   "MaxSwitchesPerMinute",
			   "max-switches-per-minute "
			   "is undefined (0); set 1..600");
	else if (max > MAX_SWITCHES_PER_MINUTE)
		item_error(c, F(POLICY_MAX_SWITCHES_PER_MINUTE),
			   "MaxSwitchesPerMinute",
			   "max-switches-per-minute "
			   "%" PRIu32 " is above 600: switching would be "
			   "unbounded in practice",
			   max);
	else if (max > CALM_SWITCHES_PER_MINUTE)
		item_warning(c, F(POLICY_MAX_SWITCHES_PER_MINUTE),
			     "MaxSwitchesPerMinute",
			     "max-switches-per-minute "
			     "%" PRIu32 " is above 60: a flapping link will "
			     "churn keys",
			     max);
}

static void check_replay_window(struct check *c)
{
	uint32_t window = c->policy->replay_window;

	if (window < POLICY_KERNEL_REPLAY_WINDOW)
		item_error(c, F(POLICY_REPLAY_WINDOW), "ReplayWindow",
			   "replay-window %" PRIu32 " is below %d, the window "
			   "the kernel enforces; it cannot be made smaller",
			   window, POLICY_KERNEL_REPLAY_WINDOW);
}

static void check_one_rate(struct check *c, enum policy_field field,
			   const struct policy_rate *rate)
{
	if (!rate->per_second || !rate->burst)
		item_error(c, F(field), "RateLimiter",
			   "%s %" PRIu32 "/s burst %" PRIu32
			   " is undefined: both the rate "
			   "and the burst must be above 0",
			   policy_field_key(field), rate->per_second,
			   rate->burst);
}

static void check_rate_limiter(struct check *c)
{
	const struct policy *p = c->policy;
	uint32_t session = p->reattach_rate_per_session.per_second;

	check_one_rate(c, POLICY_REATTACH_RATE_PER_SESSION,
		       &p->reattach_rate_per_session);
	check_one_rate(c, POLICY_REATTACH_RATE_PER_SOURCE,
		       &p->reattach_rate_per_source);
	check_one_rate(c, POLICY_HANDSHAKE_RATE, &p->handshake_rate);
	check_one_rate(c, POLICY_HANDSHAKE_RATE_PER_SOURCE,
		       &p->handshake_rate_per_source);
	if (session > CALM_RATE_PER_SESSION)
		item_warning(c, F(POLICY_REATTACH_RATE_PER_SESSION),
			     "RateLimiter",
			     "reattach-rate-per-session %" PRIu32
			     "/s is above 10/s: a session reattaching "
			     "that often is flapping, not recovering",
			     session);
}

static void check_cooldown(struct check *c)
{
	const struct policy *p = c->policy;
	char v[32], window[32];

	shown(c, POLICY_COOLDOWN, v, sizeof(v));
	shown(c, POLICY_RECOVERY_WINDOW, window, sizeof(window));
	if (!p->cooldown_ms)
		item_error(c, F(POLICY_COOLDOWN), "Cooldown",
			   "cooldown is undefined (0s): switches must be "
			   "spaced");
	else if (p->cooldown_ms > POLICY_KERNEL_MAX_SWITCH_INTERVAL_MS)
		item_error(c, F(POLICY_COOLDOWN), "Cooldown",
			   "cooldown %s is above 1h, the largest switch "
			   "interval the kernel accepts",
			   v);
	else if (p->cooldown_ms > p->recovery_window_ms)
		item_error(c, F(POLICY_COOLDOWN) | F(POLICY_RECOVERY_WINDOW),
			   "Cooldown",
			   "cooldown %s is longer than "
			   "recovery-window %s: a session could never switch "
			   "twice inside the window",
			   v, window);
	else if (p->cooldown_ms < POLICY_KERNEL_MIN_SWITCH_INTERVAL_MS)
		item_warning(c, F(POLICY_COOLDOWN), "Cooldown",
			     "cooldown %s is below 100ms: two switches that "
			     "close are a flap, not a recovery",
			     v);
}

static void check_health_threshold(struct check *c)
{
	const struct policy *p = c->policy;
	char v[32], probe[32];

	shown(c, POLICY_HEALTH_THRESHOLD, v, sizeof(v));
	shown(c, POLICY_PROBE_INTERVAL, probe, sizeof(probe));
	if (!p->probe_interval_ms)
		item_error(c, F(POLICY_PROBE_INTERVAL), "HealthThreshold",
			   "probe-interval is undefined (0s): an idle "
			   "transport could not be judged");
	else if ((uint64_t)p->health_threshold_ms <=
		 2 * (uint64_t)p->probe_interval_ms)
		item_error(c,
			   F(POLICY_HEALTH_THRESHOLD) |
				   F(POLICY_PROBE_INTERVAL),
			   "HealthThreshold",
			   "health-threshold %s is not above twice "
			   "probe-interval %s: one lost probe would declare a "
			   "healthy transport dead",
			   v, probe);
}

static void check_recovery_window(struct check *c)
{
	const struct policy *p = c->policy;

	if (!p->recovery_window_ms)
		item_error(c, F(POLICY_RECOVERY_WINDOW), "RecoveryWindow",
			   "recovery-window is undefined (0s): instability "
			   "could not be counted");
	if (!p->degraded_after_switches)
		item_error(c, F(POLICY_DEGRADED_AFTER_SWITCHES),
			   "RecoveryWindow",
			   "degraded-after-switches is undefined (0): every "
			   "session would be DEGRADED");
	else if (p->max_switches_per_minute &&
		 p->degraded_after_switches > p->max_switches_per_minute)
		item_warning(c,
			     F(POLICY_DEGRADED_AFTER_SWITCHES) |
				     F(POLICY_MAX_SWITCHES_PER_MINUTE),
			     "RecoveryWindow",
			     "degraded-after-switches %" PRIu32
			     " is above max-switches-per-minute %" PRIu32
			     ": sessions may be terminated before they "
			     "are ever DEGRADED",
			     p->degraded_after_switches,
			     p->max_switches_per_minute);
}

static void check_freshness_window(struct check *c)
{
	uint32_t window = c->policy->freshness_window_ms;
	char v[32];

	shown(c, POLICY_FRESHNESS_WINDOW, v, sizeof(v));
	if (window < MIN_FRESHNESS_WINDOW_MS ||
	    window > MAX_FRESHNESS_WINDOW_MS)
		item_error(c, F(POLICY_FRESHNESS_WINDOW), "FreshnessWindow",
			   "freshness-window %s is outside 1s..10m: below, "
			   "honest clocks fail; above, a captured request "
			   "stays usable too long",
			   v);
}

static void check_transport_classes(struct check *c)
{
	uint32_t mask = c->policy->allowed_transports;
	char v[64];

	format_transports(mask & ~POLICY_TRANSPORTS_SUPPORTED, v, sizeof(v));
	if (!(mask & POLICY_TRANSPORTS_SUPPORTED))
		item_error(c, F(POLICY_ALLOWED_TRANSPORTS), "TransportClasses",
			   "allowed-transports names no transport this build "
			   "supports (udp4, udp6)");
	if (mask & ~POLICY_TRANSPORTS_SUPPORTED)
		item_error(c, F(POLICY_ALLOWED_TRANSPORTS), "TransportClasses",
			   "allowed-transports has \"%s\", not supported by "
			   "this build",
			   v[0] ? v : "unknown bits");
}

static void check_handshake_timeout(struct check *c)
{
	uint32_t timeout = c->policy->handshake_timeout_ms;
	char v[32];

	shown(c, POLICY_HANDSHAKE_TIMEOUT, v, sizeof(v));
	if (!timeout)
		item_error(c, F(POLICY_HANDSHAKE_TIMEOUT), "HandshakeTimeout",
			   "handshake-timeout is undefined (0s)");
	else if (timeout > LONG_HANDSHAKE_TIMEOUT_MS)
		item_warning(c, F(POLICY_HANDSHAKE_TIMEOUT), "HandshakeTimeout",
			     "handshake-timeout %s is above 30s: half-open "
			     "handshakes hold state that long, a lever for "
			     "floods",
			     v);
}

static void check_reattach_attempts(struct check *c)
{
	uint32_t attempts = c->policy->max_reattach_attempts;

	if (!attempts)
		item_error(c, F(POLICY_MAX_REATTACH_ATTEMPTS),
			   "ReattachAttempts",
			   "max-reattach-attempts is undefined (0): a client "
			   "must give up within policy, never retry forever");
	else if (attempts > MANY_REATTACH_ATTEMPTS)
		item_warning(c, F(POLICY_MAX_REATTACH_ATTEMPTS),
			     "ReattachAttempts",
			     "max-reattach-attempts %" PRIu32
			     " is above 100: close to retrying forever",
			     attempts);
}

unsigned int policy_check_at(const struct policy *policy,
			     const unsigned int *field_lines, unsigned int line,
			     struct diag *diag)
{
	struct check check = { .policy = policy,
			       .field_lines = field_lines,
			       .line = line,
			       .diag = diag };

	check_session_ttl(&check);
	check_transport_loss_ttl(&check);
	check_max_switches(&check);
	check_replay_window(&check);
	check_rate_limiter(&check);
	check_cooldown(&check);
	check_health_threshold(&check);
	check_recovery_window(&check);
	check_freshness_window(&check);
	check_transport_classes(&check);
	check_handshake_timeout(&check);
	check_reattach_attempts(&check);
	return check.errors;
}

unsigned int policy_check(const struct policy *policy, struct diag *diag)
{
	return policy_check_at(policy, NULL, 0, diag);
}
