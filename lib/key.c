// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Static X25519 keys and their text form (keys.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "key.h"

/* A key file holds one line; anything longer is not a key. */
#define KEY_FILE_MAX 128

const char *keys_status_name(enum keys_status status)
{
	switch (status) {
	case KEYS_OK:
		return "ok";
	case KEYS_ERR_LENGTH:
		return "length";
	case KEYS_ERR_CHAR:
		return "character";
	case KEYS_ERR_NONCANONICAL:
		return "noncanonical";
	case KEYS_ERR_PERMISSIONS:
		return "permissions";
	case KEYS_ERR_NOT_REGULAR:
		return "not-regular";
	case KEYS_ERR_IO:
		return "io";
	case KEYS_ERR_PARAM:
		return "param";
	}
	return "unknown";
}

__attribute__((format(printf, 2, 3))) static void
set_err(char err[KEYS_ERR_SIZE], const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err, KEYS_ERR_SIZE, fmt, ap);
	va_end(ap);
}

void keys_clamp_private(uint8_t priv[JVPN_KEY_LEN])
{
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
}

int keys_public_from_private(const uint8_t priv[JVPN_KEY_LEN],
			     uint8_t pub[JVPN_KEY_LEN])
{
	return crypto_scalarmult_base(pub, priv) == 0 ? 0 : -1;
}

int keys_generate(uint8_t priv[JVPN_KEY_LEN], uint8_t pub[JVPN_KEY_LEN])
{
	randombytes_buf(priv, JVPN_KEY_LEN);
	keys_clamp_private(priv);
	if (keys_public_from_private(priv, pub) == 0)
		return 0;
	sodium_memzero(priv, JVPN_KEY_LEN);
	return -1;
}

void key_to_base64(const uint8_t key[JVPN_KEY_LEN], char text[KEYS_B64_SIZE])
{
	sodium_bin2base64(text, KEYS_B64_SIZE, key, JVPN_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

static bool is_base64_symbol(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Whether key, decoded from text, encodes back to exactly text: the one
 * spelling key_to_base64 writes. Compared in constant time.
 */
static bool encodes_back(const char *text, const uint8_t key[JVPN_KEY_LEN])
{
	char again[KEYS_B64_SIZE];
	bool same;

	key_to_base64(key, again);
	same = sodium_memcmp(again, text, KEYS_B64_LEN) == 0;
	sodium_memzero(again, sizeof(again));
	return same;
}

/*
 * Says why text (44 characters, refused by the decoder) is not a key.
 * Only reached for invalid input, so looking at single characters here
 * leaks nothing about a valid secret.
 */
static enum keys_status diagnose_base64(const char *text,
					struct key_b64_fault *fault)
{
	size_t i;

	for (i = 0; i < KEYS_B64_LEN - 1; i++)
		if (!is_base64_symbol(text[i]))
			break;
	fault->position = i;
	fault->c = (unsigned char)text[i];
	if (i < KEYS_B64_LEN - 1 || text[i] != '=')
		return KEYS_ERR_CHAR;
	fault->position = KEYS_B64_LEN - 2;
	fault->c = (unsigned char)text[KEYS_B64_LEN - 2];
	return KEYS_ERR_NONCANONICAL;
}

enum keys_status key_decode_base64(const char *text, uint8_t key[JVPN_KEY_LEN],
				   struct key_b64_fault *fault)
{
	struct key_b64_fault unused;
	size_t key_len = 0;
	const char *end = NULL;

	if (!fault)
		fault = &unused;
	memset(fault, 0, sizeof(*fault));
	if (!text || !key)
		return KEYS_ERR_PARAM;
	sodium_memzero(key, JVPN_KEY_LEN);
	fault->len = strnlen(text, KEYS_B64_LEN + 1);
	if (fault->len != KEYS_B64_LEN)
		return KEYS_ERR_LENGTH;
	/*
	 * libsodium's decoder is constant time, but more lenient than a key
	 * may be: 1.0.18 takes any byte >= 0x80 for '/' (found by
	 * handshake_fuzz) and stops at a '=' anywhere. What it decodes must
	 * also encode back to the very text, which is checked in constant
	 * time too.
	 */
	if (sodium_base642bin(key, JVPN_KEY_LEN, text, KEYS_B64_LEN, NULL,
			      &key_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    key_len == JVPN_KEY_LEN && end == text + KEYS_B64_LEN &&
	    encodes_back(text, key))
		return KEYS_OK;
	sodium_memzero(key, JVPN_KEY_LEN);
	return diagnose_base64(text, fault);
}

/* The sentence of a fault, for logs and jvpnctl. */
static void describe_fault(enum keys_status status,
			   const struct key_b64_fault *fault,
			   char err[KEYS_ERR_SIZE])
{
	if (status == KEYS_ERR_PARAM)
		set_err(err, "no key given");
	else if (status == KEYS_ERR_LENGTH)
		set_err(err, "wrong length: %s%zu characters, a key has %d",
			fault->len > KEYS_B64_LEN ? "more than " : "",
			fault->len > KEYS_B64_LEN ? (size_t)KEYS_B64_LEN
						  : fault->len,
			KEYS_B64_LEN);
	else if (status == KEYS_ERR_CHAR && fault->position < KEYS_B64_LEN - 1)
		set_err(err,
			"bad character 0x%02x at position %zu (base64 "
			"expected)",
			fault->c, fault->position);
	else if (status == KEYS_ERR_CHAR)
		set_err(err,
			"bad character 0x%02x at position %d ('=' expected)",
			fault->c, KEYS_B64_LEN - 1);
	else if (status == KEYS_ERR_NONCANONICAL)
		set_err(err,
			"not canonical: character %d sets bits no 32-byte key "
			"has",
			KEYS_B64_LEN - 2);
}

enum keys_status key_from_base64(const char *text, uint8_t key[JVPN_KEY_LEN],
				 char err[KEYS_ERR_SIZE])
{
	struct key_b64_fault fault;
	enum keys_status status = key_decode_base64(text, key, &fault);

	describe_fault(status, &fault, err);
	return status;
}

/* Drops the line's end and any trailing blanks, as `wg pubkey` does. */
static size_t trim_trailing_space(const char *buf, size_t len)
{
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
			   buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	return len;
}

static enum keys_status check_key_file_mode(int fd, const char *path,
					    char err[KEYS_ERR_SIZE])
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		set_err(err, "%s: %s", path, strerror(errno));
		return KEYS_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, "%s: not a regular file", path);
		return KEYS_ERR_NOT_REGULAR;
	}
	/* a private key others can read is no longer private */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		set_err(err,
			"%s: mode %04o gives group or others access to a "
			"private key; refusing it (chmod 600 %s)",
			path, (unsigned int)(st.st_mode & 07777), path);
		return KEYS_ERR_PERMISSIONS;
	}
	return KEYS_OK;
}

