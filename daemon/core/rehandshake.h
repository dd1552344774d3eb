/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The envelope of a fresh handshake inside a session (uapi/jvpn/messages.h,
 * REHANDSHAKE_INIT / _RESP; docs/control-plane-protocol.md, "Fresh
 * handshake"): a whole HANDSHAKE_INIT or _RESP behind the session-bound
 * header, with an HMAC-SHA256 under the session's control key, so that
 * only the session's own peer can start one, and the answer is bound to
 * the session it renews.
 *
 *   type(1) version(1) reserved(2) session_id(8) inner(152|84) mac(32)
 *
 * Pure code.
 */
#ifndef JVPND_REHANDSHAKE_H
#define JVPND_REHANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include <jvpn/messages.h>

/* The inner message's length for a type; 0 for any other type. */
size_t rehandshake_inner_len(uint8_t type);

/*
 * out = the envelope of inner (rehandshake_inner_len(type) bytes) with
 * the negotiated version; returns its length, 0 for a bad type.
 */
size_t rehandshake_wrap(uint8_t type, uint8_t version, uint64_t session_id,
			const uint8_t *inner, const uint8_t key[32],
			uint8_t *out, size_t out_cap);

/* The session id an envelope names, before anything is verified; 0 for
 * a message too short to hold one. */
uint64_t rehandshake_peek_session(const uint8_t *msg, size_t len);

/*
 * The inner message of an envelope of this type and version whose mac
 * verifies under key (pointing into msg), or NULL for a wrong length,
 * type, version, reserved byte or mac.
 */
const uint8_t *rehandshake_unwrap(const uint8_t *msg, size_t len, uint8_t type,
				  uint8_t version, const uint8_t key[32]);

#endif /* JVPND_REHANDSHAKE_H */
