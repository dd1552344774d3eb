// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of daemon/core/clientguard.c: the client follows only its
 * gateway's endpoints, and no authentic message of the gateway can be
 * used twice: an ACK answers the outstanding request once and only with a
 * newer version, a switch notice only with a newer version, a PROBE_ACK
 * an outstanding probe once.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "clientguard.h"
#include "reason.h"
#include "reattach.h"

/* an arbitrary send time: the window is what matters */
#define T0 100000

static union jvpn_sockaddr v4(const char *addr, uint16_t port)
{
	union jvpn_sockaddr a;

	memset(&a, 0, sizeof(a));
	a.in4.sin_family = AF_INET;
	a.in4.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &a.in4.sin_addr), 1);
	return a;
}

static void test_from_gateway(void **state)
{
	union jvpn_sockaddr eps[2] = { v4("10.0.0.1", 51820),
				       v4("10.0.0.2", 51820) };
	union jvpn_sockaddr other = v4("10.9.0.66", 51820);
	union jvpn_sockaddr port = v4("10.0.0.1", 51821);

	(void)state;
	assert_true(clientguard_from_gateway(eps, 2, &eps[0]));
	assert_true(clientguard_from_gateway(eps, 2, &eps[1]));
	assert_false(clientguard_from_gateway(eps, 2, &other));
	assert_false(clientguard_from_gateway(eps, 2, &port));
	assert_false(clientguard_from_gateway(eps, 0, &eps[0]));
}

