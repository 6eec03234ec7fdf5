/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape-agent: the node daemon. One sd-event loop: the refresh timer (interval plus random
 * jitter, backoff after failures), the fetch helper of the refresh in flight (a child; its
 * exit, and a timer that stops it past FETCH_TIMEOUT_S), a tick timer armed only while a
 * transition or a healthy window is open, /dev/kmsg (reports are flushed to the engine after
 * 100 ms of quiet), the control socket, SIGTERM/SIGINT, and the systemd watchdog. Nothing
 * blocks the loop on the network: status stays answerable and a transition stays watched
 * while a refresh runs.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "agent_config.h"
#include "control.h"
#include "daemon_companion.h"
#include "daemon_fleet.h"
#include "engine.h"
#include "fileio.h"
#include "kwatch.h"
#include "log.h"
#include "util.h"

/* control clients waiting for the refresh in flight; more are answered at once */
#define MAX_REFRESH_WAITERS 32
/* control clients reading their request or taking their answer */
#define MAX_CLIENTS 32
#define ACCEPT_PAUSE_USEC 1000000
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

struct client;

struct daemon {
	struct agent_config cfg;
	struct engine engine;
	sd_event *event;
	sd_event_source *refresh_timer, *tick_timer;
	struct kwatch kmsg;
	sd_event_source *kmsg_source, *kmsg_flush_timer;
	sd_event_source *fetch_child, *fetch_timer;
	/* the fleet's helper runs: deliveries, enrolment */
	struct fleet_runner fleet;
	struct companion_runner companion;
	sd_event_source *listen_source, *accept_resume;
	struct client *clients, *clients_tail;
	size_t n_active, n_waiting;
	gid_t read_gid;
	bool have_read_gid;
	bool once, refreshed;
};

static void update_status(struct daemon *d)
{
	sd_notifyf(false, "STATUS=%s%s%s", d->engine.held ? "held; " : "",
		   d->engine.last_error[0] ? "archive: " : "",
		   d->engine.last_error[0] ? d->engine.last_error :
		   d->engine.busy_id ? "patch in transition" : "idle");
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata);

/* Ticks while something moves: every 250 ms in a transition, every second while a healthy
 * window is open, never otherwise (no wakeups between refreshes when idle). */
static void arm_tick(struct daemon *d)
{
	uint64_t now;
	int enabled;

	fleet_runner_kick(&d->fleet);
	if (!engine_busy(&d->engine)) {
		if (d->tick_timer)
			sd_event_source_set_enabled(d->tick_timer, SD_EVENT_OFF);
		if (d->once && d->refreshed)
			sd_event_exit(d->event, 0);
		return;
	}
	/* already due: a burst of control requests must not keep pushing it back */
	if (d->tick_timer && sd_event_source_get_enabled(d->tick_timer, &enabled) >= 0 &&
	    enabled != SD_EVENT_OFF)
		return;
	if (sd_event_now(d->event, CLOCK_MONOTONIC, &now) < 0)
		now = 0;        /* before the first iteration: due at once */
	now += engine_in_transition(&d->engine) ? 250000 : 1000000;
	if (!d->tick_timer)
		sd_event_add_time(d->event, &d->tick_timer, CLOCK_MONOTONIC, now, 50000, on_tick, d);
	else {
		sd_event_source_set_time(d->tick_timer, now);
		sd_event_source_set_enabled(d->tick_timer, SD_EVENT_ONESHOT);
	}
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	engine_tick(&d->engine);
	update_status(d);
	arm_tick(d);
	return 0;
}

/* The companion says the kernel moved: look at sysfs now, not at the next poll. */
static void tick_now(void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now;

	if (sd_event_now(d->event, CLOCK_MONOTONIC, &now) < 0)
		return;
	if (!d->tick_timer)
		sd_event_add_time(d->event, &d->tick_timer, CLOCK_MONOTONIC, now, 0, on_tick, d);
	else {
		sd_event_source_set_time(d->tick_timer, now);
		sd_event_source_set_enabled(d->tick_timer, SD_EVENT_ONESHOT);
	}
}

