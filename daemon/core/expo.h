/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Prometheus text exposition (format 0.0.4), written into a growing buffer. */
#ifndef JVPND_EXPO_H
#define JVPND_EXPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing buffer; after an allocation failure it stays failed. */
struct expo {
	char *buf;
	size_t len;
	size_t cap;
	bool failed;
};

void expo_free(struct expo *e);
void expo_printf(struct expo *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "# HELP" (escaped) and "# TYPE" lines of one metric family. */
void expo_family(struct expo *e, const char *name, const char *type,
		 const char *help);
/*
 * One sample: name{k1="v1",...} value. labels: key, value, key, value...
 * ending with NULL (or labels NULL); values are escaped.
 */
void expo_sample(struct expo *e, const char *name, const char *const *labels,
		 uint64_t value);

#endif /* JVPND_EXPO_H */
