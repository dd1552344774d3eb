/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_RECEIVE_H
#define _JVPN_RECEIVE_H

#include <linux/workqueue.h>

struct jvpn_session;

/* Opening received packets runs here, on another CPU than their softirq. */
extern struct workqueue_struct *jvpn_crypt_wq;

int jvpn_receive_wq_init(void);
void jvpn_receive_wq_destroy(void);

/* Sets up the session's receive queues, worker and NAPI (running). */
void jvpn_receive_init_session(struct jvpn_session *s);
/*
 * The session is unpublished: stops its NAPI. Device lock held, sleeps.
 * Packets already queued are opened, then dropped.
 */
void jvpn_receive_quiesce_session(struct jvpn_session *s);
/* No reader can reach the session any more: waits for its worker, purges. */
void jvpn_receive_stop_session(struct jvpn_session *s);

#endif /* _JVPN_RECEIVE_H */
