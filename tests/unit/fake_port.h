/* SPDX-License-Identifier: BSD-3-Clause */
/* A port driver test double: rx hands out queued (or freshly made) mbufs, tx takes up to
 * a limit and keeps what it took for inspection. */
#ifndef FAKE_PORT_H
#define FAKE_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_port.h"

#define FAKE_MAX_PKTS 4096

struct fake_queue {
	struct fake_port *fp;
	uint16_t id;
};

struct fake_port {
	struct rte_mempool *pool;
	bool generate;	   /* rx makes fresh 64 B frames without end (like net_null) */
	uint32_t tx_limit; /* tx accepts at most this many in total (UINT32_MAX: all) */
	uint32_t n_rx;	   /* queued for rx (queue 0) */
	uint32_t rx_pos;
	struct rte_mbuf *rx[FAKE_MAX_PKTS];
	uint32_t n_tx; /* taken by tx (kept, in order) */
	struct rte_mbuf *tx[FAKE_MAX_PKTS];
	uint64_t tx_total; /* taken in generate mode (freed at once) */
	struct fake_queue q[PRX_MAX_REACTORS];
};

/** A configured, started fake port with n_txq tx queues at `slot`. */
struct prx_port *fake_port_create(const char *name, uint16_t slot, uint16_t n_txq,
				  struct rte_mempool *pool);
struct fake_port *fake_port_priv(struct prx_port *port);
/** Queue a frame of `len` bytes for rx; its first byte is `tag`. */
void fake_port_push(struct prx_port *port, uint16_t len, uint8_t tag);
/** Free what tx kept. */
void fake_port_reset_tx(struct prx_port *port);

#endif
