/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the router makes on the slow path: ARP requests and replies, ICMP errors
 * (RFC 792: the offending IP header and 8 bytes of what follows it; RFC 1812 4.3.2.7:
 * when not to send one).  Pure functions on byte buffers, unit-tested with their
 * checksums recomputed.
 */
#include <arpa/inet.h>
#include <string.h>

#include "router_internal.h"

#define ETH_HLEN 14
#define ARP_LEN 28
#define IP_HLEN 20
#define ICMP_HLEN 8

static void
put16(uint8_t *p, uint16_t host)
{
	uint16_t v = htons(host);

	memcpy(p, &v, 2);
}

uint16_t
rt_build_arp(uint8_t *buf, uint16_t op, const uint8_t *eth_dst, const uint8_t *sha, uint32_t spa,
	     const uint8_t *tha, uint32_t tpa)
{
	static const uint8_t zero[6];
	uint8_t *a = buf + ETH_HLEN;

	memset(buf, 0, RT_ETH_MIN);
	memcpy(buf, eth_dst, 6);
	memcpy(buf + 6, sha, 6);
	put16(buf + 12, 0x0806);
	put16(a, 1);	      /* Ethernet */
	put16(a + 2, 0x0800); /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 18, tha != NULL ? tha : zero, 6);
	memcpy(a + 24, &tpa, 4);
	return RT_ETH_MIN;
}

static bool
unicast_host(uint32_t ip)
{
	uint32_t h = ntohl(ip);

	/* not 0/8, not loopback, not multicast, experimental or broadcast */
	return (h >> 24) != 0 && (h >> 24) != 127 && h < 0xe0000000u;
}

bool
rt_icmp_allowed(const uint8_t *frame, const struct prx_pkt_info *pi)
{
	if (pi->l3 != PRX_L3_IPV4 || (frame[0] & 1) != 0) /* link-layer group address */
		return false;
	if (!pi->first_fragment || !unicast_host(pi->src4) || ntohl(pi->dst4) >= 0xe0000000u)
		return false;
	/* never an error about an error: only echo, timestamp, ... queries may be answered */
	if (pi->l4_proto == 1 && pi->l4_off != 0) {
		switch (pi->sport) { /* ICMP type */
		case 3:		     /* destination unreachable */
		case 4:		     /* source quench */
		case 5:		     /* redirect */
		case 11:	     /* time exceeded */
		case 12:	     /* parameter problem */
			return false;
		default:
			break;
		}
	}
	return true;
}

uint16_t
rt_build_icmp_error(uint8_t *buf, uint16_t cap, const uint8_t *orig, const struct prx_pkt_info *pi,
		    uint8_t type, uint8_t code, const uint8_t *src_mac, uint32_t src_ip,
		    uint16_t ip_id)
{
	uint16_t l2 = pi->l3_off, quote, total, len, csum;
	uint8_t *ip = buf + l2, *icmp = ip + IP_HLEN;

	/* the original header and 8 bytes after it, within its total length */
	quote = (uint16_t)(pi->l3_len + 8);
	if (quote > pi->ip_total)
		quote = (uint16_t)pi->ip_total;
	total = (uint16_t)(IP_HLEN + ICMP_HLEN + quote);
	len = (uint16_t)(l2 + total);
	if (len > cap || cap < RT_ETH_MIN)
		return 0;
	memset(buf, 0, len < RT_ETH_MIN ? RT_ETH_MIN : len);
	/* back where it came from: its source MAC, its VLAN tags and EtherType */
	memcpy(buf, orig + 6, 6);
	memcpy(buf + 6, src_mac, 6);
	memcpy(buf + 12, orig + 12, (size_t)(l2 - 12));
	ip[0] = 0x45;
	ip[1] = 0xc0; /* precedence: internetwork control */
	put16(ip + 2, total);
	put16(ip + 4, ip_id);
	ip[8] = 64;
	ip[9] = 1; /* ICMP */
	memcpy(ip + 12, &src_ip, 4);
	memcpy(ip + 16, &pi->src4, 4);
	csum = prx_csum_fold(prx_csum_add(0, ip, IP_HLEN));
	memcpy(ip + 10, &csum, 2);
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + ICMP_HLEN, orig + pi->l3_off, quote);
	csum = prx_csum_fold(prx_csum_add(0, icmp, (uint32_t)(ICMP_HLEN + quote)));
	memcpy(icmp + 2, &csum, 2);
	return len < RT_ETH_MIN ? RT_ETH_MIN : len;
}
