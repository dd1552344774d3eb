// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "emit.h"
#include "role.h"
#include "sessions.h"
#include "sockets.h"
#include "statefile.h"
#include "udp.h"

#define STATE_MAGIC    "jvpnd-state 1"
#define STATE_LINE_MAX 2048

/* ---- writing ---- */

static void put_hex(FILE *f, const char *key, const uint8_t *bin, size_t len)
{
	char hex[2 * 64 + 1];

	sodium_bin2hex(hex, sizeof(hex), bin, len);
	fprintf(f, " %s=%s", key, hex);
	sodium_memzero(hex, sizeof(hex));
}

static void put_remote(FILE *f, const union jvpn_sockaddr *a)
{
	if (a->sa.sa_family == AF_INET)
		put_hex(f, "remote4", (const uint8_t *)&a->in4.sin_addr, 4);
	else
		put_hex(f, "remote6", (const uint8_t *)&a->in6.sin6_addr, 16);
	fprintf(f, " port=%u",
		ntohs(a->sa.sa_family == AF_INET ? a->in4.sin_port
						 : a->in6.sin6_port));
}

static void put_session(FILE *f, const struct session *s)
{
	const struct handshake_keys *k = &s->keys;

	fprintf(f,
		"session id=%" PRIu64 " state=%d version=%" PRIu64
		" bound=%" PRIu64 " created=%" PRIu64 " since=%" PRIu64
		" nonce=%" PRIu64 " peer_bound=%" PRIu64 " last_nonce=%" PRIu64
		" last_switch=%" PRIu64 " gen=%u pver=%u initiator=%d",
		s->id, (int)s->sm.state, s->sm.version, s->sm.bound_version,
		s->sm.created_ms, s->sm.since_ms, s->nonce, s->peer_bound,
		s->rs.last_nonce, s->rs.last_switch_ms, k->generation,
		k->version, k->initiator);
	put_hex(f, "peer", s->peer_pub, JVPN_KEY_LEN);
	put_remote(f, &s->remote);
	put_hex(f, "k_i2r", k->data_i2r, JVPN_KEY_LEN);
	put_hex(f, "k_r2i", k->data_r2i, JVPN_KEY_LEN);
	put_hex(f, "k_ctl", k->control, JVPN_KEY_LEN);
	put_hex(f, "k_chain", k->chain, JVPN_KEY_LEN);
	fputc('\n', f);
}

bool statefile_save(const struct jvpnd *d)
{
	const char *path = d->cfg.interface.state_file;
	char tmp[CONFIG_PATH_MAX + 8];
	FILE *f;
	int fd;

	if (!*path)
		return true;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	fprintf(f, "%s\n", STATE_MAGIC);
	for (size_t i = 0; i < d->n_peer_times; i++) {
		fprintf(f, "peer-ts sec=%" PRIu64 " nsec=%u",
			d->peer_times[i].ts.sec, d->peer_times[i].ts.nsec);
		put_hex(f, "peer", d->peer_times[i].pub, JVPN_KEY_LEN);
		fputc('\n', f);
	}
	for (size_t i = 0; i < d->n_sessions; i++)
		if (d->sessions[i].in_use && d->sessions[i].in_kernel)
			put_session(f, &d->sessions[i]);
	if (fflush(f) || fsync(fd) || fclose(f))
		return false;
	return rename(tmp, path) == 0;
}

/* ---- reading ---- */

struct record {
	uint64_t id;
	struct sm_snapshot snap;
	struct handshake_keys keys;
	union jvpn_sockaddr remote;
	uint64_t nonce, peer_bound, last_nonce, last_switch_ms;
	uint8_t peer[JVPN_KEY_LEN];
	bool in_kernel;
};

/* "key=value" of @line, or NULL. */
static const char *field(const char *line, const char *key, char *buf,
			 size_t size)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, " \n");

			if (n >= size)
				return NULL;
			memcpy(buf, p + klen + 1, n);
			buf[n] = '\0';
			return buf;
		}
		p += klen;
	}
	return NULL;
}

