// SPDX-License-Identifier: GPL-2.0 OR MIT
/* genkey and pubkey: the same keys as `wg genkey | wg pubkey`. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "jvpnctl.h"
#include "key.h"

/* genkey: a new private key, base64, on stdout (like wg genkey). */
int cmd_genkey(const struct jvpnctl_opts *o, int argc, char **argv)
{
	uint8_t priv[JVPN_KEY_LEN], pub[JVPN_KEY_LEN];
	char text[KEYS_B64_SIZE];

	(void)o;
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
int cmd_pubkey(const struct jvpnctl_opts *o, int argc, char **argv)
{
	char line[256], err[KEYS_ERR_SIZE], text[KEYS_B64_SIZE];
	uint8_t priv[JVPN_KEY_LEN], pub[JVPN_KEY_LEN];
	size_t len;

	(void)o;
	(void)argc;
	(void)argv;
	if (!fgets(line, sizeof(line), stdin)) {
		fprintf(stderr,
			"jvpnctl: pubkey: expected a private key on stdin\n");
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
