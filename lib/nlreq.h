/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Building jvpn requests, and the send-one-request-and-wait pattern. */
#ifndef JVPN_NLREQ_H
#define JVPN_NLREQ_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* More than a test needs, and a request that still fits the buffer. */
#define MAX_ALLOWED_IPS 1024

/* Fills in the attributes of a request from a subcommand's arguments. */
typedef void (*request_builder)(struct nlmsghdr *req, const void *args);

/*
 * Resolves the family, sends one genl_cmd request that build() fills from
 * args, and waits for the ack. Returns the exit status, having printed
 * any error ("jvpnk: CMD: strerror: extack").
 */
int request_once(const char *cmd, uint8_t genl_cmd, request_builder build,
		 const void *args);

/* JVPN_A_IFINDEX and JVPN_A_SESSION_ID: which session a request is about */
void put_session_ref(struct nlmsghdr *req, unsigned int ifindex, uint64_t id);

/* A nest of enum jvpn_endpoint_attr: ADDR4 or ADDR6, and PORT. */
void put_endpoint(struct nlmsghdr *req, uint16_t type,
		  const union jvpn_sockaddr *endpoint);

/* A JVPN_A_ALLOWED_IP nest of enum jvpn_allowed_ip_attr. */
void put_allowed_ip(struct nlmsghdr *req, const struct jvpn_cidr *cidr);

/* JVPN_A_ALLOWED_IPS holding one JVPN_A_ALLOWED_IP per prefix. */
void put_allowed_ips(struct nlmsghdr *req, const struct jvpn_cidr *cidrs,
		     size_t n);

#endif /* JVPN_NLREQ_H */
