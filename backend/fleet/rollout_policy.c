// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rollout policy's channel list ([fleet] channels): its own file because the
 * configuration's fuzz target links it without the database and the archive.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/rollout.h"
#include "log.h"
#include "util.h"

static bool channel_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

int rollout_policy_init(struct rollout_policy *p, const char *channels)
{
	_cleanup_free_ char *copy = strdup(channels);
	char *save = NULL;

	p->n_channels = 0;
	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (!channel_name_valid(w))
			return log_error_errno(EINVAL, "channel '%s': lowercase letters, digits, "
					       "'-' and '_', at most 32", w);
		for (size_t i = 0; i < p->n_channels; i++)
			if (streq(p->channels[i], w))
				return log_error_errno(EINVAL, "channel '%s' named twice", w);
		if (p->n_channels == ROLLOUT_MAX_CHANNELS)
			return log_error_errno(EINVAL, "more than %d channels", ROLLOUT_MAX_CHANNELS);
		p->channels[p->n_channels] = strdup(w);
		if (!p->channels[p->n_channels])
			return -ENOMEM;
		p->n_channels++;
	}
	if (p->n_channels == 0)
		return log_error_errno(EINVAL, "no channel named");
	return 0;
}

void rollout_policy_free(struct rollout_policy *p)
{
	for (size_t i = 0; i < p->n_channels; i++)
		free(p->channels[i]);
	p->n_channels = 0;
}
