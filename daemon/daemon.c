// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "daemon.h"
#include "metrics.h"
#include "reason.h"
#include "statefile.h"
#include "sessions.h"
#include "udp.h"

uint64_t now_ms(void)
{
	struct timespec ts;

	/* the clock of the kernel's last-rx times */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const struct hs_time *peer_time_get(const struct jvpnd *d,
				    const uint8_t pub[JVPN_KEY_LEN])
{
	for (size_t i = 0; i < d->n_peer_times; i++)
		if (!memcmp(d->peer_times[i].pub, pub, JVPN_KEY_LEN))
			return &d->peer_times[i].ts;
	return NULL;
}

void peer_time_set(struct jvpnd *d, const uint8_t pub[JVPN_KEY_LEN],
		   const struct hs_time *ts)
{
	struct hs_time *t = (struct hs_time *)peer_time_get(d, pub);

	if (!t && d->n_peer_times < CONFIG_MAX_PEERS) {
		memcpy(d->peer_times[d->n_peer_times].pub, pub, JVPN_KEY_LEN);
		t = &d->peer_times[d->n_peer_times++].ts;
	}
	if (t)
		*t = *ts;
}

size_t daemon_count_sessions(const struct jvpnd *d,
			     uint64_t by_state[STATS_STATES])
{
	size_t n = 0;

	for (size_t i = 0; i < d->n_sessions; i++) {
		const struct session *s = &d->sessions[i];

		if (!s->in_use)
			continue;
		n++;
		if (by_state && s->sm.state < STATS_STATES)
			by_state[s->sm.state]++;
	}
	return n;
}

struct session *session_find(struct jvpnd *d, uint64_t id)
{
	for (size_t i = 0; i < d->n_sessions; i++)
		if (d->sessions[i].in_use && d->sessions[i].id == id)
			return &d->sessions[i];
	return NULL;
}

void emit(struct jvpnd *d, enum event_type type, const struct session *s,
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
		.new_transport = s ? sockaddr_text(&s->remote, remote,
						   sizeof(remote)) : NULL,
		.detail = detail,
	};

	events_emit(&d->out, &ev);
}

/*
 * The kernel's mirror fell behind (a mirror that failed once): move it to
 * the daemon's version if it is older. A newer one is ambiguous, and
 * ambiguity ends the session.
 */
static int resync_kernel_version(struct jvpnd *d, struct session *s,
				 const struct sm_record *rec)
{
	struct kernel_session_info info;

	if (kernel_session_get(&d->kreq, s->id, &info))
		return -ESTALE;
	if (info.state_version < rec->new_version)
		return kernel_session_set_state(&d->kreq, s->id,
						info.state_version,
						rec->new_version,
						(uint8_t)rec->new_state);
	kernel_session_del(&d->kreq, s->id, JVPN_DEL_REASON_SECURITY);
	s->in_kernel = false;
	return -ESTALE;
}

void session_sm_outlet(void *ctx, const struct sm_record *rec)
{
	struct session *s = ctx;
	struct jvpnd *d = s->d;
	char remote[64];
	struct event ev = {
		.type = rec->new_state == JVPN_STATE_TERMINATED ?
			EV_SESSION_TERMINATED : rec->old_state == rec->new_state ?
			EV_TRANSPORT_SWITCH : EV_STATE_CHANGE,
		.session_id = s->id,
		.state_version = rec->new_version,
		.reason = rec->reason,
		.old_state = (int)rec->old_state,
		.new_state = (int)rec->new_state,
		.new_transport = sockaddr_text(&s->remote, remote, sizeof(remote)),
		.detail = s->end_detail,
	};
	int err;

	events_emit(&d->out, &ev);
	daemon_changed(d);
	/* a switch is mirrored by the kernel's own compare-and-swap */
	if (!s->in_kernel || rec->old_state == rec->new_state ||
	    rec->new_state == JVPN_STATE_TERMINATED)
		return;
	err = kernel_session_set_state(&d->kreq, s->id, rec->old_version,
				       rec->new_version, (uint8_t)rec->new_state);
	if (err == -ESTALE)
		err = resync_kernel_version(d, s, rec);
	if (err)
		fprintf(stderr, "jvpnd: session %llu: mirroring state: %s\n",
			(unsigned long long)s->id, d->kreq.err);
}

