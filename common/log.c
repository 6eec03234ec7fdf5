/* SPDX-License-Identifier: GPL-2.0-only */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

/* Set once by main() through log_setup()/log_set_max_level(); read everywhere. */
static struct {
	const char *ident;
	int max_level;
	bool journal;
} log_state = { .ident = "tuxtape", .max_level = LOG_INFO };

/* True when stderr is the journal stream systemd gave us (JOURNAL_STREAM=dev:ino). */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_setup(const char *ident)
{
	const char *lvl = getenv("TUXTAPE_LOG_LEVEL");

	log_state.ident = ident;
	log_state.journal = stderr_is_journal();
	if (lvl) {
		if (streq(lvl, "debug"))
			log_state.max_level = LOG_DEBUG;
		else if (streq(lvl, "info"))
			log_state.max_level = LOG_INFO;
		else if (streq(lvl, "notice"))
			log_state.max_level = LOG_NOTICE;
		else if (streq(lvl, "warning"))
			log_state.max_level = LOG_WARNING;
		else if (streq(lvl, "err") || streq(lvl, "error"))
			log_state.max_level = LOG_ERR;
	}
}

void log_set_max_level(int level)
{
	log_state.max_level = level;
}

int log_get_max_level(void)
{
	return log_state.max_level;
}

static const char *level_prefix(int level)
{
	switch (level) {
	case LOG_ERR:
		return "error: ";
	case LOG_WARNING:
		return "warning: ";
	case LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

int log_internal(int level, int error, const char *file, int line, const char *func,
		 const char *format, ...)
{
	char buf[2048];
	va_list ap;
	int saved = errno;

	if (error < 0)
		error = -error;
	if (level > log_state.max_level)
		return -error;

	/* "%m" must print the error we were handed, not whatever errno is now. */
	errno = error;
	va_start(ap, format);
	vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);

	if (log_state.journal) {
		char codefile[256], codeline[32];

		snprintf(codefile, sizeof(codefile), "CODE_FILE=%s", file);
		snprintf(codeline, sizeof(codeline), "CODE_LINE=%d", line);
		sd_journal_send_with_location(codefile, codeline, func, "MESSAGE=%s", buf,
					      "PRIORITY=%d", level, "SYSLOG_IDENTIFIER=%s",
					      log_state.ident, "ERRNO=%d", error, NULL);
	} else {
		fprintf(stderr, "%s: %s%s\n", log_state.ident, level_prefix(level), buf);
	}
	errno = saved;
	return -error;
}
