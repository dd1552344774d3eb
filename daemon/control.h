/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnctl's way into jvpnd: a unix stream socket that only root can open
 * (a 0700 directory, a 0600 socket, and the peer's credentials checked on
 * accept). One request line, JSON lines back; `monitor` keeps the
 * connection and streams every event. Protocol: docs/control-socket.md.
 * Nothing here may block the loop: a client that reads slowly loses
 * monitor lines (it sees the gap in seq) or, for an answer, its
 * connection.
 */
#ifndef JVPND_CONTROL_H
#define JVPND_CONTROL_H

#include <stdbool.h>

struct jvpnd;

/* Creates the socket at cfg.interface.control_socket: 0, or -errno
 * having printed why. */
int control_start(struct jvpnd *d);
/* Closes every connection and removes the socket. */
void control_stop(struct jvpnd *d);
/* Idle connections time out. */
void control_tick(struct jvpnd *d);

#endif /* JVPND_CONTROL_H */
