/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Super-frames through packet sockets (`afpacket.gso`, PACKET_VNET_HDR).
 *
 * With PACKET_VNET_HDR the kernel puts a struct virtio_net_hdr before each received
 * frame and expects one before each sent frame.  It says what the frame still owes: a
 * partial TCP/UDP checksum (NEEDS_CSUM: the pseudo-header sum is in place, the rest is
 * an offload's job) and, for a TSO/GSO super-frame of up to 64 KiB, the segment size the
 * kernel will cut it into when it leaves.  Between namespaces on veths nothing is cut:
 * the super-frame goes from the sender's TCP stack to the receiver's whole, as the
 * kernel's own forwarding passes it.
 *
 * In between, the frame is an mbuf chain and the header becomes DPDK's offload request:
 * RTE_MBUF_F_TX_TCP_SEG / _UDP_SEG with tso_segsz, RTE_MBUF_F_TX_TCP_CKSUM / _UDP_CKSUM,
 * RTE_MBUF_F_TX_IPV4 / _IPV6 and l2_len, l3_len, l4_len, so handlers see an ordinary
 * frame with ordinary metadata, and a gso port's tx turns it back into a header.  A port
 * without gso completes a partial checksum itself and refuses a super-frame (it cannot
 * be sent whole, and prx does not cut it): counted as refused, logged.
 *
 * Packet sockets use the host's byte order for the header's 16-bit fields (virtio's
 * legacy little-endian on the hosts DPDK runs on).
 */
#include "afp_internal.h"

#include <linux/virtio_net.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* Linux 4.18; Debian 12's headers lack it */
#endif

#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6

/* Bytes of the Ethernet header and VLAN tags, and the EtherType after them. */
static uint16_t
l2_of(const uint8_t *f, uint32_t len, uint16_t *et)
{
	uint16_t off = RTE_ETHER_HDR_LEN;

	memcpy(et, f + 12, 2);
	for (int k = 0; k < 2; k++) {
		if (*et != RTE_BE16(RTE_ETHER_TYPE_VLAN) && *et != RTE_BE16(RTE_ETHER_TYPE_QINQ))
			break;
		if ((uint32_t)off + 4 > len)
			return 0;
		memcpy(et, f + off + 2, 2);
		off += 4;
	}
	return off;
}

int
prx__afp_vnet_to_mbuf(const void *vnet, const uint8_t *f, uint32_t len, uint16_t shift,
		      struct rte_mbuf *m)
{
	const struct virtio_net_hdr *vh = vnet;
	uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	uint16_t et, l2, start, l4_len;
	uint64_t fl = 0;

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return gso == VIRTIO_NET_HDR_GSO_NONE ? 0 : -1; /* a super-frame owes a sum */
	/* f is the frame as the ring holds it: `shift` bytes of VLAN tag go back in front
	 * of the offsets (the kernel's are relative to the frame without them) */
	l2 = l2_of(f, len, &et);
	if (l2 == 0 || vh->csum_start < l2 + sizeof(struct rte_ipv4_hdr) ||
	    (uint32_t)vh->csum_start + vh->csum_offset + 2 > len)
		return -1;
	start = (uint16_t)(vh->csum_start + shift);
	l2 = (uint16_t)(l2 + shift);
	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		fl |= RTE_MBUF_F_TX_IPV4;
	else if (et == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		fl |= RTE_MBUF_F_TX_IPV6;
	else
		return -1;
	if (vh->csum_offset == TCP_CSUM_OFF) {
		const uint8_t *th = f + vh->csum_start;

		if ((uint32_t)vh->csum_start + sizeof(struct rte_tcp_hdr) > len)
			return -1;
		fl |= RTE_MBUF_F_TX_TCP_CKSUM;
		l4_len = (uint16_t)((th[12] >> 4) * 4);
	} else if (vh->csum_offset == UDP_CSUM_OFF) {
		fl |= RTE_MBUF_F_TX_UDP_CKSUM;
		l4_len = sizeof(struct rte_udp_hdr);
	} else {
		return -1;
	}
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!(fl & RTE_MBUF_F_TX_TCP_CKSUM) ||
		    (gso == VIRTIO_NET_HDR_GSO_TCPV4) != !!(fl & RTE_MBUF_F_TX_IPV4))
			return -1;
		fl |= RTE_MBUF_F_TX_TCP_SEG;
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (!(fl & RTE_MBUF_F_TX_UDP_CKSUM))
			return -1;
		fl |= RTE_MBUF_F_TX_UDP_SEG;
		break;
	default: /* UFO: gone from Linux since 4.14 */
		return -1;
	}
	if (fl & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)) {
		if (vh->gso_size == 0)
			return -1;
		m->tso_segsz = vh->gso_size;
	}
	m->l2_len = l2;
	m->l3_len = (uint16_t)(start - l2);
	m->l4_len = l4_len;
	m->ol_flags |= fl;
	return 0;
}

