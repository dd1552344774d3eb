// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "emit.h"
#include "udp.h"

void jvpnd_emit(struct jvpnd *d, enum event_type type, const struct session *s,
		enum jvpnd_reason reason, const char *detail)
{
	char remote[64];
	struct event ev = {
		.type = type,
		.session_id = s ? s->id : 0,
		.state_version = s ? s->sm.version : 0,
		.reason = reason,
		.old_state = -1,
		.new_state = s ? (int)s->sm.state : -1,
		.new_transport = s ? jvpn_sockaddr_text(&s->remote, remote,
							sizeof(remote))
				   : NULL,
		.detail = detail,
	};

	events_emit(&d->out, &ev);
}
