// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: a netlink fuzzer for jvpn.ko, run in the test VM
 * (selftests/net/hardening.sh, make check-debug).
 *
 *   nlfuzz [--seconds N] [--messages N] [--seed N] [--userns]
 *
 * In a network namespace of its own (with --userns: as nobody, in a user
 * namespace of its own too, the way any local user reaches the module),
 * it keeps a few jvpn devices and UDP sockets and sends, until the time
 * or the message budget is spent, a random mix of:
 *   - generic-netlink requests of the jvpn family, built from the uapi:
 *     any command number, attributes of plausible types and values
 *     (ifindexes of its devices, session ids from a small pool, its own
 *     socket fds, keys, nested endpoints and allowed-IP lists), some of
 *     them truncated, oversized or nested wrongly;
 *   - the same, mutated byte-wise after being built;
 *   - session dumps;
 *   - rtnetlink link operations on "type jvpn": new, delete, up, down,
 *     MTU, with junk IFLA_INFO_DATA.
 * Every reply is read and its error counted. It ends by deleting its
 * devices, then checks that a fresh device still takes a valid session.
 * Prints "nlfuzz: N messages (...)" and exits 0, or 1 when the final check
 * fails or setting up failed. Kernel reports are the runner's to find.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/jvpn.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 8192
#define MAX_DEVS 4
#define N_SOCKS 6
#define N_IDS 8

struct msg {
	unsigned char buf[BUF_SIZE];
	size_t len;
	/* open nests, innermost last */
	size_t nest[8];
	int depth;
};

struct fuzzer {
	int genl, rtnl;
	uint16_t family;
	int ifindex[MAX_DEVS];
	int n_devs;
	int socks[N_SOCKS];
	int max_fd;
	uint32_t seq;
	uint64_t rng;
	/* tallies */
	unsigned long actions, sent, genl_sent, rtnl_sent, dumps, mutated,
		accepted, refused, send_errors;
};

/* ---- randomness: xorshift64*, reproducible from --seed ---- */

static uint64_t rnd(struct fuzzer *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 2685821657736338717ULL;
}

static unsigned int below(struct fuzzer *f, unsigned int n)
{
	return n ? (unsigned int)(rnd(f) % n) : 0;
}

static bool chance(struct fuzzer *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

/* ---- building messages ---- */

static void msg_start(struct msg *m, uint16_t type, uint16_t flags,
		      uint32_t seq)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;

	memset(m->buf, 0, NLMSG_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	m->len = NLMSG_HDRLEN;
	m->depth = 0;
}

static void *msg_put(struct msg *m, const void *data, size_t len)
{
	size_t aligned = NLMSG_ALIGN(len);
	void *p;

	if (m->len + aligned > sizeof(m->buf))
		return NULL;
	p = m->buf + m->len;
	memset(p, 0, aligned);
	if (data)
		memcpy(p, data, len);
	m->len += aligned;
	return p;
}

static void attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_type = type, .nla_len = NLA_HDRLEN + len };

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return;
	msg_put(m, &a, NLA_HDRLEN);
	msg_put(m, data, len);
}

static void attr_u8(struct msg *m, uint16_t t, uint8_t v) { attr(m, t, &v, 1); }
static void attr_u16(struct msg *m, uint16_t t, uint16_t v) { attr(m, t, &v, 2); }
static void attr_u32(struct msg *m, uint16_t t, uint32_t v) { attr(m, t, &v, 4); }
static void attr_u64(struct msg *m, uint16_t t, uint64_t v) { attr(m, t, &v, 8); }

static void nest_start(struct msg *m, uint16_t type)
{
	if (m->depth == 8)
		return;
	m->nest[m->depth++] = m->len;
	attr(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct msg *m)
{
	struct nlattr *a;

	if (!m->depth)
		return;
	a = (struct nlattr *)(m->buf + m->nest[--m->depth]);
	a->nla_len = m->len - m->nest[m->depth];
}

static void msg_finish(struct msg *m)
{
	while (m->depth)
		nest_end(m);
	((struct nlmsghdr *)m->buf)->nlmsg_len = m->len;
}

/* ---- sockets ---- */

static int nl_open(int proto)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			proto);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, big = 1 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return fd;
}

