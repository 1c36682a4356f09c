/* SPDX-License-Identifier: BSD-3-Clause */
/* Event loop: fd handles (level and edge), removal inside callbacks, timers, posts. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "prx_common.h"
#include "test_evloop.h"

struct prx_evloop *
evl_new_loop(void)
{
	struct prx_evloop *ev = NULL;

	CU_ASSERT_FATAL(prx_evloop_create(&ev) == 0);
	CU_ASSERT_FATAL(ev != NULL);
	return ev;
}

static void
set_nonblock(int fd)
{
	CU_ASSERT_FATAL(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
}

static void
put(int fd, size_t len)
{
	static const char buf[4096];

	while (len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		CU_ASSERT_FATAL(write(fd, buf, n) == (ssize_t)n);
		len -= n;
	}
}

bool
evl_run_until(struct prx_evloop *ev, const int *count, int want)
{
	uint64_t end = prx_evloop_now_ns() + DEADLINE_NS;

	while (*count < want) {
		if (prx_evloop_now_ns() > end)
			return false;
		CU_ASSERT_FATAL(prx_evloop_run(ev, 10000) >= 0);
	}
	return true;
}

void
evl_count_tick(struct prx_timer *t, void *arg)
{
	struct tick *k = arg;

	(void)t;
	if (k->count < 16)
		k->at[k->count] = prx_evloop_now_ns();
	k->count++;
}

/* --- fd handles --- */

struct rec {
	int calls;
	uint32_t events;
	uint64_t pass;
};

static uint64_t pass_no;

static void
record(struct prx_fd *h, uint32_t events, void *arg)
{
	struct rec *r = arg;

	(void)h;
	r->calls++;
	r->events |= events;
	r->pass = pass_no;
}

static void
test_add_modify_remove(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_fd h = {0}, h2 = {0};
	struct rec r = {0};
	int sv[2];
	char c;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, sv[0], 0x10, 0, record, &r), -EINVAL);
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, sv[0], PRX_EV_READ, 0x10, record, &r), -EINVAL);
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, -1, PRX_EV_READ, 0, record, &r), -EINVAL);
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, sv[0], PRX_EV_READ, 0, NULL, &r), -EINVAL);
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, 12345, PRX_EV_READ, 0, record, &r), -EBADF);
	CU_ASSERT_EQUAL(prx_fd_modify(&h, PRX_EV_READ), -EINVAL);
	CU_ASSERT_FALSE(prx_fd_active(&h));

	/* Nothing to read: no callback. */
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, sv[0], PRX_EV_READ, 0, record, &r), 0);
	CU_ASSERT_TRUE(prx_fd_active(&h));
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, sv[0], PRX_EV_READ, 0, record, &r), -EBUSY);
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h2, sv[0], PRX_EV_READ, 0, record, &r), -EEXIST);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	CU_ASSERT_EQUAL(r.calls, 0);

	/* Writable once asked for; readable only with data. */
	CU_ASSERT_EQUAL(prx_fd_modify(&h, PRX_EV_WRITE), 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(r.events, PRX_EV_WRITE);
	CU_ASSERT_EQUAL(prx_fd_modify(&h, PRX_EV_READ), 0);
	r = (struct rec){0};
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	CU_ASSERT_EQUAL(write(sv[1], "x", 1), 1);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(r.events, PRX_EV_READ);
	/* Level-triggered: still readable, reported again. */
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(r.calls, 2);
	CU_ASSERT_EQUAL(read(sv[0], &c, 1), 1);

	/* Interest 0 still reports a hang-up. */
	CU_ASSERT_EQUAL(prx_fd_modify(&h, 0), 0);
	r = (struct rec){0};
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	close(sv[1]);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_TRUE(r.events & PRX_EV_HUP);
	CU_ASSERT_FALSE(r.events & PRX_EV_READ);

	CU_ASSERT_EQUAL(prx_fd_remove(&h), 0);
	CU_ASSERT_FALSE(prx_fd_active(&h));
	CU_ASSERT_EQUAL(prx_fd_remove(&h), 0);
	r = (struct rec){0};
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	CU_ASSERT_EQUAL(r.calls, 0);
	/* A removed handle can be added again. */
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, sv[0], PRX_EV_READ, 0, record, &r), 0);
	CU_ASSERT_EQUAL(prx_fd_remove(&h), 0);
	close(sv[0]);
	prx_evloop_destroy(ev);
	prx_evloop_destroy(NULL);
}