static bool get_u64(const char *line, const char *key, uint64_t *out)
{
	char buf[32], *end;

	if (!field(line, key, buf, sizeof(buf)))
		return false;
	errno = 0;
	*out = strtoull(buf, &end, 10);
	return !errno && !*end;
}

static bool get_hex(const char *line, const char *key, uint8_t *out, size_t len)
{
	char buf[2 * 64 + 1];
	size_t got = 0;
	bool ok;

	ok = field(line, key, buf, sizeof(buf)) &&
	     !sodium_hex2bin(out, len, buf, strlen(buf), NULL, &got, NULL) &&
	     got == len;
	sodium_memzero(buf, sizeof(buf));
	return ok;
}

static bool get_remote(const char *line, union jvpn_sockaddr *a)
{
	uint64_t port;

	memset(a, 0, sizeof(*a));
	if (!get_u64(line, "port", &port) || !port || port > 65535)
		return false;
	if (get_hex(line, "remote4", (uint8_t *)&a->in4.sin_addr, 4)) {
		a->in4.sin_family = AF_INET;
		a->in4.sin_port = htons((uint16_t)port);
		return true;
	}
	if (get_hex(line, "remote6", (uint8_t *)&a->in6.sin6_addr, 16)) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons((uint16_t)port);
		return true;
	}
	return false;
}

static bool parse_session(const char *line, struct record *r)
{
	uint64_t state, gen, pver, init;
	struct handshake_keys *k = &r->keys;

	memset(r, 0, sizeof(*r));
	if (!get_u64(line, "id", &r->id) || !get_u64(line, "state", &state) ||
	    !get_u64(line, "version", &r->snap.version) ||
	    !get_u64(line, "bound", &r->snap.bound_version) ||
	    !get_u64(line, "created", &r->snap.created_ms) ||
	    !get_u64(line, "since", &r->snap.since_ms) ||
	    !get_u64(line, "nonce", &r->nonce) ||
	    !get_u64(line, "peer_bound", &r->peer_bound) ||
	    !get_u64(line, "last_nonce", &r->last_nonce) ||
	    !get_u64(line, "last_switch", &r->last_switch_ms) ||
	    !get_u64(line, "gen", &gen) || !get_u64(line, "pver", &pver) ||
	    !get_u64(line, "initiator", &init) ||
	    !get_hex(line, "peer", r->peer, JVPN_KEY_LEN) ||
	    !get_remote(line, &r->remote) ||
	    !get_hex(line, "k_i2r", k->data_i2r, JVPN_KEY_LEN) ||
	    !get_hex(line, "k_r2i", k->data_r2i, JVPN_KEY_LEN) ||
	    !get_hex(line, "k_ctl", k->control, JVPN_KEY_LEN) ||
	    !get_hex(line, "k_chain", k->chain, JVPN_KEY_LEN))
		return false;
	r->snap.state = (enum jvpn_state)state;
	k->session_id = r->id;
	k->generation = (uint32_t)gen;
	k->version = (uint8_t)pver;
	k->initiator = init != 0;
	return true;
}

static long peer_index(const struct jvpnd *d, const uint8_t pub[JVPN_KEY_LEN])
{
	for (size_t i = 0; i < d->cfg.n_peers; i++)
		if (!sodium_memcmp(d->cfg.peers[i].public_key, pub,
				   JVPN_KEY_LEN))
			return (long)i;
	return -1;
}

static void parse_peer_ts(struct jvpnd *d, const char *line)
{
	uint8_t pub[JVPN_KEY_LEN];
	uint64_t sec, nsec;
	struct hs_time ts;

	if (!get_u64(line, "sec", &sec) || !get_u64(line, "nsec", &nsec) ||
	    !get_hex(line, "peer", pub, JVPN_KEY_LEN))
		return;
	ts.sec = sec;
	ts.nsec = (uint32_t)nsec;
	peer_time_set(d, pub, &ts);
}

