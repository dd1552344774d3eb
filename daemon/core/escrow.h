/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What jvpnd leaves with the kernel of a session's current keys, so that a
 * restarted jvpnd takes the session back with nothing secret on disk
 * (docs/control-plane-protocol.md, "Restarts"): the control key and chain
 * of its handshake, the generation, the negotiated version, which end it
 * is, and the peer's public key. The kernel keeps the record opaque
 * beside the data keys it describes (netlink DAEMON_SECRETS), gives it
 * only to CAP_NET_ADMIN and wipes it with them.
 *
 *   format(1)=1 version(1) initiator(1) reserved(1) generation(4)
 *   session_id(8) peer_pub(32) control(32) chain(32)      all big-endian
 *
 * Pure code.
 */
#ifndef JVPND_ESCROW_H
#define JVPND_ESCROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handshake.h"

#define ESCROW_FORMAT 1
#define ESCROW_LEN    (16 + 3 * JVPN_KEY_LEN)

/* out = the record of keys (their session, generation, version, end). */
void escrow_encode(const struct handshake_keys *keys,
		   const uint8_t peer_pub[JVPN_KEY_LEN],
		   uint8_t out[ESCROW_LEN]);

/*
 * keys (control, chain, generation, version, end; session_id = id; the
 * data keys zero: the kernel holds those) and peer_pub from a record the
 * kernel returned for session id. False, with nothing written, for a
 * record of another length, format or session, a reserved byte set or
 * version 0.
 */
bool escrow_decode(const uint8_t *in, size_t len, uint64_t id,
		   struct handshake_keys *keys, uint8_t peer_pub[JVPN_KEY_LEN]);

#endif /* JVPND_ESCROW_H */
