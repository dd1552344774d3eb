// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching userspace's UDP sockets. Data and control share one port: the
 * kernel claims only JVPN_MSG_DATA packets (receive.c) and leaves the rest
 * on the socket for the daemon.
 */
#include <linux/file.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/ipv6.h>
#include "device.h"
#include "transport.h"

/* any nonzero value: it only tells UDP to call encap_rcv */
#define JVPN_UDP_ENCAP_TYPE	1

struct workqueue_struct *jvpn_wq;

/* Can an AF_INET6 socket receive IPv4 packets (as v4-mapped sources)? */
static bool dual_stack(const struct sock *sk)
{
#if IS_ENABLED(CONFIG_IPV6)
	return sk->sk_family == AF_INET6 && !sk->sk_ipv6only &&
	       (ipv6_addr_any(&sk->sk_v6_rcv_saddr) ||
		ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr));
#else
	return false;
#endif
}

static int check_udp_socket(struct jvpn_device *jd, struct socket *sock,
			    struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;

	if (!sk || sk->sk_type != SOCK_DGRAM ||
	    sk->sk_protocol != IPPROTO_UDP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "socket fd is not a UDP socket");
		return -EPROTOTYPE;
	}
	if (!net_eq(sock_net(sk), dev_net(jd->dev))) {
		NL_SET_ERR_MSG(extack,
			       "UDP socket belongs to another network namespace than the device");
		return -EXDEV;
	}
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG(extack, "UDP socket is not bound to a port");
		return -EDESTADDRREQ;
	}
	if (dual_stack(sk)) {
		NL_SET_ERR_MSG(extack,
			       "IPv6 UDP socket also receives IPv4: set IPV6_V6ONLY or bind an IPv6 address");
		return -EAFNOSUPPORT;
	}
	/* a hint only: jvpn_sock_claim() decides under sk_callback_lock */
	if (rcu_access_pointer(sk->sk_user_data) ||
	    READ_ONCE(udp_sk(sk)->encap_type)) {
		NL_SET_ERR_MSG(extack,
			       "UDP socket is already used by another tunnel");
		return -EBUSY;
	}
	return 0;
}

static struct jvpn_sock *find_attached(struct jvpn_device *jd,
				       struct socket *sock)
{
	struct jvpn_sock *js;

	list_for_each_entry(js, &jd->socks, dev_node)
		if (js->sock == sock)
			return js;
	return NULL;
}

/* Takes sk_user_data unless another tunnel has meanwhile. */
static bool take_user_data(struct jvpn_sock *js)
{
	struct sock *sk = js->sock->sk;
	bool taken = false;

	lock_sock(sk);
	write_lock_bh(&sk->sk_callback_lock);
	if (!rcu_access_pointer(sk->sk_user_data) &&
	    !READ_ONCE(udp_sk(sk)->encap_type)) {
		rcu_assign_sk_user_data(sk, js);
		taken = true;
	}
	write_unlock_bh(&sk->sk_callback_lock);
	js->mc_loop = inet_sk(sk)->mc_loop;
	release_sock(sk);
	return taken;
}

int jvpn_sock_claim(struct jvpn_sock *js, struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data = js,
		.encap_type = JVPN_UDP_ENCAP_TYPE,
		.encap_rcv = jvpn_udp_encap_recv,
	};

	lockdep_assert_held(&js->jd->lock);
	if (js->attached)
		return 0;
	if (!take_user_data(js)) {
		NL_SET_ERR_MSG(extack,
			       "UDP socket is already used by another tunnel");
		return -EBUSY;
	}
	setup_udp_tunnel_sock(sock_net(js->sock->sk), js->sock, &cfg);
	js->attached = true;
	list_add(&js->dev_node, &js->jd->socks);
	return 0;
}

/* Gives the socket back to its owner as the plain UDP socket it was. */
static void detach(struct jvpn_sock *js)
{
	struct sock *sk = js->sock->sk;

	lock_sock(sk);
	inet_sk(sk)->mc_loop = js->mc_loop;
	inet_dec_convert_csum(sk);
	WRITE_ONCE(udp_sk(sk)->encap_type, 0);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, NULL);
	write_unlock_bh(&sk->sk_callback_lock);
	release_sock(sk);
}

static void release_work(struct work_struct *work)
{
	struct jvpn_sock *js = container_of(to_rcu_work(work),
					    struct jvpn_sock, release_work);

	sockfd_put(js->sock);
	kfree(js);
}

struct jvpn_sock *jvpn_sock_get(struct jvpn_device *jd, int fd,
				struct netlink_ext_ack *extack)
{
	struct jvpn_sock *js;
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG(extack, "socket fd is not an open socket");
		return ERR_PTR(err);
	}
	js = find_attached(jd, sock);
	if (js) {
		js->users++;
		sockfd_put(sock);
		return js;
	}
	err = check_udp_socket(jd, sock, extack);
	if (err)
		goto out_put;
	err = -ENOMEM;
	js = kzalloc(sizeof(*js), GFP_KERNEL);
	if (!js)
		goto out_put;
	js->sock = sock;
	js->jd = jd;
	js->users = 1;
	INIT_RCU_WORK(&js->release_work, release_work);
	return js;
out_put:
	sockfd_put(sock);
	return ERR_PTR(err);
}

void jvpn_sock_put(struct jvpn_sock *js)
{
	lockdep_assert_held(&js->jd->lock);
	if (--js->users)
		return;
	if (js->attached) {
		list_del(&js->dev_node);
		detach(js);
	}
	/*
	 * receivers that already found us, and senders of a session that was
	 * never published, finish before the socket goes
	 */
	queue_rcu_work(jvpn_wq, &js->release_work);
}
