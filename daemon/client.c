// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The client: one session to one gateway over the first uplink that works.
 * When the bound transport stops answering it goes VOLATILE, asks the
 * gateway to move the session to another uplink (REATTACH_REQUEST), proves
 * the new path (challenge/response) and switches only on the gateway's
 * ACK. It never starts a new handshake on its own: that would be a new
 * session, not a recovery.
 */
#include <net/if.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "clock.h"
#include "emit.h"
#include "names.h"
#include "reason.h"
#include "retry.h"
#include "rehandshake.h"
#include "role.h"
#include "rekey.h"
#include "sessions.h"
#include "sockets.h"
#include "stats.h"
#include "udp.h"

static const struct hs_params hs_params = {
	.version_min = JVPN_CP_VERSION_MIN,
	.version_max = JVPN_CP_VERSION_MAX,
};

static const struct config_peer *gateway(const struct jvpnd *d)
{
	return &d->cfg.peers[0];
}

/* this build's versions, and the gateway's preshared key, if any */
static struct hs_params gateway_params(const struct jvpnd *d)
{
	struct hs_params p = hs_params;

	if (gateway(d)->has_psk)
		p.psk = gateway(d)->psk;
	return p;
}

static struct session *the_session(struct jvpnd *d)
{
	return d->sessions[0].in_use ? &d->sessions[0] : NULL;
}

static const union jvpn_sockaddr *endpoint(const struct jvpnd *d)
{
	return &gateway(d)->endpoints[d->client.endpoint %
				      gateway(d)->n_endpoints];
}

static int uplink_fd(const struct jvpnd *d, size_t i)
{
	return d->fds[i % d->n_fds];
}

/* ---- handshake ---- */

/* the longest wait between two handshakes the gateway refused */
#define HS_BACKOFF_MAX_MS 60000

/*
 * A HANDSHAKE_REJECT is not authenticated, and even a genuine one may be
 * the gateway's mistake of the moment (a reload in progress): it delays
 * the next INIT, doubling from the handshake timeout up to a minute,
 * and never stops the client for good (docs/reattach.md, "Client
 * behaviour"). A session resets the backoff.
 */
static void handshake_back_off(struct jvpnd *d)
{
	const struct policy *p = config_peer_policy(&d->cfg, &d->cfg.peers[0]);
	struct limiter_backoff_policy bp = {
		.first_ms = p->handshake_timeout_ms,
		.max_ms = HS_BACKOFF_MAX_MS > p->handshake_timeout_ms
				  ? HS_BACKOFF_MAX_MS
				  : p->handshake_timeout_ms,
		.max_attempts = UINT32_MAX,
	};
	uint64_t wait = 0;

	/* the first refusal waits a handshake timeout too, not nothing */
	limiter_backoff_next(&d->client.hs_backoff, &bp, bp.first_ms, &wait);
	d->client.hs_not_before_ms =
		jvpn_boot_ms() +
		limiter_backoff_jitter(wait, randombytes_random());
}

static void send_init(struct jvpnd *d)
{
	struct hs_params params = gateway_params(d);
	uint8_t out[JVPN_HS_INIT_LEN];
	size_t len = sizeof(out);
	struct timespec ts;
	struct hs_time now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now.sec = (uint64_t)ts.tv_sec;
	now.nsec = (uint32_t)ts.tv_nsec;
	if (handshake_initiator_start(&d->client.hs, d->priv, d->pub,
				      gateway(d)->public_key, &now, &params,
				      out, &len) != HS_OK)
		return;
	/* mac2: the gateway's cookie, if it gave us one (core/cookie.h) */
	cookie_client_mac2_write(&d->client.cookie, out, len, jvpn_boot_ms());
	udp_send(uplink_fd(d, d->client.uplink), endpoint(d), out, len);
	d->client.hs_sent_ms = jvpn_boot_ms();
}

/*
 * The gateway is under load and wants proof that we receive at our
 * address: the cookie keys the next INIT's mac2. That INIT goes at once,
 * but at most once a second: an on-path forger of cookies must not make
 * us send INITs at its pace.
 */
static void on_cookie(struct jvpnd *d, const uint8_t *msg, size_t len)
{
	uint64_t now = jvpn_boot_ms();

	if (!d->client.hs.pending ||
	    !cookie_client_consume(&d->client.cookie, msg, len, now))
		return;
	if (d->client.cookie_resend_ms &&
	    now - d->client.cookie_resend_ms < 1000)
		return; /* the handshake timer sends the next one */
	d->client.cookie_resend_ms = now;
	send_init(d);
}

/* a fresh handshake for a lost kernel is asked again after this long: the
 * gateway answers one a session at most every 500 ms (gateway.c) */
#define FRESH_RESEND_MS 600

static void send_probe(struct session *s);
static void send_fresh(struct jvpnd *d, struct session *s);
static void drill_acked(struct jvpnd *d, struct session *s, uint64_t nonce);
static void drill_refused_by_gateway(struct jvpnd *d, struct session *s,
				     uint64_t nonce, uint8_t reason);
static void drill_answered(struct jvpnd *d, struct session *s);
static void tick_drill(struct jvpnd *d, struct session *s);
static void drill_abandon(struct jvpnd *d);
static bool needs_path(const struct jvpnd *d, const struct session *s,
		       const struct policy *p, uint64_t now);

static void on_resp(struct jvpnd *d, int fd, const union jvpn_sockaddr *from,
		    const uint8_t *msg, size_t len)
{
	struct handshake_keys keys;
	struct session *s;

	if (handshake_initiator_consume_resp(&d->client.hs, msg, len, &keys) !=
	    HS_OK)
		return;
	s = session_new(d, 0, &keys, fd, from);
	handshake_keys_wipe(&keys);
	d->client.fresh_since_ms = jvpn_boot_ms();
	d->client.fresh_waiting = false;
	/* the RESP proved the gateway; our first probe proves us to it */
	if (s && session_confirm(d, s)) {
		s->peer_bound = s->sm.bound_version;
		jvpnd_changed(d);
		send_probe(s);
	}
}

static void on_hs_reject(struct jvpnd *d, const uint8_t *msg, size_t len)
{
	struct hs_reject rej;
	char detail[160];

	if (handshake_initiator_consume_reject(&d->client.hs, msg, len, &rej) !=
	    HS_OK)
		return;
	if (rej.reason == JVPND_REASON_VERSION_MISMATCH)
		snprintf(detail, sizeof(detail),
			 "the gateway speaks control protocol versions %u..%u, "
			 "this build %u..%u: no common version; retrying "
			 "after a backoff",
			 rej.version_min, rej.version_max, JVPN_CP_VERSION_MIN,
			 JVPN_CP_VERSION_MAX);
	else
		snprintf(detail, sizeof(detail),
			 "the gateway refused the handshake: retrying after a "
			 "backoff");
	jvpnd_emit(d, EV_REATTACH_REJECT, NULL, rej.reason, detail);
	handshake_back_off(d);
}

