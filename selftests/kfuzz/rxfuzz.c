// SPDX-License-Identifier: GPL-2.0
/*
 * rxfuzz: a fuzzer of jvpn.ko's receive path, run in the test VM's client
 * namespace (selftests/net/hardening.sh, make check-debug).
 *
 *   rxfuzz --dst ADDR:PORT --session ID [--capture IFNAME --traffic ADDR]
 *          [--from ADDR:PORT] [--seconds N] [--datagrams N] [--seed N]
 *
 * With --capture it first records real data packets: it sends UDP to
 * --traffic (an inner address routed into the tunnel) and keeps, from
 * IFNAME, the payloads of the UDP datagrams that leave for --dst whose
 * first byte is a data message. Then, until the time or the budget is
 * spent, it sends to --dst, from raw IPv4 sockets so the source can be
 * the session's own transport (--from, by default the captured packets'
 * source) or any other:
 *   random datagrams (any length to 1472 bytes), random ones that start
 *   like a data header (type, version, the session id), exact replays of
 *   the captures, and captures mutated (bits flipped, bytes set,
 *   truncated, extended, the counter or the session id changed).
 * Prints "rxfuzz: N datagrams (...)"; exits 0, 1 if setting up failed
 * (no capture came in), 2 on usage. What the kernel made of them is in
 * its counters and its log, the test's to check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jvpn/messages.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAYLOAD 1472
#define N_CAPTURES 64

struct capture {
	unsigned char data[MAX_PAYLOAD];
	size_t len;
};

struct rxfuzz {
	struct sockaddr_in dst, from;
	bool from_given;
	uint64_t session;
	int raw;
	struct capture cap[N_CAPTURES];
	int n_cap;
	uint64_t rng;
	unsigned long sent, random_sent, headed, replays, mutants, errors;
};

static uint64_t rnd(struct rxfuzz *z)
{
	z->rng ^= z->rng >> 12;
	z->rng ^= z->rng << 25;
	z->rng ^= z->rng >> 27;
	return z->rng * 2685821657736338717ULL;
}

static unsigned int below(struct rxfuzz *z, unsigned int n)
{
	return n ? (unsigned int)(rnd(z) % n) : 0;
}

static int parse_ep(const char *text, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(text, ':');

	if (!colon || colon - text >= (long)sizeof(host))
		return -1;
	memcpy(host, text, colon - text);
	host[colon - text] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- capturing real data packets ---- */

/*
 * Keeps @frame's UDP payload when it is an IPv4 datagram to the
 * destination that starts like a data packet.
 */
static void keep_if_data(struct rxfuzz *z, const unsigned char *pkt, size_t n)
{
	const struct iphdr *ip = (const void *)pkt;
	const struct udphdr *udp;
	size_t ihl, len;

	if (n < sizeof(*ip) || ip->version != 4 || ip->protocol != IPPROTO_UDP)
		return;
	ihl = ip->ihl * 4u;
	if (n < ihl + sizeof(*udp))
		return;
	udp = (const void *)(pkt + ihl);
	if (ip->daddr != z->dst.sin_addr.s_addr || udp->dest != z->dst.sin_port)
		return;
	len = n - ihl - sizeof(*udp);
	if (!len || len > MAX_PAYLOAD || pkt[ihl + sizeof(*udp)] != JVPN_MSG_DATA)
		return;
	if (!z->from_given) {
		z->from.sin_family = AF_INET;
		z->from.sin_addr.s_addr = ip->saddr;
		z->from.sin_port = udp->source;
		z->from_given = true;
	}
	memcpy(z->cap[z->n_cap].data, pkt + ihl + sizeof(*udp), len);
	z->cap[z->n_cap++].len = len;
}

static int capture(struct rxfuzz *z, const char *ifname, const char *traffic)
{
	/* ETH_P_ALL: a socket of one protocol sees no outgoing packets */
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL) };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	unsigned char buf[2048];
	double end = now_s() + 10;
	int pfd, ufd;

	ll.sll_ifindex = (int)if_nametoindex(ifname);
	pfd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	ufd = socket(AF_INET, SOCK_DGRAM, 0);
	if (!ll.sll_ifindex || pfd < 0 || ufd < 0 ||
	    bind(pfd, (struct sockaddr *)&ll, sizeof(ll)) < 0 ||
	    inet_pton(AF_INET, traffic, &to.sin_addr) != 1) {
		perror("rxfuzz: capture set-up");
		return -1;
	}
	while (z->n_cap < N_CAPTURES && now_s() < end) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		size_t len = 1 + below(z, 1200);
		ssize_t n;

		memset(buf, (int)below(z, 256), len);
		sendto(ufd, buf, len, 0, (struct sockaddr *)&to, sizeof(to));
		while (poll(&p, 1, 20) > 0) {
			n = recv(pfd, buf, sizeof(buf), 0);
			if (n > 0)
				keep_if_data(z, buf, (size_t)n);
		}
	}
	close(pfd);
	close(ufd);
	return z->n_cap ? 0 : -1;
}

/* ---- sending ---- */

static uint16_t sum16(const void *data, size_t len, uint32_t sum)
{
	const unsigned char *p = data;

	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* One datagram from @src to the destination, IP and UDP built here. */
static void send_from(struct rxfuzz *z, const struct sockaddr_in *src,
		      const unsigned char *payload, size_t len)
{
	unsigned char pkt[20 + 8 + MAX_PAYLOAD];
	struct iphdr *ip = (void *)pkt;
	struct udphdr *udp = (void *)(pkt + 20);
	uint32_t pseudo;

	memset(pkt, 0, 28);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(28 + len));
	ip->saddr = src->sin_addr.s_addr;
	ip->daddr = z->dst.sin_addr.s_addr;
	udp->source = src->sin_port;
	udp->dest = z->dst.sin_port;
	udp->len = htons((uint16_t)(8 + len));
	memcpy(pkt + 28, payload, len);
	pseudo = sum16(&ip->saddr, 8, IPPROTO_UDP + 8 + (uint32_t)len);
	udp->check = htons((uint16_t)~sum16(udp, 8 + len, pseudo));
	if (!udp->check)
		udp->check = 0xffff;
	z->sent++;
	if (sendto(z->raw, pkt, 28 + len, 0, (struct sockaddr *)&z->dst,
		   sizeof(z->dst)) < 0)
		z->errors++;
}

