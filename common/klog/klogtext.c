/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Saved kernel logs into the parser (kmsg dumps, console captures, journal or syslog lines,
 * bare lines, mixed), and reports out as JSON. Every line is bounded (64 KiB; the rest is
 * cut) and a line cut by the end of one buffer is carried to the next call. This unit only
 * reads lines: the lines it finds go to the caller's function (the assembler, kreport.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"
#include "kreport_int.h"
#include "util.h"


/* "[   12.345678]" → microseconds; returns the length consumed, 0 when not one. */
static size_t parse_ts(const char *s, size_t len, uint64_t *usec)
{
	size_t i = 1;
	uint64_t sec = 0, frac = 0;
	unsigned digits = 0;

	if (len < 4 || s[0] != '[')
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	if (i >= len || !isdigit((unsigned char)s[i]))
		return 0;
	while (i < len && isdigit((unsigned char)s[i]) && sec < UINT64_MAX / 10)
		sec = sec * 10 + (uint64_t)(s[i++] - '0');
	if (i >= len || s[i] != '.')
		return 0;
	i++;
	while (i < len && isdigit((unsigned char)s[i])) {
		if (digits < 6) {
			frac = frac * 10 + (uint64_t)(s[i] - '0');
			digits++;
		}
		i++;
	}
	if (i >= len || s[i] != ']')
		return 0;
	while (digits++ < 6)
		frac *= 10;
	*usec = sec * 1000000 + frac;
	return i + 1;
}

/* "[  T12]" / "[    C0]" → "T12"; returns the length consumed, 0 when not one. */
static size_t parse_caller(const char *s, size_t len, char caller[16])
{
	size_t i = 1, start;

	if (len < 4 || s[0] != '[')
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	if (i >= len || (s[i] != 'T' && s[i] != 'C'))
		return 0;
	start = i++;
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	if (i >= len || s[i] != ']' || i == start + 1 || i - start >= 16)
		return 0;
	memcpy(caller, s + start, i - start);
	caller[i - start] = '\0';
	return i + 1;
}

bool kp_text_line(char *s, size_t len, kp_emit_fn emit, void *userdata)
{
	struct kline l = { 0 };
	char caller[16] = "";
	bool known = false, midline = false;
	size_t n;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	/* a /dev/kmsg record "PRIO,SEQ,USEC,FLAG[,...];text" */
	if (len > 0 && isdigit((unsigned char)s[0])) {
		const char *semi = memchr(s, ';', len < 128 ? len : 128);

		if (semi && memchr(s, ',', (size_t)(semi - s))) {
			struct kmsg_record rec;
			char save = s[len];

			s[len] = '\n';
			if (kmsg_parse(s, len + 1, &rec, NULL) == 0) {
				/* a record unescaped to several lines feeds each of them */
				char *t = rec.text, *e = rec.text + rec.len;

				while (t <= e) {
					char *nl = memchr(t, '\n', (size_t)(e - t));
					size_t tl = nl ? (size_t)(nl - t) : (size_t)(e - t);

					l = (struct kline){ t, tl, rec.seq, rec.ts_usec,
							    rec.caller[0] ? rec.caller : NULL, false };
					emit(userdata, &l);
					if (!nl)
						break;
					t = nl + 1;
				}
				s[len] = save;
				return true;
			}
			s[len] = save;
		}
	}
	/* "<4>" syslog level */
	if (len >= 3 && s[0] == '<' && isdigit((unsigned char)s[1])) {
		size_t i = 1;

		while (i < len && i < 5 && isdigit((unsigned char)s[i]))
			i++;
		if (i < len && s[i] == '>') {
			s += i + 1;
			len -= i + 1;
			known = true;
		}
	}
	/* journal / syslog: "... kernel: " before the kernel's text */
	{
		const char *k = len > 8 ? memmem(s, len < 96 ? len : 96, " kernel: ", 9) : NULL;

		if (k) {
			len -= (size_t)(k + 9 - s);
			s = (char *)k + 9;
			known = true;
		}
	}
	/* a harness's own "2018/01/09 14:28:48 " before the line (Go's log format) */
	if (!known && len > 20 && s[4] == '/' && s[7] == '/' && s[10] == ' ' && s[13] == ':' &&
	    s[16] == ':' && s[19] == ' ' && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[18])) {
		s += 20;
		len -= 20;
	}
	n = parse_ts(s, len, &l.ts_usec);
	/* a console line another writer got to first ("login: [   16.30] BUG: ..."): the
	 * kernel's part starts at its timestamp. Not counted as a kernel log's form. */
	if (!n && !known && len > 0 && s[0] != ' ' && s[0] != '\t' && s[0] != '[') {
		size_t lim = len < 256 ? len : 256;

		midline = true;

		const char *b = s;

		while (!n && lim > (size_t)(b + 1 - s) &&
		       (b = memchr(b + 1, '[', lim - (size_t)(b + 1 - s))) != NULL) {
			n = parse_ts(b, len - (size_t)(b - s), &l.ts_usec);
			if (n) {
				len -= (size_t)(b - s);
				s = (char *)b;
			}
		}
	}
	if (n) {
		known = !midline;
		s += n;
		len -= n;
		n = parse_caller(s, len, caller);
		s += n;
		len -= n;
		if (len > 0 && s[0] == ' ') {
			s++;
			len--;
		}
	}
	l.text = s;
	l.len = len;
	l.caller = caller[0] ? caller : NULL;
	l.bare = !known && !n;
	emit(userdata, &l);
	return known;
}

