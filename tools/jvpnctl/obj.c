// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "obj.h"

static char *dup_or_die(const char *s)
{
	char *copy = strdup(s);

	if (!copy) {
		fputs("jvpnctl: out of memory\n", stderr);
		exit(1);
	}
	return copy;
}

void obj_set(struct obj *o, const char *name, const char *value,
	     enum obj_kind kind)
{
	struct obj_member *m = NULL;

	for (size_t i = 0; i < o->n && !m; i++)
		if (!strcmp(o->m[i].name, name))
			m = &o->m[i];
	if (!m) {
		if (o->n == OBJ_MAX_MEMBERS)
			return;
		m = &o->m[o->n++];
		m->name = dup_or_die(name);
	} else {
		free(m->value);
	}
	m->value = dup_or_die(value);
	m->kind = kind;
}

void obj_set_u64(struct obj *o, const char *name, uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	obj_set(o, name, text, OBJ_NUMBER);
}

const char *obj_get(const struct obj *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->m[i].name, name))
			return o->m[i].value;
	return NULL;
}

uint64_t obj_u64(const struct obj *o, const char *name, uint64_t fallback)
{
	const char *text = obj_get(o, name);
	char *end;
	uint64_t v;

	if (!text || !isdigit((unsigned char)*text))
		return fallback;
	v = strtoull(text, &end, 10);
	return *end ? fallback : v;
}

bool obj_is_true(const struct obj *o, const char *name)
{
	const char *text = obj_get(o, name);

	return text && !strcmp(text, "true");
}

void obj_free(struct obj *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->m[i].name);
		free(o->m[i].value);
	}
	o->n = 0;
}

/* ---- reading ------------------------------------------------------ */

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* \uXXXX as UTF-8; surrogates (never sent by jvpnd) become '?'. */
static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = '?';
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

static const char *parse_escape(const char *p, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit = *p ? strchr(from, *p) : NULL;
	unsigned int cp = 0;

	if (hit) {
		out[(*n)++] = to[hit - from];
		return p + 1;
	}
	if (*p != 'u')
		return NULL;
	for (int i = 1; i <= 4; i++) {
		int d = hex_digit(p[i]);

		if (d < 0)
			return NULL;
		cp = cp << 4 | (unsigned int)d;
	}
	*n += put_utf8(out + *n, cp);
	return p + 5;
}

/* A string at p (after its quote) into a new buffer; returns past it. */
static const char *parse_string(const char *p, char **out)
{
	char *buf = malloc(strlen(p) + 1);
	size_t n = 0;

	if (!buf)
		return NULL;
	while (p && *p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			p = NULL;
		else if (*p == '\\')
			p = parse_escape(p + 1, buf, &n);
		else
			buf[n++] = *p++;
	}
	if (!p || *p != '"') {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*out = buf;
	return p + 1;
}

static const char *parse_scalar(const char *p, char **out, enum obj_kind *kind)
{
	size_t n = strspn(p, "-+.0123456789eE");

	if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
		n = *p == 't' ? 4 : 5;
		*kind = OBJ_BOOL;
	} else if (!strncmp(p, "null", 4)) {
		n = 4;
		*kind = OBJ_STRING;
	} else if (n) {
		*kind = OBJ_NUMBER;
	} else {
		return NULL;
	}
	*out = strndup(*kind == OBJ_STRING ? "" : p,
		       *kind == OBJ_STRING ? 0 : n);
	return *out ? p + n : NULL;
}

static const char *parse_member(struct obj *o, const char *p)
{
	char *name = NULL, *value = NULL;
	enum obj_kind kind = OBJ_STRING;

	if (*p != '"')
		return NULL;
	p = parse_string(p + 1, &name);
	if (p) {
		p = skip_space(p);
		p = *p == ':' ? skip_space(p + 1) : NULL;
	}
	if (p)
		p = *p == '"' ? parse_string(p + 1, &value)
			      : parse_scalar(p, &value, &kind);
	if (p)
		obj_set(o, name, value, kind);
	free(name);
	free(value);
	return p;
}

bool obj_parse_json(struct obj *o, const char *line)
{
	const char *p = skip_space(line);

	if (*p++ != '{')
		return false;
	p = skip_space(p);
	if (*p == '}')
		return !*skip_space(p + 1);
	for (;;) {
		p = parse_member(o, p);
		if (!p)
			return false;
		p = skip_space(p);
		if (*p == '}')
			return !*skip_space(p + 1);
		if (*p++ != ',')
			return false;
		p = skip_space(p);
	}
}

/* ---- writing ------------------------------------------------------ */

/* Room for @o as JSON: every byte escaped at worst (\u00XX), plus quotes
 * and punctuation. */
static size_t json_room(const struct obj *o)
{
	size_t room = 64;

	for (size_t i = 0; i < o->n; i++)
		room += 6 * (strlen(o->m[i].name) + strlen(o->m[i].value)) + 16;
	return room;
}

void obj_print_json(const struct obj *o, FILE *out)
{
	size_t room = json_room(o), len;
	char *buf = malloc(room);
	struct json_line j;

	if (!buf) {
		fputs("{\"truncated\":true}", out);
		return;
	}
	json_open(&j, buf, room);
	for (size_t i = 0; i < o->n; i++) {
		const struct obj_member *m = &o->m[i];

		if (m->kind == OBJ_NUMBER || m->kind == OBJ_BOOL)
			json_raw(&j, m->name, m->value);
		else if (m->kind == OBJ_LIST)
			json_list(&j, m->name, m->value);
		else
			json_str(&j, m->name, m->value);
	}
	len = json_close(&j);
	/* the caller ends the line */
	fwrite(buf, 1, len ? len - 1 : 0, out);
	free(buf);
}
