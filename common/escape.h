/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text from outside (a kernel log, a configuration file, a client's request) shown on a
 * terminal or in a log: control bytes, DEL and the C1 controls (U+0080..U+009F, which some
 * terminals obey like ESC) become \xNN, so nothing read can move the cursor, recolour or
 * retitle the reader's terminal; so do bytes that are not valid UTF-8, which keeps the
 * result valid UTF-8 (a JSON reply needs it). Valid UTF-8 is kept, and never cut inside a
 * character.
 */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* s[0..len) escaped into buf (size > 4), NUL-ended; cut with "..." when it does not fit.
 * Returns buf. */
char *escape_text(const char *s, size_t len, char *buf, size_t size);
/* The NUL-ended s, escaped, to f. */
void fputs_escaped(const char *s, FILE *f);
