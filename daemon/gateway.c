// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The gateway: answers handshakes, validates reattach requests in the
 * fixed order of docs/design.md, proves a new path before any switch, and
 * challenges an endpoint the kernel saw sending authenticated data from an
 * unbound address (NAT rebinding).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "emit.h"
#include "reason.h"
#include "rehandshake.h"
#include "role.h"
#include "rekey.h"
#include "sessions.h"
#include "sockets.h"
#include "stats.h"
#include "udp.h"

/* a new path must answer its challenge within this */
#define PATH_CHALLENGE_TIMEOUT_MS 2000
/*
 * How far ahead of the gateway's wall clock a client's INIT may be
 * timestamped (docs/control-plane-protocol.md, Replay protection): later
 * ones are refused, and no greatest time is ever believed beyond it, so
 * one clock far ahead cannot lock its peer out once corrected.
 */
#define HS_FUTURE_SKEW_S 600

static const struct hs_params hs_params = {
	.version_min = JVPN_CP_VERSION_MIN,
	.version_max = JVPN_CP_VERSION_MAX,
};

/* ---- handshake ---- */

static long peer_by_key(const struct jvpnd *d, const uint8_t pub[JVPN_KEY_LEN])
{
	for (size_t i = 0; i < d->cfg.n_peers; i++)
		if (!sodium_memcmp(d->cfg.peers[i].public_key, pub,
				   JVPN_KEY_LEN))
			return (long)i;
	return -1;
}

static bool peer_allowed(void *ctx, const uint8_t pub[JVPN_KEY_LEN])
{
	return peer_by_key(ctx, pub) >= 0;
}

static struct hs_time wall_now(uint64_t plus_s)
{
	uint64_t ms = jvpn_wall_ms();

	return (struct hs_time){ .sec = ms / 1000 + plus_s,
				 .nsec = (uint32_t)(ms % 1000) * 1000000 };
}

static bool peer_last_ts(void *ctx, const uint8_t pub[JVPN_KEY_LEN],
			 struct hs_time *greatest)
{
	const struct hs_time *t = peer_time_get(ctx, pub);
	struct hs_time cap = wall_now(HS_FUTURE_SKEW_S), now;

	if (!t)
		return false;
	*greatest = *t;
	/*
	 * Beyond the allowance: written before it existed (a state file) or
	 * before our clock stepped back. Believed as our clock's present
	 * instead, and kept so: every INIT from before now stays refused,
	 * and the peer's next one gets in.
	 */
	if (hs_time_after(t, &cap)) {
		now = wall_now(0);
		peer_time_set(ctx, pub, &now);
		jvpnd_changed(ctx);
		*greatest = now;
	}
	return true;
}

static void peer_store_ts(void *ctx, const uint8_t pub[JVPN_KEY_LEN],
			  const struct hs_time *ts)
{
	peer_time_set(ctx, pub, ts);
	jvpnd_changed(ctx);
}

static const struct hs_peer_ops peer_ops = {
	.is_allowed = peer_allowed,
	.last_timestamp = peer_last_ts,
	.store_timestamp = peer_store_ts,
};

static struct hsadmit_policy admission_policy(const struct jvpnd *d)
{
	const struct policy *p = config_interface_policy(&d->cfg);

	return (struct hsadmit_policy){
		.global = { p->handshake_rate.per_second,
			    p->handshake_rate.burst },
		.per_source = { p->handshake_rate_per_source.per_second,
				p->handshake_rate_per_source.burst },
	};
}

/*
 * Before any Diffie-Hellman (core/hsadmit.h): the global and per-source
 * handshake budgets, and under load a cookie instead of an answer for a
 * sender that has not proven its address (core/cookie.h). True when the
 * INIT may go on.
 */
static bool admit_init(struct jvpnd *d, int fd, const union jvpn_sockaddr *from,
		       const uint8_t *msg, size_t len)
{
	struct hsadmit_policy p = admission_policy(d);
	uint8_t path[REATTACH_PATH_KEY_MAX], path_len,
		reply[JVPN_HS_COOKIE_LEN];
	uint64_t now = jvpn_boot_ms();
	struct reattach_source src;
	enum hsadmit_verdict v;
	bool proven;

	if (!reattach_source_from_sockaddr(&from->sa, jvpn_sockaddr_len(from),
					   &src) ||
	    !reattach_path_key_from_sockaddr(&from->sa, jvpn_sockaddr_len(from),
					     path, &path_len))
		return false;
	proven = cookie_mac2_ok(&d->gateway.cookies, path, path_len, msg, len,
				now);
	v = hsadmit_judge(&d->gateway.handshakes, &p, src.key, src.key_len,
			  proven, now);
	if (v == HSADMIT_ACCEPT)
		return true;
	if (v == HSADMIT_COOKIE) {
		if (cookie_reply_write(&d->gateway.cookies, path, path_len, msg,
				       len, now, reply))
			udp_send(fd, from, reply, sizeof(reply));
		jvpnd_emit(d, EV_RATE_LIMIT_TRIGGER, NULL,
			   JVPND_REASON_RATE_LIMITED,
			   "handshakes under load: a cookie, no answer");
		return false;
	}
	jvpnd_emit(d, EV_RATE_LIMIT_TRIGGER, NULL, JVPND_REASON_RATE_LIMITED,
		   v == HSADMIT_BUSY ? "handshakes over the gateway's budget"
				     : "handshake from a source over its rate");
	return false;
}

