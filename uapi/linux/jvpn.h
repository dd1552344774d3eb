/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Jumping VPN: the generic-netlink family "jvpn" shared by jvpn.ko and
 * userspace. docs/netlink/jvpn.yaml is the specification of this file.
 *
 * Conventions:
 *  - every request names the device by JVPN_A_IFINDEX;
 *  - every command needs CAP_NET_ADMIN in the device's network namespace;
 *  - times are CLOCK_BOOTTIME nanoseconds (0 = never);
 *  - ports are in host byte order, addresses in network byte order.
 */
#ifndef _UAPI_LINUX_JVPN_H
#define _UAPI_LINUX_JVPN_H

#define JVPN_GENL_NAME		"jvpn"
#define JVPN_GENL_VERSION	1
#define JVPN_MCGRP_EVENTS	"events"

#define JVPN_KEY_LEN		32	/* ChaCha20-Poly1305 key */

enum jvpn_cmd {
	JVPN_CMD_UNSPEC,
	JVPN_CMD_SESSION_NEW,		/* create one session */
	JVPN_CMD_SESSION_GET,		/* do: one session; dump: all */
	JVPN_CMD_SESSION_DEL,		/* delete, with JVPN_A_DEL_REASON */
	JVPN_CMD_SESSION_SET_KEYS,	/* install a new key pair (rotation) */
	JVPN_CMD_SESSION_SWITCH,	/* replace the one active transport */
	JVPN_CMD_SESSION_SET,		/* mirrored state, switch interval */
	JVPN_CMD_DEV_GET,		/* device-wide counters */
	/*
	 * A new file descriptor, in the caller, for the socket of a session's
	 * transport: a restarted daemon takes back the sockets the kernel
	 * kept for it. Reply: JVPN_A_SOCKET_FD.
	 */
	JVPN_CMD_SESSION_GET_SOCKET,

	/* multicast notifications on JVPN_MCGRP_EVENTS */
	JVPN_CMD_EVENT_SESSION_CREATED,
	JVPN_CMD_EVENT_SESSION_DELETED,
	JVPN_CMD_EVENT_TRANSPORT_SWITCHED,
	JVPN_CMD_EVENT_STRAY_DATA,	/* authenticated data, unbound source */
	JVPN_CMD_EVENT_STATE_CHANGED,

	__JVPN_CMD_MAX,
	JVPN_CMD_MAX = __JVPN_CMD_MAX - 1
};

enum jvpn_attr {
	JVPN_A_UNSPEC,
	JVPN_A_IFINDEX,			/* u32 */
	JVPN_A_SESSION_ID,		/* u64, never 0 */
	JVPN_A_STATE_VERSION,		/* u64: current, or new on SWITCH/SET */
	JVPN_A_EXPECTED_VERSION,	/* u64: compare-and-swap operand */
	JVPN_A_STATE,			/* u8, enum jvpn_state */
	JVPN_A_SOCKET_FD,		/* s32, a bound UDP socket of the caller */
	JVPN_A_LOCAL,			/* nest, enum jvpn_endpoint_attr */
	JVPN_A_REMOTE,			/* nest, enum jvpn_endpoint_attr */
	JVPN_A_OLD_REMOTE,		/* nest, in TRANSPORT_SWITCHED events */
	JVPN_A_ALLOWED_IPS,		/* nest of JVPN_A_ALLOWED_IP */
	JVPN_A_ALLOWED_IP,		/* nest, enum jvpn_allowed_ip_attr */
	JVPN_A_TX_KEY,			/* binary, JVPN_KEY_LEN */
	JVPN_A_RX_KEY,			/* binary, JVPN_KEY_LEN */
	JVPN_A_KEY_PHASE,		/* u8, 0 or 1: the key bit in data headers */
	JVPN_A_MIN_SWITCH_INTERVAL_MS,	/* u32 */
	JVPN_A_DEL_REASON,		/* u32, enum jvpn_del_reason */
	JVPN_A_STATS,			/* nest, enum jvpn_stats_attr */
	JVPN_A_LAST_RX_NS,		/* u64 */
	JVPN_A_LAST_TX_NS,		/* u64 */
	JVPN_A_LAST_SWITCH_NS,		/* u64 */
	JVPN_A_CREATED_NS,		/* u64 */
	JVPN_A_EVENT_SEQ,		/* u64, per network namespace */
	JVPN_A_EVENT_TIME_NS,		/* u64 */
	JVPN_A_OLD_STATE,		/* u8, in STATE_CHANGED events */
	JVPN_A_TX_COUNTER,		/* u64, next nonce of the current key */
	/*
	 * flag, in SET_KEYS: install the pair to open packets only, as the
	 * next generation; a later SET_KEYS of the same keys without the
	 * flag makes it current. Rotation then loses nothing: each end can
	 * open the other's new packets before either sends one.
	 */
	JVPN_A_KEY_NEXT,
	JVPN_A_PAD,

