// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "names.h"
#include "parse.h"

/* room for "ffff:...:ffff%ifname" plus the NUL */
#define HOST_TEXT_MAX (INET6_ADDRSTRLEN + IF_NAMESIZE + 1)

static bool all_of(const char *text, int (*is_class)(int))
{
	for (; *text; text++)
		if (!is_class((unsigned char)*text))
			return false;
	return true;
}

const char *parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	bool hex = !strncmp(text, "0x", 2) || !strncmp(text, "0X", 2);
	const char *digits = hex ? text + 2 : text;
	unsigned long long value;

	/* strtoull alone would take "-1", " 5" and "" */
	if (!*digits || !all_of(digits, hex ? isxdigit : isdigit))
		return "not a number";
	errno = 0;
	value = strtoull(digits, NULL, hex ? 16 : 10);
	if (errno == ERANGE || value > max)
		return "out of range";
	*out = value;
	return NULL;
}

static const char *parse_port(const char *text, uint16_t *port)
{
	uint64_t value;

	if (parse_u64(text, UINT16_MAX, &value))
		return "expected a port number 0..65535 after the ':'";
	*port = htons((uint16_t)value);
	return NULL;
}

/* "addr" or "addr%scope", the text between the brackets */
static const char *parse_in6_host(const char *host, struct sockaddr_in6 *sin6)
{
	char text[HOST_TEXT_MAX];
	char *scope;

	if (strlen(host) >= sizeof(text))
		return "IPv6 address too long";
	strcpy(text, host);
	scope = strchr(text, '%');
	if (scope) {
		*scope++ = '\0';
		sin6->sin6_scope_id = if_nametoindex(scope);
		if (!sin6->sin6_scope_id)
			return "unknown device after '%' in the IPv6 address";
	}
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
		return "not an IPv6 address inside the [ ]";
	sin6->sin6_family = AF_INET6;
	return NULL;
}

static const char *parse_endpoint6(const char *text, struct sockaddr_in6 *out)
{
	const char *close = strchr(text, ']');
	char host[HOST_TEXT_MAX];
	size_t len;
	const char *problem;

	if (!close)
		return "missing ']' after the IPv6 address";
	if (close[1] != ':')
		return "expected ':PORT' after the ']'";
	len = (size_t)(close - (text + 1));
	if (len >= sizeof(host))
		return "IPv6 address too long";
	memcpy(host, text + 1, len);
	host[len] = '\0';
	problem = parse_in6_host(host, out);
	return problem ? problem : parse_port(close + 2, &out->sin6_port);
}

static const char *parse_endpoint4(const char *text, struct sockaddr_in *out)
{
	const char *colon = strchr(text, ':');
	char host[INET_ADDRSTRLEN];
	size_t len;

	if (!colon)
		return "expected ADDR:PORT";
	if (strchr(colon + 1, ':'))
		return "write an IPv6 endpoint as [ADDR]:PORT";
	len = (size_t)(colon - text);
	if (len >= sizeof(host))
		return "not an IPv4 address before the ':'";
	memcpy(host, text, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
		return "not an IPv4 address before the ':'";
	out->sin_family = AF_INET;
	return parse_port(colon + 1, &out->sin_port);
}

const char *parse_endpoint(const char *text, union jvpn_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (text[0] == '[')
		return parse_endpoint6(text, &out->in6);
	return parse_endpoint4(text, &out->in4);
}

const char *parse_cidr(const char *text, struct jvpn_cidr *out)
{
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	char host[INET6_ADDRSTRLEN];
	uint64_t prefix_len;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(host))
		return "not an IPv4 or IPv6 address before the '/'";
	memcpy(host, text, len);
	host[len] = '\0';
	out->family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(out->family, host, out->addr) != 1)
		return "not an IPv4 or IPv6 address before the '/'";

	prefix_len = cidr_addr_len(out) * 8;
	if (slash && parse_u64(slash + 1, prefix_len, &prefix_len))
		return out->family == AF_INET
			       ? "expected a prefix length 0..32 after the '/'"
			       : "expected a prefix length 0..128 after the "
				 "'/'";
	out->prefix_len = (uint8_t)prefix_len;
	return NULL;
}

size_t cidr_addr_len(const struct jvpn_cidr *cidr)
{
	return cidr->family == AF_INET6 ? 16 : 4;
}

static int hex_value(char digit)
{
	if (digit >= '0' && digit <= '9')
		return digit - '0';
	digit = (char)tolower((unsigned char)digit);
	if (digit >= 'a' && digit <= 'f')
		return digit - 'a' + 10;
	return -1;
}

const char *parse_key(const char *text, uint8_t key[JVPN_KEY_LEN])
{
	if (strlen(text) != 2 * JVPN_KEY_LEN)
		return "expected 64 hex digits";
	for (size_t i = 0; i < JVPN_KEY_LEN; i++) {
		int high = hex_value(text[2 * i]);
		int low = hex_value(text[2 * i + 1]);

		if (high < 0 || low < 0)
			return "expected 64 hex digits";
		key[i] = (uint8_t)(high << 4 | low);
	}
	return NULL;
}

/*
 * Counted from the digits, not through a double: 2.007 s must be 2007 ms,
 * and binary floating point would make it 2008 after rounding up.
 */
const char *parse_seconds(const char *text, int64_t *ms)
{
	/* a year: beyond any test, and far from overflowing int64 ms */
	static const struct jvpn_duration_rules seconds = {
		.bare_unit_ms = 1000,
		.no_units = true,
		.fractions = true,
		.max_ms = 365ULL * 24 * 3600 * 1000,
	};
	uint64_t value;

	switch (jvpn_parse_duration(text, &seconds, &value)) {
	case JVPN_DURATION_OK:
		*ms = (int64_t)value;
		return NULL;
	case JVPN_DURATION_RANGE:
		return "more than a year";
	default:
		return "expected seconds, such as 5 or 0.5";
	}
}

const char *parse_state(const char *text, uint8_t *state)
{
	int named = jvpn_state_by_name(text);
	uint64_t value;

	if (named >= 0) {
		*state = (uint8_t)named;
		return NULL;
	}
	if (parse_u64(text, UINT8_MAX, &value))
		return "expected HANDSHAKE, ACTIVE, VOLATILE, DEGRADED, "
		       "TERMINATED or a number 0..255";
	*state = (uint8_t)value;
	return NULL;
}

const char *parse_reason(const char *text, uint32_t *reason)
{
	int named = jvpn_del_reason_by_name(text);
	uint64_t value;

	if (named >= 0) {
		*reason = (uint32_t)named;
		return NULL;
	}
	if (parse_u64(text, UINT32_MAX, &value))
		return "expected admin, device-gone, session-ttl, "
		       "transport-loss-ttl, switch-limit, security, "
		       "version-mismatch, replaced or a number";
	*reason = (uint32_t)value;
	return NULL;
}
