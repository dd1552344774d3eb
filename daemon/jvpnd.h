/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnd's runtime state: the structs every part of the shell shares (the
 * daemon and its sessions), and nothing that runs. One thread, one loop
 * (io/loop.h) over the UDP sockets it shares with jvpn.ko, the kernel's
 * event socket, a tick timer and signals; jvpnd.c composes them, and the
 * role (role.h: gateway.c or client.c) does what differs by role.
 */
#ifndef JVPND_JVPND_H
#define JVPND_JVPND_H

#include <stdbool.h>
#include <stdint.h>

#include "clientguard.h"
#include "config.h"
#include "cookie.h"
#include "drill.h"
#include "eventbus.h"
#include "handshake.h"
#include "hsadmit.h"
#include "klink.h"
#include "limiter.h"
#include "loop.h"
#include "netconf.h"
#include "notify.h"
#include "reattach.h"
#include "refusals.h"
#include "reqanswer.h"
#include "retry.h"
#include "rtnl.h"
#include "sm.h"
#include "stats.h"

/* health is judged this often; also the granularity of every timer */
#define JVPND_TICK_MS	   50
#define JVPND_MAX_DATAGRAM 2048
#define JVPND_MAX_SESSIONS CONFIG_MAX_PEERS

struct session {
	uint64_t id;
	size_t peer;			/* index in config.peers */
	uint8_t peer_pub[JVPN_KEY_LEN]; /* finds the peer again on reload */
	struct sm sm;
	struct handshake_keys keys;
	struct handshake_keys next_keys; /* client: rotation under way */
	bool rekey_pending;
	uint64_t keys_since_ms;
	uint64_t rekey_sent_ms;
	/* gateway: keys of a fresh handshake, installed to open only, that
	 * the client's REKEY under their control key makes current */
	struct handshake_keys fresh_keys;
	bool fresh_pending;
	uint64_t fresh_last_ms;	    /* the last fresh handshake it answered */
	int fd;			    /* socket of the bound transport */
	union jvpn_sockaddr remote; /* bound remote endpoint */
	uint64_t last_rx_ms;	    /* newest authenticated rx, boottime */
	uint64_t last_probe_ms;	    /* client: last PROBE sent */
	uint64_t probe_seq;
	uint64_t nonce;		    /* client: last REATTACH nonce sent */
	uint64_t peer_bound;	    /* client: gateway's bound version */
	struct clientguard guard;   /* client: what it has outstanding */
	struct reattach_session rs; /* gateway: nonces, budget, switches */
	/* gateway: a path being validated before a switch */
	bool pending;
	uint8_t token[JVPN_REATTACH_TOKEN_LEN];
	uint64_t pending_nonce;
	uint64_t pending_until_ms;
	uint64_t pending_since_us; /* the challenge went out: latency */
	int pending_fd;
	union jvpn_sockaddr pending_remote;
	enum jvpnd_reason pending_reason; /* REATTACHED or NAT_REBINDING */
	/* gateway: the newest request's answer, and its challenge to a
	 * second address (core/reqanswer.h): a copy that overtook the
	 * request must not swallow its answer */
	struct reqanswer answered;
	bool second;
	uint8_t second_token[JVPN_REATTACH_TOKEN_LEN];
	uint64_t second_nonce;
	uint64_t second_until_ms;
	int second_fd;
	union jvpn_sockaddr second_remote;
	bool in_use;
	bool in_kernel; /* the kernel mirrors its state */
	/* in_kernel, but its kernel state went with the module: it waits for
	 * a fresh handshake (sessions_kernel_lost) */
	bool lost;
	/* why an operator ended it, for the TERMINATED event; else NULL */
	const char *end_detail;
	struct jvpnd *d;
};

struct control;
struct metrics;
struct role_ops;

struct peer_time {
	uint8_t pub[JVPN_KEY_LEN];
	struct hs_time ts;
};

/* What only a gateway keeps: gateway.c alone reads and writes it. */
struct gateway_state {
	struct limiter_table sources;  /* unauthenticated work, per source */
	struct hsadmit handshakes;     /* INITs worth a Diffie-Hellman */
	struct cookie_gateway cookies; /* secret in memory only */
};

