/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's configuration file (agent/agent_config.h, INI through libinih), loaded from a
 * memory file by its /proc/self/fd path as the agent opens /etc/tuxtape/agent.conf. What
 * loads must hold values in the ranges the loader enforces.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "agent_config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent_config c;
	char path[64];
	int fd;

	if (size > 256 * 1024)
		return -1;
	fd = memfd_create("agent.conf", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (agent_config_load(path, true, &c) == 0) {
		char *p = agent_path(&c, "/sys/kernel/livepatch");

		FUZZ_ASSERT(c.state_dir && c.socket && c.kmsg && c.root && c.channel && c.group);
		FUZZ_ASSERT(!c.url || strncmp(c.url, "http://", 7) == 0 ||
			    strncmp(c.url, "https://", 8) == 0);
		/* the ranges agent_config.c enforces */
		FUZZ_ASSERT(c.refresh_interval >= 10 && c.refresh_interval <= 7 * 86400);
		FUZZ_ASSERT(c.refresh_jitter >= 0 && c.refresh_jitter <= 86400);
		FUZZ_ASSERT(c.transition_timeout >= 1 && c.transition_timeout <= 3600);
		FUZZ_ASSERT(c.healthy_window >= 1 && c.healthy_window <= 86400);
		FUZZ_ASSERT(c.weak_window >= 0 && c.weak_window <= 7 * 86400);
		FUZZ_ASSERT(p && strncmp(p, c.root, strlen(c.root)) == 0);
		free(p);
		agent_config_free(&c);
	}
	close(fd);
	return 0;
}
