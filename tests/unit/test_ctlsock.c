/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket: replies and errors, framing, deferred requests, limits, the socket file.
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

#define MS 1000000ull
#define DEADLINE_NS (3000 * MS)
#define BIG_OVER (5u << 20)  /* a reply no client may leave unread */
#define BIG_UNDER (2u << 20) /* a reply that may wait */

/* --- server under test --- */

struct counts {
	int calls;		  /* handler calls */
	struct prx_ctl_req *held; /* last deferred request */
};

static struct prx_evloop *ev;
static struct prx_ctlsock *cs;
static struct counts cnt;
static char dir[64], path[96];

static int
h_echo(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct counts *k = ctx;

	(void)req;
	k->calls++;
	*result = json_object_get(args, "none") != NULL ? NULL : json_incref(args);
	return 0;
}

/* args {errno, code?, message?}: an error reply. */
static int
h_fail(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	const char *code = json_string_value(json_object_get(args, "code"));
	const char *msg = json_string_value(json_object_get(args, "message"));
	struct counts *k = ctx;

	k->calls++;
	if (msg != NULL)
		prx_ctl_req_error(req, code, "%s", msg);
	*result = json_string("dropped: not a success"); /* must not leak */
	return -(int)json_integer_value(json_object_get(args, "errno"));
}

/* args {size}: a string of size bytes. */
static int
h_big(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	size_t n = (size_t)json_integer_value(json_object_get(args, "size"));
	struct counts *k = ctx;
	char *s = malloc(n + 1);

	(void)req;
	k->calls++;
	if (s == NULL)
		return -ENOMEM;
	memset(s, 'x', n);
	s[n] = '\0';
	*result = json_string(s);
	free(s);
	return 0;
}

static int
h_defer(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	struct counts *k = ctx;

	(void)args;
	(void)result;
	k->calls++;
	k->held = req;
	return PRX_CTL_DEFERRED;
}

/* Deferred, but completed before the handler returns. */
static int
h_now(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	(void)args;
	(void)result;
	(void)ctx;
	prx_ctl_req_done(req, 0, json_string("now"));
	return PRX_CTL_DEFERRED;
}

static const struct prx_ctl_cmd cmds[] = {
	{"echo", "{any}", "reply the args", h_echo},
	{"fail", "{errno, code?, message?}", "reply an error", h_fail},
	{"big", "{size}", "reply a long string", h_big},
	{"defer", "", "reply when the test says", h_defer},
	{"now", "", "deferred, done at once", h_now},
};

#define RUN_UNTIL(cond) \
	do { \
		uint64_t end_ = prx_evloop_now_ns() + DEADLINE_NS; \
		while (!(cond) && prx_evloop_now_ns() < end_) \
			CU_ASSERT_FATAL(prx_evloop_run(ev, 1000) >= 0); \
	} while (0)

/* A loop and a fresh folder; no server yet. */
static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/prx-ctl-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/ctl", dir);
	CU_ASSERT_FATAL(prx_evloop_create(&ev) == 0);
	memset(&cnt, 0, sizeof(cnt));
	cs = NULL;
}

static void
start(void)
{
	setup();
	CU_ASSERT_FATAL(prx_ctlsock_open(ev, path, 0660, cmds, PRX_ARRAY_SIZE(cmds), &cnt, &cs) ==
			0);
}

static void
teardown(void)
{
	prx_ctlsock_close(cs);
	cs = NULL;
	prx_evloop_destroy(ev);
	ev = NULL;
	unlink(path);
	CU_ASSERT(rmdir(dir) == 0);
}

/* --- client side --- */

struct cli {
	int fd;
	char *buf;
	size_t len, cap;
};

