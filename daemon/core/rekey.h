/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Key rotation without a round trip's loss (docs/control-plane-protocol.md,
 * "Rekey"): both ends derive generation g+1 from the current chain key
 * (handshake_rotate). The client installs it to open packets only, sends
 * REKEY(g+1); the gateway makes it current and answers REKEY_ACK(g+1);
 * the client makes it current. At every moment each end can open what
 * the other seals.
 *
 *   type(1) version(1) reserved(2) session_id(8) generation(4)
 *   reserved(4) mac(32)          = 52 bytes, HMAC-SHA256, control key
 *
 * version: the session's negotiated one (cpauth.h).
 */
#ifndef JVPND_REKEY_H
#define JVPND_REKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jvpn/messages.h>

#include "cpauth.h"

/* JVPN_REKEY_LEN, or 0 (nothing written) when @auth is not valid */
size_t rekey_encode(uint8_t type, uint64_t session_id, uint32_t generation,
		    struct cp_auth auth, uint8_t out[JVPN_REKEY_LEN]);
/* The session id a REKEY names, before anything is verified. */
uint64_t rekey_peek_session(const uint8_t msg[JVPN_REKEY_LEN]);
/* 0, or -1 for a wrong length, type, version (not @auth's), reserved
 * byte or mac. */
int rekey_decode(const uint8_t *msg, size_t len, uint8_t type,
		 struct cp_auth auth, uint64_t *session_id,
		 uint32_t *generation);

/* A KEY_ROTATION event's detail: "generation 4, fresh handshake,
 * protocol version 1 -> 2" (the version only when it changed). */
void rekey_describe(char *buf, size_t size, uint32_t generation, bool fresh,
		    uint8_t from_version, uint8_t to_version);

#endif /* JVPND_REKEY_H */
