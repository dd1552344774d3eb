// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * hsflood: handshake floods and genuine handshakes for the kselftests
 * (selftests/net/security.sh, test_daemon_handshake_flood) and make bench.
 *
 *   flood ADDR:PORT GW_PUB_FILE CLIENT_KEY_FILE SECONDS [SOURCE_NET]
 *	send, from a raw socket, copies of one genuine HANDSHAKE_INIT of
 *	the client key (as if captured: each costs the gateway two X25519
 *	and a replay check, the most an INIT can cost without the client's
 *	private key at the sender) with a source address drawn at random
 *	from SOURCE_NET/16 (default 10.200.0.0) for every packet, as fast
 *	as the kernel takes them; prints how many, and the rate
 *   probe ADDR:PORT GW_PUB_FILE CLIENT_KEY_FILE SECONDS [INTERVAL_MS]
 *	genuine handshakes one after another (default every 100 ms) for
 *	SECONDS, as jvpnd's client makes them: INIT, a cookie answered at
 *	once with mac2, the INIT sent again every second without an answer,
 *	given up after 5 s; prints attempts, completed, cookies, and the
 *	median and worst time to a RESP
 *
 * Uses the daemon's own handshake and cookie code (daemon/core), so the
 * messages are exactly jvpnd's. IPv4 only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cookie.h"
#include "handshake.h"
#include "key.h"

#define FLOOD_BATCH   64
#define PROBE_TRY_MS  1000
#define PROBE_GIVE_MS 5000
#define MAX_ATTEMPTS  100000

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct hs_time wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (struct hs_time){ (uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec };
}

