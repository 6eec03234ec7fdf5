/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text from outside (a kernel log, a configuration file, a client's request) shown on a
 * terminal or in a log: control bytes, DEL and the C1 controls (U+0080..U+009F, which some
 * terminals obey like ESC) become \xNN, so nothing read can move the cursor, recolour or
 * retitle the reader's terminal. Other bytes, UTF-8 included, are kept.
 */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* s[0..len) escaped into buf (size > 4), NUL-ended; cut with "..." when it does not fit.
 * Returns buf. */
char *escape_text(const char *s, size_t len, char *buf, size_t size);
/* The NUL-ended s, escaped, to f. */
void fputs_escaped(const char *s, FILE *f);
