/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * /metrics: Prometheus text exposition (format 0.0.4) on a loopback HTTP
 * port, off unless `metrics-listen` is set (docs/metrics.md).
 *
 * The server lives inside jvpnd's one loop, so it must never make the loop
 * wait: every socket is non-blocking, at most METRICS_MAX_CONNS requests
 * are served at once, a request is at most METRICS_REQUEST_MAX bytes and
 * METRICS_TIMEOUT_MS long, and a response the client is slow to read is
 * written as the socket takes it (EPOLLOUT), never in a blocking write.
 * Every connection carries one request and is closed after the answer.
 *
 * The parts below the server are pure and tested on their own: the HTTP
 * request parser (io/http.h), the exposition writer (core/expo.h) and the
 * renderers of the daemon's numbers (core/metrics_page.h).
 */
#ifndef JVPND_METRICS_H
#define JVPND_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expo.h"
#include "http.h"
#include "metrics_page.h"

#define METRICS_MAX_CONNS   8
#define METRICS_REQUEST_MAX HTTP_REQUEST_MAX
#define METRICS_TIMEOUT_MS  5000 /* whole connection, read and write */

/* ---- the server in jvpnd ---- */

struct jvpnd;

/*
 * Makes the running server match d->cfg.interface.metrics_listen: starts
 * it, moves it to a new address, or stops it. At start and on a reload.
 * A listener that cannot be opened is reported and leaves metrics off (or
 * on the old address); the VPN runs on either way.
 */
void metrics_apply_config(struct jvpnd *d);
void metrics_stop(struct jvpnd *d);

#endif /* JVPND_METRICS_H */
