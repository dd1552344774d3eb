// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

/* Room kept back for ,"truncated":true}\n and the NUL. */
#define JSON_TAIL 20

static void put(struct json_line *j, const char *s, size_t n)
{
	if (j->truncated || j->len + n + j->tail > j->size) {
		j->truncated = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void put_escaped_n(struct json_line *j, const char *s, size_t n)
{
	char esc[8];

	put(j, "\"", 1);
	for (; n && *s; s++, n--) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(j, esc, 6);
		} else {
			put(j, s, 1);
		}
	}
	put(j, "\"", 1);
}

static void put_escaped(struct json_line *j, const char *s)
{
	put_escaped_n(j, s, strlen(s));
}

/* A member is written whole or not at all: the line stays valid JSON. */
static size_t put_key(struct json_line *j, const char *key)
{
	size_t mark = j->len;

	if (!j->empty)
		put(j, ",", 1);
	put_escaped(j, key);
	put(j, ":", 1);
	return mark;
}

static void end_member(struct json_line *j, size_t mark)
{
	if (j->truncated)
		j->len = mark;
	else
		j->empty = false;
}

void json_open(struct json_line *j, char *buf, size_t size)
{
	*j = (struct json_line){
		.buf = buf,
		.size = size,
		.empty = true,
		.tail = JSON_TAIL,
	};
	put(j, "{", 1);
}

void json_open_whole(struct json_line *j, char *buf, size_t size)
{
	/* room kept back for }\n and the NUL only */
	*j = (struct json_line){
		.buf = buf,
		.size = size,
		.empty = true,
		.whole = true,
		.tail = 3,
	};
	put(j, "{", 1);
}

void json_str(struct json_line *j, const char *key, const char *value)
{
	size_t mark = put_key(j, key);

	put_escaped(j, value ? value : "");
	end_member(j, mark);
}

void json_u64(struct json_line *j, const char *key, uint64_t value)
{
	char text[24];
	size_t mark = put_key(j, key);

	put(j, text, (size_t)snprintf(text, sizeof(text), "%" PRIu64, value));
	end_member(j, mark);
}

void json_bool(struct json_line *j, const char *key, bool value)
{
	size_t mark = put_key(j, key);

	put(j, value ? "true" : "false", value ? 4 : 5);
	end_member(j, mark);
}

void json_strn(struct json_line *j, const char *key, const char *value,
	       size_t max)
{
	size_t mark = put_key(j, key);

	value = value ? value : "";
	put_escaped_n(j, value, utf8_prefix_len(value, max));
	end_member(j, mark);
}

void json_raw(struct json_line *j, const char *key, const char *text)
{
	size_t mark = put_key(j, key);

	put(j, text, strlen(text));
	end_member(j, mark);
}

void json_list(struct json_line *j, const char *key, const char *csv)
{
	size_t mark = put_key(j, key);
	const char *item = csv;

	put(j, "[", 1);
	while (*csv) {
		const char *comma = strchr(item, ',');
		size_t n = comma ? (size_t)(comma - item) : strlen(item);

		if (item != csv)
			put(j, ",", 1);
		put_escaped_n(j, item, n);
		if (!comma)
			break;
		item = comma + 1;
	}
	put(j, "]", 1);
	end_member(j, mark);
}

size_t json_close(struct json_line *j)
{
	static const char mark[] = "\"truncated\":true";

	if (j->size < j->tail || (j->truncated && j->whole)) {
		if (j->size)
			j->buf[0] = '\0';
		return 0;
	}
	/* JSON_TAIL was kept back for exactly this */
	if (j->truncated) {
		if (!j->empty)
			j->buf[j->len++] = ',';
		memcpy(j->buf + j->len, mark, sizeof(mark) - 1);
		j->len += sizeof(mark) - 1;
	}
	j->buf[j->len++] = '}';
	j->buf[j->len++] = '\n';
	j->buf[j->len] = '\0';
	return j->len;
}
