// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness for daemon/config/: any bytes as a configuration
 * file. Built with ASan and UBSan (Makefile FUZZ_CFLAGS), so a crash,
 * an overflow, undefined behaviour or a leak fails the run.
 *
 * Beyond "does not crash", each input is held to what callers rely on:
 * a refused file leaves an empty config, an accepted one has no error and
 * only sane contents, every finding names the file, and the policies of
 * an accepted file read back through their text form.
 *
 * Seeds: selftests/fuzz/corpus/config/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define FILE_NAME "fuzz.conf"

static void check_findings(const struct diag *diag)
{
	if (diag->count > DIAG_MAX_ENTRIES ||
	    diag->count > diag->errors + diag->warnings)
		abort();
	for (unsigned int i = 0; i < diag->count; i++) {
		const struct diag_entry *e = &diag->entries[i];

		if (strncmp(e->text, FILE_NAME ":", strlen(FILE_NAME) + 1))
			abort();
		if (memchr(e->text, '\n', strlen(e->text)))
			abort(); /* one finding, one line */
		if (i && e->line && diag->entries[i - 1].line > e->line)
			abort(); /* sorted by line */
	}
}

static void check_refused(const struct config *cfg)
{
	if (cfg->peers || cfg->n_peers || cfg->n_policies)
		abort();
}

static void check_policy_reads_back(const struct policy *policy)
{
	struct policy copy = *policy;
	char text[64], why[DIAG_TEXT_MAX];

	for (int field = 0; field < POLICY_FIELD_COUNT; field++) {
		policy_format_field(policy, field, text, sizeof(text));
		if (!policy_set_field(&copy, field, text, why, sizeof(why)))
			abort();
	}
	if (memcmp(&copy, policy, sizeof(copy)) ||
	    policy_diff(policy, &copy, NULL, NULL))
		abort();
}

static void check_accepted(const struct config *cfg)
{
	const struct config_interface *in = &cfg->interface;

	if (in->role != CONFIG_ROLE_GATEWAY && in->role != CONFIG_ROLE_CLIENT)
		abort();
	if (in->n_listen > CONFIG_MAX_LISTEN || in->policy >= cfg->n_policies ||
	    cfg->n_peers > CONFIG_MAX_PEERS || cfg->n_policies < 2)
		abort();
	if (in->role == CONFIG_ROLE_CLIENT && cfg->n_peers != 1)
		abort();
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct config_peer *peer = &cfg->peers[i];

		if (peer->policy >= cfg->n_policies ||
		    peer->n_allowed_ips > CONFIG_MAX_ALLOWED_IPS ||
		    peer->n_endpoints > CONFIG_MAX_ENDPOINTS ||
		    peer->n_uplinks > CONFIG_MAX_UPLINKS)
			abort();
	}
	for (size_t i = 0; i < cfg->n_policies; i++)
		check_policy_reads_back(&cfg->policies[i].policy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag *diag = malloc(sizeof(*diag));
	struct diag *again = malloc(sizeof(*again));
	struct config cfg;

	if (!diag || !again)
		abort();
	if (config_parse_buffer(FILE_NAME, (const char *)data, size, &cfg,
				diag) == 0) {
		if (diag->errors)
			abort();
		check_accepted(&cfg);
		/* reloading the same file changes nothing */
		diag_init(again, FILE_NAME);
		if (config_check_reload(&cfg, &cfg, again))
			abort();
	} else {
		if (!diag->errors)
			abort();
		check_refused(&cfg);
	}
	check_findings(diag);
	config_free(&cfg);
	free(again);
	free(diag);
	return 0;
}
