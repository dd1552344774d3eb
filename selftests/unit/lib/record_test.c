// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of lib/record.c: kernel messages to key=value records.
 * Messages are built in a buffer with libmnl, as the kernel would send
 * them, so no netlink socket is needed. The field names are written out
 * by hand on purpose: the shell tests grep for "key=value".
 */
#include <arpa/inet.h>
#include <limits.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/genetlink.h>

#include "record.h"
#include "util.h"
#include "parse.h"

/* ---- building messages -------------------------------------------- */

struct msg {
	union {
		struct nlmsghdr nlh;
		char bytes[8192];
	} u;
};

static struct nlmsghdr *msg_init(struct msg *msg)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(msg, 0, sizeof(*msg));
	nlh = mnl_nlmsg_put_header(msg->u.bytes);
	nlh->nlmsg_type = 0x1d; /* any family id */
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = JVPN_CMD_SESSION_GET;
	genl->version = JVPN_GENL_VERSION;
	return nlh;
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, int family,
		     const char *text)
{
	unsigned char addr[16];

	assert_int_equal(inet_pton(family, text, addr), 1);
	mnl_attr_put(nlh, type, family == AF_INET6 ? 16 : 4, addr);
}

static void put_endpoint(struct nlmsghdr *nlh, uint16_t type, int family,
			 const char *addr, uint16_t port)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	put_addr(nlh, family == AF_INET6 ? JVPN_EP_A_ADDR6 : JVPN_EP_A_ADDR4,
		 family, addr);
	mnl_attr_put_u16(nlh, JVPN_EP_A_PORT, port);
	mnl_attr_nest_end(nlh, nest);
}

static void put_cidr(struct nlmsghdr *nlh, int family, const char *addr,
		     uint8_t prefix_len)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IP);

	mnl_attr_put_u16(nlh, JVPN_AIP_A_FAMILY, (uint16_t)family);
	put_addr(nlh, JVPN_AIP_A_ADDR, family, addr);
	mnl_attr_put_u8(nlh, JVPN_AIP_A_PREFIX_LEN, prefix_len);
	mnl_attr_nest_end(nlh, nest);
}

/* ---- reading records ---------------------------------------------- */

/* Every field of the message, in record_add_fields() order. */
static void fields_of(const struct nlmsghdr *nlh, struct record *rec)
{
	struct jvpn_attrs attrs;

	jvpn_attrs_parse(nlh, &attrs);
	rec->count = 0;
	record_add_fields(rec, &attrs, NULL, 0);
}

/* The message has exactly the one field name, and it reads want. */
static void check_only_field(const struct nlmsghdr *nlh, const char *name,
			     const char *want)
{
	struct record rec;

	fields_of(nlh, &rec);
	if (rec.count != 1 || strcmp(rec.items[0].name, name))
		fail_msg("want only the field %s, got %zu fields, the first "
			 "%s",
			 name, rec.count, rec.count ? rec.items[0].name : "-");
	assert_string_equal(rec.items[0].value, want);
	record_free(&rec);
}

/* What fn(arg) writes to file descriptor fd (1 or 2), malloc'd. */
static char *capture(int fd, void (*fn)(const void *arg), const void *arg)
{
	FILE *stream = fd == 1 ? stdout : stderr;
	FILE *tmp = tmpfile();
	int saved;
	long size;
	char *text;

	assert_non_null(tmp);
	fflush(stream);
	saved = dup(fd);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), fd) == fd);
	fn(arg);
	fflush(stream);
	assert_true(dup2(saved, fd) == fd);
	close(saved);

	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	size = ftell(tmp);
	rewind(tmp);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, tmp), (size_t)size);
	fclose(tmp);
	return text;
}

struct print_args {
	const struct record *rec;
	char separator;
};

static void call_record_print(const void *arg)
{
	const struct print_args *args = arg;

	record_print(args->rec, args->separator);
}

static char *printed(const struct record *rec, char separator)
{
	struct print_args args = { rec, separator };

	return capture(1, call_record_print, &args);
}

static char *printed_sockaddr(const union jvpn_sockaddr *addr)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	format_sockaddr(out, addr);
	assert_int_equal(fclose(out), 0);
	return text;
}

/* ---- record_* ----------------------------------------------------- */

