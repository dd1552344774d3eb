// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The parser's own tools, shared by its files: growable arrays, the
 * shape of a message about a setting, and the text helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

void *vec_push(struct parser *p, struct vec *vec, size_t item_size)
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

void vec_free(struct vec *vec)
{
	free(vec->items);
	memset(vec, 0, sizeof(*vec));
}

void report_key(struct parser *p, enum diag_severity severity,
		unsigned int line, const char *key, const char *fmt, ...)
{
	char message[DIAG_TEXT_MAX];
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	diag_report(p->diag, severity, line, key, "%.*s: %s", DIAG_SUBJECT_MAX,
		    key, message);
}

bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Cuts blanks off both ends, in place. */
char *trim(char *text)
{
	size_t len;

	while (is_blank(*text))
		text++;
	len = strlen(text);
	while (len && is_blank(text[len - 1]))
		text[--len] = '\0';
	return text;
}

/* strlcpy: callers check the length first, this only cannot overflow. */
void copy_string(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Config text quoted for a message, cut short. */
const char *quoted(const char *text, char *buf, size_t size)
{
	if (strlen(text) + 3 <= size)
		snprintf(buf, size, "\"%s\"", text);
	else
		snprintf(buf, size, "\"%.*s...\"", (int)(size - 6), text);
	return buf;
}
