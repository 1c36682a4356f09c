/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket server (prx_ctlsock.h, docs/control.md).
 *
 * Client sockets are registered edge-triggered.  The loop reports a hang-up whatever the
 * interest, and a peer that half-closed keeps EPOLLRDHUP raised: level-triggered, a
 * connection that deliberately stopped reading (a reply waits to be written, or a
 * deferred request is pending) would be called back on every pass.  With edges, each
 * callback (client_pump) does all the work it can and then either stopped on EAGAIN, so
 * the kernel reports the next edge, or re-arms with prx_fd_modify() when it stopped with
 * input left to read (READ_BUDGET: one busy client must not starve the others).
 *
 * A connection holds at most one reply in its output buffer: lines are answered only
 * while the buffer is empty (back-pressure) and not while a request is deferred.  So the
 * output limit only bites on a single reply that the client does not drain.
 *
 * Half-close: lines already sent are answered, and an unterminated last line is taken as
 * a request too (a client that writes a request and shuts down its side without the
 * newline gets an answer rather than silence); then the connection is closed.  The last
 * line, having no newline, may be PRX_CTL_MAX_REQUEST - 1 bytes long like any other.
 */
#include "prx_ctlsock.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "prx_common.h"
#include "prx_log.h"

#define LISTEN_BACKLOG 512 /* a burst of clients connecting at once (monitoring) is not refused */
#define ACCEPT_BUDGET 16   /* connections accepted per listener callback */
#define READ_BUDGET 4	   /* reads per client callback */
#define ACCEPT_PAUSE_US 100000 /* accept() out of resources: retry after this long */

struct ctl_client;

struct prx_ctl_req {
	LIST_ENTRY(prx_ctl_req) link; /* in cs->deferred while deferred */
	struct prx_ctlsock *cs;
	struct ctl_client *c; /* NULL once the client went away */
	json_t *id;
	char code[32]; /* prx_ctl_req_error(); "" = the errno's name */
	char *msg;
	bool in_handler; /* a prx_ctl_req_done() from inside the handler... */
	bool done;	 /* ...came: rc and result wait for the handler to return */
	int rc;
	json_t *result;
};

struct ctl_client {
	LIST_ENTRY(ctl_client) link;
	struct prx_ctlsock *cs;
	struct prx_fd h;
	int fd;
	uint32_t interest;
	bool eof;		      /* the peer will send nothing more */
	bool discarding;	      /* inside an oversized line: drop up to its newline */
	struct prx_ctl_req *deferred; /* the request the connection waits for */
	char *out;		      /* reply bytes to write: out[out_off, out_len) */
	size_t out_off, out_len;
	size_t in_off, in_len; /* input not processed yet: in[in_off, in_len) */
	size_t scan;	       /* bytes from in_off known to hold no newline */
	char in[PRX_CTL_MAX_REQUEST];
};

struct prx_ctlsock {
	struct prx_evloop *ev;
	const struct prx_ctl_cmd *cmds;
	unsigned int n_cmds;
	void *ctx;
	int fd;
	struct prx_fd lh;
	struct prx_timer accept_retry;
	char *path;
	bool bound; /* path is our socket file, identified by dev and ino */
	dev_t dev;
	ino_t ino;
	unsigned int n_clients;
	LIST_HEAD(, ctl_client) clients;
	LIST_HEAD(, prx_ctl_req) deferred;
};

static void client_pump(struct ctl_client *c);

