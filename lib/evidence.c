// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "evidence.h"

static const char hash_key[] = ",\"hash\":\"";

static void hash_hex(const char *text, size_t len, char hex[EVIDENCE_HEX_SIZE])
{
	uint8_t h[EVIDENCE_HASH_LEN];

	crypto_generichash(h, sizeof(h), (const uint8_t *)text, len, NULL, 0);
	sodium_bin2hex(hex, EVIDENCE_HEX_SIZE, h, sizeof(h));
}

static void empty_head(struct evidence_head *head)
{
	head->seq = 0;
	memset(head->hash, '0', EVIDENCE_HEX_SIZE - 1);
	head->hash[EVIDENCE_HEX_SIZE - 1] = 0;
}

/* "{"seq":N,"prev":"HEX"," at the start of a record; false otherwise. */
static bool read_prefix(const char *line, uint64_t *seq,
			char prev[EVIDENCE_HEX_SIZE])
{
	const char *p = line;
	char *end;

	if (strncmp(p, "{\"seq\":", 7))
		return false;
	p += 7;
	if (*p < '1' || *p > '9')
		return false;
	errno = 0;
	*seq = strtoull(p, &end, 10);
	if (errno || strncmp(end, ",\"prev\":\"", 9))
		return false;
	p = end + 9;
	if (strspn(p, "0123456789abcdef") != EVIDENCE_HEX_SIZE - 1 ||
	    p[EVIDENCE_HEX_SIZE - 1] != '"')
		return false;
	memcpy(prev, p, EVIDENCE_HEX_SIZE - 1);
	prev[EVIDENCE_HEX_SIZE - 1] = 0;
	return true;
}

/* Checks one record against the head before it and moves the head on. */
static int check_record(const char *line, size_t len, unsigned long n,
			struct evidence_head *head, char *fault, size_t size)
{
	const char *tail = len > 150 ? line + len - 66 : NULL;
	char prev[EVIDENCE_HEX_SIZE], hex[EVIDENCE_HEX_SIZE];
	uint64_t seq;

	/* the tail is ,"hash":"<64 hex>"} exactly */
	if (!tail || strncmp(tail - 9, hash_key, 9) ||
	    strspn(tail, "0123456789abcdef") != 64 || strcmp(tail + 64, "\"}"))
		return snprintf(fault, size,
				"line %lu: not a sealed record (no hash at its "
				"end): edited or cut",
				n),
		       -1;
	if (!read_prefix(line, &seq, prev))
		return snprintf(fault, size,
				"line %lu: no \"seq\" and \"prev\" at its "
				"start: "
				"edited",
				n),
		       -1;
	hash_hex(line, (size_t)(tail - 9 - line), hex);
	if (memcmp(hex, tail, 64))
		return snprintf(
			       fault, size,
			       "line %lu: its hash does not match its content: "
			       "edited",
			       n),
		       -1;
	if (seq != head->seq + 1)
		return snprintf(fault, size,
				"line %lu: record %" PRIu64 " follows record "
				"%" PRIu64 ": records dropped or reordered",
				n, seq, head->seq),
		       -1;
	if (strcmp(prev, head->hash))
		return snprintf(fault, size,
				"line %lu: record %" PRIu64
				" does not chain to "
				"the record before it: dropped, reordered or "
				"replaced",
				n, seq),
		       -1;
	head->seq = seq;
	memcpy(head->hash, tail, 64);
	head->hash[64] = 0;
	return 0;
}

int evidence_verify(FILE *in, struct evidence_head *head, char *fault,
		    size_t fault_size)
{
	char line[EVIDENCE_LINE_MAX + 2];
	unsigned long n = 0;

	empty_head(head);
	while (fgets(line, sizeof(line), in)) {
		size_t len = strlen(line);

		n++;
		if (!len || line[len - 1] != '\n') {
			snprintf(fault, fault_size,
				 "line %lu: longer than %d bytes or without "
				 "its newline: cut or edited",
				 n, EVIDENCE_LINE_MAX);
			return -1;
		}
		line[--len] = 0;
		if (check_record(line, len, n, head, fault, fault_size))
			return -1;
	}
	if (ferror(in)) {
		snprintf(fault, fault_size, "read error: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The members of "{...}\n" without the braces; NULL if not that shape or
 * if they name a member the seal owns. */
static const char *inner_members(const char *members, size_t *len)
{
	size_t n = strlen(members);

	if (n < 4 || members[0] != '{' || strcmp(members + n - 2, "}\n"))
		return NULL;
	if (strstr(members, "\"seq\":") || strstr(members, "\"prev\":") ||
	    strstr(members, "\"hash\":"))
		return NULL;
	*len = n - 3;
	return members + 1;
}

static int seal(char *out, size_t size, const struct evidence_head *prev,
		const char *inner, size_t inner_len, struct evidence_head *head)
{
	int n = snprintf(out, size, "{\"seq\":%" PRIu64 ",\"prev\":\"%s\",%.*s",
			 prev->seq + 1, prev->hash, (int)inner_len, inner);

	if (n < 0 || (size_t)n + 70 > size)
		return -1;
	head->seq = prev->seq + 1;
	hash_hex(out, (size_t)n, head->hash);
	n += snprintf(out + n, size - (size_t)n, "%s%s\"}\n", hash_key,
		      head->hash);
	return n;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int append_locked(int fd, const char *inner, size_t inner_len,
			 struct evidence_head *head, char *err, size_t size)
{
	char fault[EVIDENCE_FAULT_MAX], line[EVIDENCE_LINE_MAX + 2];
	struct evidence_head last;
	FILE *in = fdopen(dup(fd), "r");
	int n, rc;

	if (!in)
		return snprintf(err, size, "%s", strerror(errno)), -1;
	rc = evidence_verify(in, &last, fault, sizeof(fault));
	fclose(in);
	if (rc)
		return snprintf(err, size, "the log is damaged: %s", fault), -1;
	n = seal(line, sizeof(line), &last, inner, inner_len, head);
	if (n < 0)
		return snprintf(err, size, "record longer than %d bytes",
				EVIDENCE_LINE_MAX),
		       -1;
	if (write_all(fd, line, (size_t)n) || fsync(fd))
		return snprintf(err, size, "writing: %s", strerror(errno)), -1;
	return 0;
}

int evidence_append(const char *path, const char *members,
		    struct evidence_head *head, char *err, size_t err_size)
{
	size_t inner_len;
	const char *inner = inner_members(members, &inner_len);
	int fd, rc;

	if (!inner)
		return snprintf(err, err_size,
				"not a flat JSON object free of seq, prev and "
				"hash"),
		       -1;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		  0640);
	if (fd < 0)
		return snprintf(err, err_size, "%s: %s", path, strerror(errno)),
		       -1;
	/* two drills at once must not fork the chain */
	if (flock(fd, LOCK_EX)) {
		snprintf(err, err_size, "%s: lock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	rc = append_locked(fd, inner, inner_len, head, err, err_size);
	close(fd);
	return rc;
}
