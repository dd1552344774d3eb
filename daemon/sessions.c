// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "emit.h"
#include "escrow.h"
#include "reason.h"
#include "sessions.h"
#include "udp.h"

const struct hs_time *peer_time_get(const struct jvpnd *d,
				    const uint8_t pub[JVPN_KEY_LEN])
{
	for (size_t i = 0; i < d->n_peer_times; i++)
		if (!memcmp(d->peer_times[i].pub, pub, JVPN_KEY_LEN))
			return &d->peer_times[i].ts;
	return NULL;
}

static bool key_configured(const struct jvpnd *d,
			   const uint8_t pub[JVPN_KEY_LEN])
{
	for (size_t i = 0; i < d->cfg.n_peers; i++)
		if (!memcmp(d->cfg.peers[i].public_key, pub, JVPN_KEY_LEN))
			return true;
	return false;
}

/*
 * The table is full: forget the keys no reload left in the configuration.
 * Only configured keys are ever stored (a handshake gets that far only
 * for them), and there are at most CONFIG_MAX_PEERS, so there is room
 * again; a full table used to mean a new key's time was never stored and
 * its INITs could be replayed. A key removed and added back starts with
 * no time, bounded above by the skew allowance of daemon/gateway.c.
 */
static void peer_times_prune(struct jvpnd *d)
{
	size_t kept = 0;

	for (size_t i = 0; i < d->n_peer_times; i++)
		if (key_configured(d, d->peer_times[i].pub))
			d->peer_times[kept++] = d->peer_times[i];
	memset(d->peer_times + kept, 0,
	       (d->n_peer_times - kept) * sizeof(*d->peer_times));
	d->n_peer_times = kept;
}

void peer_time_set(struct jvpnd *d, const uint8_t pub[JVPN_KEY_LEN],
		   const struct hs_time *ts)
{
	struct hs_time *t = (struct hs_time *)peer_time_get(d, pub);

	if (!t && d->n_peer_times >= CONFIG_MAX_PEERS)
		peer_times_prune(d);
	if (!t && d->n_peer_times < CONFIG_MAX_PEERS) {
		memcpy(d->peer_times[d->n_peer_times].pub, pub, JVPN_KEY_LEN);
		t = &d->peer_times[d->n_peer_times++].ts;
	}
	if (t)
		*t = *ts;
}

size_t sessions_count(const struct jvpnd *d, uint64_t by_state[STATS_STATES])
{
	size_t n = 0;

	for (size_t i = 0; i < d->n_sessions; i++) {
		const struct session *s = &d->sessions[i];

		if (!s->in_use)
			continue;
		n++;
		if (by_state && s->sm.state < STATS_STATES)
			by_state[s->sm.state]++;
	}
	return n;
}

struct session *session_find(struct jvpnd *d, uint64_t id)
{
	for (size_t i = 0; i < d->n_sessions; i++)
		if (d->sessions[i].in_use && d->sessions[i].id == id)
			return &d->sessions[i];
	return NULL;
}

void jvpnd_changed(struct jvpnd *d)
{
	/* saved once the loop is done with what woke it (jvpnd.c) */
	d->dirty = true;
}

/*
 * The kernel's mirror fell behind (a mirror that failed once): move it to
 * the daemon's version if it is older. A newer one is ambiguous, and
 * ambiguity ends the session.
 */
static int resync_kernel_version(struct jvpnd *d, struct session *s,
				 const struct sm_record *rec)
{
	struct kernel_session_info info;

	if (kernel_session_get(&d->kreq, s->id, &info))
		return -ESTALE;
	if (info.state_version < rec->new_version)
		return kernel_session_set_state(
			&d->kreq, s->id, info.state_version, rec->new_version,
			(uint8_t)rec->new_state);
	kernel_session_del(&d->kreq, s->id, JVPN_DEL_REASON_SECURITY);
	s->in_kernel = false;
	return -ESTALE;
}

