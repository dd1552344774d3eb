// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "reason.h"

const char *jvpnd_reason_name(enum jvpnd_reason reason)
{
	switch (reason) {
	case JVPND_REASON_NONE:
		return "none";
	case JVPND_REASON_UNKNOWN_SESSION:
		return "unknown_session";
	case JVPND_REASON_BAD_PROOF:
		return "bad_proof";
	case JVPND_REASON_REPLAYED_NONCE:
		return "replayed_nonce";
	case JVPND_REASON_STALE_TIMESTAMP:
		return "stale_timestamp";
	case JVPND_REASON_STALE_VERSION:
		return "stale_version";
	case JVPND_REASON_RATE_LIMITED:
		return "rate_limited";
	case JVPND_REASON_COOLDOWN:
		return "cooldown";
	case JVPND_REASON_SWITCH_LIMIT:
		return "switch_limit";
	case JVPND_REASON_CLASS_NOT_ALLOWED:
		return "class_not_allowed";
	case JVPND_REASON_VERSION_MISMATCH:
		return "version_mismatch";
	case JVPND_REASON_UNKNOWN_PEER:
		return "unknown_peer";
	case JVPND_REASON_REPLAYED_HANDSHAKE:
		return "replayed_handshake";
	case JVPND_REASON_BAD_MAC1:
		return "bad_mac1";
	case JVPND_REASON_HANDSHAKE_DONE:
		return "handshake_done";
	case JVPND_REASON_HEALTH_THRESHOLD:
		return "health_threshold";
	case JVPND_REASON_RECOVERED:
		return "recovered";
	case JVPND_REASON_REPEATED_INSTABILITY:
		return "repeated_instability";
	case JVPND_REASON_REATTACHED:
		return "reattached";
	case JVPND_REASON_SESSION_TTL:
		return "session_ttl";
	case JVPND_REASON_TRANSPORT_LOSS_TTL:
		return "transport_loss_ttl";
	case JVPND_REASON_SECURITY:
		return "security";
	case JVPND_REASON_ADMIN:
		return "admin";
	case JVPND_REASON_NAT_REBINDING:
		return "nat_rebinding";
	case JVPND_REASON_INTERFACE_DOWN:
		return "interface_down";
	case JVPND_REASON_SOCKET_ERROR:
		return "socket_error";
	case JVPND_REASON_REPLACED:
		return "replaced";
	case JVPND_REASON_KERNEL_LOST:
		return "kernel_lost";
	}
	return "unknown";
}