void daemon_changed(struct jvpnd *d)
{
	if (!statefile_save(d))
		fprintf(stderr, "jvpnd: state-file %s: %s\n",
			d->cfg.interface.state_file, strerror(errno));
}

int daemon_watch_fd(struct jvpnd *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static struct fd_watch *find_watch(struct jvpnd *d, int fd)
{
	for (size_t i = 0; i < JVPND_MAX_WATCHES; i++)
		if (d->watches[i].fn && d->watches[i].fd == fd)
			return &d->watches[i];
	return NULL;
}

int daemon_watch(struct jvpnd *d, int fd, uint32_t events, daemon_fd_fn fn,
		 void *ctx)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	struct fd_watch *w = find_watch(d, fd);

	for (size_t i = 0; !w && i < JVPND_MAX_WATCHES; i++)
		if (!d->watches[i].fn)
			w = &d->watches[i];
	if (!w)
		return -ENOSPC;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	*w = (struct fd_watch){ .fd = fd, .fn = fn, .ctx = ctx };
	return 0;
}

int daemon_rewatch(struct jvpnd *d, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(d->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

void daemon_unwatch(struct jvpnd *d, int fd)
{
	struct fd_watch *w = find_watch(d, fd);

	if (!w)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
	*w = (struct fd_watch){ .fd = -1 };
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
	return d->sigfd < 0 ? -errno : daemon_watch_fd(d, d->sigfd);
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
	return daemon_watch_fd(d, d->timerfd);
}

static bool is_gateway(const struct jvpnd *d)
{
	return d->cfg.interface.role == CONFIG_ROLE_GATEWAY;
}

/* Peers are found again by key: a reload may add, remove or reorder them. */
static void remap_peers(struct jvpnd *d)
{
	for (size_t i = 0; i < d->n_sessions; i++) {
		struct session *s = &d->sessions[i];
		bool found = false;

		if (!s->in_use)
			continue;
		for (size_t p = 0; p < d->cfg.n_peers && !found; p++)
			if (!memcmp(d->cfg.peers[p].public_key, s->peer_pub,
				    JVPN_KEY_LEN)) {
				s->peer = p;
				found = true;
			}
		if (!found)	/* the operator removed the peer */
			session_end(d, s, JVPND_REASON_ADMIN);
	}
}

/*
 * Every reload reopens the event outlets, even with a refused file: that
 * is how logrotate's move-then-HUP works. The counts say what each outlet
 * lost before.
 */
static void reopen_outlets(struct jvpnd *d)
{
	char err[512], counts[256], detail[300];

	if (events_open(&d->out, &d->cfg.interface, err, sizeof(err)) || *err)
		fprintf(stderr, "jvpnd: reopening outlets: %s\n", err);
	events_counts_text(&d->out, counts, sizeof(counts));
	snprintf(detail, sizeof(detail), "outlets reopened: %s", counts);
	emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN, detail);
}

bool daemon_reload(struct jvpnd *d, struct diag *diag)
{
	struct config next;

	if (config_reload(&d->cfg, d->config_path, &next, diag)) {
		diag_print(diag, stderr);
		reopen_outlets(d);
		emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN,
		     "reload refused: the running configuration stays");
		return false;
	}
	config_free(&d->cfg);
	d->cfg = next;
	metrics_apply_config(d);
	remap_peers(d);
	reopen_outlets(d);
	emit(d, EV_DAEMON, NULL, JVPND_REASON_ADMIN, "configuration reloaded");
	return true;
}

/* SIGHUP */
static void reload(struct jvpnd *d)
{
	struct diag diag;

	daemon_reload(d, &diag);
}

static void on_signal(struct jvpnd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(d);
		else
			d->stop = true;
	}
}

