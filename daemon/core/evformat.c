// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "evformat.h"
#include "json.h"
#include "reason.h"
#include "utf8.h"

/* Fixed per type: changing one breaks every saved search of a SIEM. */
struct event_kind {
	const char *message_id;
	int syslog_severity;
	int cef_severity;
	int cef_signature;
	const char *cef_name;
};

static const struct event_kind kinds[] = {
	[EV_SESSION_CREATED] = { "fd748c0a0d6168950b3bf1e49a48d226", 6, 3, 100,
				 "Session created" },
	[EV_STATE_CHANGE] = { "75cfe7642212f1b73a8b69c5247767fa", 5, 4, 101,
			      "Session state changed" },
	[EV_TRANSPORT_SWITCH] = { "7f6a95afa3582ab61cc43df3fcb0951f", 6, 3, 102,
				  "Transport switched" },
	[EV_TRANSPORT_SWITCH_DENIED] = { "fc9cae706cb6c0226b90d9e0f262bc6d", 5,
					 5, 103, "Transport switch denied" },
	[EV_REATTACH_SUCCESS] = { "38b9d95eacb12074bf6048a07a149234", 6, 3, 104,
				  "Reattach succeeded" },
	[EV_REATTACH_REJECT] = { "7b131ca50c833c6b669515e9307f25f7", 5, 6, 105,
				 "Reattach rejected" },
	[EV_SECURITY_EVENT] = { "837ac5018074e706f5211e44961597c8", 4, 8, 106,
				"Security event" },
	[EV_RATE_LIMIT_TRIGGER] = { "d9e64663b4f621b714abcf82c359dbc9", 5, 6,
				    107, "Rate limit triggered" },
	[EV_SESSION_TERMINATED] = { "77ff54acb9ab9ab2a16acb1ebecc6f5b", 5, 4,
				    108, "Session terminated" },
	[EV_KEY_ROTATION] = { "8a12b83a7db03caf06a83927f738863f", 6, 2, 109,
			      "Key rotation" },
	[EV_DAEMON] = { "da95014aae7a922bcefe099f7b1edab3", 6, 2, 110,
			"Daemon" },
};

static const struct event_kind unknown_kind = {
	"00000000000000000000000000000000", 5, 5, 199, "Unknown event"
};

static const struct event_kind *kind_of(enum event_type type)
{
	return (size_t)type < sizeof(kinds) / sizeof(kinds[0]) ? &kinds[type]
							       : &unknown_kind;
}

const char *event_message_id(enum event_type type)
{
	return kind_of(type)->message_id;
}

int event_syslog_severity(enum event_type type)
{
	return kind_of(type)->syslog_severity;
}

int event_cef_severity(enum event_type type)
{
	return kind_of(type)->cef_severity;
}

/* ---- a bounded writer: overflow is remembered, never written past ---- */

struct out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