static void
remove_self(struct prx_fd *h, uint32_t events, void *arg)
{
	int *calls = arg;

	(void)events;
	(*calls)++;
	CU_ASSERT_EQUAL(prx_fd_remove(h), 0);
	free(h); /* ASan/valgrind tell if the loop touches it again */
}

static void
test_remove_self_in_callback(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_fd *h = calloc(1, sizeof(*h));
	int efd = eventfd(1, EFD_NONBLOCK), calls = 0;

	CU_ASSERT_FATAL(h != NULL && efd >= 0);
	CU_ASSERT_EQUAL(prx_fd_add(ev, h, efd, PRX_EV_READ, 0, remove_self, &calls), 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	/* Still readable (never read), but gone. */
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	CU_ASSERT_EQUAL(calls, 1);
	close(efd);
	prx_evloop_destroy(ev);
}

/* Two handles ready in one pass; whichever runs first removes and frees the other. */
struct pair {
	struct prx_fd *h[2];
	int calls[2];
};

static void
remove_other(struct prx_fd *h, uint32_t events, void *arg)
{
	struct pair *p = arg;
	int me = h == p->h[1];

	(void)events;
	p->calls[me]++;
	if (p->h[!me] != NULL) {
		CU_ASSERT_EQUAL(prx_fd_remove(p->h[!me]), 0);
		free(p->h[!me]);
		p->h[!me] = NULL;
	}
}

static void
test_remove_other_pending(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct pair p = {0};
	int fds[2];

	for (int i = 0; i < 2; i++) {
		fds[i] = eventfd(1, EFD_NONBLOCK);
		p.h[i] = calloc(1, sizeof(*p.h[i]));
		CU_ASSERT_FATAL(fds[i] >= 0 && p.h[i] != NULL);
		CU_ASSERT_EQUAL(prx_fd_add(ev, p.h[i], fds[i], PRX_EV_READ, 0, remove_other, &p),
				0);
	}
	/* Both are readable: epoll reports both in this pass; only one may be called. */
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(p.calls[0] + p.calls[1], 1);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(p.calls[0] + p.calls[1], 2);
	for (int i = 0; i < 2; i++) {
		if (p.h[i] != NULL) {
			prx_fd_remove(p.h[i]);
			free(p.h[i]);
		}
		close(fds[i]);
	}
	prx_evloop_destroy(ev);
}

/* The first callback removes the other handle and adds it again at the same address. */
struct readd {
	struct prx_fd h[2];
	int fd[2];
	int first;
	struct rec again;
};

static void
readd_other(struct prx_fd *h, uint32_t events, void *arg)
{
	struct readd *s = arg;
	int me = h == &s->h[1];

	(void)events;
	if (s->first >= 0)
		return;
	s->first = me;
	CU_ASSERT_EQUAL(prx_fd_remove(&s->h[!me]), 0);
	CU_ASSERT_EQUAL(
		prx_fd_add(h->loop, &s->h[!me], s->fd[!me], PRX_EV_READ, 0, record, &s->again), 0);
}

static void
test_remove_and_readd_same_address(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct readd s = {.first = -1};

	for (int i = 0; i < 2; i++) {
		s.fd[i] = eventfd(1, EFD_NONBLOCK);
		CU_ASSERT_FATAL(s.fd[i] >= 0);
		CU_ASSERT_EQUAL(prx_fd_add(ev, &s.h[i], s.fd[i], PRX_EV_READ, 0, readd_other, &s),
				0);
	}
	pass_no = 1;
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_FATAL(s.first >= 0);
	/* The stale event of the old registration was not delivered to the new one. */
	CU_ASSERT_EQUAL(s.again.calls, 0);
	pass_no = 2;
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 2);
	CU_ASSERT_EQUAL(s.again.calls, 1);
	CU_ASSERT_EQUAL(s.again.pass, 2);
	CU_ASSERT_TRUE(s.h[!s.first].seq > s.h[s.first].seq);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(prx_fd_remove(&s.h[i]), 0);
		close(s.fd[i]);
	}
	prx_evloop_destroy(ev);
}

