/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A datagram on the companion's netlink socket (agent/companion.h): whatever arrives must be
 * taken apart within its length or refused with a reason. Both parsers see the bytes: the
 * event parser and the blocking reply's; what they accept must hold the protocol's bounds.
 */
#include <errno.h>

#include <linux/netlink.h>

#include "companion.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *h = (struct nlmsghdr *)fuzz_dup(data, size, 0);
	struct companion_event ev;
	struct companion_task v[4];
	char why[160], patch[TT_NAME_MAX];
	uint32_t truncated = 0;
	int r;

	/* the socket layer guarantees a header's worth; the parser checks the rest */
	if (size < sizeof(*h)) {
		free(h);
		return 0;
	}
	why[0] = '\0';
	r = companion_parse(h, size, &ev, why, sizeof(why));
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -EOPNOTSUPP);
	if (r < 0) {
		FUZZ_ASSERT(why[0] && memchr(why, '\0', sizeof(why)));
	} else {
		FUZZ_ASSERT(ev.seq > 0);
		FUZZ_ASSERT(strlen(ev.patch) < sizeof(ev.patch) && strlen(ev.module) < sizeof(ev.module));
		FUZZ_ASSERT(strlen(ev.symbol) < sizeof(ev.symbol) && strlen(ev.comm) < sizeof(ev.comm));
		for (const char *s = ev.module; *s; s++)
			FUZZ_ASSERT(*s >= 0x20 && *s < 0x7f);
	}
	why[0] = '\0';
	r = companion_parse_blocking(h, size, patch, sizeof(patch), v, 4, &truncated, why,
				     sizeof(why));
	FUZZ_ASSERT(r == -EBADMSG || (r >= 0 && r <= 4));
	if (r < 0)
		FUZZ_ASSERT(why[0]);
	for (int i = 0; i < r; i++)
		FUZZ_ASSERT(v[i].pid > 0 && v[i].reason < __TT_BLOCK_MAX && strlen(v[i].func) < sizeof(v[i].func));
	free(h);
	return 0;
}
