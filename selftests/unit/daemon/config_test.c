// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/config/: whole files to struct config, and every
 * class of error named by file, line and key.
 *
 * Most error cases are rows of a table: a small valid file (a gateway or
 * a client template) gets one extra line at a known place, and the row
 * says which line and key the error must name. Each row is its own
 * cmocka test, named after the row.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"
#include "config.h"

/* bytes 1..32, 33..64 and 65..96 in standard base64 */
#define KEY1 "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define KEY2 "ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A="
#define KEY3 "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2A="

static void key_bytes(uint8_t first, uint8_t key[JVPN_KEY_LEN])
{
	for (int i = 0; i < JVPN_KEY_LEN; i++)
		key[i] = (uint8_t)(first + i);
}

/* Standard base64 of 32 bytes, for files with many distinct keys. */
static void key_text(const uint8_t key[JVPN_KEY_LEN],
		     char text[CONFIG_KEY_BASE64_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t bits = 0;
	int n_bits = 0, out = 0;

	for (int i = 0; i < JVPN_KEY_LEN; i++) {
		bits = (bits << 8) | key[i];
		n_bits += 8;
		while (n_bits >= 6) {
			n_bits -= 6;
			text[out++] = alphabet[(bits >> n_bits) & 63];
		}
	}
	text[out++] = alphabet[(bits << (6 - n_bits)) & 63];
	text[out++] = '=';
	text[out] = '\0';
}

static void fail_with_diag(const struct diag *diag, const char *why)
{
	for (unsigned int i = 0; i < diag->count; i++)
		print_message("  finding: %s\n", diag->entries[i].text);
	fail_msg("%s", why);
}

/* A string parsed as a file called name; it must be valid. */
static void parse_ok(const char *name, const char *text, struct config *cfg,
		     struct diag *diag)
{
	if (config_parse_buffer(name, text, strlen(text), cfg, diag) != 0)
		fail_with_diag(diag, "refused a valid file");
	if (diag->errors)
		fail_with_diag(diag, "returned 0 with errors");
}

/* ... it must be refused, and cfg left empty. */
static void parse_refused(const char *name, const char *text,
			  struct config *cfg, struct diag *diag)
{
	if (config_parse_buffer(name, text, strlen(text), cfg, diag) == 0)
		fail_with_diag(diag, "accepted an invalid file");
	assert_true(diag->errors > 0);
	assert_null(cfg->peers);
	assert_int_equal(cfg->n_peers, 0);
	assert_int_equal(cfg->n_policies, 0);
}

/* The finding about subject is at line and says needle. */
static void expect_finding(const struct diag *diag, const char *subject,
			   unsigned int line, enum diag_severity severity,
			   const char *needle)
{
	for (unsigned int i = 0; i < diag->count; i++) {
		const struct diag_entry *e = &diag->entries[i];

		if (strcmp(e->subject, subject) || e->line != line ||
		    e->severity != severity || !strstr(e->text, needle))
			continue;
		return;
	}
	print_message("  want line %u, %s, %s: \"%s\"\n", line, subject,
		      severity == DIAG_ERROR ? "error" : "warning", needle);
	fail_with_diag(diag, "finding not reported");
}

static void expect_error(const struct diag *diag, const char *subject,
			 unsigned int line, const char *needle)
{
	expect_finding(diag, subject, line, DIAG_ERROR, needle);
}

static void assert_endpoint(const union jvpn_sockaddr *addr, const char *text,
			    uint16_t port)
{
	union jvpn_sockaddr want;

	memset(&want, 0, sizeof(want));
	if (inet_pton(AF_INET, text, &want.in4.sin_addr) == 1) {
		want.in4.sin_family = AF_INET;
		want.in4.sin_port = htons(port);
	} else {
		assert_int_equal(inet_pton(AF_INET6, text, &want.in6.sin6_addr),
				 1);
		want.in6.sin6_family = AF_INET6;
		want.in6.sin6_port = htons(port);
	}
	assert_memory_equal(addr, &want, sizeof(want));
}

static void assert_cidr(const struct jvpn_cidr *cidr, const char *text,
			uint8_t prefix_len)
{
	uint8_t want[16] = { 0 };
	sa_family_t family = strchr(text, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, text, want), 1);
	assert_int_equal(cidr->family, family);
	assert_int_equal(cidr->prefix_len, prefix_len);
	assert_memory_equal(cidr->addr, want, sizeof(want));
}

/* ---- whole valid files ------------------------------------------- */

static const char gateway_text[] =
	"# a gateway\n"				     /* 1 */
	"[interface]\n"				     /* 2 */
	"role = gateway\n"			     /* 3 */
	"device = jvpn7\n"			     /* 4 */
	"listen = 0.0.0.0:51820\n"		     /* 5 */
	"listen = [::]:51821\n"			     /* 6 */
	"private-key-file = /etc/jvpn/gw.key\n"	     /* 7 */
	"state-file = /var/lib/jvpnd/gw.state\n"     /* 8 */
	"event-log = /var/log/jvpnd/events.jsonl\n"  /* 9 */
	"syslog = on\n"				     /* 10 */
	"profile = datacenter   # servers\n"	     /* 11 */
	"\n"					     /* 12 */
	"[policy datacenter]\n"			     /* 13 */
	"cooldown = 3s\n"			     /* 14 */
	"\n"					     /* 15 */
	"[policy roaming]\n"			     /* 16 */
	"base = mobile\n"			     /* 17 */
	"health-threshold = 1500ms\n"		     /* 18 */
	"max-switches-per-minute = 20\n"	     /* 19 */
	"\n"					     /* 20 */
	"[peer]\n"				     /* 21 */
	"name = branch-office\n"		     /* 22 */
	"public-key = " KEY1 "\n"		     /* 23 */
	"allowed-ips = 10.8.0.2/32, fd00:8::2/128\n" /* 24 */
	"allowed-ips = 192.168.50.0/24\n"	     /* 25 */
	"\n"					     /* 26 */
	"[peer]\n"				     /* 27 */
	"name = alice phone\n"			     /* 28 */
	"public-key = " KEY2 "\n"		     /* 29 */
	"allowed-ips = 10.8.0.3\n"		     /* 30 */
	"profile = roaming\n";			     /* 31 */

static void check_gateway(const struct config *cfg)
{
	const struct config_interface *in = &cfg->interface;
	const struct config_peer *a = &cfg->peers[0], *b = &cfg->peers[1];
	const struct config_policy *dc, *roaming;
	uint8_t key[JVPN_KEY_LEN];

	assert_int_equal(in->role, CONFIG_ROLE_GATEWAY);
	assert_string_equal(in->device, "jvpn7");
	assert_int_equal(in->n_listen, 2);
	assert_endpoint(&in->listen[0], "0.0.0.0", 51820);
	assert_endpoint(&in->listen[1], "::", 51821);
	assert_string_equal(in->private_key_file, "/etc/jvpn/gw.key");
	assert_string_equal(in->state_file, "/var/lib/jvpnd/gw.state");
	assert_string_equal(in->event_log, "/var/log/jvpnd/events.jsonl");
	assert_false(in->event_log_stdout);
	assert_true(in->syslog);
	assert_false(in->journald);
	assert_string_equal(in->cef_log, "");
	/* control socket by default beside the device's name; metrics off */
	assert_string_equal(in->control_socket, "/run/jvpnd/jvpn7.sock");
	assert_int_equal(in->metrics_listen.sa.sa_family, AF_UNSPEC);
	assert_string_equal(config_interface_policy(cfg)->name, "datacenter");

	/* the built-in datacenter, tuned: only cooldown differs */
	assert_int_equal(cfg->n_policies, 3);
	dc = config_find_policy(cfg, "datacenter");
	assert_ptr_equal(dc, &cfg->policies[1]);
	assert_int_equal(dc->line, 13);
	assert_int_equal(dc->overridden, 1u << POLICY_COOLDOWN);
	assert_int_equal(dc->policy.cooldown_ms, 3000);
	{
		struct policy want = *policy_builtin("datacenter");

		want.cooldown_ms = 3000;
		assert_memory_equal(&dc->policy, &want, sizeof(want));
	}
	/* untouched built-in */
	assert_int_equal(cfg->policies[0].line, 0);
	assert_memory_equal(&cfg->policies[0].policy, policy_builtin("mobile"),
			    sizeof(struct policy));
	/* a profile of the file's own */
	roaming = config_find_policy(cfg, "roaming");
	assert_non_null(roaming);
	assert_string_equal(roaming->base, "mobile");
	assert_int_equal(roaming->line, 16);
	{
		struct policy want = *policy_builtin("mobile");

		memset(want.name, 0, sizeof(want.name));
		strcpy(want.name, "roaming");
		want.health_threshold_ms = 1500;
		want.max_switches_per_minute = 20;
		assert_memory_equal(&roaming->policy, &want, sizeof(want));
	}

	assert_int_equal(cfg->n_peers, 2);
	assert_int_equal(a->line, 21);
	assert_string_equal(a->name, "branch-office");
	key_bytes(1, key);
	assert_memory_equal(a->public_key, key, sizeof(key));
	assert_int_equal(a->n_allowed_ips, 3);
	assert_cidr(&a->allowed_ips[0], "10.8.0.2", 32);
	assert_cidr(&a->allowed_ips[1], "fd00:8::2", 128);
	assert_cidr(&a->allowed_ips[2], "192.168.50.0", 24);
	assert_int_equal(a->n_endpoints, 0);
	assert_int_equal(a->n_uplinks, 0);
	assert_ptr_equal(config_peer_policy(cfg, a), &dc->policy);

	assert_int_equal(b->line, 27);
	assert_string_equal(b->name, "alice phone");
	key_bytes(33, key);
	assert_memory_equal(b->public_key, key, sizeof(key));
	assert_int_equal(b->n_allowed_ips, 1);
	assert_cidr(&b->allowed_ips[0], "10.8.0.3", 32);
	assert_ptr_equal(config_peer_policy(cfg, b), &roaming->policy);
}