struct et {
	int fd;
	int calls;
	size_t got;
	bool drain; /* read to EAGAIN, or take one chunk only */
	bool saw_eagain;
};

static void
et_read(struct prx_fd *h, uint32_t events, void *arg)
{
	struct et *s = arg;
	char buf[1024];
	ssize_t n;

	(void)h;
	CU_ASSERT(events & PRX_EV_READ);
	s->calls++;
	do {
		n = read(s->fd, buf, sizeof(buf));
		if (n > 0)
			s->got += (size_t)n;
	} while (n > 0 && s->drain);
	if (n < 0 && errno == EAGAIN)
		s->saw_eagain = true;
}

static void
test_edge_triggered_drain(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_fd h = {0};
	struct et s = {.drain = true};
	int p[2];

	CU_ASSERT_FATAL(pipe(p) == 0);
	set_nonblock(p[0]);
	s.fd = p[0];
	CU_ASSERT_EQUAL(prx_fd_add(ev, &h, p[0], PRX_EV_READ, PRX_FD_EDGE, et_read, &s), 0);
	/* More than one read's worth: drained in one callback, to EAGAIN. */
	put(p[1], 20000);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(s.got, 20000);
	CU_ASSERT_TRUE(s.saw_eagain);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);

	/* A partial read leaves data, but no new edge: no second wake-up... */
	s = (struct et){.fd = p[0], .drain = false};
	put(p[1], 5000);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(s.got, 1024);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 2000), 0);
	CU_ASSERT_EQUAL(s.calls, 1);
	/* ...until new data arrives. */
	put(p[1], 1);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(s.calls, 2);
	/* Modify re-arms the edge of a ready fd. */
	CU_ASSERT_EQUAL(prx_fd_modify(&h, PRX_EV_READ), 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(s.calls, 3);

	CU_ASSERT_EQUAL(prx_fd_remove(&h), 0);
	close(p[0]);
	close(p[1]);
	prx_evloop_destroy(ev);
}

/* --- posts and waking --- */

static pid_t
my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Wait (at most 2 s) until thread tid sleeps, i.e. has got into epoll_wait. */
static void
wait_sleeping(pid_t tid)
{
	uint64_t end = prx_evloop_now_ns() + 2000 * MS;
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	while (prx_evloop_now_ns() < end) {
		FILE *f = fopen(path, "r");
		char *p = NULL;

		if (f != NULL) {
			if (fgets(buf, sizeof(buf), f) != NULL)
				p = strrchr(buf, ')');
			fclose(f);
		}
		if (p != NULL && p[1] == ' ' && p[2] == 'S')
			return;
		usleep(200);
	}
}

struct waker {
	struct prx_evloop *ev;
	pid_t tid;
	int ran;
};

static void
posted(void *arg)
{
	struct waker *w = arg;

	w->ran++;
}

static void *
waker_main(void *arg)
{
	struct waker *w = arg;

	wait_sleeping(w->tid);
	CU_ASSERT_EQUAL(prx_evloop_post(w->ev, posted, w), 0);
	return NULL;
}

static void
test_post_wakes_blocked_loop(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct waker w = {.ev = ev, .tid = my_tid()};
	struct prx_timer guard = {0};
	struct tick k = {0};
	pthread_t th;

	CU_ASSERT_EQUAL(prx_evloop_post(ev, NULL, NULL), -EINVAL);
	/* The guard only bounds the test if the wake-up is lost. */
	CU_ASSERT_EQUAL(prx_timer_start(ev, &guard, 5000000, 0, evl_count_tick, &k), 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, waker_main, &w) == 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, -1), 1);
	CU_ASSERT_EQUAL(w.ran, 1);
	CU_ASSERT_EQUAL(k.count, 0);
	pthread_join(th, NULL);
	/* Nothing posted to the owner: the owner may post to itself too. */
	CU_ASSERT_EQUAL(prx_evloop_post(ev, posted, &w), 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(w.ran, 2);
	/* Unrun posts are freed by destroy. */
	CU_ASSERT_EQUAL(prx_evloop_post(ev, posted, &w), 0);
	prx_evloop_destroy(ev);
}

