/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The evidence log: an append-only file of JSON lines, each record sealed
 * with a hash over its own text and its predecessor's hash, so that an
 * edited, dropped or reordered record is found by evidence_verify. The
 * format is documented for auditors in docs/evidence.md.
 *
 * A record is one line:
 *   {"seq":N,"prev":"<hex of line N-1's hash>",MEMBERS,"hash":"<hex>"}
 * where hash = BLAKE2b-256 of every byte of the line before ',"hash":'.
 * The first record has seq 1 and prev of 64 zeros.
 */
#ifndef JVPN_EVIDENCE_H
#define JVPN_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EVIDENCE_HASH_LEN  32
#define EVIDENCE_HEX_SIZE  (2 * EVIDENCE_HASH_LEN + 1)
#define EVIDENCE_LINE_MAX  4096
#define EVIDENCE_FAULT_MAX 200

/* The end of a chain: its last record's number and hash. */
struct evidence_head {
	uint64_t seq; /* 0: an empty log */
	char hash[EVIDENCE_HEX_SIZE];
};

/*
 * Reads in from the start and checks every record. Returns 0 with *head
 * at the last record, or -1 with the first fault as a sentence naming the
 * line ("line 3: its hash does not match its content: edited").
 */
int evidence_verify(FILE *in, struct evidence_head *head, char *fault,
		    size_t fault_size);

/*
 * Seals members (a JSON object as json_close leaves it, "{...}\n"; its
 * own "seq", "prev" and "hash" are not allowed) onto the chain in path,
 * creating the file (mode 0640) if needed. The log is verified first and
 * locked while appending, and the record is on disk (fsync) before this
 * returns 0 with *head at the new record. -1: err says why, nothing was
 * written.
 */
int evidence_append(const char *path, const char *members,
		    struct evidence_head *head, char *err, size_t err_size);

#endif /* JVPN_EVIDENCE_H */
