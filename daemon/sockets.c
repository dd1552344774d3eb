// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <sys/epoll.h>

#include "role.h"
#include "sockets.h"
#include "udp.h"

/*
 * At most JVPND_RX_BATCH datagrams per socket per wakeup: the loop is
 * level-triggered (io/loop.c), so what is left is read on the next round,
 * after the tick timer, the control socket and the watchdog have had
 * their turn. Reading until EAGAIN let a flood starve all of them.
 */
static void on_datagrams(void *ctx, int fd, uint32_t events)
{
	struct jvpnd *d = ctx;
	uint8_t buf[JVPND_MAX_DATAGRAM];
	union jvpn_sockaddr from;
	ssize_t n;

	(void)events;
	for (size_t i = 0; i < JVPND_RX_BATCH; i++) {
		n = udp_recv(fd, &from, buf, sizeof(buf));
		if (n < 0)
			return;
		if (n > 0)
			d->role->datagram(d, fd, &from, buf, (size_t)n);
	}
}

int jvpnd_watch_udp(struct jvpnd *d, int fd)
{
	return loop_watch(&d->loop, fd, EPOLLIN, on_datagrams, d);
}
