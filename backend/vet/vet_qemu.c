/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU for the vetting VM: which accelerator really works here, and a boot stopped by its
 * console's silence (or a ceiling), never by a fixed sleep.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "util.h"
#include "vet/vet.h"

/* A device node that opens is not a working KVM (nested setups refuse to run vCPUs): run
 * three real-mode instructions, "mov al, 0x42; out 0x10, al; hlt", and expect the OUT. */
bool vet_kvm_works(void)
{
	static const unsigned char code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xf4 };
	_cleanup_close_ int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	_cleanup_close_ int vm = -1, vcpu = -1;
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };
	struct kvm_run *run;
	void *mem;
	long run_size;
	bool ok = false;

	if (kvm < 0 || ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return false;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return false;
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return false;
	memcpy(mem, code, sizeof(code));
	region.memory_size = 0x1000;
	region.userspace_addr = (uintptr_t)mem;
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 || run_size <= 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		goto out;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		goto out;
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		goto out;
	if (ioctl(vcpu, KVM_RUN, 0) >= 0 && run->exit_reason == KVM_EXIT_IO &&
	    run->io.port == 0x10 && run->io.direction == KVM_EXIT_IO_OUT &&
	    *((unsigned char *)run + run->io.data_offset) == 0x42)
		ok = true;
	munmap(run, (size_t)run_size);
out:
	munmap(mem, 0x1000);
	return ok;
}

static double now_s(void)
{
	return (double)monotonic_usec() / 1e6;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? 0 : st.st_size;
}

static void stop(pid_t pid)
{
	int status;

	for (int sig = 0; sig < 2; sig++) {
		kill(pid, sig ? SIGKILL : SIGTERM);
		/* QEMU exits on TERM at once; KILL only if it did not within 5 s */
		for (int i = 0; i < 50; i++) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				return;
			nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
		}
	}
	waitpid(pid, &status, 0);
}

int vet_boot(const struct vet_opts *o, bool kvm, const char *initrd, const char *cmdline,
	     const char *console_path, enum vet_boot *how, char **why)
{
	_cleanup_free_ char *serial = NULL, *qlog = NULL;
	double start, last_change;
	off_t last_size = 0;
	int status = 0;
	pid_t pid;

	if (asprintf(&serial, "file:%s", console_path) < 0 ||
	    asprintf(&qlog, "%s.qemu", console_path) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	char *argv[] = { (char *)"qemu-system-x86_64", (char *)"-accel", (char *)(kvm ? "kvm" : "tcg"),
			 (char *)"-cpu", (char *)(kvm ? "host" : "max"), (char *)"-m", (char *)"512",
			 (char *)"-smp", (char *)"1", (char *)"-nodefaults", (char *)"-display",
			 (char *)"none", (char *)"-no-reboot", (char *)"-net", (char *)"none",
			 (char *)"-serial", serial, (char *)"-kernel", (char *)o->image,
			 (char *)"-initrd", (char *)initrd, (char *)"-append", (char *)cmdline, NULL };
	pid = fork();
	if (pid < 0)
		return log_error_errno(errno, "fork: %m");
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY), out = open(qlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run qemu-system-x86_64: %s\n", strerror(errno));
		_exit(127);
	}
	start = last_change = now_s();
	for (;;) {
		off_t size;
		double t;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			_cleanup_free_ char *log = NULL;
			size_t len;
			char *nl;

			*how = VET_BOOT_EXITED;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				return 0;
			if (read_file_bounded(qlog, 1u << 20, &log, &len) >= 0 && (nl = strchr(log, '\n')))
				*nl = '\0';
			if (asprintf(why, "QEMU exited %d: %s", WIFEXITED(status) ? WEXITSTATUS(status)
				     : 128 + WTERMSIG(status), log ? log : "") < 0)
				return -ENOMEM;
			/* 127: the program itself is missing, which is the host's setup */
			return WIFEXITED(status) && WEXITSTATUS(status) == 127
				? log_error_errno(ENOENT, "%s (install qemu-system-x86)", *why) : 0;
		}
		t = now_s();
		size = file_size(console_path);
		if (size != last_size) {
			last_size = size;
			last_change = t;
		}
		if (t - last_change >= o->stall_s || t - start >= o->timeout_s) {
			*how = t - last_change >= o->stall_s ? VET_BOOT_STALLED : VET_BOOT_CEILING;
			stop(pid);
			if (*how == VET_BOOT_STALLED
			    ? asprintf(why, "stopped: no console output for %.0f s (--stall %u), "
				       "after %.0f s", t - last_change, o->stall_s, t - start) < 0
			    : asprintf(why, "stopped: still running at the ceiling (--timeout %u), "
				       "its console last advanced %.0f s ago", o->timeout_s,
				       t - last_change) < 0)
				return -ENOMEM;
			return 0;
		}
		/* a poll interval, not a wait for the guest: the limits above decide */
		nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL);
	}
}
