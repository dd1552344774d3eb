/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnd's runtime: one thread, one epoll loop over the UDP sockets it
 * shares with jvpn.ko, the kernel's event socket, a tick timer and
 * signals. Role-specific logic lives in gateway.c and client.c.
 */
#ifndef JVPND_DAEMON_H
#define JVPND_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "eventbus.h"
#include "handshake.h"
#include "klink.h"
#include "limiter.h"
#include "notify.h"
#include "reattach.h"
#include "sm.h"
#include "stats.h"

/* health is judged this often; also the granularity of every timer */
#define JVPND_TICK_MS		50
#define JVPND_MAX_DATAGRAM	2048
#define JVPND_MAX_SESSIONS	CONFIG_MAX_PEERS

struct session {
	uint64_t id;
	size_t peer;			/* index in config.peers */
	uint8_t peer_pub[JVPN_KEY_LEN];	/* finds the peer again on reload */
	struct sm sm;
	struct handshake_keys keys;
	struct handshake_keys next_keys;	/* client: rotation under way */
	bool rekey_pending;
	uint64_t keys_since_ms;
	uint64_t rekey_sent_ms;
	int fd;				/* socket of the bound transport */
	union config_sockaddr remote;	/* bound remote endpoint */
	uint64_t last_rx_ms;		/* newest authenticated rx, boottime */
	uint64_t last_probe_ms;		/* client: last PROBE sent */
	uint64_t probe_seq;
	uint64_t nonce;			/* client: last REATTACH nonce sent */
	uint64_t peer_bound;		/* client: gateway's bound version */
	struct reattach_session rs;	/* gateway: nonces, budget, switches */
	/* gateway: a path being validated before a switch */
	bool pending;
	uint8_t token[JVPN_REATTACH_TOKEN_LEN];
	uint64_t pending_nonce;
	uint64_t pending_until_ms;
	uint64_t pending_since_us;	/* the challenge went out: latency */
	int pending_fd;
	union config_sockaddr pending_remote;
	enum jvpnd_reason pending_reason;	/* REATTACHED or NAT_REBINDING */
	bool in_use;
	bool in_kernel;			/* the kernel mirrors its state */
	/* why an operator ended it, for the TERMINATED event; else NULL */
	const char *end_detail;
	struct jvpnd *d;
};

/*
 * A part of jvpnd with descriptors of its own (the control socket, the
 * metrics listener and their connections): the loop calls fn when fd is
 * ready for what epoll events asked.
 */
typedef void (*daemon_fd_fn)(struct jvpnd *d, int fd, uint32_t events,
			     void *ctx);
#define JVPND_MAX_WATCHES	64

struct fd_watch {
	int fd;			/* -1: free */
	daemon_fd_fn fn;
	void *ctx;
};

struct control;
struct metrics;

struct peer_time {
	uint8_t pub[JVPN_KEY_LEN];
	struct hs_time ts;
};

/* The greatest handshake time of @pub, or NULL; and recording one. */
const struct hs_time *peer_time_get(const struct jvpnd *d,
				    const uint8_t pub[JVPN_KEY_LEN]);
void peer_time_set(struct jvpnd *d, const uint8_t pub[JVPN_KEY_LEN],
		   const struct hs_time *ts);

struct jvpnd {
	const char *config_path;
	struct config cfg;
	uint8_t priv[JVPN_KEY_LEN];
	uint8_t pub[JVPN_KEY_LEN];
	struct kernel_link kreq;	/* requests */
	struct kernel_link kev;		/* events */
	struct event_outlets out;
	int epfd;
	int sigfd;
	int timerfd;
	int fds[CONFIG_MAX_LISTEN + CONFIG_MAX_UPLINKS];
	size_t n_fds;
	struct session *sessions;	/* gateway: one per peer at most */
	size_t n_sessions;
	bool stop;
	uint64_t started_ms;
	struct fd_watch watches[JVPND_MAX_WATCHES];
	struct control *control;	/* jvpnctl's unix socket */
	struct notify notify;		/* systemd, if it started us */
	uint64_t notify_status_ms;	/* when STATUS was last worked out */
	struct metrics *metrics;	/* NULL: metrics-listen = off */
	/* counted from the start, whether metrics are served or not, so that
	 * turning them on by a reload shows the whole life of the process */
	struct stats stats;
	/* gateway */
	struct limiter_table sources;
	/* greatest handshake time accepted per client key, across reloads
	 * and restarts: a captured INIT must never replay */
	struct peer_time *peer_times;
	size_t n_peer_times;
	/* client */
	struct hs_initiator hs;
	uint64_t hs_sent_ms;
	size_t uplink;			/* active uplink index */
	size_t endpoint;		/* active gateway endpoint index */
	uint64_t reattach_sent_ms;
	uint64_t reattach_sent_us;	/* for the reattach latency */
	unsigned int reattach_attempts;
	size_t candidate;		/* uplink tried by the last request */
	bool gave_up;			/* refused for good: no more tries */
};

uint64_t now_ms(void);			/* CLOCK_BOOTTIME */
/* Sessions in use; by state too, if @by_state is not NULL. */
size_t daemon_count_sessions(const struct jvpnd *d,
			     uint64_t by_state[STATS_STATES]);
struct session *session_find(struct jvpnd *d, uint64_t id);
void emit(struct jvpnd *d, enum event_type type, const struct session *s,
	  enum jvpnd_reason reason, const char *detail);
/* sm outlet: every transition becomes an event and a kernel mirror. */
void session_sm_outlet(void *ctx, const struct sm_record *rec);
int daemon_watch_fd(struct jvpnd *d, int fd);
/* 0, or -errno (-ENOSPC: JVPND_MAX_WATCHES in use) */
int daemon_watch(struct jvpnd *d, int fd, uint32_t events, daemon_fd_fn fn,
		 void *ctx);
int daemon_rewatch(struct jvpnd *d, int fd, uint32_t events);
/* Forgets fd (does not close it). */
void daemon_unwatch(struct jvpnd *d, int fd);
/* After any change of a session: the state file follows. */
void daemon_changed(struct jvpnd *d);
/*
 * Reads the config file again (SIGHUP, jvpnctl policy reload): applied
 * only if valid in full; false with every finding in @diag otherwise.
 */
bool daemon_reload(struct jvpnd *d, struct diag *diag);
/* Runs until SIGTERM or SIGINT; 0, or 1 when it could not start. */
int daemon_run(struct jvpnd *d);

/* role hooks */
int gateway_start(struct jvpnd *d);
void gateway_datagram(struct jvpnd *d, int fd, const union config_sockaddr *from,
		      const uint8_t *msg, size_t len);
void gateway_kernel_event(struct jvpnd *d, const struct kernel_event *ev);
void gateway_tick(struct jvpnd *d);
int client_start(struct jvpnd *d);
void client_datagram(struct jvpnd *d, int fd, const union config_sockaddr *from,
		     const uint8_t *msg, size_t len);
void client_kernel_event(struct jvpnd *d, const struct kernel_event *ev);
void client_tick(struct jvpnd *d);

#endif /* JVPND_DAEMON_H */
