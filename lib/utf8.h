/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Cutting text for a field of bounded size without breaking UTF-8. */
#ifndef JVPN_UTF8_H
#define JVPN_UTF8_H

#include <stddef.h>

/* How much of @s fits in @max bytes without cutting a UTF-8 sequence. */
size_t utf8_prefix_len(const char *s, size_t max);

#endif /* JVPN_UTF8_H */
