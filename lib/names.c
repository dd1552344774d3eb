// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include <linux/jvpn.h>

#include "util.h"
#include "names.h"

/* Tables indexed by the uapi value; a gap is NULL. */
struct name_table {
	const char *const *names;
	unsigned int count;
};

#define NAME_TABLE(array)                                                      \
	{                                                                      \
		array, ARRAY_SIZE(array)                                       \
	}

static const char *const state_names[] = {
	[JVPN_STATE_HANDSHAKE] = "HANDSHAKE",
	[JVPN_STATE_ACTIVE] = "ACTIVE",
	[JVPN_STATE_VOLATILE] = "VOLATILE",
	[JVPN_STATE_DEGRADED] = "DEGRADED",
	[JVPN_STATE_TERMINATED] = "TERMINATED",
};

static const char *const reason_names[] = {
	[JVPN_DEL_REASON_UNSPEC] = "unspec",
	[JVPN_DEL_REASON_ADMIN] = "admin",
	[JVPN_DEL_REASON_DEVICE_GONE] = "device-gone",
	[JVPN_DEL_REASON_SESSION_TTL] = "session-ttl",
	[JVPN_DEL_REASON_TRANSPORT_LOSS_TTL] = "transport-loss-ttl",
	[JVPN_DEL_REASON_SWITCH_LIMIT] = "switch-limit",
	[JVPN_DEL_REASON_SECURITY] = "security",
	[JVPN_DEL_REASON_VERSION_MISMATCH] = "version-mismatch",
	[JVPN_DEL_REASON_REPLACED] = "replaced",
};

static const char *const event_names[] = {
	[JVPN_CMD_EVENT_SESSION_CREATED] = "created",
	[JVPN_CMD_EVENT_SESSION_DELETED] = "deleted",
	[JVPN_CMD_EVENT_TRANSPORT_SWITCHED] = "switched",
	[JVPN_CMD_EVENT_STRAY_DATA] = "stray",
	[JVPN_CMD_EVENT_STATE_CHANGED] = "state",
};

static const char *const attr_names[] = {
	[JVPN_A_IFINDEX] = "JVPN_A_IFINDEX",
	[JVPN_A_SESSION_ID] = "JVPN_A_SESSION_ID",
	[JVPN_A_STATE_VERSION] = "JVPN_A_STATE_VERSION",
	[JVPN_A_EXPECTED_VERSION] = "JVPN_A_EXPECTED_VERSION",
	[JVPN_A_STATE] = "JVPN_A_STATE",
	[JVPN_A_SOCKET_FD] = "JVPN_A_SOCKET_FD",
	[JVPN_A_LOCAL] = "JVPN_A_LOCAL",
	[JVPN_A_REMOTE] = "JVPN_A_REMOTE",
	[JVPN_A_OLD_REMOTE] = "JVPN_A_OLD_REMOTE",
	[JVPN_A_ALLOWED_IPS] = "JVPN_A_ALLOWED_IPS",
	[JVPN_A_ALLOWED_IP] = "JVPN_A_ALLOWED_IP",
	[JVPN_A_TX_KEY] = "JVPN_A_TX_KEY",
	[JVPN_A_RX_KEY] = "JVPN_A_RX_KEY",
	[JVPN_A_KEY_PHASE] = "JVPN_A_KEY_PHASE",
	[JVPN_A_MIN_SWITCH_INTERVAL_MS] = "JVPN_A_MIN_SWITCH_INTERVAL_MS",
	[JVPN_A_DEL_REASON] = "JVPN_A_DEL_REASON",
	[JVPN_A_STATS] = "JVPN_A_STATS",
	[JVPN_A_LAST_RX_NS] = "JVPN_A_LAST_RX_NS",
	[JVPN_A_LAST_TX_NS] = "JVPN_A_LAST_TX_NS",
	[JVPN_A_LAST_SWITCH_NS] = "JVPN_A_LAST_SWITCH_NS",
	[JVPN_A_CREATED_NS] = "JVPN_A_CREATED_NS",
	[JVPN_A_EVENT_SEQ] = "JVPN_A_EVENT_SEQ",
	[JVPN_A_EVENT_TIME_NS] = "JVPN_A_EVENT_TIME_NS",
	[JVPN_A_OLD_STATE] = "JVPN_A_OLD_STATE",
	[JVPN_A_TX_COUNTER] = "JVPN_A_TX_COUNTER",
	[JVPN_A_KEY_NEXT] = "JVPN_A_KEY_NEXT",
	[JVPN_A_PAD] = "JVPN_A_PAD",
	[JVPN_A_KEY_GENERATION] = "JVPN_A_KEY_GENERATION",
	[JVPN_A_DAEMON_SECRETS] = "JVPN_A_DAEMON_SECRETS",
};

static const char *const endpoint_attr_names[] = {
	[JVPN_EP_A_ADDR4] = "JVPN_EP_A_ADDR4",
	[JVPN_EP_A_ADDR6] = "JVPN_EP_A_ADDR6",
	[JVPN_EP_A_PORT] = "JVPN_EP_A_PORT",
};

static const char *const allowed_ip_attr_names[] = {
	[JVPN_AIP_A_FAMILY] = "JVPN_AIP_A_FAMILY",
	[JVPN_AIP_A_ADDR] = "JVPN_AIP_A_ADDR",
	[JVPN_AIP_A_PREFIX_LEN] = "JVPN_AIP_A_PREFIX_LEN",
};

static const struct name_table states = NAME_TABLE(state_names);
static const struct name_table reasons = NAME_TABLE(reason_names);
static const struct name_table events = NAME_TABLE(event_names);
static const struct name_table attrs = NAME_TABLE(attr_names);
static const struct name_table endpoint_attrs = NAME_TABLE(endpoint_attr_names);
static const struct name_table allowed_ip_attrs =
	NAME_TABLE(allowed_ip_attr_names);

static const char *name_of(const struct name_table *table, unsigned int value)
{
	return value < table->count ? table->names[value] : NULL;
}

static int value_of(const struct name_table *table, const char *name)
{
	for (unsigned int i = 0; i < table->count; i++)
		if (table->names[i] && !strcmp(table->names[i], name))
			return (int)i;
	return -1;
}

const char *jvpn_state_name(unsigned int state)
{
	return name_of(&states, state);
}

int jvpn_state_by_name(const char *name)
{
	return value_of(&states, name);
}

const char *jvpn_del_reason_name(unsigned int reason)
{
	return name_of(&reasons, reason);
}

int jvpn_del_reason_by_name(const char *name)
{
	return value_of(&reasons, name);
}

const char *jvpn_event_name(unsigned int cmd)
{
	return name_of(&events, cmd);
}

int jvpn_event_by_name(const char *name)
{
	return value_of(&events, name);
}

const char *jvpn_attr_name(unsigned int type)
{
	return name_of(&attrs, type);
}

const char *jvpn_nested_attr_name(unsigned int parent, unsigned int type)
{
	switch (parent) {
	case JVPN_A_LOCAL:
	case JVPN_A_REMOTE:
	case JVPN_A_OLD_REMOTE:
		return name_of(&endpoint_attrs, type);
	case JVPN_A_ALLOWED_IP:
		return name_of(&allowed_ip_attrs, type);
	default:
		/* the top level; JVPN_A_ALLOWED_IPS holds JVPN_A_ALLOWED_IP */
		return name_of(&attrs, type);
	}
}
