// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "klink.h"
#include "nl.h"

/*
 * jvpnd's side of the jvpn family: typed requests and events over lib/nl.c,
 * the one netlink client of the family, with each failure described in
 * k->err for the daemon's log.
 */

static void set_err(struct kernel_link *k, const char *what, int err)
{
	snprintf(k->err, sizeof(k->err), "%s: %s%s%s", what, strerror(err),
		 k->nl.extack[0] ? ": " : "", k->nl.extack);
}

/* Sends @nlh, runs @cb on each reply until the ack or the dump's end. */
static int transact(struct kernel_link *k, struct nlmsghdr *nlh,
		    const char *what, mnl_cb_t cb, void *data)
{
	int err = jvpn_nl_transact(&k->nl, nlh, cb, data);

	k->err[0] = '\0';
	if (err)
		set_err(k, what, -err);
	return err;
}

bool kernel_open(struct kernel_link *k, const char *ifname)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = if_nametoindex(ifname);
	if (!k->ifindex) {
		snprintf(k->err, sizeof(k->err), "device %s: %s", ifname,
			 strerror(errno));
		return false;
	}
	if (jvpn_nl_connect(&k->nl, "jvpnd")) {
		snprintf(k->err, sizeof(k->err), "%s", k->nl.err);
		kernel_close(k);
		return false;
	}
	return true;
}

bool kernel_open_events(struct kernel_link *k, const char *ifname)
{
	int fd;

	if (!kernel_open(k, ifname))
		return false;
	if (jvpn_nl_join_events(&k->nl)) {
		snprintf(k->err, sizeof(k->err), "%s", k->nl.err);
		kernel_close(k);
		return false;
	}
	fd = mnl_socket_get_fd(k->nl.sock);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return true;
}

void kernel_close(struct kernel_link *k)
{
	jvpn_nl_close(&k->nl);
}

int kernel_events_fd(const struct kernel_link *k)
{
	return mnl_socket_get_fd(k->nl.sock);
}

/* ---- requests ---- */

static struct nlmsghdr *request(struct kernel_link *k, uint8_t cmd, uint64_t id)
{
	struct nlmsghdr *nlh = jvpn_nl_request(&k->nl, cmd, 0);

	mnl_attr_put_u32(nlh, JVPN_A_IFINDEX, k->ifindex);
	if (id)
		mnl_attr_put_u64(nlh, JVPN_A_SESSION_ID, id);
	return nlh;
}

static void put_endpoint(struct nlmsghdr *nlh, uint16_t type,
			 const union jvpn_sockaddr *a)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	if (a->sa.sa_family == AF_INET) {
		mnl_attr_put(nlh, JVPN_EP_A_ADDR4, 4, &a->in4.sin_addr);
		mnl_attr_put_u16(nlh, JVPN_EP_A_PORT, ntohs(a->in4.sin_port));
	} else {
		mnl_attr_put(nlh, JVPN_EP_A_ADDR6, 16, &a->in6.sin6_addr);
		mnl_attr_put_u16(nlh, JVPN_EP_A_PORT, ntohs(a->in6.sin6_port));
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_allowed_ips(struct nlmsghdr *nlh, const struct jvpn_cidr *p,
			    size_t n)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IPS);

	for (size_t i = 0; i < n; i++) {
		struct nlattr *one =
			mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IP);

		mnl_attr_put_u16(nlh, JVPN_AIP_A_FAMILY, p[i].family);
		mnl_attr_put(nlh, JVPN_AIP_A_ADDR,
			     p[i].family == AF_INET ? 4 : 16, p[i].addr);
		mnl_attr_put_u8(nlh, JVPN_AIP_A_PREFIX_LEN, p[i].prefix_len);
		mnl_attr_nest_end(nlh, one);
	}
	mnl_attr_nest_end(nlh, list);
}

int kernel_session_new(struct kernel_link *k,
		       const struct kernel_session_spec *spec)
{
	struct nlmsghdr *nlh = request(k, JVPN_CMD_SESSION_NEW, spec->id);

	mnl_attr_put_u32(nlh, JVPN_A_SOCKET_FD, (uint32_t)spec->fd);
	put_endpoint(nlh, JVPN_A_REMOTE, &spec->remote);
	mnl_attr_put(nlh, JVPN_A_TX_KEY, JVPN_KEY_LEN, spec->tx_key);
	mnl_attr_put(nlh, JVPN_A_RX_KEY, JVPN_KEY_LEN, spec->rx_key);
	mnl_attr_put_u8(nlh, JVPN_A_KEY_PHASE, spec->key_phase);
	mnl_attr_put_u64(nlh, JVPN_A_STATE_VERSION, spec->state_version);
	mnl_attr_put_u8(nlh, JVPN_A_STATE, spec->state);
	mnl_attr_put_u32(nlh, JVPN_A_MIN_SWITCH_INTERVAL_MS,
			 spec->min_switch_ms);
	if (spec->n_allowed_ips)
		put_allowed_ips(nlh, spec->allowed_ips, spec->n_allowed_ips);
	if (spec->secrets)
		mnl_attr_put(nlh, JVPN_A_DAEMON_SECRETS,
			     (uint16_t)spec->secrets_len, spec->secrets);
	return transact(k, nlh, "session-new", NULL, NULL);
}

