/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * systemd's notify protocol (sd_notify(3)), spoken directly: READY once
 * the sockets are up, STATUS when the picture changes, WATCHDOG at half
 * the interval systemd asked for, STOPPING on the way out. Without
 * $NOTIFY_SOCKET (not started by systemd) every call does nothing.
 */
#ifndef JVPND_NOTIFY_H
#define JVPND_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct notify {
	int fd;		      /* -1: not under systemd */
	uint64_t watchdog_ms; /* 0: no watchdog asked for */
	uint64_t last_ping_ms;
	char status[128]; /* the last STATUS sent */
};

/* Reads and unsets the environment, so children do not inherit it. */
void notify_init(struct notify *n);
void notify_send(struct notify *n, const char *text);
/* STATUS=@status, if it differs from the last one. */
void notify_status(struct notify *n, const char *status);
/* WATCHDOG=1 when half the interval has passed since the last. */
void notify_tick(struct notify *n, uint64_t now_ms);
void notify_close(struct notify *n);

#endif /* JVPND_NOTIFY_H */
