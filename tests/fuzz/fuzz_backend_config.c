/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's configuration file (backend/cmd/config.h, INI through libinih), loaded from
 * a memory file by its /proc/self/fd path. What loads must hold values in the ranges the
 * loader enforces, and every fixes.NAME entry must be NAME=VALUE; [fleet] channels goes
 * through the rollout's parser, which yields distinct, valid names or an error.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "cmd/config.h"
#include "fleet/rollout.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backend_config c = { 0 };
	char path[64];
	int fd;

	if (size > 256 * 1024)
		return -1;
	fd = memfd_create("backend.conf", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (config_load(path, &c) == 0) {
		const struct pipeline_config *p = &c.pipeline;

		FUZZ_ASSERT(p->budget >= 0 && p->budget <= 365L * 86400);
		FUZZ_ASSERT(p->jobs >= 0 && p->jobs <= 64);
		FUZZ_ASSERT(p->limit >= 0 && p->limit <= 100000);
		for (size_t i = 0; p->fixes_for && p->fixes_for[i]; i++)
			FUZZ_ASSERT(strchr(p->fixes_for[i], '=') && p->fixes_for[i][0] != '=');
		FUZZ_ASSERT(!p->min_priority || !strcmp(p->min_priority, "low") ||
			    !strcmp(p->min_priority, "medium") || !strcmp(p->min_priority, "high") ||
			    !strcmp(p->min_priority, "critical"));
		FUZZ_ASSERT(c.fleet.promote_nodes >= 1 && c.fleet.stale_intervals >= 1 &&
			    c.fleet.promote_after >= 0 && c.serve.rate >= 1);
		if (c.fleet.channels) {
			struct rollout_policy pol = { 0 };

			if (rollout_policy_init(&pol, c.fleet.channels) == 0) {
				FUZZ_ASSERT(pol.n_channels >= 1 &&
					    pol.n_channels <= ROLLOUT_MAX_CHANNELS);
				for (size_t i = 0; i < pol.n_channels; i++)
					for (size_t j = 0; j < i; j++)
						FUZZ_ASSERT(strcmp(pol.channels[i], pol.channels[j]));
			}
			rollout_policy_free(&pol);
		}
	}
	config_free(&c);
	close(fd);
	return 0;
}
