/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_PACKET driver internals shared by afpacket.c (control), afp_rx.c and afp_tx.c.
 */
#ifndef PRX_AFP_INTERNAL_H
#define PRX_AFP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "prx_afpacket.h"

/* iovecs one tx burst may use (multi-segment mbufs take one per segment; a 64 KiB
 * super-frame of 2 KiB mbufs 33, and its virtio_net_hdr one) */
#define AFP_TX_IOV_MAX (40 * PRX_BURST_MAX)

/* Counters written by the queue's reactor only (prx_counter_add), read with relaxed loads. */
struct afp_rx_counters {
	uint64_t packets, bytes;
	uint64_t nombuf;    /* frames dropped: no mbuf */
	uint64_t truncated; /* frames dropped: tp_snaplen < tp_len (longer than a ring frame) */
	uint64_t bad_vnet;  /* gso: frames dropped, their virtio_net_hdr not carried (afp_vnet.c) */
};

struct afp_tx_counters {
	uint64_t packets, bytes;
	uint64_t refused; /* frames the kernel did not take (returned to the caller) */
};

/* One rx queue: a packet socket and its mmap'ed ring. */
struct afp_rxq {
	/* set at configure, read by the burst */
	uint8_t *ring;
	struct rte_mempool *pool;
	uint32_t slot_size; /* V2: bytes per frame; V3: bytes per block */
	uint32_t n_slots;   /* V2: frames; V3: blocks */
	uint32_t block_size;
	uint32_t frames_per_block; /* V2: frames do not cross blocks (a block may end in a gap) */
	uint16_t port_id;
	uint8_t version;    /* TPACKET_V2 or TPACKET_V3 */
	bool drop_outgoing; /* fanout member: PACKET_IGNORE_OUTGOING does not apply */
	bool vnet;	    /* gso: a virtio_net_hdr before each frame */
	int fd;
	size_t ring_len;
	/* reactor state */
	uint32_t head;	   /* next frame (V2) or block (V3) to read */
	uint32_t in_block; /* V2: index of frame `head` in its block */
	uint8_t *cur;	   /* V2: frame `head` */
	uint32_t v3_left;  /* frames not yet read in block `head` (V3) */
	uint8_t *v3_next;  /* next frame in block `head` (V3) */
	struct afp_rx_counters st;
	/* control thread: PACKET_STATISTICS tp_drops accumulated (reading resets them) */
	uint64_t kernel_drops __rte_cache_aligned;
} __rte_cache_aligned;

/* One tx queue: a packet socket bound with protocol 0 (it receives nothing). */
struct afp_txq {
	int fd;
	uint64_t log_next;     /* rate limit of the hot-path log (timer cycles) */
	const char *port_name; /* for the rate-limited log (port->name outlives the queue) */
	bool vnet;	       /* gso: a virtio_net_hdr before each frame */
	struct afp_tx_counters st;
	/* sendmmsg: one message per packet, iovecs point into the mbufs */
	struct mmsghdr msg[PRX_BURST_MAX];
	struct iovec iov[AFP_TX_IOV_MAX];
	struct virtio_net_hdr vh[PRX_BURST_MAX];
} __rte_cache_aligned;

/* Ring geometry chosen at configure. */
struct afp_ring_geom {
	uint32_t frame_size; /* TPACKET frame (V2 slot; V3: the largest frame) */
	uint32_t block_size;
	uint32_t block_nr;
	uint32_t frame_nr;
};

/* interface offloads that glue frames into super-frames: rx-gro, rx-lro, rx-gro-hw */
#define AFP_N_SUPER 3

/* A port's driver state (port->priv); control thread only. */
struct afp_port {
	char ifname[IFNAMSIZ];
	int ifindex;
	int ctl_fd; /* AF_INET datagram socket for interface ioctls */
	struct prx_afpacket_params params;
	uint8_t version;
	bool bound;	   /* rx sockets bound (first start) */
	bool joined;	   /* rx sockets in their fanout group */
	bool join_pending; /* started while the interface was down: join when it is up */
	int fanout_id;
	struct afp_ring_geom geom;
	struct afp_rxq *rxq;
	struct afp_txq *txq;
	uint16_t n_rxq, n_txq;
	/* features turned off at configure, to turn on again at close */
	uint32_t feat_words;
	int feat_off[AFP_N_SUPER];
	unsigned int n_feat_off;
};

/* afp_ethtool.c */
int prx__afp_if_ioctl(const struct afp_port *ap, unsigned long req, struct ifreq *ifr);
int prx__afp_ethtool(const struct afp_port *ap, void *cmd);
/* Turn GRO/LRO off on the interface (logged); restore() turns them on again. */
void prx__afp_super_frames_off(struct prx_port *port);
void prx__afp_super_frames_restore(struct prx_port *port);

/* afp_rx.c */
int prx__afp_rxq_open(struct afp_rxq *q, const char *port, uint8_t version,
		      const struct afp_ring_geom *g, uint32_t retire_tov_ms,
		      struct rte_mempool *pool, uint16_t port_id, bool vnet);
void prx__afp_rxq_close(struct afp_rxq *q);
/* Give back to the kernel every frame the ring holds (control thread, queue not polled). */
void prx__afp_rxq_drain(struct afp_rxq *q);
uint16_t prx__afp_rx_burst_v2(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t prx__afp_rx_burst_v3(void *rxq, struct rte_mbuf **pkts, uint16_t n);

/* afp_tx.c */
int prx__afp_txq_open(struct afp_txq *q, const char *port, int ifindex, bool qdisc_bypass,
		      bool vnet);
void prx__afp_txq_close(struct afp_txq *q);
uint16_t prx__afp_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n);

/* afp_vnet.c: `gso` ports.  A received frame's virtio_net_hdr into m's offload request
 * (f, len: the frame as the ring holds it; shift: bytes of VLAN tag put back in front);
 * -1: one prx cannot carry (the frame is dropped).  m's offload request as a header. */
int prx__afp_vnet_to_mbuf(const void *vnet, const uint8_t *f, uint32_t len, uint16_t shift,
			  struct rte_mbuf *m);
void prx__afp_mbuf_to_vnet(const struct rte_mbuf *m, void *vnet);
/* For a port without gso: complete a partial checksum; -1 for a super-frame. */
int prx__afp_offload_in_software(struct rte_mbuf *m);

/* true at most once a second per *next (hot-path log rate limit) */
bool prx__afp_log_ok(uint64_t *next);

#endif /* PRX_AFP_INTERNAL_H */
