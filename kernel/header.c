// SPDX-License-Identifier: GPL-2.0
#include <asm/byteorder.h>
#include "header.h"

void jvpn_header_encode(struct jvpn_data_hdr *wire,
			const struct jvpn_header *h)
{
	wire->type = JVPN_MSG_DATA;
	wire->version = JVPN_PROTO_VERSION;
	wire->flags = h->key_phase ? JVPN_FLAG_KEY_PHASE : 0;
	wire->reserved = 0;
	wire->session_id = cpu_to_be64(h->session_id);
	wire->counter = cpu_to_be64(h->counter);
}

enum jvpn_header_error jvpn_header_decode(const struct jvpn_data_hdr *wire,
					  size_t len, struct jvpn_header *h)
{
	if (len < 1 || wire->type != JVPN_MSG_DATA)
		return JVPN_HDR_NOT_DATA;
	if (len < JVPN_DATA_OVERHEAD)
		return JVPN_HDR_TOO_SHORT;
	if (wire->version != JVPN_PROTO_VERSION)
		return JVPN_HDR_BAD_VERSION;
	if ((wire->flags & ~JVPN_FLAGS_KNOWN) || wire->reserved)
		return JVPN_HDR_BAD_FLAGS;
	h->session_id = be64_to_cpu(wire->session_id);
	if (!h->session_id)
		return JVPN_HDR_ZERO_SESSION;
	h->counter = be64_to_cpu(wire->counter);
	h->key_phase = wire->flags & JVPN_FLAG_KEY_PHASE;
	return JVPN_HDR_OK;
}