static void put(struct out *o, const char *p, size_t n)
{
	if (o->full || n >= o->size - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void putc_(struct out *o, char c)
{
	put(o, &c, 1);
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void putf(struct out *o,
						       const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		o->full = true;
	else
		put(o, tmp, (size_t)n);
}

static size_t finish(struct out *o)
{
	if (o->size)
		o->buf[o->full ? 0 : o->len] = '\0';
	return o->full ? 0 : o->len;
}

static struct out out_init(char *buf, size_t size)
{
	return (struct out){ .buf = buf, .size = size, .full = !size };
}

/* How much of s a rendering uses: at most EVFORMAT_FIELD_MAX bytes, and
 * never half a UTF-8 sequence. */
static size_t field_len(const char *s)
{
	return utf8_prefix_len(s, EVFORMAT_FIELD_MAX);
}

/* ---- the fields every format shares ------------------------------------ */

static const char *old_state_of(const struct event *ev)
{
	return ev->old_state >= 0 ? jvpn_state_name(ev->old_state) : NULL;
}

static const char *new_state_of(const struct event *ev)
{
	return ev->new_state >= 0 ? jvpn_state_name(ev->new_state) : NULL;
}

static void put_time(struct out *o, const struct timespec *wall)
{
	struct tm tm;
	char when[40];

	gmtime_r(&wall->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	putf(o, "%s.%03ldZ", when, wall->tv_nsec / 1000000);
}

static void put_latency_ms(struct out *o, uint64_t us)
{
	putf(o, "%" PRIu64 ".%03u", us / 1000, (unsigned int)(us % 1000));
}

/* ---- the human line ------------------------------------------------------ */

static void put_plain(struct out *o, const char *s)
{
	size_t n = field_len(s);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		putc_(o, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

static void put_summary(struct out *o, const struct event *ev)
{
	const char *from = old_state_of(ev), *to = new_state_of(ev);

	puts_(o, event_type_name(ev->type));
	if (ev->session_id)
		putf(o, " session %" PRIu64, ev->session_id);
	if (from && to && strcmp(from, to))
		putf(o, " %s -> %s", from, to);
	else if (to)
		putf(o, " %s", to);
	if (ev->reason != JVPND_REASON_NONE)
		putf(o, " reason %s", jvpnd_reason_name(ev->reason));
	if (ev->old_transport) {
		puts_(o, " from ");
		put_plain(o, ev->old_transport);
	}
	if (ev->new_transport) {
		puts_(o, " at ");
		put_plain(o, ev->new_transport);
	}
	if (ev->latency_us) {
		puts_(o, " in ");
		put_latency_ms(o, ev->latency_us);
		puts_(o, " ms");
	}
	if (ev->detail) {
		puts_(o, ": ");
		put_plain(o, ev->detail);
	}
	if (ev->count > 1)
		putf(o, " (x%" PRIu64 ")", ev->count);
}

size_t evformat_summary(char *buf, size_t size, const struct event *ev)
{
	struct out o = out_init(buf, size);

	put_summary(&o, ev);
	return finish(&o);
}

/* ---- JSON lines ---------------------------------------------------------- */

static void json_field(struct json_line *j, const char *key, const char *value)
{
	if (value)
		json_strn(j, key, value, EVFORMAT_FIELD_MAX);
}

size_t evformat_json(char *buf, size_t size, const struct event *ev,
		     const struct event_stamp *st)
{
	char when[48], id[24], latency[32];
	struct out t = out_init(when, sizeof(when));
	struct json_line j;

	/* the same time and latency texts as the other renderings */
	put_time(&t, &st->wall);
	finish(&t);
	snprintf(id, sizeof(id), "%" PRIu64, ev->session_id);
	/* an event line is whole or lost (and counted), never cut */
	json_open_whole(&j, buf, size);
	json_u64(&j, "seq", st->seq);
	json_str(&j, "type", event_type_name(ev->type));
	json_str(&j, "time", when);
	json_u64(&j, "mono_ns", st->mono_ns);
	json_str(&j, "session_id", id); /* past 2^53 a number loses digits */
	json_u64(&j, "state_version", ev->state_version);
	json_str(&j, "reason", jvpnd_reason_name(ev->reason));
	json_field(&j, "old_state", old_state_of(ev));
	json_field(&j, "new_state", new_state_of(ev));
	json_field(&j, "old_transport", ev->old_transport);
	json_field(&j, "new_transport", ev->new_transport);
	json_field(&j, "detail", ev->detail);
	if (ev->latency_us) {
		struct out l = out_init(latency, sizeof(latency));

		put_latency_ms(&l, ev->latency_us);
		finish(&l);
		json_raw(&j, "latency_ms", latency);
	}
	if (ev->count)
		json_u64(&j, "count", ev->count);
	return json_close(&j);
}

/* ---- RFC 5424 ------------------------------------------------------------ */

/* HOSTNAME is PRINTUSASCII (33..126), 1..255 octets, "-" when unknown. */
static void put_header_token(struct out *o, const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;

	if (!n) {
		putc_(o, '-');
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		putc_(o, c > 32 && c < 127 ? (char)c : '_');
	}
}

/* PARAM-VALUE: '"', '\' and ']' must be escaped (RFC 5424 6.3.3). */
static void put_sd_param(struct out *o, const char *name, const char *value)
{
	size_t n;

	if (!value)
		return;
	n = field_len(value);
	putf(o, " %s=\"", name);
	for (size_t i = 0; i < n; i++) {
		if (value[i] == '"' || value[i] == '\\' || value[i] == ']')
			putc_(o, '\\');
		putc_(o, value[i]);
	}
	putc_(o, '"');
}

static void put_sd_number(struct out *o, const char *name, uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	put_sd_param(o, name, text);
}

static void put_structured_data(struct out *o, const struct event *ev,
				const struct event_stamp *st)
{
	puts_(o, "[" EVFORMAT_SD_ID);
	put_sd_number(o, "seq", st->seq);
	put_sd_number(o, "session_id", ev->session_id);
	put_sd_number(o, "state_version", ev->state_version);
	put_sd_param(o, "reason", jvpnd_reason_name(ev->reason));
	put_sd_param(o, "old_state", old_state_of(ev));
	put_sd_param(o, "new_state", new_state_of(ev));
	put_sd_param(o, "old_transport", ev->old_transport);
	put_sd_param(o, "new_transport", ev->new_transport);
	put_sd_param(o, "detail", ev->detail);
	if (ev->latency_us) {
		puts_(o, " latency_ms=\"");
		put_latency_ms(o, ev->latency_us);
		putc_(o, '"');
	}
	if (ev->count)
		put_sd_number(o, "count", ev->count);
	put_sd_number(o, "mono_ns", st->mono_ns);
	putc_(o, ']');
}

size_t evformat_syslog(char *buf, size_t size, const struct event *ev,
		       const struct event_stamp *st,
		       const struct event_origin *from)
{
	struct out o = out_init(buf, size);

	putf(&o, "<%d>1 ",
	     EVFORMAT_FACILITY * 8 + event_syslog_severity(ev->type));
	put_time(&o, &st->wall);
	putc_(&o, ' ');
	put_header_token(&o, from->hostname, 255);
	putf(&o, " " EVFORMAT_APP_NAME " %d %s ", from->pid,
	     event_type_name(ev->type));
	put_structured_data(&o, ev, st);
	putc_(&o, ' ');
	put_summary(&o, ev);
	return finish(&o);
}

/* ---- journald native protocol -------------------------------------------- */

/* KEY=value, or, for a value with a newline, KEY\n + 64-bit LE length +
 * value + \n (systemd's JOURNAL_NATIVE_PROTOCOL). */
static void put_journal_field(struct out *o, const char *key, const char *value)
{
	size_t n;
	uint8_t len[8];

	if (!value)
		return;
	n = field_len(value);
	puts_(o, key);
	if (!memchr(value, '\n', n)) {
		putc_(o, '=');
		put(o, value, n);
		putc_(o, '\n');
		return;
	}
	putc_(o, '\n');
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)((uint64_t)n >> (8 * i));
	put(o, (const char *)len, sizeof(len));
	put(o, value, n);
	putc_(o, '\n');
}

static void put_journal_number(struct out *o, const char *key, uint64_t value)
{
	putf(o, "%s=%" PRIu64 "\n", key, value);
}

size_t evformat_journal(char *buf, size_t size, const struct event *ev,
			const struct event_stamp *st)
{
	struct out o = out_init(buf, size);
	char latency[32];

	puts_(&o, "MESSAGE=");
	put_summary(&o, ev);
	putc_(&o, '\n');
	putf(&o, "MESSAGE_ID=%s\n", event_message_id(ev->type));
	putf(&o, "PRIORITY=%d\n", event_syslog_severity(ev->type));
	putf(&o, "SYSLOG_FACILITY=%d\n", EVFORMAT_FACILITY);
	puts_(&o, "SYSLOG_IDENTIFIER=" EVFORMAT_APP_NAME "\n");
	putf(&o, "JVPN_EVENT=%s\n", event_type_name(ev->type));
	put_journal_number(&o, "JVPN_SEQ", st->seq);
	put_journal_number(&o, "JVPN_SESSION_ID", ev->session_id);
	put_journal_number(&o, "JVPN_STATE_VERSION", ev->state_version);
	put_journal_field(&o, "JVPN_REASON", jvpnd_reason_name(ev->reason));
	put_journal_field(&o, "JVPN_OLD_STATE", old_state_of(ev));
	put_journal_field(&o, "JVPN_NEW_STATE", new_state_of(ev));
	put_journal_field(&o, "JVPN_OLD_TRANSPORT", ev->old_transport);
	put_journal_field(&o, "JVPN_NEW_TRANSPORT", ev->new_transport);
	put_journal_field(&o, "JVPN_DETAIL", ev->detail);
	if (ev->latency_us) {
		struct out l = out_init(latency, sizeof(latency));

		put_latency_ms(&l, ev->latency_us);
		finish(&l);
		put_journal_field(&o, "JVPN_LATENCY_MS", latency);
	}
	if (ev->count)
		put_journal_number(&o, "JVPN_COUNT", ev->count);
	put_journal_number(&o, "JVPN_MONO_NS", st->mono_ns);
	return finish(&o);
}

/* ---- CEF ------------------------------------------------------------------ */

/* header fields: '\' and '|' escaped */
static void put_cef_header(struct out *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '|')
			putc_(o, '\\');
		putc_(o, *s);
	}
}

/* extension values: '\' and '=' escaped, line breaks as \n and \r */
static void put_cef_value(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			puts_(o, "\\n");
		else if (s[i] == '\r')
			puts_(o, "\\r");
		else {
			if (s[i] == '\\' || s[i] == '=')
				putc_(o, '\\');
			putc_(o, s[i]);
		}
	}
}

static void put_cef(struct out *o, const char *key, const char *value)
{
	if (!value)
		return;
	putf(o, " %s=", key);
	put_cef_value(o, value, field_len(value));
}

static void put_cef_labelled(struct out *o, const char *key, const char *label,
			     const char *value)
{
	if (!value)
		return;
	putf(o, " %sLabel=%s", key, label);
	put_cef(o, key, value);
}

/* "addr:port" or "[v6addr]:port" to src/spt, or c6a2 for IPv6. */
static void put_cef_source(struct out *o, const char *transport)
{
	char addr[INET6_ADDRSTRLEN + 2], bin[16];
	const char *colon = transport ? strrchr(transport, ':') : NULL;
	size_t n;
	bool v6;

	if (!colon)
		return;
	v6 = transport[0] == '[';
	n = (size_t)(colon - transport);
	if (v6 && (n < 2 || transport[n - 1] != ']'))
		return;
	if (v6)
		transport++, n -= 2;
	if (n >= sizeof(addr))
		return;
	memcpy(addr, transport, n);
	addr[n] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1)
		return;
	if (v6)
		putf(o, " c6a2Label=Source IPv6 Address c6a2=%s", addr);
	else
		putf(o, " src=%s", addr);
	puts_(o, " spt=");
	put_cef_value(o, colon + 1, strnlen(colon + 1, 6));
}

size_t evformat_cef(char *buf, size_t size, const struct event *ev,
		    const struct event_stamp *st,
		    const struct event_origin *from)
{
	const struct event_kind *k = kind_of(ev->type);
	struct out o = out_init(buf, size);
	char summary[EVENT_LINE_MAX];

	puts_(&o, "CEF:0|Jumping VPN|jvpnd|");
	put_cef_header(&o, JVPN_VERSION);
	putf(&o, "|%d|", k->cef_signature);
	put_cef_header(&o, k->cef_name);
	putf(&o, "|%d|", k->cef_severity);
	putf(&o, "rt=%" PRIu64,
	     (uint64_t)st->wall.tv_sec * 1000 +
		     (uint64_t)st->wall.tv_nsec / 1000000);
	putf(&o, " cat=%s", event_type_name(ev->type));
	if (from->hostname && *from->hostname)
		put_cef(&o, "dvchost", from->hostname);
	putf(&o, " dvcpid=%d", from->pid);
	if (evformat_summary(summary, sizeof(summary), ev))
		put_cef(&o, "msg", summary);
	put_cef_source(&o, ev->new_transport);
	putf(&o, " cs1Label=sessionId cs1=%" PRIu64, ev->session_id);
	put_cef_labelled(&o, "cs2", "reason", jvpnd_reason_name(ev->reason));
	put_cef_labelled(&o, "cs3", "oldState", old_state_of(ev));
	put_cef_labelled(&o, "cs4", "newState", new_state_of(ev));
	put_cef_labelled(&o, "cs5", "oldTransport", ev->old_transport);
	put_cef_labelled(&o, "cs6", "detail", ev->detail);
	putf(&o, " cn1Label=stateVersion cn1=%" PRIu64, ev->state_version);
	putf(&o, " cn2Label=seq cn2=%" PRIu64, st->seq);
	if (ev->latency_us)
		putf(&o, " cn3Label=latencyMs cn3=%" PRIu64,
		     ev->latency_us / 1000);
	/* CEF's own key for how many events one line stands for */
	if (ev->count)
		putf(&o, " cnt=%" PRIu64, ev->count);
	putc_(&o, '\n');
	return finish(&o);
}