/* ---- health and reattach ---- */

/*
 * Probe numbers only grow, across a restart too: the gateway takes a probe
 * only above the last number it saw (a replayed probe must not pass for a
 * live path), and a restarted client remembers none, so before this its
 * probes went unanswered until they passed the old ones, and the session
 * went VOLATILE and reattached for nothing. The boot clock in microseconds
 * is above every number sent before in this boot (the session does not
 * outlive one), and a probe goes at most once a tick.
 */
static uint64_t next_probe_seq(uint64_t last)
{
	uint64_t now = jvpn_boot_us();

	return now > last ? now : last + 1;
}

static void send_probe(struct session *s)
{
	struct reattach_probe p = {
		.session_id = s->id,
		.seq = s->probe_seq = next_probe_seq(s->probe_seq),
		.timestamp_ms = jvpn_boot_ms(),
	};
	uint8_t out[REATTACH_PROBE_LEN];
	size_t n = reattach_encode_probe(&p, handshake_keys_auth(&s->keys), out,
					 sizeof(out));

	if (n)
		udp_send(s->fd, &s->remote, out, n);
	clientguard_probe_sent(&s->guard, p.seq);
	s->last_probe_ms = jvpn_boot_ms();
}

static uint8_t class_of(const union jvpn_sockaddr *a)
{
	return a->sa.sa_family == AF_INET6 ? REATTACH_CLASS_UDP6
					   : REATTACH_CLASS_UDP4;
}

static bool uplink_usable(const struct jvpnd *d, size_t i)
{
	return i >= CONFIG_MAX_UPLINKS || !d->client.ups[i].down;
}

/*
 * The uplink of attempt @k (1-based): every other uplink first, then the
 * bound one, skipping uplinks that are down (the bound one included,
 * when it is what failed); when every uplink is down, the turn's own.
 */
static size_t next_candidate(const struct jvpnd *d, uint32_t k)
{
	size_t n = d->n_fds;

	for (size_t i = 0; i < n; i++) {
		size_t c = (d->client.uplink + k + i) % n;

		if (c == d->client.uplink && d->client.bound_down && n > 1)
			continue;
		if (uplink_usable(d, c))
			return c;
	}
	return (d->client.uplink + k) % n;
}

/* A request with the next nonce over the candidate of the last one. */
static void send_request_again(struct jvpnd *d, struct session *s)
{
	struct reattach_request req = {
		.session_id = s->id,
		.state_version = s->peer_bound,
		.nonce = ++s->nonce,
		.timestamp_ms = jvpn_wall_ms(),
	};
	uint8_t out[REATTACH_REQUEST_LEN];
	size_t n;

	req.transport_class = class_of(endpoint(d));
	n = reattach_encode_request(&req, handshake_keys_auth(&s->keys), out,
				    sizeof(out));
	clientguard_request_sent(&s->guard, req.nonce, jvpn_boot_ms());
	if (n)
		udp_send(uplink_fd(d, d->client.candidate), endpoint(d), out,
			 n);
}

static void send_request(struct jvpnd *d, struct session *s, uint32_t k)
{
	d->client.candidate = next_candidate(d, k);
	if (k > 1 && (k - 1) % d->n_fds == 0)
		d->client.endpoint++; /* every uplink tried: another address */
	if (k == 1)
		d->client.reattach_first_us = jvpn_boot_us();
	send_request_again(d, s);
}

/*
 * The next reattach request, when the schedule says so (retry.h): the
 * backoff, the gateway's retry_after_ms, at most max_reattach_attempts,
 * and the end of the session once the last attempt went unanswered.
 */
static void try_reattach(struct jvpnd *d, struct session *s)
{
	const struct policy *p = session_policy(d, s);
	struct limiter_backoff_policy bp;
	uint64_t now = jvpn_boot_ms();

	retry_policy(p, &bp);
	switch (retry_due(&d->client.reattach, &bp, now,
			  randombytes_random())) {
	case RETRY_WAIT:
		break;
	case RETRY_GIVE_UP:
		session_end(d, s, JVPND_REASON_TRANSPORT_LOSS_TTL);
		break;
	case RETRY_NOW:
		send_request(d, s, retry_attempts(&d->client.reattach));
		retry_sent(&d->client.reattach, now);
		break;
	case RETRY_RESYNC: /* the same attempt, now with a current version */
		send_request_again(d, s);
		retry_sent(&d->client.reattach, now);
		break;
	}
}

/*
 * An authentic message that answers nothing outstanding, or a message
 * from an address that is none of the gateway's endpoints: dropped, and
 * reported, at most once a second so that a flood of them is not a flood
 * of events too.
 */
static void refused(struct jvpnd *d, const struct session *s,
		    enum jvpnd_reason why, const union jvpn_sockaddr *from,
		    const char *what)
{
	uint64_t now = jvpn_boot_ms();
	char detail[128], who[64];

	if (d->client.refused_event_ms &&
	    now - d->client.refused_event_ms < 1000)
		return;
	d->client.refused_event_ms = now;
	snprintf(detail, sizeof(detail), "%s from %s", what,
		 jvpn_sockaddr_text(from, who, sizeof(who)));
	jvpnd_emit(d, EV_SECURITY_EVENT, s, why, detail);
}

static enum jvpnd_reason guard_reason(enum clientguard_verdict v)
{
	return v == CLIENTGUARD_STALE_VERSION ? JVPND_REASON_STALE_VERSION
					      : JVPND_REASON_REPLAYED_NONCE;
}

static void on_challenge(struct session *s, int fd,
			 const union jvpn_sockaddr *from, const uint8_t *msg,
			 size_t len)
{
	uint8_t out[REATTACH_CHALLENGE_LEN];
	struct reattach_challenge c;
	size_t n;

	if (reattach_decode_challenge(msg, len, handshake_keys_auth(&s->keys),
				      &c) ||
	    clientguard_challenge(&s->guard, c.request_nonce, jvpn_boot_ms()) !=
		    CLIENTGUARD_OK)
		return;
	n = reattach_encode_response(&c, handshake_keys_auth(&s->keys), out,
				     sizeof(out));
	if (n)
		udp_send(fd, from, out, n);
}

