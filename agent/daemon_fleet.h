/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's loop side of the fleet's helper runs (agent/engine_fleet.h): a run is started
 * when one is due and no helper runs (a refresh's helper carries the queue itself; an
 * enrolment does not wait for it), watched (its exit, and a stop past FETCH_TIMEOUT_S), and
 * the next one planned on a timer (the engine's backoff). The daemon calls
 * fleet_runner_kick() whenever the engine may have queued a report or taken an enrolment.
 */
#pragma once

#include <systemd/sd-event.h>

struct engine;

struct fleet_runner {
	sd_event *event;
	struct engine *engine;
	/* an enrolment ended, or could not start: answer whoever asked */
	void (*enrolled)(void *userdata);
	/* any run ended */
	void (*ended)(void *userdata);
	void *userdata;
	sd_event_source *child, *timer, *wake;
};

void fleet_runner_kick(struct fleet_runner *f);
/* Stops a run still going (the child source owns the process) and frees the sources. */
void fleet_runner_free(struct fleet_runner *f);
