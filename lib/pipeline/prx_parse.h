/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet parsing with a bounds check on every header: Ethernet, up to PRX_PARSE_MAX_VLAN
 * VLAN tags (802.1Q / 802.1ad), ARP, IPv4 (options included), IPv6 (no extension-header
 * walk beyond recording next_header), ICMP, UDP and TCP.
 *
 * The parser works on a plain byte buffer (the first segment of an mbuf, or any buffer:
 * the fuzz targets feed it malloc'd memory so ASan sees every overrun).  It never reads
 * past `len`.  A malformed frame yields a drop reason (prx_drop.h) naming what is wrong;
 * a frame that is merely not something (not IP, a fragment, an unknown protocol) is not
 * an error: the info says what it is and handlers decide.
 */
#ifndef PRX_PARSE_H
#define PRX_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "prx_drop.h"

#define PRX_PARSE_MAX_VLAN 2

/** What the layer-3 header is. */
enum prx_l3 {
	PRX_L3_NONE = 0, /**< another EtherType */
	PRX_L3_ARP,
	PRX_L3_IPV4,
	PRX_L3_IPV6,
};

/** What the parser found.  Offsets are from the start of the frame. */
struct prx_pkt_info {
	uint16_t ether_type; /**< innermost EtherType, host order */
	uint8_t n_vlan;
	uint16_t vlan_tci[PRX_PARSE_MAX_VLAN]; /**< host order, outermost first */
	enum prx_l3 l3;
	uint16_t l3_off;     /**< start of the ARP / IP header */
	uint16_t l3_len;     /**< IPv4: IHL * 4; IPv6: 40; ARP: 28 */
	uint16_t l4_off;     /**< start of the TCP/UDP/ICMP header (0 when not parsed) */
	uint8_t l4_proto;    /**< IPv4 protocol / IPv6 next header */
	bool fragment;	     /**< IPv4 MF set or fragment offset != 0 (L4 not parsed) */
	bool first_fragment; /**< offset 0: L4 header present (parsed when MF is set) */
	uint8_t ttl;	     /**< IPv4 TTL / IPv6 hop limit */
	uint32_t ip_total;   /**< IPv4 total length / IPv6 40 + payload length */
	uint32_t src4, dst4; /**< IPv4 addresses, network byte order */
	uint16_t sport,
		dport; /**< TCP/UDP ports, host order (ICMP: type, code; ARP: sport = operation) */
};

/**
 * Parse `len` bytes at `data`.
 * @return 0 with *pi filled, or the drop reason of a malformed frame (never
 *   PRX_DROP_CHAIN_END): RUNT (< 14 bytes), VLAN_TRUNC, L3_TRUNC, BAD_VERSION, BAD_IHL,
 *   BAD_TOTAL_LEN (IPv4 total length > the bytes after the L2 header, or < IHL*4; IPv6
 *   payload length beyond the frame), L4_TRUNC (a first fragment or whole datagram whose
 *   TCP/UDP/ICMP header does not fit within the IP total length), BAD_ARP (hardware type
 *   not Ethernet, protocol not IPv4, or address lengths not 6/4).
 *   Trailing bytes after the IP total length (Ethernet padding) are fine.
 */
int prx_parse(const uint8_t *data, uint32_t len, struct prx_pkt_info *pi);

/**
 * The same for a frame of `len` bytes of which only the first `avail` may be read (an
 * mbuf chain's first segment): the headers must lie within them (else the frame is
 * truncated: L3_TRUNC, VLAN_TRUNC, L4_TRUNC), the lengths are checked against `len`.
 */
int prx_parse_seg(const uint8_t *data, uint32_t avail, uint32_t len, struct prx_pkt_info *pi);

/** Parse an mbuf: its headers in the first segment, its lengths against the whole chain
 *  (a 64 KiB super-frame is a chain of 2 KiB segments). */
static inline int
prx_parse_mbuf(const struct rte_mbuf *m, struct prx_pkt_info *pi)
{
	return prx_parse_seg(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
			     rte_pktmbuf_pkt_len(m), pi);
}

/** Internet checksum (RFC 1071): add `len` bytes (read as big-endian 16-bit words; an
 *  odd length is padded with a zero byte) to the running sum `sum` (start with 0). */
uint32_t prx_csum_add(uint32_t sum, const void *data, uint32_t len);
/** Fold and invert: the checksum in network byte order, ready to store with memcpy. */
uint16_t prx_csum_fold(uint32_t sum);

/**
 * RFC 1624 incremental update of a checksum field when a 16-bit word changes from `old`
 * to `new` (all network byte order): what the router uses for the TTL decrement.
 */
static inline uint16_t
prx_csum_update16(uint16_t csum, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~csum + (uint32_t)(uint16_t)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif /* PRX_PARSE_H */
