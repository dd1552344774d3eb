// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "checklist.h"
#include "drill.h"
#include "clock.h"
#include "names.h"
#include "control.h"
#include "jvpnd.h"
#include "json.h"
#include "reason.h"
#include "role.h"
#include "reconfigure.h"
#include "sessions.h"
#include "udp.h"

/* a request is one short line: "kill ID TEXT" is the longest */
#define CTL_REQUEST_MAX 512
#define CTL_MAX_CONNS	16
/* a client that has not sent its request by then is gone */
#define CTL_REQUEST_TIMEOUT_MS 5000
/* a monitor that lags by more loses lines (and sees the seq gap) */
#define CTL_MONITOR_BACKLOG (256u << 10)
/* an answer that cannot leave within this is abandoned */
#define CTL_ANSWER_TIMEOUT_MS 10000
#define CTL_LINE_MAX	      2048
#define CTL_KILL_TEXT_MAX     128

struct ctl_conn {
	int fd; /* -1: free */
	char in[CTL_REQUEST_MAX];
	size_t in_len;
	bool answered; /* the request was handled */
	bool monitor;  /* streams events until it goes */
	char *out;
	size_t out_len, out_off, out_cap;
	uint64_t opened_ms;
	uint64_t lost; /* monitor lines dropped */
};

struct control {
	struct jvpnd *d;
	int listen_fd;
	char path[CONFIG_PATH_MAX]; /* the parser kept it < sun_path */
	struct ctl_conn conns[CTL_MAX_CONNS];
};

static void conn_close(struct jvpnd *d, struct ctl_conn *c)
{
	loop_unwatch(&d->loop, c->fd);
	close(c->fd);
	free(c->out);
	*c = (struct ctl_conn){ .fd = -1 };
}

static bool out_append(struct ctl_conn *c, const char *data, size_t len)
{
	size_t pending = c->out_len - c->out_off;

	if (c->monitor && pending + len > CTL_MONITOR_BACKLOG) {
		c->lost++;
		return false;
	}
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *grown;

		while (cap < c->out_len + len)
			cap *= 2;
		grown = realloc(c->out, cap);
		if (!grown)
			return false;
		c->out = grown;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return true;
}

/* Writes what the socket takes; asks for EPOLLOUT while any is left. */
static void conn_flush(struct jvpnd *d, struct ctl_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			loop_rewatch(&d->loop, c->fd, EPOLLIN | EPOLLOUT);
			return;
		}
		if (n <= 0) {
			conn_close(d, c);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->answered && !c->monitor) {
		conn_close(d, c); /* EOF ends an answer */
		return;
	}
	loop_rewatch(&d->loop, c->fd, EPOLLIN);
}

static void send_line(struct ctl_conn *c, struct json_line *j)
{
	size_t len = json_close(j);

	out_append(c, j->buf, len);
}

static void send_ok(struct ctl_conn *c)
{
	out_append(c, "{\"ok\":true}\n", 12);
}

/* @name: a stable word scripts test for (docs/control-socket.md). */
static size_t error_line(char *buf, size_t size, const char *name,
			 const char *message)
{
	struct json_line j;

	json_open(&j, buf, size);
	json_bool(&j, "ok", false);
	json_str(&j, "error", name);
	json_str(&j, "message", message);
	return json_close(&j);
}

static void send_error(struct ctl_conn *c, const char *name,
		       const char *message)
{
	char buf[CTL_LINE_MAX];

	out_append(c, buf, error_line(buf, sizeof(buf), name, message));
}

/* Decimal or 0x-hex, as the protocol says: not octal, no sign, no blank. */
static bool parse_id(const char *text, uint64_t *id)
{
	bool hex = text && (!strncmp(text, "0x", 2) || !strncmp(text, "0X", 2));
	const char *digits = hex ? text + 2 : text;
	char *end;

	if (!digits || !isxdigit((unsigned char)*digits))
		return false;
	errno = 0;
	*id = strtoull(digits, &end, hex ? 16 : 10);
	return !errno && !*end && *id;
}

static void put_sockaddr(struct json_line *j, const char *key,
			 const union jvpn_sockaddr *a)
{
	char text[64];

	if (a->sa.sa_family != AF_UNSPEC)
		json_str(j, key, jvpn_sockaddr_text(a, text, sizeof(text)));
}

