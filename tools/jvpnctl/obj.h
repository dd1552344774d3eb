/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A flat object: the one shape jvpnctl handles, whether it came from the
 * kernel (a netlink record) or from jvpnd (a JSON line). Members keep
 * their order and their kind, so that --json prints numbers as numbers
 * and the human views print them as people read them.
 */
#ifndef JVPNCTL_OBJ_H
#define JVPNCTL_OBJ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define OBJ_MAX_MEMBERS 64

enum obj_kind {
	OBJ_STRING,
	OBJ_NUMBER,
	OBJ_BOOL,
	OBJ_LIST, /* of strings, kept comma-separated */
};

struct obj_member {
	char *name;
	char *value; /* as text: "ACTIVE", "42", "true", "a,b" */
	enum obj_kind kind;
};

struct obj {
	struct obj_member m[OBJ_MAX_MEMBERS];
	size_t n;
};

/* Sets (or replaces) a member; members past OBJ_MAX_MEMBERS are lost. */
void obj_set(struct obj *o, const char *name, const char *value,
	     enum obj_kind kind);
void obj_set_u64(struct obj *o, const char *name, uint64_t value);
const char *obj_get(const struct obj *o, const char *name);
/* The member as a number, or @fallback if absent or not a number. */
uint64_t obj_u64(const struct obj *o, const char *name, uint64_t fallback);
bool obj_is_true(const struct obj *o, const char *name);
void obj_free(struct obj *o);

/*
 * Reads one flat JSON object (strings, numbers, true/false, null; no
 * nesting, which jvpnd never sends). Returns false on anything else.
 */
bool obj_parse_json(struct obj *o, const char *line);
void obj_print_json(const struct obj *o, FILE *out);

#endif /* JVPNCTL_OBJ_H */
