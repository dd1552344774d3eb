// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The values of settings: ports, addresses, ADDR:PORT, prefixes, keys,
 * interface names, paths, on/off and comma-separated lists. Each parser
 * fills its result or says why not in why, which the caller reports at
 * the key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "key.h"
#include "parser.h"

_Static_assert(CONFIG_KEY_BASE64_LEN == KEYS_B64_LEN,
	       "a key in the file is lib/key.c's text form");

static bool parse_port(const char *text, uint16_t *port)
{
	unsigned long value = 0;

	if (!*text || strlen(text) > 5)
		return false;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		value = value * 10 + (unsigned long)(*c - '0');
	}
	if (value < 1 || value > 65535)
		return false;
	*port = (uint16_t)value;
	return true;
}

/* An address with no port: IPv4, or IPv6 without brackets. */
bool parse_address(const char *text, union jvpn_sockaddr *out, char *why,
		   size_t why_size)
{
	char shown[72];

	memset(out, 0, sizeof(*out));
	if (strchr(text, '%')) {
		snprintf(why, why_size,
			 "scoped (link-local) addresses such as "
			 "%s are not supported",
			 quoted(text, shown, sizeof(shown)));
		return false;
	}
	if (inet_pton(AF_INET, text, &out->in4.sin_addr) == 1) {
		out->in4.sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &out->in6.sin6_addr) == 1) {
		out->in6.sin6_family = AF_INET6;
		return true;
	}
	snprintf(why, why_size,
		 "expected a numeric IPv4 or IPv6 address, "
		 "got %s",
		 quoted(text, shown, sizeof(shown)));
	return false;
}

/* "192.0.2.1:51820" or "[2001:db8::1]:51820"; names are not resolved. */
bool parse_sockaddr(const char *text, union jvpn_sockaddr *out, char *why,
		    size_t why_size)
{
	char host[CONFIG_LINE_MAX + 1], shown[72];
	const char *colon, *port_text;
	uint16_t port;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - text - 1),
			 text + 1);
		port_text = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			goto bad;
		if (memchr(text, ':', (size_t)(colon - text))) {
			snprintf(why, why_size,
				 "an IPv6 address needs "
				 "brackets, as in [2001:db8::1]:51820, got %s",
				 quoted(text, shown, sizeof(shown)));
			return false;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
		port_text = colon + 1;
	}
	if (!parse_port(port_text, &port)) {
		snprintf(why, why_size,
			 "expected a port 1..65535 after ':', "
			 "got %s",
			 quoted(text, shown, sizeof(shown)));
		return false;
	}
	if (!parse_address(host, out, why, why_size))
		return false;
	if (text[0] == '[' && out->sa.sa_family != AF_INET6)
		goto bad;
	if (out->sa.sa_family == AF_INET)
		out->in4.sin_port = htons(port);
	else
		out->in6.sin6_port = htons(port);
	return true;
bad:
	snprintf(why, why_size,
		 "expected ADDR:PORT such as 192.0.2.1:51820 "
		 "or [2001:db8::1]:51820, got %s",
		 quoted(text, shown, sizeof(shown)));
	return false;
}

static size_t family_len(sa_family_t family)
{
	return family == AF_INET ? 4 : 16;
}

void format_cidr(const struct jvpn_cidr *cidr, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(cidr->family, cidr->addr, addr, sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, cidr->prefix_len);
}

static bool has_host_bits(const struct jvpn_cidr *cidr)
{
	for (size_t bit = cidr->prefix_len; bit < family_len(cidr->family) * 8;
	     bit++)
		if (cidr->addr[bit / 8] & (0x80 >> (bit % 8)))
			return true;
	return false;
}

static void clear_host_bits(struct jvpn_cidr *cidr)
{
	for (size_t bit = cidr->prefix_len; bit < 128; bit++)
		cidr->addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
}

/*
 * "10.0.0.0/24", "fd00::/64"; a bare address is a /32 or /128. For
 * allowed-ips, host bits are a typo waiting to route the wrong thing, so
 * they are refused with the network spelled out.
 */
