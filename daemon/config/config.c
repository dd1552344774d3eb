// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The configuration file (docs/config.md), in three steps:
 *
 *   1. tokenize: the text becomes sections of KEY = VALUE entries; syntax
 *      errors (long lines, control characters, bad headers) end here.
 *   2. interpret: [policy] sections first (every profile must exist before
 *      anything refers to it), then [interface] and [peer] sections in
 *      file order. The role is looked up before, so a [peer] above the
 *      [interface] is judged by the right rules.
 *   3. cross-check: things no single section can see (duplicate keys,
 *      names and allowed-ips between peers, missing sections).
 *
 * Every step reports and goes on, so one run shows every error. Values
 * are copied out of the text, which is freed at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <sodium.h>

#include "config.h"
#include "key.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define WHY_MAX DIAG_TEXT_MAX
/* A peer whose policy is the interface's; resolved at the end. */
#define POLICY_OF_INTERFACE ((size_t)-1)

_Static_assert(CONFIG_KEY_BASE64_LEN == KEYS_B64_LEN,
	       "a key in the file is lib/key.c's text form");

/* ---- step 1: the text as sections of entries ---------------------- */

enum section_kind {
	SECTION_INTERFACE,
	SECTION_POLICY,
	SECTION_PEER,
	SECTION_IGNORED,	/* a bad header: its entries are skipped */
};

struct entry {
	unsigned int line;
	const char *key;
	const char *value;
};

struct section {
	enum section_kind kind;
	unsigned int line;
	const char *name;	/* of a [policy NAME] */
	size_t first_entry;
	size_t n_entries;
};

/* Two peers must not share a key or a name: each use is a claim. */
struct claim {
	uint8_t value[CONFIG_PEER_NAME_MAX];	/* zero padded */
	unsigned int line;			/* of the key */
	unsigned int peer_line;			/* of the [peer] */
};

/* ... nor route the same prefix. */
struct cidr_claim {
	struct config_cidr cidr;
	unsigned int line;
	unsigned int peer_line;
};

/* A growable array of anything. */
struct vec {
	void *items;
	size_t count;
	size_t capacity;
};

struct parser {
	struct diag *diag;
	struct config *config;
	bool out_of_memory;

	char *text;			/* the file, owned, cut into strings */
	struct vec sections;		/* struct section */
	struct vec entries;		/* struct entry */
	struct vec peers;		/* struct config_peer, to config */
	struct vec key_claims;		/* struct claim */
	struct vec name_claims;		/* struct claim */
	struct vec cidr_claims;		/* struct cidr_claim */

	enum config_role role;		/* looked up before step 2 */
	unsigned int interface_line;	/* 0 until an [interface] is read */
	unsigned int line;		/* of the entry being interpreted */
	bool interface_has_profile;
	bool interface_has_state_file;
	bool interface_has_control_socket;
	unsigned int first_peer_line;
	bool reported_too_many_peers;
};

static void *vec_push(struct parser *p, struct vec *vec, size_t item_size)
{
	if (vec->count == vec->capacity) {
		size_t capacity = vec->capacity ? vec->capacity * 2 : 16;
		void *items = realloc(vec->items, capacity * item_size);

		if (!items) {
			if (!p->out_of_memory)
				diag_report(p->diag, DIAG_ERROR, 0, NULL,
					    "out of memory");
			p->out_of_memory = true;
			return NULL;
		}
		vec->items = items;
		vec->capacity = capacity;
	}
	return memset((char *)vec->items + vec->count++ * item_size, 0,
		      item_size);
}

static void vec_free(struct vec *vec)
{
	free(vec->items);
	memset(vec, 0, sizeof(*vec));
}

#define VEC_AT(vec, type, i) (&((type *)(vec)->items)[i])

/* "KEY: message" at line: the shape of every error about a setting. */
static void report_key(struct parser *p, enum diag_severity severity,
		       unsigned int line, const char *key, const char *fmt,
		       ...) __attribute__((format(printf, 5, 6)));

static void report_key(struct parser *p, enum diag_severity severity,
		       unsigned int line, const char *key, const char *fmt,
		       ...)
{
	char message[DIAG_TEXT_MAX];
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	diag_report(p->diag, severity, line, key, "%.*s: %s",
		    DIAG_SUBJECT_MAX, key, message);
}

#define key_error(p, line, key, ...) \
	report_key(p, DIAG_ERROR, line, key, __VA_ARGS__)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Cuts blanks off both ends, in place. */
static char *trim(char *text)
{
	size_t len;

	while (is_blank(*text))
		text++;
	len = strlen(text);
	while (len && is_blank(text[len - 1]))
		text[--len] = '\0';
	return text;
}

/* Keys and profile names: lower case, digits, '-' ('_' in names). */
static bool is_word(const char *text, const char *extra, size_t max_len)
{
	size_t len = strlen(text);

	if (!len || len > max_len || text[0] < 'a' || text[0] > 'z')
		return false;
	for (const char *c = text; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      strchr(extra, *c)))
			return false;
	return true;
}

static bool is_profile_name(const char *text)
{
	return is_word(text, "-_", POLICY_NAME_MAX - 1);
}

