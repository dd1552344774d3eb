// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * jvpnd: the session authority of Jumping VPN. It owns the handshake, the
 * state machine, policy and the right to move a session to a new transport;
 * jvpn.ko carries the packets.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jvpn/messages.h>

#include "jvpnd_run.h"
#include "role.h"

static int usage(FILE *out)
{
	fprintf(out, "usage: jvpnd --config FILE      run as the file says\n"
		     "       jvpnd --check-config FILE  validate FILE, name "
		     "each error\n"
		     "       jvpnd --version\n");
	return out == stdout ? 0 : 2;
}

static bool load(struct jvpnd *d)
{
	char err[KEYS_ERR_SIZE];
	struct diag diag;

	if (config_load(d->config_path, &d->cfg, &diag)) {
		diag_print(&diag, stderr);
		return false;
	}
	diag_print(&diag, stderr); /* warnings */
	if (keys_load_private_file(d->cfg.interface.private_key_file, d->priv,
				   err) != KEYS_OK) {
		fprintf(stderr, "jvpnd: %s\n", err);
		return false;
	}
	keys_public_from_private(d->priv, d->pub);
	return true;
}

static bool open_links(struct jvpnd *d)
{
	const char *dev = d->cfg.interface.device;
	char err[512];

	if (!kernel_open(&d->kreq, dev) || !kernel_open_events(&d->kev, dev)) {
		fprintf(stderr, "jvpnd: %s\n",
			*d->kreq.err ? d->kreq.err : d->kev.err);
		return false;
	}
	events_init(&d->out);
	if (events_open(&d->out, &d->cfg.interface, err, sizeof(err))) {
		fprintf(stderr, "jvpnd: %s\n", err);
		return false;
	}
	if (*err) /* a socket: retried, its events counted as lost */
		fprintf(stderr, "jvpnd: %s: retried every second\n", err);
	return true;
}

static bool alloc_tables(struct jvpnd *d)
{
	size_t n = d->role->max_sessions();

	d->sessions = calloc(n, sizeof(*d->sessions));
	d->peer_times = calloc(CONFIG_MAX_PEERS, sizeof(*d->peer_times));
	d->n_sessions = n;
	return d->sessions && d->peer_times;
}

int main(int argc, char **argv)
{
	static struct jvpnd d; /* large; one per process */
	int ret;

	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("jvpnd %s, control protocol versions %u..%u\n",
		       JVPN_VERSION, JVPN_CP_VERSION_MIN, JVPN_CP_VERSION_MAX);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout);
	if (argc != 3)
		return usage(stderr);
	if (!strcmp(argv[1], "--check-config"))
		return config_check_file(argv[2], stdout);
	if (strcmp(argv[1], "--config"))
		return usage(stderr);
	if (sodium_init() < 0) {
		fprintf(stderr, "jvpnd: libsodium failed to initialise\n");
		return 1;
	}
	d.config_path = argv[2];
	if (!load(&d))
		return 1;
	d.role = d.cfg.interface.role == CONFIG_ROLE_GATEWAY ? &gateway_role
							     : &client_role;
	if (!open_links(&d) || !alloc_tables(&d))
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = jvpnd_run(&d);
	events_close(&d.out);
	kernel_close(&d.kev);
	kernel_close(&d.kreq);
	config_free(&d.cfg);
	sodium_memzero(d.priv, sizeof(d.priv));
	return ret;
}