bool parse_config_cidr(const char *text, bool refuse_host_bits,
		       struct jvpn_cidr *out, char *why, size_t why_size)
{
	char addr_text[CONFIG_LINE_MAX + 1], shown[72], fixed[64];
	const char *slash = strchr(text, '/');
	union jvpn_sockaddr addr;
	unsigned long prefix_len = 0;

	snprintf(addr_text, sizeof(addr_text), "%.*s",
		 (int)(slash ? (size_t)(slash - text) : strlen(text)), text);
	if (!parse_address(addr_text, &addr, why, why_size))
		return false;
	memset(out, 0, sizeof(*out));
	out->family = addr.sa.sa_family;
	if (out->family == AF_INET)
		memcpy(out->addr, &addr.in4.sin_addr, 4);
	else
		memcpy(out->addr, &addr.in6.sin6_addr, 16);

	prefix_len = family_len(out->family) * 8;
	if (slash) {
		const char *digits = slash + 1;
		char *end;

		errno = 0;
		prefix_len = strtoul(digits, &end, 10);
		if (digits[0] < '0' || digits[0] > '9' || *end || errno ||
		    strlen(digits) > 3 ||
		    prefix_len > family_len(out->family) * 8) {
			snprintf(why, why_size,
				 "expected a prefix length "
				 "0..%zu after '/', got %s",
				 family_len(out->family) * 8,
				 quoted(text, shown, sizeof(shown)));
			return false;
		}
	}
	out->prefix_len = (uint8_t)prefix_len;
	if (refuse_host_bits && has_host_bits(out)) {
		struct jvpn_cidr network = *out;

		clear_host_bits(&network);
		format_cidr(&network, fixed, sizeof(fixed));
		snprintf(why, why_size,
			 "%s has host bits set; the network "
			 "is %s",
			 quoted(text, shown, sizeof(shown)), fixed);
		return false;
	}
	return true;
}

/* A character for a message: itself if printable, else \xNN. */
static const char *shown_char(char c, char buf[8])
{
	unsigned char byte = (unsigned char)c;

	if (byte >= 0x21 && byte < 0x7f)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "\\x%02x", byte);
	return buf;
}

/* Why text is not a key, in the file's words (lib/key.c has its own). */
static void explain_key_fault(enum keys_status status,
			      const struct key_b64_fault *fault,
			      const char *text, char *why, size_t why_size)
{
	char c[8];

	if (status == KEYS_ERR_LENGTH)
		snprintf(why, why_size,
			 "expected %d base64 characters "
			 "(a %d-byte key), got %zu",
			 CONFIG_KEY_BASE64_LEN, JVPN_KEY_LEN, strlen(text));
	else if (status == KEYS_ERR_CHAR &&
		 fault->position < CONFIG_KEY_BASE64_LEN - 1)
		snprintf(why, why_size,
			 "invalid base64 character %s "
			 "at position %zu",
			 shown_char((char)fault->c, c), fault->position + 1);
	else if (status == KEYS_ERR_CHAR)
		snprintf(why, why_size,
			 "a %d-byte key in base64 ends with "
			 "one '=', got %s",
			 JVPN_KEY_LEN, shown_char((char)fault->c, c));
	else
		snprintf(why, why_size,
			 "is not canonical base64: the "
			 "character before '=' has stray low bits");
}

/*
 * Standard alphabet, padded: 43 characters carry 258 bits, the last 2 of
 * which must be zero or two different texts would name one key. Decoded
 * by lib/key.c, the one reader of the text form.
 */
bool parse_public_key(const char *text, uint8_t key[JVPN_KEY_LEN], char *why,
		      size_t why_size)
{
	struct key_b64_fault fault;
	enum keys_status status = key_decode_base64(text, key, &fault);

	if (status != KEYS_OK) {
		explain_key_fault(status, &fault, text, why, why_size);
		return false;
	}
	if (sodium_is_zero(key, JVPN_KEY_LEN)) {
		snprintf(why, why_size,
			 "is the all-zero key, which X25519 "
			 "refuses");
		return false;
	}
	return true;
}