/* One name per value: EAGAIN is also EWOULDBLOCK, ENOTSUP also EOPNOTSUPP. */
#define N(e) [e] = #e
static const char *const errno_names[] = {
	N(EPERM),	N(ENOENT),	  N(ESRCH),	N(EINTR),	 N(EIO),
	N(ENXIO),	N(E2BIG),	  N(EBADF),	N(EAGAIN),	 N(ENOMEM),
	N(EACCES),	N(EFAULT),	  N(EBUSY),	N(EEXIST),	 N(ENODEV),
	N(ENOTDIR),	N(EISDIR),	  N(EINVAL),	N(ENFILE),	 N(EMFILE),
	N(EFBIG),	N(ENOSPC),	  N(EROFS),	N(EPIPE),	 N(EDOM),
	N(ERANGE),	N(ENAMETOOLONG),  N(ENOSYS),	N(ENOTEMPTY),	 N(ELOOP),
	N(ENODATA),	N(ETIME),	  N(EPROTO),	N(EBADMSG),	 N(EOVERFLOW),
	N(EILSEQ),	N(ENOTSOCK),	  N(EMSGSIZE),	N(EPROTOTYPE),	 N(ENOTSUP),
	N(EADDRINUSE),	N(EADDRNOTAVAIL), N(ENETDOWN),	N(ENOBUFS),	 N(ENOTCONN),
	N(ECONNRESET),	N(ECONNREFUSED),  N(ETIMEDOUT), N(EHOSTUNREACH), N(EALREADY),
	N(EINPROGRESS), N(ECANCELED),	  N(EOWNERDEAD)};
#undef N

const char *
prx_errno_name(int err)
{
	if (err < 0 && err != INT_MIN)
		err = -err; /* a handler's return value is fine too */
	if (err <= 0 || (size_t)err >= PRX_ARRAY_SIZE(errno_names) || errno_names[err] == NULL)
		return "EUNKNOWN";
	return errno_names[err];
}

/* The reply line, newline included, for a request with `id` (borrowed): ok with `result`
 * (stolen) when rc >= 0, else the error `code` (NULL: rc's name) and `msg` (NULL:
 * strerror).  NULL when out of memory or when the result cannot be encoded. */
static char *
reply_line(json_t *id, int rc, json_t *result, const char *code, const char *msg, size_t *len)
{
	/* jansson's *_set_new() steal the value even when they fail (on a NULL object too). */
	json_t *r = json_object(), *e = NULL, *m;
	char *s = NULL, *line = NULL;
	int bad;

	bad = json_object_set(r, "id", id != NULL ? id : json_null());
	bad |= json_object_set_new(r, "ok", json_boolean(rc >= 0));
	if (rc >= 0) {
		bad |= json_object_set_new(r, "result", result != NULL ? result : json_null());
	} else {
		json_decref(result);
		/* The message comes from printf: not necessarily UTF-8, which JSON requires. */
		m = json_string(msg != NULL ? msg : strerror(rc == INT_MIN ? INT_MAX : -rc));
		bad |= json_object_set_new(r, "error", e = json_object());
		bad |= json_object_set_new(e, "code",
					   json_string(code != NULL ? code : prx_errno_name(rc)));
		bad |= json_object_set_new(e, "message",
					   m != NULL ? m : json_string("(message is not UTF-8)"));
	}
	if (bad == 0)
		s = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (s != NULL)
		line = realloc(s, (*len = strlen(s)) + 2);
	if (line == NULL) {
		free(s);
		return NULL;
	}
	line[(*len)++] = '\n';
	line[*len] = '\0';
	return line;
}

static void
req_free(struct prx_ctl_req *req)
{
	json_decref(req->id);
	json_decref(req->result);
	free(req->msg);
	free(req);
}

static void
client_close(struct ctl_client *c)
{
	prx_fd_remove(&c->h);
	close(c->fd);
	/* A deferred request outlives its connection: prx_ctl_req_done() drops the reply. */
	if (c->deferred != NULL)
		c->deferred->c = NULL;
	LIST_REMOVE(c, link);
	c->cs->n_clients--;
	free(c->out);
	free(c);
}

/* Queue a reply (see reply_line); false when the client had to be closed. */
static bool
client_reply(struct ctl_client *c, json_t *id, int rc, json_t *result, const char *code,
	     const char *msg)
{
	size_t len;
	char *s = reply_line(id, rc, result, code, msg, &len);

	/* A result jansson cannot encode must still get its reply, or the replies that
	 * follow would answer the wrong requests. */
	if (s == NULL && rc >= 0)
		s = reply_line(id, -ENOMEM, NULL, NULL, "cannot encode the reply", &len);
	if (s == NULL) {
		PRX_LOG(DEBUG, CTL, "connection %d: out of memory for a reply", c->fd);
		client_close(c);
		return false;
	}
	assert(c->out_off == c->out_len); /* one reply at a time: see the top comment */
	free(c->out);
	c->out = s;
	c->out_off = 0;
	c->out_len = len;
	return true;
}

