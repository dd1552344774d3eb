/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnd's one event loop: epoll over descriptors, each with the function
 * to call when it is ready. It knows nothing of sessions, sockets' kinds
 * or the daemon: parts above register what they own (docs/architecture.md).
 */
#ifndef JVPND_LOOP_H
#define JVPND_LOOP_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*loop_fn)(void *ctx, int fd, uint32_t events);

#define LOOP_MAX_WATCHES 96

struct loop_watch {
	int fd; /* -1: free */
	loop_fn fn;
	void *ctx;
};

struct loop {
	int epfd;
	struct loop_watch watches[LOOP_MAX_WATCHES];
};

/* 0, or -errno */
int loop_init(struct loop *l);
void loop_close(struct loop *l);
/* Calls fn(ctx, fd, events) when fd is ready for @events (EPOLLIN...).
 * 0, or -errno (-ENOSPC: LOOP_MAX_WATCHES in use). */
int loop_watch(struct loop *l, int fd, uint32_t events, loop_fn fn, void *ctx);
int loop_rewatch(struct loop *l, int fd, uint32_t events);
/* Forgets fd (does not close it). */
void loop_unwatch(struct loop *l, int fd);
/* Waits up to @timeout_ms (-1: for ever) and dispatches what is ready;
 * 0, or -errno of epoll_wait (never -EINTR). */
int loop_run_once(struct loop *l, int timeout_ms);

#endif /* JVPND_LOOP_H */
