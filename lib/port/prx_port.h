/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The generic port object and the contract between libprx and a port driver.
 *
 * A driver (drivers/dpdk, drivers/afpacket, a test double) allocates a port with
 * prx_port_alloc(), fills its queue handles and burst functions, and provides one
 * `static const struct prx_port_ops`.  The library owns the object, the per-queue
 * statistics and the life cycle (configure -> start -> stop -> close).
 *
 * Threads: control ops run on the control thread only.  The burst functions run on
 * the one reactor that owns the queue (rx: the plan's owner; tx queue i: reactor i).
 */
#ifndef PRX_PORT_H
#define PRX_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "prx_common.h"

struct prx_port;
struct rte_mempool;

/**
 * Receive up to n packets from an rx queue handle.  Returns how many were stored in
 * pkts; the caller owns them.  Never blocks, never fails (0 = nothing there).
 */
typedef uint16_t (*prx_rx_burst_fn)(void *rxq, struct rte_mbuf **pkts, uint16_t n);

/**
 * Queue up to n packets on a tx queue handle.  Returns how many the driver took (it
 * owns and frees those); the caller keeps ownership of pkts[ret..n-1].
 */
typedef uint16_t (*prx_tx_burst_fn)(void *txq, struct rte_mbuf **pkts, uint16_t n);

/** What configure asks of a driver. */
struct prx_port_setup {
	uint16_t n_rxq;		   /**< rx queues */
	uint16_t n_txq;		   /**< tx queues (one per reactor) */
	uint16_t rx_desc, tx_desc; /**< ring sizes (drivers may round) */
	bool promiscuous;
	bool rx_intr; /**< set up rx interrupts if the device has them (adaptive engine) */
	struct rte_mempool *pool; /**< rx buffers come from here (on the port's socket) */
};

/** Hardware/driver counters of a port, summed over its queues. */
struct prx_port_hw_stats {
	uint64_t ipackets, opackets, ibytes, obytes;
	uint64_t imissed; /**< dropped by the device/kernel: rx ring full */
	uint64_t ierrors, oerrors;
	uint64_t rx_nombuf; /**< rx mbuf allocation failures */
};

/** Link state. */
struct prx_port_link {
	bool up;
	bool full_duplex;
	uint32_t speed_mbps; /**< 0 = unknown */
};

/**
 * Control operations of a driver.  A NULL slot means "not supported": the generic
 * wrapper then returns -ENOTSUP (or does nothing for stop/close).
 */
struct prx_port_ops {
	/** Driver name ("dpdk", "afpacket"). */
	const char *driver;
	/**
	 * Allocate queues and fill port->rxq[], port->txq[], port->rx_burst, port->tx_burst.
	 * Called once, stopped.  Returns 0 or -errno (port unchanged on failure).
	 */
	int (*configure)(struct prx_port *port, const struct prx_port_setup *setup);
	/** Start receiving and transmitting.  0 or -errno. */
	int (*start)(struct prx_port *port);
	/** Stop the device; no burst function may run on it afterwards.  May be NULL. */
	void (*stop)(struct prx_port *port);
	/** Release the device and driver state (port->priv); called once, stopped.  May be NULL. */
	void (*close)(struct prx_port *port);
	/** Read counters.  0 or -errno. */
	int (*hw_stats)(struct prx_port *port, struct prx_port_hw_stats *st);
	/** Read link state without waiting.  0 or -errno. */
	int (*link)(struct prx_port *port, struct prx_port_link *link);
	/**
	 * File descriptor that becomes readable when rx queue q has packets (epoll engine),
	 * or -ENOTSUP.  May be NULL.
	 */
	int (*rx_wakeup_fd)(struct prx_port *port, uint16_t q);
	/*
	 * Rx interrupts (adaptive engine).  Unlike a wake-up fd, an interrupt fires only while
	 * armed, and only for packets that arrive after arming.  These run on the thread of
	 * the queue's owner, never on the control thread.  All may be NULL (no interrupts).
	 */
	/**
	 * Register rx queue q's interrupt with the calling thread.  Returns an fd that turns
	 * readable when an armed queue of this thread receives (queues may share one), or
	 * -errno (-ENOTSUP: the device has none).
	 */
	int (*rx_intr_open)(struct prx_port *port, uint16_t q);
	/** Undo rx_intr_open (the queue leaves the thread, or the thread stops). */
	void (*rx_intr_close)(struct prx_port *port, uint16_t q);
	/** Arm (`on`) or disarm queue q's interrupt.  0 or -errno. */
	int (*rx_intr_arm)(struct prx_port *port, uint16_t q, bool on);
	/** The fd rx_intr_open returned is readable: consume what made it so. */
	void (*rx_intr_ack)(struct prx_port *port, int fd);
};

/** prx's own per-queue counters, written only by the owning reactor. */
struct prx_queue_stats {
	uint64_t packets; /**< rx: received; tx: accepted by the driver */
	uint64_t dropped; /**< tx only: refused by the driver (freed, counted as tx_full) */
} __rte_cache_aligned;

/** Port life cycle. */
enum prx_port_state {
	PRX_PORT_PROBED,
	PRX_PORT_CONFIGURED,
	PRX_PORT_STARTED,
	PRX_PORT_STOPPED,
};

/** A port.  Drivers that need more embed it or keep their state in priv. */
struct prx_port {
	char name[PRX_NAME_MAX];
	uint16_t index; /**< slot (0..PRX_MAX_PORTS-1): tx buffers and tables use it */
	int socket;	/**< NUMA node of the device, -1 unknown */
	enum prx_port_state state;
	const struct prx_port_ops *ops;
	void *priv; /**< driver state */
	struct rte_ether_addr mac;
	uint32_t addr4;	 /**< the appliance's IPv4 address on this port (network order), 0 none */
	uint8_t prefix4; /**< its prefix length */
	uint16_t max_rxq, max_txq; /**< driver limits (filled at probe) */
	uint16_t n_rxq, n_txq;	   /**< configured */
	uint32_t rx_desc; /**< slots of each rx ring: setup's rx_desc, or what the driver made */
	/** Frames arrive written by the receiving reactor's own CPU (a driver that copies
	 *  each one into its mbuf), so in its cache: handlers need not prefetch them. */
	bool rx_hot;
	prx_rx_burst_fn rx_burst;
	prx_tx_burst_fn tx_burst;
	void **rxq;			   /**< n_rxq driver queue handles */
	void **txq;			   /**< n_txq driver queue handles */
	struct prx_queue_stats *rxq_stats; /**< n_rxq */
	struct prx_queue_stats *txq_stats; /**< n_txq */
};

/**
 * Allocate a port in state PROBED (for drivers).  `priv_size` bytes of zeroed driver
 * state are allocated with it (port->priv), on `socket`.
 * @return 0 or -EINVAL/-ENOMEM.
 */
int prx_port_alloc(const char *name, const struct prx_port_ops *ops, size_t priv_size, int socket,
		   struct prx_port **out);

/** Configure queues: allocates the handle and statistics arrays, calls ops->configure. */
int prx_port_configure(struct prx_port *port, const struct prx_port_setup *setup);
/** Start (CONFIGURED or STOPPED -> STARTED). */
int prx_port_start(struct prx_port *port);
/** Stop (no-op unless STARTED). */
void prx_port_stop(struct prx_port *port);
/** Stop if needed, close and free.  NULL is fine. */
void prx_port_close(struct prx_port *port);
/** Driver counters (-ENOTSUP without ops->hw_stats). */
int prx_port_hw_stats(struct prx_port *port, struct prx_port_hw_stats *st);
/** Link state (-ENOTSUP without ops->link). */
int prx_port_link(struct prx_port *port, struct prx_port_link *link);
/** Wake-up fd of rx queue q (-ENOTSUP without ops->rx_wakeup_fd). */
int prx_port_rx_wakeup_fd(struct prx_port *port, uint16_t q);

/** Rx interrupts (see struct prx_port_ops): -ENOTSUP when the driver has none. */
int prx_port_rx_intr_open(struct prx_port *port, uint16_t q);
void prx_port_rx_intr_close(struct prx_port *port, uint16_t q);
int prx_port_rx_intr_arm(struct prx_port *port, uint16_t q, bool on);
void prx_port_rx_intr_ack(struct prx_port *port, int fd);

/** prx's counters summed over queues (relaxed reads; any thread). */
struct prx_port_sw_stats {
	uint64_t rx;	  /**< received by reactors */
	uint64_t tx;	  /**< accepted by the driver */
	uint64_t tx_drop; /**< refused by the driver */
};
void prx_port_sw_stats(const struct prx_port *port, struct prx_port_sw_stats *st);

/** Relaxed single-writer counter update: a plain add, but race-free for readers. */
static inline void
prx_counter_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/** Relaxed read of a counter another thread writes. */
static inline uint64_t
prx_counter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif /* PRX_PORT_H */
