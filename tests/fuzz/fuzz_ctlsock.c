/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the control socket's request handling (lib/ctl/ctlsock.c): line
 * framing, oversized lines, half-close, JSON parsing, command lookup, error replies,
 * deferred requests and back-pressure, through a real prx_ctlsock on its event loop.
 * No DPDK: the target links ctlsock.c, evloop.c and log.c (rte_log from the headers'
 * shared library is not called: the log types stay unregistered).
 *
 * Each input is one connection.  Its first byte chooses how it is delivered: bit 0
 * writes it in chunks of 1..8 bytes (bits 4-6 + 1) with a loop pass after each, bit 1
 * puts a 70 000-byte line first (an EMSGSIZE answer and the discarding that follows),
 * bit 2 ends with a full close instead of shutdown(SHUT_WR) after the replies came.
 * The rest is the byte stream the client sends.
 *
 * The commands: "echo" (result = args), "fail" (an error with a code of its own),
 * "defer" (answered from a posted callback; args {"now": true}: completed inside the
 * handler), "big" (a result of args.n bytes, at most 1 MiB: more than the socket takes
 * at once).  (A result jansson cannot encode is not among them: jansson 2.14 writes an
 * object key that is not UTF-8 as it is, and refuses to make NaN reals.)
 *
 * Beyond memory errors and UB, an input is a finding when the number of replies differs
 * from the number of request lines (non-blank lines; a line of 65 536 bytes or more
 * counts once), when a reply is not one JSON object with a boolean "ok", or when the
 * server does not close the connection after the client's shutdown.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "prx_ctlsock.h"
#include "prx_evloop.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LONG_LINE 70000
#define MAX_PASSES 200000 /* loop passes without progress before "hang" */

static char dir[64];
static struct sockaddr_un sa = {.sun_family = AF_UNIX};
static struct prx_evloop *ev;
static struct prx_ctlsock *cs;

static void
finding(const char *what, size_t size)
{
	fprintf(stderr, "fuzz_ctlsock: %s (%zu bytes)\n", what, size);
	abort();
}

static int
cmd_echo(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	(void)req;
	(void)ctx;
	*result = json_incref(args);
	return 0;
}

static int
cmd_fail(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	(void)args;
	(void)result;
	(void)ctx;
	prx_ctl_req_error(req, "EXDEV", "failed as asked (%s)", "fuzz");
	return -EXDEV;
}

static void
defer_done(void *arg)
{
	prx_ctl_req_done(arg, 0, json_string("later"));
}

static int
cmd_defer(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	(void)result;
	(void)ctx;
	if (json_is_true(json_object_get(args, "now")))
		prx_ctl_req_done(req, 0, json_string("now"));
	else if (prx_evloop_post(ev, defer_done, req) < 0)
		return -ENOMEM;
	return PRX_CTL_DEFERRED;
}

static int
cmd_big(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	json_int_t n = json_integer_value(json_object_get(args, "n"));
	char *s;

	(void)req;
	(void)ctx;
	if (n < 0 || n > (1 << 20))
		return -ERANGE;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return -ENOMEM;
	memset(s, 'b', (size_t)n);
	s[n] = '\0';
	*result = json_string(s);
	free(s);
	return *result != NULL ? 0 : -ENOMEM;
}

static const struct prx_ctl_cmd cmds[] = {
	{"echo", "{any}", "the args back", cmd_echo},
	{"fail", "", "an EXDEV error", cmd_fail},
	{"defer", "{now}", "a deferred answer", cmd_defer},
	{"big", "{n}", "a string of n bytes", cmd_big},
};

static void
cleanup(void)
{
	prx_ctlsock_close(cs);
	prx_evloop_destroy(ev);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int rc;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/prx-fuzz-ctl.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_ctlsock: mkdtemp");
		exit(1);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", dir);
	rc = prx_evloop_create(&ev);
	if (rc == 0)
		rc = prx_ctlsock_open(ev, sa.sun_path, 0600, cmds, sizeof(cmds) / sizeof(cmds[0]),
				      NULL, &cs);
	if (rc < 0) {
		fprintf(stderr, "fuzz_ctlsock: set-up: %s\n", strerror(-rc));
		exit(1);
	}
	atexit(cleanup);
	return 0;
}

