/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prx-echo - a TCP echo server on the prx event loop (lib/reactor/prx_evloop.h), the
 * loop's worked example and its load test, like mio's echo server.
 *
 *   prx-echo [-b ADDR] [-p PORT] [-t THREADS] [-s SNDBUF]
 *
 * One loop per thread, each with its own SO_REUSEPORT listener: the kernel spreads the
 * connections, and no connection ever moves between threads.  Sockets are edge-triggered
 * and drained to EAGAIN.  What a peer sent and could not be written back yet waits in a
 * bounded per-connection buffer; when it is full the connection stops reading (the
 * peer's sends then stall: back-pressure) until the socket turns writable again.
 *
 * SIGINT/SIGTERM arrive on a signalfd in thread 0's loop, which tells the other loops
 * with prx_evloop_post() (the loop's one thread-safe call).  At exit every thread's
 * counters are printed; exit status 0 after a clean stop, 1 when start-up failed, 2 for
 * a bad command line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "prx_evloop.h"

#define MAX_THREADS 64
/* Bytes read but not echoed yet, per connection: the back-pressure bound. */
#define CONN_BUF (16 * 1024)
/* Reads and writes one connection may do per wake-up before the others get a turn. */
#define IO_BUDGET 16
/* Connections accepted per listener wake-up (level-triggered: the rest come next pass). */
#define ACCEPT_BATCH 64
/* Out of fds: stop accepting for this long rather than spin on a ready listener. */
#define ACCEPT_PAUSE_US 100000

struct worker;

struct conn {
	struct prx_fd h;
	struct worker *w;
	struct conn *prev, *next;
	int fd;
	bool eof;	   /* the peer has finished sending */
	uint32_t interest; /* as registered */
	size_t head, len;  /* buffered bytes: buf[head, head + len) */
	char buf[CONN_BUF];
};

struct worker_stats {
	uint64_t accepted;
	uint64_t closed;
	uint64_t errors; /* connections ended by a socket error */
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t write_stalls; /* send() took less than offered or said EAGAIN */
	uint64_t read_pauses;  /* the buffer was full: reading stopped until writable */
	uint64_t accept_pauses;
};

struct worker {
	unsigned int id;
	pthread_t thread;
	struct prx_evloop *ev;
	int lfd;
	struct prx_fd listen_h;
	struct prx_timer accept_timer;
	int sigfd; /* thread 0 only, else -1 */
	struct prx_fd sig_h;
	struct conn *conns; /* open connections, closed at exit */
	struct worker_stats st;
};

static struct worker workers[MAX_THREADS];
static unsigned int n_workers = 1;
static int sndbuf; /* SO_SNDBUF of accepted sockets; 0 = the kernel's */

static void
usage(FILE *f)
{
	fprintf(f, "usage: prx-echo [-b ADDR] [-p PORT] [-t THREADS] [-s SNDBUF]\n"
		   "  -b ADDR     address to listen on (default 127.0.0.1)\n"
		   "  -p PORT     port (default 0: any free port, printed on stdout)\n"
		   "  -t THREADS  threads, one event loop and listener each (default 1, max 64)\n"
		   "  -s SNDBUF   SO_SNDBUF of accepted connections (default: the kernel's)\n");
}

static long
parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

/* --- connections --- */

static void
conn_close(struct conn *c, bool error)
{
	struct worker *w = c->w;

	prx_fd_remove(&c->h);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	w->st.closed++;
	if (error)
		w->st.errors++;
	free(c);
}

/* Write what is buffered.  Returns false on a socket error. */
static bool
conn_write(struct conn *c, bool *progress)
{
	ssize_t n = send(c->fd, c->buf + c->head, c->len, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			c->w->st.write_stalls++;
			return true;
		}
		return false;
	}
	if ((size_t)n < c->len)
		c->w->st.write_stalls++;
	c->head += (size_t)n;
	c->len -= (size_t)n;
	if (c->len == 0)
		c->head = 0;
	c->w->st.bytes_out += (size_t)n;
	if (n > 0)
		*progress = true;
	return true;
}

/* Read into the free end of the buffer.  Returns false on a socket error. */
static bool
conn_read(struct conn *c, bool *progress)
{
	ssize_t n;

	if (c->head + c->len == CONN_BUF && c->head > 0) {
		memmove(c->buf, c->buf + c->head, c->len);
		c->head = 0;
	}
	if (c->head + c->len == CONN_BUF) {
		c->w->st.read_pauses++;
		return true;
	}
	n = recv(c->fd, c->buf + c->head + c->len, CONN_BUF - c->head - c->len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		c->eof = true;
	c->len += (size_t)n;
	c->w->st.bytes_in += (size_t)n;
	*progress = true;
	return true;
}

/*
 * Edge-triggered: keep going until both directions are stuck (EAGAIN, or the buffer is
 * full and the socket will not take more), so that the next edge is sure to come.  A
 * connection that still has work after its budget re-arms its edge (prx_fd_modify on an
 * edge-triggered handle) and yields to the others.
 */
static void
conn_io(struct conn *c)
{
	bool progress = true;
	uint32_t interest;
	int rounds;

	for (rounds = 0; progress && rounds < IO_BUDGET; rounds++) {
		progress = false;
		if (c->len > 0 && !conn_write(c, &progress))
			goto error;
		if (!c->eof && !conn_read(c, &progress))
			goto error;
	}
	if (c->eof && c->len == 0) {
		conn_close(c, false);
		return;
	}
	/* Ask for writable only while something waits to be written. */
	interest = c->len > 0 ? PRX_EV_READ | PRX_EV_WRITE : PRX_EV_READ;
	if (interest != c->interest || progress) {
		if (prx_fd_modify(&c->h, interest) < 0)
			goto error;
		c->interest = interest;
	}
	return;
error:
	conn_close(c, true);
}

static void
conn_ready(struct prx_fd *h, uint32_t events, void *arg)
{
	struct conn *c = arg;

	(void)h;
	if (events & PRX_EV_ERROR) {
		conn_close(c, true);
		return;
	}
	conn_io(c);
}

static void
conn_open(struct worker *w, int fd)
{
	struct conn *c = malloc(sizeof(*c));

	if (c == NULL) {
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	c->eof = false;
	c->head = c->len = 0;
	c->interest = PRX_EV_READ;
	memset(&c->h, 0, sizeof(c->h));
	if (sndbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	/* Registering a ready fd reports it, edge-triggered or not: data that came with
	 * the handshake is not missed. */
	if (prx_fd_add(w->ev, &c->h, fd, PRX_EV_READ, PRX_FD_EDGE, conn_ready, c) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->prev = NULL;
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	w->st.accepted++;
}

/* --- listener, signals, stop --- */

static void
accept_resume(struct prx_timer *t, void *arg)
{
	struct worker *w = arg;

	(void)t;
	prx_fd_modify(&w->listen_h, PRX_EV_READ);
}

static void
accept_ready(struct prx_fd *h, uint32_t events, void *arg)
{
	struct worker *w = arg;

	(void)events;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			conn_open(w, fd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* The listener stays readable: pause instead of spinning on it. */
			w->st.accept_pauses++;
			prx_fd_modify(h, 0);
			prx_timer_start(w->ev, &w->accept_timer, ACCEPT_PAUSE_US, 0, accept_resume,
					w);
			return;
		}
		if (errno != ECONNABORTED && errno != EINTR && errno != EPROTO)
			return; /* EAGAIN: all taken */
	}
}

static void
stop_loop(void *arg)
{
	struct worker *w = arg;

	prx_evloop_stop(w->ev);
}

static void
signal_ready(struct prx_fd *h, uint32_t events, void *arg)
{
	struct worker *w = arg;
	struct signalfd_siginfo si;

	(void)h;
	(void)events;
	if (read(w->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	fprintf(stderr, "prx-echo: %s: stopping\n", strsignal((int)si.ssi_signo));
	for (unsigned int i = 1; i < n_workers; i++)
		if (prx_evloop_post(workers[i].ev, stop_loop, &workers[i]) < 0)
			fprintf(stderr, "prx-echo: cannot tell thread %u to stop\n", i);
	prx_evloop_stop(w->ev);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int rc = prx_evloop_run_forever(w->ev);

	if (rc < 0)
		fprintf(stderr, "prx-echo: thread %u: event loop: %s\n", w->id, strerror(-rc));
	return NULL;
}

/* --- set-up --- */

/* Listen on addr:port with SO_REUSEPORT; *port gets the port bound (for port 0). */
static int
listen_on(const struct addrinfo *ai, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1, fd;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)*port);
	else
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)*port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Each connection is an fd: allow as many as the hard limit does. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
worker_setup(struct worker *w, unsigned int id, const struct addrinfo *ai, int *port)
{
	int rc;

	w->id = id;
	w->lfd = -1;
	w->sigfd = -1;
	rc = prx_evloop_create(&w->ev);
	if (rc < 0) {
		fprintf(stderr, "prx-echo: event loop: %s\n", strerror(-rc));
		return rc;
	}
	w->lfd = listen_on(ai, port);
	if (w->lfd < 0) {
		fprintf(stderr, "prx-echo: listen on port %d: %s\n", *port, strerror(-w->lfd));
		return w->lfd;
	}
	rc = prx_fd_add(w->ev, &w->listen_h, w->lfd, PRX_EV_READ, 0, accept_ready, w);
	if (rc < 0)
		fprintf(stderr, "prx-echo: watch listener: %s\n", strerror(-rc));
	return rc;
}

static int
signals_setup(struct worker *w)
{
	sigset_t set;
	int rc;

	/* Blocked in every thread (the others inherit the mask): only the fd sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rc != 0)
		return -rc;
	w->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (w->sigfd < 0)
		return -errno;
	return prx_fd_add(w->ev, &w->sig_h, w->sigfd, PRX_EV_READ, 0, signal_ready, w);
}

static void
worker_teardown(struct worker *w)
{
	while (w->conns != NULL)
		conn_close(w->conns, false);
	prx_timer_stop(&w->accept_timer);
	prx_fd_remove(&w->listen_h);
	prx_fd_remove(&w->sig_h);
	if (w->lfd >= 0)
		close(w->lfd);
	if (w->sigfd >= 0)
		close(w->sigfd);
	prx_evloop_destroy(w->ev);
}

static void
print_stats(void)
{
	struct worker_stats t = {0};

	for (unsigned int i = 0; i < n_workers; i++) {
		const struct worker_stats *s = &workers[i].st;

		printf("prx-echo: thread=%u connections=%" PRIu64 " closed=%" PRIu64
		       " errors=%" PRIu64 " bytes_in=%" PRIu64 " bytes_out=%" PRIu64
		       " write_stalls=%" PRIu64 " read_pauses=%" PRIu64 " accept_pauses=%" PRIu64
		       "\n",
		       i, s->accepted, s->closed, s->errors, s->bytes_in, s->bytes_out,
		       s->write_stalls, s->read_pauses, s->accept_pauses);
		t.accepted += s->accepted;
		t.closed += s->closed;
		t.errors += s->errors;
		t.bytes_in += s->bytes_in;
		t.bytes_out += s->bytes_out;
		t.write_stalls += s->write_stalls;
		t.read_pauses += s->read_pauses;
	}
	/* open: still connected at the stop (closed by the teardown that follows) */
	printf("prx-echo: total connections=%" PRIu64 " closed=%" PRIu64 " open=%" PRIu64
	       " errors=%" PRIu64 " bytes_in=%" PRIu64 " bytes_out=%" PRIu64
	       " write_stalls=%" PRIu64 " read_pauses=%" PRIu64 "\n",
	       t.accepted, t.closed, t.accepted - t.closed, t.errors, t.bytes_in, t.bytes_out,
	       t.write_stalls, t.read_pauses);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char *addr = "127.0.0.1";
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *ai;
	unsigned int started = 0, i;
	int port = 0, c, rc, status = 0;

	while ((c = getopt(argc, argv, "b:p:t:s:h")) != -1) {
		switch (c) {
		case 'b':
			addr = optarg;
			break;
		case 'p':
			port = (int)parse_num(optarg, 0, 65535);
			if (port < 0)
				goto bad_usage;
			break;
		case 't':
			rc = (int)parse_num(optarg, 1, MAX_THREADS);
			if (rc < 0)
				goto bad_usage;
			n_workers = (unsigned int)rc;
			break;
		case 's':
			sndbuf = (int)parse_num(optarg, 1, INT_MAX / 2);
			if (sndbuf < 0)
				goto bad_usage;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad_usage;
		}
	}
	if (optind != argc)
		goto bad_usage;
	rc = getaddrinfo(addr, NULL, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "prx-echo: bad address %s: %s\n", addr, gai_strerror(rc));
		return 2;
	}
	raise_nofile();
	for (i = 0; i < n_workers; i++) {
		rc = worker_setup(&workers[i], i, ai, &port);
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		rc = signals_setup(&workers[0]);
		if (rc < 0)
			fprintf(stderr, "prx-echo: signals: %s\n", strerror(-rc));
	}
	freeaddrinfo(ai);
	if (rc < 0) {
		status = 1;
		goto out;
	}
	printf(strchr(addr, ':') != NULL ? "listening on [%s]:%d\n" : "listening on %s:%d\n", addr,
	       port);
	fflush(stdout);

	for (i = 1; i < n_workers; i++) {
		rc = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
		if (rc != 0) {
			fprintf(stderr, "prx-echo: thread %u: %s\n", i, strerror(rc));
			status = 1;
			break;
		}
		started++;
	}
	if (status == 0)
		worker_main(&workers[0]);
	else
		for (i = 1; i <= started; i++)
			prx_evloop_post(workers[i].ev, stop_loop, &workers[i]);
	for (i = 1; i <= started; i++)
		pthread_join(workers[i].thread, NULL);
	print_stats();
out:
	for (i = 0; i < n_workers; i++)
		if (workers[i].ev != NULL)
			worker_teardown(&workers[i]);
	return status;

bad_usage:
	usage(stderr);
	return 2;
}
