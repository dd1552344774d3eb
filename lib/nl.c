// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/jvpn.h>
#include <linux/netlink.h>

#include "util.h"
#include "names.h"
#include "nl.h"

/* One request in flight: what the reply and control callbacks share. */
struct transaction {
	struct jvpn_nl *nl;
	const struct nlmsghdr *req;
	mnl_cb_t on_reply;
	void *data;
	int error; /* -errno from NLMSG_ERROR or NLMSG_DONE */
};

/* The TLVs of an extended ack (NETLINK_EXT_ACK). */
struct extack {
	const char *msg;
	bool has_offset, has_missing, has_missing_nest;
	uint32_t offset; /* of the bad attribute in the request */
	uint32_t missing_type;
	uint32_t missing_nest; /* offset of the nest it was missing from */
};

/* Says why in nl->err; EXIT_FAILURE. */
static int fail(struct jvpn_nl *nl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct jvpn_nl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
	return EXIT_FAILURE;
}

static struct nlmsghdr *new_request(struct jvpn_nl *nl, uint16_t type,
				    uint8_t cmd, uint8_t version,
				    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->tx);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *jvpn_nl_request(struct jvpn_nl *nl, uint8_t cmd,
				 uint16_t flags)
{
	return new_request(nl, nl->family_id, cmd, JVPN_GENL_VERSION, flags);
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct extack *ea = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (!mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			ea->msg = mnl_attr_get_str(attr);
		break;
	case NLMSGERR_ATTR_OFFS:
		ea->has_offset = !mnl_attr_validate(attr, MNL_TYPE_U32);
		ea->offset = ea->has_offset ? mnl_attr_get_u32(attr) : 0;
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		ea->has_missing = !mnl_attr_validate(attr, MNL_TYPE_U32);
		ea->missing_type = ea->has_missing ? mnl_attr_get_u32(attr) : 0;
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		ea->has_missing_nest = !mnl_attr_validate(attr, MNL_TYPE_U32);
		ea->missing_nest =
			ea->has_missing_nest ? mnl_attr_get_u32(attr) : 0;
		break;
	}
	return MNL_CB_OK;
}

/* Appends "/NAME" (or "/#type" for a type we have no name for) to path. */
static void append_name(char *path, size_t size, unsigned int parent,
			unsigned int type)
{
	const char *name = jvpn_nested_attr_name(parent, type);
	size_t len = strlen(path);
	const char *separator = len ? "/" : "";

	if (name)
		snprintf(path + len, size - len, "%s%s", separator, name);
	else
		snprintf(path + len, size - len, "%s#%u", separator, type);
}

/*
 * Writes the path of the attribute that starts at byte offset of req, such
 * as "JVPN_A_REMOTE/JVPN_EP_A_PORT", so that an error names what we sent
 * rather than a number. False if no attribute starts there.
 */
static bool attr_path_at(const struct nlmsghdr *req, uint32_t offset,
			 char *path, size_t size)
{
	const char *base = (const char *)req;
	const struct nlattr *attr =
		mnl_nlmsg_get_payload_offset(req, GENL_HDRLEN);
	const char *end = mnl_nlmsg_get_payload_tail(req);
	unsigned int parent = 0;

	path[0] = '\0';
	if (offset >= req->nlmsg_len)
		return false;
	while (mnl_attr_ok(attr, (int)(end - (const char *)attr))) {
		uint32_t start = (uint32_t)((const char *)attr - base);
		uint32_t stop = start + attr->nla_len;
		unsigned int type = mnl_attr_get_type(attr);

		if (offset >= stop) {
			attr = mnl_attr_next(attr);
			continue;
		}
		if (offset < start)
			return false; /* in padding: no attribute there */
		append_name(path, size, parent, type);
		if (offset == start)
			return true;
		if (!(attr->nla_type & NLA_F_NESTED))
			return false;
		/* inside this nest: descend */
		parent = type;
		end = base + stop;
		attr = mnl_attr_get_payload(attr);
	}
	return false;
}

static void append_text(char *out, size_t size, const char *text)
{
	size_t len = strlen(out);

	snprintf(out + len, size - len, "%s%s", len ? "; " : "", text);
}