static int parse_endpoint(const char *text, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(text, ':');

	if (!colon || (size_t)(colon - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static int read_pub(const char *path, uint8_t key[JVPN_KEY_LEN])
{
	char text[128], err[KEYS_ERR_SIZE];
	FILE *f = fopen(path, "r");

	if (!f || !fgets(text, sizeof(text), f)) {
		if (f)
			fclose(f);
		fprintf(stderr, "hsflood: %s: cannot read\n", path);
		return -1;
	}
	fclose(f);
	text[strcspn(text, " \t\r\n")] = '\0';
	if (key_from_base64(text, key, err) != KEYS_OK) {
		fprintf(stderr, "hsflood: %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

struct keys {
	uint8_t gw_pub[JVPN_KEY_LEN];
	uint8_t priv[JVPN_KEY_LEN];
	uint8_t pub[JVPN_KEY_LEN];
};

static int load_keys(const char *gw_pub, const char *client_key, struct keys *k)
{
	char err[KEYS_ERR_SIZE];

	if (read_pub(gw_pub, k->gw_pub))
		return -1;
	if (keys_load_private_file(client_key, k->priv, err) != KEYS_OK) {
		fprintf(stderr, "hsflood: %s\n", err);
		return -1;
	}
	return keys_public_from_private(k->priv, k->pub);
}

/* ---- flood ---- */

struct spoofed {
	struct iphdr ip;
	struct udphdr udp;
	uint8_t init[JVPN_HS_INIT_LEN];
} __attribute__((packed));

static int flood(const struct sockaddr_in *to, const struct keys *k,
		 unsigned int seconds, struct in_addr net)
{
	static struct spoofed pkts[FLOOD_BATCH];
	struct mmsghdr msgs[FLOOD_BATCH];
	struct iovec iov[FLOOD_BATCH];
	uint8_t init[JVPN_HS_INIT_LEN];
	size_t len = sizeof(init);
	struct hs_initiator st;
	struct hs_time old = wall();
	uint64_t sent = 0, start, end;
	int fd;

	/* a day old: the gateway has accepted a newer one, every copy is a
	 * replay it must decrypt to find out */
	old.sec -= 86400;
	if (handshake_initiator_start(&st, k->priv, k->pub, k->gw_pub, &old,
				      NULL, init, &len) != HS_OK)
		return 1;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("hsflood: raw socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < FLOOD_BATCH; i++) {
		struct spoofed *p = &pkts[i];

		p->ip.version = 4;
		p->ip.ihl = 5;
		p->ip.ttl = 64;
		p->ip.protocol = IPPROTO_UDP;
		p->ip.tot_len = htons(sizeof(*p));
		p->ip.daddr = to->sin_addr.s_addr;
		p->udp.dest = to->sin_port;
		p->udp.len = htons(sizeof(p->udp) + sizeof(p->init));
		memcpy(p->init, init, sizeof(init));
		iov[i].iov_base = p;
		iov[i].iov_len = sizeof(*p);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = (void *)to;
		msgs[i].msg_hdr.msg_namelen = sizeof(*to);
	}
	start = now_ms();
	end = start + (uint64_t)seconds * 1000;
	while (now_ms() < end) {
		for (int i = 0; i < FLOOD_BATCH; i++) {
			uint32_t r = randombytes_random();

			/* a new source address and port for every copy */
			pkts[i].ip.saddr = net.s_addr | htonl(r & 0xffff);
			pkts[i].udp.source =
				htons((uint16_t)(1024 + (r >> 16) % 60000));
		}
		int n = sendmmsg(fd, msgs, FLOOD_BATCH, 0);

		if (n > 0)
			sent += (uint64_t)n;
		else if (errno != ENOBUFS && errno != EAGAIN)
			break;
	}
	end = now_ms();
	close(fd);
	printf("flood sent %llu in %llu ms: %llu per second\n",
	       (unsigned long long)sent, (unsigned long long)(end - start),
	       (unsigned long long)(sent * 1000 / (end - start + 1)));
	return 0;
}

/* ---- probe ---- */

struct probe_stats {
	unsigned int attempts, completed, cookies;
	uint64_t ms[MAX_ATTEMPTS];
};

static void send_init(int fd, const struct keys *k, struct hs_initiator *st,
		      struct cookie_client *cc)
{
	uint8_t init[JVPN_HS_INIT_LEN];
	size_t len = sizeof(init);
	struct hs_time t = wall();

	if (handshake_initiator_start(st, k->priv, k->pub, k->gw_pub, &t, NULL,
				      init, &len) != HS_OK)
		return;
	cookie_client_mac2_write(cc, init, len, now_ms());
	(void)send(fd, init, len, 0);
}

/* One genuine handshake: true when a RESP completed it in time. */
static bool handshake_once(int fd, const struct keys *k,
			   struct cookie_client *cc, struct probe_stats *ps)
{
	uint64_t start = now_ms(), sent_ms = start;
	struct handshake_keys keys;
	struct hs_initiator st;
	uint8_t msg[256];

	send_init(fd, k, &st, cc);
	while (now_ms() - start < PROBE_GIVE_MS) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (now_ms() - sent_ms >= PROBE_TRY_MS) {
			send_init(fd, k, &st, cc);
			sent_ms = now_ms();
		}
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(fd, msg, sizeof(msg), 0);
		if (n <= 0)
			continue;
		if (msg[0] == JVPN_MSG_HANDSHAKE_COOKIE &&
		    cookie_client_consume(cc, msg, (size_t)n, now_ms())) {
			ps->cookies++;
			send_init(fd, k, &st, cc);
			sent_ms = now_ms();
		} else if (msg[0] == JVPN_MSG_HANDSHAKE_RESP &&
			   handshake_initiator_consume_resp(&st, msg, (size_t)n,
							    &keys) == HS_OK) {
			handshake_keys_wipe(&keys);
			ps->ms[ps->completed++] = now_ms() - start;
			return true;
		}
	}
	handshake_initiator_wipe(&st);
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int probe(const struct sockaddr_in *to, const struct keys *k,
		 unsigned int seconds, unsigned int interval_ms)
{
	static struct probe_stats ps;
	struct cookie_client cc;
	uint64_t end = now_ms() + (uint64_t)seconds * 1000;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)to, sizeof(*to))) {
		perror("hsflood: socket");
		return 1;
	}
	cookie_client_init(&cc, k->gw_pub);
	while (now_ms() < end && ps.attempts < MAX_ATTEMPTS) {
		ps.attempts++;
		handshake_once(fd, k, &cc, &ps);
		usleep(interval_ms * 1000);
	}
	qsort(ps.ms, ps.completed, sizeof(ps.ms[0]), cmp_u64);
	printf("handshakes %u completed %u cookies %u median_ms %llu "
	       "max_ms %llu\n",
	       ps.attempts, ps.completed, ps.cookies,
	       (unsigned long long)(ps.completed ? ps.ms[ps.completed / 2] : 0),
	       (unsigned long long)(ps.completed ? ps.ms[ps.completed - 1]
						 : 0));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to;
	struct in_addr net = { htonl(0x0ac80000) }; /* 10.200.0.0 */
	struct keys k;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return 1;
	if (argc < 6 || parse_endpoint(argv[2], &to)) {
		fprintf(stderr, "usage: hsflood flood ADDR:PORT GW_PUB_FILE "
				"CLIENT_KEY_FILE SECONDS [SOURCE_NET]\n"
				"       hsflood probe ADDR:PORT GW_PUB_FILE "
				"CLIENT_KEY_FILE SECONDS [INTERVAL_MS]\n");
		return 2;
	}
	if (load_keys(argv[3], argv[4], &k))
		return 1;
	if (!strcmp(argv[1], "flood")) {
		if (argc > 6 && inet_pton(AF_INET, argv[6], &net) != 1)
			return 2;
		return flood(&to, &k, (unsigned int)atoi(argv[5]), net);
	}
	if (!strcmp(argv[1], "probe"))
		return probe(&to, &k, (unsigned int)atoi(argv[5]),
			     argc > 6 ? (unsigned int)atoi(argv[6]) : 100);
	fprintf(stderr, "hsflood: no command '%s'\n", argv[1]);
	return 2;
}