static int on_kmsg(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static void read_kmsg_now(void *userdata)
{
	struct daemon *d = userdata;

	if (d->kmsg_source && d->engine.kmsg.watching)
		on_kmsg(d->kmsg_source, d->kmsg.fd, EPOLLIN, d);
}

static void on_report(const struct kreport *r, void *userdata)
{
	struct daemon *d = userdata;

	engine_on_report(&d->engine, r);
}

static int on_kmsg_quiet(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	kwatch_flush(&d->kmsg);
	update_status(d);
	arm_tick(d);
	return 0;
}

static int on_kmsg(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now, reports = d->engine.kmsg.reports;

	if (kwatch_read(&d->kmsg) < 0) {
		log_error("kernel log: stopped watching after a read error");
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		d->engine.kmsg.watching = false;
	}
	/* a report still open gets its end marker soon, or is flushed after 100 ms of quiet */
	if (kwatch_pending(&d->kmsg) && sd_event_now(d->event, CLOCK_MONOTONIC, &now) >= 0) {
		if (!d->kmsg_flush_timer)
			sd_event_add_time(d->event, &d->kmsg_flush_timer, CLOCK_MONOTONIC,
					  now + 100000, 10000, on_kmsg_quiet, d);
		else {
			sd_event_source_set_time(d->kmsg_flush_timer, now + 100000);
			sd_event_source_set_enabled(d->kmsg_flush_timer, SD_EVENT_ONESHOT);
		}
	}
	/* ordinary records change nothing the engine acts on: keep the flood path cheap */
	if (d->engine.kmsg.reports != reports) {
		update_status(d);
		arm_tick(d);
	}
	return 0;
}

static int watch_kmsg(struct daemon *d)
{
	_cleanup_free_ char *path = agent_path(&d->cfg, d->cfg.kmsg);
	int r;

	if (!d->cfg.watch)
		return 0;
	r = kwatch_open(&d->kmsg, path, engine_kmsg_resume(&d->engine), on_report, d,
			&d->engine.kmsg);
	if (r < 0) {
		/* patches still get applied; status shows that nobody watches the log */
		log_error_errno(r, "kernel log: not watching %s: %m", path);
		return 0;
	}
	r = sd_event_add_io(d->event, &d->kmsg_source, d->kmsg.fd, EPOLLIN, on_kmsg, d);
	if (r < 0)
		return log_error_errno(r, "sd-event: %m");
	d->engine.kmsg.watching = true;
	/* the records already in the buffer: a WARN while the agent was down counts */
	return on_kmsg(d->kmsg_source, d->kmsg.fd, EPOLLIN, d);
}

/*
 * Control clients. Nothing here blocks the loop: a connection is read as its bytes come
 * (one io source each) into its own buffer, and must have sent its whole request within
 * CONTROL_DEADLINE_S; the answer is written as the client takes it, within the same time
 * again. At most MAX_CLIENTS connections read or write at once (a new one closes the
 * oldest), and at most MAX_REFRESH_WAITERS wait for a refresh.
 */
enum client_state {
	CLIENT_READING,
	CLIENT_WAITING,     /* for the refresh in flight: no deadline, the fetch has its own */
	CLIENT_WRITING,
};

struct client {
	struct daemon *d;
	struct client *prev, *next;     /* in accept order: d->clients is the oldest */
	int fd;
	enum client_state state;
	bool enroll;                    /* waiting for the enrolment, not the refresh */
	sd_event_source *io, *deadline;
	char *out;
	size_t out_len, out_done, used;
	char buf[CONTROL_MAX_REQUEST + 1];
};

static void start_refresh(struct daemon *d);

static void client_free(struct client *c)
{
	struct daemon *d = c->d;

	if (c->prev)
		c->prev->next = c->next;
	else
		d->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		d->clients_tail = c->prev;
	if (c->state == CLIENT_WAITING)
		d->n_waiting--;
	else
		d->n_active--;
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->deadline);
	close(c->fd);
	free(c->out);
	free(c);
}

static int client_deadline_in(struct client *c, uint64_t usec)
{
	uint64_t now;
	int r = sd_event_now(c->d->event, CLOCK_MONOTONIC, &now);

	if (r >= 0)
		r = sd_event_source_set_time(c->deadline, now + usec);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->deadline, SD_EVENT_ONESHOT);
	return r;
}