static void test_gateway_parses_exactly(void **state)
{
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_ok("gw.conf", gateway_text, &cfg, &diag);
	assert_int_equal(diag.warnings, 0);
	check_gateway(&cfg);
	config_free(&cfg);
	assert_null(cfg.peers);
}

static const char client_text[] =
	"[interface]\n"				    /* 1 */
	"role = client\n"			    /* 2 */
	"private-key-file = /etc/jvpn/client.key\n" /* 3 */
	"event-log = stdout\n"			    /* 4 */
	"profile = mobile\n"			    /* 5 */
	"[peer]\n"				    /* 6 */
	"public-key = " KEY3 "\n"		    /* 7 */
	"endpoint = 198.51.100.1:51820\n"	    /* 8 */
	"endpoint = [2001:db8::1]:443\n"	    /* 9 */
	"uplink = wlan0\n"			    /* 10 */
	"uplink = wwan0@192.0.2.7\n"		    /* 11 */
	"uplink = eth1@2001:db8:1::7\n"		    /* 12 */
	"address = 10.8.0.3/24\n"		    /* 13 */
	"allowed-ips = 0.0.0.0/0, ::/0\n";	    /* 14 */

static void test_client_parses_exactly(void **state)
{
	const struct config_peer *gw;
	union jvpn_sockaddr local;
	uint8_t key[JVPN_KEY_LEN];
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_ok("client.conf", client_text, &cfg, &diag);
	assert_int_equal(diag.warnings, 0);
	assert_int_equal(cfg.interface.role, CONFIG_ROLE_CLIENT);
	assert_string_equal(cfg.interface.device, "jvpn0"); /* default */
	assert_int_equal(cfg.interface.n_listen, 0);
	assert_string_equal(cfg.interface.state_file,
			    "/var/lib/jvpnd/jvpn0.state"); /* default */
	assert_true(cfg.interface.event_log_stdout);
	assert_string_equal(cfg.interface.event_log, "");
	assert_false(cfg.interface.syslog);
	assert_ptr_equal(config_interface_policy(&cfg),
			 &cfg.policies[0].policy);
	assert_memory_equal(config_interface_policy(&cfg),
			    policy_builtin("mobile"), sizeof(struct policy));

	assert_int_equal(cfg.n_peers, 1);
	gw = &cfg.peers[0];
	key_bytes(65, key);
	assert_memory_equal(gw->public_key, key, sizeof(key));
	assert_string_equal(gw->name, "");
	assert_int_equal(gw->n_endpoints, 2);
	assert_endpoint(&gw->endpoints[0], "198.51.100.1", 51820);
	assert_endpoint(&gw->endpoints[1], "2001:db8::1", 443);
	assert_int_equal(gw->n_uplinks, 3);
	assert_string_equal(gw->uplinks[0].ifname, "wlan0");
	assert_int_equal(gw->uplinks[0].local.sa.sa_family, AF_UNSPEC);
	assert_string_equal(gw->uplinks[1].ifname, "wwan0");
	assert_endpoint(&gw->uplinks[1].local, "192.0.2.7", 0);
	assert_string_equal(gw->uplinks[2].ifname, "eth1");
	memset(&local, 0, sizeof(local));
	assert_endpoint(&gw->uplinks[2].local, "2001:db8:1::7", 0);
	assert_cidr(&gw->address, "10.8.0.3", 24);
	assert_int_equal(gw->n_allowed_ips, 2);
	assert_cidr(&gw->allowed_ips[0], "0.0.0.0", 0);
	assert_cidr(&gw->allowed_ips[1], "::", 0);
	assert_ptr_equal(config_peer_policy(&cfg, gw),
			 config_interface_policy(&cfg));
	assert_false(gw->drill); /* no session is drilled unless it says so */
	config_free(&cfg);
}

static void record_change(void *ctx, const char *text);

/* drill = on|off on a peer (either role), its error, and its reload line. */
static void test_peer_drill_switch(void **state)
{
	size_t n = strlen(client_text);
	char text[sizeof(client_text) + 32], log[256] = "";
	struct config plain, drill;
	struct diag diag;

	(void)state;
	parse_ok("client.conf", client_text, &plain, &diag);
	snprintf(text, sizeof(text), "%sdrill = on\n", client_text);
	parse_ok("drill.conf", text, &drill, &diag);
	assert_true(drill.peers[0].drill);
	assert_int_equal(config_diff(&plain, &drill, record_change, log), 1);
	assert_non_null(strstr(log, ": drill off -> on\n"));
	config_free(&drill);
	config_free(&plain);
	snprintf(text, sizeof(text), "%sdrill = yes\n", client_text);
	assert_int_equal(text[n], 'd');
	parse_refused("bad.conf", text, &drill, &diag);
	expect_error(&diag, "drill", 15, "expected on or off, got \"yes\"");
}

/* Same file with CRLF line ends and a byte order mark: same result. */
static void test_crlf_and_bom(void **state)
{
	char text[sizeof(gateway_text) * 2 + 3] = "\xef\xbb\xbf";
	size_t len = 3;
	struct config cfg;
	struct diag diag;

	(void)state;
	for (const char *c = gateway_text; *c; c++) {
		if (*c == '\n')
			text[len++] = '\r';
		text[len++] = *c;
	}
	text[len] = '\0';
	parse_ok("crlf.conf", text, &cfg, &diag);
	check_gateway(&cfg);
	config_free(&cfg);
}

/* The buffer form needs no NUL: text beyond len is never read. */
static void test_buffer_length_is_respected(void **state)
{
	char text[sizeof(client_text) + 16];
	struct config cfg;
	struct diag diag;

	(void)state;
	memcpy(text, client_text, sizeof(client_text) - 1);
	memcpy(text + sizeof(client_text) - 1, "colour = red\n", 14);
	assert_int_equal(config_parse_buffer("n.conf", text,
					     sizeof(client_text) - 1, &cfg,
					     &diag),
			 0);
	config_free(&cfg);
	assert_int_equal(
		config_parse_buffer("n.conf", text, strlen(text), &cfg, &diag),
		-1);
	expect_error(&diag, "colour", 15, "unknown key");
}

/* ---- the brief's own example message ------------------------------ */

static void test_duration_error_message(void **state)
{
	static const char text[] = "[interface]\n"		  /* 1 */
				   "role = client\n"		  /* 2 */
				   "private-key-file = /k\n"	  /* 3 */
				   "syslog = on\n"		  /* 4 */
				   "profile = tuned\n"		  /* 5 */
				   "[peer]\n"			  /* 6 */
				   "public-key = " KEY1 "\n"	  /* 7 */
				   "endpoint = 192.0.2.1:51820\n" /* 8 */
				   "address = 10.0.0.2/24\n"	  /* 9 */
				   "allowed-ips = 0.0.0.0/0\n"	  /* 10 */
				   "[policy tuned]\n"		  /* 11 */
				   "cooldown = fast\n"		  /* 12 */
				   "base = mobile\n";		  /* 13 */
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_refused("jvpnd.conf", text, &cfg, &diag);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].text,
			    "jvpnd.conf:12: cooldown: expected a duration "
			    "such as 500ms or 2s, got \"fast\"");
	assert_string_equal(diag.entries[0].subject, "cooldown");
	assert_int_equal(diag.entries[0].line, 12);
}

