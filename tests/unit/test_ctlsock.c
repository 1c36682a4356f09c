/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket: replies and errors, framing (deferred requests, limits and the socket
 * file: test_ctlsock_more.c; the harness: ctlsock_env.c).
 * The server runs on an event loop in the test thread; the test's client sockets are
 * non-blocking and every wait pumps the loop, bounded by DEADLINE_NS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "prx_common.h"
#include "prx_ctlsock.h"
#include "prx_test.h"

#include "ctlsock_env.h"

/* --- replies --- */

static void
test_ok_ids(void)
{
	struct cli c;

	start();
	c = cli_open();
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":7}", "{\"id\":7,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(call(&c, "{\"id\":\"abc\",\"cmd\":\"echo\",\"args\":{\"a\":[1,2.5]}}",
		       "{\"id\":\"abc\",\"ok\":true,\"result\":{\"a\":[1,2.5]}}"));
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":{\"x\":1,\"y\":[null]}}",
		       "{\"id\":{\"x\":1,\"y\":[null]},\"ok\":true,\"result\":{}}"));
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\"}", "{\"id\":null,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":-1,\"args\":{\"none\":1}}",
		       "{\"id\":-1,\"ok\":true,\"result\":null}"));
	CU_ASSERT_EQUAL(cnt.calls, 5);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), 1);
	cli_close(&c);
	RUN_UNTIL(prx_ctlsock_clients(cs) == 0);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), 0);
	teardown();
}

static void
test_bad_json(void)
{
	static const char *const bad[] = {
		"{\"cmd\":",			       /* truncated */
		"{\"cmd\":\"echo\"",		       /* truncated */
		"{\"cmd\":\"echo\",}",		       /* malformed */
		"nope",				       /* malformed */
		"{\"cmd\":\"echo\",\"cmd\":\"echo\"}", /* duplicate key */
	};
	struct cli c;

	start();
	c = cli_open();
	for (size_t i = 0; i < PRX_ARRAY_SIZE(bad); i++) {
		json_error_t e;
		char col[32];
		json_t *r;

		CU_ASSERT_FATAL(json_loadb(bad[i], strlen(bad[i]),
					   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e) == NULL);
		snprintf(col, sizeof(col), "column %d", e.column);
		cli_send(&c, bad[i]);
		cli_send(&c, "\n");
		r = reply(&c);
		CU_ASSERT_STRING_EQUAL(err_code(r), "EPROTO");
		CU_ASSERT(json_is_null(json_object_get(r, "id")));
		CU_ASSERT_PTR_NOT_NULL(strstr(err_msg(r), e.text));
		CU_ASSERT_PTR_NOT_NULL(strstr(err_msg(r), col));
		json_decref(r);
	}
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":1}", "{\"id\":1,\"ok\":true,\"result\":{}}"));
	cli_close(&c);
	teardown();
}

static void
test_bad_requests(void)
{
	struct cli c;
	json_t *r;

	start();
	c = cli_open();
	cli_send(&c, "[1,2]\n\"str\"\n42\nnull\n");
	for (int i = 0; i < 4; i++)
		CU_ASSERT(expect_error(&c, "EINVAL"));
	CU_ASSERT(call(&c, "{\"id\":1}",
		       "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"EINVAL\","
		       "\"message\":\"\\\"cmd\\\" is missing or not a string\"}}"));
	cli_send(&c, "{\"id\":2,\"cmd\":5}\n{\"id\":3,\"cmd\":\"echo\",\"args\":[1]}\n"
		     "{\"id\":4,\"cmd\":\"echo\",\"args\":\"a\"}\n"
		     "{\"id\":5,\"cmd\":\"echo\",\"args\":null}\n");
	for (int id = 2; id <= 5; id++) {
		r = reply(&c);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "id")), id);
		CU_ASSERT_STRING_EQUAL(err_code(r), "EINVAL");
		CU_ASSERT_PTR_NOT_NULL(strstr(err_msg(r), id == 2 ? "cmd" : "args"));
		json_decref(r);
	}
	cli_send(&c, "{\"id\":6,\"cmd\":\"no.such\"}\n");
	r = reply(&c);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "id")), 6);
	CU_ASSERT_STRING_EQUAL(err_code(r), "ENOENT");
	CU_ASSERT_PTR_NOT_NULL(strstr(err_msg(r), "\"no.such\""));
	json_decref(r);
	CU_ASSERT_EQUAL(cnt.calls, 0);
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":7}", "{\"id\":7,\"ok\":true,\"result\":{}}"));
	cli_close(&c);
	teardown();
}