	__JVPN_A_MAX,
	JVPN_A_MAX = __JVPN_A_MAX - 1
};

/* One end of a UDP transport. Exactly one of ADDR4 / ADDR6. */
enum jvpn_endpoint_attr {
	JVPN_EP_A_UNSPEC,
	JVPN_EP_A_ADDR4,		/* binary, 4 bytes */
	JVPN_EP_A_ADDR6,		/* binary, 16 bytes */
	JVPN_EP_A_PORT,			/* u16, 1..65535 */

	__JVPN_EP_A_MAX,
	JVPN_EP_A_MAX = __JVPN_EP_A_MAX - 1
};

/* An inner prefix a session may carry: tx picks the session by it, rx
 * refuses inner source addresses outside the session's prefixes.
 */
enum jvpn_allowed_ip_attr {
	JVPN_AIP_A_UNSPEC,
	JVPN_AIP_A_FAMILY,		/* u16, AF_INET or AF_INET6 */
	JVPN_AIP_A_ADDR,		/* binary, 4 or 16 bytes */
	JVPN_AIP_A_PREFIX_LEN,		/* u8, <= 32 or <= 128 */

	__JVPN_AIP_A_MAX,
	JVPN_AIP_A_MAX = __JVPN_AIP_A_MAX - 1
};

enum jvpn_stats_attr {
	JVPN_STATS_A_UNSPEC,
	JVPN_STATS_A_TX_PACKETS,	/* u64 each */
	JVPN_STATS_A_TX_BYTES,
	JVPN_STATS_A_RX_PACKETS,
	JVPN_STATS_A_RX_BYTES,
	JVPN_STATS_A_DROP_BAD_AUTH,	/* tag did not verify, or no such key */
	JVPN_STATS_A_DROP_REPLAY,	/* counter seen or left of the window */
	JVPN_STATS_A_DROP_STRAY,	/* authenticated, but not the bound path */
	JVPN_STATS_A_DROP_UNKNOWN_SESSION,	/* device-wide only */
	JVPN_STATS_A_DROP_MALFORMED,	/* short, bad version, bad inner packet */
	JVPN_STATS_A_DROP_INNER_SRC,	/* inner source outside allowed IPs */
	JVPN_STATS_A_DROP_NO_ROUTE,	/* tx: no session for inner dest */
	JVPN_STATS_A_DROP_TX_ERROR,	/* tx: no key, counter spent, no route */
	JVPN_STATS_A_SWITCHES,
	JVPN_STATS_A_STRAY_EVENTS_SUPPRESSED,
	JVPN_STATS_A_PAD,

	__JVPN_STATS_A_MAX,
	JVPN_STATS_A_MAX = __JVPN_STATS_A_MAX - 1
};

/* The daemon's session state machine, mirrored for observers. */
enum jvpn_state {
	JVPN_STATE_HANDSHAKE,
	JVPN_STATE_ACTIVE,
	JVPN_STATE_VOLATILE,
	JVPN_STATE_DEGRADED,
	JVPN_STATE_TERMINATED,

	__JVPN_STATE_MAX,
	JVPN_STATE_MAX = __JVPN_STATE_MAX - 1
};

enum jvpn_del_reason {
	JVPN_DEL_REASON_UNSPEC,
	JVPN_DEL_REASON_ADMIN,		/* an administrator asked */
	JVPN_DEL_REASON_DEVICE_GONE,	/* the device was removed */
	JVPN_DEL_REASON_SESSION_TTL,
	JVPN_DEL_REASON_TRANSPORT_LOSS_TTL,
	JVPN_DEL_REASON_SWITCH_LIMIT,
	JVPN_DEL_REASON_SECURITY,
	JVPN_DEL_REASON_VERSION_MISMATCH,
	JVPN_DEL_REASON_REPLACED,	/* a new handshake replaced it */

	__JVPN_DEL_REASON_MAX,
	JVPN_DEL_REASON_MAX = __JVPN_DEL_REASON_MAX - 1
};

#endif /* _UAPI_LINUX_JVPN_H */