/* Writes what the client takes now; frees it once all is written or it has gone. */
static void client_flush(struct client *c)
{
	while (c->out_done < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_done, c->out_len - c->out_done,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (sd_event_source_set_io_events(c->io, EPOLLOUT) >= 0 &&
			    sd_event_source_set_enabled(c->io, SD_EVENT_ON) >= 0)
				return;
		}
		if (n <= 0)
			break;
		c->out_done += (size_t)n;
	}
	client_free(c);
}

/* Answers the client (resp is consumed) and closes it once the answer is out. */
static void client_reply(struct client *c, json_t *resp)
{
	char *out = resp ? json_dumps(resp, JSON_COMPACT) : NULL;

	json_decref(resp);
	if (!out) {
		client_free(c);
		return;
	}
	if (c->state == CLIENT_WAITING) {
		c->d->n_waiting--;
		c->d->n_active++;
	}
	c->state = CLIENT_WRITING;
	c->out_len = strlen(out);
	out[c->out_len++] = '\n';     /* json_dumps leaves room for the NUL we replace */
	c->out = out;
	if (client_deadline_in(c, (uint64_t)CONTROL_DEADLINE_S * 1000000) < 0) {
		client_free(c);
		return;
	}
	client_flush(c);
}

/* An answer that must not wait: one try, then the connection is closed. */
static void client_refuse(struct client *c, const char *msg)
{
	json_t *resp = control_error_reply(msg);
	char *out = resp ? json_dumps(resp, JSON_COMPACT) : NULL;

	if (out)
		(void)!send(c->fd, out, strlen(out), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(out);
	json_decref(resp);
	client_free(c);
}

static int on_client_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct client *c = userdata;

	if (c->state == CLIENT_READING)
		client_refuse(c, "request not complete within " STRINGIFY(CONTROL_DEADLINE_S) " s");
	else
		client_free(c);
	return 0;
}

static bool peer_in_group(const struct daemon *d, int fd, const struct ucred *cred)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (cred->uid == 0)
		return true;
	if (!d->have_read_gid)
		return false;
	/* SO_PEERGROUPS lists only the supplementary groups */
	if (cred->gid == d->read_gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == d->read_gid)
			return true;
	return false;
}

static void client_request(struct client *c, size_t len)
{
	struct daemon *d = c->d;
	struct control_peer peer = { .uid = (uid_t)-1 };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	json_t *resp;
	bool refresh;

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		peer.uid = cred.uid;
		peer.in_group = peer_in_group(d, c->fd, &cred);
	}
	resp = control_handle(&d->engine, &peer, c->buf, len, &refresh);
	sd_event_source_set_enabled(c->io, SD_EVENT_OFF);
	if (!resp && !refresh) {
		/* an enrolment: answered by answer_enroll_waiters() */
		c->state = CLIENT_WAITING;
		c->enroll = true;
		d->n_active--;
		d->n_waiting++;
		sd_event_source_set_enabled(c->deadline, SD_EVENT_OFF);
		fleet_runner_kick(&d->fleet);
		return;
	}
	if (refresh && d->n_waiting >= MAX_REFRESH_WAITERS) {
		resp = control_error_reply("refresh failed: too many requests waiting for the refresh");
	} else if (refresh) {
		/* answered by refresh_done(), perhaps at once */
		c->state = CLIENT_WAITING;
		d->n_active--;
		d->n_waiting++;
		sd_event_source_set_enabled(c->deadline, SD_EVENT_OFF);
		start_refresh(d);
		return;
	}
	client_reply(c, resp);
	update_status(d);
	arm_tick(d);
}

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct client *c = userdata;
	size_t cap = sizeof(c->buf);
	const char *nl;
	ssize_t n;

	if (c->state == CLIENT_WRITING) {
		client_flush(c);
		return 0;
	}
	for (;;) {
		n = recv(fd, c->buf + c->used, cap - c->used, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;          /* the rest comes later, or the deadline ends it */
		if (n < 0) {
			client_free(c);
			return 0;
		}
		if (n == 0)
			break;             /* the client shut its side: the request is all there */
		nl = memchr(c->buf + c->used, '\n', (size_t)n);
		c->used += (size_t)n;
		if (nl) {
			client_request(c, (size_t)(nl - c->buf));
			return 0;
		}
		if (c->used == cap)
			break;             /* more than CONTROL_MAX_REQUEST: refused by the parser */
	}
	client_request(c, c->used);
	return 0;
}

