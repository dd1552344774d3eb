// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "metrics_page.h"
#include "names.h"
#include "reason.h"

/* Microseconds as seconds in decimal, exact and without trailing zeros. */
static const char *us_as_seconds(uint64_t us, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%" PRIu64 ".%06" PRIu64,
				    us / 1000000, us % 1000000);

	while (n && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

/*
 * A counter by reason: the reasons that can occur are always shown (a
 * series that appears only at its first increment hides that increment
 * from rate()), any other only once it is not zero.
 */
static void render_by_reason(struct expo *e, const char *name, const char *help,
			     const uint64_t *counts, const int *expected,
			     size_t n_expected)
{
	expo_family(e, name, "counter", help);
	for (size_t slot = 0; slot < STATS_REASON_SLOTS; slot++) {
		bool show = counts[slot] != 0;

		for (size_t i = 0; i < n_expected && !show; i++)
			show = stats_reason_slot(expected[i]) == slot;
		if (!show)
			continue;
		expo_sample(e, name,
			    (const char *const[]){
				    "reason",
				    jvpnd_reason_name((enum jvpnd_reason)slot),
				    NULL },
			    counts[slot]);
	}
}

static void render_histogram(struct expo *e, const char *name, const char *help,
			     const struct stats_histogram *h)
{
	char bucket[96], le[32];
	uint64_t cumulative = 0;

	expo_family(e, name, "histogram", help);
	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	for (size_t i = 0; i < STATS_LATENCY_BUCKETS; i++) {
		cumulative += h->buckets[i];
		us_as_seconds(stats_latency_bounds_us[i], le, sizeof(le));
		expo_sample(e, bucket, (const char *const[]){ "le", le, NULL },
			    cumulative);
	}
	expo_sample(e, bucket, (const char *const[]){ "le", "+Inf", NULL },
		    h->count);
	expo_printf(e, "%s_sum %s\n", name,
		    us_as_seconds(h->sum_us, le, sizeof(le)));
	expo_printf(e, "%s_count %" PRIu64 "\n", name, h->count);
}

static const int switch_reasons[] = {
	JVPND_REASON_REATTACHED,
	JVPND_REASON_NAT_REBINDING,
};
static const int reject_reasons[] = {
	JVPND_REASON_UNKNOWN_SESSION, JVPND_REASON_REPLAYED_NONCE,
	JVPND_REASON_STALE_TIMESTAMP, JVPND_REASON_STALE_VERSION,
	JVPND_REASON_RATE_LIMITED,    JVPND_REASON_COOLDOWN,
	JVPND_REASON_SWITCH_LIMIT,    JVPND_REASON_CLASS_NOT_ALLOWED,
	JVPND_REASON_KERNEL_LOST,     JVPND_REASON_VERSION_MISMATCH,
	JVPND_REASON_UNKNOWN_PEER,
};
static const int security_reasons[] = {
	JVPND_REASON_BAD_PROOF,
	JVPND_REASON_REPLAYED_HANDSHAKE,
	JVPND_REASON_BAD_MAC1,
};
static const int termination_reasons[] = {
	JVPND_REASON_SWITCH_LIMIT,
	JVPND_REASON_SESSION_TTL,
	JVPND_REASON_TRANSPORT_LOSS_TTL,
	JVPND_REASON_SECURITY,
	JVPND_REASON_ADMIN,
	JVPND_REASON_REPLACED,
};

static void render_state_counts(struct expo *e, const char *name,
				const char *label, const uint64_t *counts)
{
	for (int i = 0; i < STATS_STATES; i++)
		expo_sample(e, name,
			    (const char *const[]){ label, jvpn_state_name(i),
						   NULL },
			    counts[i]);
}

void metrics_render_stats(struct expo *e, const struct stats *st)
{
	expo_family(e, "jvpnd_sessions_created_total", "counter",
		    "Sessions created by a completed handshake.");
	expo_sample(e, "jvpnd_sessions_created_total", NULL,
		    st->sessions_created);
	expo_family(e, "jvpnd_state_transitions_total", "counter",
		    "Changes of session state, by the state entered (switches "
		    "and terminations not included).");
	render_state_counts(e, "jvpnd_state_transitions_total", "to",
			    st->transitions);
	render_by_reason(e, "jvpnd_sessions_terminated_total",
			 "Sessions terminated, by reason.", st->terminations,
			 termination_reasons, ARRAY_SIZE(termination_reasons));
	render_by_reason(
		e, "jvpnd_switches_total",
		"Transport switches committed in the kernel, by reason.",
		st->switches, switch_reasons, ARRAY_SIZE(switch_reasons));
	render_by_reason(e, "jvpnd_switch_denials_total",
			 "Switches the kernel refused (compare-and-swap or its "
			 "own bound), by the reason of the attempt.",
			 st->switch_denials, switch_reasons,
			 ARRAY_SIZE(switch_reasons));
	render_by_reason(e, "jvpnd_reattach_successes_total",
			 "Reattaches completed, by reason.",
			 st->reattach_successes, switch_reasons,
			 ARRAY_SIZE(switch_reasons));
	render_by_reason(
		e, "jvpnd_rejects_total",
		"Reattach and handshake requests refused with an answer "
		"(gateway) or refusals received (client), by reason.",
		st->rejects, reject_reasons, ARRAY_SIZE(reject_reasons));
	render_by_reason(e, "jvpnd_security_events_total",
			 "Forged or replayed control messages, dropped without "
			 "an answer, by reason.",
			 st->security_events, security_reasons,
			 ARRAY_SIZE(security_reasons));
	expo_family(e, "jvpnd_rate_limit_triggers_total", "counter",
		    "Requests refused by a rate limit (per source or per "
		    "session).");
	expo_sample(e, "jvpnd_rate_limit_triggers_total", NULL,
		    st->rate_limit_triggers);
	expo_family(e, "jvpnd_key_rotations_total", "counter",
		    "Data keys moved to their next generation.");
	expo_sample(e, "jvpnd_key_rotations_total", NULL, st->key_rotations);
	render_histogram(
		e, "jvpnd_reattach_latency_seconds",
		"Latency of client-asked reattaches. Gateway: from a valid "
		"REATTACH_REQUEST to the switch committed in the kernel. "
		"Client: from sending the REATTACH_REQUEST to the switch "
		"committed after its ACK.",
		&st->reattach_latency);
}

void metrics_render_sessions(struct expo *e,
			     const uint64_t by_state[STATS_STATES])
{
	expo_family(e, "jvpnd_sessions", "gauge",
		    "Sessions the daemon holds, by state.");
	render_state_counts(e, "jvpnd_sessions", "state", by_state);
}

struct kernel_metric {
	const char *name;
	const char *help;
	int attr; /* enum jvpn_stats_attr */
};

static const struct kernel_metric kernel_counters[] = {
	{ "jvpn_rx_packets_total", "Data packets received and delivered.",
	  JVPN_STATS_A_RX_PACKETS },
	{ "jvpn_rx_bytes_total", "Bytes of inner packets delivered.",
	  JVPN_STATS_A_RX_BYTES },
	{ "jvpn_tx_packets_total", "Data packets sealed and sent.",
	  JVPN_STATS_A_TX_PACKETS },
	{ "jvpn_tx_bytes_total", "Bytes of inner packets sent.",
	  JVPN_STATS_A_TX_BYTES },
	{ "jvpn_switches_total", "Transport switches the kernel committed.",
	  JVPN_STATS_A_SWITCHES },
	{ "jvpn_stray_events_suppressed_total",
	  "Stray-data events not sent because of their rate bound.",
	  JVPN_STATS_A_STRAY_EVENTS_SUPPRESSED },
};

static const struct {
	const char *reason;
	int attr;
} kernel_drops[] = {
	{ "bad_auth", JVPN_STATS_A_DROP_BAD_AUTH },
	{ "replay", JVPN_STATS_A_DROP_REPLAY },
	{ "stray", JVPN_STATS_A_DROP_STRAY },
	{ "unknown_session", JVPN_STATS_A_DROP_UNKNOWN_SESSION },
	{ "malformed", JVPN_STATS_A_DROP_MALFORMED },
	{ "inner_src", JVPN_STATS_A_DROP_INNER_SRC },
	{ "no_route", JVPN_STATS_A_DROP_NO_ROUTE },
	{ "tx_error", JVPN_STATS_A_DROP_TX_ERROR },
	{ "stray_limited", JVPN_STATS_A_DROP_STRAY_LIMITED },
	{ "queue_full", JVPN_STATS_A_DROP_QUEUE_FULL },
};

void metrics_render_kernel(struct expo *e, const char *device,
			   const uint64_t stats[JVPN_STATS_A_MAX + 1],
			   uint64_t sessions)
{
	const char *const dev[] = { "device", device, NULL };

	expo_family(e, "jvpn_sessions", "gauge",
		    "Sessions in the kernel's table.");
	expo_sample(e, "jvpn_sessions", dev, sessions);
	for (size_t i = 0; i < ARRAY_SIZE(kernel_counters); i++) {
		const struct kernel_metric *k = &kernel_counters[i];

		expo_family(e, k->name, "counter", k->help);
		expo_sample(e, k->name, dev, stats[k->attr]);
	}
	expo_family(e, "jvpn_drops_total", "counter",
		    "Packets the kernel dropped, by reason.");
	for (size_t i = 0; i < ARRAY_SIZE(kernel_drops); i++)
		expo_sample(e, "jvpn_drops_total",
			    (const char *const[]){ "device", device, "reason",
						   kernel_drops[i].reason,
						   NULL },
			    stats[kernel_drops[i].attr]);
}
