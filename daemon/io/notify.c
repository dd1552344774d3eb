// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

static int connect_notify_socket(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int fd;

	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(addr.sun_path))
		return -1;
	memcpy(addr.sun_path, path, len);
	if (path[0] == '@') /* the abstract namespace */
		addr.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				len))) {
		close(fd);
		return -1;
	}
	return fd;
}

void notify_init(struct notify *n)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");

	*n = (struct notify){ .fd = path ? connect_notify_socket(path) : -1 };
	/* the watchdog is ours only if systemd named this process */
	if (usec && (!pid || strtol(pid, NULL, 10) == getpid()))
		n->watchdog_ms = strtoull(usec, NULL, 10) / 1000;
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

void notify_send(struct notify *n, const char *text)
{
	/* a lost notification costs a restart at worst: never wait for it */
	if (n->fd >= 0)
		(void)send(n->fd, text, strlen(text), MSG_DONTWAIT);
}

void notify_status(struct notify *n, const char *status)
{
	char text[sizeof(n->status) + 8];

	if (!strcmp(status, n->status))
		return;
	snprintf(n->status, sizeof(n->status), "%s", status);
	snprintf(text, sizeof(text), "STATUS=%s", n->status);
	notify_send(n, text);
}

void notify_tick(struct notify *n, uint64_t now_ms)
{
	if (!n->watchdog_ms || now_ms - n->last_ping_ms < n->watchdog_ms / 2)
		return;
	n->last_ping_ms = now_ms;
	notify_send(n, "WATCHDOG=1");
}

void notify_close(struct notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
