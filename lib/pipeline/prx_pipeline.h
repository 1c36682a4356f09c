/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Run-to-completion pipeline: the handler ABI, packet dispositions, per-(reactor, port)
 * tx buffering and the per-reactor accounting.
 *
 * A handler receives a burst and must dispose of every packet exactly once:
 *   prx_pkt_tx() / prx_pkt_tx_burst()  queue it for transmission on a port (by slot index);
 *   prx_pkt_drop()                     free it and count a reason;
 *   prx_pkt_punt()                     hand it to the slow path;
 *   prx_pkt_next()                     pass it on to the next handler of the chain.
 * Packets a handler makes itself (ARP requests, ICMP errors) come from
 * prx_pkt_originate() and are then disposed of the same way, so per reactor
 *
 *     rx + originated == tx + sum(drop[reason]) + punted + in_flight
 *
 * holds at every instant the reactor is between bursts, where in_flight is what sits in
 * its tx buffers and what is out at workers (0 once traffic stops and the buffers drain).
 *
 * Everything here runs on one reactor thread and touches only that reactor's state.
 */
#ifndef PRX_PIPELINE_H
#define PRX_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "prx_common.h"
#include "prx_drop.h"
#include "prx_port.h"

struct prx_pipe;
struct prx_handler;
struct prx_offload;
struct prx_off_cap;

/** A handler's burst function: dispose of pkts[0..n-1]. */
typedef void (*prx_handler_fn)(struct prx_pipe *p, const struct prx_handler *h,
			       struct rte_mbuf **pkts, uint16_t n);

/** Per (handler, reactor) counters. */
struct prx_handler_stats {
	uint64_t in;	  /**< packets given to the handler */
	uint64_t dropped; /**< packets it dropped (any reason) */
} __rte_cache_aligned;

/**
 * A handler instance: immutable once published to reactors except for its per-reactor
 * stats slots.  Replacing a handler's configuration means a new instance and a new
 * snapshot; the old one is freed after an RCU grace period.
 */
struct prx_handler {
	char name[PRX_NAME_MAX];
	const char *type; /**< "xconnect", ... */
	prx_handler_fn process;
	bool offload; /**< runs on the worker pool (prx_offload.h) when there is one */
	void *priv;   /**< type-specific, immutable configuration/tables */
	void (*destroy)(struct prx_handler *h); /**< frees priv; may be NULL */
	struct prx_handler_stats stats[PRX_MAX_REACTORS];
};

/** A chain: the handlers a port's received packets run through, in order. */
struct prx_chain {
	uint16_t n;
	struct prx_handler *h[PRX_CHAIN_MAX];
};

/** Per-reactor accounting (see the identity above). */
struct prx_pipe_stats {
	uint64_t rx;
	uint64_t originated;
	uint64_t tx;
	uint64_t punted;
	uint64_t drop[PRX_DROP_MAX];
};

/** Per (reactor, port) tx buffer. */
struct prx_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[PRX_BURST_MAX];
};

/**
 * A reactor's pipeline state.  Mutable, owned by the reactor thread, survives snapshot
 * swaps (counters, tx buffers).  `ports` points into the reactor's current snapshot.
 */
struct prx_pipe {
	uint16_t id;		       /**< reactor index == tx queue id on every port */
	uint16_t tx_threshold;	       /**< flush a tx buffer when it holds this many (the burst) */
	uint32_t dirty;		       /**< bit i: tx[i] holds packets */
	struct prx_port *const *ports; /**< slot -> port of the current snapshot (NULL = none) */
	struct rte_mempool *pool;      /**< for prx_pkt_originate() */
	struct rte_ring *punt; /**< slow-path ring (single producer: this reactor), or NULL */
	bool punt_kick;	       /**< punted into an empty ring: wake the control thread */
	uint16_t in_slot;      /**< slot of the port the current burst came from */
	struct prx_handler_stats *hs; /**< current handler's slot for this reactor */
	struct rte_mbuf **next;	      /**< where prx_pkt_next() puts packets */
	uint16_t n_next;
	uint16_t n_free;
	struct rte_mbuf *free[PRX_BURST_MAX]; /**< dropped packets awaiting bulk free */
	struct prx_pipe_stats st;
	struct prx_offload *off; /**< the worker pool, or NULL (offloaded handlers run inline) */
	struct prx_off_cap *cap; /**< a worker's pipe: capture dispositions (else NULL) */
	uint64_t off_out;	 /**< packets handed to workers (and originated there) */
	uint64_t off_back;	 /**< packets they gave back */
	struct prx_txbuf tx[PRX_MAX_PORTS];
} __rte_cache_aligned;

/** Initialise a reactor's pipeline state. */
void prx_pipe_init(struct prx_pipe *p, uint16_t id, uint16_t burst, struct rte_mempool *pool);

/** Send what tx[slot] holds; what the port refuses is freed and counted tx_full. */
void prx__pipe_flush_port(struct prx_pipe *p, uint16_t slot);
/** Free and count (tx_full) packets a port refused; not charged to the current handler. */
void prx__pipe_tx_refused(struct prx_pipe *p, struct prx_port *port, struct rte_mbuf **pkts,
			  uint16_t n);
/** Free the collected drops. */
void prx__pipe_free_drops(struct prx_pipe *p);
/** Slow path of prx_pkt_tx_burst(): n packets that do not fit the zero-copy case. */
void prx__pipe_tx_burst_slow(struct prx_pipe *p, uint16_t slot, struct rte_mbuf **pkts, uint16_t n);

