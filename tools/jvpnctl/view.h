/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * How jvpnctl shows what it read: the kernel's and the daemon's halves of
 * a session merged into one object, JSON arrays, tab-separated rows, and
 * numbers as people read them.
 */
#ifndef JVPNCTL_VIEW_H
#define JVPNCTL_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include "kview.h"

/*
 * The kernel's session @k with the daemon's members added (the kernel's
 * win where both have one); @d may be NULL. "device" leads, and the age
 * of the last packet is worked out now from the kernel's clock.
 */
void view_merge(struct obj *out, const char *device, const struct obj *k,
		const struct obj *d);
/* [obj,obj,...], no newline */
void view_print_array(const struct objs *list, FILE *out);
/* "1.5 KiB", "12.0 MiB" */
void view_bytes(char *buf, size_t size, uint64_t bytes);
/* "850 ms", "12.3 s", "4m 05s", "2h 10m", "3d 4h" */
void view_duration(char *buf, size_t size, uint64_t ms);
/* CLOCK_BOOTTIME in ns: the clock of the kernel's timestamps */

#endif /* JVPNCTL_VIEW_H */