static void put_local(struct json_line *j, int fd)
{
	union jvpn_sockaddr local = { 0 };
	socklen_t len = sizeof(local);

	if (fd >= 0 && !getsockname(fd, &local.sa, &len))
		put_sockaddr(j, "local", &local);
}

static void put_ago(struct json_line *j, const char *key, uint64_t now,
		    uint64_t then)
{
	if (then)
		json_u64(j, key, now > then ? now - then : 0);
}

/* What the daemon alone knows of a session; the kernel's view is
 * jvpnctl's to read over netlink. */
static void session_line(struct jvpnd *d, struct ctl_conn *c,
			 const struct session *s)
{
	const struct config_peer *peer = &d->cfg.peers[s->peer];
	uint64_t now = jvpn_boot_ms();
	char buf[CTL_LINE_MAX], id[24], pub[KEYS_B64_SIZE];
	struct json_line j;

	snprintf(id, sizeof(id), "%" PRIu64, s->id);
	key_to_base64(s->peer_pub, pub);
	json_open(&j, buf, sizeof(buf));
	json_str(&j, "session_id", id);
	json_str(&j, "peer", peer->name);
	json_str(&j, "public_key", pub);
	json_str(&j, "profile", session_policy(d, s)->name);
	json_str(&j, "state", jvpn_state_name((int)s->sm.state));
	json_u64(&j, "state_version", s->sm.version);
	json_u64(&j, "bound_version", s->sm.bound_version);
	put_sockaddr(&j, "remote", &s->remote);
	put_local(&j, s->fd);
	put_ago(&j, "age_ms", now, s->sm.created_ms);
	put_ago(&j, "state_age_ms", now, s->sm.since_ms);
	put_ago(&j, "last_rx_ago_ms", now, s->last_rx_ms);
	json_u64(&j, "key_generation", s->keys.generation);
	put_ago(&j, "keys_age_ms", now, s->keys_since_ms);
	json_bool(&j, "rekey_pending", s->rekey_pending);
	json_u64(&j, "switches_last_minute",
		 limiter_window_count(&s->rs.switches, now, 60000));
	json_bool(&j, "validating_path", s->pending);
	json_u64(&j, "protocol_version", s->keys.version);
	json_bool(&j, "drill", peer->drill);
	if (d->role->describe)
		d->role->describe(d, s, &j);
	send_line(c, &j);
}

static void do_status(struct jvpnd *d, struct ctl_conn *c)
{
	const struct config_interface *in = &d->cfg.interface;
	char buf[CTL_LINE_MAX], metrics[64] = "off", hash[65];
	struct json_line j;
	size_t n = sessions_count(d, NULL);

	if (in->metrics_listen.sa.sa_family != AF_UNSPEC)
		jvpn_sockaddr_text(&in->metrics_listen, metrics,
				   sizeof(metrics));
	send_ok(c);
	json_open(&j, buf, sizeof(buf));
	json_str(&j, "role", d->role->name);
	json_str(&j, "device", in->device);
	json_u64(&j, "ifindex", d->kreq.ifindex);
	json_u64(&j, "pid", (uint64_t)getpid());
	json_str(&j, "version", JVPN_VERSION);
	json_str(&j, "config", d->config_path);
	sodium_bin2hex(hash, sizeof(hash), d->cfg.text_hash,
		       sizeof(d->cfg.text_hash));
	json_str(&j, "config_hash", hash);
	json_str(&j, "profile", config_interface_policy(&d->cfg)->name);
	json_u64(&j, "uptime_ms", jvpn_boot_ms() - d->started_ms);
	json_u64(&j, "sessions", n);
	json_u64(&j, "peers", d->cfg.n_peers);
	json_u64(&j, "events_seq", d->out.seq);
	json_str(&j, "metrics_listen", metrics);
	send_line(c, &j);
}

static void do_sessions(struct jvpnd *d, struct ctl_conn *c)
{
	send_ok(c);
	for (size_t i = 0; i < d->n_sessions; i++)
		if (d->sessions[i].in_use)
			session_line(d, c, &d->sessions[i]);
}

