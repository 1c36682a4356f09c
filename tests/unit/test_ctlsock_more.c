/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket: deferred replies, limits (clients, slow readers, back-pressure) and the
 * socket file (stale, live, not a socket, mode, unlinked at close, open errors).
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
	CU_ASSERT_FATAL(prx_ctlsock_open(ev, path, 0600, test_cmds, N_TEST_CMDS, &cnt, &cs) == 0);
	c = cli_open();
	CU_ASSERT(call(&c, "{\"cmd\":\"echo\",\"id\":1}", "{\"id\":1,\"ok\":true,\"result\":{}}"));
	cli_close(&c);
	prx_ctlsock_close(cs);
	cs = NULL;
	/* Bound but not listening: nobody accepts either. */
	fd = bound_socket(false);
	CU_ASSERT(prx_ctlsock_open(ev, path, 0600, test_cmds, N_TEST_CMDS, &cnt, &cs) == 0);
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
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, path, 0600, test_cmds, N_TEST_CMDS, &cnt, &cs),
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
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, path, 0600, test_cmds, N_TEST_CMDS, &cnt, &cs),
			-EEXIST);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(read(fd, buf, sizeof(buf)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "keep");
	close(fd);
	CU_ASSERT_FATAL(unlink(path) == 0);
	CU_ASSERT_FATAL(mkdir(path, 0700) == 0);
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, path, 0600, test_cmds, N_TEST_CMDS, &cnt, &cs),
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
		CU_ASSERT_FATAL(prx_ctlsock_open(ev, path, modes[i], test_cmds, N_TEST_CMDS, &cnt,
						 &cs) == 0);
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
	CU_ASSERT_FATAL(prx_ctlsock_open(ev, path, 0600, test_cmds, N_TEST_CMDS, &cnt, &cs) == 0);
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
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, longpath, 0600, test_cmds, 1, NULL, &cs),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, NULL, 0600, test_cmds, 1, NULL, &cs), -EINVAL);
	CU_ASSERT_EQUAL(prx_ctlsock_open(NULL, path, 0600, test_cmds, 1, NULL, &cs), -EINVAL);
	snprintf(longpath, sizeof(longpath), "%s/missing/ctl", dir);
	CU_ASSERT_EQUAL(prx_ctlsock_open(ev, longpath, 0600, test_cmds, 1, NULL, &cs), -ENOENT);
	CU_ASSERT_PTR_NULL(cs);
	prx_ctlsock_close(NULL);
	CU_ASSERT_EQUAL(prx_ctlsock_clients(NULL), 0);
	teardown();
}

const struct prx_test_case ctlsock_more_cases[] = {
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
