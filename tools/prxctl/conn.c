/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prxctl's connection to the control socket.  Every socket operation is non-blocking and
 * waits in poll() against one deadline per exchange, so a daemon that accepts and never
 * answers (or a full accept backlog) costs at most -t seconds, never a hang.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "prxctl.h"

uint64_t
ctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
ctl_init(struct ctl_conn *c, const char *path, const char *whose, double timeout)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->whose = whose;
	c->timeout = timeout;
	c->fd = -1;
	c->next_id = 1;
}

void
ctl_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

static const char *
errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n != NULL ? n : "?";
}

/* "prxctl: PATH: WHAT: strerror (ENAME) (instance prx)", then the connection is
 * useless: drop it so nothing half-read is taken for the next reply. */
static int
io_error(struct ctl_conn *c, const char *what, int err)
{
	fprintf(stderr, "prxctl: %s: %s: %s (%s) (%s)\n", c->path, what, strerror(err),
		errno_name(err), c->whose);
	ctl_close(c);
	return PRXCTL_EXIT_IO;
}

static int
timed_out(struct ctl_conn *c, const char *waiting_for)
{
	fprintf(stderr, "prxctl: %s: no %s within %g s (ETIMEDOUT); is prxd stuck? (%s)\n", c->path,
		waiting_for, c->timeout, c->whose);
	ctl_close(c);
	return PRXCTL_EXIT_IO;
}

static int protocol_error(struct ctl_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
protocol_error(struct ctl_conn *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "prxctl: %s: bad reply: ", c->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s)\n", c->whose);
	ctl_close(c);
	return PRXCTL_EXIT_IO;
}

/* Wait for `events` on the socket until `deadline`: 0, ETIMEDOUT or an errno. */
static int
wait_fd(struct ctl_conn *c, short events, uint64_t deadline)
{
	struct pollfd p = {.fd = c->fd, .events = events};

	for (;;) {
		uint64_t now = ctl_now_ns();
		int ms, n;

		if (now >= deadline)
			return ETIMEDOUT;
		/* round up: a 0 ms poll just before the deadline would spin */
		ms = (int)((deadline - now + 999999) / 1000000);
		n = poll(&p, 1, ms);
		if (n > 0)
			return 0; /* POLLERR/POLLHUP too: the next call tells what happened */
		if (n < 0 && errno != EINTR)
			return errno;
	}
}

static int
conn_open(struct ctl_conn *c, uint64_t deadline)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(c->path);
	int err;

	if (n >= sizeof(sa.sun_path))
		return io_error(c, "cannot connect", ENAMETOOLONG);
	memcpy(sa.sun_path, c->path, n + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return io_error(c, "socket", errno);
	for (;;) {
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EINPROGRESS) {
			socklen_t len = sizeof(err);

			err = wait_fd(c, POLLOUT, deadline);
			if (err == ETIMEDOUT)
				return timed_out(c, "connection");
			if (err == 0 && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
			if (err == 0)
				return 0;
			errno = err;
			break;
		}
		/* A Unix socket whose accept backlog is full refuses a non-blocking connect
		 * with EAGAIN rather than queueing it: retry until the deadline. */
		if (errno != EAGAIN)
			break;
		if (ctl_now_ns() >= deadline)
			return timed_out(c, "connection");
		poll(NULL, 0, 10);
	}
	err = errno;
	fprintf(stderr, "prxctl: cannot connect to %s: %s (%s); is prxd running? (%s)\n", c->path,
		strerror(err), errno_name(err), c->whose);
	ctl_close(c);
	return PRXCTL_EXIT_IO;
}

