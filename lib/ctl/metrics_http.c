/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scrape endpoint: a minimal HTTP/1.x server on an event loop.  One request per
 * connection, answered with Connection: close, so there is no keep-alive, pipelining or
 * chunking to get wrong; each connection lives in one of a fixed set of slots, so a scrape
 * allocates nothing but its response body.
 *
 * A connection goes READ (collect the request head) -> WRITE (send head and body) ->
 * LINGER (shut our side down, wait for the client's FIN) -> closed.  Lingering matters:
 * closing a socket with unread input makes Linux send a RST, which can destroy the
 * response still in flight.  One deadline covers the whole life of a connection, so a
 * client that stalls in any phase cannot hold a slot for longer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "metrics_internal.h"
#include "prx_log.h"
#include "prx_metrics.h"

#define MAX_CONNS 16
#define HEAD_MAX 8192
#define DEFAULT_TIMEOUT_MS 5000
#define ACCEPT_BATCH 64
#define BACKOFF_US 100000 /* out of fds: how long the listener rests */

#define CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"
#define CT_PLAIN "text/plain; charset=utf-8"

enum conn_state { C_FREE, C_READ, C_WRITE, C_LINGER };

struct conn {
	struct prx_metrics *m;
	enum conn_state st;
	int fd;
	struct prx_fd h;
	struct prx_timer deadline;
	size_t len;		 /* bytes of head[] received */
	size_t resp_len, sent;	 /* sent counts resp then body */
	struct prx_buf body;	 /* empty for HEAD (Content-Length still says its size) */
	bool want_write;	 /* WRITE interest is on */
	char resp[512];		 /* status line and headers; from here on, not reset per use */
	char head[HEAD_MAX + 1]; /* + a NUL for parsing */
};

struct prx_metrics {
	struct prx_evloop *ev;
	prx_metrics_view_fn fn;
	void *ctx;
	int lfd;
	int port;
	struct prx_fd lh;
	struct prx_timer backoff;
	struct conn conns[MAX_CONNS];
};

static unsigned int timeout_ms = DEFAULT_TIMEOUT_MS;

void
prx__metrics_set_timeout_ms(unsigned int ms)
{
	timeout_ms = ms != 0 ? ms : DEFAULT_TIMEOUT_MS;
}

static void
conn_close(struct conn *c)
{
	prx_fd_remove(&c->h);
	prx_timer_stop(&c->deadline);
	close(c->fd);
	prx_buf_free(&c->body);
	c->st = C_FREE;
}

static void
on_deadline(struct prx_timer *t, void *arg)
{
	(void)t;
	conn_close(arg);
}

/*
 * Content negotiation, as far as two formats need it: the best quality an Accept value
 * gives OpenMetrics, and the best it gives the text format (text/plain or a wildcard).
 * Prometheus asks for both, OpenMetrics with the higher quality; ties go to OpenMetrics.
 */
static void
rank_accept(char *accept, double *q_om, double *q_text)
{
	char *save = NULL;

	for (char *r = strtok_r(accept, ",", &save); r != NULL; r = strtok_r(NULL, ",", &save)) {
		size_t n;
		double q = 1;

		r += strspn(r, " \t");
		n = strcspn(r, "; \t");
		for (char *p = strchr(r, ';'); p != NULL; p = strchr(p + 1, ';')) {
			char *param = p + 1 + strspn(p + 1, " \t");

			if (strncasecmp(param, "q=", 2) == 0)
				q = strtod(param + 2, NULL);
		}
		if (n == 28 && strncasecmp(r, "application/openmetrics-text", n) == 0)
			*q_om = q > *q_om ? q : *q_om;
		else if ((n == 10 && strncasecmp(r, "text/plain", n) == 0) ||
			 (n == 6 && strncasecmp(r, "text/*", n) == 0) ||
			 (n == 3 && strncmp(r, "*/*", n) == 0))
			*q_text = q > *q_text ? q : *q_text;
	}
}

/* The status line and headers for a body of `len` bytes. */
static void
set_head(struct conn *c, const char *status, const char *ctype, const char *extra, size_t len)
{
	int n = snprintf(c->resp, sizeof(c->resp),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			 "Connection: close\r\n\r\n",
			 status, ctype, len, extra);

	c->resp_len = n > 0 && (size_t)n < sizeof(c->resp) ? (size_t)n : 0;
}

static void
reply(struct conn *c, const char *status, const char *ctype, const char *extra, const char *text,
      bool head_only)
{
	prx_buf_free(&c->body);
	if (!head_only)
		prx_buf_printf(&c->body, "%s", text);
	set_head(c, status, ctype, extra, strlen(text));
	if (c->body.oom)
		c->resp_len = 0; /* nothing to send: closed */
}

static void
respond_metrics(struct conn *c, bool openmetrics, bool head_only)
{
	struct prx_view *v = c->m->fn(c->m->ctx);

	if (v == NULL) {
		reply(c, "503 Service Unavailable", CT_PLAIN, "", "no statistics yet\n", head_only);
		return;
	}
	prx_metrics_render(v, openmetrics, &c->body);
	prx_view_free(v);
	if (c->body.oom) {
		reply(c, "500 Internal Server Error", CT_PLAIN, "", "out of memory\n", head_only);
		return;
	}
	set_head(c, "200 OK", openmetrics ? CT_OPENMETRICS : CT_TEXT, "", c->body.len);
	if (head_only)
		prx_buf_free(&c->body);
}

/* Build the response to the complete head in c->head (NUL-terminated). */
static void
respond(struct conn *c)
{
	static const char index_html[] = "<html><head><title>prx</title></head><body><h1>prx</h1>"
					 "<p><a href=\"/metrics\">Metrics</a></p></body></html>\n";
	char *save = NULL, *line = strtok_r(c->head, "\n", &save);
	char *method, *target, *version, *rest = NULL;
	double q_om = 0, q_text = 0;
	bool head_only;

	if (line == NULL)
		goto bad;
	line[strcspn(line, "\r")] = '\0';
	method = strtok_r(line, " ", &rest);
	target = strtok_r(NULL, " ", &rest);
	version = strtok_r(NULL, " ", &rest);
	if (method == NULL || target == NULL || version == NULL ||
	    strtok_r(NULL, " ", &rest) != NULL || strncmp(version, "HTTP/1.", 7) != 0)
		goto bad;
	head_only = strcmp(method, "HEAD") == 0;
	/* Absolute form ("http://host:port/metrics"), which proxies send: keep the path. */
	if (strncasecmp(target, "http://", 7) == 0) {
		target = strchr(target + 7, '/');
		if (target == NULL)
			target = "/";
	}
	if (target[0] != '/')
		goto bad;
	target[strcspn(target, "?#")] = '\0';
	for (char *h = strtok_r(NULL, "\n", &save); h != NULL; h = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(h, ':');

		h[strcspn(h, "\r")] = '\0';
		if (colon != NULL && colon - h == 6 && strncasecmp(h, "accept", 6) == 0)
			rank_accept(colon + 1, &q_om, &q_text);
	}
	if (strcmp(target, "/metrics") != 0 && strcmp(target, "/") != 0)
		reply(c, "404 Not Found", CT_PLAIN, "", "not found; try /metrics\n", head_only);
	else if (!head_only && strcmp(method, "GET") != 0)
		reply(c, "405 Method Not Allowed", CT_PLAIN, "Allow: GET, HEAD\r\n",
		      "method not allowed\n", false);
	else if (target[1] == '\0')
		reply(c, "200 OK", "text/html; charset=utf-8", "", index_html, head_only);
	else
		respond_metrics(c, q_om > 0 && q_om >= q_text, head_only);
	return;
bad:
	reply(c, "400 Bad Request", CT_PLAIN, "", "bad request\n", false);
}

/* Read and discard until EAGAIN (the handle is edge-triggered), or close at the end. */
static void
drain(struct conn *c)
{
	char junk[4096];

	for (;;) {
		ssize_t n = recv(c->fd, junk, sizeof(junk), 0);

		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(c);
		return;
	}
}

static void
conn_write(struct conn *c)
{
	size_t total = c->resp_len + c->body.len;

	while (c->sent < total) {
		struct iovec iov[2];
		struct msghdr msg = {.msg_iov = iov};
		ssize_t n;

		if (c->sent < c->resp_len) {
			iov[msg.msg_iovlen].iov_base = c->resp + c->sent;
			iov[msg.msg_iovlen++].iov_len = c->resp_len - c->sent;
		}
		if (c->body.len != 0) {
			size_t off = c->sent > c->resp_len ? c->sent - c->resp_len : 0;

			iov[msg.msg_iovlen].iov_base = c->body.p + off;
			iov[msg.msg_iovlen++].iov_len = c->body.len - off;
		}
		/* MSG_NOSIGNAL: a client that went away must not raise SIGPIPE in prxd. */
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
		if (n > 0) {
			c->sent += (size_t)n;
		} else if (n == 0) {
			break;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (!c->want_write && prx_fd_modify(&c->h, PRX_EV_WRITE) != 0)
				break;
			c->want_write = true;
			return;
		} else if (errno != EINTR) {
			break;
		}
	}
	if (c->sent < total || c->resp_len == 0) {
		conn_close(c);
		return;
	}
	c->st = C_LINGER;
	shutdown(c->fd, SHUT_WR);
	if (prx_fd_modify(&c->h, PRX_EV_READ) != 0)
		conn_close(c);
	else
		drain(c);
}

static void
conn_read(struct conn *c)
{
	for (;;) {
		char *end, *lf;
		ssize_t n;

		if (c->len == HEAD_MAX) /* no end of head within the limit: not answered */
			break;
		n = recv(c->fd, c->head + c->len, HEAD_MAX - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			break;
		c->len += (size_t)n;
		c->head[c->len] = '\0';
		/* A bare-LF head ending is tolerated, as most servers do. */
		end = strstr(c->head, "\r\n\r\n");
		lf = strstr(c->head, "\n\n");
		if (end == NULL || (lf != NULL && lf < end))
			end = lf;
		if (end != NULL) {
			*end = '\0';
			respond(c);
			c->st = C_WRITE;
			conn_write(c);
			return;
		}
		/* A NUL in the head would hide its end from strstr(): not HTTP anyway. */
		if (memchr(c->head + c->len - (size_t)n, '\0', (size_t)n) != NULL)
			break;
	}
	conn_close(c);
}

static void
on_conn(struct prx_fd *h, uint32_t events, void *arg)
{
	struct conn *c = arg;

	(void)h;
	if (events & PRX_EV_ERROR) {
		conn_close(c);
		return;
	}
	/* A hang-up alone is not handled here: reading finds the end of file (READ,
	 * LINGER), and a half-closed client still reads its response (WRITE). */
	if (c->st == C_READ)
		conn_read(c);
	else if (c->st == C_WRITE)
		conn_write(c);
	else if (c->st == C_LINGER)
		drain(c);
}

static void
on_backoff(struct prx_timer *t, void *arg)
{
	struct prx_metrics *m = arg;

	(void)t;
	prx_fd_modify(&m->lh, PRX_EV_READ);
}

static void
on_accept(struct prx_fd *h, uint32_t events, void *arg)
{
	struct prx_metrics *m = arg;

	(void)h;
	(void)events;
	/* Bounded, so that a connection storm cannot starve the loop's other handles. */
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c = NULL;

		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* The pending connection stays pending, and a level-triggered
				 * listener would spin on it: rest a while instead. */
				PRX_LOG(WARNING, CTL, "metrics: accept: %s", strerror(errno));
				prx_fd_modify(&m->lh, 0);
				prx_timer_start(m->ev, &m->backoff, BACKOFF_US, 0, on_backoff, m);
				return;
			}
			continue; /* ECONNABORTED, EINTR, network errors: next one */
		}
		for (unsigned int k = 0; k < MAX_CONNS && c == NULL; k++)
			if (m->conns[k].st == C_FREE)
				c = &m->conns[k];
		if (c == NULL) {
			close(fd); /* over the limit: the client sees its connection closed */
			continue;
		}
		memset(c, 0, offsetof(struct conn, resp));
		c->m = m;
		c->st = C_READ;
		c->fd = fd;
		if (prx_fd_add(m->ev, &c->h, fd, PRX_EV_READ, PRX_FD_EDGE, on_conn, c) != 0) {
			close(fd);
			c->st = C_FREE;
			continue;
		}
		if (prx_timer_start(m->ev, &c->deadline, (uint64_t)timeout_ms * 1000, 0,
				    on_deadline, c) != 0)
			conn_close(c);
	}
}

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* "A.B.C.D:PORT" or "[IPv6]:PORT", numeric only: a name would need a blocking lookup. */
static int
parse_addr(const char *s, union addr *a, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN];
	const char *h = s, *he, *p;
	unsigned long port = 0;
	bool v6 = s[0] == '[';

	if (v6) {
		h = s + 1;
		he = strchr(h, ']');
		if (he == NULL || he[1] != ':')
			return -EINVAL;
		p = he + 2;
	} else {
		he = strchr(s, ':');
		if (he == NULL)
			return -EINVAL;
		p = he + 1;
	}
	if ((size_t)(he - h) >= sizeof(host) || *p == '\0' || strlen(p) > 5)
		return -EINVAL;
	for (const char *d = p; *d != '\0'; d++) {
		if (*d < '0' || *d > '9')
			return -EINVAL;
		port = port * 10 + (unsigned long)(*d - '0');
	}
	if (port > 65535)
		return -EINVAL;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = '\0';
	memset(a, 0, sizeof(*a));
	if (v6) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons((uint16_t)port);
		*len = sizeof(a->in6);
		return inet_pton(AF_INET6, host, &a->in6.sin6_addr) == 1 ? 0 : -EINVAL;
	}
	a->in.sin_family = AF_INET;
	a->in.sin_port = htons((uint16_t)port);
	*len = sizeof(a->in);
	return inet_pton(AF_INET, host, &a->in.sin_addr) == 1 ? 0 : -EINVAL;
}

