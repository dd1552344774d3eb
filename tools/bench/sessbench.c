// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sessbench: creates many sessions on a jvpn device over generic netlink,
 * in batches (many SESSION_NEW requests in one sendmsg, one ack asked for
 * at the end of each batch; the kernel reports any failure on its own).
 *
 *   sessbench DEV COUNT FIRST_ID BIND_ADDR:PORT AIP_BASE [BATCH]
 *
 * Session FIRST_ID + i gets the remote 100.64.x.y:(1024 + i % 60000), the
 * allowed IP AIP_BASE + i (/32) and keys made from i; all share one UDP
 * socket bound to BIND_ADDR:PORT, which the kernel keeps after we exit.
 * Prints one JSON object: how many were created and how long it took.
 * Reuses jvpnk's netlink plumbing (lib/nl.c, lib/nlreq.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/jvpn.h>
#include <linux/netlink.h>

#include "nl.h"
#include "parse.h"
#include "nlreq.h"
#include "udpsock.h"

#define MAX_BATCH 256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what)
{
	fprintf(stderr, "sessbench: %s\n", what);
	exit(1);
}

struct job {
	unsigned int ifindex;
	int fd;
	uint64_t first_id;
	uint32_t aip_base; /* host order */
};

static void put_one(struct nlmsghdr *nlh, const struct job *j, uint64_t i)
{
	union jvpn_sockaddr remote = { .in4 = { .sin_family = AF_INET } };
	struct jvpn_cidr aip = { .family = AF_INET, .prefix_len = 32 };
	uint8_t key[JVPN_KEY_LEN];
	uint32_t a;

	remote.in4.sin_addr.s_addr =
		htonl(0x64400000u | (uint32_t)(i & 0x3fffff));
	remote.in4.sin_port = htons((uint16_t)(1024 + i % 60000));
	a = htonl(j->aip_base + (uint32_t)i);
	memcpy(aip.addr, &a, 4);
	put_session_ref(nlh, j->ifindex, j->first_id + i);
	mnl_attr_put_u32(nlh, JVPN_A_SOCKET_FD, (uint32_t)j->fd);
	put_endpoint(nlh, JVPN_A_REMOTE, &remote);
	memset(key, 0, sizeof(key));
	memcpy(key, &i, sizeof(i));
	key[31] = 0x5a;
	mnl_attr_put(nlh, JVPN_A_TX_KEY, sizeof(key), key);
	key[31] = 0xa5;
	mnl_attr_put(nlh, JVPN_A_RX_KEY, sizeof(key), key);
	put_allowed_ips(nlh, &aip, 1);
}

/*
 * Reads replies until the ack of last_seq. Returns the number of failed
 * requests (each is reported by an NLMSG_ERROR of its own); the first
 * error is printed.
 */
static unsigned int wait_ack(struct jvpn_nl *nl, unsigned int last_seq)
{
	unsigned int failed = 0;

	for (;;) {
		ssize_t len =
			mnl_socket_recvfrom(nl->sock, nl->rx, JVPN_NL_BUF_SIZE);
		const struct nlmsghdr *nlh = (const void *)nl->rx;
		int left = (int)len;

		if (len < 0)
			fail(strerror(errno));
		for (; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error) {
				if (!failed)
					fprintf(stderr,
						"sessbench: request %u: %s\n",
						nlh->nlmsg_seq,
						strerror(-e->error));
				failed++;
			}
			if (nlh->nlmsg_seq == last_seq)
				return failed;
		}
	}
}

int main(int argc, char **argv)
{
	struct jvpn_nl nl;
	union jvpn_sockaddr bind_addr;
	struct in_addr base;
	struct job j;
	char *buf;
	uint64_t count, done = 0;
	unsigned int batch = 128, failed = 0;
	int rcvbuf = 8 << 20;
	double start, secs;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: sessbench DEV COUNT FIRST_ID "
				"BIND_ADDR:PORT AIP_BASE [BATCH]\n");
		return 2;
	}
	j.ifindex = if_nametoindex(argv[1]);
	if (!j.ifindex)
		fail("no such device");
	if (parse_u64(argv[2], UINT32_MAX, &count) ||
	    parse_u64(argv[3], UINT64_MAX / 2, &j.first_id) || !j.first_id)
		fail("bad COUNT or FIRST_ID");
	if (parse_endpoint(argv[4], &bind_addr))
		fail("bad BIND_ADDR:PORT");
	if (inet_pton(AF_INET, argv[5], &base) != 1)
		fail("bad AIP_BASE");
	j.aip_base = ntohl(base.s_addr);
	if (argc == 7) {
		uint64_t b;

		if (parse_u64(argv[6], MAX_BATCH, &b) || !b)
			fail("BATCH must be 1..256");
		batch = (unsigned int)b;
	}
	j.fd = transport_open("sessbench", argv[4], &bind_addr, NULL);
	if (j.fd < 0)
		return 1;
	if (jvpn_nl_open(&nl, "sessbench"))
		return 1;
	/* room for the replies of a whole batch, should they all fail */
	if (setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	buf = malloc((size_t)MAX_BATCH * 512);
	if (!buf)
		fail("out of memory");

	start = now_s();
	while (done < count) {
		struct mnl_nlmsg_batch *b =
			mnl_nlmsg_batch_start(buf, (size_t)MAX_BATCH * 512);
		unsigned int n = 0;

		for (; n < batch && done + n < count; n++) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(
				mnl_nlmsg_batch_current(b));
			struct genlmsghdr *g;

			nlh->nlmsg_type = nl.family_id;
			nlh->nlmsg_flags = NLM_F_REQUEST;
			nlh->nlmsg_seq = ++nl.seq;
			g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
			g->cmd = JVPN_CMD_SESSION_NEW;
			g->version = JVPN_GENL_VERSION;
			put_one(nlh, &j, done + n);
			if (n + 1 == batch || done + n + 1 == count)
				nlh->nlmsg_flags |= NLM_F_ACK;
			if (!mnl_nlmsg_batch_next(b))
				fail("batch buffer too small");
		}
		if (mnl_socket_sendto(nl.sock, mnl_nlmsg_batch_head(b),
				      mnl_nlmsg_batch_size(b)) < 0)
			fail(strerror(errno));
		mnl_nlmsg_batch_stop(b);
		failed += wait_ack(&nl, nl.seq);
		done += n;
		if (failed)
			break;
	}
	secs = now_s() - start;
	printf("{\"requested\": %" PRIu64 ", \"created\": %" PRIu64
	       ", \"failed\": %u, \"seconds\": %.6f, \"per_sec\": %.1f}\n",
	       count, done - failed, failed, secs,
	       secs > 0 ? (double)(done - failed) / secs : 0.0);
	free(buf);
	close(j.fd);
	jvpn_nl_close(&nl);
	return failed ? 1 : 0;
}
