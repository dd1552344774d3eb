// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jvpn-pkt: packets for the kselftests that no well-behaved peer sends.
 *
 *   replay IFACE --dst-port P|--src-port P [--type T] [--count N]
 *	  [--timeout S] [--delay-ms D] [--interval-ms I] [--from ADDR:PORT]
 *	capture the first jvpn packet of type T (data by default) to (or
 *	from) UDP port P seen on IFACE, wait D ms, and send that frame again
 *	N times on IFACE, I ms apart (a replay attack); with --from, send its
 *	UDP payload instead from a plain socket bound to ADDR:PORT to where
 *	the frame went (the same replay from another address)
 *   send ADDR:PORT KIND [--from-port P] [--session ID] [--counter N]
 *	[--repeat N] [--seconds S] [--rate PPS]
 *	send one crafted datagram from an ordinary UDP socket; --repeat and
 *	--seconds send it again and again (a flood), until N were sent or S
 *	seconds passed, whichever comes first, PPS a second (default: as
 *	fast as the socket takes them)
 *   recv ADDR:PORT [--timeout S]
 *	print the first datagram a plain UDP socket receives
 *
 * Plain libc, and uapi/jvpn/messages.h for the data header, so that the packets
 * are laid out exactly as the module expects them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jvpn/messages.h>

#include "util.h"

#define EXIT_USAGE   2
#define EXIT_TIMEOUT 3

#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_REPLAYS	   3
/* Far ahead of any window, so that only the tag can fail. */
#define DEFAULT_COUNTER (UINT64_C(1) << 32)
#define DEFAULT_SESSION 1
/* No test creates this session: the id reads "deadbeef..." in a dump. */
#define UNKNOWN_SESSION	    UINT64_C(0xdeadbeefdeadbeef)
#define JUNK_CIPHERTEXT_LEN 64
#define OVERSIZED_LEN	    65000
#define CONTROL_TYPE	    0x01
#define CONTROL_LEN	    40
/* daemon/core/reason.h: REATTACH_REQUEST, and its one valid length */
#define REATTACH_REQUEST_TYPE 0x04
#define REATTACH_REQUEST_LEN  76
/* the largest frame a capture keeps: an unfragmented 64 KiB datagram */
#define FRAME_MAX (ETH_HLEN + 65535 + 64)

/* An IPv4 or IPv6 UDP endpoint, as bind(2) and sendto(2) take it. */
union endpoint {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

/* Command line */

/* One --option of a subcommand, and where its text goes. */
struct option_slot {
	const char *name;  /* without the "--" */
	const char *value; /* NULL if not given */
};

struct command_line {
	const char *cmd;
	struct option_slot *options;
	size_t n_options;
	const char *positional[2];
	size_t n_positional;
};

static int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "jvpn-pkt: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see: jvpn-pkt help)\n", stderr);
	return EXIT_USAGE;
}

static struct option_slot *find_slot(const struct command_line *cl,
				     const char *name)
{
	for (size_t i = 0; i < cl->n_options; i++)
		if (!strcmp(cl->options[i].name, name))
			return &cl->options[i];
	return NULL;
}

static int take_option(struct command_line *cl, char **argv, int *i, int argc)
{
	struct option_slot *slot = find_slot(cl, argv[*i] + 2);

	if (!slot)
		return usage_error(cl->cmd, "unknown option '%s'", argv[*i]);
	if (slot->value)
		return usage_error(cl->cmd, "--%s given more than once",
				   slot->name);
	if (*i + 1 >= argc)
		return usage_error(cl->cmd, "--%s needs a value", slot->name);
	slot->value = argv[++*i];
	return 0;
}

/* argv[0] is the subcommand; every option takes a value. */
static int parse_command_line(struct command_line *cl, int argc, char **argv,
			      size_t n_positional, const char *names)
{
	cl->cmd = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2)) {
			if (take_option(cl, argv, &i, argc))
				return EXIT_USAGE;
			continue;
		}
		if (cl->n_positional == n_positional)
			return usage_error(cl->cmd, "unexpected argument '%s'",
					   argv[i]);
		cl->positional[cl->n_positional++] = argv[i];
	}
	if (cl->n_positional < n_positional)
		return usage_error(cl->cmd, "missing %s", names);
	return 0;
}

/* Decimal or 0x-hex, 0..max; false if the text is anything else. */
static bool parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	bool hex = !strncmp(text, "0x", 2) || !strncmp(text, "0X", 2);
	const char *digits = hex ? text + 2 : text;
	unsigned long long value;

	if (!*digits)
		return false;
	for (const char *c = digits; *c; c++)
		if (!(hex ? isxdigit((unsigned char)*c)
			  : isdigit((unsigned char)*c)))
			return false;
	errno = 0;
	value = strtoull(digits, NULL, hex ? 16 : 10);
	if (errno || value > max)
		return false;
	*out = value;
	return true;
}

