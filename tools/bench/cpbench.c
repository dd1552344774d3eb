// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cpbench: the control plane's cost on one core, measured on the host with
 * the daemon's own code (daemon/core/handshake.c, daemon/core/reattach.c, the
 * built-in "mobile" policy):
 *
 *   cpbench handshake SECS   gateway side of a handshake (mac1 check,
 *                            consume INIT, reply) per second, and the
 *                            whole round trip (both ends) per second
 *   cpbench reattach SECS    the gateway's validation of a genuine
 *                            REATTACH_REQUEST (mac check, the nine checks
 *                            of reattach_validate, the challenge) per second
 *   cpbench flood SECS       the gateway's work for one spoofed INIT under
 *                            load (mac1, mac2, the admission, the cookie
 *                            reply; core/hsadmit.c, core/cookie.c) per
 *                            second: what bounds the flood it can read
 *   cpbench count-reattach N / count-handshake N
 *                            N of them, for callgrind: only the functions
 *                            bench_reattach_one / bench_handshake_one are
 *                            meant to be collected (--toggle-collect)
 *
 * Output: one JSON object on stdout. Only the gateway's part is timed;
 * the client's messages are made outside the clock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cookie.h"
#include "handshake.h"
#include "hsadmit.h"
#include "key.h"
#include "limiter.h"
#include "policy.h"
#include "reattach.h"
#include "sessions.h"
#include "sm.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "cpbench: %s\n", what);
	exit(1);
}

/* ---- handshake ------------------------------------------------------ */

struct party {
	uint8_t priv[JVPN_KEY_LEN];
	uint8_t pub[JVPN_KEY_LEN];
};

/* The gateway accepts its one client and keeps no replay state: each
 * INIT of the benchmark is fresh anyway (its timestamp grows). */
static bool hs_allowed(void *ctx, const uint8_t pub[JVPN_KEY_LEN])
{
	(void)ctx;
	(void)pub;
	return true;
}

static bool hs_last_ts(void *ctx, const uint8_t pub[JVPN_KEY_LEN],
		       struct hs_time *greatest)
{
	(void)ctx;
	(void)pub;
	(void)greatest;
	return false;
}

static void hs_store_ts(void *ctx, const uint8_t pub[JVPN_KEY_LEN],
			const struct hs_time *ts)
{
	(void)ctx;
	(void)pub;
	(void)ts;
}

static const struct hs_peer_ops hs_ops = {
	.is_allowed = hs_allowed,
	.last_timestamp = hs_last_ts,
	.store_timestamp = hs_store_ts,
};

struct hs_bench {
	struct party client, gateway;
	struct hs_time now;
	uint64_t session_id;
};

static void hs_setup(struct hs_bench *b)
{
	if (keys_generate(b->client.priv, b->client.pub) ||
	    keys_generate(b->gateway.priv, b->gateway.pub))
		die("keys_generate failed");
	b->now = (struct hs_time){ 1700000000, 0 };
	b->session_id = 1;
}

/* Client: a fresh INIT. */
static void hs_make_init(struct hs_bench *b, struct hs_initiator *ini,
			 uint8_t msg[JVPN_HS_INIT_LEN])
{
	size_t len = JVPN_HS_INIT_LEN;

	b->now.nsec += 1000;
	if (b->now.nsec >= 1000000000) {
		b->now.nsec = 0;
		b->now.sec++;
	}
	if (handshake_initiator_start(ini, b->client.priv, b->client.pub,
				      b->gateway.pub, &b->now, NULL, msg,
				      &len) != HS_OK)
		die("handshake_initiator_start failed");
}

