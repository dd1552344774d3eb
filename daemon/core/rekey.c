// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include <jvpn/messages.h>
#include "bytes.h"
#include "reason.h"
#include "rekey.h"

#define REKEY_BODY_END (JVPN_REKEY_LEN - JVPN_CP_MAC_LEN)

uint64_t rekey_peek_session(const uint8_t msg[JVPN_REKEY_LEN])
{
	return get_be64(msg + 4);
}

size_t rekey_encode(uint8_t type, uint64_t session_id, uint32_t generation,
		    struct cp_auth auth, uint8_t out[JVPN_REKEY_LEN])
{
	if (!cp_auth_valid(auth))
		return 0;
	memset(out, 0, JVPN_REKEY_LEN);
	out[0] = type;
	out[1] = auth.version;
	put_be64(out + 4, session_id);
	put_be32(out + 12, generation);
	crypto_auth_hmacsha256(out + REKEY_BODY_END, out, REKEY_BODY_END,
			       auth.key);
	return JVPN_REKEY_LEN;
}

int rekey_decode(const uint8_t *msg, size_t len, uint8_t type,
		 struct cp_auth auth, uint64_t *session_id,
		 uint32_t *generation)
{
	static const uint8_t zero[4];

	/* the session's version, not merely one this build speaks */
	if (!auth.key || len != JVPN_REKEY_LEN || msg[0] != type ||
	    msg[1] != auth.version || msg[2] || msg[3] ||
	    memcmp(msg + 16, zero, 4))
		return -1;
	/* constant time, before any field is believed */
	if (crypto_auth_hmacsha256_verify(msg + REKEY_BODY_END, msg,
					  REKEY_BODY_END, auth.key))
		return -1;
	*session_id = get_be64(msg + 4);
	*generation = get_be32(msg + 12);
	return 0;
}

void rekey_describe(char *buf, size_t size, uint32_t generation, bool fresh,
		    uint8_t from_version, uint8_t to_version)
{
	char moved[40] = "";

	if (from_version != to_version)
		snprintf(moved, sizeof(moved), ", protocol version %u -> %u",
			 from_version, to_version);
	snprintf(buf, size, "generation %u%s%s", generation,
		 fresh ? ", fresh handshake" : "", moved);
}
