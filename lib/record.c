// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <string.h>

#include <linux/genetlink.h>

#include "record.h"
#include "util.h"
#include "nl.h"
#include "names.h"

enum field_kind {
	FIELD_UINT,	   /* u8/u16/u32/u64, by the attribute's length */
	FIELD_SINT,	   /* s32 */
	FIELD_STATE,	   /* u8, enum jvpn_state */
	FIELD_REASON,	   /* u32, enum jvpn_del_reason */
	FIELD_ENDPOINT,	   /* nest, enum jvpn_endpoint_attr */
	FIELD_ALLOWED_IPS, /* nest of JVPN_A_ALLOWED_IP */
	FIELD_CIDR,	   /* nest, enum jvpn_allowed_ip_attr */
	FIELD_HEX,	   /* binary */
};

struct field {
	const char *name;
	bool in_stats; /* an attribute of the JVPN_A_STATS nest */
	uint16_t type;
	enum field_kind kind;
};

#define TOP(name, type, kind)                                                  \
	{                                                                      \
		name, false, type, kind                                        \
	}
#define STAT(name, type)                                                       \
	{                                                                      \
		name, true, type, FIELD_UINT                                   \
	}

/* Every attribute a message can carry, in uapi order. */
static const struct field fields[] = {
	TOP("ifindex", JVPN_A_IFINDEX, FIELD_UINT),
	TOP("id", JVPN_A_SESSION_ID, FIELD_UINT),
	TOP("version", JVPN_A_STATE_VERSION, FIELD_UINT),
	TOP("expected_version", JVPN_A_EXPECTED_VERSION, FIELD_UINT),
	TOP("state", JVPN_A_STATE, FIELD_STATE),
	TOP("socket_fd", JVPN_A_SOCKET_FD, FIELD_SINT),
	TOP("local", JVPN_A_LOCAL, FIELD_ENDPOINT),
	TOP("remote", JVPN_A_REMOTE, FIELD_ENDPOINT),
	TOP("old_remote", JVPN_A_OLD_REMOTE, FIELD_ENDPOINT),
	TOP("allowed_ips", JVPN_A_ALLOWED_IPS, FIELD_ALLOWED_IPS),
	TOP("allowed_ip", JVPN_A_ALLOWED_IP, FIELD_CIDR),
	TOP("tx_key", JVPN_A_TX_KEY, FIELD_HEX),
	TOP("rx_key", JVPN_A_RX_KEY, FIELD_HEX),
	TOP("key_phase", JVPN_A_KEY_PHASE, FIELD_UINT),
	TOP("min_switch_ms", JVPN_A_MIN_SWITCH_INTERVAL_MS, FIELD_UINT),
	TOP("reason", JVPN_A_DEL_REASON, FIELD_REASON),
	TOP("last_rx_ns", JVPN_A_LAST_RX_NS, FIELD_UINT),
	TOP("last_tx_ns", JVPN_A_LAST_TX_NS, FIELD_UINT),
	TOP("last_switch_ns", JVPN_A_LAST_SWITCH_NS, FIELD_UINT),
	TOP("created_ns", JVPN_A_CREATED_NS, FIELD_UINT),
	TOP("seq", JVPN_A_EVENT_SEQ, FIELD_UINT),
	TOP("time_ns", JVPN_A_EVENT_TIME_NS, FIELD_UINT),
	TOP("old_state", JVPN_A_OLD_STATE, FIELD_STATE),
	TOP("tx_counter", JVPN_A_TX_COUNTER, FIELD_UINT),
	TOP("key_next", JVPN_A_KEY_NEXT, FIELD_UINT),
	TOP("key_generation", JVPN_A_KEY_GENERATION, FIELD_UINT),
	STAT("tx_packets", JVPN_STATS_A_TX_PACKETS),
	STAT("tx_bytes", JVPN_STATS_A_TX_BYTES),
	STAT("rx_packets", JVPN_STATS_A_RX_PACKETS),
	STAT("rx_bytes", JVPN_STATS_A_RX_BYTES),
	STAT("drop_bad_auth", JVPN_STATS_A_DROP_BAD_AUTH),
	STAT("drop_replay", JVPN_STATS_A_DROP_REPLAY),
	STAT("drop_stray", JVPN_STATS_A_DROP_STRAY),
	STAT("drop_unknown_session", JVPN_STATS_A_DROP_UNKNOWN_SESSION),
	STAT("drop_malformed", JVPN_STATS_A_DROP_MALFORMED),
	STAT("drop_inner_src", JVPN_STATS_A_DROP_INNER_SRC),
	STAT("drop_no_route", JVPN_STATS_A_DROP_NO_ROUTE),
	STAT("drop_tx_error", JVPN_STATS_A_DROP_TX_ERROR),
	STAT("switches", JVPN_STATS_A_SWITCHES),
	STAT("stray_events_suppressed", JVPN_STATS_A_STRAY_EVENTS_SUPPRESSED),
	STAT("drop_stray_limited", JVPN_STATS_A_DROP_STRAY_LIMITED),
	STAT("drop_queue_full", JVPN_STATS_A_DROP_QUEUE_FULL),
};