static int
send_all(struct ctl_conn *c, const char *p, size_t n, uint64_t deadline)
{
	while (n > 0) {
		/* MSG_NOSIGNAL: a daemon gone away is an error to report, not SIGPIPE */
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		int err;

		if (w >= 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return io_error(c, "send", errno);
		err = wait_fd(c, POLLOUT, deadline);
		if (err == ETIMEDOUT)
			return timed_out(c, "room to send the request");
		if (err != 0)
			return io_error(c, "poll", err);
	}
	return 0;
}

/* Read until c->buf holds a whole line; its length (without '\n') in *line_len. */
static int
recv_line(struct ctl_conn *c, uint64_t deadline, size_t *line_len)
{
	size_t scanned = 0;

	for (;;) {
		/* memchr() of a NULL buffer is undefined even for 0 bytes */
		const char *nl =
			c->len > scanned ? memchr(c->buf + scanned, '\n', c->len - scanned) : NULL;
		ssize_t r;
		int err;

		if (nl != NULL) {
			*line_len = (size_t)(nl - c->buf);
			return 0;
		}
		scanned = c->len;
		if (c->len > PRXCTL_MAX_REPLY)
			return protocol_error(c, "longer than %u MiB", PRXCTL_MAX_REPLY >> 20);
		if (c->cap - c->len < 4096) {
			/* one byte past the limit is enough to know a line is too long */
			size_t cap = c->cap < 65536 ? 65536 : c->cap * 2;
			char *b;

			if (cap > PRXCTL_MAX_REPLY + 1)
				cap = PRXCTL_MAX_REPLY + 1;
			b = realloc(c->buf, cap);
			if (b == NULL)
				return io_error(c, "reply buffer", ENOMEM);
			c->buf = b;
			c->cap = cap;
		}
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		if (r == 0) {
			fprintf(stderr,
				"prxctl: %s: prxd closed the connection without replying (%s)\n",
				c->path, c->whose);
			ctl_close(c);
			return PRXCTL_EXIT_IO;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return io_error(c, "receive", errno);
		err = wait_fd(c, POLLIN, deadline);
		if (err == ETIMEDOUT)
			return timed_out(c, "reply");
		if (err != 0)
			return io_error(c, "poll", err);
	}
}

/* Print an error reply.  Multi-line messages (reload's one line per bad setting) go out
 * as they are, after the first line's prefix. */
static int
daemon_error(const json_t *reply)
{
	const json_t *e = json_object_get(reply, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	size_t n;

	if (code == NULL)
		code = "EUNKNOWN";
	if (msg == NULL)
		msg = "(no message)";
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		n--;
	fprintf(stderr, "prxctl: %s: %.*s\n", code, (int)n, msg);
	return PRXCTL_EXIT_DAEMON;
}

/* Check one reply line and take its result. */
static int
take_reply(struct ctl_conn *c, size_t line_len, json_int_t id, json_t **result)
{
	json_error_t jerr;
	json_t *reply = json_loadb(c->buf, line_len, 0, &jerr);
	const json_t *ok, *rid;
	int rc;

	/* consume the line now: whatever it holds, it is this request's answer */
	c->len -= line_len + 1;
	memmove(c->buf, c->buf + line_len + 1, c->len);
	if (reply == NULL)
		return protocol_error(c, "not JSON: %s (column %d)", jerr.text, jerr.column);
	ok = json_object_get(reply, "ok");
	rid = json_object_get(reply, "id");
	if (!json_is_object(reply) || !json_is_boolean(ok)) {
		rc = protocol_error(c, "not an object with a boolean \"ok\"");
	} else if (json_is_integer(rid) && json_integer_value(rid) == id) {
		rc = PRXCTL_EXIT_OK;
	} else if (json_is_false(ok) && (rid == NULL || json_is_null(rid))) {
		/* prxd answers id null when it could not read the request (a line over its
		 * 64 KiB limit): still this request's answer, as requests are answered in
		 * order */
		rc = PRXCTL_EXIT_OK;
	} else {
		char *got = rid != NULL ? json_dumps(rid, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

		rc = protocol_error(c, "id %s, expected %" JSON_INTEGER_FORMAT,
				    got != NULL ? got : "missing", id);
		free(got);
	}
	if (rc == PRXCTL_EXIT_OK) {
		if (json_is_false(ok)) {
			rc = daemon_error(reply);
		} else {
			json_t *r = json_object_get(reply, "result");

			*result = r != NULL ? json_incref(r) : json_null();
		}
	}
	json_decref(reply);
	return rc;
}

int
ctl_call(struct ctl_conn *c, const char *cmd, json_t *args, json_t **result)
{
	uint64_t deadline = ctl_now_ns() + (uint64_t)(c->timeout * 1e9);
	json_int_t id = c->next_id++;
	json_t *req = json_object();
	size_t line_len = 0;
	char *line;
	int rc;

	*result = NULL;
	json_object_set_new(req, "cmd", json_string(cmd));
	if (args != NULL)
		json_object_set(req, "args", args);
	json_object_set_new(req, "id", json_integer(id));
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL) {
		fprintf(stderr, "prxctl: cannot encode the request for %s\n", cmd);
		return PRXCTL_EXIT_IO;
	}
	rc = c->fd < 0 ? conn_open(c, deadline) : 0;
	if (rc == 0) {
		/* one write for line and newline: append it in place */
		size_t n = strlen(line);
		char *l = realloc(line, n + 2);

		if (l == NULL) {
			free(line);
			return io_error(c, "request buffer", ENOMEM);
		}
		line = l;
		memcpy(line + n, "\n", 2);
		rc = send_all(c, line, n + 1, deadline);
	}
	free(line);
	if (rc == 0)
		rc = recv_line(c, deadline, &line_len);
	if (rc == 0)
		rc = take_reply(c, line_len, id, result);
	return rc;
}
