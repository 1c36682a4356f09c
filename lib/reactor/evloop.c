/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_evloop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/*
 * One pass takes at most this many events from epoll_wait (libuv takes 1024 too).  More
 * ready fds are served by the next pass; epoll rotates its ready list, so none starves.
 */
#define MAX_FIRED 1024

/* A function posted from another thread: allocated by the poster, freed by the loop. */
struct post {
	struct post *next;
	prx_post_fn fn;
	void *arg;
};

struct prx_evloop {
	int epfd;
	int timerfd; /* CLOCK_MONOTONIC, absolute, armed to the earliest deadline */
	int wakefd;  /* eventfd written by prx_evloop_post() */
	bool running;
	bool stop;

	/*
	 * Events of the pass being dispatched: fired[cur + 1 .. n_fired) are still to come.
	 * prx_fd_remove() clears the pointer of a pending event of the removed handle, so a
	 * handle freed in a callback is never called again (libuv's
	 * uv__platform_invalidate_fd does the same).
	 */
	struct epoll_event *fired;
	int n_fired;
	int cur;
	uint64_t fd_seq;

	/* Binary min-heap of running timers keyed by (deadline_ns, seq). */
	struct prx_timer **heap;
	uint32_t n_timers;
	uint32_t cap_timers;
	uint64_t timer_seq;
	uint64_t armed_ns; /* what the timerfd is armed to; 0 = disarmed */

	/*
	 * Posted functions: a lock-free LIFO pushed by any thread.  The loop takes the whole
	 * list with one exchange and reverses it, so each thread's posts run in its order.
	 * Only the push onto an empty list writes the eventfd.
	 */
	struct post *posts;

	/* Markers for the loop's own fds in epoll's data.ptr. */
	struct prx_fd timer_h;
	struct prx_fd wake_h;
};

uint64_t
prx_evloop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
ctl(struct prx_evloop *ev, int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event e = {.events = events, .data.ptr = ptr};

	return epoll_ctl(ev->epfd, op, fd, &e) < 0 ? -errno : 0;
}

int
prx_evloop_create(struct prx_evloop **out)
{
	struct prx_evloop *ev;
	int rc;

	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (ev == NULL)
		return -ENOMEM;
	ev->timerfd = -1;
	ev->wakefd = -1;
	ev->fired = calloc(MAX_FIRED, sizeof(*ev->fired));
	if (ev->fired == NULL) {
		rc = -ENOMEM;
		goto fail_fired;
	}
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ev->epfd < 0) {
		rc = -errno;
		goto fail_epoll;
	}
	ev->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ev->timerfd < 0) {
		rc = -errno;
		goto fail_fds;
	}
	ev->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ev->wakefd < 0) {
		rc = -errno;
		goto fail_fds;
	}
	rc = ctl(ev, EPOLL_CTL_ADD, ev->timerfd, EPOLLIN, &ev->timer_h);
	if (rc < 0)
		goto fail_fds;
	rc = ctl(ev, EPOLL_CTL_ADD, ev->wakefd, EPOLLIN, &ev->wake_h);
	if (rc < 0)
		goto fail_fds;
	*out = ev;
	return 0;

fail_fds:
	if (ev->wakefd >= 0)
		close(ev->wakefd);
	if (ev->timerfd >= 0)
		close(ev->timerfd);
	close(ev->epfd);
fail_epoll:
	free(ev->fired);
fail_fired:
	free(ev);
	return rc;
}

void
prx_evloop_destroy(struct prx_evloop *ev)
{
	struct post *p, *next;

	if (ev == NULL)
		return;
	for (p = __atomic_exchange_n(&ev->posts, NULL, __ATOMIC_ACQUIRE); p != NULL; p = next) {
		next = p->next;
		free(p);
	}
	close(ev->wakefd);
	close(ev->timerfd);
	close(ev->epfd);
	free(ev->heap);
	free(ev->fired);
	free(ev);
}

int
prx_evloop_fd(const struct prx_evloop *ev)
{
	return ev->epfd;
}

/* --- fd handles --- */

static uint32_t
to_epoll(uint32_t interest, uint32_t flags)
{
	uint32_t e = EPOLLRDHUP;

	if (interest & PRX_EV_READ)
		e |= EPOLLIN;
	if (interest & PRX_EV_WRITE)
		e |= EPOLLOUT;
	if (flags & PRX_FD_EDGE)
		e |= EPOLLET;
	return e;
}

