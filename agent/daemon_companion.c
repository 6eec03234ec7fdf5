// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "daemon_companion.h"
#include "log.h"

static void on_event(const struct companion_event *ev, void *userdata)
{
	struct companion_runner *r = userdata;

	switch (engine_companion_event(r->engine, ev)) {
	case ENGINE_COMPANION_TICK:
		r->tick_now(r->userdata);
		break;
	case ENGINE_COMPANION_READ_KMSG:
		r->read_kmsg(r->userdata);
		break;
	case ENGINE_COMPANION_NOTHING:
		break;
	}
}

/* in or out of use, or events lost: what the events would have said is in sysfs */
static void on_change(bool in_use, void *userdata)
{
	struct companion_runner *r = userdata;

	r->tick_now(r->userdata);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct companion_runner *r = userdata;

	if (companion_read(&r->comp) < 0) {
		log_error("kernel companion: the netlink socket broke (%s); polling from now on",
			  r->engine->comp.last_error);
		r->engine->comp.in_use = false;
		r->engine->companion = NULL;
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		r->tick_now(r->userdata);
	}
	return 0;
}

int companion_runner_start(struct companion_runner *r)
{
	int err;

	if (!r->engine->cfg->companion) {
		log_info("kernel companion: not used ([agent] companion = no)");
		return 0;
	}
	if (companion_open(&r->comp, on_event, on_change, r, &r->engine->comp) < 0)
		return 0;
	err = sd_event_add_io(r->event, &r->io, companion_fd(&r->comp), EPOLLIN, on_io, r);
	if (err < 0) {
		companion_close(&r->comp);
		return err;
	}
	r->engine->companion = &r->comp;
	return 0;
}

void companion_runner_free(struct companion_runner *r)
{
	if (r->engine)
		r->engine->companion = NULL;
	r->io = sd_event_source_disable_unref(r->io);
	companion_close(&r->comp);
}
