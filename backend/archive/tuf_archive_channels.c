// SPDX-License-Identifier: GPL-2.0-only
/*
 * Channels and series in the archive's targets. A target lists the channels it is offered in
 * (custom.channels); within a series (a kernel's cumulative livepatches) and release, a
 * channel holds one target, so publishing or promoting a target takes the channel from the
 * series' other targets, and a target left in no channel is removed. Revoking a series
 * target gives its channels back to the series' newest remaining target: the nodes of those
 * channels get the last good cumulative module again instead of nothing.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "tuf_archive_internal.h"
#include "util.h"

static const char *custom_str(const json_t *custom, const char *key)
{
	return strempty(json_string_value(json_object_get(custom, key)));
}

json_t *archive_target_channels(const json_t *custom)
{
	json_t *list = json_object_get(custom, "channels"), *out;
	const char *one = json_string_value(json_object_get(custom, "channel"));

	if (json_is_array(list))
		return json_deep_copy(list);
	out = json_array();
	json_array_append_new(out, json_string(one ? one : "stable"));
	return out;
}

static bool has_channel(const json_t *list, const char *channel)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (streq_ptr(json_string_value(v), channel))
			return true;
	return false;
}

static bool same_series(const json_t *custom, const char *series, const char *release)
{
	return series[0] && streq(custom_str(custom, "series"), series) &&
	       streq(custom_str(custom, "kernel_release"), release);
}

/* Sets custom's channels; "channel" (read by agents before channel lists) names the first. */
static void set_channels(json_t *custom, json_t *list)
{
	json_object_set_new(custom, "channel", json_string(json_string_value(
		json_array_get(list, 0))));
	json_object_set_new(custom, "channels", list);
}

/* Takes channel from every target of series and release but keep; removes the emptied. */
static void series_take_channel(json_t *targets, const char *series, const char *release,
				const char *keep, const char *channel, json_t *replaces)
{
	const char *path;
	json_t *entry, *tmp;

	json_object_foreach_safe(targets, tmp, path, entry) {
		json_t *custom = json_object_get(entry, "custom"), *list, *kept;
		size_t i;
		json_t *v;

		if (streq(path, keep) || !same_series(custom, series, release))
			continue;
		list = archive_target_channels(custom);
		kept = json_array();
		json_array_foreach(list, i, v)
			if (!streq_ptr(json_string_value(v), channel))
				json_array_append(kept, v);
		json_decref(list);
		if (json_array_size(kept) == 0) {
			json_decref(kept);
			if (replaces)
				json_array_append_new(replaces, json_string(path));
			json_object_del(targets, path);
		} else
			set_channels(custom, kept);
	}
}

int64_t archive_series_take(json_t *targets, const char *series, const char *release,
			    const char *path, const char *channel, json_t *replaces)
{
	int64_t seq = 0;
	const char *p;
	json_t *entry;

	json_object_foreach(targets, p, entry) {
		json_t *custom = json_object_get(entry, "custom");
		int64_t s = json_integer_value(json_object_get(custom, "series_seq"));

		if (!streq(p, path) && same_series(custom, series, release) && s > seq)
			seq = s;
	}
	series_take_channel(targets, series, release, path, channel, replaces);
	return seq + 1;
}

/* The series' newest target for the release (highest series_seq), or NULL. */
static json_t *series_newest(json_t *targets, const char *series, const char *release,
			     const char **ret_path)
{
	json_t *best = NULL, *entry;
	int64_t best_seq = -1;
	const char *p;

	json_object_foreach(targets, p, entry) {
		json_t *custom = json_object_get(entry, "custom");
		int64_t s = json_integer_value(json_object_get(custom, "series_seq"));

		if (same_series(custom, series, release) && s > best_seq) {
			best = custom;
			best_seq = s;
			if (ret_path)
				*ret_path = p;
		}
	}
	return best;
}