/* What the client knows of one uplink's device from rtnetlink. */
struct client_uplink {
	int ifindex;	/* 0: no such device (yet) */
	bool link_ok;	/* up, with carrier */
	bool addr_gone; /* its configured address was removed */
	bool down;	/* cannot carry the session: not a candidate */
};

/* What only a client keeps: client.c alone reads and writes it. */
struct client_state {
	struct hs_initiator hs;
	uint64_t hs_sent_ms;
	struct cookie_client cookie; /* the gateway's, when under load */
	struct hs_initiator fresh;   /* a fresh handshake in the session */
	bool fresh_waiting;	     /* REHANDSHAKE_INIT sent, no RESP yet */
	uint64_t fresh_sent_ms;
	uint64_t fresh_since_ms;    /* the session's last X25519 exchange */
	uint64_t cookie_resend_ms;  /* last INIT sent at once for a cookie */
	size_t uplink;		    /* active uplink index */
	size_t endpoint;	    /* active gateway endpoint index */
	struct retry reattach;	    /* the schedule of reattach requests */
	uint64_t reattach_first_us; /* this failover's first request */
	size_t candidate;	    /* uplink tried by the last request */
	/* refused handshakes: the next INIT waits for this backoff */
	struct limiter_backoff hs_backoff;
	uint64_t hs_not_before_ms;
	/* link, address and route news (docs/reattach.md, "Event-driven
	 * detection"): each uplink's device and whether it can carry the
	 * session; the bound one going down starts a reattach at once */
	struct rtnl rtnl;
	bool rtnl_open;
	struct client_uplink ups[CONFIG_MAX_UPLINKS];
	bool bound_down; /* the bound uplink is down: reattach, do not wait */
	/* the device's address and routes it added (removed at stop) */
	struct netconf netconf;
	uint64_t refused_event_ms; /* last SECURITY_EVENT for a refused
				    * message: at most one a second */
	struct drill drill;	   /* jvpnctl drill's switch, when one runs */
};

/*
 * The device jvpnd drives, and what it puts back when jvpn.ko takes it
 * away (daemon/kernelback.c): kernelback.c alone writes it.
 */
struct device_state {
	bool lost;		   /* gone: its sessions wait for it */
	unsigned int lost_ifindex; /* the one that went */
	uint64_t lost_ms;
	uint64_t retry_ms;	    /* the next try to get it back */
	bool waiting_said;	    /* "waiting for jvpn.ko" was emitted */
	struct netconf_device conf; /* what it had when jvpnd started */
};

struct jvpnd {
	const char *config_path;
	struct config cfg;
	uint8_t priv[JVPN_KEY_LEN];
	uint8_t pub[JVPN_KEY_LEN];
	struct kernel_link kreq; /* requests */
	struct kernel_link kev;	 /* events */
	struct event_outlets out;
	const struct role_ops *role; /* gateway.c or client.c */
	struct loop loop;
	int sigfd;
	int timerfd;
	int fds[CONFIG_MAX_LISTEN + CONFIG_MAX_UPLINKS];
	size_t n_fds;
	struct session *sessions; /* gateway: one per peer at most */
	size_t n_sessions;
	bool stop;
	bool dirty; /* a session changed: save the state file */
	/*
	 * The last save failed: the handshake replay guard could not be
	 * kept, so no new session is taken until a save succeeds; retried
	 * from save_retry_ms on (daemon/jvpnd.c).
	 */
	bool unsaved;
	uint64_t save_retry_ms;
	uint64_t started_ms;
	struct control *control;   /* jvpnctl's unix socket */
	struct notify notify;	   /* systemd, if it started us */
	uint64_t notify_status_ms; /* when STATUS was last worked out */
	struct metrics *metrics;   /* NULL: metrics-listen = off */
	/* counted from the start, whether metrics are served or not, so that
	 * turning them on by a reload shows the whole life of the process */
	struct stats stats;
	struct refusals refusals; /* summarized refusals (emit.h) */
	/* greatest handshake time accepted per client key, across reloads
	 * and restarts: a captured INIT must never replay */
	struct peer_time *peer_times;
	size_t n_peer_times;
	struct device_state device;   /* kernelback.c's own */
	struct gateway_state gateway; /* gateway.c's own */
	struct client_state client;   /* client.c's own */
};

#endif /* JVPND_JVPND_H */
