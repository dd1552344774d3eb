/*
 * A model of reattach and path validation (docs/reattach.md) for SPIN:
 * one client with two uplinks, one gateway, and an attacker that records
 * every datagram either side sends and plays any of them again, from any
 * source address, to any destination, in any order, while the client's
 * first uplink dies and its NAT forgets the mapping. What it proves and
 * what it leaves out: docs/reattach.md, "The model". Checked by
 * tools/model-check.sh (make check, the model tier).
 *
 * The code it describes: daemon/gateway.c (on_request, on_response,
 * the stray/NAT path), daemon/client.c (on_ack, on_challenge,
 * on_path_challenge), daemon/core/clientguard.c (what the client
 * accepts), daemon/core/reattach.c (the fixed order of checks).
 *
 * Compile-time switches re-create holes this design closed, so that each
 * property is shown to catch the bug it is about:
 *   OLD_ACK_FROM_ANYWHERE  the client takes an ACK from any source, any
 *                          number of times, and binds where it came from
 *   OLD_CHARGE_REBINDS     gateway-started switches count toward the
 *                          client's switch limit
 *   OLD_RESPONSE_ANYWHERE  a PATH_RESPONSE moves the binding to wherever
 *                          it came from
 *   LOSSY                  the network also loses datagrams (then a
 *                          client may run out of attempts: allowed)
 */

/* Addresses. The client's side, as the gateway sees it: */
#define A_NAT0	0 /* uplink A through its NAT's first mapping */
#define B_ADDR	1 /* uplink B */
#define A_NAT1	2 /* uplink A after the NAT forgot the first mapping */
#define ATTACKER 3 /* the attacker's own address */
/* and the gateway's endpoint, which the client is configured with: */
#define GATEWAY 4

#define UPLINK_A 0
#define UPLINK_B 1

mtype = { REQ, CHAL, RESP, ACK, REJ, PCHAL, PRESP, DATA };

/* Bounds that keep the state space finite. */
#define MAX_DATA	2 /* data packets the client sends */
#define MAX_RETRIES	1 /* a request retransmitted at most this often */
#define MAX_ATTEMPTS	3 /* client: more failed attempts terminate */
#define MAX_SWITCHES	2 /* gateway: more charged switches terminate */
#ifndef ATTACK_BUDGET
#define ATTACK_BUDGET	1 /* datagrams the attacker plays again */
#endif
#define LOG_SIZE	10

#define NOTICE_NONCE	0
#define REJ_LIMIT	1 /* the one reject reason that terminates */
#define REJ_REPLAYED	2 /* t: the gateway's nonce floor */
#define REJ_STALE	3 /* t: the gateway's version */
#define CHALLENGES	2 /* armed per session: one request, two paths */

/*
 * A datagram. to_gw: src is where it comes from as the gateway sees it.
 * to_cl: src is GATEWAY or ATTACKER (an address the attacker may also
 * spoof), dst the client-side address it goes to. n: request nonce or
 * data counter; v: state_version or reject reason; t: token.
 */
typedef dgram {
	mtype type;
	byte src;
	byte dst;
	byte n;
	byte v;
	byte t;
};

chan to_gw = [8] of { mtype, byte, byte, byte, byte, byte };
chan to_cl = [8] of { mtype, byte, byte, byte, byte, byte };

/* Everything the attacker saw, in order. */
dgram seen_gw[LOG_SIZE];
dgram seen_cl[LOG_SIZE];
byte n_seen_gw;
byte n_seen_cl;
byte k; /* RECORD's index: used only inside a d_step, always 0 outside */

/* The gateway. */
byte g_bound = A_NAT0;
byte g_version = 1;
byte g_bound_version = 1;
byte g_nonce_floor;
/* Reattach challenges armed: one request's, to every address it came
 * from (at most CHALLENGES), so that a copy that overtook it cannot keep
 * the genuine path from being challenged. */
bool g_pending[CHALLENGES];
byte g_pending_nonce[CHALLENGES];
byte g_pending_token[CHALLENGES];
byte g_pending_addr[CHALLENGES];
/* The newest request judged: how many addresses it came from (at most
 * CHALLENGES get an answer), the first of them, and its verdict (0: a
 * challenge; else the reject's reason and its t). */
byte g_answered;
byte g_answered_addr;
byte g_last_reason;
byte g_last_t;
bool g_validating; /* a PATH_CHALLENGE is armed */
byte g_path_token;
byte g_path_addr;
byte g_highest_data;
byte g_charged; /* switches charged to the client's limit */
bool g_terminated;
byte g_tokens_used; /* a bit per token ever accepted: each good once */
byte next_token = 1;