static const char *const type_names[] = {
	[KREPORT_WARN] = "warn", [KREPORT_BUG] = "bug", [KREPORT_OOPS] = "oops",
	[KREPORT_PAGE_FAULT] = "page-fault", [KREPORT_GPF] = "gpf",
	[KREPORT_SOFT_LOCKUP] = "soft-lockup", [KREPORT_HARD_LOCKUP] = "hard-lockup",
	[KREPORT_RCU_STALL] = "rcu-stall", [KREPORT_HUNG_TASK] = "hung-task",
	[KREPORT_KASAN] = "kasan", [KREPORT_UBSAN] = "ubsan", [KREPORT_LOCKDEP] = "lockdep",
	[KREPORT_LIST_CORRUPTION] = "list-corruption", [KREPORT_REFCOUNT] = "refcount",
	[KREPORT_ATOMIC] = "atomic", [KREPORT_PANIC] = "panic", [KREPORT_LIVEPATCH] = "livepatch",
	[KREPORT_RUST_PANIC] = "rust-panic",
};

const char *kreport_type_name(enum kreport_type t)
{
	return (unsigned)t < ELEMENTSOF(type_names) && type_names[t] ? type_names[t] : "unknown";
}

const char *klp_event_name(enum klp_event e)
{
	static const char *const names[] = {
		[KLP_EVENT_NONE] = "none", [KLP_EVENT_ENABLING] = "enabling",
		[KLP_EVENT_PATCHING] = "patching", [KLP_EVENT_PATCHED] = "patched",
		[KLP_EVENT_UNPATCHING] = "unpatching", [KLP_EVENT_UNPATCHED] = "unpatched",
		[KLP_EVENT_SIGNALING] = "signaling", [KLP_EVENT_FORCING] = "forcing",
		[KLP_EVENT_FAILED] = "failed", [KLP_EVENT_MODULE] = "module",
	};

	return (unsigned)e < ELEMENTSOF(names) && names[e] ? names[e] : "unknown";
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *kreport_to_json(const struct kreport *r, const char *culprit)
{
	json_t *o = json_object(), *frames = json_array(), *mods = json_array(), *site;

	if (!o || !frames || !mods) {
		json_decref(o);
		json_decref(frames);
		json_decref(mods);
		return NULL;
	}
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct kframe *f = &r->frames[i];

		json_array_append_new(frames, json_pack("{s:o, s:o, s:I, s:I, s:b}",
			"function", str_or_null(f->function), "module", str_or_null(f->module),
			"offset", (json_int_t)f->offset, "size", (json_int_t)f->size,
			"reliable", f->reliable));
	}
	for (size_t i = 0; i < r->n_modules; i++)
		json_array_append_new(mods, json_pack("{s:s, s:s}", "name", r->modules[i].name,
						      "flags", r->modules[i].flags));
	site = r->site_file ? json_pack("{s:s, s:i}", "file", r->site_file, "line",
					(int)r->site_line) : json_null();
	json_object_set_new(o, "type", json_string(kreport_type_name(r->type)));
	json_object_set_new(o, "title", str_or_null(r->title));
	json_object_set_new(o, "headline", str_or_null(r->headline));
	json_object_set_new(o, "rip_function", str_or_null(r->rip_function));
	json_object_set_new(o, "rip_module", str_or_null(r->rip_module));
	json_object_set_new(o, "site", site ? site : json_null());
	json_object_set_new(o, "frames", frames);
	json_object_set_new(o, "modules", mods);
	json_object_set_new(o, "taint", str_or_null(r->taint));
	json_object_set_new(o, "cpu", r->cpu >= 0 ? json_integer(r->cpu) : json_null());
	json_object_set_new(o, "pid", r->pid >= 0 ? json_integer(r->pid) : json_null());
	json_object_set_new(o, "comm", str_or_null(r->comm));
	json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(o, "ts_usec", json_integer((json_int_t)r->ts_usec));
	if (r->type == KREPORT_LIVEPATCH) {
		json_object_set_new(o, "klp_event", json_string(klp_event_name(r->klp_event)));
		json_object_set_new(o, "klp_patch", str_or_null(r->klp_patch));
		json_object_set_new(o, "klp_object", str_or_null(r->klp_object));
	}
	json_object_set_new(o, "culprit", str_or_null(culprit));
	return o;
}