static void test_record_add_get_free(void **state)
{
	struct record rec = { .count = 0 };
	char value[] = "first";

	(void)state;
	record_add(&rec, "a", value);
	record_add(&rec, "b", "");
	assert_int_equal(rec.count, 2);
	assert_string_equal(record_get(&rec, "a"), "first");
	assert_string_equal(record_get(&rec, "b"), "");
	assert_null(record_get(&rec, "c"));
	assert_null(record_get(&rec, "A"));

	/* the record owns a copy */
	assert_ptr_not_equal(record_get(&rec, "a"), value);
	strcpy(value, "XXXXX");
	assert_string_equal(record_get(&rec, "a"), "first");

	record_free(&rec);
	assert_int_equal(rec.count, 0);
	assert_null(record_get(&rec, "a"));

	/* usable again after record_free */
	record_add(&rec, "c", "3");
	assert_string_equal(record_get(&rec, "c"), "3");
	record_free(&rec);
}

static void fill_past_max(const void *arg)
{
	struct record *rec = (struct record *)arg;

	for (int i = 0; i < RECORD_MAX_ITEMS; i++)
		record_add(rec, "k", "v");
	record_add(rec, "one_too_many", "lost");
}

/* One more than fits is dropped with a word on stderr, not overflowed. */
static void test_record_full(void **state)
{
	struct record rec = { .count = 0 };
	char *err;

	(void)state;
	err = capture(2, fill_past_max, &rec);
	assert_int_equal(rec.count, RECORD_MAX_ITEMS);
	assert_null(record_get(&rec, "one_too_many"));
	if (!strstr(err, "one_too_many"))
		fail_msg("stderr does not name the dropped field: \"%s\"", err);
	free(err);
	record_free(&rec);
}

static void test_record_print(void **state)
{
	struct record rec = { .count = 0 };
	char *text;

	(void)state;
	text = printed(&rec, ' ');
	assert_string_equal(text, "\n");
	free(text);

	record_add(&rec, "id", "42");
	text = printed(&rec, ' ');
	assert_string_equal(text, "id=42\n");
	free(text);

	record_add(&rec, "state", "active");
	record_add(&rec, "empty", "");
	text = printed(&rec, ' ');
	assert_string_equal(text, "id=42 state=active empty=\n");
	free(text);
	text = printed(&rec, '\t');
	assert_string_equal(text, "id=42\tstate=active\tempty=\n");
	free(text);
	record_free(&rec);
}

/* ---- is_field_name ------------------------------------------------ */

struct field_name {
	const char *name;
	uint16_t type;
	bool in_stats;
};

/* Every key, in uapi order: the order record_add_fields() adds them. */
static const struct field_name field_names[] = {
	{ "ifindex", JVPN_A_IFINDEX, false },
	{ "id", JVPN_A_SESSION_ID, false },
	{ "version", JVPN_A_STATE_VERSION, false },
	{ "expected_version", JVPN_A_EXPECTED_VERSION, false },
	{ "state", JVPN_A_STATE, false },
	{ "socket_fd", JVPN_A_SOCKET_FD, false },
	{ "local", JVPN_A_LOCAL, false },
	{ "remote", JVPN_A_REMOTE, false },
	{ "old_remote", JVPN_A_OLD_REMOTE, false },
	{ "allowed_ips", JVPN_A_ALLOWED_IPS, false },
	{ "allowed_ip", JVPN_A_ALLOWED_IP, false },
	{ "tx_key", JVPN_A_TX_KEY, false },
	{ "rx_key", JVPN_A_RX_KEY, false },
	{ "key_phase", JVPN_A_KEY_PHASE, false },
	{ "min_switch_ms", JVPN_A_MIN_SWITCH_INTERVAL_MS, false },
	{ "reason", JVPN_A_DEL_REASON, false },
	{ "last_rx_ns", JVPN_A_LAST_RX_NS, false },
	{ "last_tx_ns", JVPN_A_LAST_TX_NS, false },
	{ "last_switch_ns", JVPN_A_LAST_SWITCH_NS, false },
	{ "created_ns", JVPN_A_CREATED_NS, false },
	{ "seq", JVPN_A_EVENT_SEQ, false },
	{ "time_ns", JVPN_A_EVENT_TIME_NS, false },
	{ "old_state", JVPN_A_OLD_STATE, false },
	{ "tx_counter", JVPN_A_TX_COUNTER, false },
	{ "key_next", JVPN_A_KEY_NEXT, false },
	{ "key_generation", JVPN_A_KEY_GENERATION, false },
	{ "tx_packets", JVPN_STATS_A_TX_PACKETS, true },
	{ "tx_bytes", JVPN_STATS_A_TX_BYTES, true },
	{ "rx_packets", JVPN_STATS_A_RX_PACKETS, true },
	{ "rx_bytes", JVPN_STATS_A_RX_BYTES, true },
	{ "drop_bad_auth", JVPN_STATS_A_DROP_BAD_AUTH, true },
	{ "drop_replay", JVPN_STATS_A_DROP_REPLAY, true },
	{ "drop_stray", JVPN_STATS_A_DROP_STRAY, true },
	{ "drop_unknown_session", JVPN_STATS_A_DROP_UNKNOWN_SESSION, true },
	{ "drop_malformed", JVPN_STATS_A_DROP_MALFORMED, true },
	{ "drop_inner_src", JVPN_STATS_A_DROP_INNER_SRC, true },
	{ "drop_no_route", JVPN_STATS_A_DROP_NO_ROUTE, true },
	{ "drop_tx_error", JVPN_STATS_A_DROP_TX_ERROR, true },
	{ "switches", JVPN_STATS_A_SWITCHES, true },
	{ "stray_events_suppressed", JVPN_STATS_A_STRAY_EVENTS_SUPPRESSED,
	  true },
	{ "drop_stray_limited", JVPN_STATS_A_DROP_STRAY_LIMITED, true },
	{ "drop_queue_full", JVPN_STATS_A_DROP_QUEUE_FULL, true },
};