/* The replies expected for `len` bytes sent: one per non-blank line, an oversized line
 * (65 536 bytes or more without its newline) once. */
static size_t
expected_replies(const char *s, size_t len)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		bool blank = true;

		if (i < len && s[i] != '\n')
			continue;
		if (i == len && i == start)
			break; /* nothing after the last newline */
		if (i - start >= PRX_CTL_MAX_REQUEST) {
			n++;
		} else {
			for (size_t k = start; k < i; k++)
				if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r')
					blank = false;
			n += !blank;
		}
		start = i + 1;
	}
	return n;
}

/* Check the complete reply lines in buf[0, *len), keep the rest; returns lines seen. */
static size_t
take_replies(char *buf, size_t *len, size_t size)
{
	size_t n = 0;
	char *p = buf, *nl;

	while ((nl = memchr(p, '\n', *len - (size_t)(p - buf))) != NULL) {
		json_t *r = json_loadb(p, (size_t)(nl - p), 0, NULL);

		if (!json_is_object(r) || !json_is_boolean(json_object_get(r, "ok"))) {
			fprintf(stderr, "fuzz_ctlsock: reply %.*s\n", (int)(nl - p), p);
			finding("a reply that is not an object with a boolean \"ok\"", size);
		}
		json_decref(r);
		n++;
		p = nl + 1;
	}
	*len -= (size_t)(p - buf);
	memmove(buf, p, *len);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char rbuf[(2u << 20) + 65536];
	size_t rlen = 0, off = 0, sent_len, replies = 0, want, chunk;
	unsigned int idle = 0;
	uint8_t flags;
	char *stream;
	bool shut = false;
	int fd;

	if (size == 0)
		return 0;
	flags = data[0];
	data++, size--;
	chunk = flags & 1 ? (size_t)((flags >> 4) & 7) + 1 : SIZE_MAX;
	sent_len = size + (flags & 2 ? LONG_LINE : 0);
	stream = malloc(sent_len + 1);
	if (stream == NULL)
		return 0;
	if (flags & 2)
		memset(stream, 'x', LONG_LINE);
	memcpy(stream + (flags & 2 ? LONG_LINE : 0), data, size);
	want = expected_replies(stream, sent_len);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("fuzz_ctlsock: connect");
		exit(1);
	}
	for (;;) {
		bool progress = false;
		ssize_t n;

		if (off < sent_len) {
			size_t len = sent_len - off < chunk ? sent_len - off : chunk;

			n = send(fd, stream + off, len, MSG_NOSIGNAL);
			if (n > 0) {
				off += (size_t)n;
				progress = true;
			} else if (n < 0 && errno != EAGAIN) {
				finding("send failed: the server closed early", size);
			}
		} else if (!shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		if (prx_evloop_run(ev, 0) > 0)
			progress = true;
		n = recv(fd, rbuf + rlen, sizeof(rbuf) - rlen, 0);
		if (n > 0) {
			rlen += (size_t)n;
			replies += take_replies(rbuf, &rlen, size);
			if (rlen == sizeof(rbuf))
				finding("a reply longer than the buffer", size);
			progress = true;
		} else if (n == 0) {
			if (!shut)
				finding("the server closed before the client finished", size);
			break;
		} else if (errno != EAGAIN) {
			finding("recv failed", size);
		}
		if (flags & 4 && shut && replies == want && rlen == 0)
			break; /* everything answered: a full close from here */
		if (progress)
			idle = 0;
		else if (++idle > MAX_PASSES)
			finding("no progress: the server neither answers nor closes", size);
	}
	if (rlen != 0)
		finding("a reply without its newline", size);
	if (replies != want) {
		fprintf(stderr, "fuzz_ctlsock: %zu replies, %zu request lines\n", replies, want);
		finding("replies and requests differ", size);
	}
	close(fd);
	/* let the server see the close and free the connection */
	for (int i = 0; i < 100 && prx_ctlsock_clients(cs) > 0; i++)
		prx_evloop_run(ev, 1000);
	if (prx_ctlsock_clients(cs) != 0)
		finding("the connection was not released", size);
	free(stream);
	return 0;
}