static uint32_t
from_epoll(uint32_t e)
{
	uint32_t ev = 0;

	if (e & EPOLLIN)
		ev |= PRX_EV_READ;
	if (e & EPOLLOUT)
		ev |= PRX_EV_WRITE;
	if (e & EPOLLERR)
		ev |= PRX_EV_ERROR;
	if (e & (EPOLLHUP | EPOLLRDHUP))
		ev |= PRX_EV_HUP;
	return ev;
}

#define INTEREST_MASK (PRX_EV_READ | PRX_EV_WRITE)

int
prx_fd_add(struct prx_evloop *ev, struct prx_fd *h, int fd, uint32_t interest, uint32_t flags,
	   prx_fd_cb_fn cb, void *arg)
{
	int rc;

	if (ev == NULL || h == NULL || cb == NULL || fd < 0 || (interest & ~INTEREST_MASK) != 0 ||
	    (flags & ~PRX_FD_EDGE) != 0)
		return -EINVAL;
	if (h->loop != NULL)
		return -EBUSY;
	rc = ctl(ev, EPOLL_CTL_ADD, fd, to_epoll(interest, flags), h);
	if (rc < 0)
		return rc;
	h->loop = ev;
	h->fd = fd;
	h->interest = interest;
	h->flags = flags;
	h->cb = cb;
	h->arg = arg;
	h->seq = ++ev->fd_seq;
	return 0;
}

int
prx_fd_modify(struct prx_fd *h, uint32_t interest)
{
	int rc;

	if (h == NULL || h->loop == NULL || (interest & ~INTEREST_MASK) != 0)
		return -EINVAL;
	/* Level-triggered: nothing to do.  Edge-triggered: EPOLL_CTL_MOD re-arms the edge
	 * (an fd that is ready reports again), which the caller may want. */
	if (interest == h->interest && !(h->flags & PRX_FD_EDGE))
		return 0;
	rc = ctl(h->loop, EPOLL_CTL_MOD, h->fd, to_epoll(interest, h->flags), h);
	if (rc < 0)
		return rc;
	h->interest = interest;
	return 0;
}

int
prx_fd_remove(struct prx_fd *h)
{
	struct prx_evloop *ev;
	int rc;

	if (h == NULL || h->loop == NULL)
		return 0;
	ev = h->loop;
	/* Forget the handle even if the fd was closed too early (EBADF): it must not be
	 * called again either way. */
	rc = ctl(ev, EPOLL_CTL_DEL, h->fd, 0, NULL);
	/* An fd is reported at most once per epoll_wait. */
	for (int i = ev->cur + 1; i < ev->n_fired; i++) {
		if (ev->fired[i].data.ptr == h) {
			ev->fired[i].data.ptr = NULL;
			break;
		}
	}
	h->loop = NULL;
	h->seq = 0;
	return rc;
}

bool
prx_fd_active(const struct prx_fd *h)
{
	return h->loop != NULL;
}

/* --- timers --- */

static bool
timer_less(const struct prx_timer *a, const struct prx_timer *b)
{
	return a->deadline_ns < b->deadline_ns ||
	       (a->deadline_ns == b->deadline_ns && a->seq < b->seq);
}

static void
heap_set(struct prx_evloop *ev, uint32_t i, struct prx_timer *t)
{
	ev->heap[i] = t;
	t->heap_idx = i;
}

static void
sift_up(struct prx_evloop *ev, uint32_t i)
{
	struct prx_timer *t = ev->heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!timer_less(t, ev->heap[parent]))
			break;
		heap_set(ev, i, ev->heap[parent]);
		i = parent;
	}
	heap_set(ev, i, t);
}

static void
sift_down(struct prx_evloop *ev, uint32_t i)
{
	struct prx_timer *t = ev->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= ev->n_timers)
			break;
		if (c + 1 < ev->n_timers && timer_less(ev->heap[c + 1], ev->heap[c]))
			c++;
		if (!timer_less(ev->heap[c], t))
			break;
		heap_set(ev, i, ev->heap[c]);
		i = c;
	}
	heap_set(ev, i, t);
}