/* strlcpy: callers check the length first, this only cannot overflow. */
static void copy_string(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Config text quoted for a message, cut short. */
static const char *quoted(const char *text, char *buf, size_t size)
{
	if (strlen(text) + 3 <= size)
		snprintf(buf, size, "\"%s\"", text);
	else
		snprintf(buf, size, "\"%.*s...\"", (int)(size - 6), text);
	return buf;
}

static void add_section(struct parser *p, enum section_kind kind,
			unsigned int line, const char *name)
{
	struct section *section = vec_push(p, &p->sections,
					   sizeof(*section));

	if (!section)
		return;
	section->kind = kind;
	section->line = line;
	section->name = name;
	section->first_entry = p->entries.count;
}

static struct section *current_section(struct parser *p)
{
	if (!p->sections.count)
		return NULL;
	return VEC_AT(&p->sections, struct section, p->sections.count - 1);
}

/* "[interface]", "[peer]", "[policy NAME]"; header ends with ']'. */
static void read_header(struct parser *p, char *header, unsigned int line)
{
	size_t len = strlen(header);
	char *inner, shown[72];

	if (header[len - 1] != ']') {
		diag_report(p->diag, DIAG_ERROR, line, "section",
			    "section header %s does not end with ']'",
			    quoted(header, shown, sizeof(shown)));
		add_section(p, SECTION_IGNORED, line, NULL);
		return;
	}
	header[len - 1] = '\0';
	inner = trim(header + 1);
	if (strcmp(inner, "interface") == 0) {
		add_section(p, SECTION_INTERFACE, line, NULL);
	} else if (strcmp(inner, "peer") == 0) {
		add_section(p, SECTION_PEER, line, NULL);
	} else if (strncmp(inner, "policy", 6) == 0 &&
		   (is_blank(inner[6]) || !inner[6])) {
		char *name = trim(inner + 6);

		if (is_profile_name(name)) {
			add_section(p, SECTION_POLICY, line, name);
			return;
		}
		diag_report(p->diag, DIAG_ERROR, line, "policy",
			    "[policy NAME]: expected a name of lower-case "
			    "letters, digits, '-' and '_' (at most %d), got %s",
			    POLICY_NAME_MAX - 1,
			    quoted(name, shown, sizeof(shown)));
		add_section(p, SECTION_IGNORED, line, NULL);
	} else {
		diag_report(p->diag, DIAG_ERROR, line, "section",
			    "[%s]: unknown section; expected [interface], "
			    "[peer] or [policy NAME]", inner);
		add_section(p, SECTION_IGNORED, line, NULL);
	}
}

static void read_setting(struct parser *p, char *text, unsigned int line)
{
	char *equals = strchr(text, '='), shown[72];
	struct section *section = current_section(p);
	struct entry *entry;
	char *key, *value;

	if (!equals) {
		diag_report(p->diag, DIAG_ERROR, line, "syntax",
			    "expected KEY = VALUE or [SECTION], got %s",
			    quoted(text, shown, sizeof(shown)));
		return;
	}
	*equals = '\0';
	key = trim(text);
	value = trim(equals + 1);
	if (!is_word(key, "-", DIAG_SUBJECT_MAX - 1)) {
		diag_report(p->diag, DIAG_ERROR, line, "syntax",
			    "expected a key of lower-case letters, digits "
			    "and '-' before '=', got %s",
			    quoted(key, shown, sizeof(shown)));
		return;
	}
	if (!*value) {
		key_error(p, line, key, "missing value after '='");
		return;
	}
	if (!section) {
		key_error(p, line, key, "outside any section; put it under "
			  "[interface], [peer] or [policy NAME]");
		return;
	}
	if (section->kind == SECTION_IGNORED)
		return;		/* its header was already reported */
	entry = vec_push(p, &p->entries, sizeof(*entry));
	if (!entry)
		return;
	entry->line = line;
	entry->key = key;
	entry->value = value;
	section->n_entries++;
}

/*
 * The length of the well-formed UTF-8 sequence at text (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. C1
 * controls (U+0080..U+009F) count as malformed: terminals act on them.
 */
static size_t utf8_sequence_len(const unsigned char *text, size_t left)
{
	unsigned char c = text[0], low = 0x80, high = 0xbf;
	size_t len;

	/* The bounds of the second byte carry every special case. */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		if (c == 0xc2)
			low = 0xa0;	/* not U+0080..U+009F, C1 controls */
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			low = 0xa0;	/* not overlong */
		if (c == 0xed)
			high = 0x9f;	/* not a UTF-16 surrogate */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			low = 0x90;	/* not overlong */
		if (c == 0xf4)
			high = 0x8f;	/* not above U+10FFFF */
	} else {
		return 0;	/* 0x80..0xc1 and 0xf5.. never start one */
	}
	if (left < len || text[1] < low || text[1] > high)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (text[i] < 0x80 || text[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Control characters and malformed UTF-8 would garble messages and
 * terminals; a NUL would cut the line short without anybody noticing.
 * Tabs are blanks.
 */
static bool has_bad_character(struct parser *p, const char *text, size_t len,
			      unsigned int line)
{
	const unsigned char *bytes = (const unsigned char *)text;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = bytes[i];
		size_t sequence;

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			diag_report(p->diag, DIAG_ERROR, line, "line",
				    "line %u has the control character 0x%02x "
				    "at column %zu", line, c, i + 1);
			return true;
		}
		if (c < 0x80)
			continue;
		sequence = utf8_sequence_len(bytes + i, len - i);
		if (!sequence) {
			diag_report(p->diag, DIAG_ERROR, line, "line",
				    "line %u is not valid UTF-8 (or has a "
				    "control character) at column %zu", line,
				    i + 1);
			return true;
		}
		i += sequence - 1;
	}
	return false;
}

/* The key of a line too long to read, if it starts like a setting. */
static void report_long_line(struct parser *p, const char *text,
			     unsigned int line)
{
	char key[DIAG_SUBJECT_MAX];
	size_t len = strcspn(text, "=");

	if (len < sizeof(key)) {
		snprintf(key, sizeof(key), "%.*s", (int)len, text);
		if (is_word(trim(key), "-", sizeof(key) - 1)) {
			key_error(p, line, trim(key), "line is longer than %d "
				  "characters", CONFIG_LINE_MAX);
			return;
		}
	}
	diag_report(p->diag, DIAG_ERROR, line, "line", "line %u is longer "
		    "than %d characters", line, CONFIG_LINE_MAX);
}

/* One line, without its '\n'; text is ours to cut into strings. */
static void read_line(struct parser *p, char *text, size_t len,
		      unsigned int line)
{
	char *content;

	if (len && text[len - 1] == '\r')	/* CRLF files */
		len--;
	text[len] = '\0';
	if (len > CONFIG_LINE_MAX) {
		report_long_line(p, text, line);
		return;
	}
	if (has_bad_character(p, text, len, line))
		return;
	text[strcspn(text, "#")] = '\0';	/* comments run to the end */
	content = trim(text);
	if (!*content)
		return;
	if (content[0] == '[')
		read_header(p, content, line);
	else
		read_setting(p, content, line);
}

static void tokenize(struct parser *p, const char *text, size_t len)
{
	size_t start = 0;
	unsigned int line = 0;

	p->text = malloc(len + 1);
	if (!p->text) {
		p->out_of_memory = true;
		diag_report(p->diag, DIAG_ERROR, 0, NULL, "out of memory");
		return;
	}
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	if (len >= 3 && memcmp(p->text, "\xef\xbb\xbf", 3) == 0)
		start = 3;	/* a UTF-8 byte order mark from an editor */

	while (start < len && !p->out_of_memory) {
		const char *newline = memchr(p->text + start, '\n',
					     len - start);
		size_t line_len = newline ? (size_t)(newline - p->text) - start
					  : len - start;

		read_line(p, p->text + start, line_len, ++line);
		start += line_len + 1;
	}
}

/* ---- values ------------------------------------------------------- */

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
static bool parse_address(const char *text, union config_sockaddr *out,
			  char *why, size_t why_size)
{
	char shown[72];

	memset(out, 0, sizeof(*out));
	if (strchr(text, '%')) {
		snprintf(why, why_size, "scoped (link-local) addresses such as "
			 "%s are not supported", quoted(text, shown,
							sizeof(shown)));
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
	snprintf(why, why_size, "expected a numeric IPv4 or IPv6 address, "
		 "got %s", quoted(text, shown, sizeof(shown)));
	return false;
}

/* "192.0.2.1:51820" or "[2001:db8::1]:51820"; names are not resolved. */
static bool parse_sockaddr(const char *text, union config_sockaddr *out,
			   char *why, size_t why_size)
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
			snprintf(why, why_size, "an IPv6 address needs "
				 "brackets, as in [2001:db8::1]:51820, got %s",
				 quoted(text, shown, sizeof(shown)));
			return false;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
		port_text = colon + 1;
	}
	if (!parse_port(port_text, &port)) {
		snprintf(why, why_size, "expected a port 1..65535 after ':', "
			 "got %s", quoted(text, shown, sizeof(shown)));
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
	snprintf(why, why_size, "expected ADDR:PORT such as 192.0.2.1:51820 "
		 "or [2001:db8::1]:51820, got %s",
		 quoted(text, shown, sizeof(shown)));
	return false;
}

static size_t family_len(sa_family_t family)
{
	return family == AF_INET ? 4 : 16;
}

static void format_cidr(const struct config_cidr *cidr, char *buf,
			size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(cidr->family, cidr->addr, addr, sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, cidr->prefix_len);
}

static bool has_host_bits(const struct config_cidr *cidr)
{
	for (size_t bit = cidr->prefix_len; bit < family_len(cidr->family) * 8;
	     bit++)
		if (cidr->addr[bit / 8] & (0x80 >> (bit % 8)))
			return true;
	return false;
}

static void clear_host_bits(struct config_cidr *cidr)
{
	for (size_t bit = cidr->prefix_len; bit < 128; bit++)
		cidr->addr[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
}

/*
 * "10.0.0.0/24", "fd00::/64"; a bare address is a /32 or /128. For
 * allowed-ips, host bits are a typo waiting to route the wrong thing, so
 * they are refused with the network spelled out.
 */
static bool parse_cidr(const char *text, bool refuse_host_bits,
		       struct config_cidr *out, char *why, size_t why_size)
{
	char addr_text[CONFIG_LINE_MAX + 1], shown[72], fixed[64];
	const char *slash = strchr(text, '/');
	union config_sockaddr addr;
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
			snprintf(why, why_size, "expected a prefix length "
				 "0..%zu after '/', got %s",
				 family_len(out->family) * 8,
				 quoted(text, shown, sizeof(shown)));
			return false;
		}
	}
	out->prefix_len = (uint8_t)prefix_len;
	if (refuse_host_bits && has_host_bits(out)) {
		struct config_cidr network = *out;

		clear_host_bits(&network);
		format_cidr(&network, fixed, sizeof(fixed));
		snprintf(why, why_size, "%s has host bits set; the network "
			 "is %s", quoted(text, shown, sizeof(shown)), fixed);
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
		snprintf(why, why_size, "expected %d base64 characters "
			 "(a %d-byte key), got %zu", CONFIG_KEY_BASE64_LEN,
			 JVPN_KEY_LEN, strlen(text));
	else if (status == KEYS_ERR_CHAR &&
		 fault->position < CONFIG_KEY_BASE64_LEN - 1)
		snprintf(why, why_size, "invalid base64 character %s "
			 "at position %zu", shown_char((char)fault->c, c),
			 fault->position + 1);
	else if (status == KEYS_ERR_CHAR)
		snprintf(why, why_size, "a %d-byte key in base64 ends with "
			 "one '=', got %s", JVPN_KEY_LEN,
			 shown_char((char)fault->c, c));
	else
		snprintf(why, why_size, "is not canonical base64: the "
			 "character before '=' has stray low bits");
}

/*
 * Standard alphabet, padded: 43 characters carry 258 bits, the last 2 of
 * which must be zero or two different texts would name one key. Decoded
 * by lib/key.c, the one reader of the text form.
 */
static bool parse_public_key(const char *text, uint8_t key[JVPN_KEY_LEN],
			     char *why, size_t why_size)
{
	struct key_b64_fault fault;
	enum keys_status status = key_decode_base64(text, key, &fault);

	if (status != KEYS_OK) {
		explain_key_fault(status, &fault, text, why, why_size);
		return false;
	}
	if (sodium_is_zero(key, JVPN_KEY_LEN)) {
		snprintf(why, why_size, "is the all-zero key, which X25519 "
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

static bool set_ifname(char out[IFNAMSIZ], const char *text, char *why,
		       size_t why_size)
{
	char shown[72];

	if (!is_ifname(text)) {
		snprintf(why, why_size, "expected an interface name of 1..%d "
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
static bool set_path(char out[CONFIG_PATH_MAX], const char *text, char *why,
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

static bool same_sockaddr(const union config_sockaddr *a,
			   const union config_sockaddr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * Comma-separated items, each trimmed and handed to add; stops at the
 * first that fails. text is a copy we may cut.
 */
static bool for_each_item(struct parser *p, void *target, const char *text,
			  bool (*add)(struct parser *, void *, const char *,
				      char *, size_t),
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
			snprintf(why, why_size, "empty item in a "
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

/* ---- step 2: settings --------------------------------------------- */

#define ROLE_GATEWAY	(1u << CONFIG_ROLE_GATEWAY)
#define ROLE_CLIENT	(1u << CONFIG_ROLE_CLIENT)
#define ROLE_ANY	(ROLE_GATEWAY | ROLE_CLIENT)

typedef bool apply_fn(struct parser *p, void *target, const char *value,
		      char *why, size_t why_size);

struct rule {
	const char *key;
	bool repeatable;
	unsigned int roles;
	const char *wrong_role;	/* why, when the role forbids the key */
	apply_fn *apply;
};

#define MAX_RULES 16

/* Where each rule of a section was first used: 0 if not. */
struct seen {
	unsigned int line[MAX_RULES];
};

static const struct rule *find_rule(const struct rule *rules, size_t n_rules,
				    const char *key)
{
	for (size_t i = 0; i < n_rules; i++)
		if (strcmp(rules[i].key, key) == 0)
			return &rules[i];
	return NULL;
}

static void report_unknown_key(struct parser *p, const struct entry *entry,
			       const char *section)
{
	if (policy_field_by_key(entry->key) >= 0 ||
	    strcmp(entry->key, "base") == 0)
		key_error(p, entry->line, entry->key, "unknown key in %s; "
			  "it is a policy key: put it under [policy NAME]",
			  section);
	else
		key_error(p, entry->line, entry->key, "unknown key in %s",
			  section);
}

static void apply_entry(struct parser *p, const struct rule *rules,
			size_t n_rules, const char *section,
			const struct entry *entry, void *target,
			struct seen *seen)
{
	const struct rule *rule = find_rule(rules, n_rules, entry->key);
	char why[WHY_MAX];
	size_t index;

	if (!rule) {
		report_unknown_key(p, entry, section);
		return;
	}
	index = (size_t)(rule - rules);
	if (seen->line[index] && !rule->repeatable) {
		key_error(p, entry->line, entry->key, "already set at line %u;"
			  " it may appear once", seen->line[index]);
		return;
	}
	if (p->role != CONFIG_ROLE_NONE && !(rule->roles & (1u << p->role))) {
		key_error(p, entry->line, entry->key, "%s", rule->wrong_role);
		return;
	}
	if (!seen->line[index])
		seen->line[index] = entry->line;
	p->line = entry->line;
	if (!rule->apply(p, target, entry->value, why, sizeof(why)))
		key_error(p, entry->line, entry->key, "%s", why);
}

static void apply_section(struct parser *p, const struct section *section,
			  const struct rule *rules, size_t n_rules,
			  const char *name, void *target, struct seen *seen)
{
	for (size_t i = 0; i < section->n_entries; i++)
		apply_entry(p, rules, n_rules, name,
			    VEC_AT(&p->entries, struct entry,
				   section->first_entry + i),
			    target, seen);
}

static bool seen_key(const struct rule *rules, size_t n_rules,
		     const struct seen *seen, const char *key)
{
	const struct rule *rule = find_rule(rules, n_rules, key);

	return rule && seen->line[rule - rules];
}

/* Missing keys are reported at the section's header. */
static void require_key(struct parser *p, const struct rule *rules,
			size_t n_rules, const struct seen *seen,
			unsigned int header_line, const char *key,
			const char *what)
{
	if (!seen_key(rules, n_rules, seen, key))
		key_error(p, header_line, key, "missing; %s", what);
}

/* ---- [policy NAME] ------------------------------------------------ */

static struct config_policy *find_policy(struct config *config,
					 const char *name)
{
	for (size_t i = 0; i < config->n_policies; i++)
		if (strcmp(config->policies[i].policy.name, name) == 0)
			return &config->policies[i];
	return NULL;
}

static bool set_base(struct config_policy *policy, const char *value,
		     char *why, size_t why_size)
{
	char shown[72];

	if (policy_builtin(policy->policy.name)) {
		snprintf(why, why_size, "[policy %s] tunes a built-in "
			 "profile, which has no base", policy->policy.name);
		return false;
	}
	if (!policy_builtin(value)) {
		snprintf(why, why_size, "expected mobile or datacenter, got %s",
			 quoted(value, shown, sizeof(shown)));
		return false;
	}
	snprintf(policy->base, sizeof(policy->base), "%s", value);
	return true;
}

/* The policy part of a [policy] section: one field. */
static void apply_policy_entry(struct parser *p, struct config_policy *policy,
			       struct policy *overrides,
			       const struct entry *entry, unsigned int *seen,
			       unsigned int *base_line)
{
	int field = policy_field_by_key(entry->key);
	bool is_base = strcmp(entry->key, "base") == 0;
	unsigned int *first = is_base ? base_line : field >= 0 ?
			      &seen[field] : NULL;
	char why[WHY_MAX];
	bool ok;

	if (!first) {
		key_error(p, entry->line, entry->key, "unknown key in "
			  "[policy %s]", policy->policy.name);
		return;
	}
	if (*first) {
		key_error(p, entry->line, entry->key, "already set at line %u;"
			  " it may appear once", *first);
		return;
	}
	*first = entry->line;
	ok = is_base ? set_base(policy, entry->value, why, sizeof(why))
		     : policy_set_field(overrides, field, entry->value, why,
					sizeof(why));
	if (!ok)
		key_error(p, entry->line, entry->key, "%s", why);
	else if (!is_base)
		policy->overridden |= 1u << field;
}

/* base + overrides, then the checklist on the result. */
static void resolve_policy(struct parser *p, struct config_policy *policy,
			   const struct policy *overrides,
			   const unsigned int *field_lines)
{
	const struct policy *base = policy_builtin(policy->base);
	char name[POLICY_NAME_MAX];

	if (!base) {
		key_error(p, policy->line, "base", "missing; [policy %s] is "
			  "not a built-in profile: set base = mobile or base "
			  "= datacenter", policy->policy.name);
		return;
	}
	memcpy(name, policy->policy.name, sizeof(name));
	policy->policy = *base;
	memcpy(policy->policy.name, name, sizeof(name));
	for (int field = 0; field < POLICY_FIELD_COUNT; field++)
		if (policy->overridden & (1u << field))
			policy_copy_field(&policy->policy, overrides, field);
	policy_check_at(&policy->policy, field_lines, policy->line, p->diag);
}

/* A new [policy NAME], or the built-in profile it tunes. */
static struct config_policy *open_policy(struct parser *p,
					 const struct section *section)
{
	struct config *config = p->config;
	struct config_policy *policy = find_policy(config, section->name);

	if (policy && policy->line) {
		diag_report(p->diag, DIAG_ERROR, section->line, "policy",
			    "[policy %s]: already defined at line %u",
			    section->name, policy->line);
		return NULL;
	}
	if (!policy && config->n_policies == CONFIG_MAX_POLICIES) {
		diag_report(p->diag, DIAG_ERROR, section->line, "policy",
			    "[policy %s]: more than %d profiles of the "
			    "file's own", section->name,
			    CONFIG_MAX_POLICIES - 2);
		return NULL;
	}
	if (!policy) {
		policy = &config->policies[config->n_policies++];
		snprintf(policy->policy.name, sizeof(policy->policy.name),
			 "%s", section->name);
	}
	policy->line = section->line;
	return policy;
}

static void read_policy_section(struct parser *p,
				const struct section *section)
{
	struct config_policy *policy = open_policy(p, section);
	unsigned int seen[POLICY_FIELD_COUNT] = { 0 }, base_line = 0;
	struct policy overrides = { 0 };

	if (!policy)
		return;
	for (size_t i = 0; i < section->n_entries; i++)
		apply_policy_entry(p, policy, &overrides,
				   VEC_AT(&p->entries, struct entry,
					  section->first_entry + i),
				   seen, &base_line);
	resolve_policy(p, policy, &overrides, seen);
}

static void add_builtin_policy(struct config *config, const char *name)
{
	struct config_policy *policy = &config->policies[config->n_policies++];

	policy->policy = *policy_builtin(name);
	snprintf(policy->base, sizeof(policy->base), "%s", name);
}

/* ---- [interface] -------------------------------------------------- */

static bool apply_role(struct parser *p, void *target, const char *value,
		       char *why, size_t why_size)
{
	struct config_interface *interface = target;
	char shown[72];

	(void)p;
	if (strcmp(value, "gateway") == 0)
		interface->role = CONFIG_ROLE_GATEWAY;
	else if (strcmp(value, "client") == 0)
		interface->role = CONFIG_ROLE_CLIENT;
	else {
		snprintf(why, why_size, "expected gateway or client, got %s",
			 quoted(value, shown, sizeof(shown)));
		return false;
	}
	return true;
}

static bool apply_device(struct parser *p, void *target, const char *value,
			 char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_ifname(interface->device, value, why, why_size);
}

static bool apply_listen(struct parser *p, void *target, const char *value,
			 char *why, size_t why_size)
{
	struct config_interface *interface = target;
	union config_sockaddr addr;

	(void)p;
	if (!parse_sockaddr(value, &addr, why, why_size))
		return false;
	for (size_t i = 0; i < interface->n_listen; i++) {
		if (same_sockaddr(&interface->listen[i], &addr)) {
			snprintf(why, why_size, "%s is already listed", value);
			return false;
		}
	}
	if (interface->n_listen == CONFIG_MAX_LISTEN) {
		snprintf(why, why_size, "more than %d listen addresses",
			 CONFIG_MAX_LISTEN);
		return false;
	}
	interface->listen[interface->n_listen++] = addr;
	return true;
}

static bool apply_private_key_file(struct parser *p, void *target,
				   const char *value, char *why,
				   size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_path(interface->private_key_file, value, why, why_size);
}

static bool apply_state_file(struct parser *p, void *target,
			     const char *value, char *why, size_t why_size)
{
	struct config_interface *interface = target;

	p->interface_has_state_file = true;
	return set_path(interface->state_file, value, why, why_size);
}

static bool apply_event_log(struct parser *p, void *target, const char *value,
			    char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	if (strcmp(value, "stdout") == 0) {
		interface->event_log_stdout = true;
		return true;
	}
	if (set_path(interface->event_log, value, why, why_size))
		return true;
	snprintf(why, why_size, "expected stdout or an absolute path, got "
		 "\"%.64s\"", value);
	return false;
}

/* "on" or "off" */
static bool set_switch(bool *out, const char *value, char *why,
		       size_t why_size)
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

static bool apply_syslog(struct parser *p, void *target, const char *value,
			 char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_switch(&interface->syslog, value, why, why_size);
}

static bool apply_journald(struct parser *p, void *target, const char *value,
			   char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_switch(&interface->journald, value, why, why_size);
}

static bool apply_cef_log(struct parser *p, void *target, const char *value,
			  char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_path(interface->cef_log, value, why, why_size);
}

static bool apply_control_socket(struct parser *p, void *target,
				 const char *value, char *why, size_t why_size)
{
	struct config_interface *interface = target;
	/* sun_path holds 108 bytes with the NUL */
	const size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

	p->interface_has_control_socket = true;
	if (strlen(value) > max) {
		snprintf(why, why_size, "a unix socket path has at most %zu "
			 "characters", max);
		return false;
	}
	return set_path(interface->control_socket, value, why, why_size);
}

/* Metrics tell a stranger much about the network: loopback only. */
static bool is_loopback(const union config_sockaddr *addr)
{
	if (addr->sa.sa_family == AF_INET)
		return (ntohl(addr->in4.sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&addr->in6.sin6_addr);
}

static bool apply_metrics_listen(struct parser *p, void *target,
				 const char *value, char *why,
				 size_t why_size)
{
	struct config_interface *interface = target;
	union config_sockaddr addr;

	(void)p;
	if (strcmp(value, "off") == 0) {
		memset(&interface->metrics_listen, 0,
		       sizeof(interface->metrics_listen));
		return true;
	}
	if (!parse_sockaddr(value, &addr, why, why_size))
		return false;
	if (!is_loopback(&addr)) {
		snprintf(why, why_size, "%s is not a loopback address: "
			 "metrics are served on 127.0.0.0/8 or [::1] only; "
			 "put a proxy in front to publish them", value);
		return false;
	}
	interface->metrics_listen = addr;
	return true;
}

/* A profile reference: built-in or [policy NAME] (all read by now). */
static bool lookup_profile(struct parser *p, const char *value,
			   size_t *index, char *why, size_t why_size)
{
	const struct config_policy *policy = find_policy(p->config, value);
	char shown[72];

	if (!policy) {
		snprintf(why, why_size, "no profile called %s: use mobile, "
			 "datacenter or the NAME of a [policy NAME] section",
			 quoted(value, shown, sizeof(shown)));
		return false;
	}
	*index = (size_t)(policy - p->config->policies);
	return true;
}

static bool apply_interface_profile(struct parser *p, void *target,
				    const char *value, char *why,
				    size_t why_size)
{
	struct config_interface *interface = target;

	p->interface_has_profile = true;
	return lookup_profile(p, value, &interface->policy, why, why_size);
}

static const struct rule interface_rules[] = {
	{ "role", false, ROLE_ANY, NULL, apply_role },
	{ "device", false, ROLE_ANY, NULL, apply_device },
	{ "listen", true, ROLE_GATEWAY, "only a gateway listens; a client "
	  "sends from its uplinks", apply_listen },
	{ "private-key-file", false, ROLE_ANY, NULL,
	  apply_private_key_file },
	{ "state-file", false, ROLE_ANY, NULL, apply_state_file },
	{ "event-log", false, ROLE_ANY, NULL, apply_event_log },
	{ "syslog", false, ROLE_ANY, NULL, apply_syslog },
	{ "journald", false, ROLE_ANY, NULL, apply_journald },
	{ "cef-log", false, ROLE_ANY, NULL, apply_cef_log },
	{ "control-socket", false, ROLE_ANY, NULL, apply_control_socket },
	{ "metrics-listen", false, ROLE_ANY, NULL, apply_metrics_listen },
	{ "profile", false, ROLE_ANY, NULL, apply_interface_profile },
};

/* The role decides which keys a [peer] may have, wherever it is. */
static void look_up_role(struct parser *p)
{
	for (size_t s = 0; s < p->sections.count; s++) {
		const struct section *section =
			VEC_AT(&p->sections, struct section, s);

		if (section->kind != SECTION_INTERFACE)
			continue;
		for (size_t i = 0; i < section->n_entries; i++) {
			const struct entry *entry = VEC_AT(
				&p->entries, struct entry,
				section->first_entry + i);

			if (strcmp(entry->key, "role") == 0) {
				if (!strcmp(entry->value, "gateway"))
					p->role = CONFIG_ROLE_GATEWAY;
				else if (!strcmp(entry->value, "client"))
					p->role = CONFIG_ROLE_CLIENT;
				return;
			}
		}
		return;		/* only the first [interface] counts */
	}
}

static void finish_interface(struct parser *p, const struct seen *seen)
{
	struct config_interface *interface = &p->config->interface;
	const size_t n = ARRAY_LEN(interface_rules);
	unsigned int line = p->interface_line;

	require_key(p, interface_rules, n, seen, line, "role",
		    "set role = gateway or role = client");
	require_key(p, interface_rules, n, seen, line, "private-key-file",
		    "the path of this side's X25519 private key");
	require_key(p, interface_rules, n, seen, line, "profile",
		    "choose mobile, datacenter or a [policy NAME] of your "
		    "own: a deployment must define its policy");
	if (p->role == CONFIG_ROLE_GATEWAY)
		require_key(p, interface_rules, n, seen, line, "listen",
			    "a gateway needs at least one ADDR:PORT");
	if (!p->interface_has_state_file)
		snprintf(interface->state_file, sizeof(interface->state_file),
			 "/var/lib/jvpnd/%s.state", interface->device);
	if (!p->interface_has_control_socket)
		snprintf(interface->control_socket,
			 sizeof(interface->control_socket),
			 "/run/jvpnd/%s.sock", interface->device);
	/* The seeds make observability mandatory: no outlet is a risk. */
	if (!interface->event_log[0] && !interface->event_log_stdout &&
	    !interface->syslog && !interface->journald &&
	    !interface->cef_log[0])
		diag_report(p->diag, DIAG_WARNING, line, "LoggingPipeline",
			    "LoggingPipeline: no event outlet; set event-log, "
			    "syslog = on, journald = on or cef-log, or every "
			    "event is lost");
}

static void read_interface_section(struct parser *p,
				   const struct section *section)
{
	struct config_interface *interface = &p->config->interface;
	struct seen seen = { { 0 } };

	if (p->interface_line) {
		diag_report(p->diag, DIAG_ERROR, section->line, "interface",
			    "[interface]: a second [interface] section; the "
			    "first is at line %u", p->interface_line);
		return;
	}
	p->interface_line = section->line;
	snprintf(interface->device, sizeof(interface->device), "jvpn0");
	apply_section(p, section, interface_rules, ARRAY_LEN(interface_rules),
		      "[interface]", interface, &seen);
	finish_interface(p, &seen);
}

/* ---- [peer] ------------------------------------------------------- */

static bool add_claim(struct parser *p, struct vec *claims,
		      const void *value, size_t len, unsigned int peer_line)
{
	struct claim *claim = vec_push(p, claims, sizeof(*claim));

	if (!claim)
		return false;
	memcpy(claim->value, value, len);
	claim->line = p->line;
	claim->peer_line = peer_line;
	return true;
}

static bool apply_public_key(struct parser *p, void *target,
			     const char *value, char *why, size_t why_size)
{
	struct config_peer *peer = target;

	if (!parse_public_key(value, peer->public_key, why, why_size))
		return false;
	add_claim(p, &p->key_claims, peer->public_key, JVPN_KEY_LEN,
		  peer->line);
	return true;
}

static bool add_allowed_ip(struct parser *p, void *target, const char *item,
			   char *why, size_t why_size)
{
	struct config_peer *peer = target;
	struct cidr_claim *claim;
	struct config_cidr cidr;

	if (!parse_cidr(item, true, &cidr, why, why_size))
		return false;
	if (peer->n_allowed_ips == CONFIG_MAX_ALLOWED_IPS) {
		snprintf(why, why_size, "more than %d prefixes in one peer",
			 CONFIG_MAX_ALLOWED_IPS);
		return false;
	}
	peer->allowed_ips[peer->n_allowed_ips++] = cidr;
	claim = vec_push(p, &p->cidr_claims, sizeof(*claim));
	if (claim) {
		claim->cidr = cidr;
		claim->line = p->line;
		claim->peer_line = peer->line;
	}
	return true;
}

static bool apply_allowed_ips(struct parser *p, void *target,
			      const char *value, char *why, size_t why_size)
{
	return for_each_item(p, target, value, add_allowed_ip, why, why_size);
}

static bool apply_name(struct parser *p, void *target, const char *value,
		       char *why, size_t why_size)
{
	struct config_peer *peer = target;

	if (strlen(value) >= sizeof(peer->name)) {
		snprintf(why, why_size, "longer than %zu characters",
			 sizeof(peer->name) - 1);
		return false;
	}
	copy_string(peer->name, sizeof(peer->name), value);
	add_claim(p, &p->name_claims, peer->name, strlen(peer->name),
		  peer->line);
	return true;
}

static bool apply_peer_profile(struct parser *p, void *target,
			       const char *value, char *why, size_t why_size)
{
	struct config_peer *peer = target;

	return lookup_profile(p, value, &peer->policy, why, why_size);
}

static bool add_endpoint(struct parser *p, void *target, const char *value,
			 char *why, size_t why_size)
{
	struct config_peer *peer = target;
	union config_sockaddr addr;

	(void)p;
	if (!parse_sockaddr(value, &addr, why, why_size))
		return false;
	for (size_t i = 0; i < peer->n_endpoints; i++) {
		if (same_sockaddr(&peer->endpoints[i], &addr)) {
			snprintf(why, why_size, "%s is already listed", value);
			return false;
		}
	}
	if (peer->n_endpoints == CONFIG_MAX_ENDPOINTS) {
		snprintf(why, why_size, "more than %d endpoints in one peer",
			 CONFIG_MAX_ENDPOINTS);
		return false;
	}
	peer->endpoints[peer->n_endpoints++] = addr;
	return true;
}

/* "wlan0" or "wlan0@192.0.2.7": an interface, maybe pinned to an address. */
static bool parse_uplink(const char *value, struct config_uplink *uplink,
			 char *why, size_t why_size)
{
	char ifname[CONFIG_LINE_MAX + 1];
	const char *at = strchr(value, '@');

	memset(uplink, 0, sizeof(*uplink));
	snprintf(ifname, sizeof(ifname), "%.*s",
		 (int)(at ? (size_t)(at - value) : strlen(value)), value);
	if (!set_ifname(uplink->ifname, ifname, why, why_size))
		return false;
	return !at || parse_address(at + 1, &uplink->local, why, why_size);
}

static bool add_uplink(struct parser *p, void *target, const char *value,
		       char *why, size_t why_size)
{
	struct config_peer *peer = target;
	struct config_uplink uplink;

	(void)p;
	if (!parse_uplink(value, &uplink, why, why_size))
		return false;
	for (size_t i = 0; i < peer->n_uplinks; i++) {
		if (memcmp(&peer->uplinks[i], &uplink, sizeof(uplink)) == 0) {
			snprintf(why, why_size, "%s is already listed", value);
			return false;
		}
	}
	if (peer->n_uplinks == CONFIG_MAX_UPLINKS) {
		snprintf(why, why_size, "more than %d uplinks",
			 CONFIG_MAX_UPLINKS);
		return false;
	}
	peer->uplinks[peer->n_uplinks++] = uplink;
	return true;
}

static bool apply_address(struct parser *p, void *target, const char *value,
			  char *why, size_t why_size)
{
	struct config_peer *peer = target;
	struct config_cidr address;

	(void)p;
	if (!parse_cidr(value, false, &address, why, why_size))
		return false;
	if (!address.prefix_len) {
		snprintf(why, why_size, "a /0 prefix is not an address of "
			 "this side; write e.g. 10.8.0.2/24");
		return false;
	}
	peer->address = address;
	return true;
}

static const struct rule peer_rules[] = {
	{ "public-key", false, ROLE_ANY, NULL, apply_public_key },
	{ "allowed-ips", true, ROLE_ANY, NULL, apply_allowed_ips },
	{ "name", false, ROLE_ANY, NULL, apply_name },
	{ "profile", false, ROLE_GATEWAY, "a client's profile is the "
	  "[interface] profile", apply_peer_profile },
	{ "endpoint", true, ROLE_CLIENT, "only a client dials its peer; a "
	  "gateway learns client addresses from their handshakes",
	  add_endpoint },
	{ "uplink", true, ROLE_CLIENT, "only a client has uplinks",
	  add_uplink },
	{ "address", false, ROLE_CLIENT, "only a client has an address "
	  "here; a gateway's clients are its allowed-ips", apply_address },
};

static void finish_peer(struct parser *p, const struct seen *seen,
			unsigned int line)
{
	const size_t n = ARRAY_LEN(peer_rules);

	require_key(p, peer_rules, n, seen, line, "public-key",
		    "the peer's X25519 public key in base64");
	require_key(p, peer_rules, n, seen, line, "allowed-ips",
		    p->role == CONFIG_ROLE_CLIENT ?
		    "the prefixes to send through the tunnel" :
		    "the inner addresses this client may use");
	if (p->role != CONFIG_ROLE_CLIENT)
		return;
	require_key(p, peer_rules, n, seen, line, "endpoint",
		    "the gateway's ADDR:PORT (one or more)");
	require_key(p, peer_rules, n, seen, line, "address",
		    "this client's inner address, such as 10.8.0.2/24");
}

/* The limits on peers: the count, and one gateway for a client. */
static bool may_add_peer(struct parser *p, const struct section *section)
{
	if (p->role == CONFIG_ROLE_CLIENT && p->first_peer_line) {
		diag_report(p->diag, DIAG_ERROR, section->line, "peer",
			    "[peer]: a client has exactly one [peer], its "
			    "gateway; the first is at line %u",
			    p->first_peer_line);
		return false;
	}
	if (p->peers.count == CONFIG_MAX_PEERS) {
		if (!p->reported_too_many_peers)
			diag_report(p->diag, DIAG_ERROR, section->line, "peer",
				    "[peer]: more than %d peers",
				    CONFIG_MAX_PEERS);
		p->reported_too_many_peers = true;
		return false;
	}
	return true;
}

static void read_peer_section(struct parser *p, const struct section *section)
{
	struct seen seen = { { 0 } };
	struct config_peer *peer;

	if (!may_add_peer(p, section))
		return;
	peer = vec_push(p, &p->peers, sizeof(*peer));
	if (!peer)
		return;
	if (!p->first_peer_line)
		p->first_peer_line = section->line;
	peer->line = section->line;
	peer->policy = POLICY_OF_INTERFACE;
	apply_section(p, section, peer_rules, ARRAY_LEN(peer_rules), "[peer]",
		      peer, &seen);
	finish_peer(p, &seen, section->line);
}

/* ---- step 3: across sections ---------------------------------------- */

static int compare_claims(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;
	int order = memcmp(x->value, y->value, sizeof(x->value));

	if (order)
		return order;
	return (x->line > y->line) - (x->line < y->line);
}

static int compare_cidr_claims(const void *a, const void *b)
{
	const struct cidr_claim *x = a, *y = b;
	int order = memcmp(&x->cidr, &y->cidr, sizeof(x->cidr));

	if (order)
		return order;
	return (x->line > y->line) - (x->line < y->line);
}

static void check_unique_keys(struct parser *p)
{
	struct claim *claims = p->key_claims.items;

	if (!claims)
		return;
	qsort(claims, p->key_claims.count, sizeof(*claims), compare_claims);
	for (size_t i = 1, first = 0; i < p->key_claims.count; i++) {
		if (memcmp(claims[i].value, claims[first].value,
			   sizeof(claims[i].value))) {
			first = i;
			continue;
		}
		key_error(p, claims[i].line, "public-key", "same key as the "
			  "peer at line %u", claims[first].peer_line);
	}
}

static void check_unique_names(struct parser *p)
{
	struct claim *claims = p->name_claims.items;

	if (!claims)
		return;
	qsort(claims, p->name_claims.count, sizeof(*claims), compare_claims);
	for (size_t i = 1, first = 0; i < p->name_claims.count; i++) {
		if (memcmp(claims[i].value, claims[first].value,
			   sizeof(claims[i].value))) {
			first = i;
			continue;
		}
		key_error(p, claims[i].line, "name", "\"%s\" is already the "
			  "name of the peer at line %u",
			  (const char *)claims[i].value,
			  claims[first].peer_line);
	}
}

/*
 * The same prefix twice would make the kernel's routing depend on which
 * peer was added last: ambiguity, so refused. Overlapping prefixes of
 * different lengths are fine (longest match).
 */
static void check_unique_allowed_ips(struct parser *p)
{
	struct cidr_claim *claims = p->cidr_claims.items;
	char text[64];

	if (!claims)
		return;
	qsort(claims, p->cidr_claims.count, sizeof(*claims),
	      compare_cidr_claims);
	for (size_t i = 1, first = 0; i < p->cidr_claims.count; i++) {
		if (memcmp(&claims[i].cidr, &claims[first].cidr,
			   sizeof(claims[i].cidr))) {
			first = i;
			continue;
		}
		format_cidr(&claims[i].cidr, text, sizeof(text));
		if (claims[i].peer_line == claims[first].peer_line)
			key_error(p, claims[i].line, "allowed-ips", "%s is "
				  "listed twice in this peer (first at line "
				  "%u)", text, claims[first].line);
		else
			key_error(p, claims[i].line, "allowed-ips", "%s is "
				  "already routed to the peer at line %u",
				  text, claims[first].peer_line);
	}
}

static void check_peer_count(struct parser *p)
{
	if (p->role == CONFIG_ROLE_CLIENT && !p->peers.count)
		diag_report(p->diag, DIAG_ERROR, 0, "peer", "no [peer] "
			    "section: a client needs its gateway's [peer]");
	if (p->role == CONFIG_ROLE_GATEWAY && !p->peers.count)
		diag_report(p->diag, DIAG_WARNING, 0, "peer", "no [peer] "
			    "section: this gateway accepts nobody");
}

/* Peers without a profile of their own follow the interface's. */
static void resolve_peer_policies(struct parser *p)
{
	for (size_t i = 0; i < p->peers.count; i++) {
		struct config_peer *peer = VEC_AT(&p->peers,
						  struct config_peer, i);

		if (peer->policy == POLICY_OF_INTERFACE)
			peer->policy = p->config->interface.policy;
	}
}

static void cross_check(struct parser *p)
{
	if (!p->interface_line)
		diag_report(p->diag, DIAG_ERROR, 0, "interface",
			    "no [interface] section");
	check_peer_count(p);
	check_unique_keys(p);
	check_unique_names(p);
	check_unique_allowed_ips(p);
	resolve_peer_policies(p);
}

/* ---- the whole --------------------------------------------------- */

static void interpret(struct parser *p)
{
	look_up_role(p);
	for (size_t i = 0; i < p->sections.count; i++) {
		const struct section *section =
			VEC_AT(&p->sections, struct section, i);

		if (section->kind == SECTION_POLICY)
			read_policy_section(p, section);
	}
	for (size_t i = 0; i < p->sections.count; i++) {
		const struct section *section =
			VEC_AT(&p->sections, struct section, i);

		if (section->kind == SECTION_INTERFACE)
			read_interface_section(p, section);
		else if (section->kind == SECTION_PEER)
			read_peer_section(p, section);
	}
}

static void parser_free(struct parser *p)
{
	free(p->text);
	vec_free(&p->sections);
	vec_free(&p->entries);
	vec_free(&p->peers);
	vec_free(&p->key_claims);
	vec_free(&p->name_claims);
	vec_free(&p->cidr_claims);
}

int config_parse_buffer(const char *name, const char *text, size_t len,
			struct config *out, struct diag *diag)
{
	struct parser p = { .diag = diag, .config = out };

	diag_init(diag, name);
	memset(out, 0, sizeof(*out));
	if (len > CONFIG_FILE_MAX) {
		diag_report(diag, DIAG_ERROR, 0, NULL, "larger than %u bytes",
			    CONFIG_FILE_MAX);
		return -1;
	}
	add_builtin_policy(out, "mobile");
	add_builtin_policy(out, "datacenter");

	tokenize(&p, text, len);
	if (!p.out_of_memory)
		interpret(&p);
	if (!p.out_of_memory)
		cross_check(&p);
	diag_sort_by_line(diag);

	if (diag->errors) {
		parser_free(&p);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->peers = p.peers.items;	/* handed over, not freed below */
	out->n_peers = p.peers.count;
	p.peers.items = NULL;
	parser_free(&p);
	return 0;
}

/* ---- files -------------------------------------------------------- */

/* The whole file into memory, refusing more than CONFIG_FILE_MAX. */
static char *read_file(const char *path, size_t *len, struct diag *diag)
{
	FILE *file = fopen(path, "rb");
	char *text = NULL;
	size_t size = 0, capacity = 0;

	if (!file) {
		diag_report(diag, DIAG_ERROR, 0, NULL, "cannot open: %s",
			    strerror(errno));
		return NULL;
	}
	for (;;) {
		if (size == capacity) {
			char *bigger;

			capacity = capacity ? capacity * 2 : 65536;
			if (capacity > CONFIG_FILE_MAX + 1)
				capacity = CONFIG_FILE_MAX + 1;
			bigger = realloc(text, capacity);
			if (!bigger) {
				diag_report(diag, DIAG_ERROR, 0, NULL,
					    "out of memory");
				goto fail;
			}
			text = bigger;
		}
		size += fread(text + size, 1, capacity - size, file);
		if (size > CONFIG_FILE_MAX) {
			diag_report(diag, DIAG_ERROR, 0, NULL, "larger than "
				    "%u bytes", CONFIG_FILE_MAX);
			goto fail;
		}
		if (ferror(file)) {
			diag_report(diag, DIAG_ERROR, 0, NULL,
				    "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (feof(file))
			break;
	}
	fclose(file);
	*len = size;
	return text ? text : calloc(1, 1);
fail:
	fclose(file);
	free(text);
	return NULL;
}

int config_load(const char *path, struct config *out, struct diag *diag)
{
	size_t len = 0;
	char *text;
	int result;

	diag_init(diag, path);
	memset(out, 0, sizeof(*out));
	text = read_file(path, &len, diag);
	if (!text)
		return -1;
	result = config_parse_buffer(path, text, len, out, diag);
	free(text);
	return result;
}

void config_free(struct config *config)
{
	free(config->peers);
	memset(config, 0, sizeof(*config));
}

const struct config_policy *config_find_policy(const struct config *config,
					       const char *name)
{
	for (size_t i = 0; i < config->n_policies; i++)
		if (strcmp(config->policies[i].policy.name, name) == 0)
			return &config->policies[i];
	return NULL;
}

const struct policy *config_interface_policy(const struct config *config)
{
	return &config->policies[config->interface.policy].policy;
}

const struct policy *config_peer_policy(const struct config *config,
					const struct config_peer *peer)
{
	return &config->policies[peer->policy].policy;
}

int config_check_file(const char *path, FILE *out)
{
	struct config config;
	struct diag *diag = malloc(sizeof(*diag));
	int result;

	if (!diag) {
		fprintf(out, "%s: out of memory\n1 errors\n", path);
		return 1;
	}
	result = config_load(path, &config, diag);
	diag_print(diag, out);
	if (result == 0)
		fprintf(out, "ok: %zu peers, profile %s\n", config.n_peers,
			config_interface_policy(&config)->name);
	else
		fprintf(out, "%u errors\n", diag->errors);
	config_free(&config);
	free(diag);
	return result == 0 ? 0 : 1;
}

/* ---- reload ------------------------------------------------------- */

static const char *role_name(enum config_role role)
{
	return role == CONFIG_ROLE_GATEWAY ? "gateway" :
	       role == CONFIG_ROLE_CLIENT ? "client" : "none";
}

static void report_fixed(struct diag *diag, const char *key,
			 const char *what)
{
	diag_report(diag, DIAG_ERROR, 0, key, "%s: %s cannot change on "
		    "reload; restart jvpnd to change it", key, what);
}

unsigned int config_check_reload(const struct config *running,
				 const struct config *next, struct diag *diag)
{
	const struct config_interface *a = &running->interface;
	const struct config_interface *b = &next->interface;
	unsigned int before = diag->errors;

	if (a->role != b->role)
		diag_report(diag, DIAG_ERROR, 0, "role", "role: %s cannot "
			    "become %s on reload; restart jvpnd to change it",
			    role_name(a->role), role_name(b->role));
	if (strcmp(a->device, b->device))
		report_fixed(diag, "device", "the device");
	if (a->n_listen != b->n_listen ||
	    memcmp(a->listen, b->listen, sizeof(a->listen)))
		report_fixed(diag, "listen", "the listen addresses");
	if (strcmp(a->private_key_file, b->private_key_file))
		report_fixed(diag, "private-key-file", "this side's key");
	if (strcmp(a->state_file, b->state_file))
		report_fixed(diag, "state-file", "the state file");
	if (strcmp(a->control_socket, b->control_socket))
		report_fixed(diag, "control-socket", "the control socket");
	if (a->role == CONFIG_ROLE_CLIENT && b->role == CONFIG_ROLE_CLIENT &&
	    running->n_peers && next->n_peers &&
	    memcmp(running->peers[0].public_key, next->peers[0].public_key,
		   JVPN_KEY_LEN))
		diag_report(diag, DIAG_ERROR, next->peers[0].line,
			    "public-key", "public-key: the gateway's key "
			    "cannot change on reload: a new gateway is a new "
			    "session; restart jvpnd");
	return diag->errors - before;
}

int config_reload(const struct config *running, const char *path,
		  struct config *next, struct diag *diag)
{
	if (config_load(path, next, diag) != 0)
		return -1;
	if (config_check_reload(running, next, diag) == 0)
		return 0;
	config_free(next);
	return -1;
}
