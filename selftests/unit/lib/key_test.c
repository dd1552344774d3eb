// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of lib/key.c: X25519 static keys, their WireGuard-style
 * text form, and the permission check on private key files.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "key.h"

/* RFC 7748 section 6.1: Alice's private and public key */
static const char rfc7748_priv_hex[] =
	"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char rfc7748_pub_hex[] =
	"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
/* the same public key as `wg pubkey` prints it (python's base64) */
static const char rfc7748_pub_b64[] =
	"hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";

static void from_hex(const char *hex, uint8_t out[JVPN_KEY_LEN])
{
	size_t len = 0;

	assert_int_equal(sodium_hex2bin(out, JVPN_KEY_LEN, hex, strlen(hex),
					NULL, &len, NULL),
			 0);
	assert_int_equal(len, JVPN_KEY_LEN);
}

static void test_public_from_private_rfc7748(void **state)
{
	uint8_t priv[JVPN_KEY_LEN], pub[JVPN_KEY_LEN], expected[JVPN_KEY_LEN];

	(void)state;
	from_hex(rfc7748_priv_hex, priv);
	from_hex(rfc7748_pub_hex, expected);
	assert_int_equal(keys_public_from_private(priv, pub), 0);
	assert_memory_equal(pub, expected, JVPN_KEY_LEN);
}

static void test_generate(void **state)
{
	uint8_t priv1[JVPN_KEY_LEN], pub1[JVPN_KEY_LEN], priv2[JVPN_KEY_LEN],
		pub2[JVPN_KEY_LEN];
	uint8_t derived[JVPN_KEY_LEN];

	(void)state;
	assert_int_equal(keys_generate(priv1, pub1), 0);
	assert_int_equal(keys_generate(priv2, pub2), 0);
	/* stored clamped, as wg genkey does */
	assert_int_equal(priv1[0] & 7, 0);
	assert_int_equal(priv1[31] & 0xc0, 0x40);
	assert_int_equal(keys_public_from_private(priv1, derived), 0);
	assert_memory_equal(derived, pub1, JVPN_KEY_LEN);
	assert_memory_not_equal(priv1, priv2, JVPN_KEY_LEN);
	assert_memory_not_equal(pub1, pub2, JVPN_KEY_LEN);
}

static void test_clamp(void **state)
{
	uint8_t priv[JVPN_KEY_LEN];

	(void)state;
	memset(priv, 0xff, sizeof(priv));
	keys_clamp_private(priv);
	assert_int_equal(priv[0], 0xf8);
	assert_int_equal(priv[31], 0x7f);
	memset(priv, 0, sizeof(priv));
	keys_clamp_private(priv);
	assert_int_equal(priv[0], 0);
	assert_int_equal(priv[31], 0x40);
}

static void test_base64_known(void **state)
{
	uint8_t key[JVPN_KEY_LEN], expected[JVPN_KEY_LEN];
	char text[KEYS_B64_SIZE];

	(void)state;
	from_hex(rfc7748_pub_hex, expected);
	key_to_base64(expected, text);
	assert_string_equal(text, rfc7748_pub_b64);
	assert_int_equal(key_from_base64(rfc7748_pub_b64, key, NULL), KEYS_OK);
	assert_memory_equal(key, expected, JVPN_KEY_LEN);

	memset(key, 0, sizeof(key));
	key_to_base64(key, text);
	assert_string_equal(text,
			    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
}

static void test_base64_round_trip(void **state)
{
	uint8_t key[JVPN_KEY_LEN], back[JVPN_KEY_LEN];
	char text[KEYS_B64_SIZE];
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		randombytes_buf(key, sizeof(key));
		key_to_base64(key, text);
		assert_int_equal(strlen(text), KEYS_B64_LEN);
		assert_int_equal(text[KEYS_B64_LEN - 1], '=');
		assert_int_equal(key_from_base64(text, back, NULL), KEYS_OK);
		assert_memory_equal(key, back, JVPN_KEY_LEN);
	}
}

