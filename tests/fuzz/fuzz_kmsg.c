/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /dev/kmsg records as the agent's watch takes them (agent/kwatch.c): the input is what a
 * read() returned in stream mode, several records each starting a line, dictionary lines
 * " KEY=value" between them. Each record is parsed in place; the kernel facility's text goes
 * line by line to the report assembler, and every report is blamed and turned into JSON as
 * the agent does.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "klog/kblame.h"
#include "klog/kmsg.h"
#include "klog/kreport.h"

static bool is_livepatch(const char *module, void *userdata)
{
	const struct kreport *r = userdata;
	static const char *const extra[] = { "livepatch_fuzz", NULL };

	return kblame_offline_is_livepatch(r, module, extra);
}

static bool replaced(const char *function, char module[64], void *userdata)
{
	/* some function names count as replaced, to reach the weak-evidence path */
	if (strncmp(function, "cmdline_", 8) != 0 && strncmp(function, "version_", 8) != 0)
		return false;
	strcpy(module, "livepatch_fuzz");
	return true;
}

static void on_report(const struct kreport *r, void *userdata)
{
	struct kblame b;
	json_t *j;

	kblame_report(r, is_livepatch, replaced, (void *)r, &b);
	FUZZ_ASSERT(b.strength == KBLAME_NONE || b.module[0]);
	FUZZ_ASSERT(r->n_frames == 0 || r->frames);
	j = kreport_to_json(r, b.strength == KBLAME_STRONG ? b.module : NULL);
	if (j) {
		free(json_dumps(j, JSON_COMPACT));
		json_decref(j);
	}
}

static void record(struct kparser *p, const char *rec, size_t len)
{
	char *buf = fuzz_dup(rec, len, 0);
	struct kmsg_record k;
	const char *where = NULL;

	if (kmsg_parse(buf, len, &k, &where) < 0) {
		FUZZ_ASSERT(where && *where);
	} else if (k.facility == 0) {
		FUZZ_ASSERT(k.text >= buf && k.text + k.len < buf + len && k.text[k.len] == '\0');
		for (char *line = k.text, *nl; line; line = nl ? nl + 1 : NULL) {
			struct kline l = { .text = line, .seq = k.seq, .ts_usec = k.ts_usec,
					   .caller = k.caller[0] ? k.caller : NULL };

			nl = memchr(line, '\n', k.len - (size_t)(line - k.text));
			l.len = nl ? (size_t)(nl - line) : k.len - (size_t)(line - k.text);
			if (l.len || nl)
				kparser_line(p, &l);
		}
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct kparser *p;
	size_t start = 0;

	if (size > 4 * KMSG_RECORD_MAX)
		return -1; /* more than the agent reads at once */
	if (kparser_new(on_report, NULL, &p) < 0)
		abort();
	while (start < size) {
		const char *nl = memchr(s + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - s) : size;

		if (s[start] != ' ')
			record(p, s + start, end - start + (nl ? 1 : 0));
		start = end + 1;
	}
	kparser_flush(p);
	FUZZ_ASSERT(!kparser_pending(p));
	kparser_free(p);
	return 0;
}