/* The value of --name as a number 0..max, or fallback if not given. */
static int option_u64(const struct command_line *cl, const char *name,
		      uint64_t max, uint64_t fallback, uint64_t *out)
{
	const struct option_slot *slot = find_slot(cl, name);
	const char *text = slot ? slot->value : NULL;

	*out = fallback;
	if (!text || parse_u64(text, max, out))
		return 0;
	return usage_error(cl->cmd, "--%s: '%s': expected a number 0..%llu",
			   name, text, (unsigned long long)max);
}

/* --timeout in seconds (fractions allowed) to milliseconds. */
static int option_timeout(const struct command_line *cl, int64_t *ms)
{
	const struct option_slot *slot = find_slot(cl, "timeout");
	char *end;
	double seconds;

	*ms = DEFAULT_TIMEOUT_MS;
	if (!slot || !slot->value)
		return 0;
	errno = 0;
	seconds = strtod(slot->value, &end);
	if (!isdigit((unsigned char)slot->value[0]) || *end || errno ||
	    seconds > 365.0 * 24 * 3600)
		return usage_error(cl->cmd,
				   "--timeout: '%s': expected "
				   "seconds, such as 5 or 0.5",
				   slot->value);
	/* rounded up: a tiny timeout must not mean "do not wait at all" */
	*ms = (int64_t)(seconds * 1000);
	if ((double)*ms < seconds * 1000)
		(*ms)++;
	return 0;
}

static bool parse_port(const char *text, uint16_t *port)
{
	uint64_t value;

	if (!parse_u64(text, UINT16_MAX, &value))
		return false;
	*port = htons((uint16_t)value);
	return true;
}

/* "192.0.2.1:51820" or "[2001:db8::1]:51820"; NULL or what is wrong */
static const char *parse_endpoint(const char *text, union endpoint *ep)
{
	char host[INET6_ADDRSTRLEN];
	const char *port;
	size_t len;

	memset(ep, 0, sizeof(*ep));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return "expected [IPV6]:PORT";
		len = (size_t)(close - text - 1);
		port = close + 2;
		text++;
	} else {
		port = strchr(text, ':');
		if (!port || strchr(port + 1, ':'))
			return "expected IPV4:PORT or [IPV6]:PORT";
		len = (size_t)(port - text);
		port++;
	}
	if (len >= sizeof(host))
		return "not an IP address before the port";
	memcpy(host, text, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, &ep->in4.sin_addr) == 1)
		ep->sa.sa_family = AF_INET;
	else if (inet_pton(AF_INET6, host, &ep->in6.sin6_addr) == 1)
		ep->sa.sa_family = AF_INET6;
	else
		return "not an IP address before the port";
	/* sin_port and sin6_port share their offset */
	if (!parse_port(port, ep->sa.sa_family == AF_INET ? &ep->in4.sin_port
							  : &ep->in6.sin6_port))
		return "expected a port number 0..65535";
	return NULL;
}

static int positional_endpoint(const struct command_line *cl, size_t index,
			       union endpoint *ep)
{
	const char *problem = parse_endpoint(cl->positional[index], ep);

	if (!problem)
		return 0;
	return usage_error(cl->cmd, "'%s': %s", cl->positional[index], problem);
}

/* Shared helpers */

static socklen_t endpoint_len(const union endpoint *ep)
{
	return ep->sa.sa_family == AF_INET6 ? sizeof(ep->in6) : sizeof(ep->in4);
}

static void print_endpoint(FILE *out, const union endpoint *ep)
{
	char text[INET6_ADDRSTRLEN] = "?";

	if (ep->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &ep->in6.sin6_addr, text, sizeof(text));
		fprintf(out, "[%s]:%u", text, ntohs(ep->in6.sin6_port));
	} else {
		inet_ntop(AF_INET, &ep->in4.sin_addr, text, sizeof(text));
		fprintf(out, "%s:%u", text, ntohs(ep->in4.sin_port));
	}
}

static int fail(const char *cmd, const char *what)
{
	fprintf(stderr, "jvpn-pkt: %s: %s: %s\n", cmd, what, strerror(errno));
	return EXIT_FAILURE;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 readable, 0 deadline passed, -1 error (errno) */
static int wait_readable(int fd, int64_t deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		int64_t left = deadline_ms - now_ms();
		int ready;

		if (left <= 0)
			return 0;
		ready = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (ready > 0)
			return 1;
		if (ready < 0 && errno != EINTR)
			return -1;
	}
}

/* Tells a test that started us in the background that it may go on. */
static void announce_listening(void)
{
	puts("# listening");
	fflush(stdout);
}

/* replay */

/* Where the parts of a captured jvpn data frame are. */
struct data_frame {
	uint16_t ethertype; /* ETH_P_IP or ETH_P_IPV6 */
	size_t l3;	    /* offset of the IP header */
	size_t udp;	    /* offset of the UDP header */
	size_t udp_len;	    /* UDP header and payload */
};