static struct cli
cli_open(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct cli c = {.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	CU_ASSERT_FATAL(c.fd >= 0);
	CU_ASSERT_FATAL(connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	return c;
}

static void
cli_close(struct cli *c)
{
	close(c->fd);
	free(c->buf);
	*c = (struct cli){.fd = -1};
}

static void
cli_send_n(struct cli *c, const char *s, size_t len)
{
	uint64_t end = prx_evloop_now_ns() + DEADLINE_NS;

	while (len > 0 && prx_evloop_now_ns() < end) {
		ssize_t n = send(c->fd, s, len, MSG_NOSIGNAL);

		if (n > 0) {
			s += n;
			len -= (size_t)n;
		} else {
			CU_ASSERT_FATAL(errno == EAGAIN);
			CU_ASSERT_FATAL(prx_evloop_run(ev, 1000) >= 0);
		}
	}
	CU_ASSERT_FATAL(len == 0);
}

static void
cli_send(struct cli *c, const char *s)
{
	cli_send_n(c, s, strlen(s));
}

/* One loop pass, then what the socket holds: > 0 bytes read, 0 end of file (or reset),
 * -1 nothing yet. */
static ssize_t
cli_fill(struct cli *c)
{
	ssize_t n;

	CU_ASSERT_FATAL(prx_evloop_run(ev, 1000) >= 0);
	if (c->cap - c->len < 65536) {
		c->cap = c->cap * 2 + 65536;
		c->buf = realloc(c->buf, c->cap);
		CU_ASSERT_FATAL(c->buf != NULL);
	}
	n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	if (n > 0)
		c->len += (size_t)n;
	else if (n < 0 && errno == EAGAIN)
		return -1;
	else if (n < 0)
		CU_ASSERT_EQUAL(errno, ECONNRESET);
	return n < 0 ? 0 : n;
}

/* The next reply line (newline excluded, to free), or NULL at end of file or deadline. */
static char *
cli_line(struct cli *c)
{
	uint64_t end = prx_evloop_now_ns() + DEADLINE_NS;

	for (;;) {
		char *nl = c->len > 0 ? memchr(c->buf, '\n', c->len) : NULL, *s;

		if (nl != NULL) {
			size_t n = (size_t)(nl - c->buf);

			s = strndup(c->buf, n);
			CU_ASSERT_FATAL(s != NULL);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return s;
		}
		if (prx_evloop_now_ns() > end || cli_fill(c) == 0)
			return NULL;
	}
}

/* True when the server closes the connection (within the deadline); what arrives
 * before is kept in c->buf. */
static bool
cli_eof(struct cli *c)
{
	uint64_t end = prx_evloop_now_ns() + DEADLINE_NS;

	while (prx_evloop_now_ns() < end)
		if (cli_fill(c) == 0)
			return true;
	return false;
}

/* Nothing more arrives while the loop runs a few passes. */
static bool
cli_quiet(struct cli *c)
{
	for (int i = 0; i < 5; i++)
		if (cli_fill(c) >= 0 || c->len > 0)
			return false;
	return true;
}

static bool
expect(struct cli *c, const char *want)
{
	char *got = cli_line(c);
	bool ok = got != NULL && strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "\n  want %s\n  got  %.300s\n", want,
			got != NULL ? got : "(nothing)");
	free(got);
	return ok;
}

static bool
call(struct cli *c, const char *req, const char *want)
{
	cli_send(c, req);
	cli_send(c, "\n");
	return expect(c, want);
}

/* The next reply, parsed (to json_decref). */
static json_t *
reply(struct cli *c)
{
	char *line = cli_line(c);
	json_t *j = line != NULL ? json_loads(line, 0, NULL) : NULL;

	free(line);
	CU_ASSERT_FATAL(json_is_object(j));
	return j;
}

static const char *
err_code(json_t *r)
{
	return json_string_value(json_object_get(json_object_get(r, "error"), "code"));
}

static const char *
err_msg(json_t *r)
{
	const char *s = json_string_value(json_object_get(json_object_get(r, "error"), "message"));

	return s != NULL ? s : "";
}

/* An error reply with `code`, the id null, a message. */
static bool
expect_error(struct cli *c, const char *code)
{
	json_t *r = reply(c);
	bool ok = json_is_null(json_object_get(r, "id")) &&
		  json_is_false(json_object_get(r, "ok")) && err_code(r) != NULL &&
		  strcmp(err_code(r), code) == 0 && err_msg(r)[0] != '\0';

	if (!ok)
		fprintf(stderr, "\n  want %s, got %s: %s\n", code, err_code(r), err_msg(r));
	json_decref(r);
	return ok;
}

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
	CU_ASSERT_FATAL(json_array_size(a) == PRX_ARRAY_SIZE(cmds) + 1);
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
				       cmds[i - 1].name);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "args")),
				       cmds[i - 1].args);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "help")),
				       cmds[i - 1].help);
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

