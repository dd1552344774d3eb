// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Step 2: the [interface] section, its rules and its role.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "parser.h"

static bool apply_role(struct parser *p, void *target, const char *value,
		       char *why, size_t why_size)
{
	struct config_interface *interface = target;
	char shown[72];

	(void)p;
	if (strcmp(value, "gateway") == 0)
		interface->role = CONFIG_ROLE_GATEWAY;
	else if (strcmp(value, "client") == 0)
		interface->role = CONFIG_ROLE_CLIENT;
	else {
		snprintf(why, why_size, "expected gateway or client, got %s",
			 quoted(value, shown, sizeof(shown)));
		return false;
	}
	return true;
}

static bool apply_device(struct parser *p, void *target, const char *value,
			 char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_ifname(interface->device, value, why, why_size);
}

static bool apply_listen(struct parser *p, void *target, const char *value,
			 char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return add_sockaddr(interface->listen, &interface->n_listen,
			    CONFIG_MAX_LISTEN, value, "listen addresses", why,
			    why_size);
}

static bool apply_private_key_file(struct parser *p, void *target,
				   const char *value, char *why,
				   size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_path(interface->private_key_file, value, why, why_size);
}

static bool apply_state_file(struct parser *p, void *target, const char *value,
			     char *why, size_t why_size)
{
	struct config_interface *interface = target;

	p->interface_has_state_file = true;
	return set_path(interface->state_file, value, why, why_size);
}

static bool apply_event_log(struct parser *p, void *target, const char *value,
			    char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	if (strcmp(value, "stdout") == 0) {
		interface->event_log_stdout = true;
		return true;
	}
	if (set_path(interface->event_log, value, why, why_size))
		return true;
	snprintf(why, why_size,
		 "expected stdout or an absolute path, got "
		 "\"%.64s\"",
		 value);
	return false;
}

static bool apply_syslog(struct parser *p, void *target, const char *value,
			 char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_switch(&interface->syslog, value, why, why_size);
}

static bool apply_journald(struct parser *p, void *target, const char *value,
			   char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_switch(&interface->journald, value, why, why_size);
}

static bool apply_cef_log(struct parser *p, void *target, const char *value,
			  char *why, size_t why_size)
{
	struct config_interface *interface = target;

	(void)p;
	return set_path(interface->cef_log, value, why, why_size);
}

static bool apply_control_socket(struct parser *p, void *target,
				 const char *value, char *why, size_t why_size)
{
	struct config_interface *interface = target;
	/* sun_path holds 108 bytes with the NUL */
	const size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

	p->interface_has_control_socket = true;
	if (strlen(value) > max) {
		snprintf(why, why_size,
			 "a unix socket path has at most %zu "
			 "characters",
			 max);
		return false;
	}
	return set_path(interface->control_socket, value, why, why_size);
}