static bool is_ifname(const char *text)
{
	size_t len = strlen(text);

	if (!len || len >= IFNAMSIZ || !strcmp(text, ".") ||
	    !strcmp(text, ".."))
		return false;
	return strcspn(text, "/: \t@") == len;
}

bool set_ifname(char out[IFNAMSIZ], const char *text, char *why,
		size_t why_size)
{
	char shown[72];

	if (!is_ifname(text)) {
		snprintf(why, why_size,
			 "expected an interface name of 1..%d "
			 "characters without '/', ':', '@' or blanks, got %s",
			 IFNAMSIZ - 1, quoted(text, shown, sizeof(shown)));
		return false;
	}
	copy_string(out, IFNAMSIZ, text);
	return true;
}

/*
 * Absolute only: jvpnd runs from / under a service manager, so a
 * relative path would mean something else there than in the shell where
 * --check-config said ok.
 */
bool set_path(char out[CONFIG_PATH_MAX], const char *text, char *why,
	      size_t why_size)
{
	char shown[72];

	if (text[0] != '/' || strlen(text) >= CONFIG_PATH_MAX) {
		snprintf(why, why_size, "expected an absolute path, got %s",
			 quoted(text, shown, sizeof(shown)));
		return false;
	}
	copy_string(out, CONFIG_PATH_MAX, text);
	return true;
}

/* "on" or "off" */
bool set_switch(bool *out, const char *value, char *why, size_t why_size)
{
	char shown[72];

	if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
		*out = strcmp(value, "on") == 0;
		return true;
	}
	snprintf(why, why_size, "expected on or off, got %s",
		 quoted(value, shown, sizeof(shown)));
	return false;
}

/*
 * item (size bytes, parsed from the text value) appended to items, which
 * hold *n and have room for max, unless it is there already: compared
 * with memcmp, so items are zeroed before they are filled. what names the
 * items in "more than 8 uplinks".
 */
bool append_unique(void *items, size_t *n, size_t max, const void *item,
		   size_t size, const char *value, const char *what, char *why,
		   size_t why_size)
{
	char *bytes = items;

	for (size_t i = 0; i < *n; i++) {
		if (memcmp(bytes + i * size, item, size) == 0) {
			snprintf(why, why_size, "%s is already listed", value);
			return false;
		}
	}
	if (*n == max) {
		snprintf(why, why_size, "more than %zu %s", max, what);
		return false;
	}
	memcpy(bytes + (*n)++ * size, item, size);
	return true;
}

/* An ADDR:PORT appended to a list, as append_unique does. */
bool add_sockaddr(union jvpn_sockaddr *list, size_t *n, size_t max,
		  const char *value, const char *what, char *why,
		  size_t why_size)
{
	union jvpn_sockaddr addr;

	if (!parse_sockaddr(value, &addr, why, why_size))
		return false;
	return append_unique(list, n, max, &addr, sizeof(addr), value, what,
			     why, why_size);
}

/*
 * Comma-separated items, each trimmed and handed to add; stops at the
 * first that fails. text is a copy we may cut.
 */
bool for_each_item(struct parser *p, void *target, const char *text,
		   bool (*add)(struct parser *, void *, const char *, char *,
			       size_t),
		   char *why, size_t why_size)
{
	char copy[CONFIG_LINE_MAX + 1];
	char *item = copy;

	snprintf(copy, sizeof(copy), "%s", text);
	for (;;) {
		char *comma = strchr(item, ',');

		if (comma)
			*comma = '\0';
		if (!*trim(item)) {
			snprintf(why, why_size,
				 "empty item in a "
				 "comma-separated list");
			return false;
		}
		if (!add(p, target, trim(item), why, why_size))
			return false;
		if (!comma)
			return true;
		item = comma + 1;
	}
}