int kernel_session_switch(struct kernel_link *k, uint64_t id, int fd,
			  const union jvpn_sockaddr *remote, uint64_t expected,
			  uint64_t next)
{
	struct nlmsghdr *nlh = request(k, JVPN_CMD_SESSION_SWITCH, id);

	mnl_attr_put_u32(nlh, JVPN_A_SOCKET_FD, (uint32_t)fd);
	put_endpoint(nlh, JVPN_A_REMOTE, remote);
	mnl_attr_put_u64(nlh, JVPN_A_EXPECTED_VERSION, expected);
	mnl_attr_put_u64(nlh, JVPN_A_STATE_VERSION, next);
	return transact(k, nlh, "session-switch", NULL, NULL);
}

int kernel_session_set_state(struct kernel_link *k, uint64_t id,
			     uint64_t expected, uint64_t next, uint8_t state)
{
	struct nlmsghdr *nlh = request(k, JVPN_CMD_SESSION_SET, id);

	mnl_attr_put_u64(nlh, JVPN_A_EXPECTED_VERSION, expected);
	mnl_attr_put_u64(nlh, JVPN_A_STATE_VERSION, next);
	mnl_attr_put_u8(nlh, JVPN_A_STATE, state);
	return transact(k, nlh, "session-set", NULL, NULL);
}

int kernel_session_set_keys(struct kernel_link *k, uint64_t id,
			    const uint8_t *tx, const uint8_t *rx, uint8_t phase,
			    bool next, const uint8_t *secrets,
			    size_t secrets_len)
{
	struct nlmsghdr *nlh = request(k, JVPN_CMD_SESSION_SET_KEYS, id);

	mnl_attr_put(nlh, JVPN_A_TX_KEY, JVPN_KEY_LEN, tx);
	mnl_attr_put(nlh, JVPN_A_RX_KEY, JVPN_KEY_LEN, rx);
	mnl_attr_put_u8(nlh, JVPN_A_KEY_PHASE, phase);
	if (next)
		mnl_attr_put(nlh, JVPN_A_KEY_NEXT, 0, NULL);
	else if (secrets)
		mnl_attr_put(nlh, JVPN_A_DAEMON_SECRETS, (uint16_t)secrets_len,
			     secrets);
	return transact(k, nlh, "session-set-keys", NULL, NULL);
}

int kernel_session_del(struct kernel_link *k, uint64_t id, uint32_t reason)
{
	struct nlmsghdr *nlh = request(k, JVPN_CMD_SESSION_DEL, id);

	mnl_attr_put_u32(nlh, JVPN_A_DEL_REASON, reason);
	return transact(k, nlh, "session-del", NULL, NULL);
}

/* ---- replies and events ---- */

static void get_endpoint(const struct nlattr *nest, union jvpn_sockaddr *a)
{
	const struct nlattr *x;
	uint16_t port = 0;

	memset(a, 0, sizeof(*a));
	mnl_attr_for_each_nested(x, nest)
	{
		switch (mnl_attr_get_type(x)) {
		case JVPN_EP_A_ADDR4:
			if (mnl_attr_get_payload_len(x) != 4)
				break;
			a->in4.sin_family = AF_INET;
			memcpy(&a->in4.sin_addr, mnl_attr_get_payload(x), 4);
			break;
		case JVPN_EP_A_ADDR6:
			if (mnl_attr_get_payload_len(x) != 16)
				break;
			a->in6.sin6_family = AF_INET6;
			memcpy(&a->in6.sin6_addr, mnl_attr_get_payload(x), 16);
			break;
		case JVPN_EP_A_PORT:
			port = mnl_attr_get_u16(x);
			break;
		}
	}
	if (a->sa.sa_family == AF_INET)
		a->in4.sin_port = htons(port);
	else if (a->sa.sa_family == AF_INET6)
		a->in6.sin6_port = htons(port);
}

static uint64_t u64_of(const struct nlattr *a)
{
	return mnl_attr_get_payload_len(a) == 8 ? mnl_attr_get_u64(a) : 0;
}

static void get_stats(const struct nlattr *nest, uint64_t *stats)
{
	const struct nlattr *x;

	mnl_attr_for_each_nested(x, nest) if (mnl_attr_get_type(x) <=
					      JVPN_STATS_A_MAX)
		stats[mnl_attr_get_type(x)] = u64_of(x);
}

