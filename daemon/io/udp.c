// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udp.h"

int udp_open(int family, const union jvpn_sockaddr *local, const char *ifname)
{
	union jvpn_sockaddr any = { .sa.sa_family = (sa_family_t)family };
	int fd, err;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (local && local->sa.sa_family == AF_UNSPEC)
		local = NULL;
	if (family == AF_INET6) {
		int one = 1;

		/* one family per socket: the kernel binds a session's
		 * endpoint to the socket's family */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (ifname && *ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname) + 1))
		goto fail;
	if (bind(fd, &(local ? local : &any)->sa,
		 jvpn_sockaddr_len(local ? local : &any)))
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

ssize_t udp_send(int fd, const union jvpn_sockaddr *to, const void *buf,
		 size_t len)
{
	return sendto(fd, buf, len, 0, &to->sa, jvpn_sockaddr_len(to));
}

ssize_t udp_recv(int fd, union jvpn_sockaddr *from, void *buf, size_t size)
{
	socklen_t alen = sizeof(*from);

	memset(from, 0, sizeof(*from));
	return recvfrom(fd, buf, size, 0, &from->sa, &alen);
}

int udp_find_bound(const int *fds, size_t n, const union jvpn_sockaddr *local)
{
	union jvpn_sockaddr a;
	socklen_t len;

	for (size_t i = 0; i < n; i++) {
		len = sizeof(a);
		memset(&a, 0, sizeof(a));
		if (!getsockname(fds[i], &a.sa, &len) &&
		    jvpn_sockaddr_equal(&a, local))
			return fds[i];
	}
	return -1;
}

int udp_find_uplink(const int *fds, size_t n, const struct config_uplink *u)
{
	union jvpn_sockaddr a;
	char dev[IFNAMSIZ];
	socklen_t len;

	for (size_t i = 0; i < n; i++) {
		len = sizeof(dev);
		memset(dev, 0, sizeof(dev));
		if (getsockopt(fds[i], SOL_SOCKET, SO_BINDTODEVICE, dev,
			       &len) ||
		    strcmp(dev, u->ifname))
			continue;
		len = sizeof(a);
		memset(&a, 0, sizeof(a));
		if (u->local.sa.sa_family != AF_UNSPEC &&
		    (getsockname(fds[i], &a.sa, &len) ||
		     memcmp(a.sa.sa_family == AF_INET6
				    ? (void *)&a.in6.sin6_addr
				    : (void *)&a.in4.sin_addr,
			    a.sa.sa_family == AF_INET6
				    ? (void *)&u->local.in6.sin6_addr
				    : (void *)&u->local.in4.sin_addr,
			    a.sa.sa_family == AF_INET6 ? 16 : 4)))
			continue;
		return fds[i];
	}
	return -1;
}
