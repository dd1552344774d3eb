// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include "duration.h"
#include "util.h"

static const struct {
	const char *suffix;
	uint64_t ms;
} units[] = {
	{ "ms", 1 },
	{ "s", 1000 },
	{ "m", 60 * 1000 },
	{ "h", 3600 * 1000 },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The value of @unit ("" for none), or 0 when the rules refuse it. */
static uint64_t unit_ms(const char *unit, const struct jvpn_duration_rules *r)
{
	if (!*unit)
		return r->bare_unit_ms;
	if (r->no_units)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(unit, units[i].suffix))
			return units[i].ms;
	return 0;
}

/* Digits into *whole, *big when they pass UINT64_MAX; returns past them. */
static const char *digits(const char *p, uint64_t *whole, bool *big)
{
	for (*whole = 0, *big = false; is_digit(*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (*whole > (UINT64_MAX - d) / 10)
			*big = true;
		else
			*whole = *whole * 10 + d;
	}
	return p;
}

/*
 * The fraction after the point, times @unit: exact where it can be, and
 * rounded up below 1 ms, so that a tiny timeout never becomes no wait.
 */
static void fraction(const char *p, uint64_t unit, uint64_t *ms, bool *any)
{
	uint64_t scale = unit, part = 0;
	bool rest = false;

	for (*any = false; is_digit(*p); p++) {
		*any = true;
		if (scale >= 10) {
			scale /= 10;
			part += scale * (uint64_t)(*p - '0');
		} else if (*p != '0') {
			rest = true;
		}
	}
	*ms = part + rest;
}

enum jvpn_duration_status
jvpn_parse_duration(const char *text, const struct jvpn_duration_rules *r,
		    uint64_t *ms)
{
	const char *p = text, *frac_at = NULL, *unit;
	uint64_t whole, per, part = 0;
	bool any, big;

	if (!is_digit(*p))
		return JVPN_DURATION_SYNTAX;
	p = digits(p, &whole, &big);
	if (*p == '.') {
		if (!r->fractions)
			return JVPN_DURATION_SYNTAX;
		frac_at = ++p;
		while (is_digit(*p))
			p++;
	}
	unit = p;
	per = unit_ms(unit, r);
	if (!per)
		return JVPN_DURATION_SYNTAX;
	if (frac_at) {
		fraction(frac_at, per, &part, &any);
		if (!any)
			return JVPN_DURATION_SYNTAX;
	}
	if (big || whole > (UINT64_MAX - part) / per ||
	    whole * per + part > r->max_ms)
		return JVPN_DURATION_RANGE;
	*ms = whole * per + part;
	return JVPN_DURATION_OK;
}