static void out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", tool_name());
	exit(EXIT_FAILURE);
}

void record_add(struct record *rec, const char *name, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		out_of_memory();
	/* the table above is the bound; overflowing it is a bug here */
	if (rec->count == RECORD_MAX_ITEMS) {
		fprintf(stderr, "%s: more than %d fields, '%s' dropped\n",
			tool_name(), RECORD_MAX_ITEMS, name);
		free(copy);
		return;
	}
	rec->items[rec->count++] = (struct record_item){ name, copy };
}

const char *record_get(const struct record *rec, const char *name)
{
	for (size_t i = 0; i < rec->count; i++)
		if (!strcmp(rec->items[i].name, name))
			return rec->items[i].value;
	return NULL;
}

void record_print(const struct record *rec, char separator)
{
	for (size_t i = 0; i < rec->count; i++) {
		if (i)
			putchar(separator);
		printf("%s=%s", rec->items[i].name, rec->items[i].value);
	}
	putchar('\n');
	fflush(stdout);
}

void record_free(struct record *rec)
{
	for (size_t i = 0; i < rec->count; i++)
		free(rec->items[i].value);
	rec->count = 0;
}

static int stats_attr(const struct nlattr *attr, void *data)
{
	struct jvpn_attrs *attrs = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= JVPN_STATS_A_MAX)
		attrs->stats[type] = attr;
	return MNL_CB_OK;
}

static int top_attr(const struct nlattr *attr, void *data)
{
	struct jvpn_attrs *attrs = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > JVPN_A_MAX)
		return MNL_CB_OK;
	attrs->top[type] = attr;
	if (type == JVPN_A_STATS)
		mnl_attr_parse_nested(attr, stats_attr, attrs);
	return MNL_CB_OK;
}

void jvpn_attrs_parse(const struct nlmsghdr *nlh, struct jvpn_attrs *attrs)
{
	memset(attrs, 0, sizeof(*attrs));
	mnl_attr_parse(nlh, GENL_HDRLEN, top_attr, attrs);
}

/* A u8/u16/u32/u64 by its length; false for any other length. */
static bool read_uint(const struct nlattr *attr, uint64_t *value)
{
	const void *payload = mnl_attr_get_payload(attr);
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (mnl_attr_get_payload_len(attr)) {
	case 1:
		memcpy(&u8, payload, 1);
		*value = u8;
		return true;
	case 2:
		memcpy(&u16, payload, 2);
		*value = u16;
		return true;
	case 4:
		memcpy(&u32, payload, 4);
		*value = u32;
		return true;
	case 8:
		memcpy(value, payload, 8);
		return true;
	}
	return false;
}

static void print_bad_length(FILE *out, const struct nlattr *attr)
{
	fprintf(out, "invalid-length-%u", mnl_attr_get_payload_len(attr));
}

static void print_uint(FILE *out, const struct nlattr *attr)
{
	uint64_t value;

	if (read_uint(attr, &value))
		fprintf(out, "%" PRIu64, value);
	else
		print_bad_length(out, attr);
}

static void print_sint(FILE *out, const struct nlattr *attr)
{
	int32_t value;

	if (mnl_attr_get_payload_len(attr) != sizeof(value)) {
		print_bad_length(out, attr);
		return;
	}
	memcpy(&value, mnl_attr_get_payload(attr), sizeof(value));
	fprintf(out, "%" PRId32, value);
}

/* A name from names.h, or the number for a value newer than the tool. */
static void print_named(FILE *out, const struct nlattr *attr,
			const char *(*name_of)(unsigned int))
{
	uint64_t value;
	const char *name;

	if (!read_uint(attr, &value)) {
		print_bad_length(out, attr);
		return;
	}
	name = value <= UINT32_MAX ? name_of((unsigned int)value) : NULL;
	if (name)
		fputs(name, out);
	else
		fprintf(out, "%" PRIu64, value);
}

static void print_hex(FILE *out, const struct nlattr *attr)
{
	const uint8_t *bytes = mnl_attr_get_payload(attr);

	for (uint16_t i = 0; i < mnl_attr_get_payload_len(attr); i++)
		fprintf(out, "%02x", bytes[i]);
}

/* An address of family, or "?" if its length does not fit the family. */
static void print_address(FILE *out, int family, const struct nlattr *attr)
{
	size_t want = family == AF_INET6 ? 16 : 4;
	char text[INET6_ADDRSTRLEN];

	if (!attr || mnl_attr_get_payload_len(attr) != want ||
	    !inet_ntop(family, mnl_attr_get_payload(attr), text, sizeof(text)))
		fputc('?', out);
	else
		fputs(text, out);
}

/* The attributes of a nest, by type, up to max. */
struct nest_table {
	const struct nlattr **tb;
	uint16_t max;
};

