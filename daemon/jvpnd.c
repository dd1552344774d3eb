// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The composition root: jvpnd's parts put together and driven by one
 * loop. Nothing below this file calls it; it calls them (the layers of
 * docs/architecture.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "control.h"
#include "emit.h"
#include "jvpnd_run.h"
#include "kernelback.h"
#include "metrics.h"
#include "reconfigure.h"
#include "role.h"
#include "sessions.h"
#include "statefile.h"

static void on_signal(void *ctx, int fd, uint32_t events)
{
	struct jvpnd *d = ctx;
	struct signalfd_siginfo si;
	struct diag diag;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			jvpnd_reload(d, &diag);
		else
			d->stop = true;
	}
}

static int setup_signals(struct jvpnd *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return -errno;
	return loop_watch(&d->loop, d->sigfd, EPOLLIN, on_signal, d);
}

/*
 * What `systemctl status jvpnd` shows, and the watchdog's ping. Nothing
 * to do outside systemd; under it the status is recounted once a second,
 * not on every tick.
 */
static void tell_systemd(struct jvpnd *d)
{
	uint64_t by_state[STATS_STATES] = { 0 }, now = jvpn_boot_ms();
	char status[128];
	size_t n;

	if (d->notify.fd < 0)
		return;
	notify_tick(&d->notify, now);
	if (d->notify.status[0] && now - d->notify_status_ms < 1000)
		return;
	d->notify_status_ms = now;
	n = sessions_count(d, by_state);
	snprintf(status, sizeof(status),
		 "%s %s: %zu sessions (%" PRIu64 " active, %" PRIu64
		 " volatile, %" PRIu64 " degraded)",
		 d->role->name, d->cfg.interface.device, n,
		 by_state[JVPN_STATE_ACTIVE], by_state[JVPN_STATE_VOLATILE],
		 by_state[JVPN_STATE_DEGRADED]);
	notify_status(&d->notify, status);
}

static void on_kernel_events(void *ctx, int fd, uint32_t events);

static void on_tick(void *ctx, int fd, uint32_t events)
{
	struct jvpnd *d = ctx;
	uint64_t expirations;

	(void)events;
	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return;
	kernelback_tick(d, on_kernel_events);
	d->role->tick(d);
	jvpnd_emit_flush(d);
	control_tick(d);
	tell_systemd(d);
}

static int setup_timer(struct jvpnd *d)
{
	struct itimerspec it = {
		.it_interval.tv_nsec = JVPND_TICK_MS * 1000000L,
		.it_value.tv_nsec = JVPND_TICK_MS * 1000000L,
	};

	d->timerfd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timerfd < 0 || timerfd_settime(d->timerfd, 0, &it, NULL))
		return -errno;
	return loop_watch(&d->loop, d->timerfd, EPOLLIN, on_tick, d);
}

static void on_kernel_event(const struct kernel_event *ev, void *ctx)
{
	struct jvpnd *d = ctx;

	if (ev->ifindex != d->kreq.ifindex)
		return;
	/* the device is going, perhaps with its module: the sessions stay
	 * (daemon/kernelback.h) */
	if (ev->type == KERNEL_EV_DELETED &&
	    ev->del_reason == JVPN_DEL_REASON_DEVICE_GONE) {
		kernelback_device_gone(d);
		return;
	}
	if (ev->type == KERNEL_EV_DELETED)
		sessions_kernel_deleted(d, ev->id, ev->del_reason);
	d->role->kernel_event(d, ev);
}

/* Kernel events were lost (ENOBUFS): a DELETED among them would leave a
 * ghost, so the kernel's dump decides which sessions still exist. */
static void resync_from_dump(struct jvpnd *d)
{
	char detail[96];
	int ended = sessions_reconcile(d);

	if (ended < 0)
		snprintf(detail, sizeof(detail),
			 "kernel events lost: the dump failed: %s",
			 strerror(-ended));
	else
		snprintf(detail, sizeof(detail),
			 "kernel events lost: resynchronised from a dump, %d "
			 "session%s gone",
			 ended, ended == 1 ? "" : "s");
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE, detail);
}

static void on_kernel_events(void *ctx, int fd, uint32_t events)
{
	struct jvpnd *d = ctx;

	(void)fd;
	(void)events;
	if (kernel_events_read(&d->kev, on_kernel_event, d) == -ENOBUFS)
		resync_from_dump(d);
}

/* Every event feeds the counters /metrics serves (stats.h). */
static void count_event(void *ctx, const struct event *ev, uint64_t seq,
			const char *json, size_t len)
{
	struct jvpnd *d = ctx;

	(void)seq;
	(void)json;
	(void)len;
	stats_on_event(&d->stats, ev);
}

/* Once per wakeup, after everything that woke the loop was handled. */
static void save_if_changed(struct jvpnd *d)
{
	uint64_t now = jvpn_boot_ms();
	char what[CONFIG_PATH_MAX + 128];

	if (!d->dirty || (d->unsaved && now < d->save_retry_ms))
		return;
	if (statefile_save(d)) {
		d->dirty = false;
		if (d->unsaved)
			jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE,
				   "state-file written again: new sessions are "
				   "taken");
		d->unsaved = false;
		return;
	}
	/* dirty stays set: tried again a second later, not on every packet */
	d->save_retry_ms = now + 1000;
	if (d->unsaved)
		return;
	d->unsaved = true;
	snprintf(what, sizeof(what),
		 "state-file %s: %s: no new session until it can be written",
		 d->cfg.interface.state_file, strerror(errno));
	fprintf(stderr, "jvpnd: %s\n", what);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE, what);
}

static bool start(struct jvpnd *d)
{
	d->started_ms = jvpn_boot_ms();
	notify_init(&d->notify);
	stats_init(&d->stats);
	refusals_init(&d->refusals);
	if (events_add_tap(&d->out, count_event, d))
		fprintf(stderr, "jvpnd: no room for the counters' event tap\n");
	if (loop_init(&d->loop) || setup_signals(d) || setup_timer(d) ||
	    loop_watch(&d->loop, kernel_events_fd(&d->kev), EPOLLIN,
		       on_kernel_events, d)) {
		perror("jvpnd: event loop");
		return false;
	}
	kernelback_init(d);
	if (statefile_restore(d) > 0)
		jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE,
			   "restarted: sessions taken back from the kernel");
	if (d->role->start(d) || control_start(d))
		return false;
	metrics_apply_config(d);
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE, "started");
	notify_send(&d->notify, "READY=1");
	tell_systemd(d);
	return true;
}

int jvpnd_run(struct jvpnd *d)
{
	int err = 0;

	if (!start(d))
		return 1;
	while (!d->stop && !err) {
		save_if_changed(d);
		err = loop_run_once(&d->loop, -1);
	}
	save_if_changed(d);
	if (err) {
		fprintf(stderr, "jvpnd: epoll_wait: %s\n", strerror(-err));
		return 1;
	}
	notify_send(&d->notify, "STOPPING=1");
	jvpnd_emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE,
		   "stopping: sessions stay in the kernel");
	if (d->role->stop)
		d->role->stop(d);
	metrics_stop(d);
	control_stop(d);
	notify_close(&d->notify);
	loop_close(&d->loop);
	return 0;
}
