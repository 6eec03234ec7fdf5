/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "daemon_fleet.h"
#include "engine.h"
#include "log.h"
#include "util.h"

static int on_exit_(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct fleet_runner *f = userdata;
	enum fleet_run kind = engine_fleet_end(f->engine, si->si_code, si->si_status);

	f->child = sd_event_source_unref(f->child);
	f->timer = sd_event_source_disable_unref(f->timer);
	if (kind == FLEET_RUN_ENROLL)
		f->enrolled(f->userdata);
	f->ended(f->userdata);
	return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct fleet_runner *f = userdata;

	engine_fleet_kill(f->engine);    /* its exit ends the run */
	return 0;
}

static int on_wake(sd_event_source *s, uint64_t usec, void *userdata)
{
	fleet_runner_kick(userdata);
	return 0;
}

static void wake_at(struct fleet_runner *f, uint64_t at)
{
	int r;

	if (!f->wake)
		r = sd_event_add_time(f->event, &f->wake, CLOCK_MONOTONIC, at, 1000000, on_wake, f);
	else
		r = sd_event_source_set_time(f->wake, at);
	if (r >= 0)
		r = sd_event_source_set_enabled(f->wake, SD_EVENT_ONESHOT);
	if (r < 0)
		log_error_errno(r, "sd-event: cannot plan the next fleet delivery: %m");
}

void fleet_runner_kick(struct fleet_runner *f)
{
	struct engine *e = f->engine;
	int64_t now = monotonic_usec(), due;   /* CLOCK_MONOTONIC, as sd-event's */
	pid_t pid;
	int r;

	if (engine_fleet_running(e))
		return;
	due = engine_fleet_due(e, now);
	if (due < 0 || (engine_refreshing(e) && !e->fleet.enroll_url)) {
		if (f->wake)
			sd_event_source_set_enabled(f->wake, SD_EVENT_OFF);
		return;
	}
	if (due > now) {
		wake_at(f, (uint64_t)due);
		return;
	}
	r = engine_fleet_begin(e, &pid);
	if (r < 0) {
		/* not started (the engine recorded why and set the backoff): agentctl hears it */
		if (!e->fleet.enroll_asked)
			f->enrolled(f->userdata);
		if (r != -EAGAIN)
			wake_at(f, (uint64_t)(e->fleet.next_try > now ? e->fleet.next_try : now + 15000000));
		return;
	}
	r = sd_event_add_child(f->event, &f->child, pid, WEXITED, on_exit_, f);
	if (r >= 0) {
		sd_event_source_set_child_process_own(f->child, true);
		r = sd_event_add_time_relative(f->event, &f->timer, CLOCK_MONOTONIC,
					       (uint64_t)FETCH_TIMEOUT_S * 1000000, 1000000,
					       on_timeout, f);
	}
	if (r < 0) {
		/* short of memory: stop the helper rather than lose track of it */
		siginfo_t si;

		log_error_errno(r, "sd-event: cannot watch the fleet helper: %m");
		engine_fleet_kill(e);
		if (f->child)
			f->child = sd_event_source_unref(f->child);   /* kills, reaps */
		else
			(void)waitid(P_PID, (id_t)pid, &si, WEXITED);
		if (engine_fleet_end(e, CLD_KILLED, SIGKILL) == FLEET_RUN_ENROLL)
			f->enrolled(f->userdata);
	}
}

void fleet_runner_free(struct fleet_runner *f)
{
	f->child = sd_event_source_unref(f->child);
	f->timer = sd_event_source_unref(f->timer);
	f->wake = sd_event_source_unref(f->wake);
}
