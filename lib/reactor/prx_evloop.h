/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * File-descriptor resources of a reactor: the reactor pattern of Redis' ae, libuv and
 * mio, on epoll.
 *
 * An event loop (struct prx_evloop) belongs to one thread, its owner.  Only the owner
 * calls its functions, with one exception: prx_evloop_post(), the single thread-safe call,
 * which queues a function to run on the owner (an eventfd wakes it).
 *
 * The caller owns the memory of every handle (struct prx_fd, struct prx_timer) and keeps
 * it valid while the handle is registered; the loop allocates nothing per event (only the
 * timer heap grows when more timers are started than ever before).  A handle starts
 * zeroed (calloc, `= {0}`) before its first use; after prx_fd_remove() / prx_timer_stop()
 * (or a one-shot timer's callback) it may be used again or freed.
 *
 * One pass of prx_evloop_run() runs fixed phases, as libuv's uv_run:
 *   1. wait for fd events (no longer than `timeout_us`, and no longer than the earliest
 *      timer) and dispatch them in the order epoll reported them;
 *   2. run the timers that are due, earliest deadline first (ties: the order they were
 *      started);
 *   3. run the functions posted from other threads, in posting order.
 *
 * Callbacks may add, modify and remove any handle, including their own, and stop or
 * start timers, from inside any phase: a handle removed during dispatch receives no
 * further callback from that pass, and its memory may be reused as soon as
 * prx_fd_remove() / prx_timer_stop() returns.  A handle removed and added again (even at
 * the same address) during a pass gets its first callback in a later pass.  A timer
 * started during the timer phase runs in a later pass at the earliest.
 *
 * PRX_EV_HUP is reported whatever the interest, and level-triggered like the rest: a
 * level-triggered handle that sees it reads to end-of-file or removes itself.
 */
#ifndef PRX_EVLOOP_H
#define PRX_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct prx_evloop;
struct prx_fd;
struct prx_timer;

/** Interest and event bits. */
#define PRX_EV_READ 0x1u  /**< readable (EPOLLIN) */
#define PRX_EV_WRITE 0x2u /**< writable (EPOLLOUT) */
#define PRX_EV_ERROR 0x4u /**< error (EPOLLERR): reported whatever the interest */
#define PRX_EV_HUP 0x8u	  /**< hang-up (EPOLLHUP, EPOLLRDHUP): reported whatever the interest */

/** Registration flags. */
#define PRX_FD_EDGE 0x1u /**< edge-triggered: the callback must drain to EAGAIN */

/** Called with the events that happened (PRX_EV_*). */
typedef void (*prx_fd_cb_fn)(struct prx_fd *h, uint32_t events, void *arg);
/** Called when a timer is due.  A periodic timer may stop itself here. */
typedef void (*prx_timer_cb_fn)(struct prx_timer *t, void *arg);
/** A function posted to run on the loop's thread. */
typedef void (*prx_post_fn)(void *arg);

/** A registered file descriptor.  Fields are private to the loop. */
struct prx_fd {
	struct prx_evloop *loop;
	int fd;
	uint32_t interest;
	uint32_t flags;
	prx_fd_cb_fn cb;
	void *arg;
	uint64_t seq; /* registration number (non-zero while registered) */
};

/** A timer.  Fields are private to the loop. */
struct prx_timer {
	struct prx_evloop *loop;
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
	uint64_t period_ns;   /* 0 = one-shot */
	uint64_t seq;	      /* start order, breaks deadline ties */
	prx_timer_cb_fn cb;
	void *arg;
	uint32_t heap_idx; /* UINT32_MAX when not running */
};

/** Create a loop for the calling thread.  @return 0 or -errno. */
int prx_evloop_create(struct prx_evloop **out);

/**
 * Destroy a loop (NULL is fine).  Handles still registered are forgotten (their fds are
 * not closed); posted functions not yet run are dropped (their args are not freed).
 */
void prx_evloop_destroy(struct prx_evloop *ev);

/**
 * The loop's own epoll fd, readable when the loop has something to do: lets a loop be
 * nested in another poller (the reactor's poll engine checks it without blocking).
 */
int prx_evloop_fd(const struct prx_evloop *ev);

/**
 * Run one pass (see the phases above).
 * @param timeout_us  0: do not block; -1: block until an fd event, a timer or a post;
 *                    otherwise block at most this long.
 * @return the number of callbacks run (fd, timer and posted), or -errno if epoll_wait
 *         failed (EINTR is not a failure: it counts as a pass with no fd event), or
 *         -EBUSY when called from one of the loop's own callbacks (not reentrant).
 */
int prx_evloop_run(struct prx_evloop *ev, int64_t timeout_us);

/** Ask prx_evloop_run_forever() to return after the current pass (owner thread). */
void prx_evloop_stop(struct prx_evloop *ev);

/** Run passes with timeout -1 until prx_evloop_stop().  @return 0 or -errno. */
int prx_evloop_run_forever(struct prx_evloop *ev);

/**
 * Register fd with `interest` (PRX_EV_READ and/or PRX_EV_WRITE) and `flags`
 * (PRX_FD_EDGE).  The fd stays the caller's: the loop never closes it.
 * @return 0, -EEXIST if fd is already registered on this loop, -EBUSY if h is
 *         registered already, -EINVAL, or -errno of epoll_ctl.
 */
int prx_fd_add(struct prx_evloop *ev, struct prx_fd *h, int fd, uint32_t interest, uint32_t flags,
	       prx_fd_cb_fn cb, void *arg);

/**
 * Change the interest of a registered handle (0 is allowed: only errors and hang-ups are
 * reported).  On an edge-triggered handle it also re-arms the edge: an fd that is ready
 * reports again.  @return 0, -EINVAL (not registered, bad bits) or -errno of epoll_ctl.
 */
int prx_fd_modify(struct prx_fd *h, uint32_t interest);

/**
 * Unregister (safe from any callback, including h's own; a handle that is not registered
 * is fine).  Call it before closing the fd.  @return 0 or -errno.
 */
int prx_fd_remove(struct prx_fd *h);

/** Is the handle registered? */
bool prx_fd_active(const struct prx_fd *h);

/**
 * Start (or restart) a timer: first due `delay_us` from now, then every `period_us`
 * (0 = one-shot).  A periodic timer keeps its phase: it is due at start + k * period,
 * skipping periods it missed rather than running back to back.
 * @return 0 or -ENOMEM/-EINVAL.
 */
int prx_timer_start(struct prx_evloop *ev, struct prx_timer *t, uint64_t delay_us,
		    uint64_t period_us, prx_timer_cb_fn cb, void *arg);

/** Stop a timer (a stopped timer is fine). */
void prx_timer_stop(struct prx_timer *t);

/** Is the timer running? */
bool prx_timer_active(const struct prx_timer *t);

/**
 * Run fn(arg) on the loop's thread during its next pass, waking it if it sleeps.  The
 * one function any thread may call.  @return 0, -EINVAL or -ENOMEM.
 */
int prx_evloop_post(struct prx_evloop *ev, prx_post_fn fn, void *arg);

/** CLOCK_MONOTONIC in nanoseconds. */
uint64_t prx_evloop_now_ns(void);

#endif /* PRX_EVLOOP_H */
