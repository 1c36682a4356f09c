/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Reactors: one event loop per data-plane core.
 *
 * A reactor runs a fixed sequence of phases per iteration (docs/design.md):
 *   1. quiescent state report, then pick up a newly published snapshot;
 *   2. receive a burst from every rx queue of its poll list and run it through the
 *      queue's chain to completion;
 *   3. flush tx buffers (full ones were flushed already; partial ones when the iteration
 *      was not saturated or the drain deadline passed);
 *   4. let the engine wait (poll: spin; epoll: sleep on wake-up fds, RCU-offline;
 *      adaptive: poll while traffic flows, then sleep within a wake-up budget).
 *
 * The control thread never writes reactor state.  It publishes an immutable snapshot
 * (prx_reactor_publish) and frees the old one after an RCU grace period
 * (prx_reactor_sync).  Counters are written by the reactor only and read relaxed.
 */
#ifndef PRX_REACTOR_H
#define PRX_REACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "prx_common.h"
#include "prx_conf.h"
#include "prx_evloop.h"
#include "prx_pipeline.h"
#include "prx_port.h"

/** One entry of a poll list: an rx queue this reactor owns and where its packets go. */
struct prx_poll_entry {
	prx_rx_burst_fn rx_burst;
	void *rxq;		       /**< driver queue handle */
	struct prx_queue_stats *stats; /**< the queue's prx counters (single writer: us) */
	struct prx_port *port;
	int wake_fd;	  /**< readable when the queue has packets, or -1 */
	uint32_t fill_us; /**< time the rx ring takes to fill at line rate, 0 = no bound */
	uint16_t queue;
	struct prx_chain chain; /**< the input port's chain (copied: immutable) */
} __rte_cache_aligned;

/**
 * What a reactor works on: immutable once published.  Freed by the control plane after
 * every reactor has passed a quiescent state since it was replaced.
 */
struct prx_snapshot {
	uint64_t gen;			       /**< generation, for logs and tests */
	struct prx_port *ports[PRX_MAX_PORTS]; /**< slot -> port for transmission */
	uint16_t n_poll;
	struct prx_poll_entry poll[]; /**< rx queues to poll */
};

/** Allocate a zeroed snapshot with room for n_poll entries (rte_malloc on `socket`). */
struct prx_snapshot *prx_snapshot_alloc(uint16_t n_poll, int socket);
/** Free a snapshot (NULL is fine).  Only after a grace period. */
void prx_snapshot_free(struct prx_snapshot *s);

/**
 * Time-in-state and loop counters of a reactor.  Every TSC cycle since the loop started
 * is in exactly one of busy, empty and sleep.
 */
struct prx_reactor_stats {
	uint64_t iterations;
	uint64_t busy_cycles;  /**< polling, in iterations that received packets */
	uint64_t empty_cycles; /**< polling, in iterations that received nothing */
	uint64_t sleep_cycles; /**< asleep in an engine (epoll, adaptive) */
	uint64_t idle_cycles;  /**< empty + sleep (filled by prx_reactor_stats_read) */
	uint64_t sleeps;       /**< times the engine slept */
	uint64_t switches;     /**< snapshots taken up */
	uint64_t kick_failed;  /**< slow-path wake-ups that could not be written */
};

/** The states of struct prx_reactor_stats in seconds and in percent of the run time. */
struct prx_reactor_time {
	double busy_s, empty_s, sleep_s, run_s;
	double busy_pct, empty_pct, sleep_pct; /**< of run_s; all 0 before anything ran */
};

/** Split counters (totals, or the difference of two readings) into seconds and shares. */
void prx_reactor_time_split(const struct prx_reactor_stats *rs, uint64_t tsc_hz,
			    struct prx_reactor_time *t);

/** The adaptive engine's sleep policy (docs/design.md, "Engines"). */
struct prx_sleep_policy {
	uint32_t idle_polls;	/**< empty polls in a row before the first sleep */
	uint32_t max_wakeup_us; /**< wake-up latency budget: the longest timed sleep */
};

/** The first sleep of an idle run; a bound below it means "keep polling". */
#define PRX_SLEEP_MIN_US 4
/** Bits on the wire of the smallest frame: 64 B plus preamble and inter-frame gap. */
#define PRX_WIRE_MIN_FRAME_BITS 672
/** Line rate assumed for a port that is up but does not say its speed. */
#define PRX_SLEEP_UNKNOWN_SPEED_MBPS 100000

/**
 * How long to sleep (microseconds) after `empty` empty polls in a row; 0: poll on.
 * Nothing below `idle_polls`; then PRX_SLEEP_MIN_US, doubling with every further empty
 * poll (each sleep ends in one), up to the smaller of `max_wakeup_us` and half of
 * `fill_us`, the shortest time a polled rx ring takes to fill at line rate (0: no such
 * bound), so that the ring still has room when the sleep overshoots.  A bound below
 * PRX_SLEEP_MIN_US means no sleep at all.
 */
uint32_t prx_sleep_us(const struct prx_sleep_policy *p, uint64_t empty, uint32_t fill_us);

/**
 * Time (microseconds, at least 1) that `desc` rx descriptors take to fill with minimum-size
 * frames at `speed_mbps` (0: unknown, taken as PRX_SLEEP_UNKNOWN_SPEED_MBPS).  0 when
 * desc is 0 (no bound).
 */
uint32_t prx_ring_fill_us(uint32_t desc, uint32_t speed_mbps);

struct prx_reactor;

