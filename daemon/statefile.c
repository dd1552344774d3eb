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
#include "escrow.h"
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
	fprintf(f,
		"session id=%" PRIu64 " state=%d version=%" PRIu64
		" bound=%" PRIu64 " created=%" PRIu64 " since=%" PRIu64
		" nonce=%" PRIu64 " peer_bound=%" PRIu64 " last_nonce=%" PRIu64
		" last_switch=%" PRIu64,
		s->id, (int)s->sm.state, s->sm.version, s->sm.bound_version,
		s->sm.created_ms, s->sm.since_ms, s->nonce, s->peer_bound,
		s->rs.last_nonce, s->rs.last_switch_ms);
	put_hex(f, "peer", s->peer_pub, JVPN_KEY_LEN);
	put_remote(f, &s->remote);
	fputc('\n', f);
}

/*
 * A new file beside the old one, never through a link an attacker left
 * in the directory: O_EXCL|O_NOFOLLOW, after removing what a crash left.
 */
static int open_new(const char *tmp)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(tmp, flags, 0600);

	if (fd < 0 && errno == EEXIST && !unlink(tmp))
		fd = open(tmp, flags, 0600);
	return fd;
}

/* The rename itself is durable only once the directory is synced. */
static int sync_dir_of(const char *path)
{
	char dir[CONFIG_PATH_MAX];
	char *slash;
	int fd, err;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	err = fsync(fd);
	close(fd);
	return err;
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
	fd = open_new(tmp);
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
	if (fflush(f) || fsync(fd)) {
		fclose(f);
		unlink(tmp);
		return false;
	}
	if (fclose(f) || rename(tmp, path))
		return false;
	return sync_dir_of(path) == 0;
}

/* ---- reading ---- */

/* What the file says of a session: nothing secret. */
struct record {
	uint64_t id;
	struct sm_snapshot snap;
	union jvpn_sockaddr remote;
	uint64_t nonce, peer_bound, last_nonce, last_switch_ms;
};

/* What the kernel holds of a session, with the daemon's record of its keys. */
struct held {
	uint64_t id;
	uint64_t state_version;
	uint8_t state;
	union jvpn_sockaddr remote;
	struct handshake_keys keys;
	uint8_t peer[JVPN_KEY_LEN];
	bool escrow_ok;
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

/* Fields a file of an earlier release also has (its keys are ignored). */
static bool parse_session(const char *line, struct record *r)
{
	uint64_t state;

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
	    !get_remote(line, &r->remote))
		return false;
	r->snap.state = (enum jvpn_state)state;
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

/*
 * The kernel is right where it and the file disagree: a kill -9 between
 * a switch and the save leaves the file one version behind.
 */
static void reconcile(const struct held *h, const struct record *r,
		      struct sm_snapshot *snap)
{
	uint64_t now = jvpn_boot_ms();

	if (r) {
		*snap = r->snap;
	} else {
		memset(snap, 0, sizeof(*snap));
		snap->created_ms = now;
		snap->since_ms = now;
	}
	if (!r || r->snap.version != h->state_version ||
	    !jvpn_sockaddr_equal(&r->remote, &h->remote))
		snap->bound_version = h->state_version;
	snap->version = h->state_version;
	snap->state = (enum jvpn_state)h->state;
}

/* A session at a version this build no longer speaks (an upgrade across
 * a major version) cannot carry one message: it ends, and says why. */
static bool speaks_version(struct jvpnd *d, const struct held *h)
{
	char detail[160];

	if (cp_version_spoken(h->keys.version))
		return true;
	snprintf(detail, sizeof(detail),
		 "session %" PRIu64 " is at control protocol version %u, "
		 "which this build (%u..%u) does not speak: ended, a new "
		 "handshake follows",
		 h->id, h->keys.version, JVPN_CP_VERSION_MIN,
		 JVPN_CP_VERSION_MAX);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_VERSION_MISMATCH, detail);
	return false;
}