static struct session *find_or_say(struct jvpnd *d, struct ctl_conn *c,
				   const char *arg)
{
	char message[128];
	struct session *s;
	uint64_t id;

	if (!parse_id(arg, &id)) {
		send_error(c, "bad-request",
			   "expected a session id (a "
			   "decimal or 0x-hex number, not 0)");
		return NULL;
	}
	s = session_find(d, id);
	if (!s) {
		snprintf(message, sizeof(message),
			 "no session %" PRIu64 " in jvpnd on %s", id,
			 d->cfg.interface.device);
		send_error(c, "no-such-session", message);
	}
	return s;
}

static void do_session(struct jvpnd *d, struct ctl_conn *c, char *arg)
{
	struct session *s = find_or_say(d, c, arg);

	if (!s)
		return;
	send_ok(c);
	session_line(d, c, s);
}

/* A reason text is free, but it goes into events and logs: one line of
 * printable text, cut to CTL_KILL_TEXT_MAX. */
static void clean_text(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; src && *src && n + 1 < size; src++)
		dst[n++] = (*src < 0x20 || *src == 0x7f) ? ' ' : *src;
	dst[n] = '\0';
}

static void do_kill(struct jvpnd *d, struct ctl_conn *c, char *arg, char *text)
{
	char detail[CTL_KILL_TEXT_MAX + 32], why[CTL_KILL_TEXT_MAX];
	struct session *s = find_or_say(d, c, arg);

	if (!s)
		return;
	clean_text(why, sizeof(why), text && *text ? text : "no reason given");
	snprintf(detail, sizeof(detail), "jvpnctl session kill: %s", why);
	s->end_detail = detail;
	session_end(d, s, JVPND_REASON_ADMIN);
	s->end_detail = NULL;
	send_ok(c);
}

/* "drill ID [UPLINK]": a forced switch of a drill session (role.h);
 * its progress and result are events (docs/operations.md). */
static void do_drill(struct jvpnd *d, struct ctl_conn *c, char *arg,
		     char *uplink)
{
	char buf[CTL_LINE_MAX], why[DRILL_WHY_MAX], message[DRILL_WHY_MAX + 64];
	struct session *s = find_or_say(d, c, arg);
	struct json_line j;

	if (!s)
		return;
	if (uplink)
		uplink = strtok(uplink, " ");
	why[0] = 0;
	if (!d->role->drill) {
		send_error(c, "drill-refused",
			   "a drill runs on the drill client's jvpnd, "
			   "not on a gateway");
		return;
	}
	if (d->role->drill(d, s, uplink, why, sizeof(why))) {
		snprintf(message, sizeof(message), "session %" PRIu64 ": %s",
			 s->id, why);
		send_error(c, "drill-refused", message);
		return;
	}
	json_open(&j, buf, sizeof(buf));
	json_bool(&j, "ok", true);
	/* the drill's first event has this seq: a monitor opened before
	 * finds it, and every event of the drill after it */
	json_u64(&j, "seq", d->out.seq);
	send_line(c, &j);
}

static void do_policies(struct jvpnd *d, struct ctl_conn *c)
{
	char buf[CTL_LINE_MAX], value[128];
	struct json_line j;

	send_ok(c);
	for (size_t i = 0; i < d->cfg.n_policies; i++) {
		const struct config_policy *cp = &d->cfg.policies[i];

		json_open(&j, buf, sizeof(buf));
		json_str(&j, "name", cp->policy.name);
		json_str(&j, "base", cp->base[0] ? cp->base : cp->policy.name);
		json_bool(&j, "interface_default",
			  i == d->cfg.interface.policy);
		for (int f = 0; f < POLICY_FIELD_COUNT; f++) {
			policy_format_field(&cp->policy, f, value,
					    sizeof(value));
			json_str(&j, policy_field_key(f), value);
		}
		send_line(c, &j);
	}
}

static void do_checklist(struct jvpnd *d, struct ctl_conn *c)
{
	struct check_item items[CHECKLIST_MAX_ITEMS];
	size_t n = jvpnd_checklist(d, items);
	char buf[CTL_LINE_MAX];
	struct json_line j;

	send_ok(c);
	for (size_t i = 0; i < n; i++) {
		json_open(&j, buf, sizeof(buf));
		json_str(&j, "item", items[i].item);
		json_str(&j, "verdict", check_verdict_name(items[i].verdict));
		json_str(&j, "reason", items[i].reason);
		send_line(c, &j);
	}
}