static void test_is_field_name(void **state)
{
	static const char *const not_fields[] = {
		"",	     "bogus",	   "ID",
		"id ",	     "session_id", "JVPN_A_SESSION_ID",
		"stats",     "pad",	   "unspec",
		"tx_packet",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++)
		if (!is_field_name(field_names[i].name))
			fail_msg("\"%s\" is not a field name",
				 field_names[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(not_fields); i++)
		if (is_field_name(not_fields[i]))
			fail_msg("\"%s\" is a field name", not_fields[i]);
}

/* ---- jvpn_attrs_parse / record_add_fields ------------------------- */

static bool is_nest(uint16_t type)
{
	return type == JVPN_A_LOCAL || type == JVPN_A_REMOTE ||
	       type == JVPN_A_OLD_REMOTE || type == JVPN_A_ALLOWED_IPS ||
	       type == JVPN_A_ALLOWED_IP || type == JVPN_A_STATS;
}

static void put_any(struct nlmsghdr *nlh, uint16_t type)
{
	if (is_nest(type))
		mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, type));
	else
		mnl_attr_put_u32(nlh, type, 1);
}

/* Each attribute alone gives its one key: the name-to-type mapping. */
static void test_each_attribute_has_its_field(void **state)
{
	(void)state;
	/*
	 * the table above covers the uapi: all but PAD, STATS, STATS_A_PAD
	 * and DAEMON_SECRETS, which no record shows (a tool's output lands
	 * in logs; test_daemon_secrets_never_shown)
	 */
	assert_int_equal(ARRAY_SIZE(field_names),
			 (JVPN_A_MAX - 3) + (JVPN_STATS_A_MAX - 1));

	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++) {
		const struct field_name *field = &field_names[i];
		struct msg msg;
		struct nlmsghdr *nlh = msg_init(&msg);
		struct record rec;

		if (field->in_stats) {
			struct nlattr *nest =
				mnl_attr_nest_start(nlh, JVPN_A_STATS);

			mnl_attr_put_u64(nlh, field->type, 1);
			mnl_attr_nest_end(nlh, nest);
		} else {
			put_any(nlh, field->type);
		}
		fields_of(nlh, &rec);
		if (rec.count != 1 || strcmp(rec.items[0].name, field->name))
			fail_msg("attribute %u%s: want the one field %s, got "
				 "%zu, the first %s",
				 field->type,
				 field->in_stats ? " in stats" : "",
				 field->name, rec.count,
				 rec.count ? rec.items[0].name : "-");
		record_free(&rec);
	}
}

/* The daemon's record of a session's keys is a secret: no field shows it. */
static void test_daemon_secrets_never_shown(void **state)
{
	static const uint8_t secret[48] = { 0xde, 0xad, 0xbe, 0xef };
	struct msg msg;
	struct nlmsghdr *nlh = msg_init(&msg);
	struct record rec;

	(void)state;
	mnl_attr_put(nlh, JVPN_A_DAEMON_SECRETS, sizeof(secret), secret);
	fields_of(nlh, &rec);
	assert_int_equal(rec.count, 0);
	record_free(&rec);
}

