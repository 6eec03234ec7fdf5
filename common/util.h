/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers used everywhere: scope-bound cleanup (the systemd _cleanup_ idiom),
 * array sizes, and errno-preserving wrappers. Header only; no state.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

/* Every program's --version; a packaging build sets it with -DTUXTAPE_VERSION=... */
#ifndef TUXTAPE_VERSION
#define TUXTAPE_VERSION "0.1"
#endif

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Defines a cleanup function freep-style for a pointer type with its own destructor. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                 \
	static inline void func##p(type *p)                     \
	{                                                       \
		if (*p)                                         \
			func(*p);                               \
	}

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(closep)

/* Hands ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                             \
	({                                      \
		__typeof__(p) _taken = (p);     \
		(p) = NULL;                     \
		_taken;                         \
	})
#define TAKE_FD(fd)                             \
	({                                      \
		int _taken = (fd);              \
		(fd) = -1;                      \
		_taken;                         \
	})

/* CLOCK_MONOTONIC in microseconds: the clock of the kernel log's timestamps, near enough */
static inline int64_t monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static inline const char *strempty(const char *s)
{
	return s ? s : "";
}

static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Returns -errno of the last failed libc call, never 0 (defaults to -EIO). */
static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}
