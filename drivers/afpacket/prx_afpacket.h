/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * AF_PACKET driver: a kernel network interface as a prx port (fallback mode).
 *
 * Each rx queue is one packet socket with an mmap'ed rx ring; with more than one rx queue
 * the sockets join one PACKET_FANOUT group (symmetric flow hash), so the kernel spreads
 * the interface's flows over the queues.  Frames are copied into rte_mbufs from the pool
 * the port is configured with, so handlers run unchanged.  Each tx queue is its own
 * packet socket that receives nothing.  docs/afpacket.md explains each choice and its
 * measurements.
 *
 * Ops (struct prx_port_ops "afpacket"):
 *  configure     open the sockets and rings (n_rxq rx sockets, n_txq tx sockets),
 *                PACKET_IGNORE_OUTGOING on rx sockets, promiscuous mode
 *                (PACKET_MR_PROMISC, dropped with the socket), optional
 *                PACKET_QDISC_BYPASS on tx sockets; turns GRO/LRO off on the interface
 *                (logged; restored at close), because super-frames do not fit a ring
 *                frame.  Ring frames are sized from the MTU unless frame_size is given.
 *  start/stop    the first start binds the rx sockets to the interface and joins the
 *                fanout group (PACKET_FANOUT_FLAG_IGNORE_OUTGOING, so the port does not
 *                receive its own frames).  An interface that is down cannot be joined:
 *                start then succeeds and link() joins once the interface is up.  Stop
 *                attaches a drop-all socket filter (a fanout member cannot be unbound);
 *                start removes it and discards what the rings held.  Rings live until
 *                close.
 *  close         close sockets, unmap rings, restore the interface's GRO/LRO settings.
 *  hw_stats      ipackets/ibytes/opackets/obytes counted by the driver's bursts;
 *                imissed = PACKET_STATISTICS tp_drops (accumulated: reading resets them);
 *                ierrors = frames dropped as truncated (longer than a ring frame),
 *                rx_nombuf = frames dropped for want of mbufs, oerrors = frames the
 *                kernel refused (the caller got them back).
 *  link          IFF_UP and IFF_RUNNING of the interface; speed and duplex from ethtool.
 *                Also reads the ENETDOWN a link-down leaves on the rx sockets (their fds
 *                poll EPOLLERR until it is read) and completes a pending fanout join.
 *  rx_wakeup_fd  the rx socket of queue q (readable when its ring has frames).
 * Bursts: rx copies ring frames into mbufs (no syscall; VLAN tags the kernel stripped are
 * put back, partial TCP/UDP checksums completed); tx sends a burst with one sendmmsg()
 * (MSG_DONTWAIT, one iovec per mbuf segment) and returns what the kernel refused
 * (EAGAIN, ENOBUFS, ENETDOWN, EMSGSIZE...) as not sent.  Any number of tx queues (one
 * socket each, up to PRX_MAX_REACTORS); up to 256 rx queues (one fanout group).
 */
#ifndef PRX_AFPACKET_H
#define PRX_AFPACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_port.h"

/** How the kernel hands received frames over (`afpacket.rx_ring`). */
enum prx_afpacket_ring {
	PRX_AFPACKET_RING_DEFAULT = 0, /**< TPACKET_V2 */
	PRX_AFPACKET_RING_V2 = 2,      /**< one frame at a time: lowest latency (default) */
	PRX_AFPACKET_RING_V3 = 3,      /**< blocks of frames, retired when full or timed out */
};

/** Settings of an AF_PACKET port (config: a port's `afpacket` group). */
struct prx_afpacket_params {
	const char *name;     /**< port name */
	const char *ifname;   /**< kernel interface */
	uint32_t ring_frames; /**< frames per rx ring (per queue); default 4096 */
	uint32_t frame_size;  /**< bytes per ring frame (16-multiple); 0 = from MTU, >= 2048 */
	bool qdisc_bypass;    /**< PACKET_QDISC_BYPASS on tx sockets; default false */
	enum prx_afpacket_ring ring; /**< TPACKET version of the rx rings; default V2 */
	uint32_t block_size;	     /**< V3: bytes per block (page multiple); default 128 KiB */
	uint32_t retire_tov_ms;	     /**< V3: block retire timeout in ms; default 1 */
	bool fanout_defrag;	     /**< fanout reassembles IP fragments: off (docs/afpacket.md) */
	/** PACKET_VNET_HDR: TSO/GSO super-frames (up to 64 KiB) and partial checksums pass
	 *  through as mbuf offload requests (RTE_MBUF_F_TX_TCP_SEG, ..._TCP_CKSUM), and
	 *  leave through a gso port as such; GRO stays on.  V2 rings of 64 KiB frames. */
	bool gso;
};

/** Fill defaults for the fields left 0 (frame_size stays 0: chosen from the MTU). */
void prx_afpacket_params_defaults(struct prx_afpacket_params *p);

/**
 * Check the interface exists and wrap it as a port in state PROBED: max queues, MAC
 * (the interface's), NUMA socket (/sys/class/net/IF/device/numa_node, -1 when unknown).
 * The interface is looked up in the network namespace of the calling thread, and the
 * port stays in that namespace.
 * @return 0 or -errno with the reason logged (-ENODEV: no such interface).
 */
int prx_afpacket_port_probe(const struct prx_afpacket_params *p, struct prx_port **out);

/** The interface's MTU, or -errno. */
int prx_afpacket_mtu(const struct prx_port *port);

#endif /* PRX_AFPACKET_H */