#define POSTERS 4
#define POSTS 10000

struct many {
	struct prx_evloop *ev;
	int next[POSTERS]; /* next sequence number expected from each poster */
	int total;
	int out_of_order;
	unsigned char runs[POSTS];
};

static struct many many;

static void
posted_seq(void *arg)
{
	uintptr_t v = (uintptr_t)arg;
	int th = (int)(v >> 16), seq = (int)(v & 0xffff);

	if (many.next[th] != seq)
		many.out_of_order++;
	many.next[th] = seq + 1;
	many.runs[th * (POSTS / POSTERS) + seq]++;
	many.total++;
}

static void *
poster_main(void *arg)
{
	uintptr_t th = (uintptr_t)arg;

	for (uintptr_t i = 0; i < POSTS / POSTERS; i++)
		if (prx_evloop_post(many.ev, posted_seq, (void *)(th << 16 | i)) != 0)
			break;
	return NULL;
}

static void
test_post_many_threads(void)
{
	pthread_t th[POSTERS];
	int k;

	memset(&many, 0, sizeof(many));
	many.ev = evl_new_loop();
	for (k = 0; k < POSTERS; k++)
		CU_ASSERT_FATAL(pthread_create(&th[k], NULL, poster_main, (void *)(uintptr_t)k) ==
				0);
	CU_ASSERT_TRUE(evl_run_until(many.ev, &many.total, POSTS));
	for (k = 0; k < POSTERS; k++)
		pthread_join(th[k], NULL);
	CU_ASSERT_EQUAL(prx_evloop_run(many.ev, 0), 0);
	CU_ASSERT_EQUAL(many.total, POSTS);
	CU_ASSERT_EQUAL(many.out_of_order, 0);
	for (k = 0; k < POSTS; k++)
		if (many.runs[k] != 1)
			break;
	CU_ASSERT_EQUAL(k, POSTS);
	prx_evloop_destroy(many.ev);
}

/* --- scale, non-blocking, nesting, signals --- */

#define NFDS 10000

static void
eat_and_remove(struct prx_fd *h, uint32_t events, void *arg)
{
	int *fired = arg;
	uint64_t v;

	CU_ASSERT_EQUAL(events, PRX_EV_READ);
	CU_ASSERT_EQUAL(read(h->fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	CU_ASSERT_EQUAL(prx_fd_remove(h), 0);
	(*fired)++;
}

static void
test_ten_thousand_fds(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_fd *h = calloc(NFDS, sizeof(*h));
	int *fd = calloc(NFDS, sizeof(*fd));
	struct rlimit rl;
	int fired = 0, i, active = 0;

	CU_ASSERT_FATAL(h != NULL && fd != NULL);
	/* 20 100 as asked; a container without CAP_SYS_RESOURCE may cap the hard limit
	 * lower, and one eventfd per handle needs only NFDS + a few. */
	CU_ASSERT_FATAL(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < 20100) {
		struct rlimit want = {.rlim_cur = 20100,
				      .rlim_max = rl.rlim_max > 20100 ? rl.rlim_max : 20100};

		if (setrlimit(RLIMIT_NOFILE, &want) != 0) {
			rl.rlim_cur = rl.rlim_max;
			CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &rl) == 0);
		}
	}
	CU_ASSERT_FATAL(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	CU_ASSERT_FATAL(rl.rlim_cur >= NFDS + 100);
	for (i = 0; i < NFDS; i++) {
		fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		CU_ASSERT_FATAL(fd[i] >= 0);
		CU_ASSERT_FATAL(
			prx_fd_add(ev, &h[i], fd[i], PRX_EV_READ, 0, eat_and_remove, &fired) == 0);
	}
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	for (i = 0; i < NFDS; i++)
		CU_ASSERT_FATAL(eventfd_write(fd[i], 1) == 0);
	CU_ASSERT_TRUE(evl_run_until(ev, &fired, NFDS));
	CU_ASSERT_EQUAL(fired, NFDS);
	for (i = 0; i < NFDS; i++) {
		active += prx_fd_active(&h[i]);
		close(fd[i]);
	}
	CU_ASSERT_EQUAL(active, 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	free(h);
	free(fd);
	prx_evloop_destroy(ev);
}

static void
test_run_nonblocking_and_nested(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_timer far = {0}, soon = {0};
	struct pollfd pfd = {.fd = prx_evloop_fd(ev), .events = POLLIN};
	struct waker w = {0};
	struct tick k = {0};
	uint64_t t0;

	CU_ASSERT_EQUAL(prx_timer_start(ev, &far, 10000000, 0, evl_count_tick, &k), 0);
	t0 = prx_evloop_now_ns();
	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	CU_ASSERT(prx_evloop_now_ns() - t0 < 50 * MS);

	/* A nesting poller sees the epoll fd readable when a timer is due... */
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	CU_ASSERT_EQUAL(prx_timer_start(ev, &soon, 1000, 0, evl_count_tick, &k), 0);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 1000), 1);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(k.count, 1);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	/* ...and when something was posted. */
	CU_ASSERT_EQUAL(prx_evloop_post(ev, posted, &w), 0);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 1);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(w.ran, 1);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	prx_timer_stop(&far);
	prx_evloop_destroy(ev);
}

