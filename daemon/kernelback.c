// SPDX-License-Identifier: GPL-2.0 OR MIT
/* See kernelback.h. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "clock.h"
#include "emit.h"
#include "kernelback.h"
#include "role.h"
#include "sessions.h"

void kernelback_init(struct jvpnd *d)
{
	struct netconf n;

	if (netconf_open(&n) ||
	    netconf_device_read(&n, (int)d->kreq.ifindex, &d->device.conf))
		fprintf(stderr,
			"jvpnd: device %s: %s: if jvpn.ko is reloaded, it "
			"comes back without its addresses\n",
			d->cfg.interface.device, n.err);
	netconf_close(&n);
}

static size_t lost_sessions(const struct jvpnd *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n_sessions; i++)
		n += d->sessions[i].in_use && d->sessions[i].lost;
	return n;
}

static void lose(struct jvpnd *d)
{
	char what[160];

	d->device.lost = true;
	d->device.lost_ifindex = d->kreq.ifindex;
	d->device.lost_ms = jvpn_boot_ms();
	d->device.retry_ms = d->device.lost_ms;
	d->device.waiting_said = false;
	sessions_kernel_lost(d);
	snprintf(what, sizeof(what),
		 "device %s gone (was jvpn.ko unloaded?): %zu session%s kept, "
		 "each resumed by a fresh handshake once it is back",
		 d->cfg.interface.device, lost_sessions(d),
		 lost_sessions(d) == 1 ? "" : "s");
	fprintf(stderr, "jvpnd: %s\n", what);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_KERNEL_LOST, what);
}

void kernelback_device_gone(struct jvpnd *d)
{
	if (!d->device.lost)
		lose(d);
}

/* Loaded and initialised: a device of its kind can be made now. Waiting
 * for it instead of making one, which would load whatever module file is
 * installed, is what lets an operator who unloads it keep it unloaded. */
static bool module_live(void)
{
	char state[16] = "";
	FILE *f = fopen("/sys/module/jvpn/initstate", "re");

	if (!f)
		return false;
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	return !strncmp(state, "live", 4);
}

/* The device again, made if it is missing, with what it had: its index,
 * or 0 while the module is not there (or the old device not yet gone). */
static unsigned int device_again(struct jvpnd *d)
{
	const char *name = d->cfg.interface.device;
	unsigned int idx = if_nametoindex(name);
	struct netconf n;

	if (idx == d->device.lost_ifindex || (!idx && !module_live()))
		return 0;
	if (netconf_open(&n)) {
		fprintf(stderr, "jvpnd: device %s: %s\n", name, n.err);
		return 0;
	}
	if (!idx && !netconf_device_create(&n, name, "jvpn", &d->device.conf))
		idx = if_nametoindex(name);
	if (idx && netconf_device_restore(&n, (int)idx, &d->device.conf))
		fprintf(stderr, "jvpnd: device %s: %s\n", name, n.err);
	if (!idx && n.err[0])
		fprintf(stderr, "jvpnd: %s\n", n.err);
	netconf_close(&n);
	return idx;
}

/* New links to the new family and device, the event link in the loop. */
static bool links_again(struct jvpnd *d, loop_fn on_events)
{
	const char *name = d->cfg.interface.device;
	struct kernel_link req, ev;

	if (!kernel_open(&req, name))
		return false;
	if (!kernel_open_events(&ev, name)) {
		kernel_close(&req);
		return false;
	}
	loop_unwatch(&d->loop, kernel_events_fd(&d->kev));
	kernel_close(&d->kev);
	kernel_close(&d->kreq);
	d->kreq = req;
	d->kev = ev;
	return !loop_watch(&d->loop, kernel_events_fd(&d->kev), EPOLLIN,
			   on_events, d);
}

static void back(struct jvpnd *d)
{
	char what[160];

	d->device.lost = false;
	snprintf(what, sizeof(what),
		 "device %s back (ifindex %u) after %llu ms: resuming %zu "
		 "session%s",
		 d->cfg.interface.device, d->kreq.ifindex,
		 (unsigned long long)(jvpn_boot_ms() - d->device.lost_ms),
		 lost_sessions(d), lost_sessions(d) == 1 ? "" : "s");
	fprintf(stderr, "jvpnd: %s\n", what);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_RECOVERED, what);
	if (d->role->kernel_back)
		d->role->kernel_back(d);
}

static void retry(struct jvpnd *d, loop_fn on_events)
{
	uint64_t now = jvpn_boot_ms();

	if (now < d->device.retry_ms)
		return;
	d->device.retry_ms = now + KERNELBACK_RETRY_MS;
	if (!device_again(d) || !links_again(d, on_events)) {
		if (!d->device.waiting_said && now - d->device.lost_ms > 5000) {
			d->device.waiting_said = true;
			jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_KERNEL_LOST,
				   "still waiting for jvpn.ko and the device");
		}
		return;
	}
	back(d);
}

/* Another device of the name, or none (ENODEV; any other failure of the
 * lookup says nothing of the device). */
static bool device_changed(const struct jvpnd *d)
{
	unsigned int idx = if_nametoindex(d->cfg.interface.device);

	return idx ? idx != d->kreq.ifindex : errno == ENODEV;
}

bool kernelback_tick(struct jvpnd *d, loop_fn on_events)
{
	if (!d->device.lost && device_changed(d))
		lose(d);
	if (d->device.lost)
		retry(d, on_events);
	return d->device.lost;
}