/* The socket is kept in d->fds once, whichever sessions share it. */
static int adopt_socket(struct jvpnd *d, uint64_t id)
{
	int fd = kernel_session_get_socket(&d->kreq, id);
	struct stat a, b;

	if (fd < 0 || fstat(fd, &a))
		return -1;
	for (size_t i = 0; i < d->n_fds; i++)
		if (!fstat(d->fds[i], &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			close(fd);
			return d->fds[i];
		}
	if (d->n_fds >= sizeof(d->fds) / sizeof(d->fds[0])) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	d->fds[d->n_fds++] = fd;
	jvpnd_watch_udp(d, fd);
	return fd;
}

static bool restore_one(struct jvpnd *d, const struct record *r)
{
	long peer = peer_index(d, r->peer);
	struct reattach_policy rp;
	struct session *s;

	if (peer < 0 || (size_t)peer >= d->n_sessions)
		return false;
	s = &d->sessions[d->role->slot_of_peer((size_t)peer)];
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->peer = (size_t)peer;
	memcpy(s->peer_pub, r->peer, JVPN_KEY_LEN);
	s->id = r->id;
	s->keys = r->keys;
	s->remote = r->remote;
	s->nonce = r->nonce;
	s->peer_bound = r->peer_bound;
	s->last_rx_ms = jvpn_boot_ms();
	s->keys_since_ms = jvpn_boot_ms();
	if (sm_restore(&s->sm, &r->snap, session_sm_outlet, s) != SM_OK)
		return false;
	session_reattach_policy(session_policy(d, s), &rp);
	reattach_session_init(&s->rs, &rp, jvpn_boot_ms());
	s->rs.last_nonce = r->last_nonce;
	s->rs.last_switch_ms = r->last_switch_ms;
	s->fd = adopt_socket(d, r->id);
	if (s->fd < 0)
		return false;
	s->in_use = true;
	s->in_kernel = true;
	jvpnd_emit(d, EV_DAEMON, s, JVPND_REASON_NONE,
		   "session restored after restart");
	return true;
}

struct known {
	struct record *records;
	size_t n;
	struct jvpnd *d;
};

/* A kernel session the state file does not know is ambiguous: end it. */
static void mark_or_end(const struct kernel_session_info *ks, void *ctx)
{
	struct known *k = ctx;

	for (size_t i = 0; i < k->n; i++)
		if (k->records[i].id == ks->id) {
			k->records[i].in_kernel = true;
			return;
		}
	kernel_session_del(&k->d->kreq, ks->id, JVPN_DEL_REASON_ADMIN);
}

int statefile_restore(struct jvpnd *d)
{
	struct known k = { .d = d };
	char line[STATE_LINE_MAX];
	int restored = 0;
	FILE *f;

	if (!*d->cfg.interface.state_file)
		return 0;
	f = fopen(d->cfg.interface.state_file, "re");
	if (!f)
		return 0;
	k.records = calloc(d->n_sessions + 1, sizeof(*k.records));
	if (!k.records || !fgets(line, sizeof(line), f) ||
	    strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC)))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "peer-ts ", 8))
			parse_peer_ts(d, line);
		else if (!strncmp(line, "session ", 8) &&
			 k.n <= d->n_sessions &&
			 parse_session(line, &k.records[k.n]))
			k.n++;
	}
	kernel_session_dump(&d->kreq, mark_or_end, &k);
	for (size_t i = 0; i < k.n; i++)
		if (k.records[i].in_kernel && restore_one(d, &k.records[i]))
			restored++;
out:
	if (k.records)
		sodium_memzero(k.records,
			       (d->n_sessions + 1) * sizeof(*k.records));
	free(k.records);
	sodium_memzero(line, sizeof(line));
	fclose(f);
	return restored;
}
