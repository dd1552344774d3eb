// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udpsock.h"
#include "util.h"

static int set_flag(int fd, int option)
{
	int on = 1;

	return setsockopt(fd, SOL_SOCKET, option, &on, sizeof(on));
}

/*
 * A gateway runs many sessions on one port, each created by its own jvpnk
 * run, so every socket opts into sharing its address before bind(); which
 * sharing it accepts is the kernel module's decision.
 */
static int allow_shared_port(const char *cmd, int fd)
{
	if (set_flag(fd, SO_REUSEADDR) || set_flag(fd, SO_REUSEPORT)) {
		fprintf(stderr, "%s: %s: SO_REUSEADDR/SO_REUSEPORT: %s\n",
			tool_name(), cmd, strerror(errno));
		return -1;
	}
	return 0;
}

static int bind_to_device(const char *cmd, int fd, const char *bind_dev)
{
	if (!bind_dev)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bind_dev,
		       (socklen_t)strlen(bind_dev))) {
		fprintf(stderr, "%s: %s: --bind-dev %s: SO_BINDTODEVICE: %s\n",
			tool_name(), cmd, bind_dev, strerror(errno));
		return -1;
	}
	return 0;
}

int transport_open(const char *cmd, const char *bind_text,
		   const union jvpn_sockaddr *local, const char *bind_dev)
{
	socklen_t len = local->sa.sa_family == AF_INET6 ? sizeof(local->in6)
							: sizeof(local->in4);
	int fd = socket(local->sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC,
			IPPROTO_UDP);

	if (fd < 0) {
		fprintf(stderr, "%s: %s: UDP socket: %s\n", tool_name(), cmd,
			strerror(errno));
		return -1;
	}
	if (allow_shared_port(cmd, fd) || bind_to_device(cmd, fd, bind_dev))
		goto fail;
	if (bind(fd, &local->sa, len)) {
		fprintf(stderr, "%s: %s: --bind %s: %s\n", tool_name(), cmd,
			bind_text, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}
