/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The slow path: packets reactors punt to the control plane, and packets the control
 * plane sends out through a port.
 *
 * Each reactor has a punt ring (single producer: the reactor; single consumer: the
 * control thread) and an inject ring (the other way).  A reactor that punts into an
 * empty ring writes the slow path's eventfd once per iteration, so the control thread
 * sleeps until there is something to do.  Punted packets carry their reason, input
 * port and consumer in the mbuf (prx_punt.h); each consumer is a function a handler
 * instance registered (the router's ARP learning and ICMP errors, for example).
 * Packets sent with prx_slowpath_send() go through reactor 0's tx buffers, counted
 * there as originated, so the accounting identity keeps holding.
 *
 * One slow path per process (as there is one data plane), set up by prx_dp_setup().
 * Every function runs on the control thread.
 */
#ifndef PRX_SLOWPATH_H
#define PRX_SLOWPATH_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "prx_evloop.h"
#include "prx_punt.h"
#include "prx_reactor.h"

#define PRX_SLOWPATH_RING 1024 /**< slots of each punt and inject ring */
#define PRX_SLOWPATH_MAX_CONSUMERS 255

/** A consumer: takes ownership of m (sends, keeps or frees it). */
typedef void (*prx_punt_fn)(void *ctx, struct rte_mbuf *m);

/** Slow-path counters (control thread; read them there). */
struct prx_slowpath_stats {
	uint64_t punts[PRX_PUNT_REASON_MAX]; /**< taken from the rings, by reason */
	uint64_t unclaimed;		     /**< no consumer registered: freed */
	uint64_t sent;			     /**< handed to a reactor for transmission */
	uint64_t send_failed;		     /**< inject ring full or no such port: freed */
};

/**
 * Set up rings for `n` reactors, wire them into each reactor (before launch) and keep
 * `pool` for prx_slowpath_alloc().  @return 0 or -errno.
 */
int prx_slowpath_init(struct prx_reactor *const *reactors, unsigned int n,
		      struct rte_mempool *pool);
/** Free rings and what they hold (reactors stopped).  Safe when not set up. */
void prx_slowpath_fini(void);
/** Serve the eventfd on the control loop `ev` (0 or -errno); NULL detaches. */
int prx_slowpath_attach(struct prx_evloop *ev);
/** Drain every punt ring now and dispatch.  @return packets handled. */
unsigned int prx_slowpath_poll(void);

/** Register a consumer.  @return its id (1..255) for prx_punt_meta_set(), or -ENOSPC. */
int prx_slowpath_consumer_add(prx_punt_fn fn, void *ctx);
/** A consumer's timer: called every PRX_SLOWPATH_TICK_US with CLOCK_MONOTONIC ns. */
typedef void (*prx_tick_fn)(void *ctx, uint64_t now_ns);
#define PRX_SLOWPATH_TICK_US 100000
/** Give consumer `id` a timer (while the slow path is attached to a loop); NULL stops it. */
void prx_slowpath_consumer_tick(int id, prx_tick_fn fn);
/** Unregister (after the handler that punted for it is unpublished: the rings are
 *  drained first, so nothing in flight reaches a consumer that is gone). */
void prx_slowpath_consumer_del(int id);

/** A packet buffer for the control plane to fill, or NULL. */
struct rte_mbuf *prx_slowpath_alloc(void);
/** Send m out of port `slot` (ownership taken; freed on failure).  0 or -errno. */
int prx_slowpath_send(uint16_t slot, struct rte_mbuf *m);

/** A copy of the counters. */
void prx_slowpath_stats(struct prx_slowpath_stats *out);

#endif /* PRX_SLOWPATH_H */
