/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Names for the numbers of uapi/linux/jvpn.h, both ways. A *_name()
 * function returns NULL for a number it does not know (a newer kernel);
 * a *_by_name() function returns -1 for a name it does not know.
 */
#ifndef JVPN_NAMES_H
#define JVPN_NAMES_H

const char *jvpn_state_name(unsigned int state);
int jvpn_state_by_name(const char *name);

const char *jvpn_del_reason_name(unsigned int reason);
int jvpn_del_reason_by_name(const char *name);

/* "created", "deleted", ... for the JVPN_CMD_EVENT_* commands */
const char *jvpn_event_name(unsigned int cmd);
int jvpn_event_by_name(const char *name);

/* "JVPN_A_SESSION_ID": to say which attribute the kernel objected to */
const char *jvpn_attr_name(unsigned int type);

/*
 * The name of attribute type inside a nest of type parent ("JVPN_EP_A_PORT"
 * inside JVPN_A_REMOTE); parent 0 means the top level.
 */
const char *jvpn_nested_attr_name(unsigned int parent, unsigned int type);

#endif /* JVPN_NAMES_H */
