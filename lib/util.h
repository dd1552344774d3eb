/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Small helpers every userspace program of jvpn shares. */
#ifndef JVPN_UTIL_H
#define JVPN_UTIL_H

#include <stdlib.h>	/* EXIT_SUCCESS, EXIT_FAILURE: the tools' statuses */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* JVPN_UTIL_H */
