// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

/* jvpnctl_error(), unless the caller only probes for a daemon. */
static int say(const struct ctl *c, int status, const char *cmd,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int say(const struct ctl *c, int status, const char *cmd,
	       const char *fmt, ...)
{
	char message[512];
	va_list ap;

	if (c->quiet)
		return status;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return jvpnctl_error(status, cmd, "%s", message);
}

/* The only socket in CTL_DIR, when no device was named. */
static int only_socket(struct ctl *c)
{
	DIR *dir = opendir(CTL_DIR);
	struct dirent *e;
	int found = 0;

	if (!dir)
		return errno == EACCES ? say(c, JVPNCTL_PERMISSION, c->cmd,
					     "%s: %s "
					     "(jvpnctl needs root)",
					     CTL_DIR, strerror(errno))
				       : say(c, JVPNCTL_NO_DAEMON, c->cmd,
					     "jvpnd is not "
					     "running (no %s)",
					     CTL_DIR);
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".sock"))
			continue;
		if (found++)
			break;
		snprintf(c->path, sizeof(c->path), "%s/%.90s", CTL_DIR,
			 e->d_name);
	}
	closedir(dir);
	if (found == 1)
		return JVPNCTL_OK;
	if (!found)
		return say(c, JVPNCTL_NO_DAEMON, c->cmd,
			   "jvpnd is not "
			   "running (no socket in %s)",
			   CTL_DIR);
	return say(c, JVPNCTL_USAGE, c->cmd,
		   "several jvpnd run: "
		   "name the device");
}

static int choose_path(struct ctl *c, const struct jvpnctl_opts *opts,
		       const char *dev)
{
	if (opts->socket) {
		if (strlen(opts->socket) >= sizeof(c->path))
			return say(c, JVPNCTL_USAGE, c->cmd,
				   "--socket: "
				   "path too long");
		snprintf(c->path, sizeof(c->path), "%s", opts->socket);
		return JVPNCTL_OK;
	}
	if (dev) {
		snprintf(c->path, sizeof(c->path), "%s/%.16s.sock", CTL_DIR,
			 dev);
		return JVPNCTL_OK;
	}
	return only_socket(c);
}

static int connect_status(const struct ctl *c, int err)
{
	if (err == EACCES || err == EPERM)
		return say(c, JVPNCTL_PERMISSION, c->cmd,
			   "%s: %s "
			   "(only root may control jvpnd)",
			   c->path, strerror(err));
	if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR)
		return say(c, JVPNCTL_NO_DAEMON, c->cmd,
			   "jvpnd is not "
			   "running (%s: %s)",
			   c->path, strerror(err));
	return say(c, JVPNCTL_FAILURE, c->cmd, "%s: %s", c->path,
		   strerror(err));
}

int ctl_open(struct ctl *c, const struct jvpnctl_opts *opts, const char *cmd,
	     const char *dev, const char *request)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(request);
	int status;

	*c = (struct ctl){ .cmd = cmd, .fd = -1, .quiet = opts->quiet };
	status = choose_path(c, opts, dev);
	if (status)
		return status;
	memcpy(addr.sun_path, c->path, strlen(c->path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return say(c, JVPNCTL_FAILURE, cmd, "socket: %s",
			   strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		status = connect_status(c, errno);
		ctl_close(c);
		return status;
	}
	if (send(c->fd, request, len, MSG_NOSIGNAL) != (ssize_t)len ||
	    send(c->fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		status = say(c, JVPNCTL_FAILURE, cmd, "%s: %s", c->path,
			     strerror(errno));
		ctl_close(c);
		return status;
	}
	c->buf = malloc(CTL_LINE_MAX);
	if (!c->buf) {
		ctl_close(c);
		return say(c, JVPNCTL_FAILURE, cmd, "out of memory");
	}
	return JVPNCTL_OK;
}

int ctl_fill(struct ctl *c)
{
	ssize_t n;

	if (c->taken) {
		memmove(c->buf, c->buf + c->taken, c->len - c->taken);
		c->len -= c->taken;
		c->taken = 0;
	}
	if (c->len == CTL_LINE_MAX) {
		say(c, JVPNCTL_FAILURE, c->cmd,
		    "jvpnd sent a line longer "
		    "than %d bytes",
		    CTL_LINE_MAX);
		return -1;
	}
	n = read(c->fd, c->buf + c->len, CTL_LINE_MAX - c->len);
	if (n > 0)
		c->len += (size_t)n;
	return n < 0 ? -errno : (int)n;
}

char *ctl_line(struct ctl *c)
{
	char *start = c->buf + c->taken;
	char *nl = memchr(start, '\n', c->len - c->taken);

	if (!nl)
		return NULL;
	*nl = '\0';
	c->taken = (size_t)(nl + 1 - c->buf);
	return start;
}

int ctl_next(struct ctl *c, struct obj *o)
{
	char *line;
	int n;

	while (!(line = ctl_line(c))) {
		n = ctl_fill(c);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return 0;
	}
	if (obj_parse_json(o, line))
		return 1;
	say(c, JVPNCTL_FAILURE, c->cmd,
	    "jvpnd sent a line that is not a "
	    "flat JSON object: %.80s",
	    line);
	return -1;
}

/* The daemon's error words (docs/control-socket.md) to exit statuses. */
static int error_status(const char *name)
{
	static const struct {
		const char *name;
		int status;
	} map[] = {
		{ "no-such-session", JVPNCTL_NO_SESSION },
		{ "permission", JVPNCTL_PERMISSION },
		{ "reload-refused", JVPNCTL_REFUSED },
		{ "drill-refused", JVPNCTL_REFUSED },
		{ "bad-request", JVPNCTL_USAGE },
	};

	for (size_t i = 0; name && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].name))
			return map[i].status;
	return JVPNCTL_FAILURE;
}

int ctl_status(struct ctl *c, struct obj *first)
{
	int got = ctl_next(c, first);

	if (got == 0)
		return say(c, JVPNCTL_FAILURE, c->cmd,
			   "jvpnd closed "
			   "the connection without an answer");
	if (got < 0)
		return JVPNCTL_FAILURE;
	if (obj_is_true(first, "ok"))
		return JVPNCTL_OK;
	return say(c, error_status(obj_get(first, "error")), c->cmd, "%s",
		   obj_get(first, "message") ? obj_get(first, "message")
					     : "refused");
}

int ctl_ask(struct ctl *c, const struct jvpnctl_opts *opts, const char *cmd,
	    const char *dev, const char *request, struct obj *first)
{
	struct obj ignored = { 0 };
	int status = ctl_open(c, opts, cmd, dev, request);

	if (!status)
		status = ctl_status(c, first ? first : &ignored);
	obj_free(&ignored);
	return status;
}

int ctl_read_all(struct ctl *c, struct objs *out)
{
	struct obj o = { 0 };
	int got;

	while ((got = ctl_next(c, &o)) > 0) {
		*objs_push(out) = o;
		o = (struct obj){ 0 };
	}
	obj_free(&o);
	return got < 0 ? JVPNCTL_FAILURE : JVPNCTL_OK;
}

void ctl_close(struct ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->buf = NULL;
	c->len = c->taken = 0;
	c->fd = -1;
}
