/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one JSON writer of jvpn's userspace: one flat object on one line,
 * built into a caller's buffer. jvpnd's control socket answers with it
 * (docs/control-socket.md), its JSON event outlet writes it
 * (docs/events.md), jvpnctl --json prints it. Strings are escaped one way
 * everywhere: '"' and '\\' with a backslash, every control character and
 * DEL as \u00XX. A member that does not fit is left out whole and the
 * object is marked "truncated":true, never overrun.
 */
#ifndef JVPN_JSON_H
#define JVPN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_line {
	char *buf;
	size_t size;
	size_t len;
	bool empty; /* no member yet: no comma before the next */
	bool truncated;
	bool whole;  /* json_open_whole: all or nothing */
	size_t tail; /* bytes kept back for the close */
};

void json_open(struct json_line *j, char *buf, size_t size);
/* An object that is written whole or not at all: json_close returns 0
 * (and leaves "") where json_open's object would be marked truncated. */
void json_open_whole(struct json_line *j, char *buf, size_t size);
void json_str(struct json_line *j, const char *key, const char *value);
void json_u64(struct json_line *j, const char *key, uint64_t value);
void json_bool(struct json_line *j, const char *key, bool value);
/* At most @max bytes of @value, never cut inside a UTF-8 sequence. */
void json_strn(struct json_line *j, const char *key, const char *value,
	       size_t max);
/* @text is already a JSON number or literal ("1.250", "true"). */
void json_raw(struct json_line *j, const char *key, const char *text);
/* "a,b,c" as ["a","b","c"]; "" as []. */
void json_list(struct json_line *j, const char *key, const char *csv);
/* Closes the object with "}\n"; returns its length (without a NUL), 0
 * for a buffer too small for even "{}\n". */
size_t json_close(struct json_line *j);

#endif /* JVPN_JSON_H */
