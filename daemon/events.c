// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "names.h"

#define EVENT_LINE_MAX 1024

void events_init(struct event_outlets *o)
{
	memset(o, 0, sizeof(*o));
	o->json_fd = -1;
	o->syslog_fd = -1;
}

bool events_open_json(struct event_outlets *o, const char *path)
{
	int fd;

	if (!path)
		return true;
	if (!strcmp(path, "stdout"))
		fd = dup(STDOUT_FILENO);
	else
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return false;
	/* a reader that stalls must cost us lines, never the main loop */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	o->json_fd = fd;
	return true;
}

bool events_open_syslog(struct event_outlets *o)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	strcpy(addr.sun_path, "/dev/log");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return false;
	}
	o->syslog_fd = fd;
	return true;
}

const char *outlet_name(enum outlet_kind kind)
{
	static const char *const names[] = {
		[OUTLET_JSON] = "json",
		[OUTLET_SYSLOG] = "syslog",
		[OUTLET_JOURNALD] = "journald",
		[OUTLET_CEF] = "cef",
	};

	return kind < OUTLET_COUNT ? names[kind] : "unknown";
}

bool outlet_enabled(const struct event_outlets *o, enum outlet_kind kind)
{
	switch (kind) {
	case OUTLET_JSON:
		return o->json_fd >= 0;
	case OUTLET_SYSLOG:
		return o->syslog_fd >= 0;
	default:
		return false;
	}
}

int events_add_tap(struct event_outlets *o, event_tap_fn fn, void *ctx)
{
	if (o->n_taps >= EVENTS_MAX_TAPS)
		return -ENOSPC;
	o->taps[o->n_taps++] = (struct event_tap){ .fn = fn, .ctx = ctx };
	return 0;
}

void events_close(struct event_outlets *o)
{
	if (o->json_fd >= 0)
		close(o->json_fd);
	if (o->syslog_fd >= 0)
		close(o->syslog_fd);
	o->json_fd = o->syslog_fd = -1;
}

const char *event_type_name(enum event_type type)
{
	static const char *const names[] = {
		[EV_SESSION_CREATED] = "SESSION_CREATED",
		[EV_STATE_CHANGE] = "STATE_CHANGE",
		[EV_TRANSPORT_SWITCH] = "TRANSPORT_SWITCH",
		[EV_TRANSPORT_SWITCH_DENIED] = "TRANSPORT_SWITCH_DENIED",
		[EV_REATTACH_SUCCESS] = "REATTACH_SUCCESS",
		[EV_REATTACH_REJECT] = "REATTACH_REJECT",
		[EV_SECURITY_EVENT] = "SECURITY_EVENT",
		[EV_RATE_LIMIT_TRIGGER] = "RATE_LIMIT_TRIGGER",
		[EV_SESSION_TERMINATED] = "SESSION_TERMINATED",
		[EV_KEY_ROTATION] = "KEY_ROTATION",
		[EV_DAEMON] = "DAEMON",
	};

	return type <= EV_DAEMON ? names[type] : "UNKNOWN";
}

/* Appends a JSON string, escaping what JSON requires. */
static void put_json_string(char *buf, size_t size, size_t *len,
			    const char *s)
{
	*len += snprintf(buf + *len, *len < size ? size - *len : 0, "\"");
	for (; *s && *len + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			*len += snprintf(buf + *len, size - *len, "\\%c", c);
		else if (c < 0x20)
			*len += snprintf(buf + *len, size - *len, "\\u%04x", c);
		else
			buf[(*len)++] = (char)c;
	}
	*len += snprintf(buf + *len, *len < size ? size - *len : 0, "\"");
}

static void put_field(char *buf, size_t size, size_t *len, const char *key,
		      const char *value)
{
	if (!value)
		return;
	*len += snprintf(buf + *len, *len < size ? size - *len : 0,
			 ",\"%s\":", key);
	put_json_string(buf, size, len, value);
}

static size_t render_json(char *buf, size_t size, const struct event *ev,
			  uint64_t seq)
{
	struct timespec mono, wall;
	char when[40], id[24];
	size_t len;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime(&wall.tv_sec));
	snprintf(id, sizeof(id), "%" PRIu64, ev->session_id);
	len = (size_t)snprintf(buf, size,
			       "{\"seq\":%" PRIu64 ",\"type\":\"%s\",\"time\":\"%s.%03ldZ\","
			       "\"mono_ns\":%" PRIu64 ",\"session_id\":\"%s\","
			       "\"state_version\":%" PRIu64 ",\"reason\":\"%s\"",
			       seq, event_type_name(ev->type), when,
			       wall.tv_nsec / 1000000,
			       (uint64_t)mono.tv_sec * UINT64_C(1000000000) +
				       (uint64_t)mono.tv_nsec,
			       id, ev->state_version, reason_name(ev->reason));
	if (ev->old_state >= 0)
		put_field(buf, size, &len, "old_state", state_name(ev->old_state));
	if (ev->new_state >= 0)
		put_field(buf, size, &len, "new_state", state_name(ev->new_state));
	put_field(buf, size, &len, "old_transport", ev->old_transport);
	put_field(buf, size, &len, "new_transport", ev->new_transport);
	put_field(buf, size, &len, "detail", ev->detail);
	if (len + 2 >= size)
		len = size - 3;
	buf[len++] = '}';
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

static bool write_all_or_lose(int fd, const char *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n == (ssize_t)len;
}

void events_emit(struct event_outlets *o, const struct event *ev)
{
	char line[EVENT_LINE_MAX], msg[EVENT_LINE_MAX + 32];
	uint64_t seq = ++o->seq;
	size_t len = render_json(line, sizeof(line), ev, seq);

	if (o->json_fd >= 0) {
		if (write_all_or_lose(o->json_fd, line, len))
			o->sent[OUTLET_JSON]++;
		else
			o->lost[OUTLET_JSON]++;
	}
	if (o->syslog_fd >= 0) {
		/* facility daemon (3), severity notice (5) or warning (4) */
		int pri = 3 * 8 + (ev->type == EV_SECURITY_EVENT ? 4 : 5);
		int n = snprintf(msg, sizeof(msg), "<%d>jvpnd[%d]: %.*s", pri,
				 (int)getpid(), (int)len - 1, line);

		if (send(o->syslog_fd, msg, (size_t)n, MSG_DONTWAIT) != n)
			o->lost[OUTLET_SYSLOG]++;
		else
			o->sent[OUTLET_SYSLOG]++;
	}
	for (size_t i = 0; i < o->n_taps; i++)
		o->taps[i].fn(o->taps[i].ctx, ev, seq, line, len);
}