/* The link header length and protocol of a frame on a device of hatype. */
static bool link_layer(const uint8_t *frame, size_t len,
		       const struct sockaddr_ll *from, size_t *l2_len,
		       uint16_t *ethertype)
{
	uint16_t proto;

	if (from->sll_hatype != ARPHRD_ETHER &&
	    from->sll_hatype != ARPHRD_LOOPBACK) {
		/* a device without a link header: an L3 tunnel */
		*l2_len = 0;
		*ethertype = ntohs(from->sll_protocol);
		return true;
	}
	if (len < ETH_HLEN)
		return false;
	memcpy(&proto, frame + 12, sizeof(proto));
	*l2_len = ETH_HLEN;
	*ethertype = ntohs(proto);
	return true;
}

/* An unfragmented IPv4 UDP datagram: the UDP header's offset, or 0. */
static size_t ipv4_udp(const uint8_t *ip, size_t len)
{
	struct iphdr h;

	if (len < sizeof(h))
		return 0;
	memcpy(&h, ip, sizeof(h));
	if (h.version != 4 || h.ihl < 5 || h.protocol != IPPROTO_UDP ||
	    ntohs(h.tot_len) > len || ntohs(h.tot_len) < h.ihl * 4u + 8 ||
	    (ntohs(h.frag_off) & (IP_MF | IP_OFFMASK)))
		return 0;
	return h.ihl * 4u;
}

/* An IPv6 datagram with UDP as its first header: UDP's offset, or 0. */
static size_t ipv6_udp(const uint8_t *ip, size_t len)
{
	struct ip6_hdr h;

	if (len < sizeof(h) + 8)
		return 0;
	memcpy(&h, ip, sizeof(h));
	if ((ip[0] >> 4) != 6 || h.ip6_nxt != IPPROTO_UDP ||
	    sizeof(h) + ntohs(h.ip6_plen) > len)
		return 0;
	return sizeof(h);
}

/*
 * Whether frame is a jvpn packet of message type @type (JVPN_MSG_DATA, or
 * a control type) to port (network order).
 */
static bool is_data_frame(const uint8_t *frame, size_t len,
			  const struct sockaddr_ll *from, uint16_t port,
			  uint16_t sport, uint8_t type, struct data_frame *df)
{
	struct udphdr udp;
	size_t l2_len, l4;

	if (!link_layer(frame, len, from, &l2_len, &df->ethertype))
		return false;
	df->l3 = l2_len;
	if (df->ethertype == ETH_P_IP)
		l4 = ipv4_udp(frame + l2_len, len - l2_len);
	else if (df->ethertype == ETH_P_IPV6)
		l4 = ipv6_udp(frame + l2_len, len - l2_len);
	else
		return false;
	if (!l4)
		return false;
	df->udp = l2_len + l4;
	memcpy(&udp, frame + df->udp, sizeof(udp));
	df->udp_len = ntohs(udp.len);
	return (!port || udp.dest == port) && (!sport || udp.source == sport) &&
	       df->udp_len >= sizeof(udp) + 1 && df->udp + df->udp_len <= len &&
	       (type != JVPN_MSG_DATA ||
		df->udp_len - sizeof(udp) >= JVPN_DATA_HDR_LEN) &&
	       frame[df->udp + sizeof(udp)] == type;
}

static uint32_t sum_words(const uint8_t *data, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)data[i] << 8 | data[i + 1];
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	return sum;
}

/*
 * Recomputes the UDP checksum. A capture of an outgoing frame on a device
 * with checksum offload (veth) holds only the pseudo-header part of it,
 * and the receiver would drop the replay as corrupt before jvpn saw it.
 */
static void fix_udp_checksum(uint8_t *frame, const struct data_frame *df)
{
	uint8_t *udp = frame + df->udp;
	const uint8_t *ip = frame + df->l3;
	uint8_t pseudo_tail[8] = { 0 };
	uint32_t sum;
	uint16_t check;

	/* over IPv4, 0 means "no checksum" and is kept */
	if (df->ethertype == ETH_P_IP && !udp[6] && !udp[7])
		return;
	udp[6] = udp[7] = 0;
	if (df->ethertype == ETH_P_IP) {
		sum = sum_words(ip + 12, 8, 0); /* saddr, daddr */
		sum += IPPROTO_UDP + (uint32_t)df->udp_len;
	} else {
		sum = sum_words(ip + 8, 32, 0); /* saddr, daddr */
		pseudo_tail[2] = (uint8_t)(df->udp_len >> 8);
		pseudo_tail[3] = (uint8_t)df->udp_len;
		pseudo_tail[7] = IPPROTO_UDP;
		sum = sum_words(pseudo_tail, sizeof(pseudo_tail), sum);
	}
	sum = sum_words(udp, df->udp_len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	check = (uint16_t)~sum;
	if (!check)
		check = 0xffff;
	udp[6] = (uint8_t)(check >> 8);
	udp[7] = (uint8_t)check;
}

/* An AF_PACKET socket that sees every frame of one device, both ways. */
static int open_capture(const char *cmd, unsigned int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)ifindex,
	};
	/* protocol 0: no frame of another device queues before bind() */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		fail(cmd, "AF_PACKET socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fail(cmd, "binding the AF_PACKET socket");
		close(fd);
		return -1;
	}
	return fd;
}