/* The client. */
byte c_uplink = UPLINK_A;
byte c_remote = GATEWAY;
byte c_version = 1;
byte c_peer_bound = 1; /* the greatest gateway version it accepted */
byte c_nonce;
bool c_outstanding;
byte c_first_nonce; /* of the requests still answerable */
byte c_attempts;
byte c_retries;
bool c_terminated;
byte c_data_sent;

/* The world. */
bool a_dead;	  /* uplink A lost its carrier */
bool nat_flushed; /* uplink A's NAT mapping changed */

/* The attacker sees every datagram either side sends; it keeps each
 * distinct one once (playing a copy twice needs no second copy). */
#define RECORD(log, count, ty, s, d, nn, vv, tt)			\
	k = 0;								\
	do								\
	:: k < count && !(log[k].type == ty && log[k].src == s &&	\
			  log[k].dst == d && log[k].n == nn &&		\
			  log[k].v == vv && log[k].t == tt) -> k++	\
	:: else -> break						\
	od;								\
	if								\
	:: k == count && count < LOG_SIZE ->				\
		log[count].type = ty;					\
		log[count].src = s;					\
		log[count].dst = d;					\
		log[count].n = nn;					\
		log[count].v = vv;					\
		log[count].t = tt;					\
		count++							\
	:: else -> skip							\
	fi;								\
	k = 0

/* The network takes every datagram; LOSSY may lose it. A full queue
 * loses it too, which the bounds above keep from happening. */
inline send_gw(ty, s, nn, vv, tt)
{
	d_step { RECORD(seen_gw, n_seen_gw, ty, s, GATEWAY, nn, vv, tt) };
	if
	:: nfull(to_gw) -> to_gw!ty, s, GATEWAY, nn, vv, tt
	:: full(to_gw) -> skip
#ifdef LOSSY
	:: skip
#endif
	fi
}

inline send_cl(ty, s, d, nn, vv, tt)
{
	d_step { RECORD(seen_cl, n_seen_cl, ty, s, d, nn, vv, tt) };
	if
	:: nfull(to_cl) -> to_cl!ty, s, d, nn, vv, tt
	:: full(to_cl) -> skip
#ifdef LOSSY
	:: skip
#endif
	fi
}

/* Where the client's uplink appears to the gateway. */
inline uplink_addr(u, a)
{
	if
	:: u == UPLINK_B -> a = B_ADDR
	:: u == UPLINK_A && nat_flushed -> a = A_NAT1
	:: else -> a = A_NAT0
	fi
}

inline fresh_token(t)
{
	assert(next_token < 8);
	t = next_token;
	next_token++
}

/* The binding moves only to the address a fresh token was sent to and
 * answered from, and never to the attacker's. */
inline gateway_switch(to, token)
{
	assert(to != ATTACKER);
	assert((g_tokens_used & (1 << token)) == 0);
	g_tokens_used = g_tokens_used | (1 << token);
	g_bound = to;
	g_version++;
	g_bound_version = g_version
}

inline arm(slot, nn, tok, addr)
{
	g_pending[slot] = true;
	g_pending_nonce[slot] = nn;
	g_pending_token[slot] = tok;
	g_pending_addr[slot] = addr
}

