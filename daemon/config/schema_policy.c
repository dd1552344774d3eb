// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Step 2: [policy NAME] sections, and the references to a profile;
 * config_find_policy.
 */
#include <stdio.h>
#include <string.h>

#include "parser.h"

const struct config_policy *config_find_policy(const struct config *config,
					       const char *name)
{
	for (size_t i = 0; i < config->n_policies; i++)
		if (strcmp(config->policies[i].policy.name, name) == 0)
			return &config->policies[i];
	return NULL;
}

/* config_find_policy, on the config being filled */
static struct config_policy *find_policy(struct config *config,
					 const char *name)
{
	return (struct config_policy *)config_find_policy(config, name);
}

static bool set_base(struct config_policy *policy, const char *value, char *why,
		     size_t why_size)
{
	char shown[72];

	if (policy_builtin(policy->policy.name)) {
		snprintf(why, why_size,
			 "[policy %s] tunes a built-in "
			 "profile, which has no base",
			 policy->policy.name);
		return false;
	}
	if (!policy_builtin(value)) {
		snprintf(why, why_size, "expected mobile or datacenter, got %s",
			 quoted(value, shown, sizeof(shown)));
		return false;
	}
	snprintf(policy->base, sizeof(policy->base), "%s", value);
	return true;
}

/* The policy part of a [policy] section: one field. */
static void apply_policy_entry(struct parser *p, struct config_policy *policy,
			       struct policy *overrides,
			       const struct entry *entry, unsigned int *seen,
			       unsigned int *base_line)
{
	int field = policy_field_by_key(entry->key);
	bool is_base = strcmp(entry->key, "base") == 0;
	unsigned int *first = is_base	   ? base_line
			      : field >= 0 ? &seen[field]
					   : NULL;
	char why[WHY_MAX];
	bool ok;

	if (!first) {
		key_error(p, entry->line, entry->key,
			  "unknown key in "
			  "[policy %s]",
			  policy->policy.name);
		return;
	}
	if (*first) {
		key_error(p, entry->line, entry->key,
			  "already set at line %u;"
			  " it may appear once",
			  *first);
		return;
	}
	*first = entry->line;
	ok = is_base ? set_base(policy, entry->value, why, sizeof(why))
		     : policy_set_field(overrides, field, entry->value, why,
					sizeof(why));
	if (!ok)
		key_error(p, entry->line, entry->key, "%s", why);
	else if (!is_base)
		policy->overridden |= 1u << field;
}

/* base + overrides, then the checklist on the result. */
static void resolve_policy(struct parser *p, struct config_policy *policy,
			   const struct policy *overrides,
			   const unsigned int *field_lines)
{
	const struct policy *base = policy_builtin(policy->base);
	char name[POLICY_NAME_MAX];

	if (!base) {
		key_error(p, policy->line, "base",
			  "missing; [policy %s] is "
			  "not a built-in profile: set base = mobile or base "
			  "= datacenter",
			  policy->policy.name);
		return;
	}
	memcpy(name, policy->policy.name, sizeof(name));
	policy->policy = *base;
	memcpy(policy->policy.name, name, sizeof(name));
	for (int field = 0; field < POLICY_FIELD_COUNT; field++)
		if (policy->overridden & (1u << field))
			policy_copy_field(&policy->policy, overrides, field);
	policy_check_at(&policy->policy, field_lines, policy->line, p->diag);
}

/* A new [policy NAME], or the built-in profile it tunes. */
static struct config_policy *open_policy(struct parser *p,
					 const struct section *section)
{
	struct config *config = p->config;
	struct config_policy *policy = find_policy(config, section->name);

	if (policy && policy->line) {
		diag_report(p->diag, DIAG_ERROR, section->line, "policy",
			    "[policy %s]: already defined at line %u",
			    section->name, policy->line);
		return NULL;
	}
	if (!policy && config->n_policies == CONFIG_MAX_POLICIES) {
		diag_report(p->diag, DIAG_ERROR, section->line, "policy",
			    "[policy %s]: more than %d profiles of the "
			    "file's own",
			    section->name, CONFIG_MAX_POLICIES - 2);
		return NULL;
	}
	if (!policy) {
		policy = &config->policies[config->n_policies++];
		snprintf(policy->policy.name, sizeof(policy->policy.name), "%s",
			 section->name);
	}
	policy->line = section->line;
	return policy;
}

void read_policy_section(struct parser *p, const struct section *section)
{
	struct config_policy *policy = open_policy(p, section);
	unsigned int seen[POLICY_FIELD_COUNT] = { 0 }, base_line = 0;
	struct policy overrides = { 0 };

	if (!policy)
		return;
	for (size_t i = 0; i < section->n_entries; i++)
		apply_policy_entry(p, policy, &overrides,
				   VEC_AT(&p->entries, struct entry,
					  section->first_entry + i),
				   seen, &base_line);
	resolve_policy(p, policy, &overrides, seen);
}

void add_builtin_policy(struct config *config, const char *name)
{
	struct config_policy *policy = &config->policies[config->n_policies++];

	policy->policy = *policy_builtin(name);
	snprintf(policy->base, sizeof(policy->base), "%s", name);
}

/* A profile reference: built-in or [policy NAME] (all read by now). */
bool lookup_profile(struct parser *p, const char *value, size_t *index,
		    char *why, size_t why_size)
{
	const struct config_policy *policy = find_policy(p->config, value);
	char shown[72];

	if (!policy) {
		snprintf(why, why_size,
			 "no profile called %s: use mobile, "
			 "datacenter or the NAME of a [policy NAME] section",
			 quoted(value, shown, sizeof(shown)));
		return false;
	}
	*index = (size_t)(policy - p->config->policies);
	return true;
}