struct capture {
	uint8_t frame[FRAME_MAX];
	size_t len;
	struct sockaddr_ll from;
	struct data_frame df;
	uint8_t type;	/* the message type wanted */
	uint16_t sport; /* network order; 0: any source port */
};

/* How the captured frame is sent again. */
struct replay_plan {
	uint64_t count;
	uint64_t delay_ms;
	uint64_t interval_ms;
	bool from_set; /* resend the payload from this endpoint instead */
	union endpoint from;
};

/* 0 captured, EXIT_TIMEOUT, or EXIT_FAILURE */
static int capture_data_frame(const char *cmd, int fd, uint16_t port,
			      int64_t timeout_ms, struct capture *cap)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		socklen_t from_len = sizeof(cap->from);
		int ready = wait_readable(fd, deadline);
		ssize_t len;

		if (ready == 0) {
			fprintf(stderr,
				"jvpn-pkt: %s: no data packet to port "
				"%u within the timeout\n",
				cmd, ntohs(port));
			return EXIT_TIMEOUT;
		}
		if (ready < 0)
			return fail(cmd, "waiting for frames");
		len = recvfrom(fd, cap->frame, sizeof(cap->frame), MSG_TRUNC,
			       (struct sockaddr *)&cap->from, &from_len);
		if (len < 0)
			return fail(cmd, "reading a frame");
		cap->len = (size_t)len;
		/* a truncated frame could not be sent again as it was */
		if (cap->len <= sizeof(cap->frame) &&
		    is_data_frame(cap->frame, cap->len, &cap->from, port,
				  cap->sport, cap->type, &cap->df))
			return 0;
	}
}

