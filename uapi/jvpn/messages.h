/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Every packet jvpn puts on the wire, data and control: the one home of
 * its types, layouts and lengths, included by jvpn.ko and by userspace
 * alike. docs/protocol.md (data) and docs/control-plane-protocol.md
 * (control) are the prose of this file. Integers are big endian.
 */
#ifndef _JVPN_MESSAGES_H
#define _JVPN_MESSAGES_H

#include <linux/types.h>
#include <linux/jvpn.h>		/* JVPN_KEY_LEN: every key on the wire */

/*
 * First byte of every UDP payload on a jvpn socket. The module consumes
 * JVPN_MSG_DATA and hands every other type, unread, to the socket's owner:
 * 0x01..0x0f and 0x11.. are the daemon's control messages.
 */
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
	JVPN_MSG_HANDSHAKE_COOKIE = 0x0f,	/* gateway under load */
	JVPN_MSG_DATA = 0x10,
	JVPN_MSG_REHANDSHAKE_INIT = 0x11,	/* client: fresh DH, same session */
	JVPN_MSG_REHANDSHAKE_RESP = 0x12,
};

/* ---- data ---------------------------------------------------------------- */

/* Data header version: a packet of another version is malformed. */
#define JVPN_PROTO_VERSION	1

/* flags: which of the session's two key pairs sealed the packet */
#define JVPN_FLAG_KEY_PHASE	0x01
#define JVPN_FLAGS_KNOWN	JVPN_FLAG_KEY_PHASE

struct jvpn_data_hdr {
	__u8 type;
	__u8 version;
	__u8 flags;
	__u8 reserved;		/* zero; a packet with it set is malformed */
	__be64 session_id;
	__be64 counter;		/* the AEAD nonce, never reused under one key */
} __attribute__((packed));

/* Poly1305 tag after the ciphertext */
#define JVPN_TAG_LEN		16
#define JVPN_DATA_HDR_LEN	((unsigned int)sizeof(struct jvpn_data_hdr))
/* bytes jvpn adds to an inner packet, not counting outer IP and UDP */
#define JVPN_DATA_OVERHEAD	(JVPN_DATA_HDR_LEN + JVPN_TAG_LEN)

/* ---- control ------------------------------------------------------------- */

/*
 * Control-protocol versions this build speaks; a peer outside is refused
 * (docs/control-plane-protocol.md, "Versions"). A test build may speak
 * another range (make compat).
 */
#ifndef JVPN_CP_VERSION_MIN
#define JVPN_CP_VERSION_MIN	1
#endif
#ifndef JVPN_CP_VERSION_MAX
#define JVPN_CP_VERSION_MAX	1
#endif

/*
 * Handshake (Noise-IK style, X25519): each message has exactly its size.
 * mac1 is the last 16 bytes of RESP; the timestamp is TAI64N. INIT ends
 * in mac1 then mac2: mac1 (keyed by the gateway's public key) covers the
 * bytes before it, mac2 (keyed by a cookie, zero without one) covers the
 * bytes before it, mac1 included.
 */
#define JVPN_HS_INIT_LEN	152
#define JVPN_HS_RESP_LEN	84
#define JVPN_HS_REJECT_LEN	14
#define JVPN_HS_MAC1_LEN	16
#define JVPN_HS_MAC2_LEN	16
#define JVPN_HS_TIMESTAMP_LEN	12
#define JVPN_HS_INIT_MAC1_OFF	(JVPN_HS_INIT_LEN - JVPN_HS_MAC2_LEN - \
				 JVPN_HS_MAC1_LEN)
#define JVPN_HS_INIT_MAC2_OFF	(JVPN_HS_INIT_LEN - JVPN_HS_MAC2_LEN)

/*
 * HANDSHAKE_COOKIE, the gateway's answer to an INIT without a valid mac2
 * while it is under load, instead of any Diffie-Hellman:
 *
 *   type(1) reserved(3) initiator_id(8) nonce(24) sealed_cookie(16+16)
 *
 * The cookie is a MAC of the INIT's source address and port under a
 * secret the gateway changes every JVPN_HS_COOKIE_SECRET_S and keeps in
 * memory only; it is sealed (XChaCha20-Poly1305, key from the gateway's
 * public key, the INIT's mac1 as associated data) so that only the
 * sender of that INIT, at that address, can use it. The client keys its
 * next INIT's mac2 with it: proof that it receives at its address.
 * docs/control-plane-protocol.md ("Cookies under load") is the prose.
 */
#define JVPN_HS_COOKIE_LEN		68
#define JVPN_HS_COOKIE_NONCE_LEN	24
#define JVPN_HS_COOKIE_VALUE_LEN	16
#define JVPN_HS_COOKIE_SECRET_S		120

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
#define JVPN_CP_MSG_LEN(body)	(JVPN_CP_HDR_LEN + (body) + JVPN_CP_MAC_LEN)

/* Reattach and health bodies; the totals follow from JVPN_CP_MSG_LEN. */
#define JVPN_REATTACH_TOKEN_LEN		16
#define JVPN_REATTACH_REQUEST_BODY	32
#define JVPN_REATTACH_CHALLENGE_BODY	24	/* also REATTACH_RESPONSE */
/*
 * REATTACH_ACK body: request_nonce(8) state_version(8). state_version is
 * the gateway's version after the switch, which the client takes as its
 * own. request_nonce 0 is the SWITCH NOTICE: the gateway moved the binding
 * itself (NAT rebinding) and tells the client, over the new path. A client
 * accepts an ACK only from a configured gateway endpoint, only for its
 * outstanding request (a notice: for none) and only once, and only with a
 * state_version above the greatest it has accepted, so that no ACK or
 * notice can be used twice (docs/reattach.md, "REATTACH_ACK").
 */
#define JVPN_REATTACH_ACK_BODY		16
#define JVPN_REATTACH_NOTICE_NONCE	0	/* request_nonce of a notice */
#define JVPN_REATTACH_REJECT_BODY	32
#define JVPN_PATH_BODY			16	/* PATH_CHALLENGE, _RESPONSE */
#define JVPN_PROBE_BODY			16	/* PROBE, PROBE_ACK */

/* REKEY and REKEY_ACK: header, generation(4), reserved(4), mac */
#define JVPN_REKEY_LEN		52

/*
 * A fresh handshake inside a session (docs/control-plane-protocol.md,
 * "Fresh handshake"): a HANDSHAKE_INIT or _RESP, whole, as the body of a
 * session-bound message, so that a new X25519 exchange renews the keys of
 * a session that keeps its id and state_version:
 *
 *   REHANDSHAKE_INIT  header(12) HANDSHAKE_INIT(152) mac(32)
 *   REHANDSHAKE_RESP  header(12) HANDSHAKE_RESP(84) mac(32)
 *
 * mac: under the session's current control key. The new keys are
 * confirmed, and made current, by REKEY / REKEY_ACK of the next
 * generation under the new control key.
 */
#define JVPN_REHS_INIT_LEN	JVPN_CP_MSG_LEN(JVPN_HS_INIT_LEN)
#define JVPN_REHS_RESP_LEN	JVPN_CP_MSG_LEN(JVPN_HS_RESP_LEN)

#endif /* _JVPN_MESSAGES_H */
