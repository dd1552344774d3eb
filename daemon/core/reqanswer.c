// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include "reqanswer.h"

void reqanswer_judged(struct reqanswer *a, uint64_t nonce,
		      enum jvpnd_reason reason, uint32_t retry_after_ms,
		      const uint8_t *path, size_t path_len, uint64_t now_ms)
{
	memset(a, 0, sizeof(*a));
	if (!nonce || !path || !path_len || path_len > REATTACH_PATH_KEY_MAX)
		return;
	a->nonce = nonce;
	a->until_ms = now_ms + REATTACH_CHALLENGE_WINDOW_MS;
	a->reason = reason;
	a->retry_after_ms = retry_after_ms;
	memcpy(a->path[0], path, path_len);
	a->path_len[0] = (uint8_t)path_len;
	a->n = 1;
}

static bool answered(const struct reqanswer *a, const uint8_t *path,
		     size_t path_len)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->path_len[i] == path_len &&
		    !memcmp(a->path[i], path, path_len))
			return true;
	return false;
}

bool reqanswer_again(struct reqanswer *a, uint64_t nonce, const uint8_t *path,
		     size_t path_len, uint64_t now_ms)
{
	if (!a->nonce || nonce != a->nonce || now_ms >= a->until_ms ||
	    a->n >= REQANSWER_ADDRS || !path || !path_len ||
	    path_len > REATTACH_PATH_KEY_MAX || answered(a, path, path_len))
		return false;
	memcpy(a->path[a->n], path, path_len);
	a->path_len[a->n] = (uint8_t)path_len;
	a->n++;
	return true;
}

void reqanswer_forget(struct reqanswer *a)
{
	memset(a, 0, sizeof(*a));
}