/* The parameters of a reply to this peer: its preshared key, if any. */
static struct hs_params peer_params(const struct jvpnd *d, size_t peer)
{
	struct hs_params p = hs_params;

	if (d->cfg.peers[peer].has_psk)
		p.psk = d->cfg.peers[peer].psk;
	return p;
}

static uint64_t new_session_id(void)
{
	uint64_t id = 0;

	while (!id)
		randombytes_buf(&id, sizeof(id));
	return id;
}

static void handshake_refused(struct jvpnd *d, int fd,
			      const union jvpn_sockaddr *from,
			      const struct hs_result *res)
{
	uint8_t out[JVPN_HS_REJECT_LEN];
	size_t len = sizeof(out);
	char who[64];

	jvpn_sockaddr_text(from, who, sizeof(who));
	jvpnd_emit(d,
		   res->status == HS_ERR_REPLAY || res->status == HS_ERR_AUTH
			   ? EV_SECURITY_EVENT
			   : EV_REATTACH_REJECT,
		   NULL, res->reason, who);
	if (res->send_reject &&
	    handshake_responder_reject(res, &hs_params, out, &len) == HS_OK)
		udp_send(fd, from, out, len);
}

static void on_init(struct jvpnd *d, int fd, const union jvpn_sockaddr *from,
		    const uint8_t *msg, size_t len)
{
	uint8_t out[JVPN_HS_RESP_LEN];
	size_t out_len = sizeof(out);
	struct handshake_keys keys;
	struct hs_time latest = wall_now(HS_FUTURE_SKEW_S);
	struct hs_params params = hs_params;
	struct hs_responder st;
	struct hs_result res;
	char who[64];
	long peer;

	/* cost-free first: a flood without our public key stops here,
	 * counted and summarized (core/refusals.h), never answered */
	if (!handshake_init_mac1_ok(d->pub, msg, len)) {
		jvpn_sockaddr_text(from, who, sizeof(who));
		jvpnd_emit(d, EV_SECURITY_EVENT, NULL, JVPND_REASON_BAD_MAC1,
			   who);
		return;
	}
	if (!admit_init(d, fd, from, msg, len))
		return;
	params.latest = &latest;
	if (handshake_responder_consume_init(&st, d->priv, d->pub, &params,
					     &peer_ops, d, msg, len,
					     &res) != HS_OK) {
		handshake_refused(d, fd, from, &res);
		handshake_responder_wipe(&st);
		return;
	}
	peer = peer_by_key(d, res.peer_pub);
	params = peer_params(d, (size_t)peer);
	/* the session waits in HANDSHAKE for the client's first probe */
	if (handshake_responder_reply(&st, new_session_id(), &params, out,
				      &out_len, &keys) == HS_OK &&
	    session_new(d, (size_t)peer, &keys, fd, from)) {
		udp_send(fd, from, out, out_len);
	}
	handshake_keys_wipe(&keys);
	handshake_responder_wipe(&st);
}

/* ---- probes ---- */

static void on_probe(struct session *s, int fd, const union jvpn_sockaddr *from,
		     const uint8_t *msg, size_t len)
{
	uint8_t out[REATTACH_PROBE_LEN];
	struct reattach_probe p;
	size_t n;

	/* a replayed probe must not pass for a live path */
	if (reattach_decode_probe(msg, len, handshake_keys_auth(&s->keys),
				  &p) != REATTACH_OK ||
	    p.seq <= s->probe_seq)
		return;
	s->probe_seq = p.seq;
	/* its kernel state is gone: the client must find its path dead and
	 * ask, to be told KERNEL_LOST (on_request) */
	if (s->lost)
		return;
	if (s->sm.state == JVPN_STATE_HANDSHAKE &&
	    (!jvpn_sockaddr_equal(from, &s->remote) ||
	     !session_confirm(s->d, s)))
		return;
	/* a probe proves the path it came on only if it is the bound one */
	if (fd == s->fd && jvpn_sockaddr_equal(from, &s->remote))
		s->last_rx_ms = jvpn_boot_ms();
	n = reattach_encode_probe_ack(&p, handshake_keys_auth(&s->keys), out,
				      sizeof(out));
	if (n)
		udp_send(fd, from, out, n);
}

