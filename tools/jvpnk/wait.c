// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>

#include "clock.h"
#include "wait.h"

/* poll() takes an int: a longer budget is waited for in several calls */
static int poll_timeout(int64_t budget_ms)
{
	if (budget_ms < 0)
		return -1;
	return budget_ms > INT_MAX ? INT_MAX : (int)budget_ms;
}

int wait_readable(int fd, int64_t *budget_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		int64_t start = (int64_t)jvpn_mono_ms();
		int ready = poll(&pfd, 1, poll_timeout(*budget_ms));

		if (*budget_ms >= 0) {
			*budget_ms -= (int64_t)jvpn_mono_ms() - start;
			if (*budget_ms < 0)
				*budget_ms = 0;
		}
		if (ready > 0)
			return 1;
		if (ready < 0 && errno != EINTR)
			return -1;
		if (ready == 0 && *budget_ms == 0)
			return 0;
	}
}