/*
 * Reads what came back. The kernel answers a request inside sendto(), and
 * makes each further part of a dump while the last one is read, so all
 * there is to read is queued once a read finds nothing (nothing: a
 * request it dropped unanswered). Returns the request's errno (0 for
 * accepted, 1 when nothing said so).
 */
static int drain(int fd, uint32_t seq)
{
	static unsigned char buf[1 << 16];
	int result = 1;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return result;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				result = -e->error;
			} else if (h->nlmsg_type == NLMSG_DONE) {
				result = 0;
			}
		}
	}
}

/* Sends one built message and reads its answer; tallies the outcome. */
static int transact(struct fuzzer *f, int fd, struct msg *m)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	int err;

	f->sent++;
	if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0) {
		f->send_errors++;
		return -1;
	}
	err = drain(fd, h->nlmsg_seq);
	if (err == 0)
		f->accepted++;
	else
		f->refused++;
	return err;
}

static int resolve_family(struct fuzzer *f)
{
	static unsigned char buf[8192];
	struct genlmsghdr g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };
	struct msg m;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h;
	ssize_t n;
	int tries;

	msg_start(&m, GENL_ID_CTRL, NLM_F_REQUEST, ++f->seq);
	msg_put(&m, &g, sizeof(g));
	attr(&m, CTRL_ATTR_FAMILY_NAME, JVPN_GENL_NAME, sizeof(JVPN_GENL_NAME));
	msg_finish(&m);
	if (sendto(f->genl, m.buf, m.len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return -1;
	for (tries = 0; tries < 2000; tries++) {
		n = recv(f->genl, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			usleep(1000);
			continue;
		}
		h = (struct nlmsghdr *)buf;
		if (h->nlmsg_type == NLMSG_ERROR)
			return -1;
		{
			struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) +
							     GENL_HDRLEN);
			int rem = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

			while (rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
				if ((a->nla_type & NLA_TYPE_MASK) ==
				    CTRL_ATTR_FAMILY_ID) {
					memcpy(&f->family, (char *)a + NLA_HDRLEN, 2);
					return 0;
				}
				rem -= NLA_ALIGN(a->nla_len);
				a = (struct nlattr *)((char *)a +
						      NLA_ALIGN(a->nla_len));
			}
		}
		return -1;
	}
	return -1;
}

/* ---- rtnetlink: the devices ---- */

static int link_new(struct fuzzer *f, const char *name, bool junk)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	unsigned char junkbuf[64];
	struct msg m;
	unsigned int i;

	msg_start(&m, RTM_NEWLINK,
		  NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ++f->seq);
	msg_put(&m, &ifi, sizeof(ifi));
	attr(&m, IFLA_IFNAME, name, strlen(name) + 1);
	if (junk && chance(f, 50))
		attr_u32(&m, IFLA_MTU, (uint32_t)rnd(f) & 0x1ffff);
	nest_start(&m, IFLA_LINKINFO);
	attr(&m, IFLA_INFO_KIND, "jvpn", 5);
	if (junk) {
		for (i = 0; i < sizeof(junkbuf); i++)
			junkbuf[i] = (unsigned char)rnd(f);
		nest_start(&m, IFLA_INFO_DATA);
		attr(&m, (uint16_t)below(f, 8), junkbuf, below(f, sizeof(junkbuf)));
		nest_end(&m);
	}
	msg_finish(&m);
	f->rtnl_sent++;
	return transact(f, f->rtnl, &m);
}