/* With every attribute present, the keys come in uapi order, once each. */
static void test_all_attributes_in_uapi_order(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh = msg_init(&msg);
	struct nlattr *stats;
	struct record rec;

	(void)state;
	/* backwards, so that message order cannot pass for uapi order */
	stats = mnl_attr_nest_start(nlh, JVPN_A_STATS);
	for (uint16_t type = JVPN_STATS_A_MAX; type > 0; type--)
		if (type != JVPN_STATS_A_PAD)
			mnl_attr_put_u64(nlh, type, type);
	mnl_attr_nest_end(nlh, stats);
	for (uint16_t type = JVPN_A_MAX; type > 0; type--)
		if (type != JVPN_A_PAD && type != JVPN_A_STATS)
			put_any(nlh, type);

	fields_of(nlh, &rec);
	assert_int_equal(rec.count, ARRAY_SIZE(field_names));
	for (size_t i = 0; i < rec.count; i++)
		assert_string_equal(rec.items[i].name, field_names[i].name);
	record_free(&rec);
}

/* A session as the kernel would send it, formatted the way tests see it. */
static void test_session_record(void **state)
{
	static const char *const lead[] = { "state", "id", "bogus", "rx_key" };
	struct msg msg;
	struct nlmsghdr *nlh = msg_init(&msg);
	struct jvpn_attrs attrs;
	struct nlattr *nest;
	struct record rec = { .count = 0 };
	uint8_t key[JVPN_KEY_LEN];
	char *line;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 8 + 1);

	mnl_attr_put_u32(nlh, JVPN_A_IFINDEX, 7);
	mnl_attr_put_u64(nlh, JVPN_A_SESSION_ID, 0x1122334455667788ULL);
	mnl_attr_put_u64(nlh, JVPN_A_STATE_VERSION, 5);
	mnl_attr_put_u8(nlh, JVPN_A_STATE, JVPN_STATE_ACTIVE);
	mnl_attr_put_u32(nlh, JVPN_A_SOCKET_FD, (uint32_t)-1);
	put_endpoint(nlh, JVPN_A_LOCAL, AF_INET, "192.0.2.1", 51820);
	put_endpoint(nlh, JVPN_A_REMOTE, AF_INET6, "2001:db8::1", 443);
	nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IPS);
	put_cidr(nlh, AF_INET, "10.0.0.0", 24);
	put_cidr(nlh, AF_INET6, "fd00::", 64);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put(nlh, JVPN_A_TX_KEY, sizeof(key), key);
	mnl_attr_put_u8(nlh, JVPN_A_KEY_PHASE, 1);
	mnl_attr_put_u32(nlh, JVPN_A_MIN_SWITCH_INTERVAL_MS, 250);
	mnl_attr_put_u32(nlh, JVPN_A_DEL_REASON, JVPN_DEL_REASON_ADMIN);
	mnl_attr_put_u8(nlh, JVPN_A_OLD_STATE, JVPN_STATE_HANDSHAKE);
	/* newer than this uapi: left out */
	mnl_attr_put_u32(nlh, JVPN_A_MAX + 5, 99);
	nest = mnl_attr_nest_start(nlh, JVPN_A_STATS);
	mnl_attr_put_u64(nlh, JVPN_STATS_A_TX_PACKETS, 10);
	mnl_attr_put_u64(nlh, JVPN_STATS_A_RX_BYTES, 12345);
	mnl_attr_put_u64(nlh, JVPN_STATS_A_SWITCHES, 0);
	mnl_attr_put_u64(nlh, JVPN_STATS_A_MAX + 5, 99);
	mnl_attr_nest_end(nlh, nest);

	jvpn_attrs_parse(nlh, &attrs);
	record_add_fields(&rec, &attrs, lead, ARRAY_SIZE(lead));
	line = printed(&rec, ' ');
	assert_string_equal(
		line,
		"state=ACTIVE id=1234605616436508552 ifindex=7 version=5 "
		"socket_fd=-1 local=192.0.2.1:51820 remote=[2001:db8::1]:443 "
		"allowed_ips=10.0.0.0/24,fd00::/64 "
		"tx_key=0109111921293139414951596169717981899199a1a9b1b9c1c9d1"
		"d9e1e9f1f9 "
		"key_phase=1 min_switch_ms=250 reason=admin "
		"old_state=HANDSHAKE tx_packets=10 rx_bytes=12345 "
		"switches=0\n");
	free(line);
	record_free(&rec);
}