static void on_path_challenge(struct session *s, int fd,
			      const union jvpn_sockaddr *from,
			      const uint8_t *msg, size_t len)
{
	uint8_t out[REATTACH_PATH_LEN];
	struct reattach_path p;
	size_t n;

	if (reattach_decode_path_challenge(msg, len,
					   handshake_keys_auth(&s->keys), &p))
		return;
	n = reattach_encode_path_response(&p, handshake_keys_auth(&s->keys),
					  out, sizeof(out));
	if (n)
		udp_send(fd, from, out, n);
}

/*
 * REATTACH_SUCCESS with its latency: from the first request of this
 * failover (whichever of its requests the ACK answers) to the switch
 * committed in the kernel.
 */
static void emit_success(struct jvpnd *d, const struct session *s)
{
	char remote[64];
	struct event ev = {
		.type = EV_REATTACH_SUCCESS,
		.session_id = s->id,
		.state_version = s->sm.version,
		.reason = JVPND_REASON_REATTACHED,
		.old_state = -1,
		.new_state = (int)s->sm.state,
		.new_transport =
			jvpn_sockaddr_text(&s->remote, remote, sizeof(remote)),
		.latency_us = jvpn_boot_us() - d->client.reattach_first_us,
	};

	events_emit(&d->out, &ev);
}

/*
 * The gateway's notice of a switch it made itself (NAT rebinding: the
 * client's NAT moved, the client's own socket and gateway did not): no
 * binding changes here, but the version does, to the gateway's, and the
 * change is an event on this end too.
 */
static void follow_notice(struct jvpnd *d, struct session *s, uint64_t version)
{
	uint64_t old = s->sm.version;

	if (sm_bump_for_switch_to(&s->sm, JVPND_REASON_NAT_REBINDING, version,
				  jvpn_boot_ms()) != SM_OK)
		return;
	/* a switch record is not mirrored by the sm outlet: do it here */
	if (s->in_kernel &&
	    kernel_session_set_state(&d->kreq, s->id, old, s->sm.version,
				     (uint8_t)s->sm.state))
		fprintf(stderr, "jvpnd: session %llu: version: %s\n",
			(unsigned long long)s->id, d->kreq.err);
	jvpnd_changed(d);
}

/* The version this end's switch takes so that, after the change that
 * settles it (sm_switched, out of the VOLATILE the session is in or that
 * sm_before_switch puts an ACTIVE one in: a drill's, or one whose path
 * came back by itself), it holds the gateway's @version. DEGRADED is
 * left only by a calm recovery window: no change follows there. */
static uint64_t switch_version(const struct session *s, uint64_t version)
{
	bool settles = s->sm.state == JVPN_STATE_VOLATILE ||
		       s->sm.state == JVPN_STATE_ACTIVE;

	return version > settles ? version - settles : 0;
}

static void on_ack(struct jvpnd *d, struct session *s, int fd,
		   const union jvpn_sockaddr *from, const uint8_t *msg,
		   size_t len)
{
	enum clientguard_verdict v;
	struct reattach_ack ack;
	size_t i;

	if (reattach_decode_ack(msg, len, handshake_keys_auth(&s->keys), &ack))
		return;
	v = clientguard_ack(&s->guard, ack.request_nonce, ack.state_version,
			    s->peer_bound, jvpn_boot_ms());
	if (v != CLIENTGUARD_OK) {
		refused(d, s, guard_reason(v), from, "REATTACH_ACK");
		return;
	}
	s->peer_bound = ack.state_version;
	if (ack.request_nonce == JVPN_REATTACH_NOTICE_NONCE) {
		follow_notice(d, s, ack.state_version);
		return;
	}
	if (session_switch_to(d, s, fd, from, JVPND_REASON_REATTACHED,
			      switch_version(s, ack.state_version)))
		return;
	jvpnd_changed(d);
	for (i = 0; i < d->n_fds; i++)
		if (d->fds[i] == fd)
			d->client.uplink = i;
	d->client.bound_down = !uplink_usable(d, d->client.uplink);
	retry_reset(&d->client.reattach);
	emit_success(d, s);
	drill_acked(d, s, ack.request_nonce);
}

static void on_reject(struct jvpnd *d, struct session *s,
		      const union jvpn_sockaddr *from, const uint8_t *msg,
		      size_t len)
{
	struct reattach_reject rej;
	enum clientguard_verdict v;

	if (reattach_decode_reject(msg, len, handshake_keys_auth(&s->keys),
				   &rej))
		return;
	v = clientguard_reject(&s->guard, rej.request_nonce, rej.reason,
			       rej.nonce_floor, s->nonce, jvpn_boot_ms());
	if (v == CLIENTGUARD_COPY_FIRST) {
		/* a copy of the request reached the gateway first: its
		 * challenge may still come, nothing is consumed */
		refused(d, s, JVPND_REASON_REPLAYED_NONCE, from,
			"REATTACH_REJECT of a request the gateway saw before");
		return;
	}
	if (v != CLIENTGUARD_OK)
		return;
	/* the next attempt waits at least as long as the gateway asked */
	retry_not_before(&d->client.reattach, jvpn_boot_ms(),
			 rej.retry_after_ms);
	/* learn what the gateway knows, so the next request is current */
	if (rej.reason == JVPND_REASON_STALE_VERSION)
		s->peer_bound = rej.state_version;
	if (rej.nonce_floor > s->nonce)
		s->nonce = rej.nonce_floor;
	jvpnd_emit(d, EV_REATTACH_REJECT, s, (enum jvpnd_reason)rej.reason,
		   NULL);
	drill_refused_by_gateway(d, s, rej.request_nonce, rej.reason);
	if (rej.reason == JVPND_REASON_SWITCH_LIMIT ||
	    rej.reason == JVPND_REASON_UNKNOWN_SESSION) {
		session_end(d, s, (enum jvpnd_reason)rej.reason);
		return;
	}
	/* the gateway's module was reloaded: its kernel waits for keys of a
	 * fresh handshake, over the path still bound (daemon/kernelback.h) */
	if (rej.reason == JVPND_REASON_KERNEL_LOST && !s->rekey_pending &&
	    (!d->client.fresh_waiting ||
	     jvpn_boot_ms() - d->client.fresh_sent_ms >= FRESH_RESEND_MS))
		send_fresh(d, s);
	/* a resync, not a failed attempt: ask again at once, current now */
	if (rej.reason == JVPND_REASON_STALE_VERSION) {
		retry_resync(&d->client.reattach);
		if (needs_path(d, s, session_policy(d, s), jvpn_boot_ms()))
			try_reattach(d, s);
	}
}

/* ---- key rotation ---- */

/* under the next keys' control key: the same key for a ratchet, the new
 * one for a fresh handshake, whose REKEY proves the client holds it */