static void
test_handler_errors(void)
{
	char want[256];
	struct cli c;

	start();
	c = cli_open();
	snprintf(want, sizeof(want),
		 "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"EEXIST\",\"message\":\"%s\"}}",
		 strerror(EEXIST));
	CU_ASSERT(call(&c, "{\"cmd\":\"fail\",\"id\":1,\"args\":{\"errno\":17}}", want));
	CU_ASSERT(call(&c,
		       "{\"cmd\":\"fail\",\"id\":2,\"args\":{\"errno\":22,\"code\":\"EBADPORT\","
		       "\"message\":\"no port \\\"x\\\"\"}}",
		       "{\"id\":2,\"ok\":false,\"error\":{\"code\":\"EBADPORT\","
		       "\"message\":\"no port \\\"x\\\"\"}}"));
	CU_ASSERT(call(
		&c, "{\"cmd\":\"fail\",\"id\":3,\"args\":{\"errno\":16,\"message\":\"busy\"}}",
		"{\"id\":3,\"ok\":false,\"error\":{\"code\":\"EBUSY\",\"message\":\"busy\"}}"));
	snprintf(want, sizeof(want),
		 "{\"id\":4,\"ok\":false,\"error\":{\"code\":\"EUNKNOWN\",\"message\":\"%s\"}}",
		 strerror(200));
	CU_ASSERT(call(&c, "{\"cmd\":\"fail\",\"id\":4,\"args\":{\"errno\":200}}", want));
	CU_ASSERT_EQUAL(cnt.calls, 4);
	cli_close(&c);
	teardown();
}

static void
test_errno_names(void)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{EINVAL, "EINVAL"},	  {ENOENT, "ENOENT"},	    {EEXIST, "EEXIST"},
		{EBUSY, "EBUSY"},	  {ENOMEM, "ENOMEM"},	    {ENOTSUP, "ENOTSUP"},
		{ENODEV, "ENODEV"},	  {EPERM, "EPERM"},	    {EACCES, "EACCES"},
		{EAGAIN, "EAGAIN"},	  {ERANGE, "ERANGE"},	    {EPROTO, "EPROTO"},
		{EMSGSIZE, "EMSGSIZE"},	  {ETIMEDOUT, "ETIMEDOUT"}, {EIO, "EIO"},
		{ENOSPC, "ENOSPC"},	  {EALREADY, "EALREADY"},   {ENOTEMPTY, "ENOTEMPTY"},
		{ECANCELED, "ECANCELED"}, {ENXIO, "ENXIO"},	    {EADDRINUSE, "EADDRINUSE"},
		{-EINVAL, "EINVAL"},	  {0, "EUNKNOWN"},	    {200, "EUNKNOWN"},
		{-100000, "EUNKNOWN"},
	};

	for (size_t i = 0; i < PRX_ARRAY_SIZE(names); i++)
		CU_ASSERT_STRING_EQUAL(prx_errno_name(names[i].err), names[i].name);
}

static void
test_list_commands(void)
{
	struct cli c;
	json_t *r, *a;

	start();
	c = cli_open();
	cli_send(&c, "{\"cmd\":\"list-commands\",\"id\":1}\n");
	r = reply(&c);
	CU_ASSERT(json_is_true(json_object_get(r, "ok")));
	a = json_object_get(r, "result");
	CU_ASSERT_FATAL(json_array_size(a) == N_TEST_CMDS + 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(a, 0), "cmd")),
			       "list-commands");
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *e = json_array_get(a, i);

		CU_ASSERT_EQUAL(json_object_size(e), 3);
		CU_ASSERT(json_is_string(json_object_get(e, "args")));
		CU_ASSERT(json_string_length(json_object_get(e, "help")) > 0);
		if (i == 0)
			continue;
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "cmd")),
				       test_cmds[i - 1].name);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "args")),
				       test_cmds[i - 1].args);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "help")),
				       test_cmds[i - 1].help);
	}
	json_decref(r);
	cli_close(&c);
	teardown();
}

/* --- framing --- */