static void do_reload(struct jvpnd *d, struct ctl_conn *c)
{
	char buf[CTL_LINE_MAX];
	struct json_line j;
	struct diag diag;

	if (jvpnd_reload(d, &diag)) {
		send_ok(c);
		return;
	}
	send_error(c, "reload-refused",
		   "the configuration file has errors; "
		   "the running configuration stays");
	for (unsigned int i = 0; i < diag.count; i++) {
		json_open(&j, buf, sizeof(buf));
		json_str(&j, "finding", diag.entries[i].text);
		send_line(c, &j);
	}
}

static void do_monitor(struct jvpnd *d, struct ctl_conn *c)
{
	char buf[CTL_LINE_MAX];
	struct json_line j;

	json_open(&j, buf, sizeof(buf));
	json_bool(&j, "ok", true);
	/* the next event has seq + 1: the client can tell a gap at once */
	json_u64(&j, "seq", d->out.seq);
	send_line(c, &j);
	c->monitor = true;
}

/* "VERB [ARG [TEXT...]]": the words of docs/control-socket.md. */
static void handle_request(struct jvpnd *d, struct ctl_conn *c, char *line)
{
	char *verb = strtok(line, " "), *arg = strtok(NULL, " ");
	char *rest = strtok(NULL, "");

	c->answered = true;
	if (!verb)
		send_error(c, "bad-request", "empty request");
	else if (!strcmp(verb, "status"))
		do_status(d, c);
	else if (!strcmp(verb, "sessions"))
		do_sessions(d, c);
	else if (!strcmp(verb, "session"))
		do_session(d, c, arg);
	else if (!strcmp(verb, "kill"))
		do_kill(d, c, arg, rest);
	else if (!strcmp(verb, "policies"))
		do_policies(d, c);
	else if (!strcmp(verb, "reload"))
		do_reload(d, c);
	else if (!strcmp(verb, "checklist"))
		do_checklist(d, c);
	else if (!strcmp(verb, "monitor"))
		do_monitor(d, c);
	else if (!strcmp(verb, "drill"))
		do_drill(d, c, arg, rest);
	else
		send_error(c, "bad-request",
			   "unknown request: expected "
			   "status, sessions, session, kill, policies, "
			   "reload, checklist, monitor or drill");
}

static void conn_read(struct jvpnd *d, struct ctl_conn *c)
{
	char *nl;
	ssize_t n = recv(c->fd, c->in + c->in_len,
			 sizeof(c->in) - 1 - c->in_len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || c->answered) {
		/* gone, or a monitor that hung up (it sends nothing more) */
		conn_close(d, c);
		return;
	}
	c->in_len += (size_t)n;
	c->in[c->in_len] = '\0';
	nl = memchr(c->in, '\n', c->in_len);
	if (nl) {
		*nl = '\0';
		handle_request(d, c, c->in);
	} else if (c->in_len == sizeof(c->in) - 1) {
		c->answered = true;
		send_error(c, "bad-request", "request longer than 511 bytes");
	} else {
		return;
	}
	conn_flush(d, c);
}

static void on_conn(void *ctx, int fd, uint32_t events)
{
	struct control *ctl = ctx;
	struct jvpnd *d = ctl->d;

	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &ctl->conns[i];

		if (c->fd != fd)
			continue;
		if (events & EPOLLIN)
			conn_read(d, c);
		else if (events & EPOLLOUT)
			conn_flush(d, c);
		else
			conn_close(d, c);
		return;
	}
}

/* The socket's mode already keeps others out; this is for a mode an
 * operator loosened by mistake. */