/* --- deferred replies --- */

static void
test_deferred_order(void)
{
	struct cli c, other;
	char want[256];

	start();
	c = cli_open();
	other = cli_open();
	cli_send(&c, "{\"cmd\":\"defer\",\"id\":1}\n{\"cmd\":\"echo\",\"id\":2}\n");
	RUN_UNTIL(cnt.held != NULL);
	CU_ASSERT_FATAL(cnt.held != NULL);
	/* The next request of that connection waits; other connections do not. */
	CU_ASSERT(cli_quiet(&c));
	CU_ASSERT_EQUAL(cnt.calls, 1);
	CU_ASSERT(call(&other, "{\"cmd\":\"echo\",\"id\":9}",
		       "{\"id\":9,\"ok\":true,\"result\":{}}"));
	prx_ctl_req_done(cnt.held, 0, json_string("late"));
	CU_ASSERT(expect(&c, "{\"id\":1,\"ok\":true,\"result\":\"late\"}"));
	CU_ASSERT(expect(&c, "{\"id\":2,\"ok\":true,\"result\":{}}"));
	CU_ASSERT_EQUAL(cnt.calls, 3);

	/* Errors: from the errno, or as set before done. */
	cnt.held = NULL;
	cli_send(&c, "{\"cmd\":\"defer\",\"id\":3}\n");
	RUN_UNTIL(cnt.held != NULL);
	CU_ASSERT_FATAL(cnt.held != NULL);
	prx_ctl_req_done(cnt.held, -ETIMEDOUT, NULL);
	snprintf(want, sizeof(want),
		 "{\"id\":3,\"ok\":false,\"error\":{\"code\":\"ETIMEDOUT\",\"message\":\"%s\"}}",
		 strerror(ETIMEDOUT));
	CU_ASSERT(expect(&c, want));
	cnt.held = NULL;
	cli_send(&c, "{\"cmd\":\"defer\",\"id\":4}\n");
	RUN_UNTIL(cnt.held != NULL);
	CU_ASSERT_FATAL(cnt.held != NULL);
	prx_ctl_req_error(cnt.held, "ELATE", "took %d s", 3);
	prx_ctl_req_done(cnt.held, -EIO, json_string("dropped"));
	CU_ASSERT(expect(&c, "{\"id\":4,\"ok\":false,\"error\":{\"code\":\"ELATE\","
			     "\"message\":\"took 3 s\"}}"));

	/* Completed inside the handler. */
	CU_ASSERT(call(&c, "{\"cmd\":\"now\",\"id\":5}",
		       "{\"id\":5,\"ok\":true,\"result\":\"now\"}"));
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":6}", "{\"id\":6,\"ok\":true,\"result\":{}}"));
	cli_close(&c);
	cli_close(&other);
	teardown();
}

static void
test_deferred_client_gone(void)
{
	struct cli c;

	start();
	c = cli_open();
	cli_send(&c, "{\"cmd\":\"defer\",\"id\":1}\n{\"cmd\":\"echo\",\"id\":2}\n");
	RUN_UNTIL(cnt.held != NULL);
	CU_ASSERT_FATAL(cnt.held != NULL);
	cli_close(&c);
	/* The connection goes (its slot is free again) but the request stays valid. */
	RUN_UNTIL(prx_ctlsock_clients(cs) == 0);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), 0);
	prx_ctl_req_done(cnt.held, 0, json_string("nobody listens"));
	CU_ASSERT_EQUAL(cnt.calls, 1);
	c = cli_open();
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":3}", "{\"id\":3,\"ok\":true,\"result\":{}}"));
	cli_close(&c);
	teardown();
}

