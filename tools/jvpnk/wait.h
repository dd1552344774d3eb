/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef JVPNK_WAIT_H
#define JVPNK_WAIT_H

#include <stdint.h>

/* A time budget that several waits draw from: -1 means no limit. */
#define WAIT_FOREVER ((int64_t)-1)

/*
 * Waits until fd is readable, at most *budget_ms, and takes the time
 * spent from *budget_ms. Returns 1 readable, 0 budget spent, -1 with errno.
 */
int wait_readable(int fd, int64_t *budget_ms);

#endif /* JVPNK_WAIT_H */
