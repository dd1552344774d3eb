/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The daemon's reason codes: on the wire in every reject (as one byte or
 * a u32, uapi/jvpn/messages.h gives the layouts) and in every event
 * (docs/events.md). They are jvpnd's own, not the kernel's: the kernel's
 * reasons are the JVPN_DEL_REASON_* of uapi/linux/jvpn.h.
 */
#ifndef JVPND_REASON_H
#define JVPND_REASON_H

enum jvpnd_reason {
	JVPND_REASON_NONE = 0,
	/* reattach rejects, in the fixed order the gateway checks them */
	JVPND_REASON_UNKNOWN_SESSION = 1,
	JVPND_REASON_BAD_PROOF = 2, /* never sent: silent drop */
	JVPND_REASON_REPLAYED_NONCE = 3,
	JVPND_REASON_STALE_TIMESTAMP = 4,
	JVPND_REASON_STALE_VERSION = 5,
	JVPND_REASON_RATE_LIMITED = 6,
	JVPND_REASON_COOLDOWN = 7,
	JVPND_REASON_SWITCH_LIMIT = 8,
	JVPND_REASON_CLASS_NOT_ALLOWED = 9,
	/* the session's kernel state was lost (the module was reloaded): a
	 * reattach reject that asks for a fresh handshake, and the reason a
	 * session goes VOLATILE until it has one (daemon/kernelback.c) */
	JVPND_REASON_KERNEL_LOST = 10,
	/* handshake */
	JVPND_REASON_VERSION_MISMATCH = 20,
	JVPND_REASON_UNKNOWN_PEER = 21,
	JVPND_REASON_REPLAYED_HANDSHAKE = 22,
	JVPND_REASON_BAD_MAC1 = 23, /* event only: not an INIT for our key */
	/* state transitions */
	JVPND_REASON_HANDSHAKE_DONE = 40,
	JVPND_REASON_HEALTH_THRESHOLD = 41, /* no rx for the threshold */
	JVPND_REASON_RECOVERED = 42,
	JVPND_REASON_REPEATED_INSTABILITY = 43,
	JVPND_REASON_REATTACHED = 44,
	JVPND_REASON_SESSION_TTL = 45,
	JVPND_REASON_TRANSPORT_LOSS_TTL = 46,
	JVPND_REASON_SECURITY = 47,
	JVPND_REASON_ADMIN = 48,
	JVPND_REASON_NAT_REBINDING = 49,
	JVPND_REASON_INTERFACE_DOWN = 50,
	JVPND_REASON_SOCKET_ERROR = 51,
	JVPND_REASON_REPLACED = 52, /* a confirmed new handshake */
};

const char *jvpnd_reason_name(enum jvpnd_reason reason);

#endif /* JVPND_REASON_H */
