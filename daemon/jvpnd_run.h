/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The composition root (jvpnd.c), for main.c. */
#ifndef JVPND_RUN_H
#define JVPND_RUN_H

#include "jvpnd.h"

/*
 * Runs @d (its config loaded, kernel links open, d->role set and the
 * tables allocated) until SIGTERM or SIGINT; 0, or 1 when it could not
 * start.
 */
int jvpnd_run(struct jvpnd *d);

#endif /* JVPND_RUN_H */