static void send_rekey(struct session *s)
{
	uint8_t out[JVPN_REKEY_LEN];

	if (!rekey_encode(JVPN_MSG_REKEY, s->id, s->next_keys.generation,
			  handshake_keys_auth(&s->next_keys), out))
		return;
	udp_send(s->fd, &s->remote, out, sizeof(out));
	s->rekey_sent_ms = jvpn_boot_ms();
}

/* The next generation opens packets here before the gateway seals any. */
static void start_rekey(struct jvpnd *d, struct session *s)
{
	if (handshake_rotate(&s->keys, s->keys.generation + 1, &s->next_keys) !=
		    HS_OK ||
	    session_install_keys(d, s, &s->next_keys, true))
		return;
	s->rekey_pending = true;
	send_rekey(s);
}

static void on_rekey_ack(struct jvpnd *d, struct session *s, const uint8_t *msg,
			 size_t len)
{
	bool fresh = sodium_memcmp(s->next_keys.control, s->keys.control,
				   JVPN_KEY_LEN) != 0;
	uint8_t was = s->keys.version;
	uint32_t gen;
	uint64_t id;
	char what[64];

	if (!s->rekey_pending ||
	    rekey_decode(msg, len, JVPN_MSG_REKEY_ACK,
			 handshake_keys_auth(&s->next_keys), &id, &gen) ||
	    id != s->id || gen != s->next_keys.generation)
		return;
	/* a session resumed in a new kernel made the pair current already:
	 * the ACK only says the gateway has it too */
	if (gen == s->keys.generation) {
		handshake_keys_wipe(&s->next_keys);
		s->rekey_pending = false;
		return;
	}
	if (session_install_keys(d, s, &s->next_keys, false))
		return;
	handshake_keys_wipe(&s->keys);
	s->keys = s->next_keys;
	handshake_keys_wipe(&s->next_keys);
	s->rekey_pending = false;
	s->keys_since_ms = jvpn_boot_ms();
	rekey_describe(what, sizeof(what), gen, fresh, was, s->keys.version);
	jvpnd_emit(d, EV_KEY_ROTATION, s, JVPND_REASON_NONE, what);
	jvpnd_changed(d);
}

/* ---- fresh handshake inside the session ---- */

/* rehandshake-after is never taken below this */
#define FRESH_FLOOR_MS 1000

/*
 * A new X25519 exchange for the running session (docs/control-plane-
 * protocol.md, "Fresh handshake"): an INIT, as for a new session, inside
 * a REHANDSHAKE_INIT under the session's control key.
 */
static void send_fresh(struct jvpnd *d, struct session *s)
{
	uint8_t init[JVPN_HS_INIT_LEN], out[JVPN_REHS_INIT_LEN];
	struct hs_params params = gateway_params(d);
	size_t len = sizeof(init);
	struct timespec ts;
	struct hs_time now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now.sec = (uint64_t)ts.tv_sec;
	now.nsec = (uint32_t)ts.tv_nsec;
	if (handshake_initiator_start(&d->client.fresh, d->priv, d->pub,
				      gateway(d)->public_key, &now, &params,
				      init, &len) != HS_OK)
		return;
	len = rehandshake_wrap(JVPN_MSG_REHANDSHAKE_INIT, s->keys.version,
			       s->id, init, s->keys.control, out, sizeof(out));
	if (len)
		udp_send(s->fd, &s->remote, out, len);
	d->client.fresh_waiting = true;
	d->client.fresh_sent_ms = jvpn_boot_ms();
}

/*
 * The gateway's keys of the new exchange, for the same session at the
 * next generation: installed to open only, then REKEY under their
 * control key, as a ratchet is (start_rekey), so nothing is lost.
 */
static void on_fresh_resp(struct jvpnd *d, struct session *s,
			  const uint8_t *msg, size_t len)
{
	struct handshake_keys keys;
	const uint8_t *resp;

	if (!d->client.fresh_waiting || s->rekey_pending)
		return;
	resp = rehandshake_unwrap(msg, len, JVPN_MSG_REHANDSHAKE_RESP,
				  s->keys.version, s->keys.control);
	if (!resp ||
	    handshake_initiator_consume_resp(&d->client.fresh, resp,
					     JVPN_HS_RESP_LEN, &keys) != HS_OK)
		return;
	d->client.fresh_waiting = false;
	d->client.fresh_since_ms = jvpn_boot_ms();
	keys.generation = s->keys.generation + 1;
	/* a fresh handshake may move the session to a newer version both
	 * ends speak now (one of them was upgraded), never to an older one */
	if (keys.session_id != s->id || keys.version < s->keys.version ||
	    s->keys.generation == UINT32_MAX ||
	    (s->lost ? d->device.lost || session_resume(d, s, &keys)
		     : session_install_keys(d, s, &keys, true))) {
		handshake_keys_wipe(&keys);
		return;
	}
	handshake_keys_wipe(&s->next_keys);
	s->next_keys = keys;
	handshake_keys_wipe(&keys);
	s->rekey_pending = true;
	send_rekey(s);
}

static void tick_fresh(struct jvpnd *d, struct session *s, uint64_t now)
{
	const struct policy *p = session_policy(d, s);
	uint64_t every = p->rehandshake_after_ms > FRESH_FLOOR_MS
				 ? p->rehandshake_after_ms
				 : FRESH_FLOOR_MS;

	if (d->client.fresh_waiting) {
		/* the INIT or its answer was lost: a new one */
		if (now - d->client.fresh_sent_ms >= p->handshake_timeout_ms)
			send_fresh(d, s);
		return;
	}
	if (!d->client.fresh_since_ms)
		d->client.fresh_since_ms =
			now; /* restored from the state file */
	if (now - d->client.fresh_since_ms >= every)
		send_fresh(d, s);
}

/* A fresh handshake's REKEY unanswered for four handshake timeouts. */
static bool fresh_abandoned(struct jvpnd *d, const struct session *s,
			    uint64_t now)
{
	const struct policy *p = session_policy(d, s);

	return sodium_memcmp(s->next_keys.control, s->keys.control,
			     JVPN_KEY_LEN) != 0 &&
	       now - d->client.fresh_since_ms >= 4ull * p->handshake_timeout_ms;
}

static void tick_rekey(struct jvpnd *d, struct session *s)
{
	const struct policy *p = session_policy(d, s);
	uint64_t now = jvpn_boot_ms();

	if (s->rekey_pending && fresh_abandoned(d, s, now)) {
		/* the gateway forgot the exchange (a restart): start over
		 * later; the pair it opened with stays until replaced */
		handshake_keys_wipe(&s->next_keys);
		s->rekey_pending = false;
		return;
	}
	if (s->rekey_pending) {
		if (now - s->rekey_sent_ms >= p->probe_interval_ms)
			send_rekey(s);
		return;
	}
	if (s->sm.state != JVPN_STATE_ACTIVE)
		return;
	tick_fresh(d, s, now);
	if (!s->rekey_pending && !d->client.fresh_waiting &&
	    now - s->keys_since_ms >= p->rekey_after_ms)
		start_rekey(d, s);
}