/** How a reactor waits ("engine").  One static const table per engine. */
struct prx_engine_ops {
	const char *name;
	/** Set up on the reactor's thread before the loop.  0 or -errno. */
	int (*init)(struct prx_reactor *r);
	/** Called at the end of each iteration with the packets it received. */
	void (*idle)(struct prx_reactor *r, unsigned int received);
	/** A new snapshot was taken up (poll list changed).  May be NULL. */
	void (*rebind)(struct prx_reactor *r, const struct prx_snapshot *s);
	/** Tear down on the reactor's thread after the loop.  May be NULL. */
	void (*fini)(struct prx_reactor *r);
};

extern const struct prx_engine_ops prx_engine_poll;
extern const struct prx_engine_ops prx_engine_epoll;
extern const struct prx_engine_ops prx_engine_adaptive;

/**
 * Timer slack of reactor threads (prctl PR_SET_TIMERSLACK).  Linux's default of 50 us
 * would stretch every short sleep of the adaptive engine by up to that much.
 */
#define PRX_REACTOR_TIMER_SLACK_NS 1000

/**
 * Poll engine: iterations between two non-blocking checks of the reactor's fds (the only
 * syscall of a DPDK reactor, about one per 100 us at full load).
 */
#define PRX_POLL_FD_CHECK_EVERY 1024

/** Does a poll list let the epoll engine sleep?  Every queue needs a wake-up fd. */
bool prx_engine_epoll_usable(const struct prx_snapshot *s);

/** A reactor. */
struct prx_reactor {
	/* set at creation, read-only afterwards */
	uint16_t id; /**< index: RCU thread id and tx queue id */
	unsigned int lcore;
	int socket;
	uint16_t burst;
	uint64_t drain_tsc; /**< drain deadline in TSC cycles */
	const struct prx_engine_ops *engine;
	struct prx_sleep_policy sleep; /**< adaptive engine (defaults from prx_conf.h) */
	struct rte_rcu_qsbr *qsbr;
	struct prx_evloop *ev;	 /**< fd resources, timers, posts (owner: the reactor) */
	struct rte_ring *inject; /**< packets the control plane sends through us, or NULL */
	int punt_efd;		 /**< written when we punted into an empty ring (-1: none) */

	/* written by the control thread, read by the reactor */
	const struct prx_snapshot *mailbox __rte_cache_aligned;
	bool stop;

	/* reactor-owned */
	const struct prx_snapshot *cur __rte_cache_aligned;
	uint64_t cur_gen;	/**< gen of `cur`, read by the control thread (release store) */
	int run_rc;		/**< why the loop ended (0 = asked to stop) */
	uint64_t pipe_deadline; /**< TSC by which partial tx buffers are flushed */
	uint32_t fd_iter;	/**< iterations since the last fd check */
	uint64_t last_tsc;	/**< TSC read at the end of the last iteration */
	uint64_t last_rx_tsc;	/**< last_tsc of the last iteration that received packets */
	uint64_t linger_tsc;	/**< epoll engine: polling kept up this long after a packet */
	uint64_t asleep_since;	/**< TSC at which the current sleep began, 0 when awake */
	void *engine_priv;	/**< the engine's state (init allocates, fini frees) */
	struct prx_reactor_stats rs;
	struct prx_pipe pipe;
};

/**
 * Create reactor `id` for `lcore`.  `qsbr` must have room for id (max threads >= id+1).
 * @return 0 or -errno.
 */
int prx_reactor_create(uint16_t id, unsigned int lcore, int socket, uint16_t burst,
		       uint32_t drain_us, const struct prx_engine_ops *engine,
		       struct rte_rcu_qsbr *qsbr, struct rte_mempool *pool,
		       struct prx_reactor **out);
/** Free a reactor that is not running (NULL is fine).  Its current snapshot is not freed. */
void prx_reactor_destroy(struct prx_reactor *r);

/**
 * Publish a snapshot (control thread).  The reactor takes it up at the top of its next
 * iteration (a sleeping reactor is woken).  Returns the previously published snapshot,
 * which the caller frees after
 * prx_reactor_sync().
 */
const struct prx_snapshot *prx_reactor_publish(struct prx_reactor *r, const struct prx_snapshot *s);

/**
 * Wait until every registered, online reactor has passed a quiescent state (control
 * thread).  After it returns, snapshots replaced before the call are unreferenced.
 */
void prx_reactor_sync(struct rte_rcu_qsbr *qsbr);

/** The loop, for rte_eal_remote_launch(): arg is the struct prx_reactor. */
int prx_reactor_main(void *arg);

/** Ask a running reactor to stop after its current iteration (any thread; wakes it). */
void prx_reactor_stop(struct prx_reactor *r);

/** Wake a sleeping reactor (any thread). */
void prx_reactor_wake(struct prx_reactor *r);

/** One iteration (the loop's body; exported for tests that drive a reactor by hand). */
unsigned int prx_reactor_iterate(struct prx_reactor *r);

/** Flush every tx buffer and free collected drops (used when the loop ends). */
void prx_reactor_drain(struct prx_reactor *r);

/**
 * For engines, around a sleep.  From the end of the last iteration to sleep_end() the
 * reactor counts as sleeping (not as the next iteration's time), and readers of its
 * counters see a sleep in progress grow (prx_reactor_stats_read).
 */
void prx_reactor_sleep_begin(struct prx_reactor *r);
void prx_reactor_sleep_end(struct prx_reactor *r);

/** Relaxed copy of the loop counters. */
void prx_reactor_stats_read(const struct prx_reactor *r, struct prx_reactor_stats *out);

#endif /* PRX_REACTOR_H */
