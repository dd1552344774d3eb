// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "outlet.h"

void outlet_init(struct outlet *o)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

static int open_file(const char *path)
{
	int fd;

	if (!strcmp(path, "stdout"))
		fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
	else
		fd = open(path,
			  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
			  0640);
	if (fd < 0)
		return -errno;
	/* a reader that stalls (a pipe) must cost us lines, never the main
	 * loop; a regular file ignores this, see docs/events.md */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int open_dgram(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void close_fd(struct outlet *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

/* Rate-limited: a listener that is gone costs one attempt a second.
 * 0, -EAGAIN (not yet), or -errno of the attempt. */
static int reopen(struct outlet *o, uint64_t now_ns)
{
	int fd;

	if (now_ns < o->retry_ns)
		return -EAGAIN;
	o->retry_ns = now_ns + OUTLET_RETRY_NS;
	close_fd(o);
	fd = o->transport == OUTLET_DGRAM ? open_dgram(o->path)
					  : open_file(o->path);
	o->fd = fd >= 0 ? fd : -1;
	return fd >= 0 ? 0 : fd;
}

int outlet_open(struct outlet *o, enum outlet_transport transport,
		const char *path, uint64_t now_ns)
{
	close_fd(o);
	if (strlen(path) >= sizeof(o->path)) {
		o->enabled = false;
		return -ENAMETOOLONG;
	}
	strcpy(o->path, path);
	o->transport = transport;
	o->enabled = true;
	o->torn = false;
	o->retry_ns = 0;
	return reopen(o, now_ns);
}

void outlet_close(struct outlet *o)
{
	close_fd(o);
	o->enabled = false;
}

static bool send_once(int fd, const char *buf, size_t len)
{
	return send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len;
}

static bool send_dgram(struct outlet *o, const char *buf, size_t len,
		       uint64_t now_ns)
{
	if (send_once(o->fd, buf, len))
		return true;
	/* a listener that is only busy keeps its connection */
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
	    errno == EMSGSIZE || errno == EINTR)
		return false;
	/* gone (ECONNREFUSED, ENOTCONN, ...): a restarted listener may
	 * already be bound to the same path */
	close_fd(o);
	return !reopen(o, now_ns) && send_once(o->fd, buf, len);
}

static bool write_file(struct outlet *o, const char *buf, size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = "\n", .iov_len = 1 },
		{ .iov_base = (void *)buf, .iov_len = len },
	};
	size_t head = o->torn ? 1 : 0;
	ssize_t n = writev(o->fd, iov + 1 - head, 1 + (int)head);

	if (n <= 0)
		return false;
	/* only the newline that closes the torn line went out: clean again */
	o->torn = (size_t)n > head && (size_t)n < head + len;
	return (size_t)n == head + len;
}

bool outlet_send(struct outlet *o, const char *buf, size_t len, uint64_t now_ns)
{
	if (!o->enabled)
		return false;
	if (o->fd < 0 && reopen(o, now_ns))
		return false;
	if (o->transport == OUTLET_DGRAM)
		return send_dgram(o, buf, len, now_ns);
	return write_file(o, buf, len);
}
