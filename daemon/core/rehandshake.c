// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The fresh handshake's envelope: see rehandshake.h. */
#include <string.h>

#include <sodium.h>

#include "bytes.h"
#include "rehandshake.h"

size_t rehandshake_inner_len(uint8_t type)
{
	if (type == JVPN_MSG_REHANDSHAKE_INIT)
		return JVPN_HS_INIT_LEN;
	if (type == JVPN_MSG_REHANDSHAKE_RESP)
		return JVPN_HS_RESP_LEN;
	return 0;
}

size_t rehandshake_wrap(uint8_t type, uint8_t version, uint64_t session_id,
			const uint8_t *inner, const uint8_t key[32],
			uint8_t *out, size_t out_cap)
{
	size_t inner_len = rehandshake_inner_len(type);
	size_t len = JVPN_CP_MSG_LEN(inner_len);

	if (!inner_len || !inner || !key || !out || out_cap < len)
		return 0;
	out[0] = type;
	out[1] = version;
	out[2] = 0;
	out[3] = 0;
	put_be64(out + 4, session_id);
	memcpy(out + JVPN_CP_HDR_LEN, inner, inner_len);
	crypto_auth_hmacsha256(out + len - JVPN_CP_MAC_LEN, out,
			       len - JVPN_CP_MAC_LEN, key);
	return len;
}

uint64_t rehandshake_peek_session(const uint8_t *msg, size_t len)
{
	return msg && len >= JVPN_CP_HDR_LEN ? get_be64(msg + 4) : 0;
}

const uint8_t *rehandshake_unwrap(const uint8_t *msg, size_t len, uint8_t type,
				  uint8_t version, const uint8_t key[32])
{
	size_t inner_len = rehandshake_inner_len(type);

	if (!inner_len || !msg || !key || len != JVPN_CP_MSG_LEN(inner_len) ||
	    msg[0] != type || msg[1] != version || msg[2] || msg[3])
		return NULL;
	/* constant time, before any byte of the body is believed */
	if (crypto_auth_hmacsha256_verify(msg + len - JVPN_CP_MAC_LEN, msg,
					  len - JVPN_CP_MAC_LEN, key))
		return NULL;
	return msg + JVPN_CP_HDR_LEN;
}
