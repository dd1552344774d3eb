/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* What gateway and client do alike with a session: install it in the
 * kernel, judge its health each tick, end it. */
#ifndef JVPND_SESSION_H
#define JVPND_SESSION_H

#include "daemon.h"

const struct policy *session_policy(const struct jvpnd *d,
				    const struct session *s);
void session_limits(const struct policy *p, struct sm_limits *lim);
void session_reattach_policy(const struct policy *p,
			     struct reattach_policy *rp);
void session_degraded_policy(struct reattach_policy *rp);
/* A session whose handshake completed: HANDSHAKE, not yet in the kernel. */
struct session *session_new(struct jvpnd *d, size_t peer,
			    const struct handshake_keys *keys, int fd,
			    const union config_sockaddr *remote);
/*
 * The peer proved it holds the new keys (its first probe): ACTIVE, in the
 * kernel, and only now the peer's previous session ends (REPLACED).
 */
bool session_confirm(struct jvpnd *d, struct session *s);
/* Health and TTLs; returns false when the session ended. */
bool session_tick(struct jvpnd *d, struct session *s);
void session_end(struct jvpnd *d, struct session *s, enum jvpnd_reason why);
/* Moves the kernel's binding (CAS on state_version), then the sm. */
int session_switch(struct jvpnd *d, struct session *s, int fd,
		   const union config_sockaddr *remote, enum jvpnd_reason why);
uint64_t wall_ms(void);
/* Installs @keys' generation in the kernel: to open only, or current. */
int session_install_keys(struct jvpnd *d, struct session *s,
			 const struct handshake_keys *keys, bool next);

#endif /* JVPND_SESSION_H */