/* ---- one extra line in a valid file: table of error classes ------- */

/* Slots: the line "@I" is in [interface], "@P" in [policy tuned], "@E"
 * in [peer]; each is replaced by a row's line, or left empty. */
static const char gateway_template[] =
	"[interface]\n"				/* 1 */
	"role = gateway\n"			/* 2 */
	"listen = 192.0.2.1:51820\n"		/* 3 */
	"private-key-file = /etc/jvpn/gw.key\n" /* 4 */
	"event-log = stdout\n"			/* 5 */
	"profile = datacenter\n"		/* 6 */
	"@I\n"					/* 7 */
	"[policy tuned]\n"			/* 8 */
	"base = mobile\n"			/* 9 */
	"@P\n"					/* 10 */
	"[peer]\n"				/* 11 */
	"public-key = " KEY1 "\n"		/* 12 */
	"allowed-ips = 10.8.0.2/32\n"		/* 13 */
	"@E\n";					/* 14 */

static const char client_template[] =
	"[interface]\n"				    /* 1 */
	"role = client\n"			    /* 2 */
	"private-key-file = /etc/jvpn/client.key\n" /* 3 */
	"syslog = on\n"				    /* 4 */
	"profile = mobile\n"			    /* 5 */
	"@I\n"					    /* 6 */
	"[peer]\n"				    /* 7 */
	"public-key = " KEY2 "\n"		    /* 8 */
	"endpoint = 198.51.100.1:51820\n"	    /* 9 */
	"address = 10.8.0.3/24\n"		    /* 10 */
	"allowed-ips = 0.0.0.0/0\n"		    /* 11 */
	"@E\n";					    /* 12 */

/* template with its slot line replaced by line, the others emptied */
static char *fill_template(const char *template, const char *slot,
			   const char *line)
{
	size_t size = strlen(template) + strlen(line) + 1;
	char *text = calloc(1, size), *out = text;

	assert_non_null(text);
	for (const char *c = template; *c;) {
		if (c[0] == '@' && c[1] && c[2] == '\n') {
			if (c[1] == slot[0])
				out += sprintf(out, "%s", line);
			c += 2;
			continue;
		}
		*out++ = *c++;
	}
	return text;
}

struct line_case {
	const char *title;
	const char *template;
	const char *slot; /* "I", "P" or "E" */
	const char *line;
	const char *subject; /* NULL: the file must be valid */
	unsigned int at;     /* the line the finding names */
	enum diag_severity severity;
	const char *needle;
};

/* a second [peer] in the E slot, its key on line 16 */
#define NEW_PEER_KEY "[peer]\nallowed-ips = 10.77.0.1/32\npublic-key = "
#define GW	     gateway_template
#define CL	     client_template
#define E	     DIAG_ERROR
#define W	     DIAG_WARNING

static struct line_case line_cases[] = {
	/* control rows: each template is valid with its slots empty */
	{ "gateway template is valid", GW, "-", "", NULL, 0, E, NULL },
	{ "client template is valid", CL, "-", "", NULL, 0, E, NULL },

	/* syntax */
	{ "no '='", GW, "I", "nonsense", "syntax", 7, E,
	  "expected KEY = VALUE or [SECTION], got \"nonsense\"" },
	{ "key with capitals", GW, "I", "Role = gateway", "syntax", 7, E,
	  "expected a key of lower-case letters" },
	{ "empty key", GW, "I", "= gateway", "syntax", 7, E, "expected a key" },
	{ "missing value", GW, "E", "name =", "name", 14, E,
	  "missing value after '='" },
	{ "unknown section", GW, "E", "[peers]", "section", 14, E,
	  "[peers]: unknown section" },
	{ "header without ]", GW, "E", "[peer", "section", 14, E,
	  "does not end with ']'" },
	{ "policy without a name", GW, "E", "[policy]", "policy", 14, E,
	  "[policy NAME]: expected a name" },
	{ "policy name with capitals", GW, "E", "[policy Fast]", "policy", 14,
	  E, "got \"Fast\"" },
	{ "control character", GW, "E", "name = a\x01z", "line", 14, E,
	  "control character 0x01 at column 9" },
	{ "lone carriage return", GW, "E", "name = a\rz", "line", 14, E,
	  "control character 0x0d" },
	{ "UTF-8 name is fine", GW, "E",
	  "name = Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x94\x91", NULL, 0, E, NULL },
	{ "latin-1 byte", GW, "E", "name = Zo\xeb", "line", 14, E,
	  "line 14 is not valid UTF-8 (or has a control character) at "
	  "column 10" },
	{ "C1 control in UTF-8", GW, "E", "name = a\xc2\x9b[2J", "line", 14, E,
	  "not valid UTF-8 (or has a control character) at column 9" },
	{ "lone CSI byte", GW, "E", "name = a\x9b", "line", 14, E,
	  "not valid UTF-8" },
	{ "overlong slash", GW, "E", "name = \xc0\xaf", "line", 14, E,
	  "not valid UTF-8" },
	{ "surrogate", GW, "E", "name = \xed\xa0\x80", "line", 14, E,
	  "not valid UTF-8" },
	{ "above U+10FFFF", GW, "E", "name = \xf4\x90\x80\x80", "line", 14, E,
	  "not valid UTF-8" },
	{ "truncated sequence", GW, "E", "name = \xe2\x82", "line", 14, E,
	  "not valid UTF-8" },
	{ "DEL character", GW, "E", "name = a\x7fz", "line", 14, E,
	  "control character 0x7f" },

	/* keys in the wrong place, twice, or unknown */
	{ "unknown key", GW, "I", "colour = blue", "colour", 7, E,
	  "unknown key in [interface]" },
	{ "policy key in [interface]", GW, "I", "cooldown = 1s", "cooldown", 7,
	  E, "it is a policy key: put it under [policy NAME]" },
	{ "unknown key in [peer]", GW, "E", "keepalive = 25s", "keepalive", 14,
	  E, "unknown key in [peer]" },
	{ "unknown key in [policy]", GW, "P", "role = gateway", "role", 10, E,
	  "unknown key in [policy tuned]" },
	{ "role twice", GW, "I", "role = gateway", "role", 7, E,
	  "already set at line 2; it may appear once" },
	{ "profile twice", GW, "I", "profile = mobile", "profile", 7, E,
	  "already set at line 6" },
	{ "policy field twice", GW, "P", "cooldown = 1s\ncooldown = 2s",
	  "cooldown", 11, E, "already set at line 10" },
	{ "base twice", GW, "P", "base = datacenter", "base", 10, E,
	  "already set at line 9" },
	{ "public-key twice", GW, "E", "public-key = " KEY2, "public-key", 14,
	  E, "already set at line 12" },