/* An ACK of a probe sent on the bound path, once: a replayed one must not
 * keep a dead path alive. */
static void on_probe_ack(struct jvpnd *d, struct session *s, int fd,
			 const union jvpn_sockaddr *from, const uint8_t *msg,
			 size_t len)
{
	struct reattach_probe p;

	if (reattach_decode_probe_ack(msg, len, handshake_keys_auth(&s->keys),
				      &p))
		return;
	if (clientguard_probe_ack(&s->guard, p.seq) != CLIENTGUARD_OK) {
		refused(d, s, JVPND_REASON_REPLAYED_NONCE, from, "PROBE_ACK");
		return;
	}
	if (fd == s->fd && jvpn_sockaddr_equal(from, &s->remote)) {
		s->last_rx_ms = jvpn_boot_ms();
		drill_answered(d, s);
	}
}

static void client_datagram(struct jvpnd *d, int fd,
			    const union jvpn_sockaddr *from, const uint8_t *msg,
			    size_t len)
{
	struct session *s = the_session(d);

	/* the gateway's endpoints, and nothing else, may steer the client */
	if (!clientguard_from_gateway(gateway(d)->endpoints,
				      gateway(d)->n_endpoints, from)) {
		refused(d, s, JVPND_REASON_SECURITY, from,
			"a control message not from a gateway endpoint");
		return;
	}
	if (msg[0] == JVPN_MSG_HANDSHAKE_RESP && !s)
		return on_resp(d, fd, from, msg, len);
	if (msg[0] == JVPN_MSG_HANDSHAKE_REJECT && !s)
		return on_hs_reject(d, msg, len);
	if (msg[0] == JVPN_MSG_HANDSHAKE_COOKIE && !s)
		return on_cookie(d, msg, len);
	if (!s)
		return;
	switch (msg[0]) {
	case JVPN_MSG_PROBE_ACK:
		on_probe_ack(d, s, fd, from, msg, len);
		break;
	case JVPN_MSG_REATTACH_CHALLENGE:
		on_challenge(s, fd, from, msg, len);
		break;
	case JVPN_MSG_REATTACH_ACK:
		on_ack(d, s, fd, from, msg, len);
		break;
	case JVPN_MSG_REATTACH_REJECT:
		on_reject(d, s, from, msg, len);
		break;
	case JVPN_MSG_PATH_CHALLENGE:
		on_path_challenge(s, fd, from, msg, len);
		break;
	case JVPN_MSG_REKEY_ACK:
		on_rekey_ack(d, s, msg, len);
		break;
	case JVPN_MSG_REHANDSHAKE_RESP:
		on_fresh_resp(d, s, msg, len);
		break;
	}
}

static void client_kernel_event(struct jvpnd *d, const struct kernel_event *ev)
{
	(void)d;
	(void)ev;
}

/* VOLATILE, or DEGRADED (which a lost path cannot leave) with the bound
 * path silent or down: the session needs another path. */
static bool needs_path(const struct jvpnd *d, const struct session *s,
		       const struct policy *p, uint64_t now)
{
	if (s->sm.state == JVPN_STATE_VOLATILE)
		return true;
	return s->sm.state == JVPN_STATE_DEGRADED &&
	       (d->client.bound_down ||
		now - s->last_rx_ms > p->health_threshold_ms);
}

/*
 * A probe is due every probe interval, unless the session is ACTIVE and
 * its bound path carried authenticated data both ways inside the last
 * interval: that data already proves the path to both ends (the kernel's
 * last-rx and last-tx), and a probe would only cost bytes (docs/reattach.md,
 * "Probes").
 */
static bool probe_due(struct jvpnd *d, const struct session *s,
		      const struct policy *p, uint64_t now)
{
	struct kernel_session_info info;
	uint64_t rx, tx;

	if (now - s->last_probe_ms < p->probe_interval_ms)
		return false;
	if (s->sm.state != JVPN_STATE_ACTIVE ||
	    kernel_session_get(&d->kreq, s->id, &info))
		return true;
	rx = info.last_rx_ns / 1000000;
	tx = info.last_tx_ns / 1000000;
	return !rx || !tx || now - rx >= p->probe_interval_ms ||
	       now - tx >= p->probe_interval_ms;
}

/*
 * Its kernel state went with the module (daemon/kernelback.h): no probe
 * and no reattach, which have no binding to carry them; only the fresh
 * handshake that resumes it once the device is back, asked again while
 * unanswered, and its TTLs.
 */
static void tick_lost(struct jvpnd *d, struct session *s)
{
	if (!session_tick(d, s) || d->device.lost)
		return;
	if (!d->client.fresh_waiting ||
	    jvpn_boot_ms() - d->client.fresh_sent_ms >= FRESH_RESEND_MS)
		send_fresh(d, s);
}

static void tick_session(struct jvpnd *d, struct session *s)
{
	const struct policy *p = session_policy(d, s);
	uint64_t now = jvpn_boot_ms();

	if (s->lost)
		return tick_lost(d, s);
	if (probe_due(d, s, p, now))
		send_probe(s);
	if (!session_tick(d, s))
		return;
	tick_rekey(d, s);
	/* a path that came back by itself ends the failover: its attempts
	 * are not held against the next one */
	if (s->sm.state == JVPN_STATE_ACTIVE &&
	    retry_attempts(&d->client.reattach)) {
		retry_reset(&d->client.reattach);
		clientguard_forget_requests(&s->guard);
	}
	if (needs_path(d, s, p, now))
		try_reattach(d, s);
	tick_drill(d, s);
}

static void client_tick(struct jvpnd *d)
{
	struct session *s = the_session(d);
	const struct policy *p = config_peer_policy(&d->cfg, gateway(d));
	uint64_t now = jvpn_boot_ms();

	if (s) {
		limiter_backoff_reset(&d->client.hs_backoff);
		tick_session(d, s);
		return;
	}
	drill_abandon(d);
	if (d->client.fresh_waiting) { /* its session ended: wipe its DH */
		handshake_initiator_wipe(&d->client.fresh);
		d->client.fresh_waiting = false;
	}
	if (now < d->client.hs_not_before_ms)
		return;
	if (!d->client.hs_sent_ms ||
	    now - d->client.hs_sent_ms >= p->handshake_timeout_ms) {
		if (d->client.hs_sent_ms) { /* no answer: try the next path */
			d->client.uplink = (d->client.uplink + 1) % d->n_fds;
			if (d->client.uplink == 0)
				d->client.endpoint++;
		}
		send_init(d);
	}
}

