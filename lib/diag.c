// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void diag_init(struct diag *diag, const char *file)
{
	memset(diag, 0, sizeof(*diag));
	diag->file = file;
}

/* "FILE:LINE: ", "FILE: ", "LINE: " or "", as far as each is known. */
static int format_location(const struct diag *diag, unsigned int line,
			   char *buf, size_t size)
{
	if (diag->file && line)
		return snprintf(buf, size, "%s:%u: ", diag->file, line);
	if (diag->file)
		return snprintf(buf, size, "%s: ", diag->file);
	if (line)
		return snprintf(buf, size, "%u: ", line);
	buf[0] = '\0';
	return 0;
}

void diag_report(struct diag *diag, enum diag_severity severity,
		 unsigned int line, const char *subject, const char *fmt, ...)
{
	struct diag_entry *entry;
	size_t used;
	va_list args;

	if (severity == DIAG_ERROR)
		diag->errors++;
	else
		diag->warnings++;
	if (diag->count >= DIAG_MAX_ENTRIES)
		return;

	entry = &diag->entries[diag->count++];
	entry->severity = severity;
	entry->line = line;
	snprintf(entry->subject, sizeof(entry->subject), "%s",
		 subject ? subject : "");

	used = (size_t)format_location(diag, line, entry->text,
				       sizeof(entry->text));
	if (used < sizeof(entry->text) && severity == DIAG_WARNING)
		used += (size_t)snprintf(entry->text + used,
					 sizeof(entry->text) - used,
					 "warning: ");
	if (used >= sizeof(entry->text))
		return;
	va_start(args, fmt);
	vsnprintf(entry->text + used, sizeof(entry->text) - used, fmt, args);
	va_end(args);
}

const struct diag_entry *diag_find(const struct diag *diag, const char *subject)
{
	for (unsigned int i = 0; i < diag->count; i++)
		if (strcmp(diag->entries[i].subject, subject) == 0)
			return &diag->entries[i];
	return NULL;
}

/* File-wide findings (line 0) sort after every numbered line. */
static unsigned long sort_key(const struct diag_entry *entry)
{
	return entry->line ? entry->line : (unsigned long)-1;
}

/* Insertion sort: stable, and there are at most DIAG_MAX_ENTRIES. */
void diag_sort_by_line(struct diag *diag)
{
	for (unsigned int i = 1; i < diag->count; i++) {
		struct diag_entry moving = diag->entries[i];
		unsigned int j = i;

		while (j > 0 &&
		       sort_key(&diag->entries[j - 1]) > sort_key(&moving)) {
			diag->entries[j] = diag->entries[j - 1];
			j--;
		}
		diag->entries[j] = moving;
	}
}

void diag_print(const struct diag *diag, FILE *out)
{
	unsigned int found = diag->errors + diag->warnings;

	for (unsigned int i = 0; i < diag->count; i++)
		fprintf(out, "%s\n", diag->entries[i].text);
	if (found > diag->count)
		fprintf(out,
			"%s%s%u more errors and warnings not shown "
			"(only the first %d are kept)\n",
			diag->file ? diag->file : "", diag->file ? ": " : "",
			found - diag->count, DIAG_MAX_ENTRIES);
}