	/* [interface] values */
	{ "device too long", GW, "I", "device = a-very-long-name0", "device", 7,
	  E, "expected an interface name of 1..15 characters" },
	{ "device with slash", GW, "I", "device = jvpn/0", "device", 7, E,
	  "expected an interface name" },
	{ "listen twice the same", GW, "I", "listen = 192.0.2.1:51820",
	  "listen", 7, E, "192.0.2.1:51820 is already listed" },
	{ "listen v6 is fine", GW, "I", "listen = [2001:db8::1]:51820", NULL, 0,
	  E, NULL },
	{ "listen without port", GW, "I", "listen = 192.0.2.1", "listen", 7, E,
	  "expected ADDR:PORT such as 192.0.2.1:51820" },
	{ "listen port 0", GW, "I", "listen = 192.0.2.1:0", "listen", 7, E,
	  "expected a port 1..65535" },
	{ "listen port 65536", GW, "I", "listen = 192.0.2.1:65536", "listen", 7,
	  E, "expected a port 1..65535" },
	{ "listen v6 without brackets", GW, "I", "listen = 2001:db8::1:51820",
	  "listen", 7, E, "an IPv6 address needs brackets" },
	{ "listen v4 in brackets", GW, "I", "listen = [192.0.2.1]:51820",
	  "listen", 7, E, "expected ADDR:PORT" },
	{ "listen host name", GW, "I", "listen = vpn.example.com:51820",
	  "listen", 7, E, "expected a numeric IPv4 or IPv6 address" },
	{ "listen scoped", GW, "I", "listen = [fe80::1%eth0]:51820", "listen",
	  7, E, "scoped (link-local) addresses" },
	{ "listen on a client", CL, "I", "listen = 0.0.0.0:51820", "listen", 6,
	  E, "only a gateway listens" },
	{ "relative state file", GW, "I", "state-file = var/jvpn.state",
	  "state-file", 7, E,
	  "expected an absolute path, got "
	  "\"var/jvpn.state\"" },
	{ "relative event log", CL, "I", "event-log = ev.jsonl", "event-log", 6,
	  E, "expected stdout or an absolute path" },
	{ "syslog yes", GW, "I", "syslog = yes", "syslog", 7, E,
	  "expected on or off, got \"yes\"" },
	{ "journald maybe", GW, "I", "journald = maybe", "journald", 7, E,
	  "expected on or off, got \"maybe\"" },
	{ "journald on is fine", CL, "I", "journald = on", NULL, 0, E, NULL },
	{ "relative cef log", GW, "I", "cef-log = cef.log", "cef-log", 7, E,
	  "expected an absolute path, got \"cef.log\"" },
	{ "relative control socket", GW, "I", "control-socket = j.sock",
	  "control-socket", 7, E, "expected an absolute path" },
	{ "control socket too long", GW, "I",
	  "control-socket = /run/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock",
	  "control-socket", 7, E,
	  "a unix socket path has at most 107 characters" },
	{ "metrics on a public address", GW, "I",
	  "metrics-listen = 0.0.0.0:9587", "metrics-listen", 7, E,
	  "0.0.0.0:9587 is not a loopback address" },
	{ "metrics on v6 any", GW, "I", "metrics-listen = [::]:9587",
	  "metrics-listen", 7, E, "is not a loopback address" },
	{ "metrics without port", GW, "I", "metrics-listen = 127.0.0.1",
	  "metrics-listen", 7, E, "expected ADDR:PORT" },
	{ "metrics on loopback v6", GW, "I", "metrics-listen = [::1]:9587",
	  NULL, 0, E, NULL },
	{ "metrics off", CL, "I", "metrics-listen = off", NULL, 0, E, NULL },

	/* [policy] values and the checklist through the file */
	{ "bad duration", GW, "P", "cooldown = 2", "cooldown", 10, E,
	  "expected a duration such as 500ms or 2s, got \"2\"" },
	{ "session ttl in ms", GW, "P", "session-ttl = 1500ms", "session-ttl",
	  10, E, "expected whole seconds" },
	{ "bad count", GW, "P", "max-switches-per-minute = many",
	  "max-switches-per-minute", 10, E, "expected a whole number" },
	{ "bad rate", GW, "P", "reattach-rate-per-source = 20",
	  "reattach-rate-per-source", 10, E, "expected a rate such as" },
	{ "quic refused", GW, "P", "allowed-transports = udp4, quic",
	  "allowed-transports", 10, E,
	  "\"quic\" is not supported by this "
	  "build" },
	{ "checklist error at its line", GW, "P", "replay-window = 4096",
	  "ReplayWindow", 10, E,
	  "policy tuned: ReplayWindow: replay-window "
	  "4096 is below 8128" },
	{ "checklist warning at its line", GW, "P",
	  "max-switches-per-minute = 500", "MaxSwitchesPerMinute", 10, W,
	  "warning: policy tuned: MaxSwitchesPerMinute: "
	  "max-switches-per-minute 500 is above 60: a flapping link will "
	  "churn keys" },
	{ "checklist across fields", GW, "P", "probe-interval = 500ms",
	  "HealthThreshold", 10, E,
	  "health-threshold 1s is not above twice "
	  "probe-interval 500ms" },

	/* [peer] values */
	{ "second peer is valid", GW, "E", NEW_PEER_KEY KEY2, NULL, 0, E,
	  NULL },
	{ "key too short", GW, "E", NEW_PEER_KEY "abc", "public-key", 16, E,
	  "expected 44 base64 characters (a 32-byte key), got 3" },
	{ "key too long", GW, "E", NEW_PEER_KEY KEY1 "A", "public-key", 16, E,
	  "got 45" },
	{ "key bad character", GW, "E",
	  NEW_PEER_KEY "AQIDBAUGBwgJCgsMDQ4PEBESEx!VFhcYGRobHB0eHyA=",
	  "public-key", 16, E, "invalid base64 character '!' at position 27" },
	{ "key url-safe alphabet", GW, "E",
	  NEW_PEER_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH_A=",
	  "public-key", 16, E, "invalid base64 character '_' at position 42" },
	{ "key padding in the middle", GW, "E",
	  NEW_PEER_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e=yA=",
	  "public-key", 16, E, "invalid base64 character '=' at position 41" },
	{ "key without padding", GW, "E",
	  NEW_PEER_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAA",
	  "public-key", 16, E, "ends with one '='" },
	{ "key not canonical", GW, "E",
	  NEW_PEER_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyB=",
	  "public-key", 16, E, "is not canonical base64" },
	{ "key all zero", GW, "E",
	  NEW_PEER_KEY "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	  "public-key", 16, E, "all-zero key" },
	{ "key far too long", GW, "E", NEW_PEER_KEY KEY1 KEY2, "public-key", 16,
	  E, "expected 44 base64 characters (a 32-byte key), got 88" },
	{ "key non-ascii character", GW, "E",
	  NEW_PEER_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH\xc3\xa9=",
	  "public-key", 16, E,
	  "invalid base64 character \\xc3 at position 42" },
	{ "key symbol where '=' belongs", GW, "E",
	  NEW_PEER_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAB",
	  "public-key", 16, E, "ends with one '=', got 'B'" },
	{ "key padding inside", GW, "E",
	  NEW_PEER_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHy==",
	  "public-key", 16, E, "invalid base64 character '=' at position 43" },
	{ "cidr prefix too long", GW, "E", "allowed-ips = 10.9.0.0/33",
	  "allowed-ips", 14, E, "expected a prefix length 0..32" },
	{ "cidr v6 prefix too long", GW, "E", "allowed-ips = fd00::/129",
	  "allowed-ips", 14, E, "expected a prefix length 0..128" },
	{ "cidr v6 prefix 128 fine", GW, "E", "allowed-ips = fd00::9/128", NULL,
	  0, E, NULL },
	{ "cidr prefix not a number", GW, "E", "allowed-ips = 10.9.0.0/x",
	  "allowed-ips", 14, E, "expected a prefix length" },
	{ "cidr empty prefix", GW, "E", "allowed-ips = 10.9.0.0/",
	  "allowed-ips", 14, E, "expected a prefix length" },
	{ "cidr host bits", GW, "E", "allowed-ips = 10.9.0.1/24", "allowed-ips",
	  14, E,
	  "\"10.9.0.1/24\" has host bits set; the "
	  "network is 10.9.0.0/24" },
	{ "cidr v6 host bits", GW, "E", "allowed-ips = fd00:9::1/64",
	  "allowed-ips", 14, E, "the network is fd00:9::/64" },
	{ "cidr not an address", GW, "E", "allowed-ips = banana", "allowed-ips",
	  14, E,
	  "expected a numeric IPv4 or IPv6 address, "
	  "got \"banana\"" },
	{ "cidr octet out of range", GW, "E", "allowed-ips = 10.9.0.256/32",
	  "allowed-ips", 14, E, "expected a numeric" },
	{ "cidr empty item", GW, "E", "allowed-ips = 10.9.0.0/24,,10.10.0.0/24",
	  "allowed-ips", 14, E, "empty item" },
	{ "cidr twice in one peer", GW, "E", "allowed-ips = 10.8.0.2/32",
	  "allowed-ips", 14, E,
	  "10.8.0.2/32 is listed twice in this peer "
	  "(first at line 13)" },
	{ "endpoint on a gateway peer", GW, "E", "endpoint = 192.0.2.9:51820",
	  "endpoint", 14, E, "only a client dials its peer" },
	{ "uplink on a gateway peer", GW, "E", "uplink = eth0", "uplink", 14, E,
	  "only a client has uplinks" },
	{ "address on a gateway peer", GW, "E", "address = 10.8.0.9/24",
	  "address", 14, E, "only a client has an address here" },
	{ "profile on a client peer", CL, "E", "profile = mobile", "profile",
	  12, E, "a client's profile is the [interface] profile" },
	{ "unknown peer profile", GW, "E", "profile = nosuch", "profile", 14, E,
	  "no profile called \"nosuch\"" },
	{ "peer profile of the file", GW, "E", "profile = tuned", NULL, 0, E,
	  NULL },
	{ "name too long", GW, "E",
	  "name = "
	  "0123456789012345678901234567890123456789012345678901234567890123",
	  "name", 14, E, "longer than 63 characters" },
	{ "endpoint twice", CL, "E", "endpoint = 198.51.100.1:51820",
	  "endpoint", 12, E, "is already listed" },
	{ "endpoint v6 bad port", CL, "E", "endpoint = [2001:db8::1]:x",
	  "endpoint", 12, E, "expected a port 1..65535" },
	{ "uplink bad address", CL, "E", "uplink = wlan0@192.0.2.300", "uplink",
	  12, E, "expected a numeric IPv4 or IPv6 address" },
	{ "uplink bad name", CL, "E", "uplink = wlan/0", "uplink", 12, E,
	  "expected an interface name" },
	{ "uplink empty name", CL, "E", "uplink = @192.0.2.1", "uplink", 12, E,
	  "expected an interface name" },
	{ "uplink twice", CL, "E",
	  "uplink = wlan9@fd00::9\nuplink = wlan9@fd00::9", "uplink", 13, E,
	  "wlan9@fd00::9 is already listed" },
	{ "same uplink, other address", CL, "E",
	  "uplink = wlan9@fd00::9\nuplink = wlan9@fd00::8", NULL, 0, E, NULL },
	{ "address twice", CL, "E", "address = 10.8.0.4/24", "address", 12, E,
	  "already set at line 10" },
};

#undef NEW_PEER_KEY
#undef GW
#undef CL
#undef E
#undef W

static void run_line_case(void **state)
{
	const struct line_case *c = *state;
	char *text = fill_template(c->template, c->slot, c->line);
	struct config cfg;
	struct diag diag;

	if (!c->subject) {
		parse_ok("t.conf", text, &cfg, &diag);
		config_free(&cfg);
		free(text);
		return;
	}
	config_parse_buffer("t.conf", text, strlen(text), &cfg, &diag);
	free(text);
	expect_finding(&diag, c->subject, c->at, c->severity, c->needle);
	/* one line, one finding: nothing else was reported */
	if (diag.count != 1)
		fail_with_diag(&diag, "more than one finding");
	assert_true(strncmp(diag.entries[0].text, "t.conf:", 7) == 0);
	config_free(&cfg);
}

/* ---- a few classes that need more than one line ------------------- */

static void test_unknown_interface_profile(void **state)
{
	static const char text[] = "[interface]\n"
				   "role = client\n"
				   "private-key-file = /k\n"
				   "syslog = on\n"
				   "profile = roaming\n" /* 5 */
				   "[peer]\n"
				   "public-key = " KEY1 "\n"
				   "endpoint = 192.0.2.1:51820\n"
				   "address = 10.0.0.2/24\n"
				   "allowed-ips = 0.0.0.0/0\n";
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_refused("p.conf", text, &cfg, &diag);
	assert_int_equal(diag.count, 1);
	expect_error(&diag, "profile", 5,
		     "no profile called \"roaming\": use "
		     "mobile, datacenter or the NAME of a [policy NAME]");
}

static void test_policy_sections(void **state)
{
	static const char text[] = "[policy roaming]\n" /* 1: no base */
				   "cooldown = 1s\n"
				   "[policy mobile]\n"	 /* 3 */
				   "base = datacenter\n" /* 4 */
				   "[policy mobile]\n"	 /* 5: twice */
				   "[policy fast]\n"	 /* 6 */
				   "base = lte\n"	 /* 7 */
				   "[interface]\n"
				   "role = gateway\n"
				   "listen = 192.0.2.1:1\n"
				   "private-key-file = /k\n"
				   "syslog = on\n"
				   "profile = roaming\n"
				   "[peer]\n"
				   "public-key = " KEY1 "\n"
				   "allowed-ips = 10.0.0.2/32\n";
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_refused("p.conf", text, &cfg, &diag);
	expect_error(&diag, "base", 1,
		     "missing; [policy roaming] is not a "
		     "built-in profile: set base = mobile or base = "
		     "datacenter");
	expect_error(&diag, "base", 4,
		     "[policy mobile] tunes a built-in "
		     "profile, which has no base");
	expect_error(&diag, "policy", 5,
		     "[policy mobile]: already defined "
		     "at line 3");
	expect_error(&diag, "base", 7,
		     "expected mobile or datacenter, got "
		     "\"lte\"");
	/* fast has no base: one error for it, not a cascade */
	expect_error(&diag, "base", 6, "missing");
	assert_int_equal(diag.errors, 5);
}

static void test_too_many_policies(void **state)
{
	char *text = malloc(8192), *out = text;
	struct config cfg;
	struct diag diag;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < CONFIG_MAX_POLICIES - 1; i++)
		out += sprintf(out, "[policy p%d]\nbase = mobile\n", i);
	parse_refused("p.conf", text, &cfg, &diag);
	/* 30 fit beside the two built-ins; the 31st, at line 61, does not */
	expect_error(&diag, "policy", 61,
		     "[policy p30]: more than 30 "
		     "profiles");
	free(text);
}