static void
test_deferred_half_close(void)
{
	int passes = 0, quiet = 0;
	struct cli c;

	start();
	c = cli_open();
	cli_send(&c, "{\"cmd\":\"defer\",\"id\":1}\n{\"cmd\":\"echo\",\"id\":2}\n");
	CU_ASSERT_FATAL(shutdown(c.fd, SHUT_WR) == 0);
	RUN_UNTIL(cnt.held != NULL);
	CU_ASSERT_FATAL(cnt.held != NULL);
	/* The hang-up stays raised: the loop must still go idle, not call back every pass. */
	while (quiet < 5 && passes++ < 50)
		quiet = prx_evloop_run(ev, 0) == 0 ? quiet + 1 : 0;
	CU_ASSERT_EQUAL(quiet, 5);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), 1);
	prx_ctl_req_done(cnt.held, 0, NULL);
	CU_ASSERT(expect(&c, "{\"id\":1,\"ok\":true,\"result\":null}"));
	CU_ASSERT(expect(&c, "{\"id\":2,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(cli_eof(&c));
	RUN_UNTIL(prx_ctlsock_clients(cs) == 0);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), 0);
	cli_close(&c);
	teardown();
}

static void
test_close_with_deferred(void)
{
	struct cli c;

	start();
	c = cli_open();
	cli_send(&c, "{\"cmd\":\"defer\",\"id\":1}\n");
	RUN_UNTIL(cnt.held != NULL);
	CU_ASSERT_FATAL(cnt.held != NULL);
	prx_ctlsock_close(cs); /* frees the request: no done may follow */
	cs = NULL;
	CU_ASSERT(cli_eof(&c));
	cli_close(&c);
	teardown();
}

/* --- limits --- */

static void
test_max_clients(void)
{
	struct cli c[PRX_CTL_MAX_CLIENTS], extra;

	start();
	for (int i = 0; i < PRX_CTL_MAX_CLIENTS; i++) {
		c[i] = cli_open();
		RUN_UNTIL(prx_ctlsock_clients(cs) == (unsigned int)i + 1);
	}
	CU_ASSERT_FATAL(prx_ctlsock_clients(cs) == PRX_CTL_MAX_CLIENTS);
	extra = cli_open();
	CU_ASSERT(expect(&extra, "{\"id\":null,\"ok\":false,\"error\":{\"code\":\"EBUSY\","
				 "\"message\":\"too many control connections (256)\"}}"));
	CU_ASSERT(cli_eof(&extra));
	CU_ASSERT_EQUAL(extra.len, 0);
	cli_close(&extra);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), PRX_CTL_MAX_CLIENTS);
	CU_ASSERT(call(&c[PRX_CTL_MAX_CLIENTS - 1], "{\"cmd\":\"echo\",\"id\":1}",
		       "{\"id\":1,\"ok\":true,\"result\":{}}"));
	/* A slot freed is a slot taken again. */
	cli_close(&c[0]);
	RUN_UNTIL(prx_ctlsock_clients(cs) == PRX_CTL_MAX_CLIENTS - 1);
	c[0] = cli_open();
	CU_ASSERT(
		call(&c[0], "{\"cmd\":\"echo\",\"id\":2}", "{\"id\":2,\"ok\":true,\"result\":{}}"));
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), PRX_CTL_MAX_CLIENTS);
	for (int i = 0; i < PRX_CTL_MAX_CLIENTS; i++)
		cli_close(&c[i]);
	teardown();
}

