/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * jvpnd's configuration file (format: docs/config.md). The parser reads
 * the whole text, reports every error it finds (each naming the file, the
 * line and the key) into a struct diag, and fills a struct config only if
 * there was none. Warnings (legal but dangerous values) do not refuse a
 * file. No global state: several configs may be parsed at once, which is
 * what a reload does (the running one stays untouched until the new one
 * is known to be valid).
 */
#ifndef JVPND_CONFIG_H
#define JVPND_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jvpn/messages.h>
#include <stdio.h>
#include <sys/socket.h>

#include "policy.h"
#include "sockaddr.h"

#define CONFIG_LINE_MAX	       1024	   /* characters, without the newline */
#define CONFIG_FILE_MAX	       (16u << 20) /* bytes */
#define CONFIG_PATH_MAX	       1024	   /* with the NUL */
#define CONFIG_PEER_NAME_MAX   64	   /* with the NUL */
#define CONFIG_KEY_BASE64_LEN  44	   /* its standard base64 text */
#define CONFIG_MAX_PEERS       4096
#define CONFIG_MAX_LISTEN      8
#define CONFIG_MAX_ENDPOINTS   8  /* per peer */
#define CONFIG_MAX_UPLINKS     8  /* per peer */
#define CONFIG_MAX_ALLOWED_IPS 64 /* per peer; = the kernel's bound */
/* The two built-in profiles plus up to 30 of the file's own. */
#define CONFIG_MAX_POLICIES 32

enum config_role {
	CONFIG_ROLE_NONE,
	CONFIG_ROLE_GATEWAY,
	CONFIG_ROLE_CLIENT,
};

/* An IPv4 or IPv6 address and port, ready for bind(2)/connect(2). Zeroed
 * before filling, so two equal endpoints compare equal with memcmp. */

/* A local transport candidate of a client: "wlan0" or "wlan0@192.0.2.7". */
struct config_uplink {
	char ifname[IFNAMSIZ];
	union jvpn_sockaddr local; /* AF_UNSPEC if no @ADDR; port 0 */
};

struct config_interface {
	enum config_role role;
	char device[IFNAMSIZ];			       /* "jvpn0" */
	union jvpn_sockaddr listen[CONFIG_MAX_LISTEN]; /* gateway */
	size_t n_listen;
	char private_key_file[CONFIG_PATH_MAX];
	char state_file[CONFIG_PATH_MAX];
	char event_log[CONFIG_PATH_MAX]; /* "" when none */
	bool event_log_stdout;		 /* event-log = stdout */
	bool syslog;			 /* RFC 5424 to /dev/log */
	bool journald;			 /* native journal protocol */
	char cef_log[CONFIG_PATH_MAX];	 /* CEF lines; "" when none */
	/* jvpnctl's way in: a unix socket only root may open */
	char control_socket[CONFIG_PATH_MAX];
	/* Prometheus text on loopback HTTP; AF_UNSPEC: off */
	union jvpn_sockaddr metrics_listen;
	size_t policy; /* index into config.policies: `profile` */
};

struct config_peer {
	unsigned int line; /* of its [peer] */
	uint8_t public_key[JVPN_KEY_LEN];
	char name[CONFIG_PEER_NAME_MAX]; /* "" when none */
	/* index into config.policies: the peer's `profile`, else the
	 * interface's */
	size_t policy;
	struct jvpn_cidr allowed_ips[CONFIG_MAX_ALLOWED_IPS];
	size_t n_allowed_ips;
	/* client only: the gateway's addresses, in order of preference */
	union jvpn_sockaddr endpoints[CONFIG_MAX_ENDPOINTS];
	size_t n_endpoints;
	/* client only: local candidate transports, in order of preference;
	 * none means one candidate chosen by the routing table */
	struct config_uplink uplinks[CONFIG_MAX_UPLINKS];
	size_t n_uplinks;
	/* client only: its own inner address, host bits kept */
	struct jvpn_cidr address;
	/* preshared-key-file: the pair's preshared key, read at load time
	 * (mode 0600, as a private key) and mixed into every handshake
	 * (docs/control-plane-protocol.md, "Preshared key") */
	bool has_psk;
	uint8_t psk[JVPN_KEY_LEN];
	/* drill = on: the session with this peer exists for failover drills
	 * (jvpnctl drill); no other session is ever drilled */
	bool drill;
};

/*
 * A profile as the file leaves it: a built-in one (tuned or not) or one of
 * the file's own. policies[0] is "mobile", policies[1] "datacenter".
 */
struct config_policy {
	struct policy policy;	    /* the result: base + overrides */
	char base[POLICY_NAME_MAX]; /* the built-in it starts from */
	unsigned int line;	    /* of its [policy NAME]; 0: untouched */
	/* bit (1 << enum policy_field) for each field the file sets */
	uint32_t overridden;
};

struct config {
	struct config_interface interface;
	struct config_policy policies[CONFIG_MAX_POLICIES];
	size_t n_policies;
	struct config_peer *peers; /* owned: config_free() */
	size_t n_peers;
	/* BLAKE2b-256 of the file config_load read: which text runs, for
	 * the drill's evidence records */
	uint8_t text_hash[32];
};

/*
 * Parses text (len bytes, need not be NUL-terminated; name is what the
 * messages call it). Returns 0 and fills *out when there is no error;
 * otherwise -1 with *out zeroed (config_free() on it is harmless). Every
 * error and warning goes to diag, which this initialises, sorted by line.
 */
int config_parse_buffer(const char *name, const char *text, size_t len,
			struct config *out, struct diag *diag);

/* Reads path and parses it as above; messages name path. */
int config_load(const char *path, struct config *out, struct diag *diag);

void config_free(struct config *config);

/* The policy of the interface or of a peer. */
const struct policy *config_interface_policy(const struct config *config);
const struct policy *config_peer_policy(const struct config *config,
					const struct config_peer *peer);

/* The profile called name, or NULL. */
const struct config_policy *config_find_policy(const struct config *config,
					       const char *name);

/*
 * jvpnd --check-config FILE: prints each error and warning, then either
 * "ok: N peers, profile X" or "N errors". Returns 0 if valid, else 1.
 */
int config_check_file(const char *path, FILE *out);

/*
 * SIGHUP. A running jvpnd may take a new file only if it is valid and
 * changes nothing that needs a restart: role, device, listen addresses,
 * private-key-file, state-file and, for a client, the pinned gateway key
 * (a new gateway is a new session, never an implicit one). Policies,
 * peers and event outlets may change.
 *
 * config_check_reload reports each such change as an error and returns
 * their number. config_reload loads path, checks it against running and
 * returns 0 with *next filled only if both pass; otherwise -1, *next
 * zeroed, and running is never touched.
 */
unsigned int config_check_reload(const struct config *running,
				 const struct config *next, struct diag *diag);
int config_reload(const struct config *running, const char *path,
		  struct config *next, struct diag *diag);

/*
 * What a reload changes: calls report once per change with one sentence
 * ("profile mobile: cooldown 500ms -> 1s", "peer alice: added", "profile
 * lab: removed"). Policies are matched by name, peers by public key.
 * Returns how many changes there are; report may be NULL.
 */
#define CONFIG_CHANGE_TEXT_MAX 256
typedef void config_change_fn(void *ctx, const char *text);
size_t config_diff(const struct config *old, const struct config *new,
		   config_change_fn *report, void *ctx);

#endif /* JVPND_CONFIG_H */
