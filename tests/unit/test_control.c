/* SPDX-License-Identifier: GPL-2.0-only */
/* The control socket's request parser (control_request_parse) and the escaping of what
 * outsiders send before it is shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "control.h"
#include "escape.h"

static int parse(const char *s, struct control_request *q, char *err)
{
	return control_request_parse(s, strlen(s), q, err, 256);
}

static void test_valid(void **state)
{
	struct control_request q;
	char err[256];

	assert_int_equal(parse("{\"command\": \"status\"}\n", &q, err), 0);
	assert_int_equal(q.command, CONTROL_STATUS);
	assert_int_equal(parse("{\"command\": \"events\", \"after\": 42}", &q, err), 0);
	assert_int_equal(q.command, CONTROL_EVENTS);
	assert_int_equal(q.after, 42);
	assert_int_equal(parse("{\"command\": \"revert\", \"patch\": \"lp-1\"}", &q, err), 0);
	assert_int_equal(q.command, CONTROL_REVERT);
	assert_string_equal(q.patch, "lp-1");
	assert_true(control_command_writes(CONTROL_REVERT));
	assert_false(control_command_writes(CONTROL_PATCHES));
}

static void test_invalid(void **state)
{
	struct control_request q;
	char err[256], big[CONTROL_MAX_REQUEST + 2], patch[300];

	assert_int_equal(parse("", &q, err), -EINVAL);
	assert_int_equal(parse("{\"command\": 42}", &q, err), -EINVAL);
	assert_non_null(strstr(err, "no \"command\""));
	assert_int_equal(parse("[1]", &q, err), -EINVAL);
	assert_int_equal(parse("{\"command\": \"status\"", &q, err), -EINVAL);
	assert_non_null(strstr(err, "not JSON"));
	assert_int_equal(parse("{\"command\": \"status\", \"after\": \"x\"}", &q, err), -EINVAL);
	assert_int_equal(parse("{\"command\": \"revert\"}", &q, err), -EINVAL);
	memset(patch, 'a', sizeof(patch));
	snprintf(big, sizeof(big), "{\"command\": \"revert\", \"patch\": \"%.200s\"}", patch);
	assert_int_equal(parse(big, &q, err), -EINVAL);
	/* an unknown command is named, escaped and cut */
	assert_int_equal(parse("{\"command\": \"st\\u001b[2Jx\"}", &q, err), -EINVAL);
	assert_string_equal(err, "unknown command 'st\\x1b[2Jx'");
	/* too large: named as such, whatever the bytes */
	memset(big, ' ', sizeof(big));
	assert_int_equal(control_request_parse(big, sizeof(big), &q, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "request too large"));
}

static void test_escape(void **state)
{
	char buf[16];

	assert_string_equal(escape_text("a\x1b[2J", 5, buf, sizeof(buf)), "a\\x1b[2J");
	/* a C1 control in UTF-8 is escaped, other UTF-8 kept */
	assert_string_equal(escape_text("\xc2\x9b\xc3\xa9", 4, buf, sizeof(buf)), "\\xc2\\x9b\xc3\xa9");
	/* cut with "..." when it does not fit */
	assert_string_equal(escape_text("0123456789abcdefghij", 20, buf, sizeof(buf)),
			    "0123456789ab...");
	/* bytes that are not UTF-8 (a cut sequence, a stray continuation, an overlong form, a
	 * surrogate) are escaped, so the result is always valid UTF-8 */
	assert_string_equal(escape_text("a\xc3", 2, buf, sizeof(buf)), "a\\xc3");
	assert_string_equal(escape_text("\xa9z", 2, buf, sizeof(buf)), "\\xa9z");
	assert_string_equal(escape_text("\xc0\xaf", 2, buf, sizeof(buf)), "\\xc0\\xaf");
	assert_string_equal(escape_text("\xed\xa0\x80", 3, buf, sizeof(buf)),
			    "\\xed\\xa0\\x80");
	assert_string_equal(escape_text("\xf0\x9f\x98\x80", 4, buf, sizeof(buf)), "\xf0\x9f\x98\x80");
	/* a cut never falls inside a character: "é" (2 bytes) does not fit after 11 bytes */
	assert_string_equal(escape_text("0123456789a\xc3\xa9xyz", 15, buf, sizeof(buf)),
			    "0123456789a...");
}

/* jansson takes only valid UTF-8 as a string */
static bool utf8_valid(const char *s)
{
	json_t *j = json_string(s);

	json_decref(j);
	return j != NULL;
}

/* An error reply quotes the client's text: it must stay a JSON string (valid UTF-8) whatever
 * the client sent, or no reply can be built (found by the control fuzz target). */
static void test_reply_utf8(void **state)
{
	char req[160] = "{\"command\":\"x";
	struct control_request q;
	char err[256];

	for (int i = 0; i < 40; i++)
		strcat(req, "\xc3\xa9");
	strcat(req, "\"}");
	assert_int_equal(control_request_parse(req, strlen(req), &q, err, sizeof(err)), -EINVAL);
	assert_true(utf8_valid(err));
	assert_int_equal(control_request_parse("{\"\\u0\xc3\xa9\"}", 9, &q, err, sizeof(err)),
			 -EINVAL);
	assert_true(utf8_valid(err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_reply_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
