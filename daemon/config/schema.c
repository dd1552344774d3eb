// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Step 2: settings. A section is read against its table of rules (which
 * key, how often, for which role, and how its value applies); the
 * tables are in schema_interface.c and schema_peer.c, the [policy NAME]
 * sections, which have no table, in schema_policy.c.
 */
#include <string.h>

#include "parser.h"

static const struct rule *find_rule(const struct rule *rules, size_t n_rules,
				    const char *key)
{
	for (size_t i = 0; i < n_rules; i++)
		if (strcmp(rules[i].key, key) == 0)
			return &rules[i];
	return NULL;
}

static void report_unknown_key(struct parser *p, const struct entry *entry,
			       const char *section)
{
	if (policy_field_by_key(entry->key) >= 0 ||
	    strcmp(entry->key, "base") == 0)
		key_error(p, entry->line, entry->key,
			  "unknown key in %s; "
			  "it is a policy key: put it under [policy NAME]",
			  section);
	else
		key_error(p, entry->line, entry->key, "unknown key in %s",
			  section);
}

static void apply_entry(struct parser *p, const struct rule *rules,
			size_t n_rules, const char *section,
			const struct entry *entry, void *target,
			struct seen *seen)
{
	const struct rule *rule = find_rule(rules, n_rules, entry->key);
	char why[WHY_MAX];
	size_t index;

	if (!rule) {
		report_unknown_key(p, entry, section);
		return;
	}
	index = (size_t)(rule - rules);
	if (seen->line[index] && !rule->repeatable) {
		key_error(p, entry->line, entry->key,
			  "already set at line %u;"
			  " it may appear once",
			  seen->line[index]);
		return;
	}
	if (p->role != CONFIG_ROLE_NONE && !(rule->roles & (1u << p->role))) {
		key_error(p, entry->line, entry->key, "%s", rule->wrong_role);
		return;
	}
	if (!seen->line[index])
		seen->line[index] = entry->line;
	p->line = entry->line;
	if (!rule->apply(p, target, entry->value, why, sizeof(why)))
		key_error(p, entry->line, entry->key, "%s", why);
}

void apply_section(struct parser *p, const struct section *section,
		   const struct rule *rules, size_t n_rules, const char *name,
		   void *target, struct seen *seen)
{
	for (size_t i = 0; i < section->n_entries; i++)
		apply_entry(p, rules, n_rules, name,
			    VEC_AT(&p->entries, struct entry,
				   section->first_entry + i),
			    target, seen);
}

static bool seen_key(const struct rule *rules, size_t n_rules,
		     const struct seen *seen, const char *key)
{
	const struct rule *rule = find_rule(rules, n_rules, key);

	return rule && seen->line[rule - rules];
}

/* Missing keys are reported at the section's header. */
void require_key(struct parser *p, const struct rule *rules, size_t n_rules,
		 const struct seen *seen, unsigned int header_line,
		 const char *key, const char *what)
{
	if (!seen_key(rules, n_rules, seen, key))
		key_error(p, header_line, key, "missing; %s", what);
}