/* "missing JVPN_A_REMOTE", "missing JVPN_EP_A_PORT in JVPN_A_REMOTE" */
static void describe_missing(const struct transaction *t,
			     const struct extack *ea, char *text, size_t size)
{
	const char *base = (const char *)t->req;
	char nest[128] = "";
	unsigned int parent = 0;
	const char *name;

	/* the missing type is numbered in the enum of the nest it is from */
	if (ea->has_missing_nest &&
	    attr_path_at(t->req, ea->missing_nest, nest, sizeof(nest)))
		parent = mnl_attr_get_type(
			(const struct nlattr *)(base + ea->missing_nest));
	name = jvpn_nested_attr_name(parent, ea->missing_type);
	if (name)
		snprintf(text, size, "missing %s", name);
	else
		snprintf(text, size, "missing attribute %u", ea->missing_type);
	if (nest[0]) {
		size_t len = strlen(text);

		snprintf(text + len, size - len, " in %s", nest);
	}
}

/* Turns the TLVs into one line in nl->extack. */
static void describe_extack(const struct transaction *t,
			    const struct extack *ea)
{
	char *out = t->nl->extack;
	size_t size = sizeof(t->nl->extack);
	char path[128], text[300];

	if (ea->msg)
		append_text(out, size, ea->msg);
	if (ea->has_offset &&
	    attr_path_at(t->req, ea->offset, path, sizeof(path))) {
		snprintf(text, sizeof(text), "at %s", path);
		append_text(out, size, text);
	}
	if (ea->has_missing) {
		describe_missing(t, ea, text, sizeof(text));
		append_text(out, size, text);
	}
}

static void read_extack(struct transaction *t, const struct nlmsghdr *nlh,
			unsigned int offset)
{
	struct extack ea = { 0 };

	t->nl->extack[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_parse(nlh, offset, extack_attr, &ea);
	describe_extack(t, &ea);
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	struct transaction *t = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		t->error = -EBADMSG;
		return MNL_CB_STOP;
	}
	if (!err->error)
		return MNL_CB_STOP; /* the ack */
	t->error = err->error;
	/* the request is echoed before the TLVs unless NETLINK_CAP_ACK took */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += mnl_nlmsg_get_payload_len(&err->msg);
	read_extack(t, nlh, offset);
	return MNL_CB_STOP;
}

/* The end of a dump carries the dump's error, if it failed half way. */
static int on_done(const struct nlmsghdr *nlh, void *data)
{
	struct transaction *t = data;
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error < 0) {
		t->error = error;
		read_extack(t, nlh, sizeof(error));
	}
	return MNL_CB_STOP;
}

static int on_reply(const struct nlmsghdr *nlh, void *data)
{
	struct transaction *t = data;

	return t->on_reply ? t->on_reply(nlh, t->data) : MNL_CB_OK;
}

static int receive_replies(struct transaction *t)
{
	struct jvpn_nl *nl = t->nl;
	mnl_cb_t control[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
	};

	for (;;) {
		ssize_t len =
			mnl_socket_recvfrom(nl->sock, nl->rx, JVPN_NL_BUF_SIZE);
		int ret;

		if (len < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(nl->rx, (size_t)len, t->req->nlmsg_seq,
				  nl->portid, on_reply, t, control,
				  ARRAY_SIZE(control));
		/* replies carry the daemon's record of keys (SESSION_GET) */
		explicit_bzero(nl->rx, (size_t)len);
		if (ret < 0)
			return errno ? -errno : -EPROTO;
		if (ret == MNL_CB_STOP)
			return t->error;
	}
}

int jvpn_nl_transact(struct jvpn_nl *nl, struct nlmsghdr *req,
		     mnl_cb_t reply_cb, void *data)
{
	struct transaction t = {
		.nl = nl,
		.req = req,
		.on_reply = reply_cb,
		.data = data,
	};

	int err;

	nl->extack[0] = '\0';
	req->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		err = -errno;
	else
		err = receive_replies(&t);
	/*
	 * Requests carry data keys and the daemon's record of its control
	 * key (SESSION_NEW, SET_KEYS): none outlives its transaction in the
	 * buffer, and the replies needed it only to name attributes.
	 */
	explicit_bzero(req, req->nlmsg_len);
	return err;
}

int jvpn_nl_report(const struct jvpn_nl *nl, int err)
{
	if (err == -EINTR)
		fprintf(stderr,
			"%s: %s: the dump was interrupted by a "
			"concurrent change (NLM_F_DUMP_INTR); "
			"run it again\n",
			tool_name(), nl->cmd);
	else if (nl->extack[0])
		fprintf(stderr, "%s: %s: %s: %s\n", tool_name(), nl->cmd,
			strerror(-err), nl->extack);
	else
		fprintf(stderr, "%s: %s: %s\n", tool_name(), nl->cmd,
			strerror(-err));
	return EXIT_FAILURE;
}

struct family_info {
	uint16_t id;
	uint32_t events_group;
};

static int mcast_group_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= CTRL_ATTR_MCAST_GRP_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void read_mcast_groups(const struct nlattr *groups,
			      struct family_info *info)
{
	const struct nlattr *group;

	mnl_attr_for_each_nested(group, groups)
	{
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };

		mnl_attr_parse_nested(group, mcast_group_attr, tb);
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !tb[CTRL_ATTR_MCAST_GRP_ID] ||
		    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME],
				      MNL_TYPE_NUL_STRING) ||
		    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32))
			continue;
		if (!strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    JVPN_MCGRP_EVENTS))
			info->events_group =
				mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_attr(const struct nlattr *attr, void *data)
{
	struct family_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (!mnl_attr_validate(attr, MNL_TYPE_U16))
			info->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (!mnl_attr_validate(attr, MNL_TYPE_NESTED))
			read_mcast_groups(attr, info);
		break;
	}
	return MNL_CB_OK;
}