static void link_op(struct fuzzer *f, int ifindex, int op)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct msg m;

	if (op == 0) {
		msg_start(&m, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, ++f->seq);
		msg_put(&m, &ifi, sizeof(ifi));
	} else {
		msg_start(&m, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ++f->seq);
		ifi.ifi_change = IFF_UP;
		ifi.ifi_flags = op == 1 ? IFF_UP : 0;
		msg_put(&m, &ifi, sizeof(ifi));
		if (op == 3)
			attr_u32(&m, IFLA_MTU, 68 + below(f, 70000));
	}
	msg_finish(&m);
	f->rtnl_sent++;
	transact(f, f->rtnl, &m);
}

static void refresh_devices(struct fuzzer *f)
{
	char name[IFNAMSIZ];
	int i, idx;

	f->n_devs = 0;
	for (i = 0; i < MAX_DEVS; i++) {
		snprintf(name, sizeof(name), "jfz%d", i);
		idx = (int)if_nametoindex(name);
		if (idx)
			f->ifindex[f->n_devs++] = idx;
	}
}

static void rtnl_action(struct fuzzer *f)
{
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "jfz%u", below(f, MAX_DEVS));
	switch (below(f, 6)) {
	case 0:
	case 1:
		link_new(f, name, chance(f, 50));
		break;
	case 2:
		if (f->n_devs)
			link_op(f, f->ifindex[below(f, f->n_devs)], 0);
		break;
	default:
		if (f->n_devs)
			link_op(f, f->ifindex[below(f, f->n_devs)],
				1 + (int)below(f, 3));
		break;
	}
	refresh_devices(f);
}

/* ---- generic netlink: plausible attributes ---- */

static uint32_t pick_ifindex(struct fuzzer *f)
{
	if (f->n_devs && chance(f, 90))
		return (uint32_t)f->ifindex[below(f, f->n_devs)];
	return chance(f, 50) ? 1 : (uint32_t)rnd(f);
}

static uint64_t pick_id(struct fuzzer *f)
{
	if (chance(f, 95))
		return 1 + below(f, N_IDS);
	return chance(f, 50) ? 0 : rnd(f);
}

static void put_key(struct fuzzer *f, struct msg *m, uint16_t type)
{
	unsigned char key[40];
	size_t len = chance(f, 95) ? JVPN_KEY_LEN : below(f, sizeof(key));
	size_t i;

	/* few distinct keys, so reuse and promotion paths are met */
	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(below(f, 4) + i);
	attr(m, type, key, len);
}

static void put_endpoint(struct fuzzer *f, struct msg *m, uint16_t type)
{
	struct in6_addr a6 = IN6ADDR_LOOPBACK_INIT;
	uint32_t a4 = htonl(INADDR_LOOPBACK + below(f, 3));

	nest_start(m, type);
	switch (below(f, 6)) {
	case 0:
		attr(m, JVPN_EP_A_ADDR6, &a6, sizeof(a6));
		break;
	case 1:
		attr(m, JVPN_EP_A_ADDR4, &a4, 4);
		attr(m, JVPN_EP_A_ADDR6, &a6, sizeof(a6));
		break;
	case 2:
		attr(m, JVPN_EP_A_ADDR4, &a4, below(f, 8));
		break;
	default:
		attr(m, JVPN_EP_A_ADDR4, &a4, 4);
		break;
	}
	if (chance(f, 90))
		attr_u16(m, JVPN_EP_A_PORT,
			 chance(f, 90) ? (uint16_t)(20000 + below(f, 8)) :
					 (uint16_t)rnd(f));
	nest_end(m);
}