void session_sm_outlet(void *ctx, const struct sm_record *rec)
{
	struct session *s = ctx;
	struct jvpnd *d = s->d;
	char remote[64];
	struct event ev = {
		.type = rec->new_state == JVPN_STATE_TERMINATED
				? EV_SESSION_TERMINATED
			: rec->old_state == rec->new_state ? EV_TRANSPORT_SWITCH
							   : EV_STATE_CHANGE,
		.session_id = s->id,
		.state_version = rec->new_version,
		.reason = rec->reason,
		.old_state = (int)rec->old_state,
		.new_state = (int)rec->new_state,
		.new_transport =
			jvpn_sockaddr_text(&s->remote, remote, sizeof(remote)),
		.detail = s->end_detail,
	};
	int err;

	events_emit(&d->out, &ev);
	jvpnd_changed(d);
	/* a switch is mirrored by the kernel's own compare-and-swap */
	if (!s->in_kernel || s->lost || rec->old_state == rec->new_state ||
	    rec->new_state == JVPN_STATE_TERMINATED)
		return;
	err = kernel_session_set_state(&d->kreq, s->id, rec->old_version,
				       rec->new_version,
				       (uint8_t)rec->new_state);
	if (err == -ESTALE)
		err = resync_kernel_version(d, s, rec);
	if (err)
		fprintf(stderr, "jvpnd: session %llu: mirroring state: %s\n",
			(unsigned long long)s->id, d->kreq.err);
}

const struct policy *session_policy(const struct jvpnd *d,
				    const struct session *s)
{
	return config_peer_policy(&d->cfg, &d->cfg.peers[s->peer]);
}

void session_limits(const struct policy *p, struct sm_limits *lim)
{
	lim->health_threshold_ms = p->health_threshold_ms;
	lim->recovery_window_ms = p->recovery_window_ms;
	lim->degraded_after_switches = p->degraded_after_switches;
	lim->session_ttl_s = p->session_ttl_s;
	lim->transport_loss_ttl_ms = p->transport_loss_ttl_ms;
}

void session_reattach_policy(const struct policy *p, struct reattach_policy *rp)
{
	rp->freshness_ms = p->freshness_window_ms;
	rp->session_rate.per_second = p->reattach_rate_per_session.per_second;
	rp->session_rate.burst = p->reattach_rate_per_session.burst;
	rp->source_rate.per_second = p->reattach_rate_per_source.per_second;
	rp->source_rate.burst = p->reattach_rate_per_source.burst;
	rp->cooldown_ms = p->cooldown_ms;
	/* the window remembers at most LIMITER_WINDOW_CAP switches */
	rp->max_switches_per_minute =
		p->max_switches_per_minute < LIMITER_WINDOW_CAP
			? p->max_switches_per_minute
			: LIMITER_WINDOW_CAP;
	/* policy_transport and reattach_class bits coincide for UDP */
	rp->allowed_classes = p->allowed_transports & REATTACH_CLASSES_KNOWN;
}

/* DEGRADED: instability inside the recovery window earns stricter limits:
 * twice the cooldown, half the switches and half the request rate. */
void session_degraded_policy(struct reattach_policy *rp)
{
	rp->cooldown_ms *= 2;
	if (rp->max_switches_per_minute > 1)
		rp->max_switches_per_minute /= 2;
	if (rp->session_rate.per_second > 1)
		rp->session_rate.per_second /= 2;
}

/*
 * A peer has one session; a new handshake also holds one slot until it is
 * confirmed, so the old session is ended only by a confirmed new one. An
 * unconfirmed handshake of the same peer gives its slot to the newer.
 */
static struct session *free_slot(struct jvpnd *d, size_t peer)
{
	for (size_t i = 0; i < d->n_sessions; i++)
		if (d->sessions[i].in_use && d->sessions[i].peer == peer &&
		    !d->sessions[i].in_kernel)
			return &d->sessions[i];
	for (size_t i = 0; i < d->n_sessions; i++)
		if (!d->sessions[i].in_use)
			return &d->sessions[i];
	return NULL;
}

static int install(struct jvpnd *d, struct session *s)
{
	const struct config_peer *peer = &d->cfg.peers[s->peer];
	struct jvpn_cidr aips[CONFIG_MAX_ALLOWED_IPS];
	uint8_t escrow[ESCROW_LEN];
	int err;
	struct kernel_session_spec spec = {
		.id = s->id,
		.fd = s->fd,
		/* a resumed session starts at a later generation */
		.key_phase = (uint8_t)(s->keys.generation & 1),
		.state_version = s->sm.version,
		.state = (uint8_t)s->sm.state,
		/* the kernel's own floor mirrors the policy's cooldown */
		.min_switch_ms = session_policy(d, s)->cooldown_ms,
		.allowed_ips = aips,
		.n_allowed_ips = peer->n_allowed_ips,
	};

	for (size_t i = 0; i < peer->n_allowed_ips; i++) {
		aips[i].family = peer->allowed_ips[i].family;
		aips[i].prefix_len = peer->allowed_ips[i].prefix_len;
		memcpy(aips[i].addr, peer->allowed_ips[i].addr, 16);
	}
	memcpy(&spec.remote, &s->remote, sizeof(spec.remote));
	memcpy(spec.tx_key, handshake_keys_tx(&s->keys), JVPN_KEY_LEN);
	memcpy(spec.rx_key, handshake_keys_rx(&s->keys), JVPN_KEY_LEN);
	escrow_encode(&s->keys, s->peer_pub, escrow);
	spec.secrets = escrow;
	spec.secrets_len = sizeof(escrow);
	err = kernel_session_new(&d->kreq, &spec);
	sodium_memzero(&spec, sizeof(spec));
	sodium_memzero(escrow, sizeof(escrow));
	return err;
}