static void
test_slow_reader_disconnected(void)
{
	struct cli slow, other;
	char req[128];

	start();
	slow = cli_open();
	other = cli_open();
	CU_ASSERT(call(&other, "{\"cmd\":\"echo\",\"id\":1}",
		       "{\"id\":1,\"ok\":true,\"result\":{}}"));
	snprintf(req, sizeof(req), "{\"cmd\":\"big\",\"id\":1,\"args\":{\"size\":%u}}\n", BIG_OVER);
	cli_send(&slow, req);
	RUN_UNTIL(prx_ctlsock_clients(cs) == 1);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), 1);
	CU_ASSERT(call(&other, "{\"cmd\":\"echo\",\"id\":2}",
		       "{\"id\":2,\"ok\":true,\"result\":{}}"));
	CU_ASSERT(cli_eof(&slow)); /* what the kernel had taken, then the end */
	cli_close(&slow);
	cli_close(&other);
	teardown();
}

static void
test_back_pressure(void)
{
	static const char head[] = "{\"id\":1,\"ok\":true,\"result\":\"";
	struct cli slow, other;
	char req[160];
	char *line;

	start();
	slow = cli_open();
	other = cli_open();
	snprintf(req, sizeof(req),
		 "{\"cmd\":\"big\",\"id\":1,\"args\":{\"size\":%u}}\n{\"cmd\":\"echo\",\"id\":2}\n",
		 BIG_UNDER);
	cli_send(&slow, req);
	RUN_UNTIL(cnt.calls == 1);
	/* Under the limit: the client keeps its connection, but no more of its requests are
	 * answered while the reply waits; others are served. */
	for (int i = 0; i < 20; i++)
		CU_ASSERT_FATAL(prx_evloop_run(ev, 1000) >= 0);
	CU_ASSERT_EQUAL(cnt.calls, 1);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(cs), 2);
	CU_ASSERT(call(&other, "{\"cmd\":\"echo\",\"id\":3}",
		       "{\"id\":3,\"ok\":true,\"result\":{}}"));
	line = cli_line(&slow);
	CU_ASSERT_FATAL(line != NULL);
	CU_ASSERT_EQUAL(strlen(line), strlen(head) + BIG_UNDER + 2);
	CU_ASSERT(strncmp(line, head, strlen(head)) == 0);
	CU_ASSERT(strspn(line + strlen(head), "x") == BIG_UNDER);
	free(line);
	CU_ASSERT(expect(&slow, "{\"id\":2,\"ok\":true,\"result\":{}}"));
	cli_close(&slow);
	cli_close(&other);
	teardown();
}

/* --- the socket file --- */

static int
bound_socket(bool listening)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	if (listening)
		CU_ASSERT_FATAL(listen(fd, 4) == 0);
	return fd;
}

static void
test_stale_socket(void)
{
	struct cli c;
	int fd;

	setup();
	close(bound_socket(true)); /* the file stays, nobody accepts */
	CU_ASSERT_FATAL(prx_ctlsock_open(ev, path, 0600, cmds, PRX_ARRAY_SIZE(cmds), &cnt, &cs) ==
			0);
	c = cli_open();
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":1}", "{\"id\":1,\"ok\":true,\"result\":{}}"));
	cli_close(&c);
	prx_ctlsock_close(cs);
	cs = NULL;
	/* Bound but not listening: nobody accepts either. */
	fd = bound_socket(false);
	CU_ASSERT(prx_ctlsock_open(ev, path, 0600, cmds, PRX_ARRAY_SIZE(cmds), &cnt, &cs) == 0);
	close(fd);
	teardown();
}

static void
test_live_socket(void)
{
	struct stat before, after;
	int fd;

	setup();
	fd = bound_socket(true);
	CU_ASSERT_FATAL(lstat(path, &before) == 0);
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, path, 0600, cmds, PRX_ARRAY_SIZE(cmds), &cnt, &cs),
			-EADDRINUSE);
	CU_ASSERT_PTR_NULL(cs);
	CU_ASSERT_FATAL(lstat(path, &after) == 0);
	CU_ASSERT_EQUAL(after.st_ino, before.st_ino);
	close(fd);
	teardown();
}