int
prx_metrics_open(struct prx_evloop *ev, const char *addr, prx_metrics_view_fn fn, void *ctx,
		 struct prx_metrics **out)
{
	struct prx_metrics *m;
	union addr a;
	socklen_t len;
	int one = 1, rc;

	if (ev == NULL || addr == NULL || fn == NULL || out == NULL)
		return -EINVAL;
	rc = parse_addr(addr, &a, &len);
	if (rc != 0)
		return rc;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	m->ev = ev;
	m->fn = fn;
	m->ctx = ctx;
	m->lfd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* SO_REUSEADDR: a restarted prxd binds again while old connections sit in TIME_WAIT. */
	if (m->lfd < 0 || setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(m->lfd, &a.sa, len) != 0 || listen(m->lfd, 64) != 0 ||
	    getsockname(m->lfd, &a.sa, &len) != 0) {
		rc = -errno;
		goto fail;
	}
	m->port = ntohs(a.sa.sa_family == AF_INET6 ? a.in6.sin6_port : a.in.sin_port);
	rc = prx_fd_add(ev, &m->lh, m->lfd, PRX_EV_READ, 0, on_accept, m);
	if (rc != 0)
		goto fail;
	*out = m;
	return 0;
fail:
	if (m->lfd >= 0)
		close(m->lfd);
	free(m);
	return rc;
}

int
prx_metrics_port(const struct prx_metrics *m)
{
	return m != NULL ? m->port : -EINVAL;
}

void
prx_metrics_close(struct prx_metrics *m)
{
	if (m == NULL)
		return;
	for (unsigned int i = 0; i < MAX_CONNS; i++)
		if (m->conns[i].st != C_FREE)
			conn_close(&m->conns[i]);
	prx_timer_stop(&m->backoff);
	prx_fd_remove(&m->lh);
	close(m->lfd);
	free(m);
}
