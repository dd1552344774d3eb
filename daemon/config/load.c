// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The steps run on a text (config_parse_buffer) or a file
 * (config_load), config_free, and the policy of the interface or a peer.
 */
#include <sodium.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

static void parser_free(struct parser *p)
{
	free(p->text);
	vec_free(&p->sections);
	vec_free(&p->entries);
	vec_free(&p->peers);
	vec_free(&p->key_claims);
	vec_free(&p->name_claims);
	vec_free(&p->cidr_claims);
}

static void interpret(struct parser *p)
{
	look_up_role(p);
	for (size_t i = 0; i < p->sections.count; i++) {
		const struct section *section =
			VEC_AT(&p->sections, struct section, i);

		if (section->kind == SECTION_POLICY)
			read_policy_section(p, section);
	}
	for (size_t i = 0; i < p->sections.count; i++) {
		const struct section *section =
			VEC_AT(&p->sections, struct section, i);

		if (section->kind == SECTION_INTERFACE)
			read_interface_section(p, section);
		else if (section->kind == SECTION_PEER)
			read_peer_section(p, section);
	}
}

int config_parse_buffer(const char *name, const char *text, size_t len,
			struct config *out, struct diag *diag)
{
	struct parser p = { .diag = diag, .config = out };

	diag_init(diag, name);
	memset(out, 0, sizeof(*out));
	if (len > CONFIG_FILE_MAX) {
		diag_report(diag, DIAG_ERROR, 0, NULL, "larger than %u bytes",
			    CONFIG_FILE_MAX);
		return -1;
	}
	add_builtin_policy(out, "mobile");
	add_builtin_policy(out, "datacenter");

	tokenize(&p, text, len);
	if (!p.out_of_memory)
		interpret(&p);
	if (!p.out_of_memory)
		cross_check(&p);
	diag_sort_by_line(diag);

	if (diag->errors) {
		parser_free(&p);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->peers = p.peers.items; /* handed over, not freed below */
	out->n_peers = p.peers.count;
	p.peers.items = NULL;
	parser_free(&p);
	return 0;
}

/* ---- files -------------------------------------------------------- */

/* The whole file into memory, refusing more than CONFIG_FILE_MAX. */
static char *read_file(const char *path, size_t *len, struct diag *diag)
{
	FILE *file = fopen(path, "rb");
	char *text = NULL;
	size_t size = 0, capacity = 0;

	if (!file) {
		diag_report(diag, DIAG_ERROR, 0, NULL, "cannot open: %s",
			    strerror(errno));
		return NULL;
	}
	for (;;) {
		if (size == capacity) {
			char *bigger;

			capacity = capacity ? capacity * 2 : 65536;
			if (capacity > CONFIG_FILE_MAX + 1)
				capacity = CONFIG_FILE_MAX + 1;
			bigger = realloc(text, capacity);
			if (!bigger) {
				diag_report(diag, DIAG_ERROR, 0, NULL,
					    "out of memory");
				goto fail;
			}
			text = bigger;
		}
		size += fread(text + size, 1, capacity - size, file);
		if (size > CONFIG_FILE_MAX) {
			diag_report(diag, DIAG_ERROR, 0, NULL,
				    "larger than "
				    "%u bytes",
				    CONFIG_FILE_MAX);
			goto fail;
		}
		if (ferror(file)) {
			diag_report(diag, DIAG_ERROR, 0, NULL,
				    "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (feof(file))
			break;
	}
	fclose(file);
	*len = size;
	return text ? text : calloc(1, 1);
fail:
	fclose(file);
	free(text);
	return NULL;
}

int config_load(const char *path, struct config *out, struct diag *diag)
{
	size_t len = 0;
	char *text;
	int result;

	diag_init(diag, path);
	memset(out, 0, sizeof(*out));
	text = read_file(path, &len, diag);
	if (!text)
		return -1;
	result = config_parse_buffer(path, text, len, out, diag);
	if (!result)
		crypto_generichash(out->text_hash, sizeof(out->text_hash),
				   (const uint8_t *)text, len, NULL, 0);
	free(text);
	return result;
}

void config_free(struct config *config)
{
	/* preshared keys: secrets, not left in freed memory */
	if (config->peers)
		sodium_memzero(config->peers,
			       config->n_peers * sizeof(*config->peers));
	free(config->peers);
	memset(config, 0, sizeof(*config));
}

const struct policy *config_interface_policy(const struct config *config)
{
	return &config->policies[config->interface.policy].policy;
}

const struct policy *config_peer_policy(const struct config *config,
					const struct config_peer *peer)
{
	return &config->policies[peer->policy].policy;
}

int config_check_file(const char *path, FILE *out)
{
	struct config config;
	struct diag *diag = malloc(sizeof(*diag));
	int result;

	if (!diag) {
		fprintf(out, "%s: out of memory\n1 errors\n", path);
		return 1;
	}
	result = config_load(path, &config, diag);
	diag_print(diag, out);
	if (result == 0)
		fprintf(out, "ok: %zu peers, profile %s\n", config.n_peers,
			config_interface_policy(&config)->name);
	else
		fprintf(out, "%u errors\n", diag->errors);
	config_free(&config);
	free(diag);
	return result == 0 ? 0 : 1;
}
