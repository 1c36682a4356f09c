/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Worker pool: handlers marked `offload` run on worker threads (docs/design.md,
 * "Worker pool").
 *
 * When a chain reaches an offloaded handler, the reactor hands the packets to the worker
 * their flow hash picks, over a single-producer/single-consumer ring per (reactor,
 * worker) "lane".  The worker runs that one handler on a capturing pipe and sends every
 * packet back over the lane's return ring with what the handler did with it (tx on a
 * slot, next, drop with a reason, punt).  The reactor drains its return rings every
 * iteration: it transmits through its own tx buffers (tx queues keep one owner),
 * continues the chain after the offloaded handler, counts drops, punts.  Same flow, same
 * worker, FIFO rings: per-flow order holds.
 *
 * Accounting stays per reactor: packets out at workers are part of in_flight
 * (prx_pipe_in_flight: off_out - off_back).  Packets a worker's handler originates are
 * announced by a marker item ahead of them and counted as originated and sent out by the
 * reactor that receives them.
 *
 * Lifetime: ring items point into snapshots (the chain) and handler instances.  A grace
 * period alone does not cover packets still sitting in rings, so after every grace
 * period the control plane calls prx_offload_barrier(), which waits until the workers
 * processed what was enqueued before it and the reactors took back what came out.
 */
#ifndef PRX_OFFLOAD_H
#define PRX_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "prx_common.h"
#include "prx_pipeline.h"

/** Default items per ring of a lane (each direction, `workers.ring_size`); a full ring
 *  to a worker drops as offload_full, a full return ring makes the worker wait. */
#define PRX_OFFLOAD_RING 1024
/** Items a worker may collect from one burst before it sends them back. */
#define PRX_OFFLOAD_OUT_MAX (4 * PRX_BURST_MAX)

/** What a ring item says. */
enum prx_off_kind {
	PRX_OFF_RUN,  /**< to a worker: run c->h[pos] on m */
	PRX_OFF_TX,   /**< back: transmit m on slot `arg` */
	PRX_OFF_NEXT, /**< back: go on with c->h[pos] (the handler after the offloaded one) */
	PRX_OFF_DROP, /**< back: drop m with reason `arg` (counted by the reactor) */
	PRX_OFF_PUNT, /**< back: punt m */
	PRX_OFF_ORIG, /**< back, m == NULL: `arg` packets the worker originated follow */
};

/** A ring item (24 bytes). */
struct prx_off_item {
	struct rte_mbuf *m;
	const struct prx_chain *c;
	uint16_t pos;
	uint16_t kind;
	uint16_t arg;
	uint16_t pad;
};

/** One (reactor, worker) pair: a ring each way and the counters the barrier reads. */
struct prx_off_lane {
	struct rte_ring *to_w; /**< reactor -> worker (SP/SC) */
	struct rte_ring *back; /**< worker -> reactor (SP/SC) */
	uint64_t sent;	       /**< items the reactor enqueued to to_w (reactor) */
	uint64_t back_done;    /**< items the reactor took from back and handled (reactor) */
	uint64_t done __rte_cache_aligned; /**< items the worker handled from to_w (worker) */
	uint64_t back_sent;		   /**< items the worker enqueued to back (worker) */
} __rte_cache_aligned;

/** Capture state of a worker's pipe: what its handler did, as items for the reactor. */
struct prx_off_cap {
	struct prx_off_lane *lane; /**< where the items go */
	const struct prx_chain *c;
	uint16_t pos; /**< the offloaded handler's position */
	uint64_t orig_seen;
	uint64_t drop_seen[PRX_DROP_MAX];
	uint16_t n_out;
	struct prx_off_item out[PRX_OFFLOAD_OUT_MAX + 1];
};

/** Worker counters (single writer: the worker). */
struct prx_worker_stats {
	uint64_t packets; /**< packets run through an offloaded handler */
	uint64_t bursts;
	uint64_t waits; /**< times a full return ring made it wait */
};