/* ---- key rotation ---- */

/*
 * REKEY(g+1) under the control key of the fresh handshake's keys the
 * gateway holds ready: they become current (the kernel promotes the pair
 * it already opens with). True when it was that.
 */
static bool promote_fresh(struct jvpnd *d, struct session *s,
			  const uint8_t *msg, size_t len)
{
	uint8_t was = s->keys.version;
	uint32_t gen;
	uint64_t id;
	char what[64];

	if (!s->fresh_pending ||
	    rekey_decode(msg, len, JVPN_MSG_REKEY,
			 handshake_keys_auth(&s->fresh_keys), &id, &gen) ||
	    gen != s->fresh_keys.generation ||
	    session_install_keys(d, s, &s->fresh_keys, false))
		return false;
	handshake_keys_wipe(&s->keys);
	s->keys = s->fresh_keys;
	handshake_keys_wipe(&s->fresh_keys);
	s->fresh_pending = false;
	s->keys_since_ms = jvpn_boot_ms();
	rekey_describe(what, sizeof(what), gen, true, was, s->keys.version);
	jvpnd_emit(d, EV_KEY_ROTATION, s, JVPND_REASON_NONE, what);
	jvpnd_changed(d);
	return true;
}

/* The client already opens generation g+1: make it current, then ack. */
static void on_rekey(struct jvpnd *d, int fd, const union jvpn_sockaddr *from,
		     const uint8_t *msg, size_t len)
{
	uint8_t out[JVPN_REKEY_LEN];
	struct handshake_keys next;
	struct session *s;
	uint32_t gen;
	uint64_t id;
	char what[48];

	if (len != JVPN_REKEY_LEN)
		return;
	/* routed by the id in the header, believed only once the mac is */
	s = session_find(d, rekey_peek_session(msg));
	if (!s || !s->in_kernel || s->lost)
		return;
	if (rekey_decode(msg, len, JVPN_MSG_REKEY,
			 handshake_keys_auth(&s->keys), &id, &gen)) {
		if (!promote_fresh(d, s, msg, len))
			return;
		gen = s->keys.generation;
	} else if (gen == s->keys.generation + 1) {
		if (handshake_rotate(&s->keys, gen, &next) != HS_OK ||
		    session_install_keys(d, s, &next, false))
			return;
		handshake_keys_wipe(&s->keys);
		s->keys = next;
		handshake_keys_wipe(&next);
		/* a ratchet instead: the fresh keys will never be used */
		handshake_keys_wipe(&s->fresh_keys);
		s->fresh_pending = false;
		s->keys_since_ms = jvpn_boot_ms();
		rekey_describe(what, sizeof(what), gen, false, s->keys.version,
			       s->keys.version);
		jvpnd_emit(d, EV_KEY_ROTATION, s, JVPND_REASON_NONE, what);
		jvpnd_changed(d);
	}
	/* a repeated REKEY (our ACK was lost) is answered again */
	if (gen == s->keys.generation) {
		if (rekey_encode(JVPN_MSG_REKEY_ACK, s->id, gen,
				 handshake_keys_auth(&s->keys), out))
			udp_send(fd, from, out, sizeof(out));
	}
}

/* ---- fresh handshake inside a session ---- */

/* a session answers at most one fresh handshake in this long */
#define FRESH_MIN_INTERVAL_MS 500

/*
 * The keys of a fresh handshake: to open only, until the client's REKEY
 * under their control key makes them current (promote_fresh); for a
 * session whose kernel state was lost (daemon/kernelback.h), current at
 * once in its new kernel session, bound where it was bound, since there
 * is nothing else to open with.
 */
static bool fresh_keys_take(struct jvpnd *d, struct session *s,
			    const struct handshake_keys *keys)
{
	if (s->lost)
		return !d->device.lost && !session_resume(d, s, keys);
	if (session_install_keys(d, s, keys, true))
		return false;
	handshake_keys_wipe(&s->fresh_keys);
	s->fresh_keys = *keys;
	s->fresh_pending = true;
	return true;
}

