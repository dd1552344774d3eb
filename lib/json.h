/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One flat JSON object on one line, built into a caller's buffer: what the
 * control socket answers with (docs/control-socket.md). Values that do not
 * fit are cut and the object is marked truncated, never overrun.
 */
#ifndef JVPND_JSON_H
#define JVPND_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_line {
	char *buf;
	size_t size;
	size_t len;
	bool empty; /* no member yet: no comma before the next */
	bool truncated;
};

void json_open(struct json_line *j, char *buf, size_t size);
void json_str(struct json_line *j, const char *key, const char *value);
void json_u64(struct json_line *j, const char *key, uint64_t value);
void json_bool(struct json_line *j, const char *key, bool value);
/* Closes the object with "}\n"; returns its length (without a NUL). */
size_t json_close(struct json_line *j);

#endif /* JVPND_JSON_H */