/* err must contain every needle */
static void expect_error(const char *text, enum keys_status expected,
			 const char *needle)
{
	uint8_t key[JVPN_KEY_LEN];
	char err[KEYS_ERR_SIZE] = "";

	memset(key, 0xaa, sizeof(key));
	assert_int_equal(key_from_base64(text, key, err), expected);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
	/* nothing half-decoded is left behind */
	assert_true(sodium_is_zero(key, JVPN_KEY_LEN));
}

static void test_base64_wrong_length(void **state)
{
	char text[64];

	(void)state;
	expect_error("", KEYS_ERR_LENGTH, "0 characters");
	strcpy(text, rfc7748_pub_b64);
	text[KEYS_B64_LEN - 1] = '\0'; /* '=' dropped: 43 */
	expect_error(text, KEYS_ERR_LENGTH, "43 characters");
	strcpy(text, rfc7748_pub_b64);
	strcat(text, "\n"); /* a line end is not trimmed */
	expect_error(text, KEYS_ERR_LENGTH, "more than 44");
	expect_error("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo",
		     KEYS_ERR_LENGTH, "wrong length");
	assert_string_equal(keys_status_name(KEYS_ERR_LENGTH), "length");
}

static void test_base64_bad_character(void **state)
{
	char text[KEYS_B64_SIZE];

	(void)state;
	strcpy(text, rfc7748_pub_b64);
	text[7] = '!';
	expect_error(text, KEYS_ERR_CHAR, "position 7");
	/* the URL-safe alphabet is not the one wg uses */
	strcpy(text, rfc7748_pub_b64);
	text[20] = '-';
	expect_error(text, KEYS_ERR_CHAR, "position 20");
	/* libsodium 1.0.18 alone would decode bytes >= 0x80 as '/' */
	strcpy(text, rfc7748_pub_b64);
	text[17] = (char)0x9e;
	expect_error(text, KEYS_ERR_CHAR, "0x9e at position 17");
	strcpy(text, rfc7748_pub_b64);
	text[43] = (char)0xbd;
	expect_error(text, KEYS_ERR_CHAR, "0xbd at position 43");
	strcpy(text, rfc7748_pub_b64);
	text[0] = ' ';
	expect_error(text, KEYS_ERR_CHAR, "0x20 at position 0");
	/* padding where the last symbol belongs, and a symbol where '=' is */
	strcpy(text, rfc7748_pub_b64);
	text[42] = '=';
	expect_error(text, KEYS_ERR_CHAR, "position 42");
	strcpy(text, rfc7748_pub_b64);
	text[43] = 'A';
	expect_error(text, KEYS_ERR_CHAR, "'=' expected");
	assert_string_equal(keys_status_name(KEYS_ERR_CHAR), "character");
}

static void test_base64_noncanonical(void **state)
{
	char text[KEYS_B64_SIZE];

	(void)state;
	/* 'o' = 40 = 0b101000; 'p' sets a low bit that no key carries */
	strcpy(text, rfc7748_pub_b64);
	assert_int_equal(text[42], 'o');
	text[42] = 'p';
	expect_error(text, KEYS_ERR_NONCANONICAL, "not canonical");
}

/* the RFC 7748 public key's text, with c at position */
static const char *mutated(char text[KEYS_B64_SIZE], size_t position, char c)
{
	strcpy(text, rfc7748_pub_b64);
	text[position] = c;
	return text;
}

/* libsodium 1.0.18 alone stops at a '=' and returns the bytes before it */
static void test_base64_padding_inside(void **state)
{
	char text[KEYS_B64_SIZE];

	(void)state;
	expect_error(mutated(text, 40, '='), KEYS_ERR_CHAR,
		     "0x3d at position 40");
	mutated(text, 41, '=');
	text[42] = '=';
	expect_error(text, KEYS_ERR_CHAR, "position 41 (base64 expected)");
}

/* what a caller that words its own message is told */
static void expect_fault(const char *text, enum keys_status expected,
			 size_t len, size_t position, unsigned char c)
{
	struct key_b64_fault fault;
	uint8_t key[JVPN_KEY_LEN];

	memset(&fault, 0xaa, sizeof(fault));
	memset(key, 0xaa, sizeof(key));
	assert_int_equal(key_decode_base64(text, key, &fault), expected);
	assert_int_equal(fault.len, len);
	assert_int_equal(fault.position, position);
	assert_int_equal(fault.c, c);
	if (expected != KEYS_OK)
		assert_true(sodium_is_zero(key, JVPN_KEY_LEN));
}