/* Gateway: what on_init() does with an INIT, minus the socket. */
static __attribute__((noinline)) int
bench_handshake_one(struct hs_bench *b, const uint8_t *init,
		    uint8_t resp[JVPN_HS_RESP_LEN])
{
	struct hs_responder st;
	struct hs_result res;
	struct handshake_keys keys;
	size_t len = JVPN_HS_RESP_LEN;
	int ok;

	if (!handshake_init_mac1_ok(b->gateway.pub, init, JVPN_HS_INIT_LEN))
		return -1;
	if (handshake_responder_consume_init(
		    &st, b->gateway.priv, b->gateway.pub, NULL, &hs_ops, NULL,
		    init, JVPN_HS_INIT_LEN, &res) != HS_OK)
		return -1;
	ok = -1;
	if (handshake_responder_reply(&st, ++b->session_id, NULL, resp, &len,
				      &keys) == HS_OK)
		ok = 0;
	handshake_keys_wipe(&keys);
	handshake_responder_wipe(&st);
	return ok;
}

static void hs_finish(struct hs_initiator *ini, const uint8_t *resp)
{
	struct handshake_keys keys;

	if (handshake_initiator_consume_resp(ini, resp, JVPN_HS_RESP_LEN,
					     &keys) != HS_OK)
		die("handshake_initiator_consume_resp failed");
	handshake_keys_wipe(&keys);
}

static void run_handshake(double secs)
{
	struct hs_bench b;
	struct hs_initiator ini;
	uint8_t init[JVPN_HS_INIT_LEN], resp[JVPN_HS_RESP_LEN];
	double start, end, gw = 0, t0;
	uint64_t n = 0;

	hs_setup(&b);
	start = now_s();
	do {
		hs_make_init(&b, &ini, init);
		t0 = now_s();
		if (bench_handshake_one(&b, init, resp))
			die("the gateway refused a genuine INIT");
		gw += now_s() - t0;
		hs_finish(&ini, resp);
		n++;
		end = now_s();
	} while (end - start < secs);
	printf("{\"handshakes\": %" PRIu64 ", \"gateway_seconds\": %.6f, "
	       "\"wall_seconds\": %.6f, \"gateway_per_sec\": %.1f, "
	       "\"round_trips_per_sec\": %.1f}\n",
	       n, gw, end - start, (double)n / gw, (double)n / (end - start));
}

static void count_handshake(unsigned long n)
{
	struct hs_bench b;
	struct hs_initiator ini;
	uint8_t init[JVPN_HS_INIT_LEN], resp[JVPN_HS_RESP_LEN];

	hs_setup(&b);
	for (unsigned long i = 0; i < n; i++) {
		hs_make_init(&b, &ini, init);
		if (bench_handshake_one(&b, init, resp))
			die("the gateway refused a genuine INIT");
		hs_finish(&ini, resp);
	}
	printf("{\"handshakes\": %lu}\n", n);
}

/* ---- reattach ------------------------------------------------------- */

#define POOL	      4096
#define WALL0	      1700000000000ull
#define SID	      0x1122334455667788ull
#define BENCH_AUTH(b) ((struct cp_auth){ (b)->key, JVPN_CP_VERSION_MIN })

struct ra_bench {
	uint8_t key[JVPN_KEY_LEN]; /* the session's, at version 1 */
	struct sm sm;
	struct reattach_session rs;
	struct reattach_policy pol;
	struct limiter_table sources;
	struct reattach_source src;
	struct reattach_clock clock;
	uint64_t nonce;
	uint64_t made; /* requests made so far: their clock step */
	uint8_t pool[POOL][REATTACH_REQUEST_LEN];
};

/*
 * The clock moves one second per request: each request is then judged as
 * a lone, fresh, in-budget request of a healthy session under the mobile
 * profile (rate 2/s burst 5, cooldown 500ms), so every one of them goes
 * through all nine checks and is accepted: the costliest path.
 */
#define STEP_MS 1000

