/* SPDX-License-Identifier: BSD-3-Clause */
/* Metrics over HTTP, connections: the limit, the deadline, slow readers, addresses, curl. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics_internal.h"
#include "test_metrics.h"

extern char **environ;

#define LIMIT 16

static bool
still_open(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

static void
test_http_connection_limit(void)
{
	int fd[LIMIT], extra;
	struct tm_srv s;
	struct tm_resp r;

	tm_srv_start(&s);
	for (int i = 0; i < LIMIT; i++)
		fd[i] = tm_client(&s);
	for (int k = 0; k < 20; k++)
		tm_pump(&s);
	/* The 17th is accepted and closed at once. */
	extra = tm_client(&s);
	tm_read_all(&s, extra, &r, 2000);
	CU_ASSERT_TRUE(r.closed);
	CU_ASSERT_EQUAL(r.len, 0);
	free(r.raw);
	close(extra);
	for (int i = 0; i < LIMIT; i++)
		CU_ASSERT_TRUE(still_open(fd[i]));
	/* The 16 are served... */
	CU_ASSERT_EQUAL(tm_send(&s, fd[3], "GET /metrics HTTP/1.1\r\n\r\n", 25), 0);
	tm_read_all(&s, fd[3], &r, 3000);
	tm_parse_resp(&r);
	CU_ASSERT_EQUAL(r.status, 200);
	free(r.raw);
	close(fd[3]);
	/* ...and a slot they free takes a new connection. */
	for (int k = 0; k < 5; k++)
		tm_pump(&s);
	CU_ASSERT_EQUAL(tm_exchange(&s, "GET / HTTP/1.1\r\n\r\n", &r), 200);
	free(r.raw);
	for (int i = 0; i < LIMIT; i++)
		if (i != 3)
			close(fd[i]);
	tm_srv_stop(&s);
}

static void
test_http_deadline(void)
{
	struct tm_srv s;
	struct tm_resp r;
	uint64_t t0;
	int fd;

	prx__metrics_set_timeout_ms(200);
	tm_srv_start(&s);
	/* Silent... */
	fd = tm_client(&s);
	t0 = prx_evloop_now_ns();
	tm_read_all(&s, fd, &r, 3000);
	CU_ASSERT_TRUE(r.closed);
	CU_ASSERT_EQUAL(r.len, 0);
	CU_ASSERT(prx_evloop_now_ns() - t0 >= 150 * TM_MS);
	CU_ASSERT(prx_evloop_now_ns() - t0 < 2000 * TM_MS);
	free(r.raw);
	close(fd);
	/* ...or stalled half-way through its head. */
	fd = tm_client(&s);
	CU_ASSERT_EQUAL(tm_send(&s, fd, "GET /metrics HTTP/1.1\r\n", 23), 0);
	tm_read_all(&s, fd, &r, 3000);
	CU_ASSERT_TRUE(r.closed);
	CU_ASSERT_EQUAL(r.len, 0);
	free(r.raw);
	close(fd);
	CU_ASSERT_EQUAL(s.calls, 0);
	tm_srv_stop(&s);
	prx__metrics_set_timeout_ms(0);
}