static void put_allowed_ips(struct fuzzer *f, struct msg *m)
{
	unsigned int i, n = below(f, 5);

	nest_start(m, JVPN_A_ALLOWED_IPS);
	for (i = 0; i < n; i++) {
		bool v6 = chance(f, 30);
		unsigned char addr[16] = { 10, (unsigned char)below(f, 3),
					   (unsigned char)below(f, 4), 1 };

		nest_start(m, chance(f, 95) ? JVPN_A_ALLOWED_IP :
					      (uint16_t)below(f, 40));
		if (chance(f, 95))
			attr_u16(m, JVPN_AIP_A_FAMILY,
				 v6 ? AF_INET6 : (chance(f, 95) ? AF_INET : 7));
		if (chance(f, 95))
			attr(m, JVPN_AIP_A_ADDR, addr,
			     chance(f, 90) ? (v6 ? 16 : 4) : below(f, 17));
		if (chance(f, 95))
			attr_u8(m, JVPN_AIP_A_PREFIX_LEN,
				(uint8_t)(chance(f, 90) ? below(f, v6 ? 129 : 33) :
							  rnd(f)));
		nest_end(m);
	}
	nest_end(m);
}

/* One attribute of the top set, of its type, with a plausible value. */
static void put_top_attr(struct fuzzer *f, struct msg *m, uint16_t type)
{
	switch (type) {
	case JVPN_A_IFINDEX:
		attr_u32(m, type, pick_ifindex(f));
		break;
	case JVPN_A_SESSION_ID:
		attr_u64(m, type, pick_id(f));
		break;
	case JVPN_A_STATE_VERSION:
	case JVPN_A_EXPECTED_VERSION:
	case JVPN_A_KEY_GENERATION:
		attr_u64(m, type, chance(f, 80) ? below(f, 12) : rnd(f));
		break;
	case JVPN_A_STATE:
	case JVPN_A_KEY_PHASE:
		attr_u8(m, type, (uint8_t)(chance(f, 90) ? below(f, 3) : rnd(f)));
		break;
	case JVPN_A_SOCKET_FD:
		attr_u32(m, type, chance(f, 90) ? (uint32_t)f->socks[below(f, N_SOCKS)] :
						  (uint32_t)below(f, 64) - 2);
		break;
	case JVPN_A_LOCAL:
	case JVPN_A_REMOTE:
	case JVPN_A_OLD_REMOTE:
		put_endpoint(f, m, type);
		break;
	case JVPN_A_ALLOWED_IPS:
		put_allowed_ips(f, m);
		break;
	case JVPN_A_TX_KEY:
	case JVPN_A_RX_KEY:
		put_key(f, m, type);
		break;
	case JVPN_A_MIN_SWITCH_INTERVAL_MS:
	case JVPN_A_DEL_REASON:
		attr_u32(m, type, chance(f, 80) ? below(f, 6) : (uint32_t)rnd(f));
		break;
	case JVPN_A_KEY_NEXT:
		attr(m, type, NULL, 0);
		break;
	default: {
		unsigned char junk[24];
		size_t i;

		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (unsigned char)rnd(f);
		attr(m, type, junk, below(f, sizeof(junk)));
		break;
	}
	}
}

/* The attributes a command uses, so most requests get far into it. */
static const uint16_t useful[] = {
	JVPN_A_IFINDEX,	   JVPN_A_SESSION_ID, JVPN_A_SOCKET_FD,
	JVPN_A_REMOTE,	   JVPN_A_TX_KEY,     JVPN_A_RX_KEY,
	JVPN_A_KEY_PHASE,  JVPN_A_ALLOWED_IPS, JVPN_A_EXPECTED_VERSION,
	JVPN_A_STATE_VERSION, JVPN_A_STATE, JVPN_A_MIN_SWITCH_INTERVAL_MS,
	JVPN_A_KEY_NEXT,   JVPN_A_KEY_GENERATION, JVPN_A_DEL_REASON,
};

