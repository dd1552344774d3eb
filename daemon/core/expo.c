// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"

void expo_free(struct expo *e)
{
	free(e->buf);
	*e = (struct expo){ 0 };
}

static bool expo_reserve(struct expo *e, size_t more)
{
	size_t cap = e->cap ? e->cap : 4096;
	char *p;

	if (e->failed)
		return false;
	while (cap - e->len <= more)
		cap *= 2;
	if (cap == e->cap)
		return true;
	p = realloc(e->buf, cap);
	if (!p) {
		e->failed = true;
		return false;
	}
	e->buf = p;
	e->cap = cap;
	return true;
}

void expo_printf(struct expo *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !expo_reserve(e, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
	va_end(ap);
	e->len += (size_t)n;
}

static void expo_putc(struct expo *e, char c)
{
	if (!expo_reserve(e, 1))
		return;
	e->buf[e->len++] = c;
	e->buf[e->len] = '\0';
}

/* Escapes backslash and newline, and the double quote when asked: the
 * text format's rules for HELP text and for label values. */
static void expo_escaped(struct expo *e, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			expo_printf(e, "\\\\");
		else if (*s == '\n')
			expo_printf(e, "\\n");
		else if (*s == '"' && quote)
			expo_printf(e, "\\\"");
		else
			expo_putc(e, *s);
	}
}

void expo_family(struct expo *e, const char *name, const char *type,
		 const char *help)
{
	expo_printf(e, "# HELP %s ", name);
	expo_escaped(e, help, false);
	expo_printf(e, "\n# TYPE %s %s\n", name, type);
}

static void expo_sample_text(struct expo *e, const char *name,
			     const char *const *labels, const char *value)
{
	expo_printf(e, "%s", name);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		expo_printf(e, "%c%s=\"", i ? ',' : '{', labels[i]);
		expo_escaped(e, labels[i + 1], true);
		expo_putc(e, '"');
	}
	expo_printf(e, "%s %s\n", labels && labels[0] ? "}" : "", value);
}

void expo_sample(struct expo *e, const char *name, const char *const *labels,
		 uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	expo_sample_text(e, name, labels, text);
}
