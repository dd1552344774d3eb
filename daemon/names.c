// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <linux/jvpn.h>

#include "names.h"

const char *reason_name(enum jvpn_reason reason)
{
	switch (reason) {
	case JVPN_REASON_NONE: return "none";
	case JVPN_REASON_UNKNOWN_SESSION: return "unknown_session";
	case JVPN_REASON_BAD_PROOF: return "bad_proof";
	case JVPN_REASON_REPLAYED_NONCE: return "replayed_nonce";
	case JVPN_REASON_STALE_TIMESTAMP: return "stale_timestamp";
	case JVPN_REASON_STALE_VERSION: return "stale_version";
	case JVPN_REASON_RATE_LIMITED: return "rate_limited";
	case JVPN_REASON_COOLDOWN: return "cooldown";
	case JVPN_REASON_SWITCH_LIMIT: return "switch_limit";
	case JVPN_REASON_CLASS_NOT_ALLOWED: return "class_not_allowed";
	case JVPN_REASON_VERSION_MISMATCH: return "version_mismatch";
	case JVPN_REASON_UNKNOWN_PEER: return "unknown_peer";
	case JVPN_REASON_REPLAYED_HANDSHAKE: return "replayed_handshake";
	case JVPN_REASON_HANDSHAKE_DONE: return "handshake_done";
	case JVPN_REASON_HEALTH_THRESHOLD: return "health_threshold";
	case JVPN_REASON_RECOVERED: return "recovered";
	case JVPN_REASON_REPEATED_INSTABILITY: return "repeated_instability";
	case JVPN_REASON_REATTACHED: return "reattached";
	case JVPN_REASON_SESSION_TTL: return "session_ttl";
	case JVPN_REASON_TRANSPORT_LOSS_TTL: return "transport_loss_ttl";
	case JVPN_REASON_SECURITY: return "security";
	case JVPN_REASON_ADMIN: return "admin";
	case JVPN_REASON_NAT_REBINDING: return "nat_rebinding";
	case JVPN_REASON_INTERFACE_DOWN: return "interface_down";
	case JVPN_REASON_SOCKET_ERROR: return "socket_error";
	case JVPN_REASON_REPLACED: return "replaced";
	}
	return "unknown";
}

const char *state_name(int state)
{
	static const char *const names[] = {
		[JVPN_STATE_HANDSHAKE] = "HANDSHAKE",
		[JVPN_STATE_ACTIVE] = "ACTIVE",
		[JVPN_STATE_VOLATILE] = "VOLATILE",
		[JVPN_STATE_DEGRADED] = "DEGRADED",
		[JVPN_STATE_TERMINATED] = "TERMINATED",
	};

	if (state < 0 || state > JVPN_STATE_MAX)
		return "UNKNOWN";
	return names[state];
}
