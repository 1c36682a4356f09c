/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics suite's HTTP harness: a server on an event loop in the test thread, and
 * non-blocking client sockets read while the loop is pumped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "prx_evloop.h"
#include "prx_metrics.h"
#include "test_metrics.h"

struct prx_view *
tm_view_fn(void *ctx)
{
	struct tm_srv *s = ctx;

	s->calls++;
	return s->unavailable ? NULL : tm_make_view(s->big);
}

void
tm_srv_start(struct tm_srv *s)
{
	*s = (struct tm_srv){0};
	CU_ASSERT_FATAL(prx_evloop_create(&s->ev) == 0);
	CU_ASSERT_FATAL(prx_metrics_open(s->ev, "127.0.0.1:0", tm_view_fn, s, &s->m) == 0);
	s->port = prx_metrics_port(s->m);
	CU_ASSERT_FATAL(s->port > 0 && s->port <= 65535);
}

void
tm_srv_stop(struct tm_srv *s)
{
	prx_metrics_close(s->m);
	prx_evloop_destroy(s->ev);
}

void
tm_pump(struct tm_srv *s)
{
	CU_ASSERT_FATAL(prx_evloop_run(s->ev, 1000) >= 0);
}

int
tm_client(struct tm_srv *s)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Blocking: the kernel completes it from the backlog, before any accept. */
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CU_ASSERT_FATAL(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
	return fd;
}

/* @return 0, or -errno when the server closed before taking it all. */
int
tm_send(struct tm_srv *s, int fd, const char *p, size_t len)
{
	uint64_t end = prx_evloop_now_ns() + 3000 * TM_MS;

	while (len > 0 && prx_evloop_now_ns() < end) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (errno == EAGAIN) {
			tm_pump(s);
		} else {
			return -errno;
		}
	}
	return len == 0 ? 0 : -ETIMEDOUT;
}

/* Pump and read until the server closes (or `ms` pass). */
void
tm_read_all(struct tm_srv *s, int fd, struct tm_resp *r, unsigned int ms)
{
	uint64_t end = prx_evloop_now_ns() + ms * TM_MS;
	char buf[65536];

	*r = (struct tm_resp){.clen = -1};
	while (!r->closed && prx_evloop_now_ns() < end) {
		ssize_t n;

		tm_pump(s);
		while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			r->raw = realloc(r->raw, r->len + (size_t)n + 1);
			CU_ASSERT_FATAL(r->raw != NULL);
			memcpy(r->raw + r->len, buf, (size_t)n);
			r->len += (size_t)n;
			r->raw[r->len] = '\0';
		}
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			r->closed = true;
			r->reset = n < 0;
		}
	}
}

/* A header's value (first line only), or NULL. */
const char *
tm_header(const struct tm_resp *r, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	for (const char *p = r->raw; p != NULL && p < r->body; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1 + strspn(p + n + 1, " ");
			snprintf(out, cap, "%.*s", (int)strcspn(p, "\r\n"), p);
			return out;
		}
	}
	return NULL;
}

void
tm_parse_resp(struct tm_resp *r)
{
	char *end = r->raw != NULL ? strstr(r->raw, "\r\n\r\n") : NULL;
	char v[64];

	if (end == NULL)
		return;
	r->body = end + 4;
	r->body_len = r->len - (size_t)(r->body - r->raw);
	if (strncmp(r->raw, "HTTP/1.1 ", 9) == 0)
		r->status = atoi(r->raw + 9);
	if (tm_header(r, "Content-Length", v, sizeof(v)) != NULL)
		r->clen = atol(v);
	/* Every response says it closes, and how long it is. */
	CU_ASSERT(tm_header(r, "Connection", v, sizeof(v)) != NULL && strcmp(v, "close") == 0);
	CU_ASSERT(r->clen >= 0);
}

/* One request on a fresh connection: @return the status (0: no response). */
int
tm_exchange(struct tm_srv *s, const char *req, struct tm_resp *r)
{
	int fd = tm_client(s);

	CU_ASSERT_EQUAL(tm_send(s, fd, req, strlen(req)), 0);
	tm_read_all(s, fd, r, 3000);
	close(fd);
	CU_ASSERT_TRUE(r->closed);
	tm_parse_resp(r);
	return r->status;
}

void
tm_check_body(const struct tm_resp *r, bool om)
{
	struct tm_expo e;
	char v[128];

	CU_ASSERT_FATAL(r->body != NULL);
	CU_ASSERT_EQUAL((size_t)r->clen, r->body_len);
	CU_ASSERT_PTR_NOT_NULL(tm_header(r, "Content-Type", v, sizeof(v)));
	CU_ASSERT_STRING_EQUAL(v, om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
				     : "text/plain; version=0.0.4; charset=utf-8");
	if (tm_parse(&e, r->body, r->body_len, om) != 0)
		fprintf(stderr, "\n%s\n", e.err);
	CU_ASSERT_STRING_EQUAL(e.err, "");
	tm_check_values(&e);
	tm_free(&e);
}
