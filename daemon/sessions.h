/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one owner of the session table (struct jvpnd.sessions) and of what
 * gateway and client do alike with a session: find it, count it, install
 * it in the kernel, mirror its state machine there, judge its health each
 * tick, switch it, end it.
 */
#ifndef JVPND_SESSIONS_H
#define JVPND_SESSIONS_H

#include "jvpnd.h"

struct session *session_find(struct jvpnd *d, uint64_t id);
/* Sessions in use; by state too, if @by_state is not NULL. */
size_t sessions_count(const struct jvpnd *d, uint64_t by_state[STATS_STATES]);
/* The greatest handshake time of @pub, or NULL; and recording one. */
const struct hs_time *peer_time_get(const struct jvpnd *d,
				    const uint8_t pub[JVPN_KEY_LEN]);
void peer_time_set(struct jvpnd *d, const uint8_t pub[JVPN_KEY_LEN],
		   const struct hs_time *ts);
/* After any change of a session: the state file follows (jvpnd.c). */
void jvpnd_changed(struct jvpnd *d);
/* sm outlet: every transition becomes an event and a kernel mirror. */
void session_sm_outlet(void *ctx, const struct sm_record *rec);

const struct policy *session_policy(const struct jvpnd *d,
				    const struct session *s);
void session_limits(const struct policy *p, struct sm_limits *lim);
void session_reattach_policy(const struct policy *p,
			     struct reattach_policy *rp);
void session_degraded_policy(struct reattach_policy *rp);
/* A session whose handshake completed: HANDSHAKE, not yet in the kernel. */
struct session *session_new(struct jvpnd *d, size_t peer,
			    const struct handshake_keys *keys, int fd,
			    const union jvpn_sockaddr *remote);
/*
 * The peer proved it holds the new keys (its first probe): ACTIVE, in the
 * kernel, and only now the peer's previous session ends (REPLACED).
 */
bool session_confirm(struct jvpnd *d, struct session *s);
/* Health and TTLs; returns false when the session ended. */
bool session_tick(struct jvpnd *d, struct session *s);
void session_end(struct jvpnd *d, struct session *s, enum jvpnd_reason why);
/* The kernel reports session @id deleted (SESSION_DELETED, with its
 * JVPN_DEL_REASON_*): the daemon's session ends too, with no ghost left. */
void sessions_kernel_deleted(struct jvpnd *d, uint64_t id, uint32_t kreason);
/* After lost kernel events: dumps the kernel's sessions and ends each of
 * the daemon's that the kernel no longer holds. The number ended, or
 * -errno of the dump. */
int sessions_reconcile(struct jvpnd *d);
/*
 * The device went with its module (daemon/kernelback.c): each session is
 * kept, marked lost and VOLATILE (reason KERNEL_LOST), and waits for a
 * fresh handshake with its peer; nothing is asked of the kernel for it.
 */
void sessions_kernel_lost(struct jvpnd *d);
/*
 * A lost session in the new kernel, with @keys of a fresh handshake as
 * its current pair, its id, binding and state_version kept; ACTIVE again
 * (RECOVERED). 0, or -errno with the old keys still the session's.
 */
int session_resume(struct jvpnd *d, struct session *s,
		   const struct handshake_keys *keys);
/* Moves the kernel's binding (CAS on state_version), then the sm. */
int session_switch(struct jvpnd *d, struct session *s, int fd,
		   const union jvpn_sockaddr *remote, enum jvpnd_reason why);
/* The same, the switch taking version max(version + 1, @at_least). */
int session_switch_to(struct jvpnd *d, struct session *s, int fd,
		      const union jvpn_sockaddr *remote, enum jvpnd_reason why,
		      uint64_t at_least);
/* Installs @keys' generation in the kernel: to open only, or current. */
int session_install_keys(struct jvpnd *d, struct session *s,
			 const struct handshake_keys *keys, bool next);

#endif /* JVPND_SESSIONS_H */
