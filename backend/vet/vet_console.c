/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the vetting guest's serial console says. The guest's /init (vet_guest.c) prints
 * "VET-..." lines; the kernel log comes between VET-KLOG-BEGIN and VET-KLOG-END as dmesg
 * printed it. Everything here is outside input: a guest that crashed mid-line, a console
 * with kernel messages interleaved, or garbage must give a verdict, never a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "klog/kreport.h"
#include "util.h"
#include "vet/vet.h"

/* Taint bits a livepatch brings by itself: O (out-of-tree), E (unsigned), K (livepatch). */
#define TAINT_ALLOWED ((1ul << 12) | (1ul << 13) | (1ul << 15))
static const char taint_letters[] = "PFSRMBUDAWCIOELKXT";

struct line {
	const char *p;
	size_t len;
};

/* The next line of buf from *pos, CRs dropped from its end. */
static bool next_line(const char *buf, size_t len, size_t *pos, struct line *l)
{
	const char *nl;

	if (*pos >= len)
		return false;
	l->p = buf + *pos;
	nl = memchr(l->p, '\n', len - *pos);
	l->len = nl ? (size_t)(nl - l->p) : len - *pos;
	*pos += l->len + (nl ? 1 : 0);
	while (l->len && (l->p[l->len - 1] == '\r' || l->p[l->len - 1] == '\0'))
		l->len--;
	return true;
}

/* A guest line may follow kernel output on the same console line: find the marker. */
static const char *find_marker(const struct line *l, const char *marker, size_t *rest)
{
	size_t n = strlen(marker);

	for (size_t i = 0; i + n <= l->len; i++)
		if (memcmp(l->p + i, marker, n) == 0) {
			*rest = l->len - i - n;
			return l->p + i + n;
		}
	return NULL;
}

/* printable text only: the console may carry anything */
static char *clean(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = (p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\t' ? p[i] : '?';
	s[n] = '\0';
	return s;
}

static int add_problem(struct vet_console *c, const char *text)
{
	c->failed = true;
	return json_array_append_new(c->problems, json_string(text)) < 0 ? -ENOMEM : 0;
}

static void on_report(const struct kreport *r, void *userdata)
{
	struct vet_console *c = userdata;
	_cleanup_free_ char *s = NULL;

	/* the livepatch core's own messages are the expected life of a patch, not a fault */
	if (r->type == KREPORT_LIVEPATCH && r->klp_event != KLP_EVENT_FAILED)
		return;
	if (asprintf(&s, "kernel log: %s: %s%s%s", kreport_type_name(r->type), strempty(r->title),
		     r->rip_module ? " in module " : "", strempty(r->rip_module)) < 0)
		return;
	add_problem(c, s);
}

static int add_check(struct vet_console *c, const char *rest, size_t n)
{
	_cleanup_free_ char *name = NULL;
	bool ok;

	/* "VET-CHECK 1 NAME" */
	if (n < 3 || (rest[1] != '0' && rest[1] != '1') || rest[0] != ' ' || rest[2] != ' ')
		return 0;
	ok = rest[1] == '1';
	name = clean(rest + 3, n - 3);
	if (!name)
		return -ENOMEM;
	if (!ok)
		c->failed = true;
	return json_array_append_new(c->checks, json_pack("{s:s, s:b, s:s}", "name", name, "ok",
							  ok, "detail", "")) < 0 ? -ENOMEM : 0;
}

static int add_detail(struct vet_console *c, const char *rest, size_t n)
{
	json_t *last = json_array_get(c->checks, json_array_size(c->checks) - 1);
	const char *old;
	_cleanup_free_ char *text = NULL, *joined = NULL;

	if (!last || n < 1)
		return 0;
	old = json_string_value(json_object_get(last, "detail"));
	/* bounded: a guest printing without end must not grow the report without end */
	if (strlen(old) > 2048)
		return 0;
	text = clean(rest + 1, n - 1);
	if (!text || asprintf(&joined, "%s%s%s", old, *old ? "\n" : "", text) < 0)
		return -ENOMEM;
	return json_object_set_new(last, "detail", json_string(joined)) < 0 ? -ENOMEM : 0;
}

static int check_taint(struct vet_console *c, const char *rest, size_t n)
{
	_cleanup_free_ char *s = clean(rest, n), *msg = NULL;
	char letters[sizeof(taint_letters)] = "";
	unsigned long v, bad;
	char *end;
	size_t k = 0;

	if (!s)
		return -ENOMEM;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s)
		return 0;
	bad = v & ~TAINT_ALLOWED;
	if (!bad)
		return 0;
	for (size_t i = 0; i < sizeof(taint_letters) - 1; i++)
		if (bad & (1ul << i))
			letters[k++] = taint_letters[i];
	letters[k] = '\0';
	if (asprintf(&msg, "kernel tainted %lu: flags %s beyond the livepatch's own (K, O, E)", v,
		     k ? letters : "(unnamed bits)") < 0)
		return -ENOMEM;
	return add_problem(c, msg);
}