/* Metrics tell a stranger much about the network: loopback only. */
static bool is_loopback(const union jvpn_sockaddr *addr)
{
	if (addr->sa.sa_family == AF_INET)
		return (ntohl(addr->in4.sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&addr->in6.sin6_addr);
}

static bool apply_metrics_listen(struct parser *p, void *target,
				 const char *value, char *why, size_t why_size)
{
	struct config_interface *interface = target;
	union jvpn_sockaddr addr;

	(void)p;
	if (strcmp(value, "off") == 0) {
		memset(&interface->metrics_listen, 0,
		       sizeof(interface->metrics_listen));
		return true;
	}
	if (!parse_sockaddr(value, &addr, why, why_size))
		return false;
	if (!is_loopback(&addr)) {
		snprintf(why, why_size,
			 "%s is not a loopback address: "
			 "metrics are served on 127.0.0.0/8 or [::1] only; "
			 "put a proxy in front to publish them",
			 value);
		return false;
	}
	interface->metrics_listen = addr;
	return true;
}

static bool apply_interface_profile(struct parser *p, void *target,
				    const char *value, char *why,
				    size_t why_size)
{
	struct config_interface *interface = target;

	p->interface_has_profile = true;
	return lookup_profile(p, value, &interface->policy, why, why_size);
}

static const struct rule interface_rules[] = {
	{ "role", false, ROLE_ANY, NULL, apply_role },
	{ "device", false, ROLE_ANY, NULL, apply_device },
	{ "listen", true, ROLE_GATEWAY,
	  "only a gateway listens; a client "
	  "sends from its uplinks",
	  apply_listen },
	{ "private-key-file", false, ROLE_ANY, NULL, apply_private_key_file },
	{ "state-file", false, ROLE_ANY, NULL, apply_state_file },
	{ "event-log", false, ROLE_ANY, NULL, apply_event_log },
	{ "syslog", false, ROLE_ANY, NULL, apply_syslog },
	{ "journald", false, ROLE_ANY, NULL, apply_journald },
	{ "cef-log", false, ROLE_ANY, NULL, apply_cef_log },
	{ "control-socket", false, ROLE_ANY, NULL, apply_control_socket },
	{ "metrics-listen", false, ROLE_ANY, NULL, apply_metrics_listen },
	{ "profile", false, ROLE_ANY, NULL, apply_interface_profile },
};

/* The role decides which keys a [peer] may have, wherever it is. */
void look_up_role(struct parser *p)
{
	for (size_t s = 0; s < p->sections.count; s++) {
		const struct section *section =
			VEC_AT(&p->sections, struct section, s);

		if (section->kind != SECTION_INTERFACE)
			continue;
		for (size_t i = 0; i < section->n_entries; i++) {
			const struct entry *entry =
				VEC_AT(&p->entries, struct entry,
				       section->first_entry + i);

			if (strcmp(entry->key, "role") == 0) {
				if (!strcmp(entry->value, "gateway"))
					p->role = CONFIG_ROLE_GATEWAY;
				else if (!strcmp(entry->value, "client"))
					p->role = CONFIG_ROLE_CLIENT;
				return;
			}
		}
		return; /* only the first [interface] counts */
	}
}

static void finish_interface(struct parser *p, const struct seen *seen)
{
	struct config_interface *interface = &p->config->interface;
	const size_t n = ARRAY_SIZE(interface_rules);
	unsigned int line = p->interface_line;

	require_key(p, interface_rules, n, seen, line, "role",
		    "set role = gateway or role = client");
	require_key(p, interface_rules, n, seen, line, "private-key-file",
		    "the path of this side's X25519 private key");
	require_key(p, interface_rules, n, seen, line, "profile",
		    "choose mobile, datacenter or a [policy NAME] of your "
		    "own: a deployment must define its policy");
	if (p->role == CONFIG_ROLE_GATEWAY)
		require_key(p, interface_rules, n, seen, line, "listen",
			    "a gateway needs at least one ADDR:PORT");
	if (!p->interface_has_state_file)
		snprintf(interface->state_file, sizeof(interface->state_file),
			 "/var/lib/jvpnd/%s.state", interface->device);
	if (!p->interface_has_control_socket)
		snprintf(interface->control_socket,
			 sizeof(interface->control_socket),
			 "/run/jvpnd/%s.sock", interface->device);
	/* The seeds make observability mandatory: no outlet is a risk. */
	if (!interface->event_log[0] && !interface->event_log_stdout &&
	    !interface->syslog && !interface->journald &&
	    !interface->cef_log[0])
		diag_report(p->diag, DIAG_WARNING, line, "LoggingPipeline",
			    "LoggingPipeline: no event outlet; set event-log, "
			    "syslog = on, journald = on or cef-log, or every "
			    "event is lost");
}

void read_interface_section(struct parser *p, const struct section *section)
{
	struct config_interface *interface = &p->config->interface;
	struct seen seen = { { 0 } };

	if (p->interface_line) {
		diag_report(p->diag, DIAG_ERROR, section->line, "interface",
			    "[interface]: a second [interface] section; the "
			    "first is at line %u",
			    p->interface_line);
		return;
	}
	p->interface_line = section->line;
	snprintf(interface->device, sizeof(interface->device), "jvpn0");
	apply_section(p, section, interface_rules, ARRAY_SIZE(interface_rules),
		      "[interface]", interface, &seen);
	finish_interface(p, &seen);
}