/* Reads the whole file into buf[cap]; *len = cap when it may hold more. */
static enum keys_status read_small_file(int fd, const char *path, char *buf,
					size_t cap, size_t *len,
					char err[KEYS_ERR_SIZE])
{
	ssize_t n;

	*len = 0;
	while (*len < cap) {
		n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_err(err, "%s: %s", path, strerror(errno));
			return KEYS_ERR_IO;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return KEYS_OK;
}

static enum keys_status parse_key_file(const char *path, char *buf, size_t len,
				       uint8_t key[JVPN_KEY_LEN],
				       char err[KEYS_ERR_SIZE])
{
	char why[KEYS_ERR_SIZE];
	enum keys_status status;

	if (len == KEY_FILE_MAX) {
		set_err(err, "%s: wrong length: more than one key in the file",
			path);
		return KEYS_ERR_LENGTH;
	}
	len = trim_trailing_space(buf, len);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		set_err(err, "%s: bad character 0x00 at position %zu", path,
			strlen(buf));
		return KEYS_ERR_CHAR;
	}
	status = key_from_base64(buf, key, why);
	if (status != KEYS_OK)
		set_err(err, "%s: %s", path, why);
	return status;
}

enum keys_status keys_load_private_file(const char *path,
					uint8_t key[JVPN_KEY_LEN],
					char err[KEYS_ERR_SIZE])
{
	char buf[KEY_FILE_MAX + 1];
	enum keys_status status;
	size_t len = 0;
	int fd;

	if (!path || !key) {
		set_err(err, "no key file given");
		return KEYS_ERR_PARAM;
	}
	sodium_memzero(key, JVPN_KEY_LEN);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		set_err(err, "%s: %s", path, strerror(errno));
		return KEYS_ERR_IO;
	}
	status = check_key_file_mode(fd, path, err);
	if (status == KEYS_OK)
		status =
			read_small_file(fd, path, buf, KEY_FILE_MAX, &len, err);
	close(fd);
	if (status == KEYS_OK)
		status = parse_key_file(path, buf, len, key, err);
	sodium_memzero(buf, sizeof(buf));
	return status;
}
