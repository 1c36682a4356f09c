/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A statistics view: a self-contained copy of every counter of the data plane, taken by
 * the control thread from the registry at one moment (prx_dp_view_take()).
 *
 * Exporters render views, never the registry: the telemetry thread reads the view the
 * control thread last published (prx_view_get/put, refreshed every 100 ms and after
 * each change), the Prometheus endpoint and the control socket take a fresh one.  A view
 * is immutable once taken and owns all its memory (one allocation set, freed by
 * prx_view_free()), so a port removed after the view was taken cannot dangle in it.
 */
#ifndef PRX_VIEW_H
#define PRX_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_common.h"
#include "prx_drop.h"
#include "prx_pipeline.h"
#include "prx_port.h"
#include "prx_reactor.h"

/** One rx queue of a port. */
struct prx_view_rxq {
	uint64_t packets; /**< received by its reactor */
	int reactor;	  /**< owner, -1 while a move is in progress */
};

/** One tx queue of a port (tx queue i belongs to reactor i). */
struct prx_view_txq {
	uint64_t packets; /**< accepted by the driver */
	uint64_t dropped; /**< refused by the driver (tx_full) */
};

/** A port. */
struct prx_view_port {
	char name[PRX_NAME_MAX];
	char driver[16];     /**< "dpdk", "afpacket" */
	char device[128];    /**< DPDK devargs or kernel interface */
	uint16_t slot;	     /**< tx slot handlers name it by */
	int socket;	     /**< NUMA node, -1 unknown */
	int8_t link;	     /**< 1 up, 0 down, -1 unknown */
	uint32_t speed_mbps; /**< 0 unknown */
	char mac[18];	     /**< "02:00:00:00:00:01" */
	struct prx_port_sw_stats sw;
	struct prx_port_hw_stats hw;
	bool hw_ok; /**< hw holds the driver's counters */
	uint16_t n_chain;
	char chain[PRX_CHAIN_MAX][PRX_NAME_MAX]; /**< handler names */
	uint16_t n_rxq, n_txq;
	struct prx_view_rxq *rxq; /**< n_rxq */
	struct prx_view_txq *txq; /**< n_txq */
};

/** A reactor. */
struct prx_view_reactor {
	uint16_t id;
	unsigned int lcore;
	int socket;
	char engine[16];
	struct prx_pipe_stats st; /**< accounting */
	uint64_t in_flight;
	struct prx_reactor_stats rs;
	double busy_pct;       /**< busy cycles / all cycles since start, in percent */
	double empty_pct;      /**< empty polls' share, the same way */
	double sleep_pct;      /**< sleeping's share (epoll, adaptive); the three add to 100 */
	uint64_t snapshot_gen; /**< generation of the snapshot it published last */
	uint16_t n_rxq;	       /**< rx queues it polls */
};

/** A handler instance. */
struct prx_view_handler {
	char name[PRX_NAME_MAX];
	char type[16];
	char config[96];      /**< its settings in one line ("to=out mac=swap") */
	uint64_t in, dropped; /**< summed over reactors, including replaced instances */
};

/** A worker of the pool (`workers`). */
struct prx_view_worker {
	uint16_t id;
	unsigned int lcore;
	uint64_t packets; /**< run through an offloaded handler */
	uint64_t bursts;
	uint64_t waits; /**< times a full return ring made it wait */
};

/** The whole view. */
struct prx_view {
	uint64_t taken_ns; /**< CLOCK_MONOTONIC when taken */
	uint64_t tsc_hz;
	char instance[PRX_NAME_MAX];
	char mode[16];	  /**< "dpdk" or "fallback" */
	uint64_t changes; /**< live changes applied since start */
	uint64_t reloads, reload_failures;
	unsigned int n_ports, n_reactors, n_handlers;
	struct prx_view_port *ports;
	struct prx_view_reactor *reactors;
	struct prx_view_handler *handlers;
	struct prx_pipe_stats total; /**< sum over reactors */
	uint64_t dropped;	     /**< sum of total.drop[] */
	uint64_t in_flight;
	bool balanced; /**< rx + originated == tx + dropped + punted + in_flight */
	unsigned int n_workers;
	struct prx_view_worker workers[PRX_MAX_WORKERS];
	uint64_t mbufs_total; /**< packet buffers in every pool */
	uint64_t mbufs_free;  /**< of which in the pools (per-lcore caches included) */
};

/** Free a view and everything it holds (NULL is fine). */
void prx_view_free(struct prx_view *v);

/** Allocate an empty view with room for the given numbers of ports/reactors/handlers
 *  (zeroed; ports' rxq/txq arrays are allocated by prx_view_port_queues()).  NULL on ENOMEM. */
struct prx_view *prx_view_alloc(unsigned int n_ports, unsigned int n_reactors,
				unsigned int n_handlers);
/** Allocate a port's queue arrays.  @return 0 or -ENOMEM. */
int prx_view_port_queues(struct prx_view_port *p, uint16_t n_rxq, uint16_t n_txq);

/**
 * The published view (telemetry thread, any thread but the control one): a reference
 * the caller returns with prx_view_put().  NULL when nothing is published.
 */
struct prx_view *prx_view_get(void);
/** Return a reference from prx_view_get(). */
void prx_view_put(struct prx_view *v);
/** Publish a view (control thread), taking ownership; the previous one is freed once its
 *  last reader puts it.  NULL unpublishes. */
void prx_view_publish(struct prx_view *v);

#endif /* PRX_VIEW_H */