/* A refresh has ended (r: its outcome): answer who asked, apply, plan the next one. */
static void refresh_done(struct daemon *d, int r)
{
	uint64_t now, next;

	d->refreshed = true;
	for (struct client *c = d->clients, *after; c; c = after) {
		after = c->next;    /* answering may free c */
		if (c->state == CLIENT_WAITING && !c->enroll)
			client_reply(c, control_refresh_reply(&d->engine, r));
	}
	engine_tick(&d->engine);
	update_status(d);
	sd_event_now(d->event, CLOCK_MONOTONIC, &now);
	next = (uint64_t)engine_next_refresh(&d->engine) * 1000000;
	if (!d->engine.failures && d->cfg.refresh_jitter)
		next += (uint64_t)randombytes_uniform((uint32_t)d->cfg.refresh_jitter) * 1000000;
	sd_event_source_set_time(d->refresh_timer, now + next);
	sd_event_source_set_enabled(d->refresh_timer, SD_EVENT_ONESHOT);
	arm_tick(d);
}

static int on_fetch_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct daemon *d = userdata;
	int r = engine_refresh_end(&d->engine, si->si_code, si->si_status);

	d->fetch_child = sd_event_source_unref(d->fetch_child);
	d->fetch_timer = sd_event_source_disable_unref(d->fetch_timer);
	refresh_done(d, r);
	return 0;
}

static int on_fetch_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	engine_refresh_kill(&d->engine);    /* its exit ends the refresh */
	return 0;
}

/* Starts a refresh unless one runs; a refresh that could not start has ended already. */
static void start_refresh(struct daemon *d)
{
	pid_t pid;
	int r;

	if (engine_refreshing(&d->engine))
		return;
	r = engine_refresh_begin(&d->engine, &pid);
	if (r < 0) {
		refresh_done(d, r);
		return;
	}
	r = sd_event_add_child(d->event, &d->fetch_child, pid, WEXITED, on_fetch_exit, d);
	if (r >= 0) {
		/* stopping the daemon kills and reaps a helper still running */
		sd_event_source_set_child_process_own(d->fetch_child, true);
		r = sd_event_add_time_relative(d->event, &d->fetch_timer, CLOCK_MONOTONIC,
					       (uint64_t)FETCH_TIMEOUT_S * 1000000, 1000000,
					       on_fetch_timeout, d);
	}
	if (r < 0) {
		/* short of memory: stop the helper rather than lose track of it */
		siginfo_t si;

		log_error_errno(r, "sd-event: cannot watch the fetch helper: %m");
		engine_refresh_kill(&d->engine);
		if (d->fetch_child)
			d->fetch_child = sd_event_source_unref(d->fetch_child);   /* kills, reaps */
		else
			(void)waitid(P_PID, (id_t)pid, &si, WEXITED);
		refresh_done(d, engine_refresh_end(&d->engine, CLD_KILLED, SIGKILL));
	}
}

static int on_refresh(sd_event_source *s, uint64_t usec, void *userdata)
{
	start_refresh(userdata);
	return 0;
}

static void answer_enroll_waiters(void *userdata)
{
	struct daemon *d = userdata;

	for (struct client *c = d->clients, *after; c; c = after) {
		after = c->next;    /* answering may free c */
		if (c->state == CLIENT_WAITING && c->enroll)
			client_reply(c, control_enroll_reply(&d->engine));
	}
}

static void fleet_run_ended(void *userdata)
{
	struct daemon *d = userdata;

	update_status(d);
	arm_tick(d);        /* and the next run, if one is due */
}

/* Closes the oldest connection that is reading or writing; false if there is none. */
static bool evict_oldest(struct daemon *d)
{
	for (struct client *c = d->clients; c; c = c->next)
		if (c->state != CLIENT_WAITING) {
			client_refuse(c, "closed: too many connections to the agent");
			return true;
		}
	return false;
}

static int on_accept_resume(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	sd_event_source_set_enabled(d->listen_source, SD_EVENT_ON);
	return 0;
}

