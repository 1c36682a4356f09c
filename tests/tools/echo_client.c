/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo_client - load and check a TCP echo server (app/prx-echo).
 *
 *   echo_client [-n CONNS] [-s BYTES] [-d SECONDS] [-r RCVBUF] ADDR PORT
 *
 * Opens CONNS connections at once (default 1000), sends BYTES (default 64 KiB) of a
 * pattern of its own on each, then half-closes it, and checks that exactly those bytes
 * come back, in order, followed by end-of-file.  One thread, one epoll set,
 * edge-triggered sockets drained to EAGAIN, partial sends resumed where they stopped.
 * A small -r RCVBUF makes the server's writes stall (its back-pressure path).
 *
 * Prints one summary line; exits 0 only when every connection echoed exactly, 1 when
 * one did not or the deadline (default 30 s) passed, 2 for a bad command line.
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 16384

enum state { CONNECTING, RUNNING, DONE, FAILED };

struct conn {
	int fd;
	enum state state;
	uint64_t seed;
	size_t sent, got;
	bool shut; /* write side closed after the last byte */
};

static size_t total = 64 * 1024;
static char chunk[CHUNK];

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Byte `off` of connection c's pattern. */
static uint8_t
pattern(const struct conn *c, size_t off)
{
	return (uint8_t)(splitmix(c->seed + off / 8) >> (8 * (off % 8)));
}

static void
fill(const struct conn *c, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		chunk[i] = (char)pattern(c, off + i);
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

static void
fail(struct conn *c, int i, const char *why)
{
	static int reported;

	if (reported++ < 5)
		fprintf(stderr, "echo_client: connection %d: %s (sent %zu, got %zu)\n", i, why,
			c->sent, c->got);
	c->state = FAILED;
	close(c->fd);
	c->fd = -1;
}

/* Send until EAGAIN or all sent (then half-close); read and check until EAGAIN or EOF. */
static void
service(struct conn *c, int i)
{
	ssize_t n;

	if (c->state == CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
			fail(c, i, strerror(err != 0 ? err : errno));
			return;
		}
		c->state = RUNNING;
	}
	while (c->sent < total) {
		size_t want = total - c->sent < CHUNK ? total - c->sent : CHUNK;

		fill(c, c->sent, want);
		n = send(c->fd, chunk, want, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			fail(c, i, strerror(errno));
			return;
		}
		c->sent += (size_t)n;
	}
	if (c->sent == total && !c->shut) {
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
	}
	for (;;) {
		n = recv(c->fd, chunk, CHUNK, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			fail(c, i, strerror(errno));
			return;
		}
		if (n == 0) {
			if (c->got != total) {
				fail(c, i, "end of file too early");
				return;
			}
			c->state = DONE;
			close(c->fd);
			c->fd = -1;
			return;
		}
		if (c->got + (size_t)n > total) {
			fail(c, i, "more bytes than sent");
			return;
		}
		for (ssize_t k = 0; k < n; k++) {
			if ((uint8_t)chunk[k] != pattern(c, c->got + (size_t)k)) {
				fail(c, i, "wrong byte");
				return;
			}
		}
		c->got += (size_t)n;
	}
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: echo_client [-n CONNS] [-s BYTES] [-d SECONDS] [-r RCVBUF] ADDR PORT\n");
}

int
main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct epoll_event evs[256];
	struct addrinfo *ai;
	struct conn *conns;
	struct rlimit rl;
	long n_conns = 1000, secs = 30, rcvbuf = 0, v;
	uint64_t t0, end;
	int c, epfd, open_ = 0, ok = 0, bad = 0;

	while ((c = getopt(argc, argv, "n:s:d:r:")) != -1) {
		v = c != '?' ? parse_num(optarg, 1, 1L << 30) : -1;
		if (v < 0) {
			usage();
			return 2;
		}
		if (c == 'n')
			n_conns = v;
		else if (c == 's')
			total = (size_t)v;
		else if (c == 'd')
			secs = v;
		else
			rcvbuf = v;
	}
	if (argc - optind != 2) {
		usage();
		return 2;
	}
	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai) != 0) {
		fprintf(stderr, "echo_client: bad address %s port %s\n", argv[optind],
			argv[optind + 1]);
		return 2;
	}
	/* One fd per connection, plus a few. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n_conns + 64) {
		rl.rlim_cur = (rlim_t)n_conns + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			fprintf(stderr, "echo_client: cannot allow %ld fds: %s\n", n_conns + 64,
				strerror(errno));
			return 1;
		}
	}
	conns = calloc((size_t)n_conns, sizeof(*conns));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (conns == NULL || epfd < 0) {
		fprintf(stderr, "echo_client: set-up failed\n");
		return 1;
	}
	t0 = now_ms();
	end = t0 + (uint64_t)secs * 1000;
	for (long i = 0; i < n_conns; i++) {
		struct conn *k = &conns[i];
		struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
					.data.u64 = (uint64_t)i};

		k->seed = splitmix((uint64_t)i * 0x100000001ull + 7);
		k->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (k->fd < 0) {
			fail(k, (int)i, strerror(errno));
			continue;
		}
		if (rcvbuf > 0)
			setsockopt(k->fd, SOL_SOCKET, SO_RCVBUF, &(int){(int)rcvbuf}, sizeof(int));
		if (connect(k->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			fail(k, (int)i, strerror(errno));
			continue;
		}
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, k->fd, &e) < 0) {
			fail(k, (int)i, strerror(errno));
			continue;
		}
		open_++;
	}
	freeaddrinfo(ai);
	while (open_ > 0 && now_ms() < end) {
		int n = epoll_wait(epfd, evs, 256, 100);

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "echo_client: epoll_wait: %s\n", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			int id = (int)evs[i].data.u64;
			struct conn *k = &conns[id];

			if (k->state == DONE || k->state == FAILED)
				continue;
			service(k, id);
			if (k->state == DONE || k->state == FAILED)
				open_--;
		}
	}
	for (long i = 0; i < n_conns; i++) {
		if (conns[i].state == DONE) {
			ok++;
			continue;
		}
		bad++;
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	}
	printf("echo_client: connections=%ld ok=%d failed=%d bytes=%" PRIu64 " ms=%" PRIu64 "%s\n",
	       n_conns, ok, bad, (uint64_t)ok * total, now_ms() - t0,
	       open_ > 0 ? " (deadline passed)" : "");
	close(epfd);
	free(conns);
	return bad == 0 ? 0 : 1;
}
