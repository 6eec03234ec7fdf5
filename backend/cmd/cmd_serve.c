// SPDX-License-Identifier: GPL-2.0-only
/*
 * tuxtape-backend serve: the fleet's HTTP(S) server (serve/serve.h), configured in [serve]
 * and [fleet] of the backend's configuration, options overriding it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "fleet/fleet.h"
#include "log.h"
#include "serve/serve.h"
#include "util.h"

#define CONNECTION_TIMEOUT 30 /* seconds: a slow client holds a slot no longer */

static void help(void)
{
	printf("Usage: tuxtape-backend serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
	       "           [--archive DIR] [--port-file FILE]\n\n"
	       "The fleet's server (docs/FLEET.md): nodes enrol (POST /v1/enroll) and send their\n"
	       "signed health reports (POST /v1/reports) into the database; with --archive, the\n"
	       "archive's metadata/ and targets/ are served as static files too. Runs until\n"
	       "SIGTERM or SIGINT; tells systemd when it listens (Type=notify).\n"
	       "  --listen     ADDR:PORT or [ADDR6]:PORT (default [serve] listen or %s;\n"
	       "               port 0: any free port)\n"
	       "  --tls-cert   HTTPS with this PEM certificate ([serve] tls-cert) ...\n"
	       "  --tls-key    ... and this PEM key ([serve] tls-key); both or neither\n"
	       "  --archive    serve this archive directory's files ([serve] archive)\n"
	       "  --port-file  write the port listened on to FILE (atomically) once listening\n"
	       "Limits: [serve] rate and burst (requests per second and at once, per address),\n"
	       "connections; a body over 64 KiB is refused.\n\n"
	       "Exit codes: 0 stopped by a signal, 1 failed (cannot listen, database), 2 usage or\n"
	       "configuration.\n"
	       "Common options: --db PATH, --config PATH, --help.\n", DEFAULT_LISTEN);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "archive", required_argument, NULL, 'a' },
		{ "port-file", required_argument, NULL, 'p' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	struct serve_opts o = { 0 };
	struct db *db = NULL;
	struct fleet *f = NULL;
	int opt, ret = EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'l': o.listen = optarg; break;
		case 'c': o.tls_cert = optarg; break;
		case 'k': o.tls_key = optarg; break;
		case 'a': o.archive = optarg; break;
		case 'p': o.port_file = optarg; break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend serve --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (optind != argc) {
		fprintf(stderr, "tuxtape-backend serve: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0)
		goto out;
	{
		const struct serve_config *sc = &c.cfg.serve;
		struct sockaddr_storage ss;
		unsigned len;

		o.listen = o.listen ? o.listen : sc->listen ? sc->listen : DEFAULT_LISTEN;
		o.tls_cert = o.tls_cert ? o.tls_cert : sc->tls_cert;
		o.tls_key = o.tls_key ? o.tls_key : sc->tls_key;
		o.archive = o.archive ? o.archive : sc->archive;
		o.rate = sc->rate;
		o.burst = sc->burst;
		o.connections = sc->connections;
		o.timeout = CONNECTION_TIMEOUT;
		if (serve_parse_listen(o.listen, &ss, &len) < 0) {
			fprintf(stderr, "tuxtape-backend serve: --listen '%s': expected ADDR:PORT or "
				"[ADDR6]:PORT\n", o.listen);
			goto out;
		}
		if (!o.tls_cert != !o.tls_key) {
			fprintf(stderr, "tuxtape-backend serve: --tls-cert and --tls-key go together\n");
			goto out;
		}
	}
	ret = EXIT_FAIL;
	if (db_open(common_db_path(&c), true, &db) < 0)
		goto out;
	{
		struct fleet_limits lim = {
			.stale_intervals = c.cfg.fleet.stale_intervals,
			.token_expiry = c.cfg.fleet.token_expiry,
		};

		if (fleet_new(db, &lim, &f) < 0)
			goto out;
	}
	if (serve_run(f, &o) < 0)
		goto out;
	ret = EXIT_OK;
out:
	fleet_free(f);
	db_close(db);
	common_done(&c);
	return ret;
}