static void build_genl(struct fuzzer *f, struct msg *m, bool dump)
{
	struct genlmsghdr g = { .version = JVPN_GENL_VERSION };
	unsigned int i, n;
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;

	g.cmd = (uint8_t)(chance(f, 95) ? 1 + below(f, JVPN_CMD_MAX + 1) :
					  rnd(f));
	if (dump) {
		g.cmd = JVPN_CMD_SESSION_GET;
		flags |= NLM_F_DUMP;
	}
	msg_start(m, f->family, flags, ++f->seq);
	msg_put(m, &g, sizeof(g));
	if (chance(f, 90))
		put_top_attr(f, m, JVPN_A_IFINDEX);
	if (chance(f, 85))
		put_top_attr(f, m, JVPN_A_SESSION_ID);
	n = below(f, 12);
	for (i = 0; i < n; i++) {
		uint16_t type = chance(f, 85) ?
			useful[below(f, sizeof(useful) / sizeof(useful[0]))] :
			(uint16_t)below(f, JVPN_A_MAX + 4);

		put_top_attr(f, m, type);
	}
	msg_finish(m);
}

/* Byte flips, a truncation, or a wrong length in a header. */
static void mutate(struct fuzzer *f, struct msg *m)
{
	unsigned int i, n = 1 + below(f, 6);
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	size_t body = NLMSG_HDRLEN + GENL_HDRLEN;

	f->mutated++;
	for (i = 0; i < n && m->len > body; i++) {
		size_t at = body + below(f, (unsigned int)(m->len - body));

		switch (below(f, 4)) {
		case 0:
			m->buf[at] ^= (unsigned char)(1u << below(f, 8));
			break;
		case 1:
			m->buf[at] = (unsigned char)rnd(f);
			break;
		case 2:	/* truncate: the last attribute runs off the end */
			m->len = at;
			h->nlmsg_len = (uint32_t)m->len;
			break;
		default:	/* a 16-bit field (an nla_len, likely) */
			if (at + 1 < m->len) {
				uint16_t v = (uint16_t)rnd(f) % 64;

				memcpy(m->buf + at, &v, 2);
			}
			break;
		}
	}
	if (chance(f, 10))
		h->nlmsg_len = (uint32_t)(m->len + below(f, 16)) - 8;
	if (h->nlmsg_len > m->len)
		h->nlmsg_len = (uint32_t)m->len;
}

static void genl_action(struct fuzzer *f)
{
	static struct msg m;
	bool dump = chance(f, 8);

	build_genl(f, &m, dump);
	if (!dump && chance(f, 30))
		mutate(f, &m);
	f->genl_sent++;
	if (dump)
		f->dumps++;
	transact(f, f->genl, &m);
}

/* ---- set-up, the final check, main ---- */

static int open_udp_sockets(struct fuzzer *f)
{
	int i;

	for (i = 0; i < N_SOCKS; i++) {
		bool v6 = i >= N_SOCKS - 2;
		int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int one = 1;

		if (fd < 0)
			return -1;
		if (v6) {
			struct sockaddr_in6 a = { .sin6_family = AF_INET6,
						  .sin6_addr = IN6ADDR_LOOPBACK_INIT,
						  .sin6_port = htons(30000 + i) };

			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
			if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
				return -1;
		} else {
			struct sockaddr_in a = { .sin_family = AF_INET,
						 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
						 .sin_port = htons(30000 + i) };

			if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
				return -1;
		}
		f->socks[i] = fd;
		if (fd > f->max_fd)
			f->max_fd = fd;
	}
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* As nobody, in a user namespace of its own where it is root. */
static int enter_userns(void)
{
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -1;
	if (unshare(CLONE_NEWUSER))
		return -1;
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "0 65534 1") ||
	    write_file("/proc/self/gid_map", "0 65534 1"))
		return -1;
	return 0;
}

static int set_up(struct fuzzer *f, bool userns)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (userns && enter_userns()) {
		perror("nlfuzz: user namespace");
		return -1;
	}
	if (unshare(CLONE_NEWNET)) {
		perror("nlfuzz: unshare(CLONE_NEWNET)");
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP;
	if (fd < 0 || ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		perror("nlfuzz: lo up");
		return -1;
	}
	close(fd);
	f->genl = nl_open(NETLINK_GENERIC);
	f->rtnl = nl_open(NETLINK_ROUTE);
	if (f->genl < 0 || f->rtnl < 0 || resolve_family(f)) {
		fprintf(stderr, "nlfuzz: no jvpn generic-netlink family (module loaded?)\n");
		return -1;
	}
	if (f->genl > f->max_fd)
		f->max_fd = f->genl;
	if (f->rtnl > f->max_fd)
		f->max_fd = f->rtnl;
	if (open_udp_sockets(f)) {
		perror("nlfuzz: UDP sockets");
		return -1;
	}
	return 0;
}