static void test_missing_keys_name_the_header(void **state)
{
	static const char text[] = "# nothing but headers\n"
				   "[peer]\n" /* 2 */
				   "name = gw\n"
				   "[interface]\n" /* 4 */
				   "role = client\n";
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_refused("m.conf", text, &cfg, &diag);
	expect_error(&diag, "private-key-file", 4, "missing");
	expect_error(&diag, "profile", 4,
		     "missing; choose mobile, "
		     "datacenter or a [policy NAME]");
	expect_finding(&diag, "LoggingPipeline", 4, DIAG_WARNING,
		       "no event outlet");
	expect_error(&diag, "public-key", 2, "missing");
	expect_error(&diag, "allowed-ips", 2, "missing");
	expect_error(&diag, "endpoint", 2, "missing");
	expect_error(&diag, "address", 2, "missing");
	assert_int_equal(diag.errors, 6);
	/* sorted by line: the [peer] above the [interface] comes first */
	assert_int_equal(diag.entries[0].line, 2);
	assert_int_equal(diag.entries[diag.count - 1].line, 4);
}

static void test_gateway_needs_listen_and_role(void **state)
{
	static const char gateway[] =
		"[interface]\nrole = gateway\nprivate-key-file = /k\n"
		"syslog = on\nprofile = mobile\n";
	static const char no_role[] =
		"[interface]\nprivate-key-file = /k\nsyslog = on\n"
		"profile = mobile\n";
	static const char bad_role[] =
		"[interface]\nrole = server\nprivate-key-file = /k\n"
		"syslog = on\nprofile = mobile\n";
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_refused("g.conf", gateway, &cfg, &diag);
	expect_error(&diag, "listen", 1,
		     "a gateway needs at least one "
		     "ADDR:PORT");
	expect_finding(&diag, "peer", 0, DIAG_WARNING,
		       "no [peer] section: "
		       "this gateway accepts nobody");
	assert_int_equal(diag.errors, 1);

	parse_refused("g.conf", no_role, &cfg, &diag);
	expect_error(&diag, "role", 1,
		     "missing; set role = gateway or "
		     "role = client");
	assert_int_equal(diag.errors, 1);

	parse_refused("g.conf", bad_role, &cfg, &diag);
	expect_error(&diag, "role", 2,
		     "expected gateway or client, got "
		     "\"server\"");
	assert_int_equal(diag.errors, 1);
}

static void test_peer_before_interface(void **state)
{
	static const char text[] = "[peer]\n"
				   "public-key = " KEY1 "\n"
				   "endpoint = 192.0.2.1:51820\n"
				   "uplink = eth0\n"
				   "address = 10.0.0.2/24\n"
				   "allowed-ips = 0.0.0.0/0\n"
				   "[interface]\n"
				   "private-key-file = /k\n"
				   "syslog = on\n"
				   "profile = mobile\n"
				   "role = client\n";
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_ok("b.conf", text, &cfg, &diag);
	assert_int_equal(cfg.n_peers, 1);
	assert_int_equal(cfg.peers[0].n_uplinks, 1);
	config_free(&cfg);
}

static void test_client_has_one_peer(void **state)
{
	char text[1024];
	struct config cfg;
	struct diag diag;

	(void)state;
	snprintf(text, sizeof(text),
		 "%s[peer]\npublic-key = %s\n"
		 "endpoint = 192.0.2.2:1\naddress = 10.0.0.9/24\n"
		 "allowed-ips = 10.1.0.0/16\n",
		 client_text, KEY1);
	parse_refused("c.conf", text, &cfg, &diag);
	expect_error(&diag, "peer", 15,
		     "a client has exactly one [peer], its "
		     "gateway; the first is at line 6");
	assert_int_equal(diag.errors, 1);

	parse_refused("c.conf",
		      "[interface]\nrole = client\n"
		      "private-key-file = /k\nsyslog = on\nprofile = mobile\n",
		      &cfg, &diag);
	expect_error(&diag, "peer", 0, "no [peer] section: a client needs");
}

