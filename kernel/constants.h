/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every tunable bound of the fast path, each with its reason.
 */
#ifndef _JVPN_CONSTANTS_H
#define _JVPN_CONSTANTS_H

#include <linux/time64.h>
#include <jvpn/messages.h>

/*
 * A key must never seal two packets under one nonce. Stop 2^13 short of the
 * 64-bit space so a burst in flight while userspace rotates keys can never
 * wrap; userspace is told (tx drops) well before that and rotates.
 */
#define JVPN_REJECT_AFTER_MESSAGES	(U64_MAX - (1ULL << 13))

/* RFC 6479 bitmap: 128 blocks of 64 bits, one block kept as slack. */
#define JVPN_REPLAY_BITS		8192
#define JVPN_REPLAY_WINDOW		(JVPN_REPLAY_BITS - BITS_PER_LONG)

/*
 * Authenticated data from an unbound endpoint is reported so the daemon can
 * challenge it (NAT rebinding). A flood of such packets must not become a
 * flood of events: a burst of 4, then 10 per second, per session.
 */
#define JVPN_STRAY_EVENT_BURST		4
#define JVPN_STRAY_EVENT_PER_SEC	10

/*
 * Data from an unbound endpoint is opened in softirq, and its session id is
 * cleartext: opening is bounded to a burst of 16, then 16 per second, per
 * session. A real NAT rebinding needs one opened packet to be noticed.
 */
#define JVPN_STRAY_OPEN_BURST		16
#define JVPN_STRAY_OPEN_PER_SEC		16

/*
 * The kernel's own floor under transport switches, in case the daemon's
 * policy is broken or compromised. A switch sooner than this is -EBUSY.
 * Userspace may lower it per session (down to 0) or raise it.
 */
#define JVPN_DEFAULT_MIN_SWITCH_INTERVAL_MS	100
#define JVPN_MAX_MIN_SWITCH_INTERVAL_MS		(3600 * MSEC_PER_SEC)

/*
 * Allowed-IP prefixes one session may carry: bounded so one session fits
 * in one 8 KiB netlink message with room to spare (about 48 bytes each).
 */
#define JVPN_MAX_ALLOWED_IPS		64

/*
 * Outer headers the tunnel adds in the worst case (IPv6 + UDP); the
 * device MTU leaves room for them under a 1500-byte path.
 */
#define JVPN_OUTER_OVERHEAD_MAX		(40 + 8)
#define JVPN_DEFAULT_MTU		(1500 - JVPN_OUTER_OVERHEAD_MAX - \
					 JVPN_DATA_OVERHEAD)

#endif /* _JVPN_CONSTANTS_H */
