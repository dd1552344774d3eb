// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "clock.h"

uint64_t jvpn_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
	       (uint64_t)ts.tv_nsec;
}
