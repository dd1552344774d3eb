/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_EVENTS_H
#define _JVPN_EVENTS_H

#include <linux/jvpn.h>

struct jvpn_endpoint;
struct jvpn_session;
struct net;

/*
 * Multicast notifications on the "events" group. Each carries a sequence
 * number per network namespace, so a subscriber sees any gap. A message is
 * built only when somebody listens; sending never waits.
 */
int jvpn_events_register(void);
void jvpn_events_unregister(void);

void jvpn_event_created(struct jvpn_session *s);
void jvpn_event_deleted(struct jvpn_session *s, enum jvpn_del_reason reason);
void jvpn_event_switched(struct jvpn_session *s,
			 const struct jvpn_endpoint *old_remote,
			 const struct jvpn_endpoint *new_remote);
void jvpn_event_state(struct jvpn_session *s, u8 old_state);
/* From the receive path: authenticated data from an unbound endpoint. */
void jvpn_event_stray(struct jvpn_session *s, const struct jvpn_endpoint *src,
		      const struct jvpn_endpoint *local);

#endif /* _JVPN_EVENTS_H */