struct session *session_new(struct jvpnd *d, size_t peer,
			    const struct handshake_keys *keys, int fd,
			    const union jvpn_sockaddr *remote)
{
	struct session *s = free_slot(d, peer);
	struct reattach_policy rp;
	uint64_t now = jvpn_boot_ms();

	/* its handshake time could not outlive a restart: see jvpnd.h */
	if (!s || d->unsaved)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->in_use = true;
	s->peer = peer;
	memcpy(s->peer_pub, d->cfg.peers[peer].public_key, JVPN_KEY_LEN);
	s->keys = *keys;
	s->id = keys->session_id;
	s->fd = fd;
	s->remote = *remote;
	s->last_rx_ms = now;
	s->keys_since_ms = now;
	session_reattach_policy(session_policy(d, s), &rp);
	reattach_session_init(&s->rs, &rp, now);
	sm_init(&s->sm, now, session_sm_outlet, s);
	return s;
}

bool session_confirm(struct jvpnd *d, struct session *s)
{
	size_t peer = s->peer;

	for (size_t i = 0; i < d->n_sessions; i++)
		if (d->sessions[i].in_use && d->sessions[i].in_kernel &&
		    d->sessions[i].peer == peer)
			session_end(d, &d->sessions[i], JVPND_REASON_REPLACED);
	sm_transition(&s->sm, JVPN_STATE_ACTIVE, JVPND_REASON_HANDSHAKE_DONE,
		      jvpn_boot_ms());
	s->last_rx_ms = jvpn_boot_ms();
	if (install(d, s)) {
		fprintf(stderr, "jvpnd: session %llu: %s\n",
			(unsigned long long)s->id, d->kreq.err);
		handshake_keys_wipe(&s->keys);
		s->in_use = false;
		return false;
	}
	s->in_kernel = true;
	jvpnd_emit(d, EV_SESSION_CREATED, s, JVPND_REASON_HANDSHAKE_DONE,
		   d->cfg.peers[peer].name[0] ? d->cfg.peers[peer].name : NULL);
	jvpnd_changed(d);
	return true;
}

static uint32_t del_reason(enum jvpnd_reason why)
{
	switch (why) {
	case JVPND_REASON_SESSION_TTL:
		return JVPN_DEL_REASON_SESSION_TTL;
	case JVPND_REASON_TRANSPORT_LOSS_TTL:
		return JVPN_DEL_REASON_TRANSPORT_LOSS_TTL;
	case JVPND_REASON_SWITCH_LIMIT:
		return JVPN_DEL_REASON_SWITCH_LIMIT;
	case JVPND_REASON_SECURITY:
		return JVPN_DEL_REASON_SECURITY;
	case JVPND_REASON_VERSION_MISMATCH:
		return JVPN_DEL_REASON_VERSION_MISMATCH;
	case JVPND_REASON_REPLACED:
		return JVPN_DEL_REASON_REPLACED;
	default:
		return JVPN_DEL_REASON_ADMIN;
	}
}

void session_end(struct jvpnd *d, struct session *s, enum jvpnd_reason why)
{
	if (s->sm.state != JVPN_STATE_TERMINATED)
		sm_transition(&s->sm, JVPN_STATE_TERMINATED, why,
			      jvpn_boot_ms());
	if (s->in_kernel && !s->lost &&
	    kernel_session_del(&d->kreq, s->id, del_reason(why)))
		fprintf(stderr, "jvpnd: session %llu: %s\n",
			(unsigned long long)s->id, d->kreq.err);
	/* a rotation or fresh handshake under way dies with the session */
	handshake_keys_wipe(&s->keys);
	handshake_keys_wipe(&s->next_keys);
	handshake_keys_wipe(&s->fresh_keys);
	s->rekey_pending = false;
	s->fresh_pending = false;
	s->in_use = false;
	s->in_kernel = false;
	s->lost = false;
	jvpnd_changed(d);
}