static void test_duplicates_across_peers(void **state)
{
	static const char text[] =
		"[interface]\n"
		"role = gateway\n"
		"listen = 192.0.2.1:51820\n"
		"private-key-file = /k\n"
		"syslog = on\n"
		"profile = mobile\n"
		"[peer]\n"				   /* 7 */
		"name = alice\n"			   /* 8 */
		"public-key = " KEY1 "\n"		   /* 9 */
		"allowed-ips = 10.0.0.2/32, 10.1.0.0/16\n" /* 10 */
		"[peer]\n"				   /* 11 */
		"name = bob\n"
		"public-key = " KEY2 "\n"
		"allowed-ips = 10.1.0.0/24\n" /* overlap: fine */
		"[peer]\n"		      /* 15 */
		"name = alice\n"	      /* 16 */
		"public-key = " KEY1 "\n"     /* 17 */
		"allowed-ips = 10.0.0.3/32\n"
		"allowed-ips = 10.1.0.0/16\n"; /* 19 */
	struct config cfg;
	struct diag diag;

	(void)state;
	parse_refused("d.conf", text, &cfg, &diag);
	expect_error(&diag, "public-key", 17, "same key as the peer at line 7");
	expect_error(&diag, "name", 16,
		     "\"alice\" is already the name of the "
		     "peer at line 7");
	expect_error(&diag, "allowed-ips", 19,
		     "10.1.0.0/16 is already routed "
		     "to the peer at line 7");
	assert_int_equal(diag.errors, 3);
}

static void test_second_interface_section(void **state)
{
	char text[1024];
	struct config cfg;
	struct diag diag;

	(void)state;
	snprintf(text, sizeof(text), "%s[interface]\nrole = gateway\n",
		 client_text);
	parse_refused("i.conf", text, &cfg, &diag);
	expect_error(&diag, "interface", 15,
		     "a second [interface] section; "
		     "the first is at line 1");
	assert_int_equal(diag.errors, 1); /* its keys are not read */
}

static void test_key_outside_section(void **state)
{
	char text[1024];
	struct config cfg;
	struct diag diag;

	(void)state;
	snprintf(text, sizeof(text), "# top\nrole = client\n%s", client_text);
	parse_refused("o.conf", text, &cfg, &diag);
	expect_error(&diag, "role", 2,
		     "outside any section; put it under "
		     "[interface], [peer] or [policy NAME]");
	assert_int_equal(diag.errors, 1);
}

static void test_unknown_section_skips_its_keys(void **state)
{
	char text[1024];
	struct config cfg;
	struct diag diag;

	(void)state;
	snprintf(text, sizeof(text), "%s[wireguard]\nkey = 1\nmore = 2\n",
		 client_text);
	parse_refused("u.conf", text, &cfg, &diag);
	expect_error(&diag, "section", 15, "[wireguard]: unknown section");
	assert_int_equal(diag.errors, 1);
}

static void test_address_forms(void **state)
{
	char text[1024];
	struct config cfg;
	struct diag diag;

	(void)state;
	snprintf(text, sizeof(text),
		 "[interface]\nrole = client\n"
		 "private-key-file = /k\nsyslog = on\nprofile = mobile\n"
		 "[peer]\npublic-key = %s\nendpoint = 192.0.2.1:1\n"
		 "allowed-ips = ::/0\naddress = %s\n",
		 KEY1, "fd00::2");
	parse_ok("a.conf", text, &cfg, &diag);
	assert_cidr(&cfg.peers[0].address, "fd00::2", 128);
	config_free(&cfg);

	snprintf(text, sizeof(text),
		 "[interface]\nrole = client\n"
		 "private-key-file = /k\nsyslog = on\nprofile = mobile\n"
		 "[peer]\npublic-key = %s\nendpoint = 192.0.2.1:1\n"
		 "allowed-ips = ::/0\naddress = %s\n",
		 KEY1, "0.0.0.0/0");
	parse_refused("a.conf", text, &cfg, &diag);
	expect_error(&diag, "address", 10, "a /0 prefix is not an address");
}

/* ---- many errors, limits ------------------------------------------ */

static void test_all_errors_reported_in_line_order(void **state)
{
	static const char text[] = "[interface]\n"		 /* 1 */
				   "role = gateway\n"		 /* 2 */
				   "listen = 192.0.2.1\n"	 /* 3 */
				   "private-key-file = /k\n"	 /* 4 */
				   "syslog = maybe\n"		 /* 5 */
				   "profile = mobile\n"		 /* 6 */
				   "[policy mobile]\n"		 /* 7 */
				   "cooldown = soon\n"		 /* 8 */
				   "[peer]\n"			 /* 9 */
				   "public-key = " KEY1 "\n"	 /* 10 */
				   "allowed-ips = 10.0.0.1/8\n"	 /* 11 */
				   "[peer]\n"			 /* 12 */
				   "public-key = " KEY1 "\n"	 /* 13 */
				   "allowed-ips = 10.1.0.0/16\n" /* 14 */
				   "colour = red\n";		 /* 15 */
	static const struct {
		unsigned int line;
		const char *subject;
	} want[] = {
		{ 3, "listen" },       { 5, "syslog" },	     { 8, "cooldown" },
		{ 11, "allowed-ips" }, { 13, "public-key" }, { 15, "colour" },
	};
	struct config cfg;
	struct diag diag;

	(void)state;
	size_t n = 0;

	parse_refused("many.conf", text, &cfg, &diag);
	if (diag.errors != ARRAY_SIZE(want))
		fail_with_diag(&diag, "not exactly the six errors");
	for (size_t i = 0; i < diag.count; i++) {
		if (diag.entries[i].severity != DIAG_ERROR)
			continue;
		assert_int_equal(diag.entries[i].line, want[n].line);
		assert_string_equal(diag.entries[i].subject, want[n].subject);
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(want));
}

static void test_errors_capped_at_50(void **state)
{
	char *text = malloc(4096), *out = text;
	struct config cfg;
	struct diag diag;
	char *printed = NULL;
	size_t size = 0;
	FILE *stream;

	(void)state;
	assert_non_null(text);
	out += sprintf(out, "%s", client_text);
	for (int i = 0; i < 60; i++)
		out += sprintf(out, "k%d = v\n", i);
	parse_refused("cap.conf", text, &cfg, &diag);
	assert_int_equal(diag.errors, 60);
	assert_int_equal(diag.count, DIAG_MAX_ENTRIES);
	assert_int_equal(diag.entries[0].line, 15);
	assert_int_equal(diag.entries[49].line, 64);

	stream = open_memstream(&printed, &size);
	diag_print(&diag, stream);
	fclose(stream);
	assert_non_null(strstr(printed, "cap.conf: 10 more errors and "
					"warnings not shown"));
	free(printed);
	free(text);
}

static void test_line_length_limit(void **state)
{
	char *text = malloc(8192);
	struct config cfg;
	struct diag diag;
	int n;

	(void)state;
	assert_non_null(text);
	/* exactly 1024 characters, CRLF ended: fine */
	n = sprintf(text, "%s#", client_text);
	memset(text + n, 'x', 1023);
	strcpy(text + n + 1023, "\r\n");
	parse_ok("l.conf", text, &cfg, &diag);
	config_free(&cfg);

	/* 1025: refused, naming the line; a comment has no key */
	n = sprintf(text, "%s#", client_text);
	memset(text + n, 'x', 1024);
	strcpy(text + n + 1024, "\n");
	parse_refused("l.conf", text, &cfg, &diag);
	expect_error(&diag, "line", 15,
		     "line 15 is longer than 1024 "
		     "characters");

	/* a long setting names its key */
	n = sprintf(text, "%sallowed-ips = ", client_text);
	for (int i = 0; i < 100; i++)
		n += sprintf(text + n, "10.%d.0.0/16,", i);
	strcpy(text + n - 1, "\n");
	parse_refused("l.conf", text, &cfg, &diag);
	expect_error(&diag, "allowed-ips", 15,
		     "allowed-ips: line is longer "
		     "than 1024 characters");
	assert_int_equal(diag.errors, 1);
	free(text);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[interface]\nrole = cli\0ent\n";
	struct config cfg;
	struct diag diag;

	(void)state;
	assert_int_equal(config_parse_buffer("z.conf", text, sizeof(text) - 1,
					     &cfg, &diag),
			 -1);
	expect_error(&diag, "line", 2, "control character 0x00 at column 11");
}

