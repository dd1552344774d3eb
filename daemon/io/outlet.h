/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Where rendered events go: an appended file (or stdout), or a unix
 * datagram socket (syslog's /dev/log, journald's native socket). A send
 * never waits: what the other end cannot take at once is lost, and the
 * caller counts it. A socket whose listener went away (a restarted
 * syslogd binds a new one) or a file that could not be opened is opened
 * again, at most once per OUTLET_RETRY_NS, so that neither a dead
 * listener nor a busy loop costs the daemon anything.
 */
#ifndef JVPND_OUTLET_H
#define JVPND_OUTLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTLET_PATH_MAX 1024
#define OUTLET_RETRY_NS UINT64_C(1000000000)

enum outlet_transport {
	OUTLET_FILE,  /* path, or "stdout" */
	OUTLET_DGRAM, /* a unix datagram socket's path */
};

struct outlet {
	bool enabled; /* the configuration names it */
	enum outlet_transport transport;
	int fd; /* -1: not open right now */
	/* a short write left part of a line: the next one starts afresh */
	bool torn;
	uint64_t retry_ns; /* CLOCK_MONOTONIC: no reopening before */
	char path[OUTLET_PATH_MAX];
};

void outlet_init(struct outlet *o);
/* Enables o and opens it now: 0, or -errno (o stays enabled and is
 * retried), -ENAMETOOLONG (o stays off). Closes what o had open first. */
int outlet_open(struct outlet *o, enum outlet_transport transport,
		const char *path, uint64_t now_ns);
void outlet_close(struct outlet *o); /* and disables it */
/* true when all of buf went out, as one datagram or one write */
bool outlet_send(struct outlet *o, const char *buf, size_t len,
		 uint64_t now_ns);

#endif /* JVPND_OUTLET_H */
