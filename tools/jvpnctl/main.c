// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jvpnctl: administration of Jumping VPN. This build has the key commands;
 * show, dump, monitor and the daemon's socket come with the operator's
 * view (see the issues).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"

/* genkey: a new private key, base64, on stdout (like wg genkey). */
static int cmd_genkey(int argc, char **argv)
{
	uint8_t priv[KEYS_LEN], pub[KEYS_LEN];
	char text[KEYS_B64_SIZE];

	(void)argc;
	(void)argv;
	if (keys_generate(priv, pub)) {
		fprintf(stderr, "jvpnctl: genkey: no randomness\n");
		return 1;
	}
	key_to_base64(priv, text);
	puts(text);
	sodium_memzero(priv, sizeof(priv));
	return 0;
}

/* pubkey: a private key on stdin, its public key on stdout. */
static int cmd_pubkey(int argc, char **argv)
{
	char line[256], err[KEYS_ERR_SIZE], text[KEYS_B64_SIZE];
	uint8_t priv[KEYS_LEN], pub[KEYS_LEN];
	size_t len;

	(void)argc;
	(void)argv;
	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr, "jvpnctl: pubkey: expected a private key on stdin\n");
		return 1;
	}
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	if (key_from_base64(line, priv, err) != KEYS_OK) {
		fprintf(stderr, "jvpnctl: pubkey: %s\n", err);
		return 1;
	}
	keys_public_from_private(priv, pub);
	key_to_base64(pub, text);
	puts(text);
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(line, sizeof(line));
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("jvpnctl %s\n", JVPN_VERSION);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "genkey", cmd_genkey, "print a new private key" },
	{ "pubkey", cmd_pubkey, "read a private key, print its public key" },
	{ "version", cmd_version, "print the version" },
};

static int usage(FILE *out)
{
	fprintf(out, "usage: jvpnctl COMMAND\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help"))
		return usage(stdout);
	if (sodium_init() < 0)
		return 1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "jvpnctl: unknown command \"%s\"\n", argv[1]);
	return usage(stderr);
}
