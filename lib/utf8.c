// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include "utf8.h"

size_t utf8_prefix_len(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n <= max)
		return n;
	n = max;
	/* back over continuation bytes to the start of the cut sequence */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}
