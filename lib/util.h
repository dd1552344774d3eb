/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Small helpers every userspace program of jvpn shares. */
#ifndef JVPN_UTIL_H
#define JVPN_UTIL_H

#include <stdlib.h> /* EXIT_SUCCESS, EXIT_FAILURE: the tools' statuses */

/* Every tool's status for a bad command line: nothing was done. */
#define EXIT_USAGE 2

/* The program's name, for messages: "jvpnk", "jvpnctl". */
static inline const char *tool_name(void)
{
	extern char *program_invocation_short_name;

	return program_invocation_short_name;
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* JVPN_UTIL_H */