/* Out of descriptors with nothing to close: stop accepting for a while rather than spin on
 * a listening socket that stays readable. */
static void pause_accepting(struct daemon *d, int err)
{
	int r;

	log_warning_errno(-err, "control socket: cannot accept (%m); pausing for 1 s");
	sd_event_source_set_enabled(d->listen_source, SD_EVENT_OFF);
	if (!d->accept_resume)
		r = sd_event_add_time_relative(d->event, &d->accept_resume, CLOCK_MONOTONIC,
					       ACCEPT_PAUSE_USEC, 100000, on_accept_resume, d);
	else
		r = sd_event_source_set_time_relative(d->accept_resume, ACCEPT_PAUSE_USEC);
	if (r >= 0 && d->accept_resume)
		r = sd_event_source_set_enabled(d->accept_resume, SD_EVENT_ONESHOT);
	if (r < 0)     /* no timer: better to spin than to stop answering for good */
		sd_event_source_set_enabled(d->listen_source, SD_EVENT_ON);
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	struct client *c;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0) {
		r = errno;
		/* out of descriptors: one freed lets the waiting connection in next time */
		if ((r == EMFILE || r == ENFILE || r == ENOBUFS || r == ENOMEM) && !evict_oldest(d))
			pause_accepting(d, r);
		return 0;
	}
	if (d->n_active >= MAX_CLIENTS)
		evict_oldest(d);
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return 0;
	}
	c->d = d;
	c->fd = cfd;
	r = sd_event_add_io(d->event, &c->io, cfd, EPOLLIN, on_client_io, c);
	if (r >= 0)
		r = sd_event_add_time_relative(d->event, &c->deadline, CLOCK_MONOTONIC,
					       (uint64_t)CONTROL_DEADLINE_S * 1000000, 100000,
					       on_client_deadline, c);
	if (r < 0) {
		sd_event_source_disable_unref(c->io);
		close(cfd);
		free(c);
		return 0;
	}
	c->prev = d->clients_tail;
	if (c->prev)
		c->prev->next = c;
	else
		d->clients = c;
	d->clients_tail = c;
	d->n_active++;
	return 0;
}