/*
 * REHANDSHAKE_INIT: the session's own client (the control key's mac)
 * asks for a new X25519 exchange. The INIT inside is judged as any INIT
 * (mac1, its static key, its timestamp) and must name the session's
 * peer; the keys it yields keep the session's id and take the next
 * generation. They are installed to open only, and wait for the client's
 * REKEY under their control key (promote_fresh), so that at every moment
 * each end opens what the other seals.
 */
static void on_rehandshake(struct jvpnd *d, int fd,
			   const union jvpn_sockaddr *from, const uint8_t *msg,
			   size_t len)
{
	uint8_t resp[JVPN_HS_RESP_LEN], out[JVPN_REHS_RESP_LEN];
	struct hs_time latest = wall_now(HS_FUTURE_SKEW_S);
	struct hs_params params = hs_params;
	struct session *s = session_find(d, rehandshake_peek_session(msg, len));
	struct handshake_keys keys;
	struct hs_responder st;
	struct hs_result res;
	const uint8_t *init;
	size_t n = sizeof(resp);
	uint64_t now = jvpn_boot_ms();

	if (!s || !s->in_kernel || s->keys.generation == UINT32_MAX)
		return;
	init = rehandshake_unwrap(msg, len, JVPN_MSG_REHANDSHAKE_INIT,
				  s->keys.version, s->keys.control);
	if (!init || now - s->fresh_last_ms < FRESH_MIN_INTERVAL_MS)
		return;
	params.latest = &latest;
	if (handshake_responder_consume_init(&st, d->priv, d->pub, &params,
					     &peer_ops, d, init,
					     JVPN_HS_INIT_LEN, &res) != HS_OK ||
	    sodium_memcmp(res.peer_pub, s->peer_pub, JVPN_KEY_LEN) ||
	    res.version < s->keys.version) {
		handshake_refused(d, fd, from, &res);
		handshake_responder_wipe(&st);
		return;
	}
	params = peer_params(d, s->peer);
	if (handshake_responder_reply(&st, s->id, &params, resp, &n, &keys) !=
	    HS_OK)
		goto out;
	keys.generation = s->keys.generation + 1;
	/* under the control key the client holds now, before any change */
	n = rehandshake_wrap(JVPN_MSG_REHANDSHAKE_RESP, s->keys.version, s->id,
			     resp, s->keys.control, out, sizeof(out));
	if (!n || !fresh_keys_take(d, s, &keys))
		goto out;
	s->fresh_last_ms = now;
	udp_send(fd, from, out, n);
out:
	handshake_keys_wipe(&keys);
	handshake_responder_wipe(&st);
}

/* ---- reattach ---- */

/* The pending challenge, (again) to the path it challenges. */
static void transmit_challenge(struct session *s)
{
	uint8_t out[REATTACH_CHALLENGE_LEN];
	struct reattach_challenge c = {
		.session_id = s->id,
		.request_nonce = s->pending_nonce,
	};
	struct reattach_path p = { .session_id = s->id };
	size_t n;

	memcpy(c.token, s->token, sizeof(c.token));
	memcpy(p.token, s->token, sizeof(p.token));
	if (s->pending_reason == JVPND_REASON_NAT_REBINDING)
		n = reattach_encode_path_challenge(
			&p, handshake_keys_auth(&s->keys), out, sizeof(out));
	else
		n = reattach_encode_challenge(&c, handshake_keys_auth(&s->keys),
					      out, sizeof(out));
	if (n)
		udp_send(s->pending_fd, &s->pending_remote, out, n);
}

static void fresh_token(uint8_t token[JVPN_REATTACH_TOKEN_LEN])
{
	do
		randombytes_buf(token, JVPN_REATTACH_TOKEN_LEN);
	while (sodium_is_zero(token, JVPN_REATTACH_TOKEN_LEN));
}

static void send_challenge(struct session *s, int fd,
			   const union jvpn_sockaddr *to, uint64_t nonce,
			   enum jvpnd_reason why)
{
	/* the client keeps a request answerable exactly this long */
	_Static_assert(PATH_CHALLENGE_TIMEOUT_MS ==
			       REATTACH_CHALLENGE_WINDOW_MS,
		       "challenge lifetimes of gateway and client differ");

	fresh_token(s->token);
	/* a newer request's challenge replaces the older one's, both */
	s->second = false;
	s->pending = true;
	s->pending_nonce = nonce;
	s->pending_fd = fd;
	s->pending_remote = *to;
	s->pending_reason = why;
	s->pending_until_ms = jvpn_boot_ms() + PATH_CHALLENGE_TIMEOUT_MS;
	s->pending_since_us = jvpn_boot_us();
	transmit_challenge(s);
}

