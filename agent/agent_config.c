/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_config.h"
#include "escape.h"
#include "fileio.h"
#include "log.h"
#include "util.h"

struct parse_state {
	struct agent_config *c;
	const char *path;
	FILE *f;
	int lineno;     /* Debian's libinih passes no line numbers: count them in the reader */
	int error;
};

/* Reads one line for inih, refusing control bytes: a binary file named as the configuration
 * is refused at its first one, rather than parsed into garbage keys and values. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	int ch = 0, n = 0;

	if (st->error)
		return NULL;
	while (n < num - 1 && ch != '\n' && (ch = getc(st->f)) != EOF) {
		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f) {
			log_error("%s:%d: byte 0x%02x: not a text configuration file", st->path,
				  st->lineno + 1, ch);
			st->error = -EINVAL;
			return NULL;
		}
		str[n++] = (char)ch;
	}
	if (n == 0)
		return NULL;
	str[n] = '\0';
	st->lineno++;
	return str;
}

/* what the file said, safe to print */
#define SHOW(s) escape_text((s), strlen(s), (char[160]){ 0 }, 160)

static int set_string(char **field, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

/* http:// or https://, at most 1024 bytes, no whitespace or control byte */
static int set_url(char **field, const char *value)
{
	size_t len = strlen(value);

	if ((!startswith(value, "http://") && !startswith(value, "https://")) || len > 1024)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] <= 0x20 || value[i] == 0x7f)
			return -EINVAL;
	return set_string(field, value);
}

/* A token: 1 to 256 printable ASCII bytes, no space (the backend prints it as one word). */
static int set_token(char **field, const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len > 256)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] <= 0x20 || (unsigned char)value[i] >= 0x7f)
			return -EINVAL;
	return set_string(field, value);
}

/* token-file: its first line is the token; -EIO once said why it could not be read. */
static int read_token(struct parse_state *st, int lineno, const char *path, char **field)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_file_bounded(path, 4096, &buf, &len);

	if (r < 0) {
		log_error("%s:%d: token-file %s: %s", st->path, lineno, SHOW(path),
			  r == -EFBIG ? "larger than 4 KiB: not a token" : strerror(-r));
		return -EIO;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	r = set_token(field, buf);
	if (r == -EINVAL) {
		log_error("%s:%d: token-file %s does not hold a token (1 to 256 printable bytes on "
			  "its first line)", st->path, lineno, SHOW(path));
		return -EIO;
	}
	return r;
}

/* seconds, with an optional s/m/h/d suffix */
static int parse_duration(const char *v, int64_t min, int64_t max, int64_t *ret)
{
	char *end;
	long long n;
	int64_t mult = 1;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || n < 0)
		return -EINVAL;
	if (*end) {
		if (end[1])
			return -EINVAL;
		switch (*end) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: return -EINVAL;
		}
	}
	if (n > max / mult || n * mult < min || n * mult > max)
		return -ERANGE;
	*ret = n * mult;
	return 0;
}

