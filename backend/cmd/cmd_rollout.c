// SPDX-License-Identifier: GPL-2.0-only
/*
 * tuxtape-backend fleet promote|hold|release|revoke PATCH --reason TEXT: the rollout's
 * manual controls (fleet/rollout.h); cmd_fleet.c hands these verbs here.
 */
#include <stdio.h>

#include "cli.h"

int cmd_fleet_rollout(int argc, char **argv)
{
	fprintf(stderr, "tuxtape-backend fleet %s: not built yet\n", argc > 0 ? argv[0] : "");
	return EXIT_USAGE;
}
