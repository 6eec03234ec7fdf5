/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A saved kernel log as `agentctl analyze` reads it: kmsg dumps, console captures and bare
 * lines mixed, fed to kparser_feed_text() in pieces (the cuts fall inside lines, as between
 * two read()s), each report blamed offline and turned into JSON.
 */
#include <jansson.h>

#include "fuzz.h"
#include "klog/kblame.h"
#include "klog/kreport.h"

static bool is_livepatch(const char *module, void *userdata)
{
	static const char *const extra[] = { "livepatch_fuzz", NULL };

	return kblame_offline_is_livepatch(userdata, module, extra);
}

static void on_report(const struct kreport *r, void *userdata)
{
	struct kblame b;
	json_t *j;

	kblame_report(r, is_livepatch, NULL, (void *)r, &b);
	FUZZ_ASSERT(b.strength == KBLAME_NONE || b.module[0]);
	j = kreport_to_json(r, b.strength == KBLAME_STRONG ? b.module : NULL);
	if (j) {
		free(json_dumps(j, JSON_COMPACT));
		json_decref(j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* three pieces, so that lines are cut between two calls */
	size_t piece = size / 3 + 1;
	struct kparser *p;

	if (size > (1u << 20))
		return -1;
	if (kparser_new(on_report, NULL, &p) < 0)
		abort();
	for (size_t off = 0; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		char *buf = fuzz_dup(data + off, n, 0);

		kparser_feed_text(p, buf, n);
		free(buf);
	}
	kparser_flush(p);
	FUZZ_ASSERT(!kparser_pending(p));
	kparser_free(p);
	return 0;
}