static void ra_setup(struct ra_bench *b)
{
	static const uint8_t hash_key[LIMITER_HASH_KEY_LEN] = { 1, 2, 3 };
	const struct policy *mobile = policy_builtin("mobile");

	if (!mobile)
		die("no built-in mobile profile");
	memset(b, 0, sizeof(*b));
	randombytes_buf(b->key, sizeof(b->key));
	session_reattach_policy(mobile, &b->pol);
	if (!reattach_policy_valid(&b->pol))
		die("the mobile profile's reattach policy is not valid");
	b->clock = (struct reattach_clock){ .mono_ms = 10000000,
					    .wall_ms = WALL0 };
	sm_init(&b->sm, b->clock.mono_ms, NULL, NULL);
	sm_transition(&b->sm, JVPN_STATE_ACTIVE, JVPND_REASON_HANDSHAKE_DONE,
		      b->clock.mono_ms);
	reattach_session_init(&b->rs, &b->pol, b->clock.mono_ms);
	if (!limiter_table_init(&b->sources, 1024, hash_key))
		die("limiter_table_init failed");
	b->src.key[0] = 198, b->src.key[1] = 51, b->src.key[2] = 100;
	b->src.key[3] = 7;
	b->src.key_len = 4;
	b->src.observed_class = REATTACH_CLASS_UDP4;
}

/* Client: the next POOL requests, each for its second of the clock. */
static void ra_fill(struct ra_bench *b)
{
	for (int i = 0; i < POOL; i++) {
		struct reattach_request req = {
			.session_id = SID,
			.state_version = b->sm.bound_version,
			.nonce = ++b->nonce,
			.timestamp_ms =
				WALL0 + (b->made + (uint64_t)i) * STEP_MS,
			.transport_class = REATTACH_CLASS_UDP4,
		};

		if (reattach_encode_request(&req, BENCH_AUTH(b), b->pool[i],
					    REATTACH_REQUEST_LEN) !=
		    REATTACH_REQUEST_LEN)
			die("reattach_encode_request failed");
	}
}

/* Gateway: what on_request() does with a request, minus the socket and
 * the event outlet: mac, the nine checks, the challenge. */
static __attribute__((noinline)) int
bench_reattach_one(struct ra_bench *b, const uint8_t *msg,
		   uint8_t out[REATTACH_CHALLENGE_LEN])
{
	struct reattach_view view = { .sm = &b->sm, .rs = &b->rs };
	struct reattach_request req;
	struct reattach_verdict v;
	struct reattach_challenge c = { .session_id = SID };
	enum reattach_status st;

	st = reattach_decode_request(msg, REATTACH_REQUEST_LEN, BENCH_AUTH(b),
				     &req);
	if (st != REATTACH_OK)
		return -1;
	reattach_validate(&view, &req, true, &b->src, &b->clock, &b->pol,
			  &b->sources, &v);
	if (v.reason != JVPND_REASON_NONE)
		return -1;
	c.request_nonce = req.nonce;
	randombytes_buf(c.token, sizeof(c.token));
	if (!reattach_encode_challenge(&c, BENCH_AUTH(b), out,
				       REATTACH_CHALLENGE_LEN))
		return -1;
	return 0;
}

static void ra_step(struct ra_bench *b)
{
	b->made++;
	b->clock.mono_ms += STEP_MS;
	b->clock.wall_ms += STEP_MS;
}

static void run_reattach(double secs)
{
	struct ra_bench *b = malloc(sizeof(*b));
	uint8_t out[REATTACH_CHALLENGE_LEN];
	double start, end, busy = 0, t0;
	uint64_t n = 0;

	if (!b)
		die("out of memory");
	ra_setup(b);
	start = now_s();
	do {
		ra_fill(b);
		t0 = now_s();
		for (int i = 0; i < POOL; i++) {
			if (bench_reattach_one(b, b->pool[i], out))
				die("the gateway refused a genuine request");
			ra_step(b);
		}
		busy += now_s() - t0;
		n += POOL;
		end = now_s();
	} while (end - start < secs);
	printf("{\"validations\": %" PRIu64 ", \"seconds\": %.6f, "
	       "\"per_sec\": %.1f}\n",
	       n, busy, (double)n / busy);
	limiter_table_free(&b->sources);
	free(b);
}

static void count_reattach(unsigned long n)
{
	struct ra_bench *b = malloc(sizeof(*b));
	uint8_t out[REATTACH_CHALLENGE_LEN];
	unsigned long done = 0;

	if (!b)
		die("out of memory");
	ra_setup(b);
	while (done < n) {
		ra_fill(b);
		for (int i = 0; i < POOL && done < n; i++, done++) {
			if (bench_reattach_one(b, b->pool[i], out))
				die("the gateway refused a genuine request");
			ra_step(b);
		}
	}
	printf("{\"validations\": %lu}\n", n);
	limiter_table_free(&b->sources);
	free(b);
}