static void test_attrs_parse(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh = msg_init(&msg);
	struct jvpn_attrs attrs;
	struct nlattr *nest;

	(void)state;
	/* whatever was in attrs before is gone */
	memset(&attrs, 0xa5, sizeof(attrs));
	jvpn_attrs_parse(nlh, &attrs);
	for (size_t i = 0; i <= JVPN_A_MAX; i++)
		assert_null(attrs.top[i]);
	for (size_t i = 0; i <= JVPN_STATS_A_MAX; i++)
		assert_null(attrs.stats[i]);

	mnl_attr_put_u64(nlh, JVPN_A_SESSION_ID, 9);
	nest = mnl_attr_nest_start(nlh, JVPN_A_STATS);
	mnl_attr_put_u64(nlh, JVPN_STATS_A_DROP_REPLAY, 3);
	mnl_attr_nest_end(nlh, nest);
	jvpn_attrs_parse(nlh, &attrs);
	assert_non_null(attrs.top[JVPN_A_SESSION_ID]);
	assert_int_equal(mnl_attr_get_u64(attrs.top[JVPN_A_SESSION_ID]), 9);
	assert_non_null(attrs.top[JVPN_A_STATS]);
	assert_non_null(attrs.stats[JVPN_STATS_A_DROP_REPLAY]);
	assert_int_equal(
		mnl_attr_get_u64(attrs.stats[JVPN_STATS_A_DROP_REPLAY]), 3);
	assert_null(attrs.top[JVPN_A_IFINDEX]);
	assert_null(attrs.stats[JVPN_STATS_A_TX_PACKETS]);
}

/* Attributes of types newer than this uapi are left out, at any level. */
static void test_newer_attributes_left_out(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh = msg_init(&msg);
	struct {
		struct jvpn_attrs attrs;
		const struct nlattr *guard[16]; /* stays NULL */
	} parsed;
	struct nlattr *nest;
	struct record rec = { .count = 0 };

	(void)state;
	/* as many as there are slots after top[]: no write may land there */
	for (uint16_t type = JVPN_A_MAX + 1;
	     type <= JVPN_A_MAX + 1 + JVPN_STATS_A_MAX; type++)
		mnl_attr_put_u32(nlh, type, type);
	nest = mnl_attr_nest_start(nlh, JVPN_A_STATS);
	for (uint16_t type = JVPN_STATS_A_MAX + 1;
	     type <= JVPN_STATS_A_MAX + ARRAY_SIZE(parsed.guard); type++)
		mnl_attr_put_u64(nlh, type, type);
	mnl_attr_nest_end(nlh, nest);

	memset(&parsed, 0, sizeof(parsed));
	jvpn_attrs_parse(nlh, &parsed.attrs);
	for (size_t i = 0; i <= JVPN_STATS_A_MAX; i++)
		assert_null(parsed.attrs.stats[i]);
	for (size_t i = 0; i < ARRAY_SIZE(parsed.guard); i++)
		assert_null(parsed.guard[i]);
	record_add_fields(&rec, &parsed.attrs, NULL, 0);
	if (rec.count)
		fail_msg("%zu fields, the first %s=%s", rec.count,
			 rec.items[0].name, rec.items[0].value);
}

/* Keys already in the record are not added again, nor replaced. */
static void test_add_fields_no_duplicates(void **state)
{
	static const char *const lead[] = { "id", "id", "ifindex" };
	struct msg msg;
	struct nlmsghdr *nlh = msg_init(&msg);
	struct jvpn_attrs attrs;
	struct record rec = { .count = 0 };
	char *line;

	(void)state;
	mnl_attr_put_u32(nlh, JVPN_A_IFINDEX, 3);
	mnl_attr_put_u64(nlh, JVPN_A_SESSION_ID, 8);
	mnl_attr_put_u8(nlh, JVPN_A_STATE, JVPN_STATE_DEGRADED);
	jvpn_attrs_parse(nlh, &attrs);

	record_add(&rec, "ifindex", "preset");
	record_add_fields(&rec, &attrs, lead, ARRAY_SIZE(lead));
	record_add_fields(&rec, &attrs, NULL, 0);
	line = printed(&rec, ' ');
	assert_string_equal(line, "ifindex=preset id=8 state=DEGRADED\n");
	free(line);
	record_free(&rec);
}

