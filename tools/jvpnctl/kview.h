/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The kernel's view, read over generic netlink: jvpn devices, their
 * counters and their sessions, as flat objects. Names follow the daemon's
 * (session_id, state_version) so that the two views merge by key.
 */
#ifndef JVPNCTL_KVIEW_H
#define JVPNCTL_KVIEW_H

#include <net/if.h>
#include <stdint.h>

#include "nl.h"
#include "obj.h"

struct kdev {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
	struct obj counters;
};

struct objs {
	struct obj *items;
	size_t n;
};

/* Every function returns an enum jvpnctl_exit, having said why. */
int kview_open(struct jvpn_nl *nl, const char *cmd);
/* @only: one device's name, or NULL for every jvpn device. */
int kview_devices(struct jvpn_nl *nl, const char *only, struct kdev **devs,
		  size_t *n);
void kview_free_devices(struct kdev *devs, size_t n);
int kview_sessions(struct jvpn_nl *nl, const struct kdev *dev,
		   struct objs *out);
int kview_session(struct jvpn_nl *nl, const struct kdev *dev, uint64_t id,
		  struct obj *out);
/* A kernel message (an event, a session) as an object. */
void kview_to_obj(const struct nlmsghdr *nlh, struct obj *out);

struct obj *objs_push(struct objs *list);
void objs_free(struct objs *list);
/* The element whose member @key equals @value, or NULL. */
struct obj *objs_find(const struct objs *list, const char *key,
		      const char *value);

#endif /* JVPNCTL_KVIEW_H */