static void
heap_remove(struct prx_evloop *ev, struct prx_timer *t)
{
	uint32_t i = t->heap_idx;
	struct prx_timer *last = ev->heap[--ev->n_timers];

	t->heap_idx = UINT32_MAX;
	if (last == t)
		return;
	heap_set(ev, i, last);
	if (i > 0 && timer_less(last, ev->heap[(i - 1) / 2]))
		sift_up(ev, i);
	else
		sift_down(ev, i);
}

static void
heap_insert(struct prx_evloop *ev, struct prx_timer *t)
{
	t->seq = ev->timer_seq++;
	heap_set(ev, ev->n_timers++, t);
	sift_up(ev, t->heap_idx);
}

static uint64_t
first_deadline(const struct prx_evloop *ev)
{
	return ev->n_timers > 0 ? ev->heap[0]->deadline_ns : 0;
}

/* Arm the timerfd to `when` (absolute ns, 0 = disarm) unless it is armed so already. */
static int
arm(struct prx_evloop *ev, uint64_t when)
{
	struct itimerspec its = {
		.it_value = {.tv_sec = (time_t)(when / 1000000000u),
			     .tv_nsec = (long)(when % 1000000000u)},
	};

	if (when == ev->armed_ns)
		return 0;
	if (timerfd_settime(ev->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	ev->armed_ns = when;
	return 0;
}

/*
 * Outside a pass, keep the timerfd on the earliest deadline at once, so that the epoll fd
 * turns readable when a timer is due (a nesting poller relies on it).  Inside a pass the
 * end of the pass does it, once.
 */
static void
timers_changed(struct prx_evloop *ev)
{
	if (!ev->running)
		arm(ev, first_deadline(ev));
}

int
prx_timer_start(struct prx_evloop *ev, struct prx_timer *t, uint64_t delay_us, uint64_t period_us,
		prx_timer_cb_fn cb, void *arg)
{
	uint64_t now = prx_evloop_now_ns();
	uint64_t limit = (UINT64_MAX / 2 - now) / 1000;

	if (ev == NULL || t == NULL || cb == NULL || delay_us > limit || period_us > limit)
		return -EINVAL;
	if (t->loop != NULL)
		prx_timer_stop(t);
	if (ev->n_timers == ev->cap_timers) {
		uint32_t cap = ev->cap_timers != 0 ? 2 * ev->cap_timers : 16;
		struct prx_timer **heap = realloc(ev->heap, cap * sizeof(*heap));

		if (heap == NULL)
			return -ENOMEM;
		ev->heap = heap;
		ev->cap_timers = cap;
	}
	t->loop = ev;
	t->deadline_ns = now + delay_us * 1000;
	t->period_ns = period_us * 1000;
	t->cb = cb;
	t->arg = arg;
	heap_insert(ev, t);
	timers_changed(ev);
	return 0;
}

void
prx_timer_stop(struct prx_timer *t)
{
	struct prx_evloop *ev;

	if (t == NULL || t->loop == NULL)
		return;
	ev = t->loop;
	heap_remove(ev, t);
	t->loop = NULL;
	timers_changed(ev);
}

bool
prx_timer_active(const struct prx_timer *t)
{
	return t->loop != NULL;
}

/*
 * Phase 2.  A periodic timer is re-queued before its callback runs, so that the callback
 * can stop or restart it.  Timers started during this phase (seq >= first_new) wait for
 * the next pass: a callback that restarts its timer with delay 0 cannot keep the loop here.
 */
static int
run_timers(struct prx_evloop *ev)
{
	uint64_t now = prx_evloop_now_ns();
	uint64_t first_new = ev->timer_seq;
	int n = 0;

	while (ev->n_timers > 0) {
		struct prx_timer *t = ev->heap[0];

		if (t->deadline_ns > now || t->seq >= first_new)
			break;
		heap_remove(ev, t);
		if (t->period_ns != 0) {
			/* Keep the phase; skip the periods already missed. */
			t->deadline_ns +=
				t->period_ns * ((now - t->deadline_ns) / t->period_ns + 1);
			heap_insert(ev, t);
		} else {
			t->loop = NULL;
		}
		t->cb(t, t->arg);
		n++;
	}
	return n;
}

/* --- posts --- */

int
prx_evloop_post(struct prx_evloop *ev, prx_post_fn fn, void *arg)
{
	struct post *p;
	uint64_t one = 1;

	if (ev == NULL || fn == NULL)
		return -EINVAL;
	p = malloc(sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->fn = fn;
	p->arg = arg;
	p->next = __atomic_load_n(&ev->posts, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&ev->posts, &p->next, p, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
	/* Only the first post after the loop took the list needs to wake it.  The node is
	 * queued whatever write() says: it runs (the only failure, EAGAIN on a full
	 * counter, means the eventfd is readable already). */
	if (p->next == NULL) {
		ssize_t rc = write(ev->wakefd, &one, sizeof(one));

		(void)rc;
	}
	return 0;
}

static int
run_posts(struct prx_evloop *ev)
{
	struct post *p = __atomic_exchange_n(&ev->posts, NULL, __ATOMIC_ACQUIRE);
	struct post *fifo = NULL, *next;
	int n = 0;

	while (p != NULL) {
		next = p->next;
		p->next = fifo;
		fifo = p;
		p = next;
	}
	for (p = fifo; p != NULL; p = next) {
		next = p->next;
		p->fn(p->arg);
		free(p);
		n++;
	}
	return n;
}

/* --- the pass --- */

static void
drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

/* Phase 1.  Returns the callbacks run; sets *posted when the wake-up eventfd fired. */
static int
dispatch(struct prx_evloop *ev, int n_fired, bool *posted)
{
	int n = 0;

	ev->n_fired = n_fired;
	for (ev->cur = 0; ev->cur < ev->n_fired; ev->cur++) {
		struct prx_fd *h = ev->fired[ev->cur].data.ptr;
		uint32_t events;

		if (h == NULL)
			continue; /* removed by an earlier callback of this pass */
		if (h == &ev->timer_h) {
			uint64_t ticks;

			/* The timerfd fired, so it is disarmed now (one-shot). */
			if (read(ev->timerfd, &ticks, sizeof(ticks)) > 0)
				ev->armed_ns = 0;
			continue;
		}
		if (h == &ev->wake_h) {
			drain(ev->wakefd);
			*posted = true;
			continue;
		}
		/* A callback may have narrowed the interest since epoll reported it. */
		events = from_epoll(ev->fired[ev->cur].events) &
			 (h->interest | PRX_EV_ERROR | PRX_EV_HUP);
		if (events == 0)
			continue;
		h->cb(h, events, h->arg);
		n++;
	}
	ev->n_fired = 0;
	ev->cur = 0;
	return n;
}

int
prx_evloop_run(struct prx_evloop *ev, int64_t timeout_us)
{
	bool posted = false;
	int wait_ms = -1;
	int n, rc, done;

	if (ev->running)
		return -EBUSY;
	ev->running = true;
	if (timeout_us == 0) {
		wait_ms = 0;
	} else {
		uint64_t now = prx_evloop_now_ns();
		uint64_t when = first_deadline(ev);

		/* The timerfd wakes us at the earlier of the first timer and the caller's
		 * limit: epoll_wait's milliseconds are too coarse for either. */
		if (timeout_us > 0 && (uint64_t)timeout_us < (UINT64_MAX / 2 - now) / 1000) {
			uint64_t limit = now + (uint64_t)timeout_us * 1000;

			if (when == 0 || limit < when)
				when = limit;
		}
		if (when != 0 && when <= now) {
			wait_ms = 0;
		} else {
			rc = arm(ev, when);
			if (rc < 0)
				goto out;
		}
	}
	n = epoll_wait(ev->epfd, ev->fired, MAX_FIRED, wait_ms);
	if (n < 0) {
		if (errno != EINTR) {
			rc = -errno;
			goto out;
		}
		n = 0;
	}
	done = dispatch(ev, n, &posted);
	done += run_timers(ev);
	if (posted)
		done += run_posts(ev);
	rc = arm(ev, first_deadline(ev));
	if (rc == 0)
		rc = done;
out:
	ev->running = false;
	return rc;
}

void
prx_evloop_stop(struct prx_evloop *ev)
{
	ev->stop = true;
}

int
prx_evloop_run_forever(struct prx_evloop *ev)
{
	int rc = 0;

	while (!ev->stop) {
		rc = prx_evloop_run(ev, -1);
		if (rc < 0)
			break;
	}
	ev->stop = false;
	return rc < 0 ? rc : 0;
}
