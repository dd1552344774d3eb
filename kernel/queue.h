/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_QUEUE_H
#define _JVPN_QUEUE_H

#include <linux/types.h>

/* Packets of at most this many bytes may use a queue's last quarter. */
#define JVPN_SMALL_PACKET	256

/*
 * Whether a packet of @len bytes may join a queue that holds @qlen of at
 * most @limit. When a bulk flow fills a session's queue, the small packets
 * of every flow (pings, TCP ACKs, keepalives, DNS) still pass, as a sparse
 * flow does under fq_codel: the drops fall on full-size packets, whose
 * senders back off, and not on the interactive traffic beside them.
 */
static inline bool jvpn_queue_admits(unsigned int qlen, unsigned int limit,
				     unsigned int len)
{
	if (qlen >= limit)
		return false;
	return len <= JVPN_SMALL_PACKET || qlen < limit - limit / 4;
}

#endif /* _JVPN_QUEUE_H */