static int session_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kernel_session_info *s = data;
	const struct nlattr *a;

	memset(s, 0, sizeof(*s));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		switch (mnl_attr_get_type(a)) {
		case JVPN_A_SESSION_ID:
			s->id = u64_of(a);
			break;
		case JVPN_A_STATE_VERSION:
			s->state_version = u64_of(a);
			break;
		case JVPN_A_STATE:
			s->state = mnl_attr_get_u8(a);
			break;
		case JVPN_A_REMOTE:
			get_endpoint(a, &s->remote);
			break;
		case JVPN_A_LOCAL:
			get_endpoint(a, &s->local);
			break;
		case JVPN_A_LAST_RX_NS:
			s->last_rx_ns = u64_of(a);
			break;
		case JVPN_A_LAST_TX_NS:
			s->last_tx_ns = u64_of(a);
			break;
		case JVPN_A_STATS:
			get_stats(a, s->stats);
			break;
		case JVPN_A_DAEMON_SECRETS:
			s->secrets = mnl_attr_get_payload(a);
			s->secrets_len = mnl_attr_get_payload_len(a);
			break;
		}
	}
	return MNL_CB_OK;
}

int kernel_session_get(struct kernel_link *k, uint64_t id,
		       struct kernel_session_info *out)
{
	return transact(k, request(k, JVPN_CMD_SESSION_GET, id), "session-get",
			session_cb, out);
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh,
			  sizeof(struct genlmsghdr)) if (mnl_attr_get_type(a) ==
							 JVPN_A_STATS)
		get_stats(a, data);
	return MNL_CB_OK;
}

int kernel_dev_get(struct kernel_link *k, uint64_t stats[JVPN_STATS_A_MAX + 1])
{
	memset(stats, 0, (JVPN_STATS_A_MAX + 1) * sizeof(*stats));
	return transact(k, request(k, JVPN_CMD_DEV_GET, 0), "dev-get", dev_cb,
			stats);
}

static int socket_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(
		a, nlh,
		sizeof(struct genlmsghdr)) if (mnl_attr_get_type(a) ==
						       JVPN_A_SOCKET_FD &&
					       mnl_attr_get_payload_len(a) ==
						       4) *
		(int *)data = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

int kernel_session_get_socket(struct kernel_link *k, uint64_t id)
{
	int fd = -1, err;

	err = transact(k, request(k, JVPN_CMD_SESSION_GET_SOCKET, id),
		       "session-get-socket", socket_cb, &fd);
	if (err)
		return err;
	return fd >= 0 ? fd : -EPROTO;
}

struct dump_ctx {
	kernel_session_cb cb;
	void *ctx;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct kernel_session_info s;

	session_cb(nlh, &s);
	d->cb(&s, d->ctx);
	return MNL_CB_OK;
}

int kernel_session_dump(struct kernel_link *k, kernel_session_cb cb, void *ctx)
{
	struct nlmsghdr *nlh =
		jvpn_nl_request(&k->nl, JVPN_CMD_SESSION_GET, NLM_F_DUMP);
	struct dump_ctx d = { cb, ctx };

	mnl_attr_put_u32(nlh, JVPN_A_IFINDEX, k->ifindex);
	return transact(k, nlh, "session-dump", dump_cb, &d);
}

static void parse_event(const struct nlmsghdr *nlh, struct kernel_event *ev)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(ev, 0, sizeof(*ev));
	ev->type = g->cmd;
	mnl_attr_for_each(a, nlh, sizeof(*g))
	{
		switch (mnl_attr_get_type(a)) {
		case JVPN_A_EVENT_SEQ:
			ev->seq = u64_of(a);
			break;
		case JVPN_A_IFINDEX:
			ev->ifindex = mnl_attr_get_u32(a);
			break;
		case JVPN_A_SESSION_ID:
			ev->id = u64_of(a);
			break;
		case JVPN_A_STATE_VERSION:
			ev->state_version = u64_of(a);
			break;
		case JVPN_A_DEL_REASON:
			ev->del_reason = mnl_attr_get_u32(a);
			break;
		case JVPN_A_REMOTE:
			get_endpoint(a, &ev->remote);
			break;
		case JVPN_A_LOCAL:
			get_endpoint(a, &ev->local);
			break;
		}
	}
}

struct event_ctx {
	kernel_event_cb cb;
	void *ctx;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct event_ctx *e = data;
	struct kernel_event ev;

	parse_event(nlh, &ev);
	e->cb(&ev, e->ctx);
	return MNL_CB_OK;
}

int kernel_events_read(struct kernel_link *k, kernel_event_cb cb, void *ctx)
{
	struct event_ctx e = { cb, ctx };
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(k->nl.sock, k->nl.rx, JVPN_NL_BUF_SIZE);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		mnl_cb_run(k->nl.rx, (size_t)n, 0, 0, event_cb, &e);
	}
}
