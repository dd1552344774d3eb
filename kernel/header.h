/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_HEADER_H
#define _JVPN_HEADER_H

#include <linux/types.h>
#include <jvpn/messages.h>

/* The data header in host order. */
struct jvpn_header {
	u64 session_id;
	u64 counter;
	u8 key_phase;
};

enum jvpn_header_error {
	JVPN_HDR_OK,
	JVPN_HDR_NOT_DATA,	/* another message type: not ours to judge */
	JVPN_HDR_TOO_SHORT,	/* cannot hold a header and a tag */
	JVPN_HDR_BAD_VERSION,
	JVPN_HDR_BAD_FLAGS,	/* unknown flag or reserved byte set */
	JVPN_HDR_ZERO_SESSION,	/* session id 0 is never assigned */
};

void jvpn_header_encode(struct jvpn_data_hdr *wire,
			const struct jvpn_header *h);
/* @len: UDP payload length, of which @wire holds the first header bytes */
enum jvpn_header_error jvpn_header_decode(const struct jvpn_data_hdr *wire,
					  size_t len, struct jvpn_header *h);

#endif /* _JVPN_HEADER_H */
