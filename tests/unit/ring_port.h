/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port driver test double for the engines: each rx queue is an rte_ring that a test
 * thread fills while a reactor polls it.  How the queue can wake the reactor is the
 * port's mode: not at all (a DPDK vdev), by a wake-up fd (a kernel interface), by an rx
 * interrupt that fires only while armed (a NIC), or an interrupt fd that cannot be armed
 * (net_tap).  Tx frees and counts.
 */
#ifndef RING_PORT_H
#define RING_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_port.h"
#include "prx_reactor.h"

enum ring_port_mode {
	RP_POLL_ONLY,
	RP_WAKE_FD,
	RP_INTR,
	RP_INTR_BROKEN, /* rx_intr_open works, arming says -ENOTSUP */
};

#define RING_PORT_MAX_RXQ 4

struct ring_port_q {
	struct rte_ring *ring;
	int efd;		/* wake-up or interrupt eventfd, -1 in RP_POLL_ONLY */
	bool wake;		/* efd is a wake-up fd (RP_WAKE_FD) */
	int armed;		/* RP_INTR: the interrupt is armed (atomic) */
	uint64_t fired;		/* interrupts raised (producer) */
	uint64_t arms, disarms; /* reactor */
	bool open;		/* rx_intr_open without close (reactor) */
};

struct ring_port {
	enum ring_port_mode mode;
	uint64_t tx_total; /* frames tx took (written by the reactor) */
	uint64_t acks;	   /* rx_intr_ack calls */
	struct ring_port_q q[RING_PORT_MAX_RXQ];
};

/** A started port with n_rxq ring queues, n_txq tx queues, at `slot`. */
struct prx_port *ring_port_create(const char *name, uint16_t slot, uint16_t n_rxq, uint16_t n_txq,
				  enum ring_port_mode mode, struct rte_mempool *pool);
struct ring_port *ring_port_priv(struct prx_port *port);
/** From any thread: queue n fresh 64-byte frames on rx queue q and wake as the mode does.
 *  Returns how many were queued. */
unsigned int ring_port_inject(struct prx_port *port, uint16_t q, struct rte_mempool *pool,
			      unsigned int n);
/** A poll entry for rx queue q with the given chain (one handler or none). */
struct prx_poll_entry ring_port_entry(struct prx_port *port, uint16_t q, struct prx_handler *h);

#endif
