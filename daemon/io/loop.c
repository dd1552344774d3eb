// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

int loop_init(struct loop *l)
{
	for (size_t i = 0; i < LOOP_MAX_WATCHES; i++)
		l->watches[i] = (struct loop_watch){ .fd = -1 };
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void loop_close(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

static struct loop_watch *find(struct loop *l, int fd)
{
	for (size_t i = 0; i < LOOP_MAX_WATCHES; i++)
		if (l->watches[i].fn && l->watches[i].fd == fd)
			return &l->watches[i];
	return NULL;
}

int loop_watch(struct loop *l, int fd, uint32_t events, loop_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	struct loop_watch *w = find(l, fd);

	for (size_t i = 0; !w && i < LOOP_MAX_WATCHES; i++)
		if (!l->watches[i].fn)
			w = &l->watches[i];
	if (!w)
		return -ENOSPC;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	*w = (struct loop_watch){ .fd = fd, .fn = fn, .ctx = ctx };
	return 0;
}

int loop_rewatch(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

void loop_unwatch(struct loop *l, int fd)
{
	struct loop_watch *w = find(l, fd);

	if (!w)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	*w = (struct loop_watch){ .fd = -1 };
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[16];
	int n = epoll_wait(l->epfd, evs, 16, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		/* an earlier callback may have unwatched (and closed) it */
		struct loop_watch *w = find(l, evs[i].data.fd);

		if (w)
			w->fn(w->ctx, w->fd, evs[i].events);
	}
	return 0;
}
