/* SPDX-License-Identifier: BSD-3-Clause */
/* The control-socket suite's harness: ctlsock_env.h. */
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

/* --- server under test --- */

struct prx_evloop *ev;
struct prx_ctlsock *cs;
struct counts cnt;
char dir[64], path[96];

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

const struct prx_ctl_cmd test_cmds[N_TEST_CMDS] = {
	{"echo", "{any}", "reply the args", h_echo},
	{"fail", "{errno, code?, message?}", "reply an error", h_fail},
	{"big", "{size}", "reply a long string", h_big},
	{"defer", "", "reply when the test says", h_defer},
	{"now", "", "deferred, done at once", h_now},
};

/* A loop and a fresh folder; no server yet. */
void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/prx-ctl-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/ctl", dir);
	CU_ASSERT_FATAL(prx_evloop_create(&ev) == 0);
	memset(&cnt, 0, sizeof(cnt));
	cs = NULL;
}

void
start(void)
{
	setup();
	CU_ASSERT_FATAL(prx_ctlsock_open(ev, path, 0660, test_cmds, N_TEST_CMDS, &cnt, &cs) == 0);
}

void
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

struct cli
cli_open(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct cli c = {.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	CU_ASSERT_FATAL(c.fd >= 0);
	CU_ASSERT_FATAL(connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	return c;
}

void
cli_close(struct cli *c)
{
	close(c->fd);
	free(c->buf);
	*c = (struct cli){.fd = -1};
}

void
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

void
cli_send(struct cli *c, const char *s)
{
	cli_send_n(c, s, strlen(s));
}

/* One loop pass, then what the socket holds: > 0 bytes read, 0 end of file (or reset),
 * -1 nothing yet. */
ssize_t
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
char *
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
bool
cli_eof(struct cli *c)
{
	uint64_t end = prx_evloop_now_ns() + DEADLINE_NS;

	while (prx_evloop_now_ns() < end)
		if (cli_fill(c) == 0)
			return true;
	return false;
}

/* Nothing more arrives while the loop runs a few passes. */
bool
cli_quiet(struct cli *c)
{
	for (int i = 0; i < 5; i++)
		if (cli_fill(c) >= 0 || c->len > 0)
			return false;
	return true;
}

bool
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

bool
call(struct cli *c, const char *req, const char *want)
{
	cli_send(c, req);
	cli_send(c, "\n");
	return expect(c, want);
}

/* The next reply, parsed (to json_decref). */
json_t *
reply(struct cli *c)
{
	char *line = cli_line(c);
	json_t *j = line != NULL ? json_loads(line, 0, NULL) : NULL;

	free(line);
	CU_ASSERT_FATAL(json_is_object(j));
	return j;
}

const char *
err_code(json_t *r)
{
	return json_string_value(json_object_get(json_object_get(r, "error"), "code"));
}

const char *
err_msg(json_t *r)
{
	const char *s = json_string_value(json_object_get(json_object_get(r, "error"), "message"));

	return s != NULL ? s : "";
}

/* An error reply with `code`, the id null, a message. */
bool
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
