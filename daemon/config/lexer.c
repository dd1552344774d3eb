// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Step 1: the text as sections of entries. Lines, comments, section
 * headers and KEY = VALUE settings; long lines, control characters and
 * malformed UTF-8 end here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

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

static void add_section(struct parser *p, enum section_kind kind,
			unsigned int line, const char *name)
{
	struct section *section = vec_push(p, &p->sections, sizeof(*section));

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
			    "[peer] or [policy NAME]",
			    inner);
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
		key_error(p, line, key,
			  "outside any section; put it under "
			  "[interface], [peer] or [policy NAME]");
		return;
	}
	if (section->kind == SECTION_IGNORED)
		return; /* its header was already reported */
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
			low = 0xa0; /* not U+0080..U+009F, C1 controls */
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			low = 0xa0; /* not overlong */
		if (c == 0xed)
			high = 0x9f; /* not a UTF-16 surrogate */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			low = 0x90; /* not overlong */
		if (c == 0xf4)
			high = 0x8f; /* not above U+10FFFF */
	} else {
		return 0; /* 0x80..0xc1 and 0xf5.. never start one */
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
				    "at column %zu",
				    line, c, i + 1);
			return true;
		}
		if (c < 0x80)
			continue;
		sequence = utf8_sequence_len(bytes + i, len - i);
		if (!sequence) {
			diag_report(p->diag, DIAG_ERROR, line, "line",
				    "line %u is not valid UTF-8 (or has a "
				    "control character) at column %zu",
				    line, i + 1);
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
			key_error(p, line, trim(key),
				  "line is longer than %d "
				  "characters",
				  CONFIG_LINE_MAX);
			return;
		}
	}
	diag_report(p->diag, DIAG_ERROR, line, "line",
		    "line %u is longer "
		    "than %d characters",
		    line, CONFIG_LINE_MAX);
}

/* One line, without its '\n'; text is ours to cut into strings. */
static void read_line(struct parser *p, char *text, size_t len,
		      unsigned int line)
{
	char *content;

	if (len && text[len - 1] == '\r') /* CRLF files */
		len--;
	text[len] = '\0';
	if (len > CONFIG_LINE_MAX) {
		report_long_line(p, text, line);
		return;
	}
	if (has_bad_character(p, text, len, line))
		return;
	text[strcspn(text, "#")] = '\0'; /* comments run to the end */
	content = trim(text);
	if (!*content)
		return;
	if (content[0] == '[')
		read_header(p, content, line);
	else
		read_setting(p, content, line);
}

void tokenize(struct parser *p, const char *text, size_t len)
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
		start = 3; /* a UTF-8 byte order mark from an editor */

	while (start < len && !p->out_of_memory) {
		const char *newline =
			memchr(p->text + start, '\n', len - start);
		size_t line_len = newline ? (size_t)(newline - p->text) - start
					  : len - start;

		read_line(p, p->text + start, line_len, ++line);
		start += line_len + 1;
	}
}