static void
test_not_a_socket(void)
{
	char buf[8] = {0};
	int fd;

	setup();
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, "keep", 4) == 4);
	close(fd);
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, path, 0600, cmds, PRX_ARRAY_SIZE(cmds), &cnt, &cs),
			-EEXIST);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(read(fd, buf, sizeof(buf)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "keep");
	close(fd);
	CU_ASSERT_FATAL(unlink(path) == 0);
	CU_ASSERT_FATAL(mkdir(path, 0700) == 0);
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, path, 0600, cmds, PRX_ARRAY_SIZE(cmds), &cnt, &cs),
			-EEXIST);
	CU_ASSERT(rmdir(path) == 0);
	teardown();
}

static void
test_mode(void)
{
	static const mode_t modes[] = {0600, 0666, 0640};
	struct stat st;

	setup();
	for (size_t i = 0; i < PRX_ARRAY_SIZE(modes); i++) {
		CU_ASSERT_FATAL(prx_ctlsock_open(ev, path, modes[i], cmds, PRX_ARRAY_SIZE(cmds),
						 &cnt, &cs) == 0);
		CU_ASSERT_FATAL(lstat(path, &st) == 0);
		CU_ASSERT(S_ISSOCK(st.st_mode));
		CU_ASSERT_EQUAL(st.st_mode & 07777, modes[i]);
		prx_ctlsock_close(cs);
		cs = NULL;
	}
	teardown();
}

static void
test_close_unlinks(void)
{
	struct stat st;
	int fd;

	start();
	prx_ctlsock_close(cs);
	cs = NULL;
	CU_ASSERT(lstat(path, &st) < 0 && errno == ENOENT);
	/* The path taken over by another socket: close leaves it alone. */
	CU_ASSERT_FATAL(prx_ctlsock_open(ev, path, 0600, cmds, PRX_ARRAY_SIZE(cmds), &cnt, &cs) ==
			0);
	CU_ASSERT_FATAL(unlink(path) == 0);
	fd = bound_socket(true);
	prx_ctlsock_close(cs);
	cs = NULL;
	CU_ASSERT(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	close(fd);
	teardown();
}

static void
test_open_errors(void)
{
	char longpath[200];

	setup();
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, longpath, 0600, cmds, 1, NULL, &cs), -ENAMETOOLONG);
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, NULL, 0600, cmds, 1, NULL, &cs), -EINVAL);
	CU_ASSERT_EQUAL(prx_ctlsock_open(NULL, path, 0600, cmds, 1, NULL, &cs), -EINVAL);
	snprintf(longpath, sizeof(longpath), "%s/missing/ctl", dir);
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, longpath, 0600, cmds, 1, NULL, &cs), -ENOENT);
	CU_ASSERT_PTR_NULL(cs);
	prx_ctlsock_close(NULL);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(NULL), 0);
	teardown();
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_ok_ids),
		PRX_TEST(test_bad_json),
		PRX_TEST(test_bad_requests),
		PRX_TEST(test_handler_errors),
		PRX_TEST(test_errno_names),
		PRX_TEST(test_list_commands),
		PRX_TEST(test_pipelined),
		PRX_TEST(test_byte_writes),
		PRX_TEST(test_oversized),
		PRX_TEST(test_half_close),
		PRX_TEST(test_deferred_order),
		PRX_TEST(test_deferred_client_gone),
		PRX_TEST(test_deferred_half_close),
		PRX_TEST(test_close_with_deferred),
		PRX_TEST(test_max_clients),
		PRX_TEST(test_slow_reader_disconnected),
		PRX_TEST(test_back_pressure),
		PRX_TEST(test_stale_socket),
		PRX_TEST(test_live_socket),
		PRX_TEST(test_not_a_socket),
		PRX_TEST(test_mode),
		PRX_TEST(test_close_unlinks),
		PRX_TEST(test_open_errors),
		{NULL, NULL},
	};

	return prx_test_run("ctlsock", cases, 0);
}