void archive_series_restore(json_t *targets, const json_t *removed_custom)
{
	const char *series = custom_str(removed_custom, "series");
	json_t *prev = series_newest(targets, series, custom_str(removed_custom, "kernel_release"),
				     NULL), *list, *back, *v;
	size_t i;

	if (!series[0] || !prev)
		return;
	list = archive_target_channels(prev);
	back = archive_target_channels(removed_custom);
	json_array_foreach(back, i, v)
		if (!has_channel(list, json_string_value(v)))
			json_array_append(list, v);
	json_decref(back);
	set_channels(prev, list);
}

int archive_series_current(const struct archive_opts *o, const char *series, const char *release,
			   char **ret_patch_id, char **ret_content)
{
	struct state s;
	json_t *c;
	int k = archive_state_load(o, &s);

	*ret_patch_id = *ret_content = NULL;
	if (k < 0)
		return k;
	c = series_newest(json_object_get(s.targets, "targets"), series, release, NULL);
	if (c) {
		*ret_patch_id = strdup(custom_str(c, "patch_id"));
		*ret_content = strdup(custom_str(c, "content"));
		k = *ret_patch_id && *ret_content ? 1 : -ENOMEM;
	}
	archive_state_free(&s);
	return k;
}

int archive_patch_channels(const struct archive_opts *o, const char *patch_id, json_t **ret)
{
	struct state s;
	const char *path;
	json_t *entry;
	int k = archive_state_load(o, &s);

	*ret = NULL;
	if (k < 0)
		return k;
	json_object_foreach(json_object_get(s.targets, "targets"), path, entry) {
		json_t *custom = json_object_get(entry, "custom");

		if (streq(custom_str(custom, "patch_id"), patch_id)) {
			*ret = archive_target_channels(custom);
			break;
		}
	}
	archive_state_free(&s);
	return *ret ? 0 : -ENOENT;
}

int archive_promote(const struct archive_opts *o, const char *patch_id, const char *channel)
{
	struct state s;
	const char *path;
	json_t *entry, *targets, *paths = json_array(), *v;
	unsigned added = 0;
	size_t i;
	int k;

	if (!archive_name_valid(patch_id) || !archive_name_valid(channel)) {
		json_decref(paths);
		return log_error_errno(EINVAL, "'%s' to '%s': not a patch id and channel",
				       patch_id, channel);
	}
	k = archive_state_load(o, &s);
	if (k >= 0 && (k = archive_channel_writable(o, &s, channel)) < 0)
		archive_state_free(&s);
	if (k < 0) {
		json_decref(paths);
		return k;
	}
	targets = json_object_get(s.targets, "targets");
	/* first the paths: taking the channel from other targets may remove entries */
	json_object_foreach(targets, path, entry)
		if (streq(custom_str(json_object_get(entry, "custom"), "patch_id"), patch_id))
			json_array_append_new(paths, json_string(path));
	json_array_foreach(paths, i, v) {
		json_t *custom = json_object_get(json_object_get(targets, json_string_value(v)),
						 "custom"), *list;
		_cleanup_free_ char *series = NULL, *release = NULL;

		if (!custom)
			continue;
		list = archive_target_channels(custom);
		if (has_channel(list, channel)) {
			json_decref(list);
			continue;
		}
		json_array_append_new(list, json_string(channel));
		set_channels(custom, list);
		added++;
		series = strdup(custom_str(custom, "series"));
		release = strdup(custom_str(custom, "kernel_release"));
		if (!series || !release) {
			k = -ENOMEM;
			break;
		}
		series_take_channel(targets, series, release, json_string_value(v), channel, NULL);
	}
	if (k < 0)
		;
	else if (json_array_size(paths) == 0)
		k = log_error_errno(ENOENT, "no target has patch id '%s'", patch_id);
	else if (added == 0)
		k = log_error_errno(EALREADY, "%s is already in channel %s", patch_id, channel);
	else
		k = archive_write_chain(o, &s, true, true);
	json_decref(paths);
	archive_state_free(&s);
	return k;
}