/* ---- a spoofed flood under load ------------------------------------- */

struct flood_bench {
	struct hs_bench hs;
	struct cookie_gateway cookies;
	struct hsadmit admission;
	struct hsadmit_policy policy;
	uint8_t init[JVPN_HS_INIT_LEN];
	uint64_t now_ms;
};

static void flood_setup(struct flood_bench *b)
{
	static const uint8_t hash_key[LIMITER_HASH_KEY_LEN] = { 1 };
	const struct policy *mobile = policy_builtin("mobile");
	struct hs_initiator ini;

	hs_setup(&b->hs);
	hs_make_init(&b->hs, &ini, b->init);
	b->policy.global =
		(struct limiter_rate){ mobile->handshake_rate.per_second,
				       mobile->handshake_rate.burst };
	b->policy.per_source = (struct limiter_rate){
		mobile->handshake_rate_per_source.per_second,
		mobile->handshake_rate_per_source.burst
	};
	b->now_ms = 1000;
	if (!hsadmit_init(&b->admission, 4096, hash_key, &b->policy, b->now_ms))
		die("hsadmit_init failed");
	cookie_gateway_init(&b->cookies, b->hs.gateway.pub, NULL, NULL);
	/* under load from the start: the budget spent */
	b->admission.global.credit = 0;
}

/* What admit_init() in daemon/gateway.c does for one spoofed INIT. */
static __attribute__((noinline)) int bench_flood_one(struct flood_bench *b,
						     uint32_t source)
{
	uint8_t path[6], reply[JVPN_HS_COOKIE_LEN];
	enum hsadmit_verdict v;

	memcpy(path, &source, 4);
	memset(path + 4, 0x50, 2);
	if (!handshake_init_mac1_ok(b->hs.gateway.pub, b->init,
				    sizeof(b->init)))
		return -1;
	v = hsadmit_judge(&b->admission, &b->policy, path, 4,
			  cookie_mac2_ok(&b->cookies, path, 6, b->init,
					 sizeof(b->init), b->now_ms),
			  b->now_ms);
	if (v == HSADMIT_COOKIE)
		return cookie_reply_write(&b->cookies, path, 6, b->init,
					  sizeof(b->init), b->now_ms, reply)
			       ? 0
			       : -1;
	return 1;
}

static void run_flood(double secs)
{
	static struct flood_bench b;
	unsigned long n = 0, cookies = 0;
	double start, elapsed;

	flood_setup(&b);
	start = now_s();
	do {
		for (int i = 0; i < 256; i++, n++)
			cookies += bench_flood_one(&b, (uint32_t)n) == 0;
		elapsed = now_s() - start;
	} while (elapsed < secs);
	printf("{\"inits_per_sec\": %.0f, \"cookies\": %lu, \"inits\": %lu}\n",
	       (double)n / elapsed, cookies, n);
}

static double parse_positive(const char *text)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || *end || !(v > 0))
		die("expected a positive number");
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr,
			"usage: cpbench handshake|reattach|flood SECS\n"
			"       cpbench count-handshake|count-reattach N\n");
		return 2;
	}
	if (sodium_init() < 0)
		die("sodium_init failed");
	if (!strcmp(argv[1], "handshake"))
		run_handshake(parse_positive(argv[2]));
	else if (!strcmp(argv[1], "reattach"))
		run_reattach(parse_positive(argv[2]));
	else if (!strcmp(argv[1], "flood"))
		run_flood(parse_positive(argv[2]));
	else if (!strcmp(argv[1], "count-handshake"))
		count_handshake((unsigned long)parse_positive(argv[2]));
	else if (!strcmp(argv[1], "count-reattach"))
		count_reattach((unsigned long)parse_positive(argv[2]));
	else
		die("unknown mode");
	return 0;
}
