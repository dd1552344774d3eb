// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>
#include <time.h>

#include "clock.h"
#include "view.h"

void view_merge(struct obj *out, const char *device, const struct obj *k,
		const struct obj *d)
{
	uint64_t last_rx = obj_u64(k, "last_rx_ns", 0), now;

	obj_set(out, "device", device, OBJ_STRING);
	for (size_t i = 0; i < k->n; i++)
		obj_set(out, k->m[i].name, k->m[i].value, k->m[i].kind);
	for (size_t i = 0; d && i < d->n; i++)
		if (!obj_get(out, d->m[i].name))
			obj_set(out, d->m[i].name, d->m[i].value, d->m[i].kind);
	now = jvpn_boot_ns();
	if (last_rx && now >= last_rx)
		obj_set_u64(out, "last_rx_ago_ms", (now - last_rx) / 1000000);
}

void view_print_array(const struct objs *list, FILE *out)
{
	fputc('[', out);
	for (size_t i = 0; i < list->n; i++) {
		if (i)
			fputc(',', out);
		obj_print_json(&list->items[i], out);
	}
	fputc(']', out);
}

void view_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, units[u]);
}

void view_duration(char *buf, size_t size, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, size, "%" PRIu64 " ms", ms);
	else if (s < 60)
		snprintf(buf, size, "%.1f s", (double)ms / 1000);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m %02" PRIu64 "s", s / 60,
			 s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h %02" PRIu64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, size, "%" PRIu64 "d %" PRIu64 "h", s / 86400,
			 s / 3600 % 24);
}