static void
test_http_big_body(void)
{
	struct tm_srv s;
	struct tm_resp r;
	struct tm_expo e;
	int fd;

	tm_srv_start(&s);
	s.big = true;
	/* Megabytes, more than the kernel takes from the server at once while the client
	 * does not read (a send buffer grows to 4 MiB by default): the server has to wait
	 * for room to write the rest. */
	fd = tm_client(&s);
	CU_ASSERT_EQUAL(tm_send(&s, fd, "GET /metrics HTTP/1.1\r\n\r\n", 25), 0);
	for (int k = 0; k < 5; k++)
		tm_pump(&s);
	tm_read_all(&s, fd, &r, 20000);
	CU_ASSERT_TRUE(r.closed);
	close(fd);
	tm_parse_resp(&r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT(r.body_len > 5000000);
	CU_ASSERT_EQUAL((size_t)r.clen, r.body_len);
	CU_ASSERT_EQUAL(tm_parse(&e, r.body, r.body_len, false), 0);
	CU_ASSERT_EQUAL(tm_count(&e, "prx_rxq_packets_total"), 2 + 78 * 1024);
	CU_ASSERT_DOUBLE_EQUAL(
		tm_value(&e, "prx_rxq_packets_total", "port=\"p79\",queue=\"1023\",reactor=\"1\""),
		1023 * 1000003.0, 0.5);
	tm_free(&e);
	free(r.raw);
	tm_srv_stop(&s);
}

static void
test_http_open_close(void)
{
	static const char *const bad[] = {
		"",
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:+80",
		"127.0.0.1: 80",
		"127.0.0.1:80x",
		"localhost:80",
		"::1:80",
		"[::1]",
		"[::1]80",
		"[::1:80",
		"1.2.3:80",
		"1.2.3.4.5:80",
		" 127.0.0.1:80",
		"[127.0.0.1]:80",
		"[fe80::1%lo]:80",
		"127.0.0.1:123456",
	};
	struct prx_metrics *m = NULL, *m2 = NULL;
	struct prx_evloop *ev = NULL;
	int fds[3];
	int rc;

	CU_ASSERT_FATAL(prx_evloop_create(&ev) == 0);
	for (size_t i = 0; i < PRX_ARRAY_SIZE(bad); i++) {
		rc = prx_metrics_open(ev, bad[i], tm_view_fn, NULL, &m);
		if (rc != -EINVAL)
			fprintf(stderr, "\n\"%s\": %d\n", bad[i], rc);
		CU_ASSERT_EQUAL(rc, -EINVAL);
	}
	CU_ASSERT_EQUAL(prx_metrics_open(ev, "127.0.0.1:0", NULL, NULL, &m), -EINVAL);
	CU_ASSERT_EQUAL(prx_metrics_open(NULL, "127.0.0.1:0", tm_view_fn, NULL, &m), -EINVAL);
	/* IPv6 when the host has it. */
	rc = prx_metrics_open(ev, "[::1]:0", tm_view_fn, NULL, &m);
	CU_ASSERT(rc == 0 || rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT);
	if (rc == 0) {
		CU_ASSERT(prx_metrics_port(m) > 0);
		prx_metrics_close(m);
	}
	/* A port in use. */
	CU_ASSERT_FATAL(prx_metrics_open(ev, "127.0.0.1:0", tm_view_fn, NULL, &m) == 0);
	{
		char addr[32];

		snprintf(addr, sizeof(addr), "127.0.0.1:%d", prx_metrics_port(m));
		CU_ASSERT_EQUAL(prx_metrics_open(ev, addr, tm_view_fn, NULL, &m2), -EADDRINUSE);
	}
	/* Closing with connections in every state frees them (ASan's leak check). */
	{
		struct tm_srv s = {.ev = ev, .m = m, .port = prx_metrics_port(m)};

		for (int i = 0; i < 3; i++)
			fds[i] = tm_client(&s);
		CU_ASSERT_EQUAL(tm_send(&s, fds[1], "GET /met", 8), 0);
		for (int k = 0; k < 5; k++)
			tm_pump(&s);
	}
	prx_metrics_close(m);
	prx_metrics_close(NULL);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	prx_evloop_destroy(ev);
}

/* curl, as the integration test and operators use it, when the host has it. */
static void
run_curl(struct tm_srv *s, const char *accept, bool om)
{
	char url[64], out[] = "/tmp/prx_metrics_XXXXXX", *body = NULL;
	char *argv[] = {"curl", "-s", "-S",	      "--max-time", "5", "-o",
			out,	"-H", (char *)accept, url,	    NULL};
	uint64_t end = prx_evloop_now_ns() + 10000 * TM_MS;
	struct tm_expo e;
	int fd, status = -1;
	pid_t pid;
	long len;
	FILE *f;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", s->port);
	fd = mkstemp(out);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_FATAL(posix_spawn(&pid, "/usr/bin/curl", NULL, NULL, argv, environ) == 0);
	while (waitpid(pid, &status, WNOHANG) == 0 && prx_evloop_now_ns() < end)
		tm_pump(s);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	f = fopen(out, "r");
	CU_ASSERT_FATAL(f != NULL);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	body = malloc((size_t)len + 1);
	CU_ASSERT_FATAL(body != NULL && fread(body, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	unlink(out);
	CU_ASSERT_EQUAL(tm_parse(&e, body, (size_t)len, om), 0);
	tm_check_values(&e);
	tm_free(&e);
	free(body);
}

static void
test_http_curl(void)
{
	struct tm_srv s;

	if (access("/usr/bin/curl", X_OK) != 0) {
		fprintf(stderr, "(no /usr/bin/curl: skipped) ");
		return;
	}
	tm_srv_start(&s);
	run_curl(&s, "X-Test: plain", false);
	run_curl(&s, "Accept: application/openmetrics-text", true);
	CU_ASSERT_EQUAL(s.calls, 2);
	tm_srv_stop(&s);
}

const struct prx_test_case tm_conn_cases[] = {
	PRX_TEST(test_http_connection_limit),
	PRX_TEST(test_http_deadline),
	PRX_TEST(test_http_big_body),
	PRX_TEST(test_http_open_close),
	PRX_TEST(test_http_curl),
	{NULL, NULL},
};