static void test_add_one_field(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh = msg_init(&msg);
	struct jvpn_attrs attrs;
	struct record rec = { .count = 0 };

	(void)state;
	mnl_attr_put_u32(nlh, JVPN_A_IFINDEX, 3);
	mnl_attr_put_u64(nlh, JVPN_A_SESSION_ID, 8);
	jvpn_attrs_parse(nlh, &attrs);

	record_add_field(&rec, &attrs, "id");
	assert_int_equal(rec.count, 1);
	assert_string_equal(record_get(&rec, "id"), "8");
	record_add_field(&rec, &attrs, "id");	 /* present already */
	record_add_field(&rec, &attrs, "state"); /* not in message */
	record_add_field(&rec, &attrs, "bogus"); /* no such field */
	record_add_field(&rec, &attrs, "JVPN_A_IFINDEX");
	assert_int_equal(rec.count, 1);
	record_add_field(&rec, &attrs, "ifindex");
	assert_int_equal(rec.count, 2);
	assert_string_equal(rec.items[1].name, "ifindex");
	assert_string_equal(rec.items[1].value, "3");
	record_free(&rec);
}

/* ---- how each kind of attribute reads ----------------------------- */

/* Unsigned numbers of any width the kernel might send. */
static void test_uint_widths(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh;
	uint8_t three[3] = { 1, 2, 3 };

	(void)state;
	nlh = msg_init(&msg);
	mnl_attr_put_u8(nlh, JVPN_A_KEY_PHASE, 255);
	check_only_field(nlh, "key_phase", "255");
	nlh = msg_init(&msg);
	mnl_attr_put_u16(nlh, JVPN_A_KEY_PHASE, 65535);
	check_only_field(nlh, "key_phase", "65535");
	nlh = msg_init(&msg);
	mnl_attr_put_u32(nlh, JVPN_A_KEY_PHASE, UINT32_MAX);
	check_only_field(nlh, "key_phase", "4294967295");
	nlh = msg_init(&msg);
	mnl_attr_put_u64(nlh, JVPN_A_STATE_VERSION, UINT64_MAX);
	check_only_field(nlh, "version", "18446744073709551615");
	nlh = msg_init(&msg);
	mnl_attr_put_u64(nlh, JVPN_A_LAST_RX_NS, 0);
	check_only_field(nlh, "last_rx_ns", "0");

	/* any other length is shown, not misread */
	nlh = msg_init(&msg);
	mnl_attr_put(nlh, JVPN_A_SESSION_ID, sizeof(three), three);
	check_only_field(nlh, "id", "invalid-length-3");
	nlh = msg_init(&msg);
	mnl_attr_put(nlh, JVPN_A_SESSION_ID, 0, "");
	check_only_field(nlh, "id", "invalid-length-0");
}

static void test_sint(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = msg_init(&msg);
	mnl_attr_put_u32(nlh, JVPN_A_SOCKET_FD, (uint32_t)INT32_MIN);
	check_only_field(nlh, "socket_fd", "-2147483648");
	nlh = msg_init(&msg);
	mnl_attr_put_u32(nlh, JVPN_A_SOCKET_FD, 12);
	check_only_field(nlh, "socket_fd", "12");
	nlh = msg_init(&msg);
	mnl_attr_put_u64(nlh, JVPN_A_SOCKET_FD, 12);
	check_only_field(nlh, "socket_fd", "invalid-length-8");
}

/* States and reasons by name; numbers newer than the tool as numbers. */
static void test_named_values(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = msg_init(&msg);
	mnl_attr_put_u8(nlh, JVPN_A_STATE, JVPN_STATE_TERMINATED);
	check_only_field(nlh, "state", "TERMINATED");
	nlh = msg_init(&msg);
	mnl_attr_put_u8(nlh, JVPN_A_STATE, 200);
	check_only_field(nlh, "state", "200");
	nlh = msg_init(&msg);
	mnl_attr_put_u8(nlh, JVPN_A_OLD_STATE, JVPN_STATE_VOLATILE);
	check_only_field(nlh, "old_state", "VOLATILE");
	nlh = msg_init(&msg);
	/* read by its length, as every number is */
	mnl_attr_put_u16(nlh, JVPN_A_STATE, JVPN_STATE_DEGRADED);
	check_only_field(nlh, "state", "DEGRADED");

	nlh = msg_init(&msg);
	mnl_attr_put_u32(nlh, JVPN_A_DEL_REASON, JVPN_DEL_REASON_REPLACED);
	check_only_field(nlh, "reason", "replaced");
	nlh = msg_init(&msg);
	mnl_attr_put_u32(nlh, JVPN_A_DEL_REASON, JVPN_DEL_REASON_UNSPEC);
	check_only_field(nlh, "reason", "unspec");
	nlh = msg_init(&msg);
	mnl_attr_put_u32(nlh, JVPN_A_DEL_REASON, 99);
	check_only_field(nlh, "reason", "99");
	/* a u64 past 32 bits is not truncated into a name */
	nlh = msg_init(&msg);
	mnl_attr_put_u64(nlh, JVPN_A_DEL_REASON, (1ULL << 32) + 1);
	check_only_field(nlh, "reason", "4294967297");
	nlh = msg_init(&msg);
	mnl_attr_put(nlh, JVPN_A_DEL_REASON, 3, "abc");
	check_only_field(nlh, "reason", "invalid-length-3");
}