/* the kernel's reason for a deletion it reports, as the daemon names it */
static enum jvpnd_reason reason_of_del(uint32_t kreason)
{
	switch (kreason) {
	case JVPN_DEL_REASON_SESSION_TTL:
		return JVPND_REASON_SESSION_TTL;
	case JVPN_DEL_REASON_TRANSPORT_LOSS_TTL:
		return JVPND_REASON_TRANSPORT_LOSS_TTL;
	case JVPN_DEL_REASON_SWITCH_LIMIT:
		return JVPND_REASON_SWITCH_LIMIT;
	case JVPN_DEL_REASON_SECURITY:
		return JVPND_REASON_SECURITY;
	case JVPN_DEL_REASON_VERSION_MISMATCH:
		return JVPND_REASON_VERSION_MISMATCH;
	case JVPN_DEL_REASON_REPLACED:
		return JVPND_REASON_REPLACED;
	default:
		return JVPND_REASON_ADMIN;
	}
}

/* Gone from the kernel already: end it here without asking the kernel
 * again (nor mirroring TERMINATED into a session that is not there). */
static void session_gone(struct jvpnd *d, struct session *s,
			 enum jvpnd_reason why, const char *detail)
{
	s->in_kernel = false;
	s->end_detail = detail;
	session_end(d, s, why);
	s->end_detail = NULL;
}

void sessions_kernel_deleted(struct jvpnd *d, uint64_t id, uint32_t kreason)
{
	struct session *s = session_find(d, id);

	/* a deletion the daemon asked for finds its session already ended */
	if (s && s->in_kernel)
		session_gone(d, s, reason_of_del(kreason),
			     "deleted in the kernel");
}

struct seen {
	struct jvpnd *d;
	bool *in_dump; /* by index in d->sessions */
};

static void mark_seen(const struct kernel_session_info *ks, void *ctx)
{
	struct seen *seen = ctx;
	struct session *s = session_find(seen->d, ks->id);

	if (s)
		seen->in_dump[s - seen->d->sessions] = true;
}

int sessions_reconcile(struct jvpnd *d)
{
	struct seen seen = { d, calloc(d->n_sessions + 1, sizeof(bool)) };
	int err, ended = 0;

	if (!seen.in_dump)
		return -ENOMEM;
	err = kernel_session_dump(&d->kreq, mark_seen, &seen);
	for (size_t i = 0; !err && i < d->n_sessions; i++) {
		struct session *s = &d->sessions[i];

		if (s->in_use && s->in_kernel && !seen.in_dump[i]) {
			session_gone(d, s, JVPND_REASON_ADMIN,
				     "gone from the kernel (found by a dump "
				     "after lost kernel events)");
			ended++;
		}
	}
	free(seen.in_dump);
	return err ? err : ended;
}

void sessions_kernel_lost(struct jvpnd *d)
{
	uint64_t now = jvpn_boot_ms();

	for (size_t i = 0; i < d->n_sessions; i++) {
		struct session *s = &d->sessions[i];

		if (!s->in_use || !s->in_kernel || s->lost)
			continue;
		s->lost = true;
		/* a rotation under way went with the kernel's keys */
		handshake_keys_wipe(&s->next_keys);
		handshake_keys_wipe(&s->fresh_keys);
		s->rekey_pending = false;
		s->fresh_pending = false;
		if (s->sm.state != JVPN_STATE_VOLATILE)
			sm_transition(&s->sm, JVPN_STATE_VOLATILE,
				      JVPND_REASON_KERNEL_LOST, now);
	}
}

int session_resume(struct jvpnd *d, struct session *s,
		   const struct handshake_keys *keys)
{
	struct handshake_keys old = s->keys;
	char what[96];
	int err;

	s->keys = *keys;
	err = install(d, s);
	if (err) {
		fprintf(stderr, "jvpnd: session %llu: resuming: %s\n",
			(unsigned long long)s->id, d->kreq.err);
		s->keys = old;
		handshake_keys_wipe(&old);
		return err;
	}
	handshake_keys_wipe(&old);
	s->lost = false;
	s->keys_since_ms = jvpn_boot_ms();
	s->last_rx_ms = s->keys_since_ms;
	snprintf(what, sizeof(what),
		 "resumed in the kernel: fresh keys, generation %u, "
		 "outage %llu ms",
		 s->keys.generation,
		 (unsigned long long)(s->keys_since_ms - s->sm.since_ms));
	jvpnd_emit(d, EV_DAEMON, s, JVPND_REASON_RECOVERED, what);
	if (s->sm.state == JVPN_STATE_VOLATILE)
		sm_transition(&s->sm, JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED,
			      s->keys_since_ms);
	jvpnd_changed(d);
	return 0;
}