/* The replay of issue 10: one captured ACK, used again later. */
static void test_ack_once(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	/* nothing asked: an ACK answers nothing */
	assert_int_equal(clientguard_ack(&g, 1, 5, 1, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
	clientguard_request_sent(&g, 1, T0);
	assert_int_equal(clientguard_ack(&g, 2, 5, 1, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
	assert_int_equal(clientguard_ack(&g, 1, 5, 1, T0), CLIENTGUARD_OK);
	/* the same ACK again, while no request is out */
	assert_int_equal(clientguard_ack(&g, 1, 5, 5, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
	/* the old ACK while a newer request is out */
	clientguard_request_sent(&g, 2, T0);
	assert_int_equal(clientguard_ack(&g, 1, 5, 5, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
	assert_true(clientguard_outstanding(&g, 2, T0));
}

static void test_ack_version_above(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	clientguard_request_sent(&g, 7, T0);
	assert_int_equal(clientguard_ack(&g, 7, 4, 4, T0),
			 CLIENTGUARD_STALE_VERSION);
	assert_int_equal(clientguard_ack(&g, 7, 3, 4, T0),
			 CLIENTGUARD_STALE_VERSION);
	/* a refused ACK does not consume the request */
	assert_true(clientguard_outstanding(&g, 7, T0));
	assert_int_equal(clientguard_ack(&g, 7, 5, 4, T0), CLIENTGUARD_OK);
}

/* request_nonce 0: the gateway's own switch, good once by its version. */
static void test_notice(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	assert_int_equal(clientguard_ack(&g, 0, 6, 5, T0), CLIENTGUARD_OK);
	assert_int_equal(clientguard_ack(&g, 0, 6, 6, T0),
			 CLIENTGUARD_STALE_VERSION);
	assert_int_equal(clientguard_ack(&g, 0, 1, 6, T0),
			 CLIENTGUARD_STALE_VERSION);
	/* a notice never consumes an outstanding request */
	clientguard_request_sent(&g, 3, T0);
	assert_int_equal(clientguard_ack(&g, 0, 7, 6, T0), CLIENTGUARD_OK);
	assert_true(clientguard_outstanding(&g, 3, T0));
}

static void test_challenge_and_reject(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	assert_int_equal(clientguard_challenge(&g, 0, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
	clientguard_request_sent(&g, 4, T0);
	assert_int_equal(clientguard_challenge(&g, 3, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
	assert_int_equal(clientguard_challenge(&g, 4, T0), CLIENTGUARD_OK);
	assert_int_equal(clientguard_challenge(&g, 4, T0), CLIENTGUARD_OK);
	assert_int_equal(
		clientguard_reject(&g, 4, JVPND_REASON_COOLDOWN, 4, 4, T0),
		CLIENTGUARD_OK);
	/* a replayed REJECT (a SWITCH_LIMIT ends the session) answers nothing */
	assert_int_equal(
		clientguard_reject(&g, 4, JVPND_REASON_COOLDOWN, 4, 4, T0),
		CLIENTGUARD_NOT_OUTSTANDING);
	assert_int_equal(clientguard_challenge(&g, 4, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
}

/* The replay of issue 10: old PROBE_ACKs must not keep a dead path alive. */
static void test_probe_ack(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	assert_int_equal(clientguard_probe_ack(&g, 1),
			 CLIENTGUARD_NOT_OUTSTANDING);
	clientguard_probe_sent(&g, 1);
	clientguard_probe_sent(&g, 2);
	clientguard_probe_sent(&g, 3);
	assert_int_equal(clientguard_probe_ack(&g, 4),
			 CLIENTGUARD_NOT_OUTSTANDING);
	assert_int_equal(clientguard_probe_ack(&g, 2), CLIENTGUARD_OK);
	assert_int_equal(clientguard_probe_ack(&g, 2),
			 CLIENTGUARD_NOT_OUTSTANDING);
	assert_int_equal(clientguard_probe_ack(&g, 1),
			 CLIENTGUARD_NOT_OUTSTANDING);
	assert_int_equal(clientguard_probe_ack(&g, 3), CLIENTGUARD_OK);
	/* a seq sent earlier never lowers what was sent */
	clientguard_probe_sent(&g, 1);
	assert_int_equal(g.probe_sent, 3);
	assert_int_equal(clientguard_probe_ack(&g, 3),
			 CLIENTGUARD_NOT_OUTSTANDING);
}

/*
 * Issue 10, "the client terminates itself": with a round trip longer than
 * the retry interval the challenge of request 1 arrives after request 2
 * went out. It must be answered, and the ACK of request 1 accepted.
 */
static void test_older_request_answerable(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	clientguard_request_sent(&g, 1, T0);
	clientguard_request_sent(&g, 2, T0 + 300);
	assert_int_equal(clientguard_challenge(&g, 1, T0 + 350),
			 CLIENTGUARD_OK);
	assert_int_equal(clientguard_challenge(&g, 2, T0 + 350),
			 CLIENTGUARD_OK);
	assert_int_equal(clientguard_ack(&g, 1, 5, 4, T0 + 700),
			 CLIENTGUARD_OK);
	/* the ACK ended the attempt: the newer request is moot now */
	assert_false(clientguard_outstanding(&g, 2, T0 + 700));
	assert_int_equal(clientguard_ack(&g, 2, 6, 5, T0 + 710),
			 CLIENTGUARD_NOT_OUTSTANDING);
}

/* Answerable for its window, and not a millisecond longer. */
static void test_window(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	clientguard_request_sent(&g, 9, T0);
	assert_true(clientguard_outstanding(
		&g, 9, T0 + REATTACH_CHALLENGE_WINDOW_MS - 1));
	assert_false(clientguard_outstanding(
		&g, 9, T0 + REATTACH_CHALLENGE_WINDOW_MS));
	assert_int_equal(
		clientguard_ack(&g, 9, 5, 4, T0 + REATTACH_CHALLENGE_WINDOW_MS),
		CLIENTGUARD_NOT_OUTSTANDING);
	/* nonce 0 is the notice, never a request */
	clientguard_request_sent(&g, 0, T0);
	assert_false(clientguard_outstanding(&g, 0, T0));
}

/* A REJECT answers its own request; the others stay outstanding. The
 * oldest is forgotten when more than CLIENTGUARD_OUTSTANDING are out. */
static void test_reject_one_and_capacity(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	for (uint64_t n = 1; n <= CLIENTGUARD_OUTSTANDING + 1; n++)
		clientguard_request_sent(&g, n, T0);
	assert_false(clientguard_outstanding(&g, 1, T0));
	for (uint64_t n = 2; n <= CLIENTGUARD_OUTSTANDING + 1; n++)
		assert_true(clientguard_outstanding(&g, n, T0));
	assert_int_equal(
		clientguard_reject(&g, 3, JVPND_REASON_COOLDOWN, 9, 9, T0),
		CLIENTGUARD_OK);
	assert_false(clientguard_outstanding(&g, 3, T0));
	assert_true(clientguard_outstanding(&g, 4, T0));
	clientguard_forget_requests(&g);
	assert_false(clientguard_outstanding(&g, 4, T0));
}

/*
 * The hold-up SPIN found (docs/reattach.md, "The model"): a copy of the
 * request reached the gateway first, so the genuine one is refused
 * REPLAYED_NONCE with a floor the client has not passed. That reject
 * must leave the request outstanding, so that its challenge and ACK
 * (which the copy's, or the second address's, answer brings) still
 * count. A floor above the client's nonces is a restarted client's
 * resync, and every other reject answers its request once, as before.
 */
static void test_reject_copy_first(void **state)
{
	struct clientguard g = { 0 };

	(void)state;
	clientguard_request_sent(&g, 5, T0);
	assert_int_equal(clientguard_reject(&g, 5, JVPND_REASON_REPLAYED_NONCE,
					    5, 5, T0),
			 CLIENTGUARD_COPY_FIRST);
	assert_int_equal(clientguard_challenge(&g, 5, T0 + 10), CLIENTGUARD_OK);
	assert_int_equal(clientguard_ack(&g, 5, 3, 2, T0 + 20), CLIENTGUARD_OK);
	/* older requests too: floor 6 (a later request of ours) */
	clientguard_request_sent(&g, 6, T0);
	clientguard_request_sent(&g, 7, T0);
	assert_int_equal(clientguard_reject(&g, 6, JVPND_REASON_REPLAYED_NONCE,
					    7, 7, T0),
			 CLIENTGUARD_COPY_FIRST);
	assert_true(clientguard_outstanding(&g, 6, T0));
	/* a floor the client never reached: it forgot its nonces */
	assert_int_equal(clientguard_reject(&g, 6, JVPND_REASON_REPLAYED_NONCE,
					    40, 7, T0),
			 CLIENTGUARD_OK);
	assert_false(clientguard_outstanding(&g, 6, T0));
	/* another reason answers the request once */
	assert_int_equal(
		clientguard_reject(&g, 7, JVPND_REASON_STALE_VERSION, 7, 7, T0),
		CLIENTGUARD_OK);
	assert_int_equal(clientguard_reject(&g, 7, JVPND_REASON_REPLAYED_NONCE,
					    7, 7, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
	/* nothing outstanding: a reject answers nothing, whatever it says */
	assert_int_equal(clientguard_reject(&g, 9, JVPND_REASON_REPLAYED_NONCE,
					    9, 9, T0),
			 CLIENTGUARD_NOT_OUTSTANDING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_gateway),
		cmocka_unit_test(test_ack_once),
		cmocka_unit_test(test_ack_version_above),
		cmocka_unit_test(test_notice),
		cmocka_unit_test(test_challenge_and_reject),
		cmocka_unit_test(test_probe_ack),
		cmocka_unit_test(test_older_request_answerable),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_reject_one_and_capacity),
		cmocka_unit_test(test_reject_copy_first),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("clientguard", tests, NULL, NULL);
}