static int nested_attr(const struct nlattr *attr, void *data)
{
	const struct nest_table *table = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= table->max)
		table->tb[type] = attr;
	return MNL_CB_OK;
}

static void print_endpoint(FILE *out, const struct nlattr *nest)
{
	const struct nlattr *tb[JVPN_EP_A_MAX + 1] = { 0 };
	struct nest_table table = { tb, JVPN_EP_A_MAX };

	mnl_attr_parse_nested(nest, nested_attr, &table);
	if (tb[JVPN_EP_A_ADDR6]) {
		fputc('[', out);
		print_address(out, AF_INET6, tb[JVPN_EP_A_ADDR6]);
		fputc(']', out);
	} else {
		print_address(out, AF_INET, tb[JVPN_EP_A_ADDR4]);
	}
	fputc(':', out);
	if (tb[JVPN_EP_A_PORT])
		print_uint(out, tb[JVPN_EP_A_PORT]);
	else
		fputc('?', out);
}

static void print_cidr(FILE *out, const struct nlattr *nest)
{
	const struct nlattr *tb[JVPN_AIP_A_MAX + 1] = { 0 };
	struct nest_table table = { tb, JVPN_AIP_A_MAX };
	uint64_t family = 0;

	mnl_attr_parse_nested(nest, nested_attr, &table);
	if (tb[JVPN_AIP_A_FAMILY])
		read_uint(tb[JVPN_AIP_A_FAMILY], &family);
	if (family == AF_INET || family == AF_INET6)
		print_address(out, (int)family, tb[JVPN_AIP_A_ADDR]);
	else
		fprintf(out, "family-%" PRIu64 "?", family);
	fputc('/', out);
	if (tb[JVPN_AIP_A_PREFIX_LEN])
		print_uint(out, tb[JVPN_AIP_A_PREFIX_LEN]);
	else
		fputc('?', out);
}

/* Comma-separated; an empty nest prints as an empty value. */
static void print_allowed_ips(FILE *out, const struct nlattr *nest)
{
	const struct nlattr *attr;
	bool first = true;

	mnl_attr_for_each_nested(attr, nest)
	{
		if (mnl_attr_get_type(attr) != JVPN_A_ALLOWED_IP)
			continue;
		if (!first)
			fputc(',', out);
		print_cidr(out, attr);
		first = false;
	}
}

static void print_field(FILE *out, const struct field *field,
			const struct nlattr *attr)
{
	switch (field->kind) {
	case FIELD_UINT:
		print_uint(out, attr);
		break;
	case FIELD_SINT:
		print_sint(out, attr);
		break;
	case FIELD_STATE:
		print_named(out, attr, jvpn_state_name);
		break;
	case FIELD_REASON:
		print_named(out, attr, jvpn_del_reason_name);
		break;
	case FIELD_ENDPOINT:
		print_endpoint(out, attr);
		break;
	case FIELD_ALLOWED_IPS:
		print_allowed_ips(out, attr);
		break;
	case FIELD_CIDR:
		print_cidr(out, attr);
		break;
	case FIELD_HEX:
		print_hex(out, attr);
		break;
	}
}

static const struct nlattr *field_attr(const struct jvpn_attrs *attrs,
				       const struct field *field)
{
	return field->in_stats ? attrs->stats[field->type]
			       : attrs->top[field->type];
}

static const struct field *find_field(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

bool is_field_name(const char *name)
{
	return find_field(name);
}

bool is_number_field(const char *name)
{
	const struct field *field = find_field(name);

	return field &&
	       (field->kind == FIELD_UINT || field->kind == FIELD_SINT);
}

bool is_list_field(const char *name)
{
	const struct field *field = find_field(name);

	return field && field->kind == FIELD_ALLOWED_IPS;
}

static void add_field(struct record *rec, const struct jvpn_attrs *attrs,
		      const struct field *field)
{
	const struct nlattr *attr = field_attr(attrs, field);
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	if (!attr || record_get(rec, field->name))
		return;
	out = open_memstream(&text, &size);
	if (!out)
		out_of_memory();
	print_field(out, field, attr);
	if (fclose(out))
		out_of_memory();
	record_add(rec, field->name, text);
	free(text);
}

void record_add_field(struct record *rec, const struct jvpn_attrs *attrs,
		      const char *name)
{
	const struct field *field = find_field(name);

	if (field)
		add_field(rec, attrs, field);
}

void record_add_fields(struct record *rec, const struct jvpn_attrs *attrs,
		       const char *const *lead, size_t n_lead)
{
	for (size_t i = 0; i < n_lead; i++)
		record_add_field(rec, attrs, lead[i]);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		add_field(rec, attrs, &fields[i]);
}

void format_sockaddr(FILE *out, const union jvpn_sockaddr *addr)
{
	char text[JVPN_SOCKADDR_TEXT_MAX];

	/* the kernel sent no address: the field is unknown, not "none" */
	if (addr->sa.sa_family == AF_UNSPEC)
		fputs("?", out);
	else
		fputs(jvpn_sockaddr_text(addr, text, sizeof(text)), out);
}
