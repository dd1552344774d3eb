// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/sockets.c: a socket with a flood queued yields at
 * most JVPND_RX_BATCH datagrams per wakeup, so that a timer ready at the
 * same time runs in that same round, and the rest follow in later rounds.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "role.h"
#include "sockets.h"

#define FLOOD 300

static size_t datagrams;

static void count_datagram(struct jvpnd *d, int fd,
			   const union jvpn_sockaddr *from, const uint8_t *msg,
			   size_t len)
{
	(void)d;
	(void)fd;
	(void)from;
	(void)msg;
	(void)len;
	datagrams++;
}

static const struct role_ops counting_role = {
	.name = "test",
	.datagram = count_datagram,
};

static void on_timer(void *ctx, int fd, uint32_t events)
{
	uint64_t n;

	(void)events;
	if (read(fd, &n, sizeof(n)) == sizeof(n))
		(*(size_t *)ctx)++;
}

static int bound_udp(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int rcvbuf = 4 << 20;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)addr, &len), 0);
	return fd;
}

static int ready_timer(void)
{
	struct itimerspec it = { .it_value = { .tv_nsec = 1000 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);

	assert_true(fd >= 0);
	assert_int_equal(timerfd_settime(fd, 0, &it, NULL), 0);
	usleep(1000);
	return fd;
}

static void test_flood_is_read_in_batches(void **state)
{
	struct jvpnd *d = calloc(1, sizeof(*d));
	struct sockaddr_in addr;
	int rx, tx, tfd;
	uint8_t msg[76] = { 0x04 };
	size_t ticks = 0, rounds = 0;

	(void)state;
	assert_non_null(d);
	d->role = &counting_role;
	assert_int_equal(loop_init(&d->loop), 0);
	rx = bound_udp(&addr);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	for (int i = 0; i < FLOOD; i++)
		assert_int_equal(sendto(tx, msg, sizeof(msg), 0,
					(struct sockaddr *)&addr, sizeof(addr)),
				 (ssize_t)sizeof(msg));
	tfd = ready_timer();
	assert_int_equal(jvpnd_watch_udp(d, rx), 0);
	assert_int_equal(loop_watch(&d->loop, tfd, EPOLLIN, on_timer, &ticks),
			 0);
	assert_int_equal(loop_run_once(&d->loop, 1000), 0);
	/* one batch, and the timer in the same round */
	assert_int_equal(datagrams, JVPND_RX_BATCH);
	assert_int_equal(ticks, 1);
	while (datagrams < FLOOD && rounds++ < FLOOD)
		assert_int_equal(loop_run_once(&d->loop, 1000), 0);
	assert_int_equal(datagrams, FLOOD);
	assert_true(rounds >=
		    (FLOOD + JVPND_RX_BATCH - 1) / JVPND_RX_BATCH - 1);
	loop_close(&d->loop);
	close(rx);
	close(tx);
	close(tfd);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_is_read_in_batches),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("sockets", tests, NULL, NULL);
}
