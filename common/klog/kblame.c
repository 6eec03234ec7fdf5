// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "kblame.h"

/* Module names are printed with '_' but may be written with '-' elsewhere. */
static bool same_module(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Frames of the reporting machinery (KASAN, UBSAN, dump_stack) come before the frame that
 * did something wrong; they are skipped to find the "first" frame. */
static bool reporting_frame(const char *f)
{
	static const char *const prefixes[] = {
		"dump_stack", "show_stack", "print_report", "print_address_description",
		"kasan_", "__kasan_", "kfence_", "__asan_", "__ubsan_handle_", "ubsan_",
		"__warn", "warn_slowpath", "report_bug", "handle_bug", "panic",
		"check_memory_region", "__kmsan_", "kmsan_",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static void convict(struct kblame *ret, enum kblame_strength s, const char *module)
{
	ret->strength = s;
	snprintf(ret->module, sizeof(ret->module), "%s", module);
}

void kblame_report(const struct kreport *r, kblame_is_livepatch_fn is_livepatch,
		   kblame_replaced_fn replaced, void *userdata, struct kblame *ret)
{
	const struct kframe *first = NULL;
	char module[64];

	memset(ret, 0, sizeof(*ret));
	if (r->type == KREPORT_LIVEPATCH)
		return;
	if (r->rip_module && is_livepatch(r->rip_module, userdata)) {
		convict(ret, KBLAME_STRONG, r->rip_module);
		snprintf(ret->why, sizeof(ret->why), "%s %s is in livepatch module %s",
			 r->type == KREPORT_WARN || r->type == KREPORT_BUG ? "reporting site" : "RIP",
			 r->rip_function ? r->rip_function : "(address)", r->rip_module);
		return;
	}
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct kframe *f = &r->frames[i];

		if (f->reliable && !(f->function && !f->module && reporting_frame(f->function))) {
			first = f;
			break;
		}
	}
	if (first && first->module && is_livepatch(first->module, userdata)) {
		convict(ret, KBLAME_STRONG, first->module);
		snprintf(ret->why, sizeof(ret->why),
			 "first reliable frame %s is in livepatch module %s",
			 first->function ? first->function : "(address)", first->module);
		return;
	}
	/* A livepatch's code deeper in the trace called whatever failed: a suspect, not proof. */
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct kframe *f = &r->frames[i];

		if (f->reliable && f->module && is_livepatch(f->module, userdata)) {
			convict(ret, KBLAME_WEAK, f->module);
			snprintf(ret->why, sizeof(ret->why),
				 "livepatch module %s is in the call trace (%s, frame %zu)",
				 f->module, f->function ? f->function : "(address)", i + 1);
			return;
		}
	}
	if (!replaced)
		return;
	if (r->rip_function && replaced(r->rip_function, module, userdata)) {
		convict(ret, KBLAME_WEAK, module);
		snprintf(ret->why, sizeof(ret->why), "RIP %s is a function %s replaced",
			 r->rip_function, module);
		return;
	}
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct kframe *f = &r->frames[i];

		if (f->reliable && f->function && replaced(f->function, module, userdata)) {
			convict(ret, KBLAME_WEAK, module);
			snprintf(ret->why, sizeof(ret->why),
				 "%s, a function %s replaced, is in the call trace", f->function, module);
			return;
		}
	}
}

bool kblame_offline_is_livepatch(const struct kreport *r, const char *module,
				 const char *const *extra)
{
	/* the admin's word first: old livepatch frameworks (kpatch) loaded unflagged modules */
	for (; extra && *extra; extra++)
		if (same_module(*extra, module))
			return true;
	for (size_t i = 0; i < r->n_modules; i++)
		if (same_module(r->modules[i].name, module))
			return r->modules[i].flags && strchr(r->modules[i].flags, 'K');
	return false;
}

const char *kblame_strength_name(enum kblame_strength s)
{
	switch (s) {
	case KBLAME_STRONG:
		return "strong";
	case KBLAME_WEAK:
		return "weak";
	default:
		return NULL;
	}
}
