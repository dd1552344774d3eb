// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the gateway's replay guard table (peer_time_set() in
 * daemon/sessions.c): once CONFIG_MAX_PEERS keys have a time, the keys no
 * longer configured are forgotten, so a configured key's time is always
 * stored and its INITs can never be replayed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sessions.h"

static void key_of(uint8_t pub[JVPN_KEY_LEN], uint32_t n)
{
	memset(pub, 0xa5, JVPN_KEY_LEN);
	memcpy(pub, &n, sizeof(n));
}

static void test_full_table_keeps_guarding(void **state)
{
	struct jvpnd *d = calloc(1, sizeof(*d));
	struct config_peer peer = { 0 };
	struct hs_time ts = { 1700000000, 0 };
	uint8_t pub[JVPN_KEY_LEN];

	(void)state;
	assert_non_null(d);
	d->peer_times = calloc(CONFIG_MAX_PEERS, sizeof(*d->peer_times));
	assert_non_null(d->peer_times);
	/* every slot taken by keys that reloads have since removed */
	for (uint32_t i = 0; i < CONFIG_MAX_PEERS; i++) {
		key_of(pub, i);
		peer_time_set(d, pub, &ts);
	}
	assert_int_equal(d->n_peer_times, CONFIG_MAX_PEERS);
	/* the configuration now has one peer: a new key, and one of the old */
	key_of(peer.public_key, CONFIG_MAX_PEERS + 7);
	d->cfg.peers = &peer;
	d->cfg.n_peers = 1;
	ts.sec++;
	peer_time_set(d, peer.public_key, &ts);
	assert_non_null(peer_time_get(d, peer.public_key));
	assert_int_equal(peer_time_get(d, peer.public_key)->sec, ts.sec);
	/* the unconfigured ones are gone, the table has room again */
	assert_int_equal(d->n_peer_times, 1);
	key_of(pub, 3);
	assert_null(peer_time_get(d, pub));
	free(d->peer_times);
	free(d);
}

/* a configured key's time survives the pruning */
static void test_configured_key_survives(void **state)
{
	struct jvpnd *d = calloc(1, sizeof(*d));
	struct config_peer peers[2] = { 0 };
	struct hs_time ts = { 1700000000, 5 };
	uint8_t pub[JVPN_KEY_LEN];

	(void)state;
	assert_non_null(d);
	d->peer_times = calloc(CONFIG_MAX_PEERS, sizeof(*d->peer_times));
	assert_non_null(d->peer_times);
	key_of(peers[0].public_key, 10);
	key_of(peers[1].public_key, CONFIG_MAX_PEERS + 1);
	d->cfg.peers = peers;
	d->cfg.n_peers = 2;
	for (uint32_t i = 0; i < CONFIG_MAX_PEERS; i++) {
		key_of(pub, i);
		peer_time_set(d, pub, &ts);
	}
	peer_time_set(d, peers[1].public_key, &ts);
	assert_int_equal(d->n_peer_times, 2);
	assert_non_null(peer_time_get(d, peers[0].public_key));
	assert_int_equal(peer_time_get(d, peers[0].public_key)->nsec, 5);
	assert_non_null(peer_time_get(d, peers[1].public_key));
	free(d->peer_times);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_table_keeps_guarding),
		cmocka_unit_test(test_configured_key_survives),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("peertimes", tests, NULL, NULL);
}