static int listen_control(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_free_ char *dir = NULL;
	struct group *g;
	int fd, r;

	if (strlen(d->cfg.socket) >= sizeof(sa.sun_path))
		return log_error_errno(-ENAMETOOLONG, "socket path too long: %s", d->cfg.socket);
	strcpy(sa.sun_path, d->cfg.socket);
	dir = strdup(d->cfg.socket);
	if (!dir)
		return -ENOMEM;
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	if (*dir && (r = mkdir_p(dir, 0755)) < 0)
		return log_error_errno(r, "%s: %m", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_error_errno(-errno, "socket: %m");
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		close(fd);
		return log_error_errno(r, "%s: %m", d->cfg.socket);
	}
	g = getgrnam(d->cfg.group);
	if (g) {
		d->read_gid = g->gr_gid;
		d->have_read_gid = true;
		if (geteuid() == 0 && chown(d->cfg.socket, 0, g->gr_gid) < 0)
			log_warning_errno(-errno, "chown %s: %m", d->cfg.socket);
	}
	/* the group may connect; SO_PEERCRED decides what each peer may do */
	chmod(d->cfg.socket, d->have_read_gid ? 0660 : 0600);
	r = sd_event_add_io(d->event, &d->listen_source, fd, EPOLLIN, on_accept, d);
	if (r < 0) {
		close(fd);
		return log_error_errno(r, "sd-event: %m");
	}
	sd_event_source_set_io_fd_own(d->listen_source, true);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tuxtape-agent [--config FILE] [--once] | --version\n"
		"\n"
		"The TuxTape node agent: fetches signed livepatches for the running kernel from the\n"
		"archive, checks and loads them, watches their transitions, quarantines a patch that\n"
		"was going in when the node went down, and answers agentctl on its control socket.\n"
		"With a fleet ([fleet] in the configuration, or agentctl enroll) it sends a signed\n"
		"health report at every patch state change and refresh (docs/FLEET.md).\n"
		"\n"
		"  -c, --config FILE  configuration (default " SYSCONFDIR "/tuxtape/agent.conf)\n"
		"      --once         one refresh, wait for transitions to settle, exit (needs\n"
		"                     [archive] url)\n"
		"  -h, --help         this text\n"
		"      --version      the version\n"
		"\n"
		"Exit codes: 0 stopped by SIGTERM (or --once done), 1 configuration or start-up\n"
		"error, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *config = SYSCONFDIR "/tuxtape/agent.conf";
	struct daemon d = { .kmsg.fd = -1 };
	sigset_t ss;
	int opt, r;

	log_setup("tuxtape-agent");
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'o': d.once = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("tuxtape-agent %s\n", TUXTAPE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (agent_config_load(config, !streq(config, SYSCONFDIR "/tuxtape/agent.conf"), &d.cfg) < 0)
		return 1;
	if (!d.cfg.url) {
		const char *why = access(config, F_OK) < 0 ? " (the file does not exist)" : "";

		/* --once is one refresh: without an archive it has nothing to do */
		if (d.once) {
			log_error("%s: no [archive] url%s: --once has no archive to refresh from",
				  config, why);
			agent_config_free(&d.cfg);
			return 1;
		}
		log_warning("%s: no [archive] url%s: no patch will be fetched; the agent only "
			    "watches the patches it already manages", config, why);
	}
	if (!d.cfg.root[0] && geteuid() != 0) {
		log_error("tuxtape-agent changes the running kernel and must run as root");
		agent_config_free(&d.cfg);
		return 1;
	}
	if (sodium_init() < 0) {
		log_error("cannot initialise libsodium");
		return 1;
	}
	umask(0022);
	r = mkdir_p(d.cfg.state_dir, 0700);
	if (r < 0 || engine_start(&d.engine, &d.cfg) < 0) {
		if (r < 0)
			log_error_errno(r, "%s: %m", d.cfg.state_dir);
		agent_config_free(&d.cfg);
		return 1;
	}
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGCHLD);    /* sd-event reaps the fetch helper */
	sigprocmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_default(&d.event);
	d.fleet = (struct fleet_runner){ .event = d.event, .engine = &d.engine,
					 .enrolled = answer_enroll_waiters, .ended = fleet_run_ended,
					 .userdata = &d };
	if (r >= 0)
		r = sd_event_add_signal(d.event, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(d.event, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = sd_event_set_watchdog(d.event, true);
	if (r >= 0 && !d.once)
		r = listen_control(&d);
	if (r >= 0)
		r = watch_kmsg(&d);
	d.companion = (struct companion_runner){ .event = d.event, .engine = &d.engine,
						 .tick_now = tick_now, .read_kmsg = read_kmsg_now,
						 .userdata = &d };
	if (r >= 0)
		r = companion_runner_start(&d.companion);
	if (r >= 0)
		r = sd_event_add_time_relative(d.event, &d.refresh_timer, CLOCK_MONOTONIC, 0, 0,
					       on_refresh, &d);
	if (r < 0) {
		log_error_errno(r, "cannot set up the event loop: %m");
	} else {
		sd_notify(false, "READY=1");
		log_info("started on %s (boot %s), archive %s", d.engine.node.release,
			 d.engine.node.boot_id, strempty(d.cfg.url));
		arm_tick(&d);
		r = sd_event_loop(d.event);
		sd_notify(false, "STOPPING=1");
	}
	if (!d.once)
		unlink(d.cfg.socket);
	while (d.clients)
		client_free(d.clients);
	sd_event_source_disable_unref(d.listen_source);
	sd_event_source_unref(d.accept_resume);
	sd_event_source_unref(d.fetch_child);
	sd_event_source_unref(d.fetch_timer);
	fleet_runner_free(&d.fleet);
	companion_runner_free(&d.companion);
	sd_event_source_unref(d.refresh_timer);
	sd_event_source_unref(d.tick_timer);
	sd_event_source_disable_unref(d.kmsg_source);
	sd_event_source_unref(d.kmsg_flush_timer);
	kwatch_close(&d.kmsg);
	sd_event_unref(d.event);
	engine_stop(&d.engine);
	agent_config_free(&d.cfg);
	return r < 0 ? 1 : 0;
}