int session_install_keys(struct jvpnd *d, struct session *s,
			 const struct handshake_keys *keys, bool next)
{
	uint8_t escrow[ESCROW_LEN];
	int err;

	/* a pair made current leaves its record with the kernel, atomically */
	escrow_encode(keys, s->peer_pub, escrow);
	err = kernel_session_set_keys(&d->kreq, s->id, handshake_keys_tx(keys),
				      handshake_keys_rx(keys),
				      (uint8_t)(keys->generation & 1), next,
				      next ? NULL : escrow, sizeof(escrow));
	sodium_memzero(escrow, sizeof(escrow));

	if (err)
		fprintf(stderr, "jvpnd: session %llu: keys: %s\n",
			(unsigned long long)s->id, d->kreq.err);
	return err;
}

static uint64_t kernel_last_rx_ms(struct jvpnd *d, const struct session *s)
{
	struct kernel_session_info info;

	if (kernel_session_get(&d->kreq, s->id, &info))
		return 0;
	return info.last_rx_ns / 1000000;
}

bool session_tick(struct jvpnd *d, struct session *s)
{
	uint64_t switches[LIMITER_WINDOW_CAP], rx = kernel_last_rx_ms(d, s);
	struct sm_limits lim;
	struct sm_inputs in = { .now_ms = jvpn_boot_ms() };
	struct sm_due due;

	if (rx > s->last_rx_ms)
		s->last_rx_ms = rx;
	in.last_rx_ms = s->last_rx_ms;
	in.switch_times_ms = switches;
	in.switch_count = limiter_window_times(&s->rs.switches, switches,
					       LIMITER_WINDOW_CAP);
	session_limits(session_policy(d, s), &lim);
	if (!sm_evaluate(&s->sm, &lim, &in, &due))
		return true;
	if (due.to == JVPN_STATE_TERMINATED) {
		session_end(d, s, due.reason);
		return false;
	}
	sm_tick(&s->sm, &lim, &in);
	return s->sm.state != JVPN_STATE_TERMINATED;
}

int session_switch(struct jvpnd *d, struct session *s, int fd,
		   const union jvpn_sockaddr *remote, enum jvpnd_reason why)
{
	return session_switch_to(d, s, fd, remote, why, 0);
}

/* The state a client-asked switch leaves: ACTIVE, or DEGRADED after
 * repeated switches (sm_switched); judged alike on both ends. */
static void settle_after_switch(struct jvpnd *d, struct session *s,
				uint64_t now)
{
	uint64_t switches[LIMITER_WINDOW_CAP];
	struct sm_limits lim;
	struct sm_inputs in = { .now_ms = now, .last_rx_ms = now };

	in.switch_times_ms = switches;
	in.switch_count = limiter_window_times(&s->rs.switches, switches,
					       LIMITER_WINDOW_CAP);
	session_limits(session_policy(d, s), &lim);
	sm_switched(&s->sm, &lim, &in);
}

int session_switch_to(struct jvpnd *d, struct session *s, int fd,
		      const union jvpn_sockaddr *remote, enum jvpnd_reason why,
		      uint64_t at_least)
{
	uint64_t now = jvpn_boot_ms(), next;
	union jvpn_sockaddr ka;
	int err;

	sm_before_switch(&s->sm, why, now);
	next = s->sm.version + 1;
	if (at_least > next)
		next = at_least;
	memcpy(&ka, remote, sizeof(ka));
	err = kernel_session_switch(&d->kreq, s->id, fd, &ka, s->sm.version,
				    next);
	if (err) {
		jvpnd_emit(d, EV_TRANSPORT_SWITCH_DENIED, s, why, d->kreq.err);
		return err;
	}
	s->fd = fd;
	s->remote = *remote;
	s->last_rx_ms = now;
	/* the gateway's own rebinds are not the client's to pay for: a third
	 * party copying a data packet must not spend the session's cooldown
	 * and switch budget (docs/reattach.md, "NAT rebinding") */
	if (why != JVPND_REASON_NAT_REBINDING)
		reattach_note_switch(&s->rs, now);
	sm_bump_for_switch_to(&s->sm, why, next, now);
	if (why == JVPND_REASON_REATTACHED)
		settle_after_switch(d, s, now);
	else if (s->sm.state == JVPN_STATE_VOLATILE)
		sm_transition(&s->sm, JVPN_STATE_ACTIVE, JVPND_REASON_RECOVERED,
			      now);
	return 0;
}
