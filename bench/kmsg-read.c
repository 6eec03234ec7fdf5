/* SPDX-License-Identifier: GPL-2.0-only */
/* The cost of one read() of /dev/kmsg (the device returns one record per call): reads the
 * records in this machine's buffer 300 times over and prints microseconds per record. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec a, b;
	char buf[8192];
	long n = 0;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 300; i++) {
		int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0) {
			perror("/dev/kmsg");
			return 1;
		}
		for (;;) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r < 0 && errno == EPIPE)
				continue;
			if (r <= 0)
				break;
			n++;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	if (!n)
		return 1;
	printf("%.2f\n", s * 1e6 / (double)n);
	return 0;
}