/* ---- the uplinks' devices (docs/reattach.md, "Event-driven detection") */

static const struct config_uplink *uplink_conf(const struct jvpnd *d, size_t i)
{
	return i < gateway(d)->n_uplinks ? &gateway(d)->uplinks[i] : NULL;
}

/*
 * The bound uplink cannot carry the session any more: VOLATILE at once
 * (reason INTERFACE_DOWN, with what happened as the event's detail), and
 * the first request of the failover goes out now, on the next candidate,
 * not at the next tick nor after the health threshold.
 */
static void bound_uplink_lost(struct jvpnd *d, struct session *s,
			      const char *detail)
{
	bool fresh = s->sm.state != JVPN_STATE_VOLATILE;

	d->client.bound_down = true;
	if (s->sm.state == JVPN_STATE_ACTIVE) {
		s->end_detail = detail; /* the STATE_CHANGE event's detail */
		sm_transition(&s->sm, JVPN_STATE_VOLATILE,
			      JVPND_REASON_INTERFACE_DOWN, jvpn_boot_ms());
		s->end_detail = NULL;
	} else {
		jvpnd_emit(d, EV_DAEMON, s, JVPND_REASON_INTERFACE_DOWN,
			   detail);
	}
	if (fresh) /* a new failover; one under way keeps its schedule */
		retry_reset(&d->client.reattach);
	try_reattach(d, s);
}

/* Uplink @i can (not) carry the session now; an event either way. */
static void uplink_set(struct jvpnd *d, size_t i, bool down, const char *why)
{
	struct session *s = the_session(d);
	struct client_uplink *u = &d->client.ups[i];
	char detail[128];

	if (u->down == down)
		return;
	u->down = down;
	snprintf(detail, sizeof(detail), "uplink %s %s: %s",
		 uplink_conf(d, i)->ifname, down ? "down" : "up", why);
	if (!s || !s->in_kernel)
		return; /* no path yet: the handshake tries every uplink */
	if (i == d->client.uplink && down) {
		bound_uplink_lost(d, s, detail);
		return;
	}
	if (i == d->client.uplink)
		d->client.bound_down = false;
	jvpnd_emit(d, EV_DAEMON, s,
		   down ? JVPND_REASON_INTERFACE_DOWN : JVPND_REASON_RECOVERED,
		   detail);
}

/* Judges uplink @i again: link, configured address, route to the gateway. */
static void uplink_check(struct jvpnd *d, size_t i, const char *why)
{
	struct client_uplink *u = &d->client.ups[i];
	int reach;

	if (!u->ifindex || !u->link_ok) {
		uplink_set(d, i, true, why);
		return;
	}
	if (u->addr_gone) {
		uplink_set(d, i, true, why);
		return;
	}
	reach = rtnl_reachable(&d->client.rtnl, endpoint(d), u->ifindex);
	if (reach == 0) {
		uplink_set(d, i, true, "no route to the gateway");
		return;
	}
	if (reach > 0)
		uplink_set(d, i, false, why);
}

static long uplink_by_ifindex(const struct jvpnd *d, int ifindex)
{
	for (size_t i = 0; i < gateway(d)->n_uplinks; i++)
		if (ifindex && d->client.ups[i].ifindex == ifindex)
			return (long)i;
	return -1;
}

static void on_link(void *ctx, const struct rtnl_link *l, bool gone)
{
	struct jvpnd *d = ctx;
	long i = uplink_by_ifindex(d, l->ifindex);

	/* an uplink named in the config that appears later (a modem
	 * plugged in) is found by its name */
	for (size_t k = 0; i < 0 && !gone && k < gateway(d)->n_uplinks; k++)
		if (!strcmp(uplink_conf(d, k)->ifname, l->name)) {
			d->client.ups[k].ifindex = l->ifindex;
			i = (long)k;
		}
	if (i < 0)
		return;
	d->client.ups[i].link_ok = !gone && l->up && l->carrier;
	if (gone)
		d->client.ups[i].ifindex = 0;
	uplink_check(d, (size_t)i,
		     gone	   ? "device removed"
		     : !l->up	   ? "set down"
		     : !l->carrier ? "carrier lost"
				   : "link up");
}

static void on_addr(void *ctx, const struct rtnl_addr *a, bool gone)
{
	struct jvpnd *d = ctx;
	long i = uplink_by_ifindex(d, a->ifindex);
	const struct config_uplink *u;
	union jvpn_sockaddr want;

	if (i < 0)
		return;
	u = uplink_conf(d, (size_t)i);
	if (u->local.sa.sa_family == AF_UNSPEC)
		return uplink_check(d, (size_t)i,
				    gone ? "an address removed"
					 : "an address added");
	want = u->local;
	if (want.sa.sa_family == AF_INET)
		want.in4.sin_port = 0;
	else
		want.in6.sin6_port = 0;
	if (!jvpn_sockaddr_equal(&want, &a->addr))
		return;
	d->client.ups[i].addr_gone = gone;
	uplink_check(d, (size_t)i,
		     gone ? "its address removed" : "its address back");
}

static void on_route(void *ctx, const struct rtnl_route *r, bool gone)
{
	struct jvpnd *d = ctx;
	long i = uplink_by_ifindex(d, r->oif);

	if (i >= 0)
		uplink_check(d, (size_t)i,
			     gone ? "a route removed" : "a route added");
}

/* News were lost: every uplink is read again. */
static void on_rtnl_lost(void *ctx)
{
	struct jvpnd *d = ctx;

	for (size_t i = 0; i < gateway(d)->n_uplinks; i++) {
		struct client_uplink *u = &d->client.ups[i];
		struct rtnl_link l;

		u->ifindex = (int)if_nametoindex(uplink_conf(d, i)->ifname);
		u->link_ok = u->ifindex &&
			     !rtnl_link_get(&d->client.rtnl, u->ifindex, &l) &&
			     l.up && l.carrier;
		uplink_check(d, i, "state read again");
	}
}

static const struct rtnl_ops rtnl_ops = {
	.link = on_link,
	.addr = on_addr,
	.route = on_route,
	.lost = on_rtnl_lost,
};

static void on_rtnl(void *ctx, int fd, uint32_t events)
{
	struct jvpnd *d = ctx;

	(void)fd;
	(void)events;
	rtnl_read(&d->client.rtnl);
}

/*
 * Watches the configured uplinks' devices. Without rtnetlink the client
 * still works, only slower: the health threshold notices a dead path.
 */
