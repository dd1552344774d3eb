// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "sockaddr.h"

socklen_t jvpn_sockaddr_len(const union jvpn_sockaddr *a)
{
	return a->sa.sa_family == AF_INET ? sizeof(a->in4) : sizeof(a->in6);
}

static void text6(const struct sockaddr_in6 *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?", scope[IF_NAMESIZE + 1] = "";

	inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
	if (a->sin6_scope_id && if_indextoname(a->sin6_scope_id, scope + 1))
		scope[0] = '%';
	snprintf(buf, size, "[%s%s]:%u", ip, scope, ntohs(a->sin6_port));
}

const char *jvpn_sockaddr_text(const union jvpn_sockaddr *a, char *buf,
			       size_t size)
{
	char ip[INET_ADDRSTRLEN] = "?";

	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->in4.sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(a->in4.sin_port));
	} else if (a->sa.sa_family == AF_INET6) {
		text6(&a->in6, buf, size);
	} else {
		snprintf(buf, size,
			 a->sa.sa_family == AF_UNSPEC ? "none" : "?");
	}
	return buf;
}

bool jvpn_sockaddr_equal(const union jvpn_sockaddr *a,
			 const union jvpn_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_port == b->in4.sin_port &&
		       a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr;
	return a->in6.sin6_port == b->in6.sin6_port &&
	       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16);
}
