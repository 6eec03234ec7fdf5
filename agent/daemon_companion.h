/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's side of the kernel companion (agent/companion.h): the listener as an sd-event
 * io source (no timer: an idle agent still never wakes), and what each event asks of the
 * daemon, through two callbacks: run a tick now (re-read sysfs), read /dev/kmsg now.
 */
#pragma once

#include <systemd/sd-event.h>

#include "companion.h"
#include "engine.h"

struct companion_runner {
	sd_event *event;
	struct engine *engine;
	void (*tick_now)(void *userdata);
	void (*read_kmsg)(void *userdata);
	void *userdata;
	/* own */
	struct companion comp;
	sd_event_source *io;
};

/* Starts listening unless [agent] companion = no. A generic netlink failure is logged and
 * leaves the agent on polling: 0 either way, < 0 only from sd-event. */
int companion_runner_start(struct companion_runner *r);
void companion_runner_free(struct companion_runner *r);
