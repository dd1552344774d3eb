// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>

#include <linux/jvpn.h>

#include "util.h"
#include "nl.h"
#include "nlreq.h"

int request_once(const char *cmd, uint8_t genl_cmd, request_builder build,
		 const void *args)
{
	struct jvpn_nl nl;
	struct nlmsghdr *req;
	int err;

	if (jvpn_nl_open(&nl, cmd))
		return EXIT_FAILURE;
	req = jvpn_nl_request(&nl, genl_cmd, 0);
	build(req, args);
	err = jvpn_nl_transact(&nl, req, NULL, NULL);
	if (err)
		jvpn_nl_report(&nl, err);
	jvpn_nl_close(&nl);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

void put_session_ref(struct nlmsghdr *req, unsigned int ifindex, uint64_t id)
{
	mnl_attr_put_u32(req, JVPN_A_IFINDEX, ifindex);
	mnl_attr_put_u64(req, JVPN_A_SESSION_ID, id);
}

void put_endpoint(struct nlmsghdr *req, uint16_t type,
		  const union jvpn_sockaddr *endpoint)
{
	struct nlattr *nest = mnl_attr_nest_start(req, type);

	if (endpoint->sa.sa_family == AF_INET6) {
		mnl_attr_put(req, JVPN_EP_A_ADDR6, 16,
			     &endpoint->in6.sin6_addr);
		mnl_attr_put_u16(req, JVPN_EP_A_PORT,
				 ntohs(endpoint->in6.sin6_port));
	} else {
		mnl_attr_put(req, JVPN_EP_A_ADDR4, 4, &endpoint->in4.sin_addr);
		mnl_attr_put_u16(req, JVPN_EP_A_PORT,
				 ntohs(endpoint->in4.sin_port));
	}
	mnl_attr_nest_end(req, nest);
}

void put_allowed_ip(struct nlmsghdr *req, const struct jvpn_cidr *cidr)
{
	struct nlattr *nest = mnl_attr_nest_start(req, JVPN_A_ALLOWED_IP);

	mnl_attr_put_u16(req, JVPN_AIP_A_FAMILY, cidr->family);
	mnl_attr_put(req, JVPN_AIP_A_ADDR, cidr_addr_len(cidr), cidr->addr);
	mnl_attr_put_u8(req, JVPN_AIP_A_PREFIX_LEN, cidr->prefix_len);
	mnl_attr_nest_end(req, nest);
}

void put_allowed_ips(struct nlmsghdr *req, const struct jvpn_cidr *cidrs,
		     size_t n)
{
	struct nlattr *nest = mnl_attr_nest_start(req, JVPN_A_ALLOWED_IPS);

	for (size_t i = 0; i < n; i++)
		put_allowed_ip(req, &cidrs[i]);
	mnl_attr_nest_end(req, nest);
}