static void test_hex(void **state)
{
	static const uint8_t bytes[] = { 0x00, 0x0f, 0xa0, 0xff };
	struct msg msg;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = msg_init(&msg);
	mnl_attr_put(nlh, JVPN_A_RX_KEY, sizeof(bytes), bytes);
	check_only_field(nlh, "rx_key", "000fa0ff");
	nlh = msg_init(&msg);
	mnl_attr_put(nlh, JVPN_A_RX_KEY, 0, "");
	check_only_field(nlh, "rx_key", "");
}

static void test_endpoints(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = msg_init(&msg);
	put_endpoint(nlh, JVPN_A_OLD_REMOTE, AF_INET, "198.51.100.7", 1);
	check_only_field(nlh, "old_remote", "198.51.100.7:1");
	nlh = msg_init(&msg);
	put_endpoint(nlh, JVPN_A_LOCAL, AF_INET6, "::", 65535);
	check_only_field(nlh, "local", "[::]:65535");
	nlh = msg_init(&msg);
	put_endpoint(nlh, JVPN_A_REMOTE, AF_INET6, "::ffff:192.0.2.1", 80);
	check_only_field(nlh, "remote", "[::ffff:192.0.2.1]:80");
}

/* A broken endpoint is shown with '?' where the part is missing. */
static void test_broken_endpoints(void **state)
{
	static const uint8_t sixteen[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t four[4] = { 192, 0, 2, 1 };
	struct msg msg;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	/* no port */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_REMOTE);
	mnl_attr_put(nlh, JVPN_EP_A_ADDR4, sizeof(four), four);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "remote", "192.0.2.1:?");

	/* no address */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_REMOTE);
	mnl_attr_put_u16(nlh, JVPN_EP_A_PORT, 80);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "remote", "?:80");

	/* an ADDR4 of 16 bytes, an ADDR6 of 4 */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_REMOTE);
	mnl_attr_put(nlh, JVPN_EP_A_ADDR4, sizeof(sixteen), sixteen);
	mnl_attr_put_u16(nlh, JVPN_EP_A_PORT, 80);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "remote", "?:80");
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_REMOTE);
	mnl_attr_put(nlh, JVPN_EP_A_ADDR6, sizeof(four), four);
	mnl_attr_put_u16(nlh, JVPN_EP_A_PORT, 80);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "remote", "[?]:80");

	/* a port of the wrong width */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_REMOTE);
	mnl_attr_put(nlh, JVPN_EP_A_ADDR4, sizeof(four), four);
	mnl_attr_put(nlh, JVPN_EP_A_PORT, 3, "abc");
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "remote", "192.0.2.1:invalid-length-3");

	/* empty, and an attribute newer than the uapi inside */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_REMOTE);
	mnl_attr_put_u32(nlh, JVPN_EP_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "remote", "?:?");
}

static void test_allowed_ips(void **state)
{
	struct msg msg;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	/* one, alone at the top level (as in events) */
	nlh = msg_init(&msg);
	put_cidr(nlh, AF_INET6, "2001:db8::", 32);
	check_only_field(nlh, "allowed_ip", "2001:db8::/32");

	/* none: the key is there with an empty value */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IPS);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "allowed_ips", "");

	/* three, and something else in the list that is skipped */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IPS);
	put_cidr(nlh, AF_INET, "0.0.0.0", 0);
	mnl_attr_put_u32(nlh, JVPN_A_IFINDEX, 1);
	put_cidr(nlh, AF_INET, "192.0.2.7", 32);
	put_cidr(nlh, AF_INET6, "::", 0);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "allowed_ips", "0.0.0.0/0,192.0.2.7/32,::/0");
}

