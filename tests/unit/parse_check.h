/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every prx_parse() result must satisfy, whatever the input: shared by the unit
 * suite (tests/unit/test_parse.c) and the libFuzzer target (tests/fuzz/fuzz_parse.c).
 */
#ifndef PRX_PARSE_CHECK_H
#define PRX_PARSE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_drop.h"
#include "prx_parse.h"

/** Is `rc` a result prx_parse() may return: 0 or one of the parser's drop reasons? */
static inline bool
prx_parse_rc_ok(int rc)
{
	switch (rc) {
	case 0:
	case PRX_DROP_RUNT:
	case PRX_DROP_VLAN_TRUNC:
	case PRX_DROP_L3_TRUNC:
	case PRX_DROP_BAD_VERSION:
	case PRX_DROP_BAD_IHL:
	case PRX_DROP_BAD_TOTAL_LEN:
	case PRX_DROP_L4_TRUNC:
	case PRX_DROP_BAD_ARP:
		return true;
	default:
		return false;
	}
}

/** Smallest header parse_l4() accepts for an IP protocol; 0 when it is not parsed. */
static inline uint32_t
prx_parse_l4_min(uint8_t proto)
{
	switch (proto) {
	case 6:
		return 20;
	case 17:
		return 8;
	case 1:
	case 58:
		return 4;
	default:
		return 0;
	}
}

static inline const char *
prx_parse_check_ip(const uint8_t *d, uint32_t len, const struct prx_pkt_info *pi)
{
	uint32_t end = (uint32_t)pi->l3_off + pi->ip_total, need;

	if (pi->l3_len > pi->ip_total)
		return "IP total length below the header length";
	if (end > len)
		return "IP datagram beyond the frame";
	if (pi->l4_off == 0)
		return pi->sport || pi->dport ? "ports without an L4 header" : NULL;
	if (!pi->first_fragment)
		return "L4 header reported in a later fragment";
	if (pi->l4_off != pi->l3_off + pi->l3_len)
		return "l4_off is not right after the IP header";
	need = prx_parse_l4_min(pi->l4_proto);
	if (need == 0)
		return "l4_off for a protocol the parser does not parse";
	if (pi->l4_off + need > end)
		return "L4 header beyond the IP datagram";
	if (pi->l4_proto == 6) {
		uint32_t doff = (uint32_t)(d[pi->l4_off + 12] >> 4) * 4;

		if (doff < 20 || pi->l4_off + doff > end)
			return "TCP data offset out of the datagram";
	}
	if (need == 4 && (pi->sport > 0xff || pi->dport > 0xff))
		return "ICMP type/code above 255";
	return NULL;
}

/**
 * Check a successful parse of `len` bytes at `d` against the frame: NULL when every
 * offset lies within the buffer and the fields agree with each other, else what is wrong.
 */
static inline const char *
prx_parse_check(const uint8_t *d, uint32_t len, const struct prx_pkt_info *pi)
{
	if (pi->n_vlan > PRX_PARSE_MAX_VLAN)
		return "more VLAN tags than parsed";
	if (pi->l3_off != 14 + 4 * pi->n_vlan)
		return "l3_off is not right after the L2 header";
	if (pi->l3_off > len)
		return "l3_off beyond the frame";
	switch (pi->l3) {
	case PRX_L3_NONE:
		if (pi->ether_type == 0x0800 || pi->ether_type == 0x86dd ||
		    pi->ether_type == 0x0806)
			return "IP/ARP EtherType reported as l3 NONE";
		if (pi->l3_len || pi->l4_off || pi->ip_total || pi->sport || pi->src4)
			return "L3/L4 fields set for l3 NONE";
		return NULL;
	case PRX_L3_ARP:
		if (pi->ether_type != 0x0806 || pi->l3_len != 28)
			return "ARP with the wrong EtherType or length";
		if ((uint32_t)pi->l3_off + pi->l3_len > len)
			return "ARP header beyond the frame";
		return pi->l4_off || pi->ip_total ? "L4 fields set for ARP" : NULL;
	case PRX_L3_IPV4:
		if (pi->ether_type != 0x0800)
			return "IPv4 under another EtherType";
		if (pi->l3_len < 20 || pi->l3_len > 60 || pi->l3_len % 4)
			return "IPv4 header length out of range";
		if (!pi->first_fragment && !pi->fragment)
			return "later fragment not flagged as a fragment";
		return prx_parse_check_ip(d, len, pi);
	case PRX_L3_IPV6:
		if (pi->ether_type != 0x86dd || pi->l3_len != 40)
			return "IPv6 with the wrong EtherType or header length";
		if (pi->fragment || !pi->first_fragment)
			return "IPv6 flagged as a fragment";
		return prx_parse_check_ip(d, len, pi);
	default:
		return "unknown l3";
	}
}

#endif /* PRX_PARSE_CHECK_H */
