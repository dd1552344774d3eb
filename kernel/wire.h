/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The data packet on the wire (docs/protocol.md). Types only, so that test
 * tools in userspace build against the same layout as the module.
 */
#ifndef _JVPN_WIRE_H
#define _JVPN_WIRE_H

#include <linux/types.h>

/*
 * First byte of every UDP payload on a jvpn socket. The module consumes
 * JVPN_MSG_DATA and hands every other type, unread, to the socket's owner:
 * 0x01..0x0f are the daemon's control messages (handshake, reattach, probes).
 */
#define JVPN_MSG_DATA		0x10

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

#endif /* _JVPN_WIRE_H */