/** Flush every tx buffer that holds packets. */
static inline void
prx_pipe_flush(struct prx_pipe *p)
{
	uint32_t d = p->dirty;

	while (d != 0) {
		uint16_t slot = (uint16_t)__builtin_ctz(d);

		d &= d - 1;
		prx__pipe_flush_port(p, slot);
	}
}

/** Packets in tx buffers and out at workers (the accounting's in_flight). */
uint64_t prx_pipe_in_flight(const struct prx_pipe *p);

/** Drop a packet with a reason (freed in bulk at the end of the chain). */
static inline void
prx_pkt_drop(struct prx_pipe *p, struct rte_mbuf *m, enum prx_drop_reason reason)
{
	prx_counter_add(&p->st.drop[reason], 1);
	if (p->hs != NULL)
		prx_counter_add(&p->hs->dropped, 1);
	if (unlikely(p->n_free == PRX_BURST_MAX))
		prx__pipe_free_drops(p);
	p->free[p->n_free++] = m;
}

/** Pass a packet of the current burst on to the next handler of the chain. */
static inline void
prx_pkt_next(struct prx_pipe *p, struct rte_mbuf *m)
{
	p->next[p->n_next++] = m;
}

/** Queue a packet for transmission on port slot `slot`. */
static inline void
prx_pkt_tx(struct prx_pipe *p, uint16_t slot, struct rte_mbuf *m)
{
	struct prx_txbuf *b = &p->tx[slot];
	uint16_t k = b->n;

	b->pkts[k] = m;
	/* other threads read n for in_flight: a relaxed store is a plain mov here */
	__atomic_store_n(&b->n, k + 1, __ATOMIC_RELAXED);
	p->dirty |= UINT32_C(1) << slot;
	if (k + 1 >= p->tx_threshold)
		prx__pipe_flush_port(p, slot);
}

/**
 * Queue a burst for transmission on port slot `slot`.  A full burst meeting an empty
 * buffer goes straight to the driver without a copy (the cross-connect fast path).
 */
static inline void
prx_pkt_tx_burst(struct prx_pipe *p, uint16_t slot, struct rte_mbuf **pkts, uint16_t n)
{
	struct prx_port *port = p->ports[slot];

	if (likely(p->tx[slot].n == 0 && n >= p->tx_threshold && port != NULL)) {
		uint16_t sent = port->tx_burst(port->txq[p->id], pkts, n);

		prx_counter_add(&p->st.tx, sent);
		prx_counter_add(&port->txq_stats[p->id].packets, sent);
		if (unlikely(sent < n))
			prx__pipe_tx_refused(p, port, pkts + sent, n - sent);
		return;
	}
	prx__pipe_tx_burst_slow(p, slot, pkts, n);
}

/** Hand a packet to the slow path.  Without a slow-path ring it is dropped (punt_full).
 *  Set its metadata first (prx_punt_meta_set(), prx_punt.h): the control plane reads
 *  why it came and from which port. */
void prx_pkt_punt(struct prx_pipe *p, struct rte_mbuf *m);

/** Allocate a packet the appliance makes itself (counted as originated), or NULL. */
static inline struct rte_mbuf *
prx_pkt_originate(struct prx_pipe *p)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(p->pool);

	if (m != NULL)
		prx_counter_add(&p->st.originated, 1);
	return m;
}

/**
 * Run a received burst through a chain to completion.  pkts may be overwritten.
 * Packets left over after the last handler are dropped as chain_end.
 */
void prx_chain_run(struct prx_pipe *p, const struct prx_chain *c, struct rte_mbuf **pkts,
		   uint16_t n);
/** The same from handler c->h[pos] on (packets a worker gave back). */
void prx_chain_run_from(struct prx_pipe *p, const struct prx_chain *c, uint16_t pos,
			struct rte_mbuf **pkts, uint16_t n);
/** Worker pipes: what a handler did, as items for the reactor (prx_offload.h). */
void prx__offload_cap_tx(struct prx_pipe *p, uint16_t slot);
void prx__offload_cap_drops(struct prx_pipe *p);
void prx__offload_cap_punt(struct prx_pipe *p, struct rte_mbuf *m);

/** Sum of one reactor's accounting, read from another thread (relaxed). */
void prx_pipe_stats_read(const struct prx_pipe *p, struct prx_pipe_stats *out);

/** Add b into a. */
void prx_pipe_stats_add(struct prx_pipe_stats *a, const struct prx_pipe_stats *b);

/** Sum of all drop reasons. */
uint64_t prx_pipe_stats_dropped(const struct prx_pipe_stats *s);

/**
 * Allocate a handler instance of `type` with `priv_size` zeroed bytes of private state.
 * @return 0 or -EINVAL/-ENOMEM.
 */
int prx_handler_alloc(const char *name, const char *type, prx_handler_fn fn, size_t priv_size,
		      struct prx_handler **out);
/** Destroy a handler (calls h->destroy, frees it).  NULL is fine. */
void prx_handler_free(struct prx_handler *h);
/** Counters of a handler summed over reactors. */
void prx_handler_stats_read(const struct prx_handler *h, struct prx_handler_stats *out);

#endif /* PRX_PIPELINE_H */