static void watch_uplinks(struct jvpnd *d)
{
	int err = rtnl_open(&d->client.rtnl, &rtnl_ops, d);

	if (!err)
		err = loop_watch(&d->loop, rtnl_fd(&d->client.rtnl), EPOLLIN,
				 on_rtnl, d);
	if (err) {
		fprintf(stderr,
			"jvpnd: rtnetlink: %s: uplinks judged by the health "
			"threshold only\n",
			strerror(-err));
		rtnl_close(&d->client.rtnl);
		return;
	}
	d->client.rtnl_open = true;
	on_rtnl_lost(d); /* the state before the first news */
}

/* ---- the device's address and routes (docs/config.md, "Routes") ---- */

/* Whether the tunnel's routes would take in the gateway's @ep itself. */
static bool routed_inside(const struct config_peer *gw,
			  const union jvpn_sockaddr *ep)
{
	for (size_t i = 0; i < gw->n_allowed_ips; i++)
		if (netconf_covers(&gw->allowed_ips[i], ep))
			return true;
	return false;
}

static void netconf_failed(struct jvpnd *d)
{
	fprintf(stderr, "jvpnd: %s: %s\n", d->cfg.interface.device,
		d->client.netconf.err);
}

/*
 * The client's `address` on its device and a route for each of its
 * `allowed-ips` (a /0 as its two halves), all in the main table. The
 * gateway stays reachable outside the tunnel: uplink sockets are bound to
 * their devices and never take a route out of the tunnel's; a client
 * with no uplink lines first pins a host route to each gateway endpoint
 * the tunnel's routes would cover, through the route used now.
 */
static void configure_device(struct jvpnd *d)
{
	const struct config_peer *gw = gateway(d);
	struct netconf *n = &d->client.netconf;
	int dev = (int)d->kreq.ifindex;
	struct jvpn_cidr parts[2];

	if (netconf_open(n)) {
		netconf_failed(d);
		return;
	}
	/* routes need the device up; it stays up when the daemon stops */
	if (netconf_link_up(n, dev))
		netconf_failed(d);
	for (size_t i = 0; !gw->n_uplinks && i < gw->n_endpoints; i++)
		if (routed_inside(gw, &gw->endpoints[i]) &&
		    netconf_pin_host(n, &gw->endpoints[i]) < 0)
			netconf_failed(d);
	if (gw->address.family && netconf_add_address(n, dev, &gw->address) < 0)
		netconf_failed(d);
	for (size_t i = 0; i < gw->n_allowed_ips; i++) {
		size_t k = netconf_split(&gw->allowed_ips[i], parts);

		for (size_t j = 0; j < k; j++)
			if (netconf_add_route(n, dev, &parts[j]) < 0)
				netconf_failed(d);
	}
}

/* A new device after a reload of jvpn.ko: its address and routes again,
 * and at once the fresh handshake that resumes the session. */
static void client_kernel_back(struct jvpnd *d)
{
	struct session *s = the_session(d);

	if (d->client.netconf.nl)
		netconf_close(&d->client.netconf);
	configure_device(d);
	if (s && s->lost)
		send_fresh(d, s);
}

/* What the client added goes; the session stays in the kernel. */
static void client_stop(struct jvpnd *d)
{
	if (d->client.rtnl_open)
		rtnl_close(&d->client.rtnl);
	d->client.rtnl_open = false;
	if (!d->client.netconf.nl)
		return;
	d->client.netconf.err[0] = '\0';
	netconf_undo(&d->client.netconf);
	if (d->client.netconf.err[0])
		netconf_failed(d);
	netconf_close(&d->client.netconf);
}

static int client_start(struct jvpnd *d)
{
	const struct config_peer *gw = gateway(d);
	size_t n = gw->n_uplinks ? gw->n_uplinks : 1;

	if (d->cfg.n_peers != 1 || !gw->n_endpoints) {
		fprintf(stderr, "jvpnd: a client needs exactly one [peer] with "
				"an endpoint\n");
		return -1;
	}
	int restored[CONFIG_MAX_UPLINKS + CONFIG_MAX_LISTEN];
	size_t n_restored = d->n_fds;
	struct session *s = the_session(d);

	/* sockets taken back from the kernel keep their uplink's place */
	memcpy(restored, d->fds, n_restored * sizeof(int));
	d->n_fds = 0;
	for (size_t i = 0; i < n; i++) {
		const struct config_uplink *u =
			gw->n_uplinks ? &gw->uplinks[i] : NULL;
		int fd = u ? udp_find_uplink(restored, n_restored, u) : -1;

		if (fd < 0)
			fd = udp_open(gw->endpoints[0].sa.sa_family,
				      u ? &u->local : NULL,
				      u ? u->ifname : NULL);
		if (fd < 0) {
			fprintf(stderr, "jvpnd: uplink %s: %s\n",
				u ? u->ifname : "default", strerror(-fd));
			return -1;
		}
		if (s && fd == s->fd)
			d->client.uplink = i;
		d->fds[d->n_fds++] = fd;
		if (!s || fd != s->fd)
			jvpnd_watch_udp(d, fd);
	}
	watch_uplinks(d);
	configure_device(d);
	cookie_client_init(&d->client.cookie, gw->public_key);
	if (!s)
		send_init(d);
	return 0;
}

static size_t client_max_sessions(void)
{
	return 1; /* its one gateway */
}

static size_t client_slot_of_peer(size_t peer)
{
	(void)peer;
	return 0;
}

/* ---- the failover drill (core/drill.h, docs/operations.md) ---- */

/* An ADMIN event "drill: ..." on the session, with @latency_us if any:
 * what jvpnctl drill reads the drill's progress and result from. */
