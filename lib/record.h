/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Kernel messages to text. A message becomes a record, an ordered list of
 * key=value pairs printed on one line, so that shell tests can pick one
 * value (--field) or grep for "key=value".
 */
#ifndef JVPN_RECORD_H
#define JVPN_RECORD_H

#include <stdbool.h>
#include <stdio.h>

#include <libmnl/libmnl.h>
#include <linux/jvpn.h>

#include "parse.h"

/* more than every attribute and counter the uapi defines */
#define RECORD_MAX_ITEMS 64

struct record_item {
	const char *name; /* a string literal */
	char *value;	  /* owned */
};

struct record {
	struct record_item items[RECORD_MAX_ITEMS];
	size_t count;
};

void record_add(struct record *rec, const char *name, const char *value);
/* NULL if the record has no such key */
const char *record_get(const struct record *rec, const char *name);
/* Prints "k=v<sep>k=v...\n" to stdout and flushes: tests read it live. */
void record_print(const struct record *rec, char separator);
void record_free(struct record *rec);

/* The attributes of one jvpn message: the top level and JVPN_A_STATS. */
struct jvpn_attrs {
	const struct nlattr *top[JVPN_A_MAX + 1];
	const struct nlattr *stats[JVPN_STATS_A_MAX + 1];
};

/* Attributes of a type newer than our uapi header are left out. */
void jvpn_attrs_parse(const struct nlmsghdr *nlh, struct jvpn_attrs *attrs);

/*
 * Adds every attribute present in attrs to rec: first the fields named in
 * lead[], in that order, then every other in uapi order. Keys already in
 * rec are not added twice.
 */
void record_add_fields(struct record *rec, const struct jvpn_attrs *attrs,
		       const char *const *lead, size_t n_lead);

/* Adds the one field name, if attrs has it and rec does not yet. */
void record_add_field(struct record *rec, const struct jvpn_attrs *attrs,
		      const char *name);

/* Whether name is a key record_add_fields() can produce. */
bool is_field_name(const char *name);
/* Whether its value is printed as a number, or as a comma list. */
bool is_number_field(const char *name);
bool is_list_field(const char *name);

/* "192.0.2.1:51820", "[2001:db8::1]:51820" */
void format_sockaddr(FILE *out, const union jvpn_sockaddr *addr);

#endif /* JVPN_RECORD_H */