proctype Gateway()
{
	mtype ty;
	byte src, dst, n, v, t, tok;

end:	do
	:: to_gw?ty, src, dst, n, v, t ->
		if
		:: g_terminated -> skip
		:: ty == REQ && n == g_nonce_floor && n > 0 &&
		   g_answered == 1 && src != g_answered_addr ->
			/* the newest request again, from a second address:
			 * it gets the answer the first got, so that a copy
			 * that overtook the genuine one, from wherever, cannot
			 * swallow its answer */
			g_answered = 2;
			if
			:: g_last_reason == 0 ->
				fresh_token(tok);
				arm(1, n, tok, src);
				send_cl(CHAL, GATEWAY, src, n, 0, tok)
			:: else ->
				send_cl(REJ, GATEWAY, src, n, g_last_reason,
					g_last_t)
			fi
		:: ty == REQ && n <= g_nonce_floor &&
		   !(n == g_nonce_floor && n > 0 && g_answered == 1 &&
		     src != g_answered_addr) ->
			send_cl(REJ, GATEWAY, src, n, REJ_REPLAYED,
				g_nonce_floor)
		:: ty == REQ && n > g_nonce_floor ->
			/* judged once; a newer request replaces what was
			 * armed */
			g_nonce_floor = n;
			g_answered = 1;
			g_answered_addr = src;
			g_pending[0] = false;
			g_pending[1] = false;
			if
			:: !(g_bound_version <= v && v <= g_version) ->
				g_last_reason = REJ_STALE;
				g_last_t = g_version
			:: g_bound_version <= v && v <= g_version &&
			   g_charged >= MAX_SWITCHES ->
				g_last_reason = REJ_LIMIT;
				g_last_t = g_version;
				g_terminated = true
			:: else ->
				g_last_reason = 0
			fi;
			if
			:: g_last_reason == 0 ->
				fresh_token(tok);
				arm(0, n, tok, src);
				send_cl(CHAL, GATEWAY, src, n, 0, tok)
			:: else ->
				send_cl(REJ, GATEWAY, src, n, g_last_reason,
					g_last_t)
			fi
		:: ty == RESP && ((g_pending[0] && n == g_pending_nonce[0] &&
		   t == g_pending_token[0] && src == g_pending_addr[0]) ||
		   (g_pending[1] && n == g_pending_nonce[1] &&
		   t == g_pending_token[1] && src == g_pending_addr[1])) ->
			g_pending[0] = false;
			g_pending[1] = false;
			/* a client-asked switch is one even onto the path bound
			 * (daemon/gateway.c, commit_path): a new version */
			gateway_switch(src, t);
			g_charged++;
			send_cl(ACK, GATEWAY, src, n, g_version, 0)
		:: ty == DATA && n > g_highest_data ->
			/* authentic and the newest: the kernel takes it */
			g_highest_data = n;
			if
			:: src != g_bound && !g_validating ->
				fresh_token(tok);
				g_validating = true;
				g_path_token = tok;
				g_path_addr = src;
				send_cl(PCHAL, GATEWAY, src, 0, 0, tok)
			:: else -> skip
			fi
		:: ty == PRESP && g_validating && t == g_path_token ->
			g_validating = false;
#ifdef OLD_RESPONSE_ANYWHERE
			src = src;
#else
			if
			:: src != g_path_addr -> goto next /* abort */
			:: else -> skip
			fi;
#endif
			if
			:: src == g_bound -> skip
			:: else ->
				gateway_switch(src, t);
#ifdef OLD_CHARGE_REBINDS
				g_charged++;
#endif
				send_cl(ACK, GATEWAY, src, NOTICE_NONCE,
					g_version, 0)
			fi
		:: else -> skip /* refused: changes nothing */
		fi;
next:		skip
	od
}

/*
 * What the client accepts (daemon/core/clientguard.c). Every request of
 * the attempt still in progress is answerable, not only the newest: with
 * a round trip longer than the retry interval, only the newest would
 * never be answered in time. An ACK ends the attempt, so each is good
 * once; a request's ACK may repeat the version the client knows (a
 * reattach onto the path already bound changes nothing), a notice must
 * bring news.
 */
#define ANSWERABLE(n) \
	(c_outstanding && c_first_nonce <= (n) && (n) <= c_nonce)

inline client_on_ack(src, n, v, arrived)
{
	if
#ifdef OLD_ACK_FROM_ANYWHERE
	:: n != NOTICE_NONCE && ANSWERABLE(n) ->
		c_remote = src;
		c_uplink = arrived;
		c_outstanding = false;
		c_attempts = 0;
		c_version = (v > c_version -> v : c_version + 1)
#else
	:: src == GATEWAY && n != NOTICE_NONCE && ANSWERABLE(n) &&
	   v > c_peer_bound ->
		c_outstanding = false;
		c_attempts = 0;
		c_retries = 0;
		c_uplink = arrived;
		c_peer_bound = v;
		c_version = (v > c_version -> v : c_version)
	:: src == GATEWAY && n == NOTICE_NONCE && v > c_peer_bound ->
		c_peer_bound = v;
		c_version = (v > c_version -> v : c_version)
#endif
	:: else -> skip
	fi;
	assert(c_remote == GATEWAY)
}

/* counted: a retry after silence is an attempt; a resync after an
 * authenticated reject is not, or a third party that moves the version
 * (a copied data packet makes the gateway validate another path) would
 * spend the client's attempts. */
inline send_request(a, counted)
{
	c_nonce++;
	if
	:: !c_outstanding -> c_first_nonce = c_nonce
	:: else -> skip
	fi;
	c_outstanding = true;
	if
	:: counted -> c_attempts++
	:: else -> skip
	fi;
	uplink_addr(UPLINK_B, a);
	send_gw(REQ, a, c_nonce, c_peer_bound, 0)
}

