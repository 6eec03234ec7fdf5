// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fleet server's load generator (bench/serve.sh): signed reports from the deterministic
 * nodes 0..N-1 (fleet_seed.h), built and signed before the clock starts, sent over C
 * keep-alive connections at once. A node's reports all go over one connection, in order,
 * so none is refused as out of order. Prints one line:
 *   reports R accepted A refused F seconds S rate X/s
 * Usage: fleet-load PORT NODES REPORTS CONNECTIONS FIRST-SEQ
 *        fleet-load --ids NODES   (prints each node's id and public key hex, for enrolment)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fleet_seed.h"

struct request {
	char *text;
	size_t len;
};

struct conn {
	int fd;
	struct request *reqs;
	size_t n, next, sent;  /* requests; the one in flight; its bytes sent */
	char in[4096];
	size_t in_len;
};

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void build(struct request *r, unsigned long node, unsigned long seq)
{
	unsigned char pk[32], sk[64], sig[64];
	char id[65], sighex[129], body[1024];
	int blen;

	fleet_seed_key(node, pk, sk);
	hex(pk, 32, id);
	blen = snprintf(body, sizeof(body),
		"{\"v\": 1, \"node\": \"%s\", \"seq\": %lu, \"time\": %ld, \"event\": \"refresh\","
		" \"machine_id\": \"%032lx\", \"boot_id\": \"01234567-89ab-cdef-0123-456789abcdef\","
		" \"hostname\": \"node-%lu\", \"kernel\": {\"release\": \"6.1.0-57-amd64\","
		" \"build_id\": \"ab12cd34\"}, \"uptime\": 86400, \"channel\": \"%s\","
		" \"interval\": 3600, \"taint\": 0, \"kmsg\": {\"records\": 1234, \"reports\": 0,"
		" \"dropped\": 0}, \"patches\": [{\"id\": \"cumulative-deb12-3\", \"version\": 3,"
		" \"state\": \"applied\", \"since\": 1765000000, \"reason\": \"\","
		" \"target\": \"6.1.0-57-amd64/cumulative-deb12-3.ko\"}], \"problems\": []}",
		id, seq, (long)time(NULL), node, node, node % 10 ? "stable" : "canary");
	crypto_sign_detached(sig, NULL, (unsigned char *)body, (size_t)blen, sk);
	hex(sig, 64, sighex);
	r->len = (size_t)asprintf(&r->text,
		"POST /v1/reports HTTP/1.1\r\nHost: bench\r\nTuxTape-Node: %s\r\n"
		"TuxTape-Signature: %s\r\nContent-Type: application/json\r\n"
		"Content-Length: %d\r\n\r\n%s", id, sighex, blen, body);
}

/* A whole answer in c->in: consumed, its status returned; 0 while incomplete. */
static int answer_done(struct conn *c)
{
	char *end, *cl;
	size_t head, body;
	int status;

	c->in[c->in_len] = '\0';
	end = strstr(c->in, "\r\n\r\n");
	if (!end)
		return 0;
	head = (size_t)(end - c->in) + 4;
	cl = strcasestr(c->in, "\r\nContent-Length:");
	body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
	if (c->in_len < head + body)
		return 0;
	status = strncmp(c->in, "HTTP/1.1 ", 9) == 0 ? atoi(c->in + 9) : -1;
	memmove(c->in, c->in + head + body, c->in_len - head - body);
	c->in_len -= head + body;
	return status;
}

int main(int argc, char **argv)
{
	unsigned long nodes, total, nconn, first;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long accepted = 0, refused = 0, done = 0;
	struct conn *conns;
	struct pollfd *pfd;
	double t0, t1;

	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && !strcmp(argv[1], "--ids")) {
		for (unsigned long i = 0; i < strtoul(argv[2], NULL, 10); i++) {
			unsigned char pk[32], sk[64];
			char id[65];

			fleet_seed_key(i, pk, sk);
			hex(pk, 32, id);
			printf("%s\n", id);
		}
		return 0;
	}
	if (argc != 6) {
		fprintf(stderr, "usage: fleet-load PORT NODES REPORTS CONNECTIONS FIRST-SEQ | --ids N\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	nodes = strtoul(argv[2], NULL, 10);
	total = strtoul(argv[3], NULL, 10);
	nconn = strtoul(argv[4], NULL, 10);
	first = strtoul(argv[5], NULL, 10);
	if (!nodes || !nconn || nconn > nodes)
		return 2;
	conns = calloc(nconn, sizeof(*conns));
	pfd = calloc(nconn, sizeof(*pfd));
	for (unsigned long c = 0; c < nconn; c++)
		conns[c].reqs = calloc(total / nconn + 2, sizeof(struct request));
	/* report i: node i % nodes, its (i / nodes)th; node n on connection n % nconn */
	for (unsigned long i = 0; i < total; i++) {
		unsigned long node = i % nodes;
		struct conn *c = &conns[node % nconn];

		build(&c->reqs[c->n++], node, first + i / nodes);
	}
	for (unsigned long c = 0; c < nconn; c++) {
		int one = 1;

		conns[c].fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(conns[c].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(conns[c].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("connect");
			return 1;
		}
	}
	t0 = now();
	while (done < total) {
		for (unsigned long c = 0; c < nconn; c++) {
			struct conn *k = &conns[c];

			pfd[c].fd = k->next < k->n ? k->fd : -1;
			pfd[c].events = k->next < k->n && k->sent < k->reqs[k->next].len ? POLLOUT : POLLIN;
		}
		if (poll(pfd, nconn, 10000) <= 0) {
			fprintf(stderr, "fleet-load: the server stopped answering\n");
			return 1;
		}
		for (unsigned long c = 0; c < nconn; c++) {
			struct conn *k = &conns[c];
			struct request *r = &k->reqs[k->next];
			ssize_t n;

			if (pfd[c].fd < 0)
				continue;
			if (pfd[c].revents & POLLOUT) {
				n = send(k->fd, r->text + k->sent, r->len - k->sent, MSG_NOSIGNAL);
				if (n < 0) {
					perror("send");
					return 1;
				}
				k->sent += (size_t)n;
			} else if (pfd[c].revents & (POLLIN | POLLHUP | POLLERR)) {
				int status;

				n = recv(k->fd, k->in + k->in_len, sizeof(k->in) - 1 - k->in_len, 0);
				if (n <= 0) {
					fprintf(stderr, "fleet-load: connection closed\n");
					return 1;
				}
				k->in_len += (size_t)n;
				while (k->in_len && (status = answer_done(k)) != 0) {
					if (status == 200)
						accepted++;
					else if (refused++ < 5)
						fprintf(stderr, "fleet-load: answer %d\n", status);
					done++;
					k->next++;
					k->sent = 0;
				}
			}
		}
	}
	t1 = now();
	printf("reports %lu accepted %lu refused %lu seconds %.3f rate %.0f/s\n", total, accepted,
	       refused, t1 - t0, total / (t1 - t0));
	return refused ? 1 : 0;
}