static void
test_pipelined(void)
{
	struct cli c;

	start();
	c = cli_open();
	/* Blank lines are no requests: no reply for them. */
	cli_send(&c, "{\"cmd\":\"echo\",\"id\":1}\n\n  \t\r\n{\"cmd\":\"nope\",\"id\":2}\n{bad\n"
		     "{\"cmd\":\"echo\",\"id\":3}\n");
	CU_ASSERT(expect(&c, "{\"id\":1,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(expect(&c, "{\"id\":2,\"ok\":false,\"error\":{\"code\":\"ENOENT\","
			     "\"message\":\"unknown command \\\"nope\\\"\"}}"));
	CU_ASSERT(expect_error(&c, "EPROTO"));
	CU_ASSERT(expect(&c, "{\"id\":3,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(cli_quiet(&c));
	cli_close(&c);
	teardown();
}

static void
test_byte_writes(void)
{
	static const char req[] = "{\"cmd\":\"echo\",\"id\":\"split\",\"args\":{\"k\":\"v\"}}\r\n";
	struct cli c;

	start();
	c = cli_open();
	for (size_t i = 0; i < strlen(req); i++) {
		cli_send_n(&c, req + i, 1);
		if (i + 1 < strlen(req))
			CU_ASSERT(cli_fill(&c) < 0);
	}
	CU_ASSERT(expect(&c, "{\"id\":\"split\",\"ok\":true,\"result\":{\"k\":\"v\"}}"));
	CU_ASSERT_EQUAL(cnt.calls, 1);
	cli_close(&c);
	teardown();
}

/* A request line padded with `fill` to `len` bytes, newline included. */
static char *
padded(size_t len, char fill)
{
	static const char req[] = "{\"cmd\":\"echo\",\"id\":\"pad\"}";
	char *s = malloc(len + 1);

	CU_ASSERT_FATAL(s != NULL);
	memset(s, fill, len);
	memcpy(s, req, strlen(req));
	s[len - 1] = '\n';
	s[len] = '\0';
	return s;
}

static void
test_oversized(void)
{
	char *at = padded(PRX_CTL_MAX_REQUEST, ' '), *over = padded(PRX_CTL_MAX_REQUEST + 1, ' ');
	char *huge = padded(300000, 'x'); /* its end, if taken as a request, is not JSON */
	struct cli c;

	start();
	c = cli_open();
	cli_send(&c, at);
	CU_ASSERT(expect(&c, "{\"id\":\"pad\",\"ok\":true,\"result\":{}}"));
	cli_send(&c, over);
	CU_ASSERT(expect_error(&c, "EMSGSIZE"));
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":1}", "{\"id\":1,\"ok\":true,\"result\":{}}"));
	/* Several buffers' worth, then a request in the same write: one error only. */
	cli_send(&c, huge);
	cli_send(&c, "{\"cmd\":\"echo\",\"id\":2}\n");
	CU_ASSERT(expect_error(&c, "EMSGSIZE"));
	CU_ASSERT(expect(&c, "{\"id\":2,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(cli_quiet(&c));
	CU_ASSERT_EQUAL(cnt.calls, 3);
	free(at);
	free(over);
	free(huge);
	cli_close(&c);
	teardown();
}

static void
test_half_close(void)
{
	struct cli c;

	start();
	c = cli_open();
	/* The last line has no newline: answered all the same. */
	cli_send(&c, "{\"cmd\":\"echo\",\"id\":1}\n{\"cmd\":\"echo\",\"id\":2}");
	CU_ASSERT_FATAL(shutdown(c.fd, SHUT_WR) == 0);
	CU_ASSERT(expect(&c, "{\"id\":1,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(expect(&c, "{\"id\":2,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(cli_eof(&c));
	RUN_UNTIL(prx_ctlsock_clients(cs) == 0);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), 0);
	cli_close(&c);
	/* Nothing but blanks after the last newline: no reply, just the end. */
	c = cli_open();
	cli_send(&c, "{\"cmd\":\"echo\",\"id\":3}\n  ");
	CU_ASSERT_FATAL(shutdown(c.fd, SHUT_WR) == 0);
	CU_ASSERT(expect(&c, "{\"id\":3,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(cli_eof(&c));
	CU_ASSERT_EQUAL(c.len, 0);
	cli_close(&c);
	teardown();
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_ok_ids),	     PRX_TEST(test_bad_json),
		PRX_TEST(test_bad_requests), PRX_TEST(test_handler_errors),
		PRX_TEST(test_errno_names),  PRX_TEST(test_list_commands),
		PRX_TEST(test_pipelined),    PRX_TEST(test_byte_writes),
		PRX_TEST(test_oversized),    PRX_TEST(test_half_close),
	};
	static struct prx_test_case all[64];
	unsigned int n = 0;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++)
		all[n++] = cases[i];
	for (const struct prx_test_case *c = ctlsock_more_cases; c->name != NULL; c++)
		all[n++] = *c;
	all[n] = (struct prx_test_case){NULL, NULL};
	return prx_test_run("ctlsock", all, 0);
}