static bool __attribute__((format(printf, 4, 5)))
client_errorf(struct ctl_client *c, json_t *id, int rc, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	ok = client_reply(c, id, rc, NULL, NULL, msg);
	free(msg);
	return ok;
}

/* Reply to req and free it; false when the client was closed. */
static bool
req_finish(struct ctl_client *c, struct prx_ctl_req *req, int rc, json_t *result)
{
	bool ok = client_reply(c, req->id, rc, result, req->code[0] != '\0' ? req->code : NULL,
			       req->msg);

	req_free(req);
	return ok;
}

static int cmd_list(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx);

static const struct prx_ctl_cmd builtin = {"list-commands", "",
					   "list the commands, their arguments and help", cmd_list};

static const struct prx_ctl_cmd *
cmd_at(const struct prx_ctlsock *cs, unsigned int i)
{
	return i == 0 ? &builtin : &cs->cmds[i - 1];
}

static int
cmd_list(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	json_t *a = json_array();

	(void)args;
	(void)ctx;
	for (unsigned int i = 0; a != NULL && i <= req->cs->n_cmds; i++) {
		const struct prx_ctl_cmd *cmd = cmd_at(req->cs, i);

		if (json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "cmd", cmd->name, "args",
						       cmd->args != NULL ? cmd->args : "", "help",
						       cmd->help != NULL ? cmd->help : "")) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	*result = a;
	return a != NULL ? 0 : -ENOMEM;
}

static bool
client_call(struct ctl_client *c, const struct prx_ctl_cmd *cmd, json_t *id, json_t *args)
{
	struct prx_ctl_req *req = calloc(1, sizeof(*req));
	json_t *result = NULL, *empty = NULL;
	int rc = -ENOMEM;

	if (req == NULL)
		return client_reply(c, id, -ENOMEM, NULL, NULL, NULL);
	req->cs = c->cs;
	req->c = c;
	req->id = json_incref(id);
	if (args == NULL)
		args = empty = json_object();
	if (args != NULL) {
		req->in_handler = true;
		rc = cmd->fn(req, args, &result, c->cs->ctx);
		req->in_handler = false;
	}
	json_decref(empty);
	if (rc == PRX_CTL_DEFERRED) {
		json_decref(result);
		result = NULL;
		if (!req->done) {
			c->deferred = req;
			LIST_INSERT_HEAD(&c->cs->deferred, req, link);
			return true;
		}
		/* Completed before the handler even returned. */
		rc = req->rc;
		result = req->result;
		req->result = NULL;
	}
	return req_finish(c, req, rc, result);
}

static bool
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Answer one request line (newline excluded); false when the client was closed. */
static bool
client_line(struct ctl_client *c, const char *line, size_t len)
{
	const struct prx_ctl_cmd *cmd = NULL;
	json_t *req, *id, *name, *args;
	json_error_t err;
	bool ok;

	if (blank(line, len))
		return true;
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (req == NULL)
		return client_errorf(c, NULL, -EPROTO, "invalid JSON at column %d: %s", err.column,
				     err.text);
	if (!json_is_object(req)) {
		json_decref(req);
		return client_errorf(c, NULL, -EINVAL, "the request is not a JSON object");
	}
	id = json_object_get(req, "id");
	name = json_object_get(req, "cmd");
	args = json_object_get(req, "args");
	for (unsigned int i = 0; json_is_string(name) && cmd == NULL && i <= c->cs->n_cmds; i++)
		if (strcmp(cmd_at(c->cs, i)->name, json_string_value(name)) == 0)
			cmd = cmd_at(c->cs, i);
	if (!json_is_string(name))
		ok = client_errorf(c, id, -EINVAL, "\"cmd\" is missing or not a string");
	else if (args != NULL && !json_is_object(args))
		ok = client_errorf(c, id, -EINVAL, "\"args\" is not an object");
	else if (cmd == NULL)
		ok = client_errorf(c, id, -ENOENT, "unknown command \"%s\"",
				   json_string_value(name));
	else
		ok = client_call(c, cmd, id, args);
	json_decref(req);
	return ok;
}