static int parse_bool(const char *v, bool *ret)
{
	if (streq(v, "yes") || streq(v, "true") || streq(v, "1") || streq(v, "on"))
		*ret = true;
	else if (streq(v, "no") || streq(v, "false") || streq(v, "0") || streq(v, "off"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

/* "warn bug oops ..." (spaces or commas) into a bit set of report types; "none" is empty */
static int parse_types(const char *v, uint32_t *ret)
{
	uint32_t set = 0;
	const char *p = v;

	while (*p) {
		size_t len;
		int t;

		p += strspn(p, " ,\t");
		len = strcspn(p, " ,\t");
		if (!len)
			break;
		if (len == 4 && !strncmp(p, "none", 4)) {
			p += len;
			continue;
		}
		for (t = 0; t < _KREPORT_TYPE_MAX; t++)
			if (strlen(kreport_type_name(t)) == len && !strncmp(kreport_type_name(t), p, len))
				break;
		if (t == _KREPORT_TYPE_MAX || t == KREPORT_LIVEPATCH)
			return -EINVAL;
		set |= 1u << t;
		p += len;
	}
	*ret = set;
	return 0;
}

uint32_t agent_default_revert_on(void)
{
	static const enum kreport_type types[] = {
		KREPORT_WARN, KREPORT_BUG, KREPORT_OOPS, KREPORT_PAGE_FAULT, KREPORT_GPF,
		KREPORT_KASAN, KREPORT_UBSAN, KREPORT_SOFT_LOCKUP, KREPORT_HARD_LOCKUP,
		KREPORT_RCU_STALL, KREPORT_LIST_CORRUPTION, KREPORT_REFCOUNT, KREPORT_PANIC,
	};
	uint32_t set = 0;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		set |= 1u << types[i];
	return set;
}

static int on_entry(void *userdata, const char *section, const char *key, const char *value)
{
	struct parse_state *st = userdata;
	int lineno = st->lineno;
	struct agent_config *c = st->c;
	int r = -ENOKEY;

	if (!key)       /* a section header alone */
		return 1;
	if (streq(section, "archive")) {
		if (streq(key, "url"))
			r = set_string(&c->url, value);
		else if (streq(key, "trusted-root"))
			r = set_string(&c->trusted_root, value);
		else if (streq(key, "channel"))
			r = set_string(&c->channel, value);
	} else if (streq(section, "agent")) {
		if (streq(key, "refresh-interval"))
			r = parse_duration(value, 10, 7 * 86400, &c->refresh_interval);
		else if (streq(key, "refresh-jitter"))
			r = parse_duration(value, 0, 86400, &c->refresh_jitter);
		else if (streq(key, "transition-timeout"))
			r = parse_duration(value, 1, 3600, &c->transition_timeout);
		else if (streq(key, "healthy-window"))
			r = parse_duration(value, 1, 86400, &c->healthy_window);
		else if (streq(key, "auto-revert"))
			r = parse_bool(value, &c->auto_revert);
		else if (streq(key, "group"))
			r = set_string(&c->group, value);
		else if (streq(key, "companion"))
			r = parse_bool(value, &c->companion);
	} else if (streq(section, "watch")) {
		if (streq(key, "enabled"))
			r = parse_bool(value, &c->watch);
		else if (streq(key, "revert-on"))
			r = parse_types(value, &c->revert_on);
		else if (streq(key, "weak-evidence")) {
			r = streq(value, "revert") || streq(value, "report") ? 0 : -EINVAL;
			c->weak_revert = streq(value, "revert");
		} else if (streq(key, "weak-window"))
			r = parse_duration(value, 0, 7 * 86400, &c->weak_window);
	} else if (streq(section, "fleet")) {
		if (streq(key, "url"))
			r = set_url(&c->fleet_url, value);
		else if (streq(key, "token") || streq(key, "token-file")) {
			if (c->fleet_token) {
				log_error("%s:%d: [fleet] has both token and token-file, or one twice",
					  st->path, lineno);
				st->error = -EINVAL;
				return 0;
			}
			r = streq(key, "token") ? set_token(&c->fleet_token, value) :
			    read_token(st, lineno, value, &c->fleet_token);
			if (r == -EIO) {
				st->error = -EINVAL;
				return 0;
			}
		}
	} else if (streq(section, "paths")) {
		if (streq(key, "root"))
			r = set_string(&c->root, value);
		else if (streq(key, "state-dir"))
			r = set_string(&c->state_dir, value);
		else if (streq(key, "socket"))
			r = set_string(&c->socket, value);
		else if (streq(key, "kmsg"))
			r = set_string(&c->kmsg, value);
		else if (streq(key, "fetch-helper"))
			r = set_string(&c->fetch_helper, value);
	} else {
		log_error("%s:%d: unknown section [%s]", st->path, lineno, SHOW(section));
		st->error = -EINVAL;
		return 0;
	}
	if (r == -ENOKEY)
		log_error("%s:%d: unknown key '%s' in [%s]", st->path, lineno, SHOW(key), section);
	else if (r == -EINVAL && streq(section, "fleet") && streq(key, "token"))
		/* a secret: not repeated in the log */
		log_error("%s:%d: token is not valid: 1 to 256 printable bytes, no space", st->path,
			  lineno);
	else if (r == -EINVAL && streq(section, "fleet") && streq(key, "url"))
		log_error("%s:%d: url = '%s' is not an http:// or https:// URL of at most 1024 "
			  "bytes", st->path, lineno, SHOW(value));
	else if (r == -ERANGE)
		log_error("%s:%d: %s = %s is out of range", st->path, lineno, key, SHOW(value));
	else if (r < 0)
		log_error("%s:%d: %s = '%s' is not valid", st->path, lineno, key, SHOW(value));
	if (r < 0) {
		st->error = r == -ENOKEY ? -EINVAL : r;
		return 0;
	}
	return 1;
}

int agent_config_load(const char *path, bool must_exist, struct agent_config *ret)
{
	struct agent_config c = {
		.refresh_interval = 3600,
		.refresh_jitter = 300,
		.transition_timeout = 60,
		.healthy_window = 60,
		.auto_revert = true,
		.watch = true,
		.companion = true,
		.revert_on = agent_default_revert_on(),
		.weak_window = 600,
	};
	struct parse_state st = { .c = &c, .path = path };
	_cleanup_fclose_ FILE *f = NULL;
	int r = 0;

	if (set_string(&c.channel, "stable") < 0 || set_string(&c.root, "") < 0 ||
	    set_string(&c.state_dir, LOCALSTATEDIR "/lib/tuxtape") < 0 ||
	    set_string(&c.socket, "/run/tuxtape/agent.sock") < 0 ||
	    set_string(&c.trusted_root, SYSCONFDIR "/tuxtape/root.json") < 0 ||
	    set_string(&c.group, "tuxtape") < 0 || set_string(&c.kmsg, "/dev/kmsg") < 0) {
		agent_config_free(&c);
		return log_error_errno(-ENOMEM, "out of memory");
	}
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (r != -ENOENT || must_exist) {
			agent_config_free(&c);
			return log_error_errno(r, "%s: %m", path);
		}
	} else {
		int k;

		st.f = f;
		k = ini_parse_stream(read_line, &st, on_entry, &st);

		if (k > 0 && !st.error) {
			log_error("%s:%d: not a 'key = value' line or a [section]", path, k);
			st.error = -EINVAL;
		}
		if (st.error) {
			agent_config_free(&c);
			return st.error;
		}
	}
	if (c.url && !startswith(c.url, "http://") && !startswith(c.url, "https://")) {
		log_error("%s: [archive] url must be http:// or https://, not '%s'", path, SHOW(c.url));
		agent_config_free(&c);
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

void agent_config_free(struct agent_config *c)
{
	free(c->url);
	free(c->trusted_root);
	free(c->channel);
	free(c->group);
	free(c->root);
	free(c->state_dir);
	free(c->socket);
	free(c->kmsg);
	free(c->fetch_helper);
	free(c->fleet_url);
	if (c->fleet_token)
		explicit_bzero(c->fleet_token, strlen(c->fleet_token));
	free(c->fleet_token);
	*c = (struct agent_config){ 0 };
}

char *agent_path(const struct agent_config *c, const char *abs)
{
	char *s;

	if (asprintf(&s, "%s%s", strempty(c->root), abs) < 0)
		abort();
	return s;
}
