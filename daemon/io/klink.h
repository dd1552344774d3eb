/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnd's hands on jvpn.ko: the generic-netlink family "jvpn". Requests are
 * synchronous (the kernel answers in microseconds); events arrive on a
 * separate socket the main loop polls.
 */
#ifndef JVPND_KERNEL_H
#define JVPND_KERNEL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/jvpn.h>

#include "nl.h"
#include "sockaddr.h"

#define KERNEL_ERR_LEN (JVPN_NL_EXTACK_MAX + 128)

struct kernel_link {
	struct jvpn_nl nl; /* one request and its replies at a time */
	unsigned int ifindex;
	char err[KERNEL_ERR_LEN]; /* why the last request failed */
};

struct kernel_session_spec {
	uint64_t id;
	int fd; /* bound UDP socket; the kernel takes a ref */
	union jvpn_sockaddr remote;
	uint8_t tx_key[JVPN_KEY_LEN];
	uint8_t rx_key[JVPN_KEY_LEN];
	uint8_t key_phase;
	uint64_t state_version;
	uint8_t state; /* enum jvpn_state */
	uint32_t min_switch_ms;
	const struct jvpn_cidr *allowed_ips;
	size_t n_allowed_ips;
	/* the daemon's record of the keys for the kernel to keep, or NULL */
	const uint8_t *secrets;
	size_t secrets_len;
};

/* What the kernel reports of a session. */
struct kernel_session_info {
	uint64_t id;
	uint64_t state_version;
	uint8_t state;
	union jvpn_sockaddr remote;
	union jvpn_sockaddr local;
	uint64_t last_rx_ns; /* CLOCK_BOOTTIME, 0 = never */
	uint64_t last_tx_ns;
	uint64_t stats[JVPN_STATS_A_MAX + 1]; /* by enum jvpn_stats_attr */
	/*
	 * The record the daemon left with the kernel (DAEMON_SECRETS), or
	 * NULL: it points into the link's receive buffer, valid only inside
	 * a dump's callback (lib/nl.c wipes each batch of replies once read,
	 * so after kernel_session_get it reads as zeros); whoever copies it
	 * out wipes the copy.
	 */
	const uint8_t *secrets;
	size_t secrets_len;
};

enum kernel_event_type {
	KERNEL_EV_CREATED = JVPN_CMD_EVENT_SESSION_CREATED,
	KERNEL_EV_DELETED = JVPN_CMD_EVENT_SESSION_DELETED,
	KERNEL_EV_SWITCHED = JVPN_CMD_EVENT_TRANSPORT_SWITCHED,
	KERNEL_EV_STRAY = JVPN_CMD_EVENT_STRAY_DATA,
	KERNEL_EV_STATE = JVPN_CMD_EVENT_STATE_CHANGED,
};

struct kernel_event {
	enum kernel_event_type type;
	uint64_t seq;
	unsigned int ifindex;
	uint64_t id;
	uint64_t state_version;
	uint32_t del_reason;
	union jvpn_sockaddr remote; /* stray: the candidate endpoint */
	union jvpn_sockaddr local;
};

/* Opens a request socket for device @ifname; false with k->err set. */
bool kernel_open(struct kernel_link *k, const char *ifname);
/* A second link subscribed to the events group, for the main loop. */
bool kernel_open_events(struct kernel_link *k, const char *ifname);
void kernel_close(struct kernel_link *k);
int kernel_events_fd(const struct kernel_link *k);

/* Each returns 0 or -errno, with the kernel's extack in k->err. */
int kernel_session_new(struct kernel_link *k,
		       const struct kernel_session_spec *spec);
int kernel_session_switch(struct kernel_link *k, uint64_t id, int fd,
			  const union jvpn_sockaddr *remote, uint64_t expected,
			  uint64_t next);
int kernel_session_set_state(struct kernel_link *k, uint64_t id,
			     uint64_t expected, uint64_t next, uint8_t state);
/*
 * @next: install to open packets only, as the next generation; otherwise
 * @secrets (NULL: none) is the daemon's record of the pair, for the
 * kernel to keep in place of the one before.
 */
int kernel_session_set_keys(struct kernel_link *k, uint64_t id,
			    const uint8_t *tx, const uint8_t *rx, uint8_t phase,
			    bool next, const uint8_t *secrets,
			    size_t secrets_len);
int kernel_session_del(struct kernel_link *k, uint64_t id, uint32_t reason);
int kernel_session_get(struct kernel_link *k, uint64_t id,
		       struct kernel_session_info *out);
/* The device's own counters (by enum jvpn_stats_attr): drops before any
 * session is found; each session counts the rest itself. */
int kernel_dev_get(struct kernel_link *k, uint64_t stats[JVPN_STATS_A_MAX + 1]);
/* A new fd, in this process, for the socket of the session's transport:
 * how a restarted daemon takes its sockets back. fd or -errno. */
int kernel_session_get_socket(struct kernel_link *k, uint64_t id);

typedef void (*kernel_session_cb)(const struct kernel_session_info *s,
				  void *ctx);
int kernel_session_dump(struct kernel_link *k, kernel_session_cb cb, void *ctx);

typedef void (*kernel_event_cb)(const struct kernel_event *ev, void *ctx);
/* Reads what is pending on the events socket (non-blocking). */
int kernel_events_read(struct kernel_link *k, kernel_event_cb cb, void *ctx);

#endif /* JVPND_KERNEL_H */
