/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_PACKET rx: one packet socket per queue with an mmap'ed TPACKET_V2 or V3 ring; the
 * burst reads the ring without a syscall and copies each frame into an mbuf chain.
 */
#include "afp_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "prx_log.h"

bool
prx__afp_log_ok(uint64_t *next)
{
	uint64_t now = rte_get_timer_cycles();

	if (now < *next)
		return false;
	*next = now + rte_get_timer_hz();
	return true;
}

/* ------------------------------------------------------------------ frame -> mbuf */

/*
 * Complete the L4 checksum of a frame the kernel marked TP_STATUS_CSUMNOTREADY
 * (CHECKSUM_PARTIAL: the sender left it to an offload that a packet socket never runs;
 * veth does this with every locally generated TCP/UDP packet).  The frame is ours while
 * its status is TP_STATUS_USER, so the sum is written into the ring before the copy,
 * where the data is contiguous.  IPv4 and IPv6 TCP/UDP without extension headers; others
 * are left as they are.
 */
static void
csum_complete(uint8_t *f, uint32_t len)
{
	uint32_t off = 14, l3len, l4len;
	uint16_t et;
	uint8_t proto;
	uint8_t *l4;

	if (len < off)
		return;
	memcpy(&et, f + 12, 2);
	for (int k = 0;
	     k < 2 && (et == RTE_BE16(RTE_ETHER_TYPE_VLAN) || et == RTE_BE16(RTE_ETHER_TYPE_QINQ));
	     k++) {
		if (off + 4 > len)
			return;
		memcpy(&et, f + off + 2, 2);
		off += 4;
	}
	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + off);
		uint32_t ihl;

		if (off + sizeof(*ip) > len)
			return;
		ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
		l3len = rte_be_to_cpu_16(ip->total_length);
		if (ihl < sizeof(*ip) || l3len < ihl || off + l3len > len ||
		    (ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
			return;
		proto = ip->next_proto_id;
		l4 = f + off + ihl;
		l4len = l3len - ihl;
		if (proto == IPPROTO_TCP && l4len >= sizeof(struct rte_tcp_hdr)) {
			struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

			th->cksum = 0;
			th->cksum = rte_ipv4_udptcp_cksum(ip, th);
		} else if (proto == IPPROTO_UDP && l4len >= sizeof(struct rte_udp_hdr)) {
			struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

			uh->dgram_cksum = 0;
			uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
		}
	} else if (et == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(f + off);

		if (off + sizeof(*ip6) > len)
			return;
		l4len = rte_be_to_cpu_16(ip6->payload_len);
		if (off + sizeof(*ip6) + l4len > len)
			return;
		proto = ip6->proto;
		l4 = f + off + sizeof(*ip6);
		if (proto == IPPROTO_TCP && l4len >= sizeof(struct rte_tcp_hdr)) {
			struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

			th->cksum = 0;
			th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
		} else if (proto == IPPROTO_UDP && l4len >= sizeof(struct rte_udp_hdr)) {
			struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

			uh->dgram_cksum = 0;
			uh->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, uh);
		}
	}
}

/* Append len bytes to the chain whose last segment is *tail; more segments as needed. */
static inline int
chain_append(struct rte_mempool *mp, struct rte_mbuf *head, struct rte_mbuf **tail,
	     const uint8_t *src, uint32_t len)
{
	struct rte_mbuf *t = *tail;

	while (len > 0) {
		uint32_t room = rte_pktmbuf_tailroom(t), c;

		if (room == 0) {
			struct rte_mbuf *s = rte_pktmbuf_alloc(mp);

			if (unlikely(s == NULL))
				return -1;
			s->data_off = 0; /* only the first segment needs headroom */
			t->next = s;
			head->nb_segs++;
			t = s;
			room = rte_pktmbuf_tailroom(t);
		}
		c = RTE_MIN(room, len);
		rte_memcpy(rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len), src, c);
		t->data_len = (uint16_t)(t->data_len + c);
		head->pkt_len += c;
		src += c;
		len -= c;
	}
	*tail = t;
	return 0;
}

/*
 * One ring frame into an mbuf chain (0 when dropped and counted).  With
 * TP_STATUS_VLAN_VALID the kernel took the outer 802.1Q/802.1ad tag out of the frame
 * (skb_vlan_untag runs before packet taps): it goes back between the MAC addresses.
 */