/*
 * A valid request over the path already being challenged for an earlier
 * request is a retransmission of the same attempt (its challenge, or our
 * answer, is still in flight): the pending challenge is sent again, not
 * replaced, so the answer to it still counts however long the round
 * trip (docs/reattach.md, "Client behaviour").
 */
static bool challenge_pending_for(const struct session *s, int fd,
				  const union jvpn_sockaddr *from)
{
	return s->pending && s->pending_reason == JVPND_REASON_REATTACHED &&
	       s->pending_fd == fd &&
	       jvpn_sockaddr_equal(from, &s->pending_remote) &&
	       jvpn_boot_ms() <= s->pending_until_ms;
}

static void send_reject(struct session *s, int fd,
			const union jvpn_sockaddr *to,
			const struct reattach_request *req,
			const struct reattach_verdict *v)
{
	struct reattach_view view = { .sm = &s->sm, .rs = &s->rs };
	uint8_t out[REATTACH_REJECT_LEN];
	struct reattach_reject rej;
	size_t n;

	reattach_make_reject(&view, req, v, &rej);
	n = reattach_encode_reject(&rej, handshake_keys_auth(&s->keys), out,
				   sizeof(out));
	if (n)
		udp_send(fd, to, out, n);
}

/*
 * The request's own challenge to a second address, with a token of its
 * own: whichever of the two paths answers its own token moves the
 * binding, and only that one.
 */
static void send_second_challenge(struct session *s, int fd,
				  const union jvpn_sockaddr *to, uint64_t nonce)
{
	uint8_t out[REATTACH_CHALLENGE_LEN];
	struct reattach_challenge c = {
		.session_id = s->id,
		.request_nonce = nonce,
	};
	size_t n;

	fresh_token(s->second_token);
	s->second = true;
	s->second_nonce = nonce;
	s->second_fd = fd;
	s->second_remote = *to;
	s->second_until_ms = jvpn_boot_ms() + PATH_CHALLENGE_TIMEOUT_MS;
	memcpy(c.token, s->second_token, sizeof(c.token));
	n = reattach_encode_challenge(&c, handshake_keys_auth(&s->keys), out,
				      sizeof(out));
	if (n)
		udp_send(fd, to, out, n);
}

/*
 * The newest request again, authentic, from an address it has not been
 * answered at (core/reqanswer.h): it gets the answer the first address
 * got (a challenge of its own, or the same reject), so that a copy that
 * overtook the genuine request, from wherever, cannot swallow its
 * answer (docs/reattach.md, "The same request from a second address").
 * False: a replay like any other.
 */
static bool answer_again(struct jvpnd *d, struct session *s, int fd,
			 const union jvpn_sockaddr *from,
			 const struct reattach_request *req,
			 const struct reattach_policy *rp,
			 const struct reattach_source *src, const char *who)
{
	uint8_t path[REATTACH_PATH_KEY_MAX], path_len;
	struct reattach_verdict v = { 0 };
	char detail[128];

	if (!reattach_path_key_from_sockaddr(&from->sa, jvpn_sockaddr_len(from),
					     path, &path_len) ||
	    !reqanswer_again(&s->answered, req->nonce, path, path_len,
			     jvpn_boot_ms()))
		return false;
	v.reason = s->answered.reason;
	v.retry_after_ms = s->answered.retry_after_ms;
	/* what the policy says of this address's class is its own */
	if (v.reason == JVPND_REASON_NONE &&
	    !reattach_class_allowed(rp, src->observed_class))
		v.reason = JVPND_REASON_CLASS_NOT_ALLOWED;
	snprintf(detail, sizeof(detail),
		 "request %llu again, from %s: answered as the first (%s)",
		 (unsigned long long)req->nonce, who,
		 v.reason == JVPND_REASON_NONE ? "a challenge"
					       : jvpnd_reason_name(v.reason));
	jvpnd_emit(d, EV_DAEMON, s, JVPND_REASON_REPLAYED_NONCE, detail);
	if (v.reason == JVPND_REASON_NONE)
		send_second_challenge(s, fd, from, req->nonce);
	else
		send_reject(s, fd, from, req, &v);
	return true;
}

/* An authentic request with a new nonce: what it was told, remembered
 * for a copy of it from a second address. */
static void remember_answer(struct session *s, const union jvpn_sockaddr *from,
			    const struct reattach_request *req,
			    const struct reattach_verdict *v)
{
	uint8_t path[REATTACH_PATH_KEY_MAX], path_len = 0;

	if (!reattach_path_key_from_sockaddr(&from->sa, jvpn_sockaddr_len(from),
					     path, &path_len))
		path_len = 0;
	reqanswer_judged(&s->answered, req->nonce, v->reason, v->retry_after_ms,
			 path, path_len, jvpn_boot_ms());
}

