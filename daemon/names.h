/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Stable names of reasons and states: events and logs carry these. */
#ifndef JVPND_NAMES_H
#define JVPND_NAMES_H

#include "proto.h"

const char *reason_name(enum jvpn_reason reason);
/* enum jvpn_state of uapi/linux/jvpn.h */
const char *state_name(int state);

#endif /* JVPND_NAMES_H */
