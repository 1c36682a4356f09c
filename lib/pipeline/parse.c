/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet parser (prx_parse.h).  Every read is preceded by a length check against
 * what the enclosing header says is there: the frame for L2, the IP total length for L4
 * (so Ethernet padding is never taken for payload).  Multi-byte fields are read with
 * memcpy: frames are not aligned.
 */
#include "prx_parse.h"

#include <string.h>

#include <rte_byteorder.h>

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define ARP_LEN 28
#define IP4_MIN 20
#define IP6_HLEN 40

#define ET_IPV4 0x0800
#define ET_ARP 0x0806
#define ET_VLAN 0x8100
#define ET_QINQ 0x88a8
#define ET_IPV6 0x86dd

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP6 58

static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

static inline uint32_t
rd32n(const uint8_t *p) /* network order kept */
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The TCP/UDP/ICMP header at `off`, within `end` (the IP datagram's end) and the
 * `avail` bytes that may be read. */
static int
parse_l4(const uint8_t *d, uint32_t off, uint32_t end, uint32_t avail, struct prx_pkt_info *pi)
{
	uint32_t need;

	switch (pi->l4_proto) {
	case PROTO_TCP:
		need = 20;
		break;
	case PROTO_UDP:
		need = 8;
		break;
	case PROTO_ICMP:
	case PROTO_ICMP6:
		need = 4;
		break;
	default:
		return 0; /* not parsed: fine */
	}
	if (off + need > end || off + need > avail)
		return PRX_DROP_L4_TRUNC;
	if (pi->l4_proto == PROTO_TCP) {
		/* data offset: the header may be longer than 20, never shorter */
		uint32_t doff = (uint32_t)(d[off + 12] >> 4) * 4;

		if (doff < 20 || off + doff > end || off + doff > avail)
			return PRX_DROP_L4_TRUNC;
	}
	pi->l4_off = (uint16_t)off;
	if (need == 4) {
		pi->sport = d[off];	/* type */
		pi->dport = d[off + 1]; /* code */
	} else {
		pi->sport = rd16(d + off);
		pi->dport = rd16(d + off + 2);
	}
	return 0;
}

static int
parse_ipv4(const uint8_t *d, uint32_t avail, uint32_t len, uint32_t off, struct prx_pkt_info *pi)
{
	uint32_t ihl, total;
	uint16_t frag;

	if (off + IP4_MIN > avail)
		return PRX_DROP_L3_TRUNC;
	if ((d[off] >> 4) != 4)
		return PRX_DROP_BAD_VERSION;
	ihl = (uint32_t)(d[off] & 0x0f) * 4;
	if (ihl < IP4_MIN)
		return PRX_DROP_BAD_IHL;
	if (off + ihl > avail)
		return PRX_DROP_L3_TRUNC;
	total = rd16(d + off + 2);
	if (total < ihl || off + total > len)
		return PRX_DROP_BAD_TOTAL_LEN;
	pi->l3 = PRX_L3_IPV4;
	pi->l3_off = (uint16_t)off;
	pi->l3_len = (uint16_t)ihl;
	pi->ip_total = total;
	pi->ttl = d[off + 8];
	pi->l4_proto = d[off + 9];
	pi->src4 = rd32n(d + off + 12);
	pi->dst4 = rd32n(d + off + 16);
	frag = rd16(d + off + 6);
	pi->first_fragment = (frag & 0x1fff) == 0;
	pi->fragment = (frag & 0x3fff) != 0; /* MF or an offset */
	if (!pi->first_fragment)
		return 0; /* no L4 header in later fragments */
	return parse_l4(d, off + ihl, off + total, avail, pi);
}

static int
parse_ipv6(const uint8_t *d, uint32_t avail, uint32_t len, uint32_t off, struct prx_pkt_info *pi)
{
	uint32_t payload;

	if (off + IP6_HLEN > avail)
		return PRX_DROP_L3_TRUNC;
	if ((d[off] >> 4) != 6)
		return PRX_DROP_BAD_VERSION;
	payload = rd16(d + off + 4);
	if (off + IP6_HLEN + payload > len)
		return PRX_DROP_BAD_TOTAL_LEN;
	pi->l3 = PRX_L3_IPV6;
	pi->l3_off = (uint16_t)off;
	pi->l3_len = IP6_HLEN;
	pi->ip_total = IP6_HLEN + payload;
	pi->l4_proto = d[off + 6];
	pi->ttl = d[off + 7];
	pi->first_fragment = true;
	/* extension headers are not walked: only a TCP/UDP/ICMPv6 header right after */
	return parse_l4(d, off + IP6_HLEN, off + IP6_HLEN + payload, avail, pi);
}

static int
parse_arp(const uint8_t *d, uint32_t len, uint32_t off, struct prx_pkt_info *pi)
{
	if (off + ARP_LEN > len)
		return PRX_DROP_BAD_ARP;
	/* Ethernet hardware (1), IPv4 protocol, 6-byte and 4-byte addresses */
	if (rd16(d + off) != 1 || rd16(d + off + 2) != ET_IPV4 || d[off + 4] != 6 ||
	    d[off + 5] != 4)
		return PRX_DROP_BAD_ARP;
	pi->l3 = PRX_L3_ARP;
	pi->l3_off = (uint16_t)off;
	pi->l3_len = ARP_LEN;
	pi->sport = rd16(d + off + 6);	/* operation */
	pi->src4 = rd32n(d + off + 14); /* sender protocol address */
	pi->dst4 = rd32n(d + off + 24); /* target protocol address */
	return 0;
}

int
prx_parse_seg(const uint8_t *d, uint32_t avail, uint32_t len, struct prx_pkt_info *pi)
{
	uint32_t off = ETH_HLEN - 2; /* the EtherType field */
	uint16_t et;

	memset(pi, 0, sizeof(*pi));
	if (avail > len)
		avail = len;
	if (len < ETH_HLEN)
		return PRX_DROP_RUNT;
	if (avail < ETH_HLEN)
		return PRX_DROP_L3_TRUNC;
	et = rd16(d + off);
	off += 2;
	while (et == ET_VLAN || et == ET_QINQ) {
		if (pi->n_vlan == PRX_PARSE_MAX_VLAN || off + VLAN_HLEN > avail)
			return PRX_DROP_VLAN_TRUNC;
		pi->vlan_tci[pi->n_vlan++] = rd16(d + off);
		et = rd16(d + off + 2);
		off += VLAN_HLEN;
	}
	pi->ether_type = et;
	switch (et) {
	case ET_IPV4:
		return parse_ipv4(d, avail, len, off, pi);
	case ET_IPV6:
		return parse_ipv6(d, avail, len, off, pi);
	case ET_ARP:
		return parse_arp(d, avail, off, pi);
	default:
		pi->l3_off = (uint16_t)off;
		return 0;
	}
}

int
prx_parse(const uint8_t *d, uint32_t len, struct prx_pkt_info *pi)
{
	return prx_parse_seg(d, len, len, pi);
}

uint32_t
prx_csum_add(uint32_t sum, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t
prx_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return rte_cpu_to_be_16((uint16_t)~sum);
}
