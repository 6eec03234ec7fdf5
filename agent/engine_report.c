/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The engine's side of the kernel log watch: which livepatch a report convicts, what the
 * policy does about it, and the durable record of the evidence. The conviction is written
 * (state quarantined, evidence kept) before the patch is disabled, so a crash during the
 * revert still keeps the patch out after the restart or reboot.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine_int.h"
#include "klog/kblame.h"
#include "klp.h"
#include "log.h"
#include "modfile.h"
#include "strset.h"
#include "util.h"

static void module_name(const char *in, char out[64])
{
	size_t i;

	for (i = 0; in[i] && i < 63; i++)
		out[i] = in[i] == '-' ? '_' : in[i];
	out[i] = '\0';
}

static bool is_livepatch(const char *module, void *userdata)
{
	struct engine *e = userdata;
	struct klp_state k;
	char name[64];

	module_name(module, name);
	return klp_valid_name(name) && klp_get(e->cfg->root, name, &k) == 0;
}

/* The functions a patch replaced, from sysfs (/sys/kernel/livepatch/PATCH/OBJECT/FUNC,POS),
 * into set: function -> the patch's module. */
static void add_replaced(struct engine *e, const char *patch, struct strset *set)
{
	_cleanup_free_ char *dir = NULL;
	struct dirent *obj;
	DIR *d;

	if (asprintf(&dir, "%s/sys/kernel/livepatch/%s", e->cfg->root, patch) < 0)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((obj = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		struct dirent *fn;
		DIR *od;

		if (obj->d_name[0] == '.' || asprintf(&sub, "%s/%s", dir, obj->d_name) < 0)
			continue;
		od = opendir(sub);
		if (!od)
			continue;       /* a file: enabled, transition, ... */
		while ((fn = readdir(od))) {
			const char *comma = strchr(fn->d_name, ',');
			struct strset_entry *ent;

			if (comma && strset_put(set, fn->d_name, (size_t)(comma - fn->d_name), &ent) > 0)
				ent->value = strdup(patch);
		}
		closedir(od);
	}
	closedir(d);
}

/* Weak evidence: the functions replaced by patches of ours applied within the window, read
 * once per report rather than once per frame. */
static void collect_replaced(struct engine *e, struct strset *set)
{
	struct patch_rec *v = NULL;
	size_t n = 0;

	if (state_patch_list(&e->st, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].state, "applied") && time(NULL) - v[i].since <= e->cfg->weak_window)
			add_replaced(e, v[i].module, set);
	patch_recs_free(v, n);
}

struct report_ctx {
	struct engine *e;
	struct strset replaced;
};

static bool is_livepatch_ctx(const char *module, void *userdata)
{
	return is_livepatch(module, ((struct report_ctx *)userdata)->e);
}

static bool replaced_recently(const char *function, char module[64], void *userdata)
{
	struct report_ctx *ctx = userdata;
	const struct strset_entry *ent = strset_get(&ctx->replaced, function, strlen(function));

	if (!ent || !ent->value)
		return false;
	snprintf(module, 64, "%s", (const char *)ent->value);
	return true;
}

/* Bits of /proc/sys/kernel/tainted that say something went wrong: B (bad page), D (died),
 * W (warning), L (soft lockup). */
#define TAINT_TROUBLE ((1ull << 5) | (1ull << 7) | (1ull << 9) | (1ull << 14))

/* Weak evidence for a report in core code that no frame explains: trouble bits the kernel's
 * taint gained since the most recent patch of ours (within the window) went in. */
