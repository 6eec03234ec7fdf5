/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TUF client's fetchers over libcurl (declared in tuf_client.h): http and https only, no
 * redirects, connect and slow-retrieval timeouts, and the caller's byte limit enforced while
 * the body arrives, so endless data stops at the limit.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "tuf_client.h"

struct sink {
	char *buf;
	size_t len, max;
	bool too_big;
};

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t add = size * n;
	char *grown;

	if (s->len + add > s->max) {
		s->too_big = true;
		return 0; /* stop reading endless data */
	}
	grown = realloc(s->buf, s->len + add + 1);
	if (!grown)
		return 0;
	s->buf = grown;
	memcpy(s->buf + s->len, data, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

struct file_sink {
	int fd;
	size_t len, max;
	bool too_big, failed;
};

static size_t on_file_data(char *data, size_t size, size_t n, void *ud)
{
	struct file_sink *s = ud;
	size_t add = size * n;

	if (s->len + add > s->max) {
		s->too_big = true;
		return 0;
	}
	if (write_all(s->fd, data, add) < 0) {
		s->failed = true;
		return 0;
	}
	s->len += add;
	return add;
}

static int curl_get(const char *url, curl_write_callback on, void *sink, long *code)
{
	CURL *h = curl_easy_init();
	CURLcode r;

	if (!h)
		return -ENOMEM;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	/* slow retrieval: less than 1 KiB/s for 30 s, or 10 minutes in all, is a failure */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 600L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	r = curl_easy_perform(h);
	*code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
	curl_easy_cleanup(h);
	return r == CURLE_OK ? 0 : -EIO;
}

int tuf_curl_fetch(void *userdata, const char *url, size_t max, char **ret, size_t *len)
{
	struct sink s = { .max = max };
	long code;
	int r = curl_get(url, on_data, &s, &code);

	if (r == -ENOMEM)
		return r;
	if (s.too_big) {
		free(s.buf);
		return -EFBIG;
	}
	if (r < 0 || code != 200) {
		free(s.buf);
		return (code == 404 || code == 403) ? -ENOENT : -EIO;
	}
	*ret = s.buf ? s.buf : strdup("");
	*len = s.len;
	return *ret ? 0 : -ENOMEM;
}

int tuf_curl_fetch_file(void *userdata, const char *url, size_t max, int fd, size_t *len)
{
	struct file_sink s = { .fd = fd, .max = max };
	long code;
	int r = curl_get(url, on_file_data, &s, &code);

	if (r == -ENOMEM)
		return r;
	if (s.too_big)
		return -EFBIG;
	if (r < 0 || s.failed || code != 200)
		return (code == 404 || code == 403) ? -ENOENT : -EIO;
	*len = s.len;
	return 0;
}

