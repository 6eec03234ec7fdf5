/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape-backend serve: the fleet's HTTP(S) server (libmicrohttpd). POST /v1/enroll and
 * POST /v1/reports into the database through fleet/fleet.h, and optionally the archive's
 * metadata/ and targets/ as static files. One internal thread runs every request, so the
 * database handle is only ever used from it. Runs until SIGTERM or SIGINT.
 */
#pragma once

#include <stdbool.h>

#include "fleet/fleet.h"

struct serve_opts {
	const char *listen;            /* ADDR:PORT or [ADDR6]:PORT; port 0: any */
	const char *tls_cert, *tls_key; /* PEM files; both or neither */
	const char *archive;           /* served as static files; NULL: none */
	const char *port_file;         /* the bound port is written here (atomically) */
	long rate, burst;              /* per address: requests per second, bucket size */
	long connections;              /* at most this many at a time */
	long timeout;                  /* seconds a connection may stay idle */
};

/* Per-address token buckets (serve_rate.c). */
struct rate_table;
int rate_table_new(double rate, double burst, struct rate_table **ret);
void rate_table_free(struct rate_table *t);
/* true when the address may make a request now; else *retry_after is the seconds until it
 * may (at least 1). */
bool rate_take(struct rate_table *t, const char *address, double now, long *retry_after);

/* Parses ADDR:PORT into a socket address; -EINVAL when it is not one. */
struct sockaddr_storage;
int serve_parse_listen(const char *listen, struct sockaddr_storage *ss, unsigned *len);

/* Serves until a signal; 0 on a clean stop, negative errno when it could not start. */
int serve_run(struct fleet *f, const struct serve_opts *o);