static bool judged_fresh(enum jvpnd_reason r)
{
	return r != JVPND_REASON_UNKNOWN_SESSION &&
	       r != JVPND_REASON_BAD_PROOF && r != JVPND_REASON_REPLAYED_NONCE;
}

/*
 * An authentic, fresh request of a session whose kernel state went with
 * a reload of jvpn.ko: nothing to switch, and no limit of its own hit;
 * the answer asks for the fresh handshake that resumes it.
 */
static void lost_verdict(struct reattach_verdict *v)
{
	v->reason = JVPND_REASON_KERNEL_LOST;
	v->answer = true;
	v->terminate = false;
	v->retry_after_ms = 0;
}

static void on_request(struct jvpnd *d, struct session *s, int fd,
		       const union jvpn_sockaddr *from, const uint8_t *msg,
		       size_t len)
{
	struct reattach_view view = { .sm = s ? &s->sm : NULL,
				      .rs = s ? &s->rs : NULL };
	struct reattach_clock clock = { jvpn_boot_ms(), jvpn_wall_ms() };
	struct reattach_request req = { 0 };
	struct reattach_source src = { 0 };
	enum reattach_status st;
	struct reattach_verdict v;
	struct reattach_policy rp;
	bool proof_ok = false;
	char who[64];

	if (len != REATTACH_REQUEST_LEN ||
	    !reattach_source_from_sockaddr(&from->sa, jvpn_sockaddr_len(from),
					   &src))
		return; /* malformed, not forged: no security event */
	if (s) {
		st = reattach_decode_request(
			msg, len, handshake_keys_auth(&s->keys), &req);
		if (st != REATTACH_OK && st != REATTACH_E_MAC)
			return;
		proof_ok = st == REATTACH_OK;
	}
	session_reattach_policy(s ? session_policy(d, s)
				  : config_interface_policy(&d->cfg),
				&rp);
	if (s && s->sm.state == JVPN_STATE_DEGRADED)
		session_degraded_policy(&rp);
	reattach_validate(s ? &view : NULL, &req, proof_ok, &src, &clock, &rp,
			  &d->gateway.sources, &v);
	jvpn_sockaddr_text(from, who, sizeof(who));
	if (v.rate_event)
		jvpnd_emit(d, EV_RATE_LIMIT_TRIGGER, s,
			   JVPND_REASON_RATE_LIMITED, who);
	if (v.security_event)
		jvpnd_emit(d, EV_SECURITY_EVENT, s, v.reason, who);
	if (s && proof_ok && s->lost && judged_fresh(v.reason) &&
	    !v.source_limited && !v.session_limited)
		lost_verdict(&v);
	if (s && proof_ok && judged_fresh(v.reason))
		remember_answer(s, from, &req, &v);
	if (s && v.reason == JVPND_REASON_REPLAYED_NONCE && v.answer &&
	    answer_again(d, s, fd, from, &req, &rp, &src, who))
		return;
	if (v.reason == JVPND_REASON_NONE &&
	    challenge_pending_for(s, fd, from)) {
		transmit_challenge(s);
		return;
	}
	if (v.reason == JVPND_REASON_NONE) {
		send_challenge(s, fd, from, req.nonce, JVPND_REASON_REATTACHED);
		return;
	}
	if (!v.security_event)
		jvpnd_emit(d, EV_REATTACH_REJECT, s, v.reason, who);
	if (v.answer && s)
		send_reject(s, fd, from, &req, &v);
	if (v.terminate && s)
		session_end(d, s, JVPND_REASON_SWITCH_LIMIT);
}

/*
 * REATTACH_SUCCESS with its latency: from the valid request (or the
 * kernel's stray report, for NAT rebinding) that started the path
 * challenge to the switch committed in the kernel.
 */
static void emit_success(struct jvpnd *d, const struct session *s,
			 const char *old)
{
	char remote[64];
	struct event ev = {
		.type = EV_REATTACH_SUCCESS,
		.session_id = s->id,
		.state_version = s->sm.version,
		.reason = s->pending_reason,
		.old_state = -1,
		.new_state = (int)s->sm.state,
		.new_transport =
			jvpn_sockaddr_text(&s->remote, remote, sizeof(remote)),
		.detail = old,
		.latency_us = jvpn_boot_us() - s->pending_since_us,
	};

	events_emit(&d->out, &ev);
}

/*
 * The ACK, or (request_nonce 0) the notice of a switch the gateway made
 * itself, to the new path: either way with the version the gateway now
 * holds, which the client takes, so that both ends agree after every
 * switch (docs/reattach.md, "state_version").
 */