void
prx__afp_mbuf_to_vnet(const struct rte_mbuf *m, void *vnet)
{
	struct virtio_net_hdr *vh = vnet;
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	uint16_t start = (uint16_t)(m->l2_len + m->l3_len);

	memset(vh, 0, sizeof(*vh));
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		vh->gso_type = (m->ol_flags & RTE_MBUF_F_TX_IPV6) ? VIRTIO_NET_HDR_GSO_TCPV6
								  : VIRTIO_NET_HDR_GSO_TCPV4;
		l4 = RTE_MBUF_F_TX_TCP_CKSUM;
	} else if (m->ol_flags & RTE_MBUF_F_TX_UDP_SEG) {
		vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
		l4 = RTE_MBUF_F_TX_UDP_CKSUM;
	}
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		vh->gso_size = m->tso_segsz;
		vh->hdr_len = (uint16_t)(start + m->l4_len);
	}
	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM || l4 == RTE_MBUF_F_TX_UDP_CKSUM) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = start;
		vh->csum_offset = l4 == RTE_MBUF_F_TX_TCP_CKSUM ? TCP_CSUM_OFF : UDP_CSUM_OFF;
	}
}

/*
 * The raw (not inverted) sum of len bytes of a chain from offset off, in memory order
 * like rte_raw_cksum().  Not rte_raw_cksum_mbuf(): DPDK 22.11's swaps the bytes of an
 * unreduced sum after a segment of odd length (wrong from 0x10000 on).
 */
static uint16_t
chain_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, done = 0;

	for (; m != NULL && len > 0; m = m->next) {
		uint32_t n;
		uint16_t part;

		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		n = RTE_MIN((uint32_t)m->data_len - off, len);
		part = rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), n);
		/* a part that starts at an odd byte has its bytes the other way round */
		sum += (done & 1) ? rte_bswap16(part) : part;
		done += n;
		len -= n;
		off = 0;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Write 2 bytes at offset off of a chain. */
static void
chain_put16(struct rte_mbuf *m, uint32_t off, uint16_t v)
{
	uint8_t b[2];

	memcpy(b, &v, 2);
	for (int k = 0; k < 2; k++, off++) {
		struct rte_mbuf *s = m;
		uint32_t o = off;

		while (s != NULL && o >= s->data_len) {
			o -= s->data_len;
			s = s->next;
		}
		if (s != NULL)
			*rte_pktmbuf_mtod_offset(s, uint8_t *, o) = b[k];
	}
}

int
prx__afp_offload_in_software(struct rte_mbuf *m)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	uint32_t start = (uint32_t)m->l2_len + m->l3_len, off;
	uint16_t raw, ck;

	if (m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))
		return -1; /* a super-frame: it cannot leave whole, prx does not cut it */
	if (l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM)
		return 0;
	if (start >= m->pkt_len)
		return -1;
	/* the field holds the pseudo-header's sum: the sum of the whole L4 part is the
	 * checksum's complement */
	off = start + (l4 == RTE_MBUF_F_TX_TCP_CKSUM ? TCP_CSUM_OFF : UDP_CSUM_OFF);
	if (off + 2 > m->pkt_len)
		return -1;
	raw = chain_sum(m, start, m->pkt_len - start);
	ck = (uint16_t)~raw; /* in memory order, as the words were summed */
	if (ck == 0 && l4 == RTE_MBUF_F_TX_UDP_CKSUM)
		ck = 0xffff; /* 0 means "no checksum" in UDP */
	chain_put16(m, off, ck);
	m->ol_flags &= ~(RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6);
	return 0;
}