static void test_decode_fault(void **state)
{
	char text[KEYS_B64_SIZE], longer[KEYS_B64_SIZE + 4];
	uint8_t key[JVPN_KEY_LEN], expected[JVPN_KEY_LEN];

	(void)state;
	expect_fault(rfc7748_pub_b64, KEYS_OK, KEYS_B64_LEN, 0, 0);
	expect_fault("abc", KEYS_ERR_LENGTH, 3, 0, 0);
	snprintf(longer, sizeof(longer), "%s===", rfc7748_pub_b64);
	expect_fault(longer, KEYS_ERR_LENGTH, KEYS_B64_LEN + 1, 0, 0);
	expect_fault(mutated(text, 7, '!'), KEYS_ERR_CHAR, KEYS_B64_LEN, 7,
		     '!');
	expect_fault(mutated(text, 17, (char)0x9e), KEYS_ERR_CHAR, KEYS_B64_LEN,
		     17, 0x9e);
	expect_fault(mutated(text, 43, 'A'), KEYS_ERR_CHAR, KEYS_B64_LEN, 43,
		     'A');
	expect_fault(mutated(text, 42, 'p'), KEYS_ERR_NONCANONICAL,
		     KEYS_B64_LEN, 42, 'p');

	/* the fault is optional */
	from_hex(rfc7748_pub_hex, expected);
	assert_int_equal(key_decode_base64(rfc7748_pub_b64, key, NULL),
			 KEYS_OK);
	assert_memory_equal(key, expected, JVPN_KEY_LEN);
	assert_int_equal(key_decode_base64(text, key, NULL),
			 KEYS_ERR_NONCANONICAL);
	assert_int_equal(key_decode_base64(NULL, key, NULL), KEYS_ERR_PARAM);
}

static void test_base64_null(void **state)
{
	uint8_t key[JVPN_KEY_LEN];
	char err[KEYS_ERR_SIZE];

	(void)state;
	assert_int_equal(key_from_base64(NULL, key, err), KEYS_ERR_PARAM);
	assert_int_equal(key_from_base64(rfc7748_pub_b64, NULL, err),
			 KEYS_ERR_PARAM);
}

/* ---- private key files ---- */

struct temp_dir {
	char path[64];
};

static int dir_setup(void **state)
{
	struct temp_dir *dir = calloc(1, sizeof(*dir));

	if (!dir)
		return -1;
	strcpy(dir->path, "/tmp/jvpn-keys-test.XXXXXX");
	if (!mkdtemp(dir->path)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int dir_teardown(void **state)
{
	struct temp_dir *dir = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir->path);
	if (system(cmd) != 0)
		return -1;
	free(dir);
	return 0;
}

/* writes content to dir/name with exactly mode (umask does not apply) */
static void write_file(const struct temp_dir *dir, const char *name,
		       const char *content, mode_t mode, char *path,
		       size_t path_size)
{
	int fd;

	snprintf(path, path_size, "%s/%s", dir->path, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)),
			 (ssize_t)strlen(content));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void expect_load(const struct temp_dir *dir, const char *name,
			const char *content, mode_t mode,
			enum keys_status expected, const char *needle)
{
	uint8_t key[JVPN_KEY_LEN];
	char path[128], err[KEYS_ERR_SIZE] = "";

	write_file(dir, name, content, mode, path, sizeof(path));
	memset(key, 0xaa, sizeof(key));
	assert_int_equal(keys_load_private_file(path, key, err), expected);
	if (expected == KEYS_OK)
		return;
	assert_true(sodium_is_zero(key, JVPN_KEY_LEN));
	/* every message names the file */
	if (!strstr(err, path) || !strstr(err, needle))
		fail_msg("error '%s' lacks '%s' or '%s'", err, path, needle);
}

