/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_TRANSPORT_H
#define _JVPN_TRANSPORT_H

#include <linux/workqueue.h>
#include <net/dst_cache.h>
#include "endpoint.h"

struct jvpn_device;
struct netlink_ext_ack;
struct net_device;
struct socket;

/*
 * A UDP socket that userspace handed to a device. The device consumes its
 * data packets; every other packet reaches the socket's owner as usual.
 * Shared by every session bound to it; counted under the device's lock.
 */
struct jvpn_sock {
	struct socket *sock;
	struct jvpn_device *jd;
	unsigned int users;
	bool attached;			/* claimed: on jd->socks */
	u8 mc_loop;			/* the owner's, given back on detach */
	struct list_head dev_node;
	struct rcu_work release_work;
};

/* Socket plus remote endpoint: what a session sends through. */
struct jvpn_transport {
	struct jvpn_sock *js;
	struct jvpn_endpoint remote;
	struct dst_cache dst_cache;
	struct rcu_head rcu;
};

/* Deferred socket releases run here; drained before the module leaves. */
extern struct workqueue_struct *jvpn_wq;

/*
 * The socket behind @fd, checked (or shared, when already attached); device
 * lock held. A new one is not attached until jvpn_sock_claim(): a request
 * refused before then leaves the socket untouched.
 */
struct jvpn_sock *jvpn_sock_get(struct jvpn_device *jd, int fd,
				struct netlink_ext_ack *extack);
/* Attaches the socket, once a request can no longer be refused for it. */
int jvpn_sock_claim(struct jvpn_sock *js, struct netlink_ext_ack *extack);
void jvpn_sock_put(struct jvpn_sock *js);

/* Takes over the caller's reference on @js. */
struct jvpn_transport *jvpn_transport_new(struct jvpn_sock *js,
					  const struct jvpn_endpoint *remote,
					  struct netlink_ext_ack *extack);
/* Device lock held: drops the socket, frees after a grace period. */
void jvpn_transport_release(struct jvpn_transport *t);
/* Is a packet from @src received on @js on this transport's path? */
bool jvpn_transport_matches(const struct jvpn_transport *t,
			    const struct jvpn_sock *js,
			    const struct jvpn_endpoint *src);
/* Sends a sealed packet with outer DS field @ds; consumes @skb. */
int jvpn_transport_send(struct jvpn_transport *t, struct sk_buff *skb,
			struct net_device *dev, u8 ds);

/* The UDP encapsulation hook, in receive.c. */
int jvpn_udp_encap_recv(struct sock *sk, struct sk_buff *skb);

#endif /* _JVPN_TRANSPORT_H */