static void test_empty_file(void **state)
{
	static const char *const texts[] = { "", "\n\n", "# only a comment\n",
					     "   \t\r\n" };
	struct config cfg;
	struct diag diag;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		parse_refused("empty.conf", texts[i], &cfg, &diag);
		assert_int_equal(diag.errors, 1);
		assert_string_equal(diag.entries[0].text,
				    "empty.conf: no [interface] section");
		assert_int_equal(diag.entries[0].line, 0);
	}
}

/* One [peer] with n of a repeatable key; the last one over the limit. */
static void test_per_peer_limits(void **state)
{
	char *text = malloc(16384);
	struct config cfg;
	struct diag diag;
	int n;

	(void)state;
	assert_non_null(text);
	n = sprintf(text, "%s", client_text);
	for (int i = 2; i <= 8; i++) /* 2 + 7 = 9 */
		n += sprintf(text + n, "endpoint = 198.51.100.%d:1\n", i);
	parse_refused("lim.conf", text, &cfg, &diag);
	expect_error(&diag, "endpoint", 21, "more than 8 endpoints");
	assert_int_equal(diag.errors, 1);

	n = sprintf(text, "%s", client_text);
	for (int i = 2; i <= 7; i++) /* 3 + 6 = 9 */
		n += sprintf(text + n, "uplink = eth%d\n", i);
	parse_refused("lim.conf", text, &cfg, &diag);
	expect_error(&diag, "uplink", 20, "more than 8 uplinks");
	assert_int_equal(diag.errors, 1);

	n = sprintf(text, "%s", client_text);
	for (int i = 0; i < 63; i++) /* 2 + 63 = 65 */
		n += sprintf(text + n, "allowed-ips = 10.%d.0.0/16\n", i);
	parse_refused("lim.conf", text, &cfg, &diag);
	expect_error(&diag, "allowed-ips", 77, "more than 64 prefixes");
	assert_int_equal(diag.errors, 1);
	free(text);
}

static void test_listen_limit(void **state)
{
	char *text = malloc(4096);
	struct config cfg;
	struct diag diag;
	int n;

	(void)state;
	assert_non_null(text);
	n = sprintf(text, "[interface]\nrole = gateway\nprivate-key-file = /k\n"
			  "syslog = on\nprofile = mobile\n");
	for (int i = 1; i <= 9; i++)
		n += sprintf(text + n, "listen = 192.0.2.%d:51820\n", i);
	parse_refused("lim.conf", text, &cfg, &diag);
	expect_error(&diag, "listen", 14, "more than 8 listen addresses");
	assert_int_equal(diag.errors, 1);
	free(text);
}

/* 4096 peers are fine; the 4097th is refused, once. */
static void test_peer_limit(void **state)
{
	size_t size = 200 + (CONFIG_MAX_PEERS + 2) * 120;
	char *text = malloc(size), *out = text;
	char key[CONFIG_KEY_BASE64_LEN + 1];
	uint8_t bytes[JVPN_KEY_LEN];
	struct config cfg;
	struct diag diag;

	(void)state;
	assert_non_null(text);
	out += sprintf(out, "[interface]\nrole = gateway\nlisten = [::]:1\n"
			    "private-key-file = /k\nsyslog = on\n"
			    "profile = mobile\n");
	for (int i = 0; i < CONFIG_MAX_PEERS; i++) {
		key_bytes(1, bytes);
		bytes[0] = (uint8_t)(i >> 8);
		bytes[1] = (uint8_t)i;
		key_text(bytes, key);
		out += sprintf(out,
			       "[peer]\npublic-key = %s\n"
			       "allowed-ips = 10.%d.%d.0/24\n",
			       key, i >> 8, i & 255);
	}
	parse_ok("big.conf", text, &cfg, &diag);
	assert_int_equal(cfg.n_peers, CONFIG_MAX_PEERS);
	assert_int_equal(cfg.peers[4095].allowed_ips[0].addr[1], 15);
	config_free(&cfg);

	out += sprintf(out,
		       "[peer]\npublic-key = %s\n"
		       "allowed-ips = 10.200.0.0/24\n[peer]\n",
		       KEY3);
	parse_refused("big.conf", text, &cfg, &diag);
	expect_error(&diag, "peer", 6 + 3 * CONFIG_MAX_PEERS + 1,
		     "more than 4096 peers");
	assert_int_equal(diag.errors, 1);
	free(text);
}

/* ---- defaults and warnings ---------------------------------------- */

static void test_logging_pipeline_warning(void **state)
{
	char *text = fill_template(client_template, "-", "");
	char *quiet = malloc(strlen(text) + 1);
	struct config cfg;
	struct diag diag;

	(void)state;
	assert_non_null(quiet);
	/* the template's only outlet is syslog = on: comment it out */
	strcpy(quiet, text);
	*strstr(quiet, "syslog = on") = '#';
	parse_ok("q.conf", quiet, &cfg, &diag);
	expect_finding(&diag, "LoggingPipeline", 1, DIAG_WARNING,
		       "warning: LoggingPipeline: no event outlet");
	assert_int_equal(diag.warnings, 1);
	config_free(&cfg);
	free(quiet);
	free(text);
}

/* journald or cef-log alone is an outlet; the operator keys are kept. */
static void test_operator_outlets(void **state)
{
	static const char *const outlets[] = { "journald = on",
					       "cef-log = /var/log/jvpn.cef" };
	char *text = fill_template(client_template, "-", "");
	struct config cfg;
	struct diag diag;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(outlets); i++) {
		size_t size = strlen(text) + 200;
		char *other = malloc(size);
		char *at;

		assert_non_null(other);
		strcpy(other, text);
		at = strstr(other, "syslog = on");
		snprintf(at, size - (size_t)(at - other),
			 "%s\ncontrol-socket = /run/j.sock\n"
			 "metrics-listen = 127.0.0.2:9587\n%s",
			 outlets[i],
			 strstr(text, "syslog = on") + strlen("syslog = on"));
		parse_ok("o.conf", other, &cfg, &diag);
		assert_int_equal(diag.warnings, 0);
		assert_string_equal(cfg.interface.control_socket,
				    "/run/j.sock");
		assert_endpoint(&cfg.interface.metrics_listen, "127.0.0.2",
				9587);
		config_free(&cfg);
		free(other);
	}
	free(text);
}

/* ---- files, --check-config, reload -------------------------------- */

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/jvpn-config-test.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* config_check_file's whole output for text, and its return value. */
static int check_output(const char *text, char **output)
{
	char *path = write_temp(text);
	size_t size = 0;
	FILE *out = open_memstream(output, &size);
	int result;

	assert_non_null(out);
	result = config_check_file(path, out);
	fclose(out);
	unlink(path);
	free(path);
	return result;
}

static void test_load_names_the_path(void **state)
{
	char *path = write_temp(gateway_text);
	struct config cfg;
	struct diag diag;

	(void)state;
	assert_int_equal(config_load(path, &cfg, &diag), 0);
	check_gateway(&cfg);
	config_free(&cfg);
	unlink(path);
	free(path);

	assert_int_equal(config_load("/nonexistent/jvpnd.conf", &cfg, &diag),
			 -1);
	assert_string_equal(diag.entries[0].text,
			    "/nonexistent/jvpnd.conf: "
			    "cannot open: No such file or directory");
}

static void test_check_config_ok(void **state)
{
	char *output = NULL;

	(void)state;
	assert_int_equal(check_output(gateway_text, &output), 0);
	assert_string_equal(output, "ok: 2 peers, profile datacenter\n");
	free(output);
}

static void test_check_config_errors(void **state)
{
	char *output = NULL,
	     *text = fill_template(gateway_template, "P", "cooldown = fast");

	(void)state;
	/* the two errors and the warning, then the count */
	text = realloc(text, strlen(text) + 64);
	strcat(text, "syslog = on\nmax-switches-per-minute = 99\n");
	assert_int_equal(check_output(text, &output), 1);
	assert_non_null(strstr(output, ":10: cooldown: expected a duration "));
	assert_non_null(strstr(output, ":15: syslog: unknown key in [peer]\n"));
	assert_non_null(strstr(output, ":16: max-switches-per-minute: unknown "
				       "key in [peer]; it is a policy key"));
	assert_non_null(strstr(output, "\n3 errors\n"));
	assert_null(strstr(output, "ok:"));
	free(output);
	free(text);
}