static void print_captured(const struct capture *cap)
{
	struct jvpn_data_hdr hdr;

	if (cap->type != JVPN_MSG_DATA) {
		printf("captured type=0x%02x len=%zu\n", cap->type,
		       cap->df.udp_len - sizeof(struct udphdr));
		fflush(stdout);
		return;
	}
	memcpy(&hdr, cap->frame + cap->df.udp + sizeof(struct udphdr),
	       sizeof(hdr));
	printf("captured counter=%llu session=%llu len=%zu dir=%s\n",
	       (unsigned long long)be64toh(hdr.counter),
	       (unsigned long long)be64toh(hdr.session_id),
	       cap->df.udp_len - sizeof(struct udphdr),
	       cap->from.sll_pkttype == PACKET_OUTGOING ? "out" : "in");
	fflush(stdout);
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Where the captured frame was going: its IP destination and UDP port. */
static void frame_destination(const struct capture *cap, union endpoint *to)
{
	const uint8_t *ip = cap->frame + cap->df.l3;
	const uint8_t *udp = cap->frame + cap->df.udp;

	memset(to, 0, sizeof(*to));
	if (cap->df.ethertype == ETH_P_IP) {
		to->in4.sin_family = AF_INET;
		memcpy(&to->in4.sin_addr, ip + 16, 4);
		memcpy(&to->in4.sin_port, udp + 2, 2);
	} else {
		to->in6.sin6_family = AF_INET6;
		memcpy(&to->in6.sin6_addr, ip + 24, 16);
		memcpy(&to->in6.sin6_port, udp + 2, 2);
	}
}

/* The captured payload again, from another address: a plain socket. */
static int send_payloads(const char *cmd, const struct capture *cap,
			 const struct replay_plan *plan)
{
	const uint8_t *payload = cap->frame + cap->df.udp + 8;
	size_t len = cap->df.udp_len - 8;
	union endpoint to;
	int fd = socket(plan->from.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	frame_destination(cap, &to);
	if (fd < 0 || bind(fd, &plan->from.sa, endpoint_len(&plan->from))) {
		if (fd >= 0)
			close(fd);
		return fail(cmd, "binding --from");
	}
	for (uint64_t i = 0; i < plan->count; i++) {
		if (i && plan->interval_ms)
			sleep_ms(plan->interval_ms);
		if (sendto(fd, payload, len, 0, &to.sa, endpoint_len(&to)) <
		    0) {
			close(fd);
			return fail(cmd, "sending the payload again");
		}
	}
	close(fd);
	printf("replayed %llu from ", (unsigned long long)plan->count);
	print_endpoint(stdout, &plan->from);
	printf(" to ");
	print_endpoint(stdout, &to);
	printf("\n");
	fflush(stdout);
	return EXIT_SUCCESS;
}

static int send_frames(const char *cmd, int fd, const struct capture *cap,
		       const struct replay_plan *plan)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(cap->df.ethertype),
		.sll_ifindex = cap->from.sll_ifindex,
	};

	for (uint64_t i = 0; i < plan->count; i++) {
		if (i && plan->interval_ms)
			sleep_ms(plan->interval_ms);
		if (sendto(fd, cap->frame, cap->len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			return fail(cmd, "sending the frame again");
	}
	printf("replayed %llu\n", (unsigned long long)plan->count);
	fflush(stdout);
	return EXIT_SUCCESS;
}

static int replay(const char *cmd, unsigned int ifindex, uint16_t port,
		  uint16_t sport, uint8_t type, const struct replay_plan *plan,
		  int64_t timeout_ms)
{
	struct capture *cap = malloc(sizeof(*cap));
	int fd = open_capture(cmd, ifindex);
	int status = EXIT_FAILURE;

	if (!cap || fd < 0)
		goto out;
	announce_listening();
	cap->type = type;
	cap->sport = sport;
	status = capture_data_frame(cmd, fd, port, timeout_ms, cap);
	if (status)
		goto out;
	print_captured(cap);
	sleep_ms(plan->delay_ms);
	fix_udp_checksum(cap->frame, &cap->df);
	status = plan->from_set ? send_payloads(cmd, cap, plan)
				: send_frames(cmd, fd, cap, plan);
out:
	if (fd >= 0)
		close(fd);
	free(cap);
	return status;
}

static int cmd_replay(int argc, char **argv)
{
	struct option_slot options[] = {
		{ "dst-port", NULL },	 { "count", NULL },
		{ "timeout", NULL },	 { "type", NULL },
		{ "src-port", NULL },	 { "delay-ms", NULL },
		{ "interval-ms", NULL }, { "from", NULL },
	};
	struct command_line cl = { .options = options,
				   .n_options = ARRAY_SIZE(options) };
	struct replay_plan plan = { 0 };
	uint64_t port, sport, type;
	int64_t timeout_ms;
	unsigned int ifindex;
	const char *problem;

	if (parse_command_line(&cl, argc, argv, 1, "IFACE"))
		return EXIT_USAGE;
	if (!options[0].value && !options[4].value)
		return usage_error(cl.cmd, "missing --dst-port or --src-port");
	if (option_u64(&cl, "dst-port", UINT16_MAX, 0, &port) ||
	    option_u64(&cl, "src-port", UINT16_MAX, 0, &sport) ||
	    option_u64(&cl, "count", UINT32_MAX, DEFAULT_REPLAYS,
		       &plan.count) ||
	    option_u64(&cl, "type", UINT8_MAX, JVPN_MSG_DATA, &type) ||
	    option_u64(&cl, "delay-ms", UINT32_MAX, 0, &plan.delay_ms) ||
	    option_u64(&cl, "interval-ms", UINT32_MAX, 0, &plan.interval_ms) ||
	    option_timeout(&cl, &timeout_ms))
		return EXIT_USAGE;
	if (options[7].value) {
		problem = parse_endpoint(options[7].value, &plan.from);
		if (problem)
			return usage_error(cl.cmd, "--from '%s': %s",
					   options[7].value, problem);
		plan.from_set = true;
	}
	ifindex = if_nametoindex(cl.positional[0]);
	if (!ifindex) {
		fprintf(stderr, "jvpn-pkt: %s: device '%s': %s\n", cl.cmd,
			cl.positional[0], strerror(errno));
		return EXIT_FAILURE;
	}
	return replay(cl.cmd, ifindex, htons((uint16_t)port),
		      htons((uint16_t)sport), (uint8_t)type, &plan, timeout_ms);
}

/* send */

/* What the crafted datagram is made of. */
struct datagram_plan {
	uint64_t session;
	uint64_t counter;	/* data: the nonce; reattach: its nonce */
	uint64_t state_version; /* reattach-signed */
	uint8_t key[32];	/* reattach-signed: the control key */
};

/* A datagram being built; sized for the largest kind. */
struct datagram {
	uint8_t bytes[OVERSIZED_LEN];
	size_t len;
	bool has_header; /* print session and counter */
};

static void put_junk(struct datagram *d, size_t len)
{
	size_t done = 0;

	/* getrandom() may return less than asked for large requests */
	while (done < len) {
		uint8_t *at = d->bytes + d->len + done;
		ssize_t got = getrandom(at, len - done, 0);

		if (got <= 0)
			break;
		done += (size_t)got;
	}
	/* should the kernel have no entropy call, junk needs no quality */
	for (size_t i = done; i < len; i++)
		d->bytes[d->len + i] = (uint8_t)(i * 131 + 7);
	d->len += len;
}

static void put_header(struct datagram *d, uint64_t session, uint64_t counter)
{
	struct jvpn_data_hdr hdr = {
		.type = JVPN_MSG_DATA,
		.version = JVPN_PROTO_VERSION,
		.session_id = htobe64(session),
		.counter = htobe64(counter),
	};

	memcpy(d->bytes + d->len, &hdr, sizeof(hdr));
	d->len += sizeof(hdr);
	d->has_header = true;
}

/* The header of the last put_header(), to spoil one of its fields. */
static struct jvpn_data_hdr *last_header(struct datagram *d)
{
	return (struct jvpn_data_hdr *)(d->bytes + d->len - JVPN_DATA_HDR_LEN);
}

static void build_short(struct datagram *d, const struct datagram_plan *p)
{
	(void)p;
	d->bytes[0] = JVPN_MSG_DATA;
	d->bytes[1] = JVPN_PROTO_VERSION;
	d->bytes[2] = 0;
	d->len = 3;
}

static void build_header_only(struct datagram *d, const struct datagram_plan *p)
{
	put_header(d, p->session, p->counter);
}

static void build_bad_version(struct datagram *d, const struct datagram_plan *p)
{
	put_header(d, p->session, p->counter);
	last_header(d)->version = JVPN_PROTO_VERSION + 1;
	put_junk(d, JUNK_CIPHERTEXT_LEN + JVPN_TAG_LEN);
}

static void build_reserved_set(struct datagram *d,
			       const struct datagram_plan *p)
{
	put_header(d, p->session, p->counter);
	last_header(d)->reserved = 0x01;
	put_junk(d, JUNK_CIPHERTEXT_LEN + JVPN_TAG_LEN);
}

/* Also garbage-tag: well-formed, but no key can open the junk. */
static void build_sealed_junk(struct datagram *d, const struct datagram_plan *p)
{
	put_header(d, p->session, p->counter);
	put_junk(d, JUNK_CIPHERTEXT_LEN + JVPN_TAG_LEN);
}

static void build_oversized(struct datagram *d, const struct datagram_plan *p)
{
	put_header(d, p->session, p->counter);
	put_junk(d, OVERSIZED_LEN - JVPN_DATA_HDR_LEN);
}

/* A REATTACH_REQUEST (daemon/core/reason.h) of the right length for the
 * session, whose proof is junk: the gateway must drop it silently. */
static void build_reattach_forged(struct datagram *d,
				  const struct datagram_plan *p)
{
	uint64_t id = htobe64(p->session);

	d->bytes[0] = REATTACH_REQUEST_TYPE;
	d->bytes[1] = 1; /* control-plane version */
	d->bytes[2] = d->bytes[3] = 0;
	memcpy(d->bytes + 4, &id, sizeof(id));
	d->len = 12;
	put_junk(d, REATTACH_REQUEST_LEN - 12);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

/* A genuine REATTACH_REQUEST under a control key the test read from a
 * daemon's state file: what a client with that key could send. */
static void build_reattach_signed(struct datagram *d,
				  const struct datagram_plan *p)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	memset(d->bytes, 0, REATTACH_REQUEST_LEN);
	d->bytes[0] = REATTACH_REQUEST_TYPE;
	d->bytes[1] = 1;
	put_be64(d->bytes + 4, p->session);
	put_be64(d->bytes + 12, p->state_version);
	put_be64(d->bytes + 20, p->counter);
	put_be64(d->bytes + 28,
		 (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000);
	d->bytes[36] = 1; /* transport class udp4 */
	crypto_auth_hmacsha256(d->bytes + 44, d->bytes, 44, p->key);
	d->len = REATTACH_REQUEST_LEN;
}

static void build_control(struct datagram *d, const struct datagram_plan *p)
{
	(void)p;
	d->bytes[0] = CONTROL_TYPE;
	d->len = 1;
	put_junk(d, CONTROL_LEN - 1);
}

struct datagram_kind {
	const char *name;
	void (*build)(struct datagram *d, const struct datagram_plan *p);
	uint64_t default_session;
};

static const struct datagram_kind datagram_kinds[] = {
	{ "short", build_short, DEFAULT_SESSION },
	{ "header-only", build_header_only, DEFAULT_SESSION },
	{ "bad-version", build_bad_version, DEFAULT_SESSION },
	{ "reserved-set", build_reserved_set, DEFAULT_SESSION },
	{ "unknown-session", build_sealed_junk, UNKNOWN_SESSION },
	{ "garbage-tag", build_sealed_junk, DEFAULT_SESSION },
	{ "oversized", build_oversized, DEFAULT_SESSION },
	{ "control", build_control, DEFAULT_SESSION },
	{ "reattach-forged", build_reattach_forged, DEFAULT_SESSION },
	{ "reattach-signed", build_reattach_signed, DEFAULT_SESSION },
};

static const struct datagram_kind *find_kind(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(datagram_kinds); i++)
		if (!strcmp(datagram_kinds[i].name, name))
			return &datagram_kinds[i];
	return NULL;
}

/* A UDP socket of to's family, bound to from_port (0: any). */
static int open_sender(const char *cmd, const union endpoint *to,
		       uint16_t from_port)
{
	union endpoint local = { .sa.sa_family = to->sa.sa_family };
	int fd = socket(to->sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		fail(cmd, "UDP socket");
		return -1;
	}
	if (to->sa.sa_family == AF_INET6)
		local.in6.sin6_port = from_port;
	else
		local.in4.sin_port = from_port;
	/*
	 * No SO_REUSEADDR: UDP leaves no TIME_WAIT behind, so successive
	 * runs rebind one --from-port anyway, and sharing a jvpn socket's
	 * port would divert datagrams meant for it.
	 */
	if (bind(fd, &local.sa, endpoint_len(&local)) ||
	    connect(fd, &to->sa, endpoint_len(to))) {
		fail(cmd, from_port ? "--from-port" : "connecting");
		close(fd);
		return -1;
	}
	return fd;
}

static void print_sent(const char *kind, int fd, const union endpoint *to,
		       const struct datagram *d, const struct datagram_plan *p)
{
	union endpoint local = { 0 };
	socklen_t len = sizeof(local);

	getsockname(fd, &local.sa, &len);
	printf("sent %s len=%zu from=", kind, d->len);
	print_endpoint(stdout, &local);
	fputs(" to=", stdout);
	print_endpoint(stdout, to);
	if (d->has_header)
		printf(" session=%llu counter=%llu",
		       (unsigned long long)p->session,
		       (unsigned long long)p->counter);
	putchar('\n');
}

/* How many copies, for how long: one, or a flood. */
struct send_plan {
	uint64_t repeat;     /* 0: no bound on the number */
	int64_t deadline_ms; /* 0: no bound on the time */
	uint64_t rate;	     /* copies per second; 0: as fast as it goes */
};

/* With a rate, copy n goes out n / rate seconds after the first. */
static void pace(const struct send_plan *sp, uint64_t sent, int64_t start_ms)
{
	int64_t due_ms;

	if (!sp->rate)
		return;
	due_ms = start_ms + (int64_t)(sent * 1000 / sp->rate);
	if (due_ms > now_ms())
		sleep_ms((uint64_t)(due_ms - now_ms()));
}

static bool flood_done(const struct send_plan *sp, uint64_t sent)
{
	return (sp->repeat && sent >= sp->repeat) ||
	       (sp->deadline_ms && now_ms() >= sp->deadline_ms);
}

/* In a flood the peer's ICMP errors (ECONNREFUSED) and a full queue
 * (ENOBUFS) are part of the game, not a reason to stop. */
static int send_copies(const char *cmd, int fd, const struct datagram *d,
		       const struct send_plan *sp, uint64_t *sent)
{
	int64_t start_ms = now_ms();

	do {
		pace(sp, *sent, start_ms);
		if (send(fd, d->bytes, d->len, 0) >= 0)
			(*sent)++;
		else if (sp->repeat == 1 ||
			 (errno != ECONNREFUSED && errno != ENOBUFS &&
			  errno != EAGAIN)) {
			fail(cmd, "send");
			return -1;
		}
	} while (!flood_done(sp, *sent));
	return 0;
}

static int send_datagram(const char *cmd, const union endpoint *to,
			 uint16_t from_port, const struct datagram_kind *kind,
			 const struct datagram_plan *plan,
			 const struct send_plan *sp)
{
	struct datagram *d = calloc(1, sizeof(*d));
	int fd = open_sender(cmd, to, from_port);
	int status = EXIT_FAILURE;
	uint64_t sent = 0;

	if (!d || fd < 0)
		goto out;
	kind->build(d, plan);
	if (send_copies(cmd, fd, d, sp, &sent))
		goto out;
	print_sent(kind->name, fd, to, d, plan);
	if (sp->repeat != 1)
		printf("sent %llu copies\n", (unsigned long long)sent);
	status = EXIT_SUCCESS;
out:
	if (fd >= 0)
		close(fd);
	free(d);
	return status;
}

static int cmd_send(int argc, char **argv)
{
	struct option_slot options[] = {
		{ "from-port", NULL }, { "session", NULL }, { "counter", NULL },
		{ "key", NULL },       { "version", NULL }, { "repeat", NULL },
		{ "seconds", NULL },   { "rate", NULL },
	};
	struct command_line cl = { .options = options,
				   .n_options = ARRAY_SIZE(options) };
	const struct datagram_kind *kind;
	struct datagram_plan plan = { 0 };
	struct send_plan sp = { 0 };
	size_t key_len = 0;
	union endpoint to;
	uint64_t from_port, seconds;

	if (parse_command_line(&cl, argc, argv, 2, "ADDR:PORT KIND") ||
	    positional_endpoint(&cl, 0, &to))
		return EXIT_USAGE;
	kind = find_kind(cl.positional[1]);
	if (!kind)
		return usage_error(cl.cmd, "no kind '%s'", cl.positional[1]);
	if (option_u64(&cl, "from-port", UINT16_MAX, 0, &from_port) ||
	    option_u64(&cl, "session", UINT64_MAX, kind->default_session,
		       &plan.session) ||
	    option_u64(&cl, "counter", UINT64_MAX, DEFAULT_COUNTER,
		       &plan.counter) ||
	    option_u64(&cl, "version", UINT64_MAX, 1, &plan.state_version) ||
	    option_u64(&cl, "repeat", UINT64_MAX, 0, &sp.repeat) ||
	    option_u64(&cl, "seconds", 3600, 0, &seconds) ||
	    option_u64(&cl, "rate", 10000000, 0, &sp.rate))
		return EXIT_USAGE;
	if (!sp.repeat && !seconds)
		sp.repeat = 1;
	if (seconds)
		sp.deadline_ms = now_ms() + (int64_t)seconds * 1000;
	if (options[3].value &&
	    (sodium_hex2bin(plan.key, sizeof(plan.key), options[3].value,
			    strlen(options[3].value), NULL, &key_len, NULL) ||
	     key_len != sizeof(plan.key)))
		return usage_error(cl.cmd, "--key: expected 64 hex digits");
	return send_datagram(cl.cmd, &to, htons((uint16_t)from_port), kind,
			     &plan, &sp);
}

/* recv */

static int receive_one(const char *cmd, int fd, int64_t timeout_ms)
{
	union endpoint from = { 0 };
	socklen_t from_len = sizeof(from);
	int ready = wait_readable(fd, now_ms() + timeout_ms);
	uint8_t first = 0;
	ssize_t len;

	if (ready == 0) {
		fprintf(stderr,
			"jvpn-pkt: %s: no datagram within the "
			"timeout\n",
			cmd);
		return EXIT_TIMEOUT;
	}
	if (ready < 0)
		return fail(cmd, "waiting for a datagram");
	/* MSG_TRUNC: the datagram's true length, though one byte is kept */
	len = recvfrom(fd, &first, 1, MSG_TRUNC, &from.sa, &from_len);
	if (len < 0)
		return fail(cmd, "recvfrom");
	printf("received first=0x%02x len=%zd from=", first, len);
	print_endpoint(stdout, &from);
	putchar('\n');
	return EXIT_SUCCESS;
}

static int cmd_recv(int argc, char **argv)
{
	struct option_slot options[] = { { "timeout", NULL } };
	struct command_line cl = { .options = options,
				   .n_options = ARRAY_SIZE(options) };
	union endpoint local;
	int64_t timeout_ms;
	int fd, status;

	if (parse_command_line(&cl, argc, argv, 1, "ADDR:PORT") ||
	    positional_endpoint(&cl, 0, &local) ||
	    option_timeout(&cl, &timeout_ms))
		return EXIT_USAGE;
	fd = socket(local.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(cl.cmd, "UDP socket");
	if (bind(fd, &local.sa, endpoint_len(&local))) {
		status = fail(cl.cmd, cl.positional[0]);
	} else {
		announce_listening();
		status = receive_one(cl.cmd, fd, timeout_ms);
	}
	close(fd);
	return status;
}

/* main */

static void print_help(FILE *out)
{
	fputs("usage: jvpn-pkt replay IFACE --dst-port P|--src-port P "
	      "[--type T] [--count N] [--timeout S]\n"
	      "         [--delay-ms D] [--interval-ms I] [--from ADDR:PORT]\n"
	      "       jvpn-pkt send ADDR:PORT KIND [--from-port P] "
	      "[--session ID] [--counter N]\n"
	      "                [--repeat N] [--seconds S] [--rate PPS]\n"
	      "       jvpn-pkt recv ADDR:PORT [--timeout S]\n"
	      "KIND:  short header-only bad-version reserved-set "
	      "unknown-session\n"
	      "       garbage-tag oversized control reattach-forged\n"
	      "       reattach-signed (--key HEX64 --version V --counter "
	      "NONCE)\n"
	      "ADDR:PORT  192.0.2.1:51820 or [2001:db8::1]:51820; "
	      "timeouts default to 10 s\n"
	      "exit:  0 done, 1 failed, 2 usage, 3 timeout\n",
	      out);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "replay", cmd_replay },
		{ "send", cmd_send },
		{ "recv", cmd_recv },
	};

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		print_help(stdout);
		return EXIT_SUCCESS;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "jvpn-pkt: no subcommand '%s' (see: jvpn-pkt help)\n",
		argv[1]);
	return EXIT_USAGE;
}