static void test_load_private_0600(void **state)
{
	const struct temp_dir *dir = *state;
	uint8_t key[JVPN_KEY_LEN], expected[JVPN_KEY_LEN];
	char path[128], err[KEYS_ERR_SIZE] = "";
	char line[KEYS_B64_SIZE + 2]; /* key, CR, LF */

	from_hex(rfc7748_priv_hex, expected);
	key_to_base64(expected, line);
	strcat(line, "\n");
	write_file(dir, "good.key", line, 0600, path, sizeof(path));
	assert_int_equal(keys_load_private_file(path, key, err), KEYS_OK);
	assert_memory_equal(key, expected, JVPN_KEY_LEN);

	/* read-only for the owner is fine too; CRLF and blanks are trimmed */
	key_to_base64(expected, line);
	write_file(dir, "ro.key", strcat(line, "\r\n"), 0400, path,
		   sizeof(path));
	memset(key, 0, sizeof(key));
	assert_int_equal(keys_load_private_file(path, key, err), KEYS_OK);
	assert_memory_equal(key, expected, JVPN_KEY_LEN);
}

static void test_load_private_refuses_open_modes(void **state)
{
	const struct temp_dir *dir = *state;
	char line[KEYS_B64_SIZE + 2]; /* key, CR, LF */
	uint8_t key[JVPN_KEY_LEN];

	from_hex(rfc7748_priv_hex, key);
	key_to_base64(key, line);
	strcat(line, "\n");
	expect_load(dir, "world.key", line, 0644, KEYS_ERR_PERMISSIONS,
		    "mode 0644");
	expect_load(dir, "group.key", line, 0640, KEYS_ERR_PERMISSIONS,
		    "mode 0640");
	expect_load(dir, "other.key", line, 0604, KEYS_ERR_PERMISSIONS,
		    "mode 0604");
	/* writable by the group: someone else could swap the key */
	expect_load(dir, "gw.key", line, 0620, KEYS_ERR_PERMISSIONS,
		    "group or others");
	assert_string_equal(keys_status_name(KEYS_ERR_PERMISSIONS),
			    "permissions");
}

static void test_load_private_bad_files(void **state)
{
	const struct temp_dir *dir = *state;
	uint8_t key[JVPN_KEY_LEN];
	char err[KEYS_ERR_SIZE] = "", path[128];
	char two[2 * KEYS_B64_SIZE + 4];

	expect_load(dir, "empty.key", "", 0600, KEYS_ERR_LENGTH,
		    "0 characters");
	expect_load(dir, "bad.key",
		    "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr0!6SpjqqbTmo=\n", 0600,
		    KEYS_ERR_CHAR, "position 32");
	snprintf(two, sizeof(two), "%s\n%s\n", rfc7748_pub_b64,
		 rfc7748_pub_b64);
	expect_load(dir, "two.key", two, 0600, KEYS_ERR_LENGTH, "length");

	snprintf(path, sizeof(path), "%s/missing.key", dir->path);
	assert_int_equal(keys_load_private_file(path, key, err), KEYS_ERR_IO);
	assert_non_null(strstr(err, "missing.key"));
	assert_non_null(strstr(err, "No such file"));

	/* a directory is not a key file, whatever its mode */
	assert_int_equal(chmod(dir->path, 0700), 0);
	assert_int_equal(keys_load_private_file(dir->path, key, err),
			 KEYS_ERR_NOT_REGULAR);
	assert_non_null(strstr(err, dir->path));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_from_private_rfc7748),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_base64_known),
		cmocka_unit_test(test_base64_round_trip),
		cmocka_unit_test(test_base64_wrong_length),
		cmocka_unit_test(test_base64_bad_character),
		cmocka_unit_test(test_base64_noncanonical),
		cmocka_unit_test(test_base64_null),
		cmocka_unit_test(test_base64_padding_inside),
		cmocka_unit_test(test_decode_fault),
		cmocka_unit_test_setup_teardown(test_load_private_0600,
						dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(
			test_load_private_refuses_open_modes, dir_setup,
			dir_teardown),
		cmocka_unit_test_setup_teardown(test_load_private_bad_files,
						dir_setup, dir_teardown),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