static void on_kernel_event(const struct kernel_event *ev, void *ctx)
{
	struct jvpnd *d = ctx;

	if (ev->ifindex != d->kreq.ifindex)
		return;
	if (is_gateway(d))
		gateway_kernel_event(d, ev);
	else
		client_kernel_event(d, ev);
}

static void on_datagrams(struct jvpnd *d, int fd)
{
	uint8_t buf[JVPND_MAX_DATAGRAM];
	union config_sockaddr from;
	ssize_t n;

	while ((n = udp_recv(fd, &from, buf, sizeof(buf))) >= 0) {
		if (n < 1)
			continue;
		if (is_gateway(d))
			gateway_datagram(d, fd, &from, buf, (size_t)n);
		else
			client_datagram(d, fd, &from, buf, (size_t)n);
	}
}

/*
 * What `systemctl status jvpnd` shows, and the watchdog's ping. Nothing
 * to do outside systemd; under it the status is recounted once a second,
 * not on every tick.
 */
static void tell_systemd(struct jvpnd *d)
{
	uint64_t by_state[STATS_STATES] = { 0 }, now = now_ms();
	char status[128];
	size_t n;

	if (d->notify.fd < 0)
		return;
	notify_tick(&d->notify, now);
	if (d->notify.status[0] && now - d->notify_status_ms < 1000)
		return;
	d->notify_status_ms = now;
	n = daemon_count_sessions(d, by_state);
	snprintf(status, sizeof(status), "%s %s: %zu sessions (%" PRIu64
		 " active, %" PRIu64 " volatile, %" PRIu64 " degraded)",
		 is_gateway(d) ? "gateway" : "client", d->cfg.interface.device,
		 n, by_state[JVPN_STATE_ACTIVE], by_state[JVPN_STATE_VOLATILE],
		 by_state[JVPN_STATE_DEGRADED]);
	notify_status(&d->notify, status);
}

static void on_tick(struct jvpnd *d)
{
	uint64_t expirations;

	if (read(d->timerfd, &expirations, sizeof(expirations)) < 0)
		return;
	if (is_gateway(d))
		gateway_tick(d);
	else
		client_tick(d);
	control_tick(d);
	tell_systemd(d);
}

static void dispatch(struct jvpnd *d, int fd, uint32_t events)
{
	struct fd_watch *w = find_watch(d, fd);

	if (w)
		w->fn(d, fd, events, w->ctx);
	else if (fd == d->sigfd)
		on_signal(d);
	else if (fd == d->timerfd)
		on_tick(d);
	else if (fd == kernel_events_fd(&d->kev)) {
		if (kernel_events_read(&d->kev, on_kernel_event, d) == -ENOBUFS)
			emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE,
			     "kernel events lost: resynchronising from a dump");
	} else
		on_datagrams(d, fd);
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

int daemon_run(struct jvpnd *d)
{
	struct epoll_event evs[16];
	int n, err;

	d->started_ms = now_ms();
	notify_init(&d->notify);
	stats_init(&d->stats);
	if (events_add_tap(&d->out, count_event, d))
		fprintf(stderr, "jvpnd: no room for the counters' event tap\n");
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0 || setup_signals(d) || setup_timer(d) ||
	    daemon_watch_fd(d, kernel_events_fd(&d->kev))) {
		perror("jvpnd: event loop");
		return 1;
	}
	if (statefile_restore(d) > 0)
		emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE,
		     "restarted: sessions taken back from the kernel");
	err = is_gateway(d) ? gateway_start(d) : client_start(d);
	if (err || control_start(d))
		return 1;
	metrics_apply_config(d);
	emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE, "started");
	notify_send(&d->notify, "READY=1");
	tell_systemd(d);
	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, 16, -1);
		if (n < 0 && errno != EINTR) {
			perror("jvpnd: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++)
			dispatch(d, evs[i].data.fd, evs[i].events);
	}
	notify_send(&d->notify, "STOPPING=1");
	emit(d, EV_DAEMON, NULL, JVPND_REASON_NONE,
	     "stopping: sessions stay in the kernel");
	metrics_stop(d);
	control_stop(d);
	notify_close(&d->notify);
	return 0;
}