static bool restore_one(struct jvpnd *d, const struct held *h,
			const struct record *r)
{
	long peer = peer_index(d, h->peer);
	struct reattach_policy rp;
	struct sm_snapshot snap;
	struct session *s;

	if (!h->escrow_ok || peer < 0 || (size_t)peer >= d->n_sessions ||
	    !speaks_version(d, h))
		return false;
	s = &d->sessions[d->role->slot_of_peer((size_t)peer)];
	if (s->in_use)
		return false;
	reconcile(h, r, &snap);
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->peer = (size_t)peer;
	memcpy(s->peer_pub, h->peer, JVPN_KEY_LEN);
	s->id = h->id;
	s->keys = h->keys;
	s->remote = h->remote;
	if (r) {
		s->nonce = r->nonce;
		s->peer_bound = r->peer_bound;
	}
	s->last_rx_ms = jvpn_boot_ms();
	s->keys_since_ms = jvpn_boot_ms();
	if (sm_restore(&s->sm, &snap, session_sm_outlet, s) != SM_OK)
		return false;
	session_reattach_policy(session_policy(d, s), &rp);
	reattach_session_init(&s->rs, &rp, jvpn_boot_ms());
	if (r) {
		s->rs.last_nonce = r->last_nonce;
		s->rs.last_switch_ms = r->last_switch_ms;
	}
	s->fd = adopt_socket(d, h->id);
	if (s->fd < 0) {
		handshake_keys_wipe(&s->keys);
		return false;
	}
	s->in_use = true;
	s->in_kernel = true;
	jvpnd_emit(d, EV_DAEMON, s, JVPND_REASON_NONE,
		   r ? "session restored after restart"
		     : "session restored after restart from the kernel alone");
	return true;
}

struct kernel_view {
	struct held *held;
	size_t n, cap;
};

/* Copies what the dump says; the record of keys leaves the buffer wiped. */
static void collect(const struct kernel_session_info *ks, void *ctx)
{
	struct kernel_view *v = ctx;
	struct held *h;

	if (v->n >= v->cap)
		return;
	h = &v->held[v->n++];
	h->id = ks->id;
	h->state_version = ks->state_version;
	h->state = ks->state;
	h->remote = ks->remote;
	h->escrow_ok = escrow_decode(ks->secrets, ks->secrets_len, ks->id,
				     &h->keys, h->peer);
	if (ks->secrets)
		sodium_memzero((void *)ks->secrets, ks->secrets_len);
}

static const struct record *record_of(const struct record *records, size_t n,
				      uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (records[i].id == id)
			return &records[i];
	return NULL;
}

/* Every line of the file; false for a missing or foreign file. */
static bool read_file(struct jvpnd *d, struct record *records, size_t cap,
		      size_t *n)
{
	char line[STATE_LINE_MAX];
	FILE *f = fopen(d->cfg.interface.state_file, "re");
	bool ok;

	*n = 0;
	if (!f)
		return false;
	ok = fgets(line, sizeof(line), f) &&
	     !strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC));
	while (ok && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "peer-ts ", 8))
			parse_peer_ts(d, line);
		else if (!strncmp(line, "session ", 8) && *n < cap &&
			 parse_session(line, &records[*n]))
			(*n)++;
	}
	/* a file of an earlier release held keys: none stays in memory */
	sodium_memzero(line, sizeof(line));
	fclose(f);
	return ok;
}

int statefile_restore(struct jvpnd *d)
{
	size_t cap = d->n_sessions + 1, n_records = 0;
	struct kernel_view v = { .cap = 2 * cap };
	struct record *records = calloc(cap, sizeof(*records));
	int restored = 0;

	v.held = calloc(v.cap, sizeof(*v.held));
	if (!records || !v.held)
		goto out;
	if (*d->cfg.interface.state_file)
		read_file(d, records, cap, &n_records);
	if (kernel_session_dump(&d->kreq, collect, &v))
		goto out;
	for (size_t i = 0; i < v.n; i++) {
		const struct held *h = &v.held[i];

		if (restore_one(d, h, record_of(records, n_records, h->id)))
			restored++;
		else /* no keys, no peer, or a second one for it: ambiguous */
			kernel_session_del(&d->kreq, h->id,
					   JVPN_DEL_REASON_ADMIN);
	}
out:
	if (v.held)
		sodium_memzero(v.held, v.cap * sizeof(*v.held));
	free(v.held);
	free(records);
	return restored;
}