static void random_source(struct rxfuzz *z, struct sockaddr_in *src)
{
	*src = z->from;
	if (below(z, 4) == 0)
		src->sin_port = htons((uint16_t)(1024 + below(z, 60000)));
}

static void put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static void fuzz_one(struct rxfuzz *z)
{
	unsigned char buf[MAX_PAYLOAD];
	struct sockaddr_in src;
	size_t len, i;
	unsigned int kind = below(z, 10), n;
	const struct capture *c;

	random_source(z, &src);
	if (kind < 2 || !z->n_cap) {	/* random bytes, or headed like data */
		len = below(z, 100) < 30 ? below(z, 64) : below(z, MAX_PAYLOAD + 1);
		for (i = 0; i < len; i++)
			buf[i] = (unsigned char)rnd(z);
		if (kind == 1 && len >= JVPN_DATA_HDR_LEN) {
			buf[0] = JVPN_MSG_DATA;
			buf[1] = below(z, 4) ? 1 : buf[1];
			buf[2] &= 1;
			buf[3] = below(z, 8) ? 0 : buf[3];
			put_be64(buf + 4, below(z, 8) ? z->session : rnd(z));
			z->headed++;
		} else {
			z->random_sent++;
		}
		send_from(z, &src, buf, len);
		return;
	}
	c = &z->cap[below(z, (unsigned int)z->n_cap)];
	memcpy(buf, c->data, c->len);
	len = c->len;
	if (kind == 2) {	/* exact replay, from the real source */
		z->replays++;
		send_from(z, &z->from, buf, len);
		return;
	}
	z->mutants++;
	n = 1 + below(z, 4);
	while (n--) {
		switch (below(z, 7)) {
		case 0:
			buf[below(z, (unsigned int)len)] ^= (unsigned char)(1u << below(z, 8));
			break;
		case 1:
			buf[below(z, (unsigned int)len)] = (unsigned char)rnd(z);
			break;
		case 2:
			len = below(z, (unsigned int)len + 1);
			break;
		case 3:
			while (len < MAX_PAYLOAD && below(z, 8))
				buf[len++] = (unsigned char)rnd(z);
			break;
		case 4:	/* counter: near, far, or the top of the window */
			if (len >= JVPN_DATA_HDR_LEN)
				put_be64(buf + 12, below(z, 2) ? rnd(z) : below(z, 5000));
			break;
		case 5:
			if (len >= JVPN_DATA_HDR_LEN)
				put_be64(buf + 4, below(z, 2) ? z->session + 1 : rnd(z));
			break;
		default:	/* the key phase bit */
			if (len > 2)
				buf[2] ^= 1;
			break;
		}
		if (!len)
			break;
	}
	send_from(z, below(z, 4) ? &z->from : &src, buf, len);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rxfuzz --dst ADDR:PORT --session ID [--capture IFNAME --traffic ADDR]\n"
		"              [--from ADDR:PORT] [--seconds N] [--datagrams N] [--seed N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct rxfuzz z;
	const char *ifname = NULL, *traffic = NULL;
	unsigned long budget = 0;
	double seconds = 20, start, elapsed;
	bool have_dst = false;
	uint64_t seed = 1;
	int i, one = 1;

	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(argv[i], "--dst"))
			have_dst = !parse_ep(v, &z.dst);
		else if (!strcmp(argv[i], "--from"))
			z.from_given = !parse_ep(v, &z.from);
		else if (!strcmp(argv[i], "--session"))
			z.session = strtoull(v, NULL, 10);
		else if (!strcmp(argv[i], "--capture"))
			ifname = v;
		else if (!strcmp(argv[i], "--traffic"))
			traffic = v;
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(v);
		else if (!strcmp(argv[i], "--datagrams"))
			budget = strtoul(v, NULL, 10);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(v, NULL, 10);
		else
			usage();
		i++;
	}
	if (!have_dst || !z.session || (!ifname) != (!traffic))
		usage();
	z.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	z.raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (z.raw < 0 ||
	    setsockopt(z.raw, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("rxfuzz: raw socket");
		return 1;
	}
	if (ifname && capture(&z, ifname, traffic)) {
		fprintf(stderr, "rxfuzz: no data packet captured on %s\n", ifname);
		return 1;
	}
	if (!z.from_given) {
		fprintf(stderr, "rxfuzz: --from or --capture is needed\n");
		return 2;
	}
	start = now_s();
	/* the clock every 16 datagrams: a TCG guest's may jump */
	while (budget ? z.sent < budget :
			(z.sent & 15) || now_s() - start < seconds)
		fuzz_one(&z);
	elapsed = now_s() - start;
	printf("rxfuzz: %lu datagrams (%lu random, %lu headed like data, %lu replays, %lu mutated captures of %d) in %.1f s, %.0f/s; %lu not sent; seed %llu\n",
	       z.sent, z.random_sent, z.headed, z.replays, z.mutants, z.n_cap,
	       elapsed, z.sent / (elapsed > 0 ? elapsed : 1), z.errors,
	       (unsigned long long)seed);
	return 0;
}
