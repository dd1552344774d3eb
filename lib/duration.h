/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one duration parser: "500ms", "2s", "5m", "1h", and, where a caller
 * allows it, a bare number in a unit of its choosing and decimal fractions
 * ("0.25" seconds on a command line). The config file insists on a unit,
 * because nobody reading "500" could tell ms from s.
 */
#ifndef JVPN_DURATION_H
#define JVPN_DURATION_H

#include <stdbool.h>
#include <stdint.h>

struct jvpn_duration_rules {
	uint64_t bare_unit_ms; /* a number without a unit; 0: refused */
	bool no_units;	       /* only bare numbers: "5s" is refused */
	bool fractions;	       /* "1.5s"; a part below 1 ms rounds up */
	uint64_t max_ms;
};

enum jvpn_duration_status {
	JVPN_DURATION_OK,
	JVPN_DURATION_SYNTAX, /* not a duration these rules accept */
	JVPN_DURATION_RANGE,  /* one, but above max_ms */
};

enum jvpn_duration_status
jvpn_parse_duration(const char *text, const struct jvpn_duration_rules *r,
		    uint64_t *ms);

#endif /* JVPN_DURATION_H */