struct prx_offload;

/** A worker thread's state. */
struct prx_worker {
	struct prx_offload *pool;
	uint16_t id;	 /**< index among workers */
	uint16_t rcu_id; /**< RCU thread id, pipe id and handler stats slot: n_reactors + id */
	unsigned int lcore;
	int run_rc;
	struct prx_worker_stats st;
	struct prx_off_cap cap;
	struct prx_pipe pipe; /**< a capturing pipe: never transmits, frees nor punts */
} __rte_cache_aligned;

/** The pool: every lane and worker.  Read-only after creation but for counters. */
struct prx_offload {
	uint16_t n_reactors, n_workers;
	uint16_t burst;
	uint32_t ring_size;
	struct rte_rcu_qsbr *qsbr;
	bool stop;		    /**< workers: end the loop */
	uint32_t running;	    /**< workers in their loop */
	struct prx_off_lane *lanes; /**< [reactor * n_workers + worker] */
	struct prx_worker *w[PRX_MAX_WORKERS];
};

/**
 * Create a pool for n_reactors reactors and n_workers workers on `lcores`.  Worker i
 * gets RCU thread id n_reactors + i (qsbr must have room) and takes originated packets
 * from pools[i].  n_reactors + n_workers <= PRX_MAX_REACTORS.  @return 0 or -errno.
 */
int prx_offload_create(uint16_t n_reactors, uint16_t n_workers, const unsigned int *lcores,
		       uint16_t burst, uint32_t ring_size, struct rte_rcu_qsbr *qsbr,
		       struct rte_mempool *const *pools, struct prx_offload **out);
/** Free a pool whose workers do not run (NULL is fine); what sits in rings is freed. */
void prx_offload_destroy(struct prx_offload *o);

/** A worker's loop, for rte_eal_remote_launch(): arg is the struct prx_worker. */
int prx_worker_main(void *arg);
/** Ask the workers to stop (after every reactor stopped: they drain first). */
void prx_offload_stop(struct prx_offload *o);

/**
 * Reactor side, from prx_chain_run(): hand pkts[0..n-1] to the workers to run c->h[pos].
 * What a full ring refuses is dropped (offload_full).
 */
void prx__offload_send(struct prx_pipe *p, const struct prx_chain *c, uint16_t pos,
		       struct rte_mbuf **pkts, uint16_t n);

/**
 * Reactor side, every iteration: take back what the workers did and act on it.
 * @return packets taken back, at least 1 while some are still out (so that no engine
 *   sleeps with packets at workers).
 */
unsigned int prx_offload_drain(struct prx_pipe *p);

/** Reactor side, when its loop ends: take everything back (workers still run). */
void prx_offload_finish(struct prx_pipe *p);

/**
 * Control side, after a grace period: wait until everything enqueued to workers before
 * the call was processed and taken back by the reactors (PRX_CHAIN_MAX rounds: a packet
 * may go out once per offloaded handler of its chain).  Skipped when the workers do not
 * run.  @return 0, or -ETIMEDOUT after timeout_ns (logged by the caller).
 */
int prx_offload_barrier(struct prx_offload *o, uint64_t timeout_ns);

/** The pool's lane of (reactor r, worker w). */
static inline struct prx_off_lane *
prx_offload_lane(const struct prx_offload *o, uint16_t r, uint16_t w)
{
	return &o->lanes[(unsigned int)r * o->n_workers + w];
}

/** Relaxed copy of a worker's counters. */
void prx_worker_stats_read(const struct prx_worker *w, struct prx_worker_stats *out);

/** The flow hash that picks a packet's worker: the NIC's RSS hash when it gave one,
 *  else IPv4/IPv6 addresses, protocol and TCP/UDP ports, else the MAC addresses. */
uint32_t prx_flow_hash(const struct rte_mbuf *m);

#endif /* PRX_OFFLOAD_H */
