/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The safety checklist of the integration guide (§6), judged on the
 * running daemon rather than on a file: the policy in force on every
 * profile in use, the ownership model, and a test event sent through each
 * configured outlet now. jvpnctl checklist adds the drill's item from the
 * evidence log (docs/operations.md, "The safety checklist").
 */
#ifndef JVPND_CHECKLIST_H
#define JVPND_CHECKLIST_H

#include <stddef.h>

struct jvpnd;

enum check_verdict {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_NOT_APPLICABLE,
};

struct check_item {
	const char *item; /* "SessionTTL": the names of docs/config.md */
	enum check_verdict verdict;
	char reason[420]; /* a diag text (DIAG_TEXT_MAX) and "warning: " */
};

#define CHECKLIST_MAX_ITEMS 16

const char *check_verdict_name(enum check_verdict v);

/* Fills items (at most CHECKLIST_MAX_ITEMS) and returns how many. Sends
 * one test event through every outlet. */
size_t jvpnd_checklist(struct jvpnd *d, struct check_item *items);

#endif /* JVPND_CHECKLIST_H */
