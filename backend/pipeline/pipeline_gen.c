// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pipeline's generations: each is this program's `generate` in a child process (its own
 * crash costs one attempt; PR_SET_PDEATHSIG takes it down with the run), up to `jobs` at a
 * time. Its outcome is read from the report.json it leaves in its output directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "pipeline/pipeline_int.h"
#include "util.h"

/* 'text' with every ' closed, escaped and reopened: one shell word. */
static int shell_word(char **list, const char *text)
{
	int k = gen_list_append(list, " ", "'");

	for (const char *p = text; k >= 0 && *p; p++)
		k = *p == '\'' ? gen_list_append(list, "", "'\\''") :
				 gen_list_append(list, "", "%c", *p);
	return k < 0 ? k : gen_list_append(list, "", "'");
}

char *pl_vet_command(const struct pipeline_opts *o, const char *kernel)
{
	char *cmd = NULL;

	if (o->vet)
		return strdup(o->vet);
	if (shell_word(&cmd, o->self) < 0 || gen_list_append(&cmd, " ", "vet --db") < 0 ||
	    shell_word(&cmd, o->db_path) < 0 || gen_list_append(&cmd, " ", "--kernel") < 0 ||
	    shell_word(&cmd, kernel) < 0) {
		free(cmd);
		return NULL;
	}
	return cmd;
}

static int argv_push(struct pl_job *j, const char *arg)
{
	char **v;

	if (!arg)
		return -ENOMEM;
	v = realloc(j->argv, (j->argc + 2) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	j->argv = v;
	v[j->argc] = strdup(arg);
	if (!v[j->argc])
		return -ENOMEM;
	v[++j->argc] = NULL;
	return 0;
}

int pl_job_init(struct pl_job *j, const struct pipeline_opts *o, const char *kernel,
		const char *out)
{
	_cleanup_free_ char *vet = pl_vet_command(o, kernel);
	/* option and value; an option whose value is not set is left out */
	const char *const args[][2] = {
		{ o->self, NULL }, { "generate", NULL }, { "--db", o->db_path },
		{ "--config", o->config_path }, { "--kernel", kernel }, { "--out", out },
		{ "--json", NULL }, { "--vet-command", vet }, { "--cache", o->cache },
		{ "--notify", o->notify }, { "--webhook", o->webhook },
	};
	int k = 0;

	memset(j, 0, sizeof(*j));
	j->pid = -1;
	j->out = strdup(out);
	j->kernel = strdup(kernel);
	if (!j->out || !j->kernel || !vet)
		return -ENOMEM;
	for (size_t i = 0; k >= 0 && i < ELEMENTSOF(args); i++) {
		bool flag = i < 2 || streq(args[i][0], "--json");

		if (flag || args[i][1])
			k = pl_job_arg(j, args[i][0], flag ? NULL : args[i][1]);
	}
	return k;
}

int pl_job_arg(struct pl_job *j, const char *a, const char *b)
{
	int k = argv_push(j, a);

	return k >= 0 && b ? argv_push(j, b) : k;
}

void pl_job_free(struct pl_job *j)
{
	for (size_t i = 0; i < j->argc; i++)
		free(j->argv[i]);
	free(j->argv);
	free(j->out), free(j->kernel), free(j->cve), free(j->fix_key);
	free(j->outcome), free(j->step), free(j->reason), free(j->module);
	memset(j, 0, sizeof(*j));
	j->pid = -1;
}

static int job_start(struct pl_job *j)
{
	_cleanup_free_ char *log = NULL;
	pid_t parent = getpid(), pid;
	int fd;

	if (mkdir_p(j->out, 0755) < 0)
		return log_error_errno(errno, "%s: %m", j->out);
	if (asprintf(&log, "%s/generate.log", j->out) < 0)
		return -ENOMEM;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return log_error_errno(errno, "%s: %m", log);
	j->started = gen_now();
	pid = fork();
	if (pid < 0) {
		close(fd);
		return log_error_errno(errno, "fork: %m");
	}
	if (pid == 0) {
		/* a generation outliving a killed run would race the next run's */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		execv(j->argv[0], j->argv);
		_exit(127);
	}
	close(fd);
	j->pid = pid;
	return 0;
}

/* The outcome from OUT/report.json: vetted (ok and the vet step ok), refused or failed. */
static void job_read(struct pl_job *j, int status)
{
	_cleanup_free_ char *path = NULL;
	json_t *rep = NULL, *s;
	size_t i;

	j->seconds = gen_now() - j->started;
	if (asprintf(&path, "%s/report.json", j->out) >= 0)
		rep = json_load_file(path, 0, NULL);
	if (!rep) {
		j->outcome = strdup("failed");
		j->step = strdup("generate");
		if (WIFSIGNALED(status) && asprintf(&j->reason, "the generator was killed by "
						    "signal %d", WTERMSIG(status)) < 0)
			j->reason = NULL;
		else if (!WIFSIGNALED(status) &&
			 asprintf(&j->reason, "the generator exited %d without a report (see "
				  "%s/generate.log)", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				  j->out) < 0)
			j->reason = NULL;
		return;
	}
	const char *outcome = json_string_value(json_object_get(rep, "outcome"));
	const char *step = json_string_value(json_object_get(rep, "step"));
	const char *reason = json_string_value(json_object_get(rep, "reason"));
	bool vetted = false;

	json_array_foreach(json_object_get(rep, "steps"), i, s)
		if (streq(strempty(json_string_value(json_object_get(s, "name"))), "vet"))
			vetted = streq(strempty(json_string_value(json_object_get(s, "status"))),
				       "ok");
	if (streq(strempty(outcome), "ok") && !vetted) {
		j->outcome = strdup("failed");
		j->step = strdup("vet");
		j->reason = strdup("built but not vetted");
	} else {
		j->outcome = strdup(streq(strempty(outcome), "ok") ? "vetted" :
				    streq(strempty(outcome), "refused") ? "refused" : "failed");
		j->step = step ? strdup(step) : NULL;
		j->reason = reason ? strdup(reason) : NULL;
	}
	j->module = json_string_value(json_object_get(rep, "module")) ?
		strdup(json_string_value(json_object_get(rep, "module"))) : NULL;
	json_decref(rep);
}

int pl_jobs_run(struct pl_job *jobs, size_t n, long parallel, double deadline,
		void (*done)(struct pl_job *j, void *userdata), void *userdata)
{
	size_t next = 0, running = 0;

	if (parallel < 1)
		parallel = 1;
	while (next < n || running) {
		int status;
		pid_t pid;

		while (next < n && running < (size_t)parallel) {
			struct pl_job *j = &jobs[next++];

			if (deadline > 0 && gen_now() >= deadline) {
				j->deferred = true;
				continue;
			}
			if (job_start(j) < 0) {
				j->outcome = strdup("failed");
				j->step = strdup("generate");
				j->reason = strdup("the generator could not be started");
				if (done)
					done(j, userdata);
				continue;
			}
			running++;
		}
		if (!running)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return log_error_errno(errno, "waitpid: %m");
		}
		for (size_t i = 0; i < n; i++)
			if (jobs[i].pid == pid) {
				jobs[i].pid = -1;
				running--;
				job_read(&jobs[i], status);
				if (done)
					done(&jobs[i], userdata);
			}
	}
	return 0;
}