/* Answer the next complete line of the input buffer: 1 done, 0 none there, -1 the client
 * was closed. */
static int
client_next_line(struct ctl_client *c)
{
	char *start = c->in + c->in_off;
	size_t avail = c->in_len - c->in_off;
	char *nl = memchr(start + c->scan, '\n', avail - c->scan);

	if (nl == NULL) {
		c->scan = avail;
		if (!c->discarding && avail < sizeof(c->in))
			return 0;
		c->in_off = c->in_len = c->scan = 0;
		if (c->discarding)
			return 0;
		/* The buffer is full and holds no newline: the line is too long.  It is
		 * answered now (every line before it was) and the rest of it dropped. */
		c->discarding = true;
		return client_errorf(c, NULL, -EMSGSIZE, "request line longer than %d bytes",
				     PRX_CTL_MAX_REQUEST)
			       ? 1
			       : -1;
	}
	c->in_off += (size_t)(nl - start) + 1;
	c->scan = 0;
	if (c->discarding) {
		c->discarding = false;
		return 1;
	}
	return client_line(c, start, (size_t)(nl - start)) ? 1 : -1;
}

/* Write what the socket takes; false when the client was closed. */
static bool
client_flush(struct ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n > 0) {
			c->out_off += (size_t)n;
		} else if (n == 0 || errno == EAGAIN) {
			break;
		} else if (errno != EINTR) {
			PRX_LOG(DEBUG, CTL, "connection %d: send: %s", c->fd, strerror(errno));
			client_close(c);
			return false;
		}
	}
	if (c->out_off == c->out_len) {
		free(c->out);
		c->out = NULL;
		c->out_off = c->out_len = 0;
	} else if (c->out_len - c->out_off > PRX_CTL_MAX_OUTPUT) {
		PRX_LOG(WARNING, CTL,
			"connection %d: %zu reply bytes wait, client not reading: closed", c->fd,
			c->out_len - c->out_off);
		client_close(c);
		return false;
	}
	return true;
}

/* Do what the connection allows now: write the pending reply, answer buffered lines,
 * read more.  Stops on EAGAIN, on a reply the socket did not take (back-pressure: only
 * WRITE interest), on a deferred request (no interest: its completion pumps again) or on
 * the read budget (re-armed). */
static void
client_pump(struct ctl_client *c)
{
	unsigned int reads = 0;
	bool rearm = false;
	uint32_t want;

	for (;;) {
		ssize_t n;
		int r;

		if (!client_flush(c))
			return;
		if (c->out_off < c->out_len || c->deferred != NULL)
			break;
		r = client_next_line(c);
		if (r < 0)
			return;
		if (r > 0)
			continue;
		if (c->eof) {
			size_t len = c->in_len - c->in_off;

			if (len == 0 || c->discarding) {
				client_close(c);
				return;
			}
			c->in_off = c->in_len;
			c->scan = 0;
			if (!client_line(c, c->in + c->in_len - len, len))
				return;
			continue;
		}
		if (reads++ == READ_BUDGET) {
			rearm = true;
			break;
		}
		if (c->in_off > 0) {
			memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
			c->in_len -= c->in_off;
			c->in_off = 0;
		}
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
		if (n > 0) {
			c->in_len += (size_t)n;
		} else if (n == 0) {
			c->eof = true;
		} else if (errno == EAGAIN) {
			break;
		} else if (errno != EINTR) {
			PRX_LOG(DEBUG, CTL, "connection %d: recv: %s", c->fd, strerror(errno));
			client_close(c);
			return;
		}
	}
	want = c->out_off < c->out_len ? PRX_EV_WRITE : c->deferred != NULL ? 0 : PRX_EV_READ;
	if (want != c->interest || rearm) {
		int rc = prx_fd_modify(&c->h, want);

		if (rc < 0) {
			PRX_LOG(DEBUG, CTL, "connection %d: %s", c->fd, strerror(-rc));
			client_close(c);
			return;
		}
		c->interest = want;
	}
}

