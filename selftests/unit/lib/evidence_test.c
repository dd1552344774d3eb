// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of lib/evidence.c: the hash chain finds an edited, dropped,
 * reordered or re-sealed record, and append refuses a damaged log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "evidence.h"

struct log {
	char path[64];
	char lines[4][EVIDENCE_LINE_MAX + 2];
};

static void append_ok(const char *path, const char *members, uint64_t seq)
{
	struct evidence_head head;
	char err[200] = "";

	assert_int_equal(
		evidence_append(path, members, &head, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(head.seq, seq);
}

/* A log of three drill records, read back line by line. */
static void make_log(struct log *log)
{
	FILE *f;

	strcpy(log->path, "/tmp/evidence-test-XXXXXX");
	close(mkstemp(log->path));
	unlink(log->path);
	append_ok(log->path, "{\"kind\":\"drill\",\"outage_ms\":41}\n", 1);
	append_ok(log->path, "{\"kind\":\"drill\",\"outage_ms\":38}\n", 2);
	append_ok(log->path, "{\"kind\":\"drill\",\"outage_ms\":44}\n", 3);
	f = fopen(log->path, "r");
	assert_non_null(f);
	for (int i = 0; i < 3; i++)
		assert_non_null(fgets(log->lines[i], sizeof(log->lines[i]), f));
	assert_null(fgets(log->lines[3], sizeof(log->lines[3]), f));
	fclose(f);
}

static void write_lines(const struct log *log, const int *order, int n)
{
	FILE *f = fopen(log->path, "w");

	for (int i = 0; i < n; i++)
		fputs(log->lines[order[i]], f);
	fclose(f);
}

static int verify(const struct log *log, struct evidence_head *head,
		  char *fault)
{
	FILE *f = fopen(log->path, "r");
	int rc;

	rc = evidence_verify(f, head, fault, EVIDENCE_FAULT_MAX);
	fclose(f);
	return rc;
}

static void test_intact_log_verifies(void **state)
{
	struct evidence_head head;
	char fault[EVIDENCE_FAULT_MAX] = "";
	struct log log;

	(void)state;
	make_log(&log);
	assert_int_equal(verify(&log, &head, fault), 0);
	assert_int_equal(head.seq, 3);
	assert_int_equal(strlen(head.hash), 64);
	assert_non_null(strstr(log.lines[2], head.hash));
	assert_memory_equal(log.lines[0], "{\"seq\":1,\"prev\":\"000000", 23);
	unlink(log.path);
}

static void expect_fault(struct log *log, const char *text)
{
	struct evidence_head head;
	char fault[EVIDENCE_FAULT_MAX] = "";

	assert_int_equal(verify(log, &head, fault), -1);
	if (!strstr(fault, text))
		fail_msg("fault \"%s\" lacks \"%s\"", fault, text);
}

static void test_edit_is_found(void **state)
{
	static const int all[] = { 0, 1, 2 };
	struct log log;

	(void)state;
	make_log(&log);
	strstr(log.lines[1], "\"outage_ms\":38")[12] = '9';
	write_lines(&log, all, 3);
	expect_fault(&log, "line 2: its hash does not match its content");
	unlink(log.path);
}

static void test_drop_and_reorder_are_found(void **state)
{
	static const int dropped[] = { 0, 2 }, swapped[] = { 0, 2, 1 },
			 first_gone[] = { 1, 2 };
	struct log log;

	(void)state;
	make_log(&log);
	write_lines(&log, dropped, 2);
	expect_fault(&log, "line 2: record 3 follows record 1");
	write_lines(&log, swapped, 3);
	expect_fault(&log, "line 2: record 3 follows record 1");
	write_lines(&log, first_gone, 2);
	expect_fault(&log, "line 1: record 2 follows record 0");
	unlink(log.path);
}

/* Whoever edits a record and seals it again still breaks the next link. */
static void test_resealed_edit_breaks_the_chain(void **state)
{
	static const int all[] = { 0, 1, 2 };
	uint8_t h[EVIDENCE_HASH_LEN];
	char *line, *tail;
	struct log log;

	(void)state;
	make_log(&log);
	line = log.lines[1];
	strstr(line, "\"outage_ms\":38")[12] = '9';
	tail = strstr(line, ",\"hash\":\"");
	crypto_generichash(h, sizeof(h), (uint8_t *)line, (size_t)(tail - line),
			   NULL, 0);
	sodium_bin2hex(tail + 9, EVIDENCE_HEX_SIZE, h, sizeof(h));
	strcpy(tail + 9 + 64, "\"}\n");
	write_lines(&log, all, 3);
	expect_fault(&log, "line 3: record 3 does not chain");
	unlink(log.path);
}

static void test_append_refuses_damage_and_bad_members(void **state)
{
	static const int all[] = { 0, 1, 2 };
	struct evidence_head head;
	char err[200];
	struct log log;

	(void)state;
	make_log(&log);
	assert_int_equal(evidence_append(log.path, "{\"seq\":9}\n", &head, err,
					 sizeof(err)),
			 -1);
	assert_int_equal(
		evidence_append(log.path, "not json", &head, err, sizeof(err)),
		-1);
	strstr(log.lines[0], "\"outage_ms\":41")[12] = '5';
	write_lines(&log, all, 3);
	assert_int_equal(evidence_append(log.path, "{\"kind\":\"drill\"}\n",
					 &head, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "the log is damaged: line 1"));
	unlink(log.path);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact_log_verifies),
		cmocka_unit_test(test_edit_is_found),
		cmocka_unit_test(test_drop_and_reorder_are_found),
		cmocka_unit_test(test_resealed_edit_breaks_the_chain),
		cmocka_unit_test(test_append_refuses_damage_and_bad_members),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