int vet_console_parse(const char *buf, size_t len, struct vet_console *ret)
{
	struct vet_console c = { .checks = json_array(), .problems = json_array() };
	struct kparser *kp = NULL, *loose = NULL;
	struct line l;
	size_t pos = 0, n;
	bool in_klog = false, klog_done = false;
	const char *rest;
	int k;

	if (!c.checks || !c.problems) {
		vet_console_done(&c);
		return -ENOMEM;
	}
	k = kparser_new(on_report, &c, &kp);
	if (k >= 0)
		k = kparser_new(on_report, &c, &loose);
	while (k >= 0 && next_line(buf, len, &pos, &l)) {
		if (find_marker(&l, "VET-KLOG-BEGIN", &n)) {
			in_klog = true;
		} else if (find_marker(&l, "VET-KLOG-END", &n)) {
			in_klog = false;
			klog_done = true;
		} else if (in_klog) {
			kparser_feed_text(kp, l.p, l.len);
			kparser_feed_text(kp, "\n", 1);
		} else if ((rest = find_marker(&l, "VET-CHECK", &n))) {
			k = add_check(&c, rest, n);
		} else if ((rest = find_marker(&l, "VET-DETAIL", &n))) {
			k = add_detail(&c, rest, n);
		} else if ((rest = find_marker(&l, "VET-TAINT ", &n))) {
			k = check_taint(&c, rest, n);
		} else if (find_marker(&l, "VET-END", &n)) {
			c.ended = true;
		} else if (find_marker(&l, "VET-BOOT", &n)) {
			c.booted = true;
		} else {
			/* the console's own kernel messages (err and above): the log of a guest
			 * that never reached its dump */
			kparser_feed_text(loose, l.p, l.len);
			kparser_feed_text(loose, "\n", 1);
		}
	}
	if (k >= 0) {
		/* exactly one source of reports: the dump when it is whole, else the console */
		if (klog_done) {
			kparser_flush(kp);
		} else {
			kparser_free(kp);
			kp = NULL;
			kparser_flush(loose);
		}
	}
	kparser_free(kp);
	kparser_free(loose);
	if (k >= 0 && !c.ended)
		k = add_problem(&c, c.booted ? "the guest did not finish (no VET-END on its console)"
					     : "the guest never ran its /init (the kernel did not "
					       "boot, or could not start the initramfs)");
	if (k >= 0 && json_array_size(c.checks) == 0 && c.ended)
		k = add_problem(&c, "the guest reported no checks");
	if (k < 0) {
		vet_console_done(&c);
		return k;
	}
	*ret = c;
	return 0;
}

void vet_console_done(struct vet_console *c)
{
	json_decref(c->checks);
	json_decref(c->problems);
	c->checks = c->problems = NULL;
}

/* "ffffffff81000000 T _stext": hex address, one type letter, a name, no [module] */
static bool kallsyms_line(const struct line *l)
{
	size_t i = 0;

	while (i < l->len && ((l->p[i] >= '0' && l->p[i] <= '9') || (l->p[i] >= 'a' && l->p[i] <= 'f')))
		i++;
	if (i < 8 || i > 16 || i + 3 >= l->len || l->p[i] != ' ' || l->p[i + 2] != ' ')
		return false;
	if (!((l->p[i + 1] >= 'a' && l->p[i + 1] <= 'z') || (l->p[i + 1] >= 'A' && l->p[i + 1] <= 'Z')))
		return false;
	for (size_t j = i + 3; j < l->len; j++)
		if (l->p[j] <= ' ' || l->p[j] > '~' || l->p[j] == '[')
			return false;
	return true;
}

int vet_console_kallsyms(const char *buf, size_t len, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *out = NULL;
	size_t pos = 0, n, used = 0, text = 0;
	bool in = false, done = false;
	struct line l;

	out = malloc(len + 1);
	if (!out)
		return -ENOMEM;
	while (!done && next_line(buf, len, &pos, &l)) {
		if (!in) {
			in = find_marker(&l, "VET-KALLSYMS-BEGIN", &n) != NULL;
			continue;
		}
		if (find_marker(&l, "VET-KALLSYMS-END", &n)) {
			done = true;
			continue;
		}
		if (!kallsyms_line(&l))
			continue;
		for (size_t i = 0; i < l.len; i++)
			if (l.p[i] == ' ' && i + 2 < l.len && l.p[i + 2] == ' ' &&
			    (l.p[i + 1] == 'T' || l.p[i + 1] == 't')) {
				text++;
				break;
			}
		memcpy(out + used, l.p, l.len);
		used += l.len;
		out[used++] = '\n';
	}
	if (!done)
		return -ENOENT;
	if (!text)
		return -ENODATA;
	out[used] = '\0';
	*ret_len = used;
	*ret = TAKE_PTR(out);
	return 0;
}

bool symmap_text_is_placeholder(const char *buf, size_t len)
{
	struct line l;
	size_t pos = 0;

	if (memmem(buf, len, "The real System.map is in", 25))
		return true;
	while (next_line(buf, len, &pos, &l))
		if (kallsyms_line(&l) && (memmem(l.p, l.len, " T ", 3) || memmem(l.p, l.len, " t ", 3)))
			return false;
	return true;
}

int symmap_is_placeholder(const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int k = read_file_bounded(path, 512u << 20, &text, &len);

	if (k < 0)
		return k;
	return symmap_text_is_placeholder(text, len);
}
