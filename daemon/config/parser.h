/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the files of the configuration parser share; private to
 * daemon/config (the API is config.h). The file (docs/config.md) is read
 * in three steps:
 *
 *   1. tokenize (lexer.c): the text becomes sections of KEY = VALUE
 *      entries; syntax errors (long lines, control characters, bad
 *      headers) end here.
 *   2. interpret (schema_*.c, on schema.c's rule tables and values.c):
 *      [policy] sections first (every profile must exist before anything
 *      refers to it), then [interface] and [peer] sections in file order.
 *      The role is looked up before, so a [peer] above the [interface] is
 *      judged by the right rules.
 *   3. cross-check (check.c): things no single section can see (duplicate
 *      keys, names and allowed-ips between peers, missing sections).
 *
 * Every step reports and goes on, so one run shows every error. Values
 * are copied out of the text, which is freed at the end. load.c runs the
 * steps, in this order; reload.c compares a new config with the running
 * one.
 */
#ifndef JVPND_CONFIG_PARSER_H
#define JVPND_CONFIG_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "config.h"

#define WHY_MAX DIAG_TEXT_MAX
/* A peer whose policy is the interface's; resolved at the end. */
#define POLICY_OF_INTERFACE ((size_t)-1)

/* ---- the parser's state ------------------------------------------- */

enum section_kind {
	SECTION_INTERFACE,
	SECTION_POLICY,
	SECTION_PEER,
	SECTION_IGNORED, /* a bad header: its entries are skipped */
};

struct entry {
	unsigned int line;
	const char *key;
	const char *value;
};

struct section {
	enum section_kind kind;
	unsigned int line;
	const char *name; /* of a [policy NAME] */
	size_t first_entry;
	size_t n_entries;
};

/* Two peers must not share a key or a name: each use is a claim. */
struct claim {
	uint8_t value[CONFIG_PEER_NAME_MAX]; /* zero padded */
	unsigned int line;		     /* of the key */
	unsigned int peer_line;		     /* of the [peer] */
};

/* ... nor route the same prefix. */
struct cidr_claim {
	struct jvpn_cidr cidr;
	unsigned int line;
	unsigned int peer_line;
};

/* A growable array of anything. */
struct vec {
	void *items;
	size_t count;
	size_t capacity;
};

struct parser {
	struct diag *diag;
	struct config *config;
	bool out_of_memory;

	char *text;		/* the file, owned, cut into strings */
	struct vec sections;	/* struct section */
	struct vec entries;	/* struct entry */
	struct vec peers;	/* struct config_peer, to config */
	struct vec key_claims;	/* struct claim */
	struct vec name_claims; /* struct claim */
	struct vec cidr_claims; /* struct cidr_claim */

	enum config_role role;	     /* looked up before step 2 */
	unsigned int interface_line; /* 0 until an [interface] is read */
	unsigned int line;	     /* of the entry being interpreted */
	bool interface_has_profile;
	bool interface_has_state_file;
	bool interface_has_control_socket;
	unsigned int first_peer_line;
	bool reported_too_many_peers;
};

/* ---- parser.c: the tools every step uses -------------------------- */

void *vec_push(struct parser *p, struct vec *vec, size_t item_size);
void vec_free(struct vec *vec);

#define VEC_AT(vec, type, i) (&((type *)(vec)->items)[i])

/* "KEY: message" at line: the shape of every error about a setting. */
void report_key(struct parser *p, enum diag_severity severity,
		unsigned int line, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define key_error(p, line, key, ...)                                           \
	report_key(p, DIAG_ERROR, line, key, __VA_ARGS__)

bool is_blank(char c);
char *trim(char *text);
void copy_string(char *dst, size_t size, const char *src);
const char *quoted(const char *text, char *buf, size_t size);

/* ---- lexer.c: step 1 ---------------------------------------------- */

void tokenize(struct parser *p, const char *text, size_t len);

/* ---- values.c: the values of settings ----------------------------- */

bool parse_address(const char *text, union jvpn_sockaddr *out, char *why,
		   size_t why_size);
bool parse_sockaddr(const char *text, union jvpn_sockaddr *out, char *why,
		    size_t why_size);
void format_cidr(const struct jvpn_cidr *cidr, char *buf, size_t size);
bool parse_config_cidr(const char *text, bool refuse_host_bits,
		       struct jvpn_cidr *out, char *why, size_t why_size);
bool parse_public_key(const char *text, uint8_t key[JVPN_KEY_LEN], char *why,
		      size_t why_size);
bool set_ifname(char out[IFNAMSIZ], const char *text, char *why,
		size_t why_size);
bool set_path(char out[CONFIG_PATH_MAX], const char *text, char *why,
	      size_t why_size);
bool set_switch(bool *out, const char *value, char *why, size_t why_size);
bool append_unique(void *items, size_t *n, size_t max, const void *item,
		   size_t size, const char *value, const char *what, char *why,
		   size_t why_size);
bool add_sockaddr(union jvpn_sockaddr *list, size_t *n, size_t max,
		  const char *value, const char *what, char *why,
		  size_t why_size);
bool for_each_item(struct parser *p, void *target, const char *text,
		   bool (*add)(struct parser *, void *, const char *, char *,
			       size_t),
		   char *why, size_t why_size);

/* ---- schema.c and schema_*.c: step 2 ------------------------------ */

#define ROLE_GATEWAY (1u << CONFIG_ROLE_GATEWAY)
#define ROLE_CLIENT  (1u << CONFIG_ROLE_CLIENT)
#define ROLE_ANY     (ROLE_GATEWAY | ROLE_CLIENT)

typedef bool apply_fn(struct parser *p, void *target, const char *value,
		      char *why, size_t why_size);

struct rule {
	const char *key;
	bool repeatable;
	unsigned int roles;
	const char *wrong_role; /* why, when the role forbids the key */
	apply_fn *apply;
};

#define MAX_RULES 16

/* Where each rule of a section was first used: 0 if not. */
struct seen {
	unsigned int line[MAX_RULES];
};

void apply_section(struct parser *p, const struct section *section,
		   const struct rule *rules, size_t n_rules, const char *name,
		   void *target, struct seen *seen);
void require_key(struct parser *p, const struct rule *rules, size_t n_rules,
		 const struct seen *seen, unsigned int header_line,
		 const char *key, const char *what);

void read_policy_section(struct parser *p, const struct section *section);
void add_builtin_policy(struct config *config, const char *name);
bool lookup_profile(struct parser *p, const char *value, size_t *index,
		    char *why, size_t why_size);

void look_up_role(struct parser *p);
void read_interface_section(struct parser *p, const struct section *section);

void read_peer_section(struct parser *p, const struct section *section);

/* ---- check.c: step 3 ---------------------------------------------- */

void cross_check(struct parser *p);

#endif /* JVPND_CONFIG_PARSER_H */
