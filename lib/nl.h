/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The generic-netlink plumbing: one socket, the "jvpn" family id and its
 * "events" group resolved through the controller, and request/ack
 * transactions that keep the kernel's extended-ack message.
 */
#ifndef JVPN_NL_H
#define JVPN_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/*
 * Large enough for a request with a thousand allowed IPs, and for the
 * biggest batch the kernel sends (it caps dump skbs at 32 KiB).
 */
#define JVPN_NL_BUF_SIZE   65536
#define JVPN_NL_EXTACK_MAX 512

struct jvpn_nl {
	const char *cmd; /* the subcommand, for messages */
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;
	uint32_t events_group; /* 0 if the family has no "events" group */
	bool no_family;	       /* jvpn.ko is not loaded */
	char *tx;	       /* the request being built */
	char *rx;	       /* one batch of replies */
	/* the kernel's words on the last error, "" if it gave none */
	char extack[JVPN_NL_EXTACK_MAX];
	/* why connecting or joining failed, for whoever reports it */
	char err[JVPN_NL_EXTACK_MAX + 64];
};

/*
 * Opens the socket and resolves the family: 0, or EXIT_FAILURE with the
 * reason (such as the module not being loaded) in nl->err. jvpn_nl_open
 * is the command-line tools' form: it also prints the reason.
 */
int jvpn_nl_connect(struct jvpn_nl *nl, const char *cmd);
int jvpn_nl_open(struct jvpn_nl *nl, const char *cmd);
void jvpn_nl_close(struct jvpn_nl *nl);

/* Starts a jvpn request in nl->tx; flags is 0 or NLM_F_DUMP. */
struct nlmsghdr *jvpn_nl_request(struct jvpn_nl *nl, uint8_t cmd,
				 uint16_t flags);

/*
 * Sends req with NLM_F_ACK and runs on_reply (may be NULL) on every reply
 * until the ack or the end of the dump. Returns 0, or -errno with the
 * kernel's extended ack, if any, in nl->extack.
 */
int jvpn_nl_transact(struct jvpn_nl *nl, struct nlmsghdr *req,
		     mnl_cb_t on_reply, void *data);

/*
 * Prints "TOOL: CMD: strerror: extack" for an error jvpn_nl_transact()
 * returned, and returns EXIT_FAILURE.
 */
int jvpn_nl_report(const struct jvpn_nl *nl, int err);

/* Joins the "events" multicast group: 0 or EXIT_FAILURE with nl->err;
 * jvpn_nl_subscribe also prints it. */
int jvpn_nl_join_events(struct jvpn_nl *nl);
int jvpn_nl_subscribe(struct jvpn_nl *nl);

#endif /* JVPN_NL_H */
