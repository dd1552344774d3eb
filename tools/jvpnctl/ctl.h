/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The daemon's control socket, client side (docs/control-socket.md): one
 * request line, JSON lines back, the first saying ok or naming an error.
 */
#ifndef JVPNCTL_CTL_H
#define JVPNCTL_CTL_H

#include <stdio.h>
#include <sys/types.h>

#include "jvpnctl.h"
#include "kview.h"

#define CTL_DIR "/run/jvpnd"

#define CTL_LINE_MAX 65536

struct ctl {
	const char *cmd;
	char path[108];
	char *buf; /* what was read and not yet taken */
	size_t len, taken;
	int fd;
	bool quiet; /* opts->quiet: a probe, errors unsaid */
};

/*
 * Finds the socket: opts->socket, else CTL_DIR/DEV.sock, else the only
 * socket in CTL_DIR. Connects and sends @request. Returns an exit status
 * (JVPNCTL_NO_DAEMON, JVPNCTL_PERMISSION, ...) having said why.
 */
int ctl_open(struct ctl *c, const struct jvpnctl_opts *opts, const char *cmd,
	     const char *dev, const char *request);
/* Reads the status line: JVPNCTL_OK, or the error's status, said. */
int ctl_status(struct ctl *c, struct obj *first);
/*
 * ctl_open, then ctl_status: the one way every command asks the daemon.
 * @first (NULL: not wanted) gets the status line. Whatever the result,
 * the caller reads on (a refusal may be followed by its findings) and
 * then calls ctl_close().
 */
int ctl_ask(struct ctl *c, const struct jvpnctl_opts *opts, const char *cmd,
	    const char *dev, const char *request, struct obj *first);
/* The next line as an object: 1, 0 at the end, -1 on garbage (said). */
int ctl_next(struct ctl *c, struct obj *o);
/* One read(2) into the buffer: > 0, 0 at the end, < 0 on an error. For a
 * caller that polls the descriptor (monitor). */
int ctl_fill(struct ctl *c);
/* The next whole line already read, without its newline, or NULL. */
char *ctl_line(struct ctl *c);
/* Reads every remaining line into @out. */
int ctl_read_all(struct ctl *c, struct objs *out);
void ctl_close(struct ctl *c);

#endif /* JVPNCTL_CTL_H */
