/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What differs between a gateway and a client, as one interface: the
 * composition root (jvpnd.c) picks gateway_role or client_role from the
 * config and calls only these, so no part of the shell asks which role it
 * runs in (docs/architecture.md).
 */
#ifndef JVPND_ROLE_H
#define JVPND_ROLE_H

#include <stddef.h>
#include <stdint.h>

#include "jvpnd.h"
#include "json.h"
#include "udp.h"

struct role_ops {
	const char *name; /* "gateway" or "client": status, metrics */
	/* sessions the table must hold room for (a reload may add peers) */
	size_t (*max_sessions)(void);
	/* the table slot of config peer @peer's session */
	size_t (*slot_of_peer)(size_t peer);
	/* after the state file is restored: open sockets, start talking */
	int (*start)(struct jvpnd *d);
	void (*datagram)(struct jvpnd *d, int fd,
			 const union jvpn_sockaddr *from, const uint8_t *msg,
			 size_t len);
	void (*kernel_event)(struct jvpnd *d, const struct kernel_event *ev);
	/* the device is back after jvpn.ko was reloaded, its lost sessions
	 * not yet resumed (daemon/kernelback.c); may be NULL */
	void (*kernel_back)(struct jvpnd *d);
	/* every JVPND_TICK_MS */
	void (*tick)(struct jvpnd *d);
	/* the daemon is stopping (sessions stay in the kernel); may be NULL */
	void (*stop)(struct jvpnd *d);
	/* what jvpnctl session show adds for this role; may be NULL */
	void (*describe)(const struct jvpnd *d, const struct session *s,
			 struct json_line *j);
	/* jvpnctl drill: starts a forced switch of @s, over uplink @uplink
	 * (NULL: the next usable one); -1 with @why when refused */
	int (*drill)(struct jvpnd *d, struct session *s, const char *uplink,
		     char *why, size_t why_size);
};

extern const struct role_ops gateway_role;
extern const struct role_ops client_role;

#endif /* JVPND_ROLE_H */
