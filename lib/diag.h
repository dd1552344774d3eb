/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Findings about a file: errors and warnings, each at its line and about
 * its subject, printed as "FILE:LINE: SUBJECT: message" in the order of
 * the file. jvpnd's config and policy checks report through it.
 */
#ifndef JVPN_DIAG_H
#define JVPN_DIAG_H

#include <stdio.h>

/* At most this many findings are kept; later ones are only counted. */
#define DIAG_MAX_ENTRIES 50
#define DIAG_SUBJECT_MAX 48
#define DIAG_TEXT_MAX	 400

enum diag_severity {
	DIAG_ERROR,   /* the file or policy is refused */
	DIAG_WARNING, /* legal but dangerous: accepted, reported */
};

struct diag_entry {
	enum diag_severity severity;
	unsigned int line; /* 1-based; 0: the file as a whole */
	/* The config key ("cooldown") or checklist item ("SessionTTL"). */
	char subject[DIAG_SUBJECT_MAX];
	/* The whole printable line: "jvpnd.conf:12: cooldown: expected ..." */
	char text[DIAG_TEXT_MAX];
};

struct diag {
	const char *file;    /* borrowed; prefixes every text; may be NULL */
	unsigned int errors; /* all found, kept or not */
	unsigned int warnings;
	unsigned int count; /* kept in entries[] */
	struct diag_entry entries[DIAG_MAX_ENTRIES];
};

void diag_init(struct diag *diag, const char *file);

/*
 * Records one finding. message is the whole text after "FILE:LINE: " (and
 * "warning: "); subject is what it is about, kept apart for callers and
 * tests that look findings up.
 */
void diag_report(struct diag *diag, enum diag_severity severity,
		 unsigned int line, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The first kept finding about subject, or NULL. */
const struct diag_entry *diag_find(const struct diag *diag,
				   const char *subject);

/* Kept findings in order of line (file-wide ones last), stable. */
void diag_sort_by_line(struct diag *diag);

/* One line per kept finding, then a note if some were not kept. */
void diag_print(const struct diag *diag, FILE *out);

#endif /* JVPN_DIAG_H */