static void test_check_config_warnings_still_ok(void **state)
{
	char *output = NULL, *text = fill_template(gateway_template, "P",
						   "handshake-timeout = 45s");

	(void)state;
	assert_int_equal(check_output(text, &output), 0);
	assert_non_null(strstr(output,
			       ":10: warning: policy tuned: "
			       "HandshakeTimeout: handshake-timeout 45s is "
			       "above 30s"));
	assert_non_null(strstr(output, "\nok: 1 peers, profile datacenter\n"));
	free(output);
	free(text);
}

static void test_check_config_missing_file(void **state)
{
	char *output = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&output, &size);

	(void)state;
	assert_int_equal(config_check_file("/nonexistent.conf", out), 1);
	fclose(out);
	assert_string_equal(output, "/nonexistent.conf: cannot open: No such "
				    "file or directory\n1 errors\n");
	free(output);
}

static void parse_gateway(struct config *cfg, const char *extra)
{
	char *text = fill_template(gateway_template, "P", extra);
	struct diag diag;

	parse_ok("r.conf", text, cfg, &diag);
	free(text);
}

static void test_reload_accepts_policy_changes(void **state)
{
	struct config running, next;
	struct diag diag;

	(void)state;
	parse_gateway(&running, "");
	parse_gateway(&next, "cooldown = 2s");
	diag_init(&diag, "r.conf");
	assert_int_equal(config_check_reload(&running, &next, &diag), 0);
	assert_int_equal(diag.count, 0);
	assert_int_equal(
		policy_diff(&config_find_policy(&running, "tuned")->policy,
			    &config_find_policy(&next, "tuned")->policy, NULL,
			    NULL),
		1);
	config_free(&running);
	config_free(&next);
}

static void record_change(void *ctx, const char *text)
{
	char *log = ctx;

	strcat(log, text);
	strcat(log, "\n");
}

static void test_reload_diff_names_each_change(void **state)
{
	struct config running, next;
	char log[1024] = "";
	char *text;
	struct diag diag;

	(void)state;
	parse_gateway(&running, "");
	text = fill_template(gateway_template, "P",
			     "cooldown = 2s\n"
			     "[policy lab]\n"
			     "base = datacenter\n"
			     "[peer]\n"
			     "name = bob\n"
			     "public-key = " KEY3 "\n"
			     "allowed-ips = 10.8.0.3/32\n");
	parse_ok("r.conf", text, &next, &diag);
	assert_int_equal(config_diff(&running, &next, record_change, log), 3);
	assert_string_equal(log, "profile tuned: cooldown 500ms -> 2s\n"
				 "profile lab: added\n"
				 "peer bob: added\n");
	log[0] = 0;
	assert_int_equal(config_diff(&next, &running, record_change, log), 3);
	assert_string_equal(log, "profile tuned: cooldown 2s -> 500ms\n"
				 "profile lab: removed\n"
				 "peer bob: removed\n");
	assert_int_equal(config_diff(&running, &running, NULL, NULL), 0);
	config_free(&running);
	config_free(&next);
	free(text);
}

static void test_reload_refuses_restart_only_changes(void **state)
{
	struct config running, next;
	struct diag diag;
	char *text;

	(void)state;
	parse_gateway(&running, "");
	text = fill_template(gateway_template, "I", "device = jvpn9");
	memcpy(strstr(text, "192.0.2.1:51820"), "192.0.2.2", 9);
	parse_ok("r.conf", text, &next, &diag);
	diag_init(&diag, "r.conf");
	/* the default state file and control socket follow the device */
	assert_int_equal(config_check_reload(&running, &next, &diag), 4);
	expect_error(&diag, "state-file", 0, "the state file cannot change");
	expect_error(&diag, "control-socket", 0,
		     "control-socket: the control "
		     "socket cannot change on reload");
	expect_error(&diag, "device", 0,
		     "device: the device cannot change on "
		     "reload; restart jvpnd");
	expect_error(&diag, "listen", 0, "the listen addresses cannot change");
	config_free(&next);
	free(text);

	parse_ok("r.conf", client_text, &next, &diag);
	diag_init(&diag, "r.conf");
	assert_true(config_check_reload(&running, &next, &diag) >= 1);
	expect_error(&diag, "role", 0,
		     "role: gateway cannot become client on "
		     "reload");
	config_free(&next);
	config_free(&running);
}

static void test_reload_refuses_new_gateway_key(void **state)
{
	struct config running, next;
	struct diag diag;
	char text[sizeof(client_text)];

	(void)state;
	parse_ok("c.conf", client_text, &running, &diag);
	strcpy(text, client_text);
	memcpy(strstr(text, KEY3), KEY2, strlen(KEY2));
	parse_ok("c.conf", text, &next, &diag);
	diag_init(&diag, "c.conf");
	assert_int_equal(config_check_reload(&running, &next, &diag), 1);
	expect_error(&diag, "public-key", 6,
		     "the gateway's key cannot change "
		     "on reload: a new gateway is a new session");
	config_free(&next);
	config_free(&running);
}

/* SIGHUP with a broken file: refused, the running config untouched. */
static void test_reload_of_invalid_file_keeps_running(void **state)
{
	char *bad = fill_template(gateway_template, "P", "cooldown = 0s");
	char *good = fill_template(gateway_template, "P", "cooldown = 2s");
	char *bad_path = write_temp(bad), *good_path = write_temp(good);
	struct config running, next, before;
	struct diag diag;

	(void)state;
	parse_gateway(&running, "");
	before = running;
	assert_int_equal(config_reload(&running, bad_path, &next, &diag), -1);
	expect_error(&diag, "Cooldown", 10, "cooldown is undefined");
	assert_null(next.peers);
	assert_memory_equal(&running, &before, sizeof(running));

	assert_int_equal(config_reload(&running, good_path, &next, &diag), 0);
	assert_int_equal(config_find_policy(&next, "tuned")->policy.cooldown_ms,
			 2000);
	config_free(&next);
	config_free(&running);
	unlink(bad_path);
	unlink(good_path);
	free(bad_path);
	free(good_path);
	free(bad);
	free(good);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_gateway_parses_exactly),
		cmocka_unit_test(test_client_parses_exactly),
		cmocka_unit_test(test_peer_drill_switch),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_buffer_length_is_respected),
		cmocka_unit_test(test_duration_error_message),
		cmocka_unit_test(test_unknown_interface_profile),
		cmocka_unit_test(test_policy_sections),
		cmocka_unit_test(test_too_many_policies),
		cmocka_unit_test(test_missing_keys_name_the_header),
		cmocka_unit_test(test_gateway_needs_listen_and_role),
		cmocka_unit_test(test_peer_before_interface),
		cmocka_unit_test(test_client_has_one_peer),
		cmocka_unit_test(test_duplicates_across_peers),
		cmocka_unit_test(test_second_interface_section),
		cmocka_unit_test(test_key_outside_section),
		cmocka_unit_test(test_unknown_section_skips_its_keys),
		cmocka_unit_test(test_address_forms),
		cmocka_unit_test(test_all_errors_reported_in_line_order),
		cmocka_unit_test(test_errors_capped_at_50),
		cmocka_unit_test(test_line_length_limit),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_per_peer_limits),
		cmocka_unit_test(test_listen_limit),
		cmocka_unit_test(test_peer_limit),
		cmocka_unit_test(test_logging_pipeline_warning),
		cmocka_unit_test(test_operator_outlets),
		cmocka_unit_test(test_load_names_the_path),
		cmocka_unit_test(test_check_config_ok),
		cmocka_unit_test(test_check_config_errors),
		cmocka_unit_test(test_check_config_warnings_still_ok),
		cmocka_unit_test(test_check_config_missing_file),
		cmocka_unit_test(test_reload_accepts_policy_changes),
		cmocka_unit_test(test_reload_diff_names_each_change),
		cmocka_unit_test(test_reload_refuses_restart_only_changes),
		cmocka_unit_test(test_reload_refuses_new_gateway_key),
		cmocka_unit_test(test_reload_of_invalid_file_keeps_running),
	};
	struct CMUnitTest tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(line_cases)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < ARRAY_SIZE(line_cases); i++)
		tests[n++] = (struct CMUnitTest){
			.name = line_cases[i].title,
			.test_func = run_line_case,
			.initial_state = &line_cases[i],
		};
	setvbuf(stdout, NULL, _IOLBF, 0);
	return _cmocka_run_group_tests("config", tests, n, NULL, NULL);
}