static inline int
frame_to_mbuf(struct afp_rxq *q, uint8_t *f, uint32_t snaplen, uint32_t len, uint32_t status,
	      uint16_t tci, uint16_t tpid, struct rte_mbuf **out)
{
	struct rte_mbuf *m, *tail;
	int rc;

	if (unlikely(snaplen < len)) {
		prx_counter_add(&q->st.truncated, 1);
		return 0;
	}
	if ((status & TP_STATUS_CSUMNOTREADY) && !q->vnet)
		csum_complete(f, len);
	m = rte_pktmbuf_alloc(q->pool);
	if (unlikely(m == NULL)) {
		prx_counter_add(&q->st.nombuf, 1);
		return 0;
	}
	tail = m;
	if ((status & TP_STATUS_VLAN_VALID) && len >= 2 * RTE_ETHER_ADDR_LEN) {
		uint16_t tag[2] = {
			rte_cpu_to_be_16(
				(status & TP_STATUS_VLAN_TPID_VALID) ? tpid : RTE_ETHER_TYPE_VLAN),
			rte_cpu_to_be_16(tci),
		};

		rc = chain_append(q->pool, m, &tail, f, 2 * RTE_ETHER_ADDR_LEN);
		rc |= chain_append(q->pool, m, &tail, (const uint8_t *)tag, sizeof(tag));
		rc |= chain_append(q->pool, m, &tail, f + 2 * RTE_ETHER_ADDR_LEN,
				   len - 2 * RTE_ETHER_ADDR_LEN);
	} else {
		rc = chain_append(q->pool, m, &tail, f, len);
	}
	if (unlikely(rc != 0)) {
		rte_pktmbuf_free(m);
		prx_counter_add(&q->st.nombuf, 1);
		return 0;
	}
	if (q->vnet && unlikely(prx__afp_vnet_to_mbuf(f - sizeof(struct virtio_net_hdr), f, len,
						      (uint16_t)(m->pkt_len - len), m) != 0)) {
		rte_pktmbuf_free(m);
		prx_counter_add(&q->st.bad_vnet, 1);
		return 0;
	}
	m->port = q->port_id;
	*out = m;
	return 1;
}

/* ------------------------------------------------------------------ bursts */

/* A frame this host sent (the kernel writes a sockaddr_ll after each frame header). */
static inline bool
outgoing(const void *h, size_t hdrlen)
{
	const struct sockaddr_ll *sll =
		(const struct sockaddr_ll *)((const uint8_t *)h + TPACKET_ALIGN(hdrlen));

	return sll->sll_pkttype == PACKET_OUTGOING;
}

/* Move to the next V2 frame: frames are packed in blocks, a block may end in a gap. */
static inline void
v2_next(struct afp_rxq *q)
{
	if (++q->head == q->n_slots) {
		q->head = 0;
		q->in_block = 0;
		q->cur = q->ring;
	} else if (++q->in_block == q->frames_per_block) {
		q->in_block = 0;
		q->cur += q->block_size - (size_t)(q->frames_per_block - 1) * q->slot_size;
	} else {
		q->cur += q->slot_size;
	}
}

/*
 * TPACKET_V2: the kernel hands over each frame as soon as it is written (tp_status
 * TP_STATUS_USER, stored with release semantics by the kernel); giving it back is a
 * release store of TP_STATUS_KERNEL.  At most n frames are consumed per call, dropped
 * ones included, so a burst is bounded.
 */
uint16_t
prx__afp_rx_burst_v2(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	struct afp_rxq *q = rxq;
	uint64_t bytes = 0;
	uint16_t got = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)q->cur;
		uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

		if (!(st & TP_STATUS_USER))
			break;
		if (!(q->drop_outgoing && outgoing(h, sizeof(*h))) &&
		    frame_to_mbuf(q, (uint8_t *)h + h->tp_mac, h->tp_snaplen, h->tp_len, st,
				  h->tp_vlan_tci, h->tp_vlan_tpid, &pkts[got]) != 0)
			bytes += pkts[got++]->pkt_len;
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		v2_next(q);
		rte_prefetch0(q->cur);
	}
	if (got != 0) {
		prx_counter_add(&q->st.packets, got);
		prx_counter_add(&q->st.bytes, bytes);
	}
	return got;
}

static inline struct tpacket_block_desc *
v3_block(const struct afp_rxq *q, uint32_t b)
{
	return (struct tpacket_block_desc *)(q->ring + (size_t)b * q->slot_size);
}

/* Give block `head` back to the kernel and move to the next one. */
static inline void
v3_release(struct afp_rxq *q)
{
	__atomic_store_n(&v3_block(q, q->head)->hdr.bh1.block_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
	if (++q->head == q->n_slots)
		q->head = 0;
	q->v3_left = 0;
}

/*
 * TPACKET_V3: the kernel hands over whole blocks, when full or when the retire timeout
 * expires.  A burst may stop in the middle of a block; the block is released when its
 * last frame has been read.
 */
uint16_t
prx__afp_rx_burst_v3(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	struct afp_rxq *q = rxq;
	uint64_t bytes = 0;
	uint16_t got = 0;

	for (uint16_t i = 0; i < n;) {
		struct tpacket3_hdr *h;

		if (q->v3_left == 0) {
			struct tpacket_block_desc *b = v3_block(q, q->head);

			if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
			      TP_STATUS_USER))
				break;
			q->v3_left = b->hdr.bh1.num_pkts;
			q->v3_next = (uint8_t *)b + b->hdr.bh1.offset_to_first_pkt;
			if (q->v3_left == 0) {
				v3_release(q);
				continue;
			}
		}
		h = (struct tpacket3_hdr *)q->v3_next;
		if (!(q->drop_outgoing && outgoing(h, sizeof(*h))) &&
		    frame_to_mbuf(q, (uint8_t *)h + h->tp_mac, h->tp_snaplen, h->tp_len,
				  h->tp_status, h->hv1.tp_vlan_tci, h->hv1.tp_vlan_tpid,
				  &pkts[got]) != 0)
			bytes += pkts[got++]->pkt_len;
		i++;
		if (--q->v3_left == 0)
			v3_release(q);
		else
			q->v3_next += h->tp_next_offset;
	}
	if (got != 0) {
		prx_counter_add(&q->st.packets, got);
		prx_counter_add(&q->st.bytes, bytes);
	}
	return got;
}