/* Has the peer closed both ways (not merely shut down its writing side)? */
static bool
peer_gone(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) != 0;
}

static void
client_event(struct prx_fd *h, uint32_t events, void *arg)
{
	struct ctl_client *c = arg;

	(void)h;
	/* Nothing is read while a request is deferred, so this is the only way to notice
	 * the client is gone and give its connection slot back before the reply.  Other
	 * errors surface in recv() or send(). */
	if ((events & (PRX_EV_HUP | PRX_EV_ERROR)) && c->deferred != NULL && peer_gone(c->fd)) {
		PRX_LOG(DEBUG, CTL, "connection %d: closed by the client during a request", c->fd);
		client_close(c);
		return;
	}
	client_pump(c);
}

static void
reject_busy(int fd)
{
	char msg[64];
	size_t len;
	char *s;

	snprintf(msg, sizeof(msg), "too many control connections (%d)", PRX_CTL_MAX_CLIENTS);
	s = reply_line(NULL, -EBUSY, NULL, NULL, msg, &len);
	/* Best effort: a new socket's buffer takes this much, or the client learns less. */
	if (s != NULL && send(fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		PRX_LOG(DEBUG, CTL, "rejected connection: send: %s", strerror(errno));
	free(s);
	close(fd);
}

static void
accept_resume(struct prx_timer *t, void *arg)
{
	struct prx_ctlsock *cs = arg;

	(void)t;
	prx_fd_modify(&cs->lh, PRX_EV_READ);
}

static void
listener_event(struct prx_fd *h, uint32_t events, void *arg)
{
	struct prx_ctlsock *cs = arg;

	(void)h;
	(void)events;
	for (int i = 0; i < ACCEPT_BUDGET; i++) {
		int fd = accept4(cs->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), rc;
		struct ctl_client *c;

		if (fd < 0 && errno == EAGAIN)
			return;
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0) {
			/* Out of fds or memory: the listener stays readable, so waiting for the
			 * next pass would spin the loop.  Pause instead. */
			PRX_LOG(WARNING, CTL, "accept: %s", strerror(errno));
			prx_fd_modify(&cs->lh, 0);
			prx_timer_start(cs->ev, &cs->accept_retry, ACCEPT_PAUSE_US, 0,
					accept_resume, cs);
			return;
		}
		if (cs->n_clients >= PRX_CTL_MAX_CLIENTS) {
			PRX_LOG(DEBUG, CTL, "connection refused: %d open", PRX_CTL_MAX_CLIENTS);
			reject_busy(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		rc = c == NULL ? -ENOMEM
			       : prx_fd_add(cs->ev, &c->h, fd, PRX_EV_READ, PRX_FD_EDGE,
					    client_event, c);
		if (rc < 0) {
			PRX_LOG(DEBUG, CTL, "connection %d: %s", fd, strerror(-rc));
			free(c);
			close(fd);
			continue;
		}
		c->cs = cs;
		c->fd = fd;
		c->interest = PRX_EV_READ;
		LIST_INSERT_HEAD(&cs->clients, c, link);
		cs->n_clients++;
	}
}

/* Make room for our socket at sa's path: 0, or -errno when something must not be
 * replaced. */
static int
clear_stale(const struct sockaddr_un *sa)
{
	struct stat st, again;
	int fd, err;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ? 0 : errno;
	close(fd);
	if (err == ENOENT)
		return 0;
	/* Accepted, or a full backlog (EAGAIN), or another socket type: someone uses it. */
	if (err == 0 || err == EAGAIN || err == EPROTOTYPE)
		return -EADDRINUSE;
	if (err != ECONNREFUSED)
		return -err;
	/* Nobody listens.  Unlink only the file probed, not one put there since. */
	if (lstat(sa->sun_path, &again) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (again.st_dev != st.st_dev || again.st_ino != st.st_ino)
		return -EADDRINUSE;
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
prx_ctlsock_open(struct prx_evloop *ev, const char *path, mode_t mode,
		 const struct prx_ctl_cmd *cmds, unsigned int n, void *ctx,
		 struct prx_ctlsock **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct prx_ctlsock *cs;
	struct stat st;
	int rc;

	if (ev == NULL || path == NULL || path[0] == '\0' || out == NULL || (n > 0 && cmds == NULL))
		return -EINVAL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	cs = calloc(1, sizeof(*cs)); /* empty lists, timer and handle as they must start */
	if (cs == NULL)
		return -ENOMEM;
	*cs = (struct prx_ctlsock){.ev = ev, .cmds = cmds, .n_cmds = n, .ctx = ctx, .fd = -1};
	cs->path = strdup(path);
	rc = cs->path == NULL ? -ENOMEM : clear_stale(&sa);
	if (rc < 0)
		goto fail;
	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cs->fd < 0 || bind(cs->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto fail;
	}
	/* bind() made the file with the umask's mode.  It is chmod'ed before listen(): until
	 * then a connect() is refused whatever the mode, so no client gets in through the
	 * wrong one (and the umask, process-wide, is left alone for other threads). */
	if (lstat(path, &st) < 0 || chmod(path, mode) < 0) {
		rc = -errno;
		unlink(path);
		goto fail;
	}
	cs->bound = true;
	cs->dev = st.st_dev;
	cs->ino = st.st_ino;
	if (listen(cs->fd, LISTEN_BACKLOG) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = prx_fd_add(ev, &cs->lh, cs->fd, PRX_EV_READ, 0, listener_event, cs);
	if (rc < 0)
		goto fail;
	*out = cs;
	return 0;
fail:
	prx_ctlsock_close(cs);
	return rc;
}

void
prx_ctlsock_close(struct prx_ctlsock *cs)
{
	struct stat st;

	if (cs == NULL)
		return;
	while (!LIST_EMPTY(&cs->clients))
		client_close(LIST_FIRST(&cs->clients));
	while (!LIST_EMPTY(&cs->deferred)) {
		struct prx_ctl_req *req = LIST_FIRST(&cs->deferred);

		LIST_REMOVE(req, link);
		req_free(req);
	}
	prx_timer_stop(&cs->accept_retry);
	prx_fd_remove(&cs->lh);
	if (cs->fd >= 0)
		close(cs->fd);
	/* Only our own socket: the path may have been taken over since. */
	if (cs->bound && lstat(cs->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == cs->dev && st.st_ino == cs->ino)
		unlink(cs->path);
	free(cs->path);
	free(cs);
}

unsigned int
prx_ctlsock_clients(const struct prx_ctlsock *cs)
{
	return cs != NULL ? cs->n_clients : 0;
}

void
prx_ctl_req_error(struct prx_ctl_req *req, const char *code, const char *fmt, ...)
{
	va_list ap;

	snprintf(req->code, sizeof(req->code), "%s", code != NULL ? code : "");
	free(req->msg);
	req->msg = NULL;
	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&req->msg, fmt, ap) < 0)
		req->msg = NULL;
	va_end(ap);
}

void
prx_ctl_req_done(struct prx_ctl_req *req, int rc, json_t *result)
{
	struct ctl_client *c;

	if (req->in_handler) {
		/* Too early to reply: client_call() does when the handler returns. */
		json_decref(req->result);
		req->result = result;
		req->rc = rc;
		req->done = true;
		return;
	}
	LIST_REMOVE(req, link);
	c = req->c;
	if (c == NULL) {
		json_decref(result);
		req_free(req);
		return;
	}
	c->deferred = NULL;
	if (req_finish(c, req, rc, result))
		client_pump(c); /* the lines that waited for this reply */
}
