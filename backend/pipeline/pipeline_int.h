/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside the pipeline: pipeline.c (the run's steps) over pipeline_gen.c (the generations). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "generate/generate.h"
#include "pipeline/pipeline.h"

/* One generation: a child `generate`, its output directory and what it ended as. */
struct pl_job {
	char **argv;
	size_t argc;
	char *out, *kernel, *cve, *fix_key;
	long long fix_order;
	pid_t pid;
	double started, seconds;
	bool deferred;          /* the budget ran out before it started */
	char *outcome, *step, *reason, *module;
};

/* The vet command for the kernel: [pipeline]/[generate] vet, else `self vet --kernel K`. */
char *pl_vet_command(const struct pipeline_opts *o, const char *kernel);
int pl_job_init(struct pl_job *j, const struct pipeline_opts *o, const char *kernel,
		const char *out);
/* Appends an option (and its value, when b is not NULL). */
int pl_job_arg(struct pl_job *j, const char *a, const char *b);
void pl_job_free(struct pl_job *j);
/* Runs the jobs, parallel at a time, none started at or after deadline (0: none); done()
 * is called as each ends (the caller records it). */
int pl_jobs_run(struct pl_job *jobs, size_t n, long parallel, double deadline,
		void (*done)(struct pl_job *j, void *userdata), void *userdata);