static void
noop_handler(int sig)
{
	(void)sig;
}

struct blocked {
	struct prx_evloop *ev;
	pid_t tid;
	int rc;
	int done;
};

static void *
blocked_main(void *arg)
{
	struct blocked *b = arg;

	__atomic_store_n(&b->tid, my_tid(), __ATOMIC_RELEASE);
	b->rc = prx_evloop_run(b->ev, -1);
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
test_eintr(void)
{
	struct sigaction sa = {.sa_handler = noop_handler}, old;
	struct blocked b = {.rc = -1};
	struct prx_timer guard = {0};
	struct tick k = {0};
	uint64_t end;
	pthread_t th;

	b.ev = evl_new_loop();
	/* No SA_RESTART (epoll_wait is never restarted anyway). */
	sigemptyset(&sa.sa_mask);
	CU_ASSERT_FATAL(sigaction(SIGUSR1, &sa, &old) == 0);
	CU_ASSERT_EQUAL(prx_timer_start(b.ev, &guard, 5000000, 0, evl_count_tick, &k), 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, blocked_main, &b) == 0);
	end = prx_evloop_now_ns() + DEADLINE_NS;
	while (__atomic_load_n(&b.tid, __ATOMIC_ACQUIRE) == 0 && prx_evloop_now_ns() < end)
		sched_yield();
	wait_sleeping(b.tid);
	/* Once it sleeps one signal is enough; repeat in case it was not asleep yet. */
	while (!__atomic_load_n(&b.done, __ATOMIC_ACQUIRE) && prx_evloop_now_ns() < end) {
		pthread_kill(th, SIGUSR1);
		usleep(1000);
	}
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(b.rc, 0);
	CU_ASSERT_EQUAL(k.count, 0);
	CU_ASSERT_TRUE(prx_timer_active(&guard));
	sigaction(SIGUSR1, &old, NULL);
	prx_evloop_destroy(b.ev);
}

int
main(void)
{
	static const struct prx_test_case fd_cases[] = {
		PRX_TEST(test_add_modify_remove),
		PRX_TEST(test_remove_self_in_callback),
		PRX_TEST(test_remove_other_pending),
		PRX_TEST(test_remove_and_readd_same_address),
		PRX_TEST(test_edge_triggered_drain),
		PRX_TEST(test_post_wakes_blocked_loop),
		PRX_TEST(test_post_many_threads),
		PRX_TEST(test_ten_thousand_fds),
		PRX_TEST(test_run_nonblocking_and_nested),
		PRX_TEST(test_eintr),
	};
	struct prx_test_case cases[32];
	size_t n = 0;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(fd_cases); i++)
		cases[n++] = fd_cases[i];
	for (const struct prx_test_case *c = evl_timer_cases; c->name != NULL; c++)
		if (n < PRX_ARRAY_SIZE(cases) - 1)
			cases[n++] = *c;
	cases[n] = (struct prx_test_case){NULL, NULL};
	return prx_test_run("evloop", cases, 0);
}