static void drill_event(struct jvpnd *d, const struct session *s,
			uint64_t latency_us, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void drill_event(struct jvpnd *d, const struct session *s,
			uint64_t latency_us, const char *fmt, ...)
{
	char detail[DRILL_WHY_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	jvpnd_emit_timed(d, EV_DAEMON, s, JVPND_REASON_ADMIN, detail,
			 latency_us);
}

static const char *uplink_name(const struct jvpnd *d, size_t i)
{
	const struct config_uplink *u = uplink_conf(d, i);

	return u ? u->ifname : "default";
}

static void drill_failed(struct jvpnd *d, struct session *s, const char *why)
{
	struct drill *dr = &d->client.drill;

	drill_event(d, s, 0, "drill: failed: %s (uplink %s -> %s)", why,
		    uplink_name(d, dr->from), uplink_name(d, dr->to));
	drill_end(dr);
}

static void drill_send(struct jvpnd *d, struct session *s)
{
	d->client.candidate = d->client.drill.to;
	send_request_again(d, s);
	drill_sent(&d->client.drill, s->nonce, jvpn_boot_ms());
}

/* The ACK of one of the drill's requests moved the binding: a probe over
 * the new path, whose answer ends the drill. */
static void drill_acked(struct jvpnd *d, struct session *s, uint64_t nonce)
{
	struct drill *dr = &d->client.drill;

	if (dr->phase != DRILL_ASKED || !drill_owns(dr, nonce))
		return;
	drill_switched(dr, jvpn_boot_us());
	send_probe(s);
}

static void drill_refused_by_gateway(struct jvpnd *d, struct session *s,
				     uint64_t nonce, uint8_t reason)
{
	char why[96];

	if (d->client.drill.phase != DRILL_ASKED ||
	    !drill_owns(&d->client.drill, nonce))
		return;
	snprintf(why, sizeof(why), "the gateway refused the switch: %s",
		 jvpnd_reason_name((enum jvpnd_reason)reason));
	drill_failed(d, s, why);
}

/* An authentic PROBE_ACK over the bound path, after the drill's switch. */
static void drill_answered(struct jvpnd *d, struct session *s)
{
	struct drill *dr = &d->client.drill;
	uint64_t now = jvpn_boot_us();

	if (dr->phase != DRILL_SWITCHED)
		return;
	drill_event(d, s, now - dr->started_us,
		    "drill: done: uplink %s -> %s, switched in %.1f ms, "
		    "answered over %s in %.1f ms",
		    uplink_name(d, dr->from), uplink_name(d, dr->to),
		    (double)(dr->switched_us - dr->started_us) / 1000,
		    uplink_name(d, dr->to),
		    (double)(now - dr->started_us) / 1000);
	drill_end(dr);
}

static void tick_drill(struct jvpnd *d, struct session *s)
{
	struct drill *dr = &d->client.drill;
	char why[96];

	if (dr->phase == DRILL_IDLE)
		return;
	if (dr->phase == DRILL_ASKED && s->sm.state != JVPN_STATE_ACTIVE) {
		snprintf(why, sizeof(why),
			 "the session went %s before the gateway answered",
			 jvpn_state_name((int)s->sm.state));
		drill_failed(d, s, why);
		return;
	}
	switch (drill_due(dr, jvpn_boot_ms())) {
	case DRILL_WAIT:
		break;
	case DRILL_RESEND:
		drill_send(d, s);
		break;
	case DRILL_NO_ACK:
		snprintf(why, sizeof(why),
			 "%u requests over %s unanswered; the binding did not "
			 "move",
			 dr->requests, uplink_name(d, dr->to));
		drill_failed(d, s, why);
		break;
	case DRILL_NO_ANSWER:
		snprintf(why, sizeof(why),
			 "switched, but nothing came back over %s in %u ms",
			 uplink_name(d, dr->to), DRILL_ANSWER_MS);
		drill_failed(d, s, why);
		break;
	}
}

/* The session ended under a drill. */
static void drill_abandon(struct jvpnd *d)
{
	if (d->client.drill.phase != DRILL_IDLE)
		drill_failed(d, NULL, "the session ended");
}

/* The drill's uplink: @name, or the next usable one after the bound one;
 * SIZE_MAX (with @why) when there is none. */
static size_t drill_target(const struct jvpnd *d, const char *name, char *why,
			   size_t size)
{
	size_t n = d->n_fds;

	for (size_t k = 1; k < n; k++) {
		size_t c = (d->client.uplink + k) % n;

		if (name && strcmp(uplink_name(d, c), name))
			continue;
		if (uplink_usable(d, c))
			return c;
		if (!name) /* the next one is down: the one after may not be */
			continue;
		snprintf(why, size, "uplink %s is down", name);
		return SIZE_MAX;
	}
	if (name && !strcmp(uplink_name(d, d->client.uplink), name))
		snprintf(why, size,
			 "%s is the bound uplink: a drill moves off it", name);
	else if (name)
		snprintf(why, size, "no uplink %s in the gateway's [peer]",
			 name);
	else
		why[0] = 0; /* drill_refused() says why */
	return SIZE_MAX;
}

static void drill_budget_of(const struct jvpnd *d, const struct session *s,
			    bool other_path, struct drill_budget *b)
{
	const struct policy *p = session_policy(d, s);
	uint64_t now = jvpn_boot_ms();

	b->drill_peer = gateway(d)->drill;
	b->active = s->sm.state == JVPN_STATE_ACTIVE && s->in_kernel;
	b->other_path = other_path;
	b->cooldown_left_ms = limiter_cooldown_left_ms(s->rs.last_switch_ms,
						       now, p->cooldown_ms);
	b->switches_minute =
		limiter_window_count(&s->rs.switches, now, LIMITER_MINUTE_MS);
	b->max_per_minute = p->max_switches_per_minute;
	b->switches_recovery = limiter_window_count(&s->rs.switches, now,
						    p->recovery_window_ms);
	b->degraded_after = p->degraded_after_switches;
}

static int client_drill(struct jvpnd *d, struct session *s, const char *name,
			char *why, size_t size)
{
	struct drill_budget b;
	size_t to = drill_target(d, name, why, size);

	if (to == SIZE_MAX && why[0])
		return -1;
	drill_budget_of(d, s, to != SIZE_MAX, &b);
	if (drill_refused(&d->client.drill, &b, why, size))
		return -1;
	drill_start(&d->client.drill, d->client.uplink, to, jvpn_boot_us());
	d->client.reattach_first_us = d->client.drill.started_us;
	drill_event(d, s, 0, "drill: forced switch from uplink %s to %s",
		    uplink_name(d, d->client.uplink), uplink_name(d, to));
	drill_send(d, s);
	return 0;
}

static void client_describe(const struct jvpnd *d, const struct session *s,
			    struct json_line *j)
{
	const struct config_peer *gw = &d->cfg.peers[0];

	if (d->client.uplink < gw->n_uplinks)
		json_str(j, "uplink", gw->uplinks[d->client.uplink].ifname);
	json_u64(j, "reattach_attempts", retry_attempts(&d->client.reattach));
	/* what the gateway's last ACK said it holds: a drill checks both
	 * ends agree */
	json_u64(j, "gateway_state_version", s->peer_bound);
	json_bool(j, "drill_running", d->client.drill.phase != DRILL_IDLE);
}

const struct role_ops client_role = {
	.name = "client",
	.max_sessions = client_max_sessions,
	.slot_of_peer = client_slot_of_peer,
	.start = client_start,
	.datagram = client_datagram,
	.kernel_event = client_kernel_event,
	.kernel_back = client_kernel_back,
	.tick = client_tick,
	.stop = client_stop,
	.describe = client_describe,
	.drill = client_drill,
};