void
prx__afp_rxq_drain(struct afp_rxq *q)
{
	if (q->ring == NULL)
		return;
	if (q->version == TPACKET_V2) {
		for (;;) {
			struct tpacket2_hdr *h = (struct tpacket2_hdr *)q->cur;

			if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
				break;
			__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
			v2_next(q);
		}
		return;
	}
	if (q->v3_left != 0)
		v3_release(q);
	while (__atomic_load_n(&v3_block(q, q->head)->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
	       TP_STATUS_USER)
		v3_release(q);
}

/* ------------------------------------------------------------------ socket and ring */

static int
setsockopt_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v)) < 0 ? -errno : 0;
}

int
prx__afp_rxq_open(struct afp_rxq *q, const char *port, uint8_t version,
		  const struct afp_ring_geom *g, uint32_t retire_tov_ms, struct rte_mempool *pool,
		  uint16_t port_id, bool vnet)
{
	/* a filter that drops everything: the queue receives nothing until start */
	struct sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = {.len = 1, .filter = &drop_all};
	union {
		struct tpacket_req v2;
		struct tpacket_req3 v3;
	} req;
	const char *what;
	int fd, rc;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	/* protocol 0: not hooked to the interface until start binds it (ETH_P_ALL) */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = -errno;
		PRX_LOG(ERR, PORT, "%s: socket(AF_PACKET) failed: %s", port, strerror(-rc));
		return rc;
	}
	what = "SO_ATTACH_FILTER";
	rc = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ? -errno : 0;
	if (rc != 0)
		goto fail;
	what = "PACKET_VERSION";
	rc = setsockopt_int(fd, SOL_PACKET, PACKET_VERSION, version);
	if (rc != 0)
		goto fail;
	/* our own tx sockets' frames (and the host's) are not received */
	what = "PACKET_IGNORE_OUTGOING";
	rc = setsockopt_int(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
	if (rc != 0)
		goto fail;
	if (vnet) { /* before the ring: the kernel refuses it after */
		what = "PACKET_VNET_HDR";
		rc = setsockopt_int(fd, SOL_PACKET, PACKET_VNET_HDR, 1);
		if (rc != 0)
			goto fail;
	}
	memset(&req, 0, sizeof(req));
	if (version == TPACKET_V3) {
		req.v3.tp_block_size = g->block_size;
		req.v3.tp_block_nr = g->block_nr;
		req.v3.tp_frame_size = g->frame_size;
		req.v3.tp_frame_nr = g->frame_nr;
		req.v3.tp_retire_blk_tov = retire_tov_ms;
	} else {
		req.v2.tp_block_size = g->block_size;
		req.v2.tp_block_nr = g->block_nr;
		req.v2.tp_frame_size = g->frame_size;
		req.v2.tp_frame_nr = g->frame_nr;
	}
	what = "PACKET_RX_RING";
	rc = setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req,
			version == TPACKET_V3 ? sizeof(req.v3) : sizeof(req.v2)) < 0
		     ? -errno
		     : 0;
	if (rc != 0)
		goto fail;
	q->ring_len = (size_t)g->block_size * g->block_nr;
	q->ring = mmap(NULL, q->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (q->ring == MAP_FAILED) {
		q->ring = NULL;
		rc = -errno;
		what = "mmap(rx ring)";
		goto fail;
	}
	q->fd = fd;
	q->pool = pool;
	q->port_id = port_id;
	q->version = version;
	q->vnet = vnet;
	q->block_size = g->block_size;
	q->frames_per_block = g->block_size / g->frame_size;
	q->cur = q->ring;
	if (version == TPACKET_V3) {
		q->slot_size = g->block_size;
		q->n_slots = g->block_nr;
	} else {
		q->slot_size = g->frame_size;
		q->n_slots = g->frame_nr;
	}
	return 0;
fail:
	PRX_LOG(ERR, PORT, "%s: %s on the rx socket failed: %s", port, what, strerror(-rc));
	close(fd);
	return rc;
}

void
prx__afp_rxq_close(struct afp_rxq *q)
{
	if (q->ring != NULL)
		munmap(q->ring, q->ring_len);
	if (q->fd >= 0)
		close(q->fd);
	q->ring = NULL;
	q->fd = -1;
}