static void send_ack(struct session *s, uint64_t request_nonce)
{
	uint8_t out[REATTACH_ACK_LEN];
	struct reattach_ack ack = {
		.session_id = s->id,
		.request_nonce = request_nonce,
		.state_version = s->sm.version,
	};
	size_t n = reattach_encode_ack(&ack, handshake_keys_auth(&s->keys), out,
				       sizeof(out));

	if (n)
		udp_send(s->fd, &s->remote, out, n);
}

static bool is_bound(const struct session *s, int fd,
		     const union jvpn_sockaddr *remote)
{
	return fd == s->fd && jvpn_sockaddr_equal(remote, &s->remote);
}

static void commit_path(struct jvpnd *d, struct session *s)
{
	bool nat = s->pending_reason == JVPND_REASON_NAT_REBINDING;
	char old[64];

	s->pending = false;
	s->second = false;
	/* whatever the request was told, it is settled now */
	reqanswer_forget(&s->answered);
	/* a rebind to the endpoint already bound is no switch at all */
	if (nat && is_bound(s, s->pending_fd, &s->pending_remote))
		return;
	jvpn_sockaddr_text(&s->remote, old, sizeof(old));
	if (session_switch(d, s, s->pending_fd, &s->pending_remote,
			   s->pending_reason))
		return;
	emit_success(d, s, old);
	send_ack(s, nat ? JVPN_REATTACH_NOTICE_NONCE : s->pending_nonce);
}

/*
 * A valid PATH_RESPONSE from an address other than the one challenged
 * (RFC 9000 section 8.2.2: the client's answer took another path, or
 * someone relays it): the validation is aborted, no switch, and reported.
 */
static void abort_path(struct jvpnd *d, struct session *s,
		       const union jvpn_sockaddr *from)
{
	char detail[160], who[64], challenged[64];

	s->pending = false;
	snprintf(detail, sizeof(detail),
		 "path response from %s, challenged %s: validation aborted",
		 jvpn_sockaddr_text(from, who, sizeof(who)),
		 jvpn_sockaddr_text(&s->pending_remote, challenged,
				    sizeof(challenged)));
	jvpnd_emit(d, EV_SECURITY_EVENT, s, JVPND_REASON_NAT_REBINDING, detail);
}

/*
 * The answer to the challenge a second address got, from that address,
 * in time: that challenge becomes the one committed (commit_path).
 */
static bool second_answered(struct session *s, int fd,
			    const union jvpn_sockaddr *from,
			    const struct reattach_challenge *c)
{
	if (!s->second || jvpn_boot_ms() > s->second_until_ms ||
	    c->request_nonce != s->second_nonce ||
	    sodium_memcmp(c->token, s->second_token, sizeof(c->token)) ||
	    fd != s->second_fd || !jvpn_sockaddr_equal(from, &s->second_remote))
		return false;
	s->pending = true;
	s->pending_reason = JVPND_REASON_REATTACHED;
	s->pending_nonce = s->second_nonce;
	s->pending_fd = s->second_fd;
	s->pending_remote = s->second_remote;
	memcpy(s->token, s->second_token, sizeof(s->token));
	return true;
}

static void on_response(struct jvpnd *d, struct session *s, int fd,
			const union jvpn_sockaddr *from, const uint8_t *msg,
			size_t len, bool path)
{
	uint8_t token[JVPN_REATTACH_TOKEN_LEN];
	struct reattach_challenge c;
	struct reattach_path p;

	if (path) {
		if (reattach_decode_path_response(
			    msg, len, handshake_keys_auth(&s->keys), &p))
			return;
		memcpy(token, p.token, sizeof(token));
	} else {
		if (reattach_decode_response(msg, len,
					     handshake_keys_auth(&s->keys), &c))
			return;
		if (second_answered(s, fd, from, &c)) {
			commit_path(d, s);
			return;
		}
		if (c.request_nonce != s->pending_nonce)
			return;
		memcpy(token, c.token, sizeof(token));
	}
	if (!s->pending || sodium_memcmp(token, s->token, sizeof(token)))
		return;
	/* the answer must come over the very path that was challenged */
	if (fd == s->pending_fd &&
	    jvpn_sockaddr_equal(from, &s->pending_remote))
		commit_path(d, s);
	else if (path)
		abort_path(d, s, from);
}