static void test_broken_cidrs(void **state)
{
	static const uint8_t four[4] = { 10, 0, 0, 0 };
	struct msg msg;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	/* no family */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IP);
	mnl_attr_put(nlh, JVPN_AIP_A_ADDR, sizeof(four), four);
	mnl_attr_put_u8(nlh, JVPN_AIP_A_PREFIX_LEN, 8);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "allowed_ip", "family-0?/8");

	/* an unknown family */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IP);
	mnl_attr_put_u16(nlh, JVPN_AIP_A_FAMILY, 99);
	mnl_attr_put(nlh, JVPN_AIP_A_ADDR, sizeof(four), four);
	mnl_attr_put_u8(nlh, JVPN_AIP_A_PREFIX_LEN, 8);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "allowed_ip", "family-99?/8");

	/* a v4 address under AF_INET6 */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IP);
	mnl_attr_put_u16(nlh, JVPN_AIP_A_FAMILY, AF_INET6);
	mnl_attr_put(nlh, JVPN_AIP_A_ADDR, sizeof(four), four);
	mnl_attr_put_u8(nlh, JVPN_AIP_A_PREFIX_LEN, 8);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "allowed_ip", "?/8");

	/* no address, no prefix length */
	nlh = msg_init(&msg);
	nest = mnl_attr_nest_start(nlh, JVPN_A_ALLOWED_IP);
	mnl_attr_put_u16(nlh, JVPN_AIP_A_FAMILY, AF_INET);
	mnl_attr_nest_end(nlh, nest);
	check_only_field(nlh, "allowed_ip", "?/?");
}

/* ---- format_sockaddr ---------------------------------------------- */

static void check_sockaddr(const union jvpn_sockaddr *addr, const char *want)
{
	char *text = printed_sockaddr(addr);

	assert_string_equal(text, want);
	free(text);
}

static void test_format_sockaddr(void **state)
{
	union jvpn_sockaddr addr;

	(void)state;
	memset(&addr, 0, sizeof(addr));
	addr.in4.sin_family = AF_INET;
	addr.in4.sin_port = htons(51820);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", &addr.in4.sin_addr),
			 1);
	check_sockaddr(&addr, "192.0.2.1:51820");

	memset(&addr, 0, sizeof(addr));
	addr.in6.sin6_family = AF_INET6;
	addr.in6.sin6_port = htons(443);
	assert_int_equal(
		inet_pton(AF_INET6, "2001:db8::1", &addr.in6.sin6_addr), 1);
	check_sockaddr(&addr, "[2001:db8::1]:443");

	/* a scope that names no device is left out, not printed wrong */
	addr.in6.sin6_scope_id = INT_MAX;
	check_sockaddr(&addr, "[2001:db8::1]:443");

	memset(&addr, 0, sizeof(addr));
	addr.sa.sa_family = AF_UNSPEC;
	check_sockaddr(&addr, "?");
}

/* What parse_endpoint() reads, format_sockaddr() writes back the same. */
static void test_sockaddr_round_trip(void **state)
{
	static const char *const texts[] = {
		"192.0.2.1:51820",     "0.0.0.0:0", "255.255.255.255:65535",
		"[2001:db8::1]:51820", "[::]:0",    "[::ffff:192.0.2.1]:80",
		"[fe80::1%lo]:51820",
	};
	union jvpn_sockaddr addr;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		const char *problem;

		if (strstr(texts[i], "%lo") && !if_nametoindex("lo"))
			continue;
		problem = parse_endpoint(texts[i], &addr);
		if (problem)
			fail_msg("%s: %s", texts[i], problem);
		check_sockaddr(&addr, texts[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_add_get_free),
		cmocka_unit_test(test_record_full),
		cmocka_unit_test(test_record_print),
		cmocka_unit_test(test_is_field_name),
		cmocka_unit_test(test_each_attribute_has_its_field),
		cmocka_unit_test(test_daemon_secrets_never_shown),
		cmocka_unit_test(test_all_attributes_in_uapi_order),
		cmocka_unit_test(test_session_record),
		cmocka_unit_test(test_attrs_parse),
		cmocka_unit_test(test_newer_attributes_left_out),
		cmocka_unit_test(test_add_fields_no_duplicates),
		cmocka_unit_test(test_add_one_field),
		cmocka_unit_test(test_uint_widths),
		cmocka_unit_test(test_sint),
		cmocka_unit_test(test_named_values),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_broken_endpoints),
		cmocka_unit_test(test_allowed_ips),
		cmocka_unit_test(test_broken_cidrs),
		cmocka_unit_test(test_format_sockaddr),
		cmocka_unit_test(test_sockaddr_round_trip),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
