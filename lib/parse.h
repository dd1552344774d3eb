/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Command-line text to values. Each parser returns NULL on success, or a
 * short phrase naming what is wrong, which the caller prefixes with the
 * subcommand and option ("jvpnk: del: --id: ...").
 *
 * The tool checks syntax and the width of each field only: whether a value
 * makes sense (id 0, key phase 2, a prefix with host bits) is the kernel's
 * call, and the tests want to see the kernel make it.
 */
#ifndef JVPN_PARSE_H
#define JVPN_PARSE_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/jvpn.h>

#include "sockaddr.h"

/* A UDP endpoint in the form bind(2) takes it. */
/* An allowed-IP prefix. */
/* Decimal or 0x-hexadecimal, 0..max. */
const char *parse_u64(const char *text, uint64_t max, uint64_t *out);

/* "192.0.2.1:51820", "[2001:db8::1]:51820", "[fe80::1%eth0]:51820" */
const char *parse_endpoint(const char *text, union jvpn_sockaddr *out);

/* "10.0.0.0/24", "fd00::/64"; a bare address is a /32 or /128. */
const char *parse_cidr(const char *text, struct jvpn_cidr *out);

/* Exactly 2 * JVPN_KEY_LEN hex digits. */
const char *parse_key(const char *text, uint8_t key[JVPN_KEY_LEN]);

/* Seconds, fractions allowed ("2", "0.5"), to milliseconds. */
const char *parse_seconds(const char *text, int64_t *ms);

/* A state or delete-reason name (names.h), or a number sent as is. */
const char *parse_state(const char *text, uint8_t *state);
const char *parse_reason(const char *text, uint32_t *reason);

/* The bytes of a cidr's address that go on the wire: 4 or 16. */
size_t cidr_addr_len(const struct jvpn_cidr *cidr);

#endif /* JVPN_PARSE_H */
