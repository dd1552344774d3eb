/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Static X25519 keys of jvpnd: generation, the public key of a private one,
 * and the text form, which is WireGuard's (44 characters of standard
 * base64 with padding), so that `wg genkey | wg pubkey` and jvpnctl agree.
 *
 * Pure functions without global state. The program must have called
 * sodium_init() before any of them.
 */
#ifndef JVPND_KEYS_H
#define JVPND_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <jvpn/messages.h>

#define KEYS_B64_LEN  44		 /* characters of the text form */
#define KEYS_B64_SIZE (KEYS_B64_LEN + 1) /* with the NUL */
#define KEYS_ERR_SIZE 512 /* error messages, which name the file */

enum keys_status {
	KEYS_OK = 0,
	KEYS_ERR_LENGTH, /* the text is not 44 characters long */
	KEYS_ERR_CHAR,	 /* a character outside base64, or no '=' at the end */
	KEYS_ERR_NONCANONICAL, /* the 43rd character sets bits beyond 256 */
	KEYS_ERR_PERMISSIONS,  /* private key file open to group or others */
	KEYS_ERR_NOT_REGULAR,  /* private key path is not a regular file */
	KEYS_ERR_IO,	/* open or read failed; the message has errno's text */
	KEYS_ERR_PARAM, /* NULL argument */
};

/* "length", "character", ...: a stable name for logs and tests */
const char *keys_status_name(enum keys_status status);

/* WireGuard's clamping of an X25519 scalar, in place. */
void keys_clamp_private(uint8_t priv[JVPN_KEY_LEN]);

/*
 * A fresh key pair from the system's CSPRNG. The private key is stored
 * clamped, as `wg genkey` stores it. Returns 0, or -1 when X25519 fails
 * (which a clamped random scalar never makes it do).
 */
int keys_generate(uint8_t priv[JVPN_KEY_LEN], uint8_t pub[JVPN_KEY_LEN]);

/* pub = X25519(priv, 9). Returns 0, or -1 on an impossible result. */
int keys_public_from_private(const uint8_t priv[JVPN_KEY_LEN],
			     uint8_t pub[JVPN_KEY_LEN]);

/*
 * Where a text that is not a key goes wrong, for a caller that words its
 * own message (the configuration file does).
 */
struct key_b64_fault {
	size_t len;	 /* its length, counted up to KEYS_B64_LEN + 1 */
	size_t position; /* KEYS_ERR_CHAR, _NONCANONICAL: from 0 */
	unsigned char c; /* the character at position */
};

/*
 * Decodes the 44-character text form (a NUL-terminated string, nothing
 * around it) into key: standard base64, padded, canonical, as
 * key_to_base64 writes it and nothing else. On failure key is zeroed and,
 * when fault is not NULL, *fault says where. A valid key decodes in
 * constant time; only the diagnosis of an invalid one looks at single
 * characters.
 */
enum keys_status key_decode_base64(const char *text, uint8_t key[JVPN_KEY_LEN],
				   struct key_b64_fault *fault);

/*
 * key_decode_base64, with the fault as a sentence in err (when not NULL)
 * such as "bad character 0x21 at position 7 (base64 expected)".
 */
enum keys_status key_from_base64(const char *text, uint8_t key[JVPN_KEY_LEN],
				 char err[KEYS_ERR_SIZE]);

/* text = the 44-character form of key, NUL-terminated. */
void key_to_base64(const uint8_t key[JVPN_KEY_LEN], char text[KEYS_B64_SIZE]);

/*
 * Reads a private key in text form from path (one line; trailing
 * whitespace ignored). Refuses a file that is not a regular file or whose
 * mode gives group or others any permission (like ssh, mode & 077 must be
 * 0): the message names the file and its mode. Checked with fstat on the
 * opened descriptor, so there is no race between check and read.
 */
enum keys_status keys_load_private_file(const char *path,
					uint8_t key[JVPN_KEY_LEN],
					char err[KEYS_ERR_SIZE]);

#endif /* JVPND_KEYS_H */