static bool peer_is_admin(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static struct ctl_conn *free_conn(struct control *ctl)
{
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		if (ctl->conns[i].fd < 0)
			return &ctl->conns[i];
	return NULL;
}

/* Refusals are one line, sent without waiting; then the door shuts. */
static void refuse(int fd, const char *name, const char *message)
{
	char buf[CTL_LINE_MAX];
	size_t len = error_line(buf, sizeof(buf), name, message);

	/* if it is gone already there is nobody to tell */
	(void)send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

static void on_listen(void *ctx, int fd, uint32_t events)
{
	struct control *ctl = ctx;
	struct jvpnd *d = ctl->d;
	struct ctl_conn *c;
	int conn;

	(void)events;
	while ((conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
	       0) {
		if (!peer_is_admin(conn)) {
			refuse(conn, "permission",
			       "only root may control "
			       "jvpnd");
			continue;
		}
		c = free_conn(ctl);
		if (!c) {
			refuse(conn, "busy", "too many control connections");
			continue;
		}
		*c = (struct ctl_conn){ .fd = conn,
					.opened_ms = jvpn_boot_ms() };
		if (loop_watch(&d->loop, conn, EPOLLIN, on_conn, ctl)) {
			close(conn);
			c->fd = -1;
		}
	}
}

static void on_event(void *ctx, const struct event *ev, uint64_t seq,
		     const char *json, size_t len)
{
	struct jvpnd *d = ctx;
	struct control *ctl = d->control;

	(void)ev;
	(void)seq;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &ctl->conns[i];

		if (c->fd >= 0 && c->monitor && out_append(c, json, len))
			conn_flush(d, c);
	}
}

/* A socket file left by a daemon that died is removed; a live one means
 * a second jvpnd for this device, which must not start. */
static int clear_stale(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, busy;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(addr.sun_path, path);
	busy = !connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	close(fd);
	if (busy)
		return -EADDRINUSE;
	return unlink(path) ? -errno : 0;
}

/*
 * The directory is created 0700. An existing one must be root's or
 * jvpnd's own and writable by neither group nor others, sticky or not:
 * whoever may write there may replace the socket with one of their own
 * between two starts, and jvpnctl would talk to it.
 */
static int make_dir(const char *path)
{
	char dir[CONFIG_PATH_MAX];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return -EACCES;
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return -EPERM;
	return 0;
}

static int listen_on(struct control *ctl)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, err = 0;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(addr.sun_path, ctl->path);
	/* no window in which the socket exists with a looser mode */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(fd, CTL_MAX_CONNS))
		err = -errno;
	umask(old);
	if (err) {
		close(fd);
		return err;
	}
	ctl->listen_fd = fd;
	return 0;
}

static const char *start_error(int err)
{
	switch (err) {
	case -EADDRINUSE:
		return "another jvpnd answers there";
	case -EEXIST:
		return "exists and is not a socket";
	case -EPERM:
		return "its directory is writable by group or others; make it "
		       "0700 or 0755";
	case -EACCES:
		return "its directory is owned by neither root nor jvpnd's "
		       "user";
	default:
		return strerror(-err);
	}
}

int control_start(struct jvpnd *d)
{
	const char *path = d->cfg.interface.control_socket;
	struct control *ctl = calloc(1, sizeof(*ctl));
	int err;

	if (!ctl)
		return -ENOMEM;
	ctl->d = d;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		ctl->conns[i].fd = -1;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	err = make_dir(path);
	if (!err)
		err = clear_stale(path);
	if (!err)
		err = listen_on(ctl);
	if (!err) {
		err = loop_watch(&d->loop, ctl->listen_fd, EPOLLIN, on_listen,
				 ctl);
		if (err)
			close(ctl->listen_fd);
	}
	if (!err)
		err = events_add_tap(&d->out, on_event, d);
	if (err) {
		fprintf(stderr, "jvpnd: control-socket %s: %s\n", path,
			start_error(err));
		free(ctl);
		return err;
	}
	d->control = ctl;
	return 0;
}

void control_stop(struct jvpnd *d)
{
	struct control *ctl = d->control;

	if (!ctl)
		return;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		/* a monitor gets what is queued, if the socket takes it */
		if (ctl->conns[i].fd >= 0)
			conn_flush(d, &ctl->conns[i]);
		if (ctl->conns[i].fd >= 0)
			conn_close(d, &ctl->conns[i]);
	}
	loop_unwatch(&d->loop, ctl->listen_fd);
	close(ctl->listen_fd);
	unlink(ctl->path);
	free(ctl);
	d->control = NULL;
}

void control_tick(struct jvpnd *d)
{
	struct control *ctl = d->control;
	uint64_t now = jvpn_boot_ms();

	if (!ctl)
		return;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &ctl->conns[i];
		uint64_t age = now - c->opened_ms;

		if (c->fd < 0 || c->monitor)
			continue;
		if ((!c->answered && age > CTL_REQUEST_TIMEOUT_MS) ||
		    age > CTL_ANSWER_TIMEOUT_MS)
			conn_close(d, c);
	}
}
