/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What authenticates one session's control messages (reattach.h,
 * rekey.h): its control key, and the protocol version its handshake
 * negotiated. Every message of the session carries that version in its
 * header, and one that carries another is refused, however good its mac
 * (docs/control-plane-protocol.md, "Versions").
 */
#ifndef JVPND_CPAUTH_H
#define JVPND_CPAUTH_H

#include <stdbool.h>
#include <stdint.h>

#include <jvpn/messages.h>

struct cp_auth {
	const uint8_t *key; /* JVPN_KEY_LEN bytes */
	uint8_t version;    /* JVPN_CP_VERSION_MIN..MAX */
};

/* Whether this build speaks control-protocol version @v. */
static inline bool cp_version_spoken(uint8_t v)
{
	return v >= JVPN_CP_VERSION_MIN && v <= JVPN_CP_VERSION_MAX;
}

/* Whether @a can encode: a key, and a version this build speaks. */
static inline bool cp_auth_valid(struct cp_auth a)
{
	return a.key && cp_version_spoken(a.version);
}

#endif /* JVPND_CPAUTH_H */
