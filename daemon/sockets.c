// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <sys/epoll.h>

#include "role.h"
#include "sockets.h"
#include "udp.h"

static void on_datagrams(void *ctx, int fd, uint32_t events)
{
	struct jvpnd *d = ctx;
	uint8_t buf[JVPND_MAX_DATAGRAM];
	union jvpn_sockaddr from;
	ssize_t n;

	(void)events;
	while ((n = udp_recv(fd, &from, buf, sizeof(buf))) >= 0) {
		if (n < 1)
			continue;
		d->role->datagram(d, fd, &from, buf, (size_t)n);
	}
}

int jvpnd_watch_udp(struct jvpnd *d, int fd)
{
	return loop_watch(&d->loop, fd, EPOLLIN, on_datagrams, d);
}
