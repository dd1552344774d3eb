// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The record of a session's keys the kernel keeps: see escrow.h. */
#include <string.h>

#include <linux/jvpn.h>
#include <sodium.h>

#include "bytes.h"
#include "escrow.h"

_Static_assert(ESCROW_LEN <= JVPN_MAX_DAEMON_SECRETS_LEN,
	       "the kernel keeps at most JVPN_MAX_DAEMON_SECRETS_LEN bytes");

enum {
	OFF_FORMAT = 0,
	OFF_VERSION = 1,
	OFF_INITIATOR = 2,
	OFF_RESERVED = 3,
	OFF_GENERATION = 4,
	OFF_SESSION = 8,
	OFF_PEER = 16,
	OFF_CONTROL = OFF_PEER + JVPN_KEY_LEN,
	OFF_CHAIN = OFF_CONTROL + JVPN_KEY_LEN,
};

void escrow_encode(const struct handshake_keys *keys,
		   const uint8_t peer_pub[JVPN_KEY_LEN],
		   uint8_t out[ESCROW_LEN])
{
	out[OFF_FORMAT] = ESCROW_FORMAT;
	out[OFF_VERSION] = keys->version;
	out[OFF_INITIATOR] = keys->initiator;
	out[OFF_RESERVED] = 0;
	put_be32(out + OFF_GENERATION, keys->generation);
	put_be64(out + OFF_SESSION, keys->session_id);
	memcpy(out + OFF_PEER, peer_pub, JVPN_KEY_LEN);
	memcpy(out + OFF_CONTROL, keys->control, JVPN_KEY_LEN);
	memcpy(out + OFF_CHAIN, keys->chain, JVPN_KEY_LEN);
}

bool escrow_decode(const uint8_t *in, size_t len, uint64_t id,
		   struct handshake_keys *keys, uint8_t peer_pub[JVPN_KEY_LEN])
{
	if (!in || len != ESCROW_LEN || in[OFF_FORMAT] != ESCROW_FORMAT ||
	    !in[OFF_VERSION] || in[OFF_INITIATOR] > 1 || in[OFF_RESERVED] ||
	    !id || get_be64(in + OFF_SESSION) != id)
		return false;
	sodium_memzero(keys, sizeof(*keys));
	keys->version = in[OFF_VERSION];
	keys->initiator = in[OFF_INITIATOR];
	keys->generation = get_be32(in + OFF_GENERATION);
	keys->session_id = id;
	memcpy(peer_pub, in + OFF_PEER, JVPN_KEY_LEN);
	memcpy(keys->control, in + OFF_CONTROL, JVPN_KEY_LEN);
	memcpy(keys->chain, in + OFF_CHAIN, JVPN_KEY_LEN);
	return true;
}