proctype Client()
{
	mtype ty;
	byte src, dst, n, v, t, a, arrived;

end:	do
	:: c_terminated -> break
	/* data over the bound uplink, unless it is dead */
	:: c_data_sent < MAX_DATA && !(c_uplink == UPLINK_A && a_dead) ->
		c_data_sent++;
		uplink_addr(c_uplink, a);
		send_gw(DATA, a, c_data_sent, 0, 0)
	/* uplink A dies: reattach over B */
	:: !a_dead && c_uplink == UPLINK_A ->
		a_dead = true;
		send_request(a, true)
	/* a retry timer: the same attempt, a new nonce */
	:: c_outstanding && c_retries < MAX_RETRIES ->
		c_retries++;
		if
		:: c_attempts >= MAX_ATTEMPTS ->
			c_terminated = true;
#ifndef LOSSY
			assert(false); /* only loss may exhaust attempts */
#endif
		:: else -> send_request(a, true)
		fi
	:: to_cl?ty, src, dst, n, v, t ->
		/* what reaches the client: its uplinks' live addresses */
		if
		:: dst == B_ADDR -> arrived = UPLINK_B
		:: dst == A_NAT0 && !a_dead && !nat_flushed -> arrived = UPLINK_A
		:: dst == A_NAT1 && !a_dead && nat_flushed -> arrived = UPLINK_A
		:: else -> goto gone
		fi;
		if
		:: ty == ACK -> client_on_ack(src, n, v, arrived)
		:: ty == CHAL && src == GATEWAY && ANSWERABLE(n) ->
			send_gw(RESP, dst, n, 0, t)
		:: ty == PCHAL && src == GATEWAY ->
			send_gw(PRESP, dst, 0, 0, t)
		:: ty == REJ && src == GATEWAY && ANSWERABLE(n) &&
		   v == REJ_REPLAYED && t <= c_nonce ->
			/* the gateway saw this request before: a copy got
			 * there first. Not a failed attempt: its challenge
			 * may still come. */
			skip
		:: ty == REJ && src == GATEWAY && ANSWERABLE(n) &&
		   !(v == REJ_REPLAYED && t <= c_nonce) ->
			c_outstanding = false;
			if
			:: v == REJ_LIMIT ->
				c_terminated = true;
#ifndef LOSSY
				assert(false); /* never without loss */
#endif
			:: v == REJ_STALE ->
				/* resync from the reject and ask again */
				c_peer_bound = (t > c_peer_bound -> t : c_peer_bound);
				send_request(a, false)
			:: v == REJ_REPLAYED ->
				c_nonce = t; /* the client forgot its nonces */
				send_request(a, false)
			fi
		:: else -> skip
		fi;
gone:		skip
	od
}

/* Plays recorded datagrams again: from any address, to any address. */
proctype Attacker()
{
	byte budget = ATTACK_BUDGET, i, from;

end:	do
	:: budget > 0 && n_seen_gw > 0 ->
		select(i : 0 .. LOG_SIZE - 1);
		i = i % n_seen_gw;
		select(from : A_NAT0 .. ATTACKER);
		budget--;
		to_gw!seen_gw[i].type, from, GATEWAY, seen_gw[i].n,
			seen_gw[i].v, seen_gw[i].t
	:: budget > 0 && n_seen_cl > 0 ->
		select(i : 0 .. LOG_SIZE - 1);
		i = i % n_seen_cl;
		/* to any of the client's addresses (one to its own reaches
		 * nobody), spoofing the gateway's; from its own address only
		 * where that could matter */
		select(from : A_NAT0 .. A_NAT1);
		budget--;
#ifdef OLD_ACK_FROM_ANYWHERE
		if
		:: to_cl!seen_cl[i].type, ATTACKER, from, seen_cl[i].n,
			seen_cl[i].v, seen_cl[i].t
		:: skip ->
#endif
		to_cl!seen_cl[i].type, GATEWAY, from, seen_cl[i].n,
			seen_cl[i].v, seen_cl[i].t
#ifdef OLD_ACK_FROM_ANYWHERE
		fi
#endif
	:: budget == 0 -> break
	od
}

/* The NAT in front of uplink A forgets its mapping, once, any time. */
proctype Nat()
{
	if
	:: !nat_flushed -> nat_flushed = true
	fi
}

/* When the network is quiet, both ends hold the same version. */
proctype Quiet()
{
	timeout ->
#ifndef LOSSY
	/* with loss, a lost switch notice is repaired only by the next
	 * request's STALE_VERSION reject, which a quiet network never sends */
	assert(c_terminated || g_terminated || c_version == g_version)
#endif
}

init
{
	atomic {
		run Gateway();
		run Client();
		run Attacker();
		run Nat();
		run Quiet()
	}
}
