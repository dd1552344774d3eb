/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Policy: the numbers that bound what a session may do when its transport
 * dies (docs/design.md, "Policy"), the two built-in profiles, and policy_check(),
 * which enforces the safety checklist of docs/design.md on a policy.
 * docs/config.md gives every default and the reason for it.
 *
 * Nothing here keeps global mutable state; every function works on the
 * structs it is given.
 */
#ifndef JVPND_POLICY_H
#define JVPND_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

/* ---- policy -------------------------------------------------------- */

#define POLICY_NAME_MAX 32 /* with the NUL */

/*
 * The replay window of jvpn.ko (kernel/constants.h JVPN_REPLAY_WINDOW):
 * fixed in this build. A policy may ask for more (recorded, the kernel
 * still enforces this); it may not ask for less.
 */
#define POLICY_KERNEL_REPLAY_WINDOW 8128
/* The kernel refuses a per-session switch interval above one hour
 * (JVPN_MAX_MIN_SWITCH_INTERVAL_MS); cooldown is mirrored into it. */
#define POLICY_KERNEL_MAX_SWITCH_INTERVAL_MS (3600u * 1000u)
/* The kernel's own default floor between switches. */
#define POLICY_KERNEL_MIN_SWITCH_INTERVAL_MS 100u

/* Transport classes. tcp and quic are named so that a config using them
 * is refused with "not supported by this build", not "unknown". */
enum policy_transport {
	POLICY_TRANSPORT_UDP4 = 1u << 0,
	POLICY_TRANSPORT_UDP6 = 1u << 1,
	POLICY_TRANSPORT_TCP = 1u << 2,
	POLICY_TRANSPORT_QUIC = 1u << 3,
};
#define POLICY_TRANSPORTS_SUPPORTED                                            \
	(POLICY_TRANSPORT_UDP4 | POLICY_TRANSPORT_UDP6)

/* A token bucket: refilled at per_second, holding at most burst. */
struct policy_rate {
	uint32_t per_second;
	uint32_t burst;
};

struct policy {
	char name[POLICY_NAME_MAX]; /* the profile's name */
	/* No authenticated rx for this long: ACTIVE -> VOLATILE. */
	uint32_t health_threshold_ms;
	/* A probe goes out when nothing was received for this long. */
	uint32_t probe_interval_ms;
	/* Instability is remembered this long (DEGRADED, back to ACTIVE). */
	uint32_t recovery_window_ms;
	/* This many switches inside the recovery window: DEGRADED. */
	uint32_t degraded_after_switches;
	/* A session ends this long after its handshake, whatever happens. */
	uint32_t session_ttl_s;
	/* A session with no working transport ends after this long. */
	uint32_t transport_loss_ttl_ms;
	/* Minimum time between two switches of one session. */
	uint32_t cooldown_ms;
	/* More switches than this in any minute: TERMINATED. */
	uint32_t max_switches_per_minute;
	struct policy_rate reattach_rate_per_session;
	struct policy_rate reattach_rate_per_source; /* per source address */
	/* Packets; at least POLICY_KERNEL_REPLAY_WINDOW. */
	uint32_t replay_window;
	/* Largest |now - timestamp| of an acceptable REATTACH_REQUEST. */
	uint32_t freshness_window_ms;
	uint32_t allowed_transports; /* enum policy_transport bits */
	/* A handshake not finished in this long is abandoned. */
	uint32_t handshake_timeout_ms;
	/* A client gives up (TERMINATED) after this many failed attempts. */
	uint32_t max_reattach_attempts;
	/* Data keys are rotated this often, without a new handshake. */
	uint32_t rekey_after_ms;
	/*
	 * HANDSHAKE_INITs the gateway spends Diffie-Hellman on, all sources
	 * together (read from the gateway's own profile), and per source
	 * address; core/hsadmit.h says how they bound a flood.
	 */
	struct policy_rate handshake_rate;
	struct policy_rate handshake_rate_per_source;
	/* The client renews a session's keys by a new X25519 exchange this
	 * often (a fresh handshake: same session id and state_version). */
	uint32_t rehandshake_after_ms;
};

/* The settable fields, in the order of docs/config.md. */
enum policy_field {
	POLICY_HEALTH_THRESHOLD,
	POLICY_PROBE_INTERVAL,
	POLICY_RECOVERY_WINDOW,
	POLICY_DEGRADED_AFTER_SWITCHES,
	POLICY_SESSION_TTL,
	POLICY_TRANSPORT_LOSS_TTL,
	POLICY_COOLDOWN,
	POLICY_MAX_SWITCHES_PER_MINUTE,
	POLICY_REATTACH_RATE_PER_SESSION,
	POLICY_REATTACH_RATE_PER_SOURCE,
	POLICY_REPLAY_WINDOW,
	POLICY_FRESHNESS_WINDOW,
	POLICY_ALLOWED_TRANSPORTS,
	POLICY_HANDSHAKE_TIMEOUT,
	POLICY_MAX_REATTACH_ATTEMPTS,
	POLICY_REKEY_AFTER,
	POLICY_HANDSHAKE_RATE,
	POLICY_HANDSHAKE_RATE_PER_SOURCE,
	POLICY_REHANDSHAKE_AFTER,
	POLICY_FIELD_COUNT
};

/* "mobile" or "datacenter": the built-in profile, else NULL. */
const struct policy *policy_builtin(const char *name);

/* A field's config key ("cooldown"), and back (-1 if no such key). */
const char *policy_field_key(enum policy_field field);
int policy_field_by_key(const char *key);

/*
 * Sets one field from its config text ("500ms", "2/s burst 4", "udp4,
 * udp6"). Checks syntax and width only; whether the value is safe is
 * policy_check's job. On failure returns false, leaves the policy as it
 * was and writes the reason to why ("expected a duration such as ...").
 */
bool policy_set_field(struct policy *policy, enum policy_field field,
		      const char *text, char *why, size_t why_size);

void policy_copy_field(struct policy *dst, const struct policy *src,
		       enum policy_field field);

/* The field's value as config text that policy_set_field reads back. */
void policy_format_field(const struct policy *policy, enum policy_field field,
			 char *buf, size_t size);

/*
 * The safety checklist (docs/config.md "Safety checklist"). Reports each
 * item that is undefined or dangerous, by the item's name, as an error or
 * a warning. Returns the number of errors.
 *
 * policy_check reports without a line. policy_check_at reports each item
 * at the line where the file set the item's main field (field_lines,
 * indexed by enum policy_field, 0 or NULL: not set), else at line.
 */
unsigned int policy_check(const struct policy *policy, struct diag *diag);
unsigned int policy_check_at(const struct policy *policy,
			     const unsigned int *field_lines, unsigned int line,
			     struct diag *diag);

/*
 * Calls report once per field that differs, with both values as config
 * text (for a SIGHUP log line "cooldown 500ms -> 1s"). Returns how many.
 */
typedef void policy_diff_fn(void *ctx, const char *key, const char *old_text,
			    const char *new_text);
size_t policy_diff(const struct policy *old, const struct policy *new,
		   policy_diff_fn *report, void *ctx);

/* "500ms", "2s", "5m", "1h" to milliseconds; false on anything else. */
bool policy_parse_duration_ms(const char *text, uint64_t *ms);

#endif /* JVPND_POLICY_H */
