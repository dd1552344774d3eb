/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* A new configuration for a running daemon (SIGHUP, jvpnctl policy reload). */
#ifndef JVPND_RECONFIGURE_H
#define JVPND_RECONFIGURE_H

#include <stdbool.h>

#include "jvpnd.h"

/*
 * Reads the config file again: applied only if valid in full; false with
 * every finding in @diag otherwise. The outlets are reopened either way.
 */
bool jvpnd_reload(struct jvpnd *d, struct diag *diag);

#endif /* JVPND_RECONFIGURE_H */
