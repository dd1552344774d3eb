/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The control plane on the wire: every UDP payload whose first byte is not
 * JVPN_MSG_DATA (kernel/wire.h) reaches jvpnd. docs/control-plane-protocol.md
 * is the prose of this file. All integers are big endian.
 */
#ifndef JVPND_PROTO_H
#define JVPND_PROTO_H

#include <stdint.h>

/* Protocol versions this build speaks; a peer outside them is refused. */
#define JVPN_CP_VERSION_MIN	1
#define JVPN_CP_VERSION_MAX	1

enum jvpn_msg_type {
	JVPN_MSG_HANDSHAKE_INIT = 0x01,
	JVPN_MSG_HANDSHAKE_RESP = 0x02,
	JVPN_MSG_HANDSHAKE_REJECT = 0x03,	/* version, policy */
	JVPN_MSG_REATTACH_REQUEST = 0x04,
	JVPN_MSG_REATTACH_CHALLENGE = 0x05,	/* gateway -> new path */
	JVPN_MSG_REATTACH_RESPONSE = 0x06,	/* client, over the new path */
	JVPN_MSG_REATTACH_ACK = 0x07,
	JVPN_MSG_REATTACH_REJECT = 0x08,
	JVPN_MSG_PATH_CHALLENGE = 0x09,		/* NAT rebinding check */
	JVPN_MSG_PATH_RESPONSE = 0x0a,
	JVPN_MSG_PROBE = 0x0b,			/* health: keepalive request */
	JVPN_MSG_PROBE_ACK = 0x0c,
	JVPN_MSG_REKEY = 0x0d,			/* client: rotate to generation g */
	JVPN_MSG_REKEY_ACK = 0x0e,
};

/*
 * Header of every session-bound control message (all but the handshake):
 *
 *   type(1) version(1) reserved(2) session_id(8) body... mac(32)
 *
 * mac = HMAC-SHA256 under the session's control key over everything
 * before it. The control key comes from the handshake and is never a data
 * key. A message whose mac does not verify gets no answer.
 */
#define JVPN_CP_HDR_LEN		12
#define JVPN_CP_MAC_LEN		32

/* Reason codes of rejects and events (docs/events.md). */
enum jvpn_reason {
	JVPN_REASON_NONE = 0,
	/* reattach rejects, in the fixed order the gateway checks them */
	JVPN_REASON_UNKNOWN_SESSION = 1,
	JVPN_REASON_BAD_PROOF = 2,		/* never sent: silent drop */
	JVPN_REASON_REPLAYED_NONCE = 3,
	JVPN_REASON_STALE_TIMESTAMP = 4,
	JVPN_REASON_STALE_VERSION = 5,
	JVPN_REASON_RATE_LIMITED = 6,
	JVPN_REASON_COOLDOWN = 7,
	JVPN_REASON_SWITCH_LIMIT = 8,
	JVPN_REASON_CLASS_NOT_ALLOWED = 9,
	/* handshake */
	JVPN_REASON_VERSION_MISMATCH = 20,
	JVPN_REASON_UNKNOWN_PEER = 21,
	JVPN_REASON_REPLAYED_HANDSHAKE = 22,
	/* state transitions */
	JVPN_REASON_HANDSHAKE_DONE = 40,
	JVPN_REASON_HEALTH_THRESHOLD = 41,	/* no rx for the threshold */
	JVPN_REASON_RECOVERED = 42,
	JVPN_REASON_REPEATED_INSTABILITY = 43,
	JVPN_REASON_REATTACHED = 44,
	JVPN_REASON_SESSION_TTL = 45,
	JVPN_REASON_TRANSPORT_LOSS_TTL = 46,
	JVPN_REASON_SECURITY = 47,
	JVPN_REASON_ADMIN = 48,
	JVPN_REASON_NAT_REBINDING = 49,
	JVPN_REASON_INTERFACE_DOWN = 50,
	JVPN_REASON_SOCKET_ERROR = 51,
	JVPN_REASON_REPLACED = 52,		/* a confirmed new handshake */
};

#endif /* JVPND_PROTO_H */