static bool new_taint_since(struct engine *e, struct kblame *b)
{
	struct patch_rec *v = NULL, *last = NULL;
	unsigned long long now, then;
	_cleanup_free_ char *key = NULL, *base = NULL;
	size_t n = 0;
	bool found = false;

	if (engine_read_taint(e, &now) < 0 || state_patch_list(&e->st, &v, &n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].state, "applied") && time(NULL) - v[i].since <= e->cfg->weak_window &&
		    (!last || v[i].since > last->since))
			last = &v[i];
	if (last && asprintf(&key, "taint/%s", last->id) >= 0 &&
	    state_meta_get(&e->st, key, &base) == 0 && sscanf(base, "%llu", &then) == 1 &&
	    (now & ~then & TAINT_TROUBLE)) {
		static const char letters[] = "PFSRMBUDAWCIOELK";
		char gained[8] = "";
		size_t k = 0;

		for (int bit = 0; bit < 16 && k < sizeof(gained) - 1; bit++)
			if ((now & ~then & TAINT_TROUBLE) & (1ull << bit))
				gained[k++] = letters[bit];
		gained[k] = '\0';
		b->strength = KBLAME_WEAK;
		snprintf(b->module, sizeof(b->module), "%s", last->module);
		snprintf(b->why, sizeof(b->why), "the kernel gained taint %s since %s was applied %llds "
			 "ago", gained, last->module, (long long)(time(NULL) - last->since));
		found = true;
	}
	patch_recs_free(v, n);
	return found;
}

/* Our record of the patch whose module this is, among those that may be in the kernel. */
static int patch_by_module(struct engine *e, const char *module, struct patch_rec *ret)
{
	struct patch_rec *v = NULL;
	size_t n = 0;
	int r = -ENOENT;

	if (state_patch_list(&e->st, &v, &n) < 0)
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		if (streq(v[i].module, module) && (streq(v[i].state, "applied") ||
		    streq(v[i].state, "applying") || streq(v[i].state, "stalled"))) {
			*ret = v[i];
			v[i] = (struct patch_rec){ 0 };
			r = 0;
			break;
		}
	}
	patch_recs_free(v, n);
	return r;
}

static void remember_position(struct engine *e, const struct kreport *r)
{
	char pos[128];

	snprintf(pos, sizeof(pos), "%s:%" PRIu64, e->node.boot_id, e->kmsg.last_seq);
	state_meta_set(&e->st, "kmsg-position", pos);
}

static void keep_evidence(struct engine *e, const char *id, const struct kreport *r,
			  const struct kblame *b)
{
	json_t *j = kreport_to_json(r, b->module);
	_cleanup_free_ char *key = NULL;
	char *text;

	if (!j)
		return;
	json_object_set_new(j, "evidence", json_string(kblame_strength_name(b->strength)));
	json_object_set_new(j, "why", json_string(b->why));
	json_object_set_new(j, "seen", json_integer(time(NULL)));
	text = json_dumps(j, JSON_COMPACT);
	if (text && asprintf(&key, "evidence/%s", id) >= 0)
		state_meta_set(&e->st, key, text);
	free(text);
	json_decref(j);
}

static void convict(struct engine *e, const struct patch_rec *p, const struct kreport *r,
		    const struct kblame *b)
{
	_cleanup_free_ char *reason = NULL;
	int64_t t0 = monotonic_usec();
	int k;

	if (asprintf(&reason, "%s (kernel log record %" PRIu64 "): %s evidence, %s; reverted and "
		     "quarantined; 'agentctl unquarantine %s' allows it again", r->title, r->seq,
		     kblame_strength_name(b->strength), b->why, p->id) < 0)
		return;
	keep_evidence(e, p->id, r, b);
	/* durable before the kernel is touched: never re-applied, whatever happens next */
	state_applying_close(&e->st, p->id);
	engine_patch_state(e, p->id, "quarantined", reason);
	state_event(&e->st, p->id, "convicted", "%s", reason);
	log_error("%s: %s", p->id, reason);
	k = engine_revert(e, p->id, "quarantined", reason);
	if (k < 0) {
		/* another transition is running, or the write failed: engine_retry_reverts() */
		e->revert_due = true;
		if (k != -EBUSY)
			log_error_errno(k, "%s: cannot disable the patch yet, retrying: %m", p->id);
		return;
	}
	if (r->ts_usec && t0 >= (int64_t)r->ts_usec && t0 - (int64_t)r->ts_usec < 86400000000LL)
		state_event(&e->st, p->id, "reverting", "enabled=0 written %.3f s after the "
			    "kernel's record (%.3f s in the agent)",
			    (monotonic_usec() - (int64_t)r->ts_usec) / 1e6,
			    (monotonic_usec() - t0) / 1e6);
}