/* A fresh device must still take a valid session after all that. */
static int final_check(struct fuzzer *f)
{
	struct genlmsghdr g = { .cmd = JVPN_CMD_SESSION_NEW,
				.version = JVPN_GENL_VERSION };
	unsigned char key[JVPN_KEY_LEN] = { 1 };
	uint32_t lo = htonl(INADDR_LOOPBACK);
	struct msg m;
	int i, err;

	for (i = 0; i < f->n_devs; i++)
		link_op(f, f->ifindex[i], 0);
	if (link_new(f, "jfzcheck", false))
		return -1;
	msg_start(&m, f->family, NLM_F_REQUEST | NLM_F_ACK, ++f->seq);
	msg_put(&m, &g, sizeof(g));
	attr_u32(&m, JVPN_A_IFINDEX, if_nametoindex("jfzcheck"));
	attr_u64(&m, JVPN_A_SESSION_ID, 42);
	attr_u32(&m, JVPN_A_SOCKET_FD, (uint32_t)f->socks[0]);
	nest_start(&m, JVPN_A_REMOTE);
	attr(&m, JVPN_EP_A_ADDR4, &lo, 4);
	attr_u16(&m, JVPN_EP_A_PORT, 40000);
	nest_end(&m);
	attr(&m, JVPN_A_TX_KEY, key, sizeof(key));
	attr(&m, JVPN_A_RX_KEY, key, sizeof(key));
	msg_finish(&m);
	err = transact(f, f->genl, &m);
	link_op(f, (int)if_nametoindex("jfzcheck"), 0);
	return err;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: nlfuzz [--seconds N] [--messages N] [--seed N] [--userns]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct fuzzer f;
	unsigned long budget = 0;
	double seconds = 20, start, elapsed;
	bool userns = false;
	uint64_t seed = 1;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--messages") && i + 1 < argc)
			budget = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--userns"))
			userns = true;
		else
			usage();
	}
	f.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (set_up(&f, userns))
		return 1;
	start = now_s();
	for (;;) {
		/* the clock every 16 actions: a TCG guest's may jump */
		if (budget ? f.sent >= budget :
			     (f.actions & 15) == 0 && now_s() - start >= seconds)
			break;
		f.actions++;
		if (chance(&f, 6) || !f.n_devs)
			rtnl_action(&f);
		else
			genl_action(&f);
		/* any fd a reply handed us (SESSION_GET_SOCKET) goes again */
		if ((f.sent & 255) == 0)
			syscall(SYS_close_range, f.max_fd + 1, ~0U, 0);
	}
	elapsed = now_s() - start;
	refresh_devices(&f);
	err = final_check(&f);
	printf("nlfuzz: %lu messages (%lu generic netlink, %lu of them mutated, %lu dumps; %lu rtnetlink) in %.1f s, %.0f/s; %lu accepted, %lu refused, %lu not sent; seed %llu%s\n",
	       f.sent, f.genl_sent, f.mutated, f.dumps, f.rtnl_sent, elapsed,
	       f.sent / (elapsed > 0 ? elapsed : 1), f.accepted, f.refused,
	       f.send_errors, (unsigned long long)seed,
	       userns ? ", in a user namespace" : "");
	if (err) {
		printf("nlfuzz: FAILED: a fresh device refused a valid session (%s)\n",
		       err > 0 ? strerror(err) : "no answer");
		return 1;
	}
	printf("nlfuzz: final check passed\n");
	return 0;
}