static int on_family(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, family_attr, data);
}

static int resolve_family(struct jvpn_nl *nl)
{
	struct nlmsghdr *req =
		new_request(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	struct family_info info = { 0 };
	int err;

	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, JVPN_GENL_NAME);
	err = jvpn_nl_transact(nl, req, on_family, &info);
	if (err == -ENOENT) {
		nl->no_family = true;
		return fail(nl,
			    "generic netlink family \"%s\" not found: "
			    "is jvpn.ko loaded?",
			    JVPN_GENL_NAME);
	}
	if (err)
		return fail(nl, "resolving family \"%s\": %s%s%s",
			    JVPN_GENL_NAME, strerror(-err),
			    nl->extack[0] ? ": " : "", nl->extack);
	if (!info.id)
		return fail(nl, "the controller sent no id for family \"%s\"",
			    JVPN_GENL_NAME);
	nl->family_id = info.id;
	nl->events_group = info.events_group;
	return 0;
}

/* Asks for extended acks, and for acks without a copy of the request. */
static void enable_ext_ack(struct jvpn_nl *nl)
{
	int on = 1;

	/* both are optional: an old kernel just says less */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &on, sizeof(on));
}

static int open_socket(struct jvpn_nl *nl)
{
	nl->tx = malloc(JVPN_NL_BUF_SIZE);
	nl->rx = malloc(JVPN_NL_BUF_SIZE);
	if (!nl->tx || !nl->rx)
		return fail(nl, "out of memory");
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID))
		return fail(nl, "generic netlink socket: %s", strerror(errno));
	nl->portid = mnl_socket_get_portid(nl->sock);
	enable_ext_ack(nl);
	return 0;
}

int jvpn_nl_connect(struct jvpn_nl *nl, const char *cmd)
{
	*nl = (struct jvpn_nl){
		.cmd = cmd,
		/* distinct runs get distinct sequence numbers, as iproute2 */
		.seq = (unsigned int)time(NULL),
	};
	if (open_socket(nl) || resolve_family(nl)) {
		jvpn_nl_close(nl);
		return EXIT_FAILURE;
	}
	return 0;
}

void jvpn_nl_close(struct jvpn_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	if (nl->tx)
		explicit_bzero(nl->tx, JVPN_NL_BUF_SIZE);
	if (nl->rx)
		explicit_bzero(nl->rx, JVPN_NL_BUF_SIZE);
	free(nl->tx);
	free(nl->rx);
	nl->sock = NULL;
	nl->tx = nl->rx = NULL;
}

int jvpn_nl_join_events(struct jvpn_nl *nl)
{
	if (!nl->events_group)
		return fail(nl, "family \"%s\" has no \"%s\" multicast group",
			    JVPN_GENL_NAME, JVPN_MCGRP_EVENTS);
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &nl->events_group, sizeof(nl->events_group)))
		return fail(nl, "joining multicast group \"%s\": %s",
			    JVPN_MCGRP_EVENTS, strerror(errno));
	return 0;
}

/* The command-line tools' forms: the same, and the failure said. */
static int said(const struct jvpn_nl *nl, int status)
{
	if (status)
		fprintf(stderr, "%s: %s: %s\n", tool_name(), nl->cmd, nl->err);
	return status;
}

int jvpn_nl_open(struct jvpn_nl *nl, const char *cmd)
{
	return said(nl, jvpn_nl_connect(nl, cmd));
}

int jvpn_nl_subscribe(struct jvpn_nl *nl)
{
	return said(nl, jvpn_nl_join_events(nl));
}