static void gateway_datagram(struct jvpnd *d, int fd,
			     const union jvpn_sockaddr *from,
			     const uint8_t *msg, size_t len)
{
	uint64_t id = 0;
	uint8_t type = msg[0];
	struct session *s;

	if (type == JVPN_MSG_HANDSHAKE_INIT) {
		on_init(d, fd, from, msg, len);
		return;
	}
	if (type == JVPN_MSG_REKEY) {
		on_rekey(d, fd, from, msg, len);
		return;
	}
	if (type == JVPN_MSG_REHANDSHAKE_INIT) {
		on_rehandshake(d, fd, from, msg, len);
		return;
	}
	if (reattach_peek(msg, len, &type, &id) != REATTACH_OK ||
	    !reattach_accepts(REATTACH_ROLE_GATEWAY, type))
		return;
	s = session_find(d, id);
	if (type == JVPN_MSG_REATTACH_REQUEST) {
		on_request(d, s, fd, from, msg, len);
		return;
	}
	if (!s)
		return;
	if (type == JVPN_MSG_PROBE)
		on_probe(s, fd, from, msg, len);
	else if (type == JVPN_MSG_REATTACH_RESPONSE)
		on_response(d, s, fd, from, msg, len, false);
	else if (type == JVPN_MSG_PATH_RESPONSE)
		on_response(d, s, fd, from, msg, len, true);
}

/* NAT rebinding: the kernel saw authenticated data from elsewhere. */
static void gateway_kernel_event(struct jvpnd *d, const struct kernel_event *ev)
{
	struct session *s = session_find(d, ev->id);
	union jvpn_sockaddr to;

	if (ev->type != KERNEL_EV_STRAY || !s || s->pending || s->second)
		return;
	memcpy(&to, &ev->remote, sizeof(to));
	/* a stale report of the endpoint bound since: nothing to move */
	if (jvpn_sockaddr_equal(&to, &s->remote))
		return;
	/* the stray packet arrived on one of our listen sockets; the
	 * candidate is reached through the session's own socket */
	send_challenge(s, s->fd, &to, 0, JVPND_REASON_NAT_REBINDING);
}

static void gateway_tick(struct jvpnd *d)
{
	uint64_t now = jvpn_boot_ms();

	for (size_t i = 0; i < d->n_sessions; i++) {
		struct session *s = &d->sessions[i];

		if (!s->in_use)
			continue;
		if (!s->in_kernel) {
			/* never confirmed: forget it quietly */
			if (now - s->sm.created_ms >
			    session_policy(d, s)->handshake_timeout_ms) {
				handshake_keys_wipe(&s->keys);
				s->in_use = false;
			}
			continue;
		}
		if (s->pending && now > s->pending_until_ms)
			s->pending = false;
		if (s->second && now > s->second_until_ms)
			s->second = false;
		session_tick(d, s);
	}
}

static int gateway_start(struct jvpnd *d)
{
	uint8_t hash_key[LIMITER_HASH_KEY_LEN];
	struct hsadmit_policy admission = admission_policy(d);

	randombytes_buf(hash_key, sizeof(hash_key));
	if (!limiter_table_init(&d->gateway.sources, 4096, hash_key))
		return -1;
	/* a key of its own: the two tables' chains are independent */
	randombytes_buf(hash_key, sizeof(hash_key));
	if (!hsadmit_init(&d->gateway.handshakes, 4096, hash_key, &admission,
			  jvpn_boot_ms()))
		return -1;
	cookie_gateway_init(&d->gateway.cookies, d->pub, NULL, NULL);
	for (size_t i = 0; i < d->cfg.interface.n_listen; i++) {
		const union jvpn_sockaddr *l = &d->cfg.interface.listen[i];
		char text[64];
		int fd;

		/* taken back from the kernel after a restart */
		if (udp_find_bound(d->fds, d->n_fds, l) >= 0)
			continue;
		fd = udp_open(l->sa.sa_family, l, NULL);
		if (fd < 0) {
			fprintf(stderr, "jvpnd: listen %s: %s\n",
				jvpn_sockaddr_text(l, text, sizeof(text)),
				strerror(-fd));
			return -1;
		}
		d->fds[d->n_fds++] = fd;
		jvpnd_watch_udp(d, fd);
	}
	return 0;
}

static size_t gateway_max_sessions(void)
{
	return CONFIG_MAX_PEERS; /* every peer a reload may add */
}

static size_t gateway_slot_of_peer(size_t peer)
{
	return peer; /* one session per peer at most */
}

const struct role_ops gateway_role = {
	.name = "gateway",
	.max_sessions = gateway_max_sessions,
	.slot_of_peer = gateway_slot_of_peer,
	.start = gateway_start,
	.datagram = gateway_datagram,
	.kernel_event = gateway_kernel_event,
	.tick = gateway_tick,
};