static void suspect(struct engine *e, const char *id, const struct kreport *r,
		    const struct kblame *b, const char *what)
{
	keep_evidence(e, id, r, b);
	state_event(&e->st, id, "problem", "%s (kernel log record %" PRIu64 "): %s evidence, "
		    "%s; %s", r->title, r->seq, kblame_strength_name(b->strength), b->why, what);
	log_warning("%s: %s: %s evidence, %s; %s", id, r->title,
		    kblame_strength_name(b->strength), b->why, what);
}

static void livepatch_message(struct engine *e, const struct kreport *r)
{
	switch (r->klp_event) {
	case KLP_EVENT_SIGNALING:
	case KLP_EVENT_FORCING:
	case KLP_EVENT_FAILED:
		state_event(&e->st, NULL, "kernel", "livepatch: %s", r->headline);
		break;
	default:
		break;
	}
}

void engine_on_report(struct engine *e, const struct kreport *r)
{
	struct patch_rec p = { 0 };
	struct kblame b;
	bool wanted;

	if (r->type == KREPORT_LIVEPATCH) {
		livepatch_message(e, r);
		return;
	}
	e->kmsg.reports++;
	struct report_ctx ctx = { .e = e, .replaced = { .free_value = free } };

	if (e->cfg->weak_window)
		collect_replaced(e, &ctx.replaced);
	kblame_report(r, is_livepatch_ctx, e->cfg->weak_window ? replaced_recently : NULL, &ctx,
		      &b);
	strset_free(&ctx.replaced);
	/* a report in another module is that module's; one in core code may be a patch's doing */
	if (b.strength == KBLAME_NONE && !r->rip_module && r->type != KREPORT_LIVEPATCH &&
	    e->cfg->weak_window)
		new_taint_since(e, &b);
	if (b.strength == KBLAME_NONE) {
		log_info("kernel: %s (no livepatch involved)", r->title);
		state_event(&e->st, NULL, "kernel", "%s (no livepatch involved)", r->title);
		goto out;
	}
	if (patch_by_module(e, b.module, &p) < 0) {
		state_event(&e->st, NULL, "problem", "%s: %s evidence against livepatch %s, which "
			    "the agent did not install: %s; not touched", r->title,
			    kblame_strength_name(b.strength), b.module, b.why);
		log_error("%s: %s evidence against livepatch %s, which the agent did not install: %s",
			  r->title, kblame_strength_name(b.strength), b.module, b.why);
		goto out;
	}
	wanted = (e->cfg->revert_on & (1u << r->type)) &&
		 (b.strength == KBLAME_STRONG || e->cfg->weak_revert);
	if (wanted && e->held)
		suspect(e, p.id, r, &b, "not reverted: changes are held");
	else if (wanted)
		convict(e, &p, r, &b);
	else
		suspect(e, p.id, r, &b, b.strength == KBLAME_WEAK ?
			"not reverted: weak evidence only (see [watch] weak-evidence)" :
			"not reverted: this report type is not in [watch] revert-on");
	patch_rec_free(&p);
out:
	remember_position(e, r);
}

uint64_t engine_kmsg_resume(struct engine *e)
{
	_cleanup_free_ char *pos = NULL;
	size_t blen = strlen(e->node.boot_id);
	unsigned long long seq;

	if (state_meta_get(&e->st, "kmsg-position", &pos) < 0 || strncmp(pos, e->node.boot_id, blen) ||
	    pos[blen] != ':' || sscanf(pos + blen + 1, "%llu", &seq) != 1)
		return UINT64_MAX;
	return seq;
}

