/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging for every TuxTape program. Messages go to stderr, or to the systemd journal
 * (with structured fields) when stderr is connected to it. The log_*_errno() forms
 * return the negative errno they were given, so an error is logged once where it is
 * handled: `return log_error_errno(r, "cannot open %s: %m", path);`. "%m" prints the
 * error given, not the ambient errno.
 *
 * The only process-wide state is the maximum level and the sink, set once by main().
 */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "util.h"

void log_setup(const char *ident);
void log_set_max_level(int level);
int log_get_max_level(void);

int log_internal(int level, int error, const char *file, int line, const char *func,
		 const char *format, ...) _printf_(6, 7);

#define log_full_errno(level, error, ...) \
	log_internal((level), (error), __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, (e), __VA_ARGS__)
