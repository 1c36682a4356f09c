/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet parser (prx_parse.h), on plain buffers: no EAL.  The checksum helpers are
 * tested in test_parse_csum.c.
 *
 * A table of valid and malformed frames, each with its exact result and, for the valid
 * ones, every field of the info; IPv4 options of every length; then a property test:
 * random buffers and mutations of the table's valid frames (truncation at every length,
 * bit flips) must give 0 or a parser drop reason, and a 0 must describe offsets inside
 * the buffer (parse_check.h).  Every frame is parsed from a heap copy of exactly its length, so
 * ASan reports any read past the end.
 *
 * The random tests are seeded (PRX_PARSE_SEED overrides the default and is printed).
 * PRX_PARSE_DUMP=DIR writes every table frame to DIR/<case> (the fuzz seed corpus).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "parse_check.h"
#include "prx_parse.h"
#include "prx_test.h"
#include "test_parse.h"

#define TTL 64
#define SRC4 RTE_BE32(0x0a000001) /* 10.0.0.1 */
#define DST4 RTE_BE32(0x0a000002)
#define MAXF 9216

enum kind { K_RAW, K_IP4, K_IP6, K_ARP };

/* How to build a frame.  Zero fields take the defaults noted. */
struct fspec {
	uint8_t ntag;
	uint16_t tpid[3]; /* 0: 0x8100 */
	uint16_t tci[3];
	uint16_t et; /* innermost EtherType; 0: from kind (K_RAW: 0x88b5) */
	enum kind kind;
	uint8_t vbyte;	 /* IPv4 version/IHL byte (0: 0x45), IPv6 first byte (0: 0x60) */
	int32_t len_adj; /* added to the IPv4 total / IPv6 payload length */
	uint16_t frag;	 /* IPv4 flags and fragment offset */
	uint8_t proto;	 /* IP protocol: 6, 17, 1 and 58 get a header */
	uint8_t doff;	 /* TCP data offset in words (0: 5) */
	bool l4_short;	 /* emit only the first l4_keep bytes of the L4 header */
	uint8_t l4_keep;
	uint16_t op;	  /* ARP operation (0: 1) */
	uint16_t payload; /* bytes after the L4 (K_RAW: L2) header */
	uint16_t pad;	  /* zero bytes after the datagram */
	uint32_t cut;	  /* non-zero: the frame is cut to this length */
	uint8_t npoke;	  /* then these bytes are overwritten */
	struct {
		uint16_t off;
		uint8_t val;
	} poke[2];
};

struct pcase {
	const char *name;
	struct fspec f;
	int rc;
	struct prx_pkt_info exp; /* compared field by field when rc == 0 */
};

/* expected infos; `l2` is NOTAG, TAG1(t) or TAG2(outer, inner) */
#define NOTAG .n_vlan = 0
#define TAG1(t) .n_vlan = 1, .vlan_tci = {t}
#define TAG2(a, b) .n_vlan = 2, .vlan_tci = {a, b}
#define OK(name, exp, ...) \
	{ \
		name, {__VA_ARGS__}, 0, exp \
	}
#define BAD(name, rc, ...) \
	{ \
		name, {__VA_ARGS__}, PRX_DROP_##rc \
	}
#define RAW(l2, et, l3o) \
	{ \
		.ether_type = (et), .l3_off = (l3o), l2 \
	}
#define IP4(l2, l3o, ihl, tot, l4o, pr, sp, dp, frag, first) \
	{ \
		.ether_type = 0x0800, .l3 = PRX_L3_IPV4, .l3_off = (l3o), .l3_len = (ihl), \
		.l4_off = (l4o), .l4_proto = (pr), .fragment = (frag), .first_fragment = (first), \
		.ttl = TTL, .ip_total = (tot), .src4 = SRC4, .dst4 = DST4, .sport = (sp), \
		.dport = (dp), l2 \
	}
#define IP6(l2, l3o, tot, l4o, pr, sp, dp) \
	{ \
		.ether_type = 0x86dd, .l3 = PRX_L3_IPV6, .l3_off = (l3o), .l3_len = 40, \
		.l4_off = (l4o), .l4_proto = (pr), .first_fragment = true, .ttl = TTL, \
		.ip_total = (tot), .sport = (sp), .dport = (dp), l2 \
	}
#define ARP(l2, l3o, op, spa, tpa) \
	{ \
		.ether_type = 0x0806, .l3 = PRX_L3_ARP, .l3_off = (l3o), .l3_len = 28, \
		.sport = (op), .src4 = (spa), .dst4 = (tpa), l2 \
	}

/* default ports: TCP 1234 -> 80, UDP 5353 -> 53, ICMP echo request 8/0, ICMPv6 128/0 */
static const struct pcase cases[] = {
	/* Ethernet only and unknown EtherTypes */
	OK("eth_only_unknown", RAW(NOTAG, 0x88b5, 14), .cut = 14),
	OK("eth_lldp", RAW(NOTAG, 0x88cc, 14), .et = 0x88cc, .payload = 46),
	OK("eth_8023_length", RAW(NOTAG, 0x002e, 14), .et = 0x002e, .payload = 46),
	BAD("eth_only_ipv4", L3_TRUNC, .kind = K_IP4, .cut = 14),
	BAD("eth_only_ipv6", L3_TRUNC, .kind = K_IP6, .cut = 14),
	BAD("eth_only_arp", BAD_ARP, .kind = K_ARP, .cut = 14),
	BAD("eth_only_vlan", VLAN_TRUNC, .et = 0x8100, .cut = 14),
	/* VLAN tags */
	OK("vlan1_q_ipv4_udp", IP4(TAG1(100), 18, 20, 28, 38, 17, 5353, 53, false, true), .ntag = 1,
	   .tci = {100}, .kind = K_IP4, .proto = 17),
	OK("vlan1_ad_ipv4_tcp", IP4(TAG1(0xe00a), 18, 20, 40, 38, 6, 1234, 80, false, true),
	   .ntag = 1, .tpid = {0x88a8}, .tci = {0xe00a}, .kind = K_IP4, .proto = 6),
	OK("vlan2_qinq_ipv4_udp",
	   IP4(TAG2(0xa00a, 0x3fff), 22, 20, 28, 42, 17, 5353, 53, false, true), .ntag = 2,
	   .tpid = {0x88a8, 0x8100}, .tci = {0xa00a, 0x3fff}, .kind = K_IP4, .proto = 17),
	OK("vlan2_qq_ipv4_icmp", IP4(TAG2(1, 4095), 22, 20, 28, 42, 1, 8, 0, false, true),
	   .ntag = 2, .tci = {1, 4095}, .kind = K_IP4, .proto = 1),
	OK("vlan1_unknown", RAW(TAG1(7), 0x88cc, 18), .ntag = 1, .tci = {7}, .et = 0x88cc,
	   .payload = 8),
	OK("vlan1_ipv6_udp", IP6(TAG1(5), 18, 48, 58, 17, 5353, 53), .ntag = 1, .tci = {5},
	   .kind = K_IP6, .proto = 17),
	OK("vlan2_arp", ARP(TAG2(10, 20), 22, 1, SRC4, DST4), .ntag = 2, .tpid = {0x88a8},
	   .tci = {10, 20}, .kind = K_ARP),
	BAD("vlan3", VLAN_TRUNC, .ntag = 3, .tci = {1, 2, 3}, .kind = K_IP4, .proto = 17),
	BAD("vlan3_ad", VLAN_TRUNC, .ntag = 3, .tpid = {0x88a8, 0x88a8, 0x88a8}, .kind = K_IP4),
	BAD("vlan1_cut_tci", VLAN_TRUNC, .ntag = 1, .kind = K_IP4, .cut = 15),
	BAD("vlan1_cut_et", VLAN_TRUNC, .ntag = 1, .kind = K_IP4, .cut = 17),
	BAD("vlan2_cut_inner", VLAN_TRUNC, .ntag = 2, .kind = K_IP4, .cut = 21),
	BAD("vlan1_no_l3", L3_TRUNC, .ntag = 1, .kind = K_IP4, .cut = 18),
	/* IPv4 */
	OK("ipv4_udp", IP4(NOTAG, 14, 20, 32, 34, 17, 5353, 53, false, true), .kind = K_IP4,
	   .proto = 17, .payload = 4),
	OK("ipv4_tcp", IP4(NOTAG, 14, 20, 140, 34, 6, 1234, 80, false, true), .kind = K_IP4,
	   .proto = 6, .payload = 100),
	OK("ipv4_icmp", IP4(NOTAG, 14, 20, 84, 34, 1, 8, 0, false, true), .kind = K_IP4, .proto = 1,
	   .payload = 56),
	OK("ipv4_gre_unparsed", IP4(NOTAG, 14, 20, 24, 0, 47, 0, 0, false, true), .kind = K_IP4,
	   .proto = 47, .payload = 4),
	OK("ipv4_header_only", IP4(NOTAG, 14, 20, 20, 0, 0, 0, 0, false, true), .kind = K_IP4,
	   .proto = 0),
	OK("ipv4_padded_60", IP4(NOTAG, 14, 20, 28, 34, 17, 5353, 53, false, true), .kind = K_IP4,
	   .proto = 17, .pad = 18),
	BAD("ipv4_version6", BAD_VERSION, .kind = K_IP4, .vbyte = 0x65, .proto = 17),
	BAD("ipv4_version0", BAD_VERSION, .kind = K_IP4, .vbyte = 0x05, .proto = 17),
	BAD("ipv4_version15", BAD_VERSION, .kind = K_IP4, .vbyte = 0xf5),
	BAD("ipv4_ihl4", BAD_IHL, .kind = K_IP4, .vbyte = 0x44, .proto = 17),
	BAD("ipv4_ihl0", BAD_IHL, .kind = K_IP4, .vbyte = 0x40, .proto = 17),
	BAD("ipv4_cut_19", L3_TRUNC, .kind = K_IP4, .proto = 17, .cut = 33),
	BAD("ipv4_ihl15_cut", L3_TRUNC, .kind = K_IP4, .vbyte = 0x4f, .cut = 14 + 59),
	BAD("ipv4_ihl15_no_options", L3_TRUNC, .kind = K_IP4, .vbyte = 0x4f, .cut = 14 + 20),
	BAD("ipv4_total_plus1", BAD_TOTAL_LEN, .kind = K_IP4, .proto = 17, .len_adj = 1),
	BAD("ipv4_total_beyond_cut", BAD_TOTAL_LEN, .kind = K_IP4, .proto = 6, .payload = 10,
	    .cut = 60),
	BAD("ipv4_total_65535", BAD_TOTAL_LEN, .kind = K_IP4, .proto = 17, .len_adj = 65535 - 28),
	BAD("ipv4_total_19", BAD_TOTAL_LEN, .kind = K_IP4, .proto = 17, .len_adj = -9),
	BAD("ipv4_total_0", BAD_TOTAL_LEN, .kind = K_IP4, .proto = 17, .len_adj = -28),
	BAD("ipv4_total_below_options", BAD_TOTAL_LEN, .kind = K_IP4, .vbyte = 0x46, .len_adj = -4),
	/* the UDP header is in the frame, but in the padding after the total length */
	BAD("ipv4_udp_in_padding", L4_TRUNC, .kind = K_IP4, .proto = 17, .len_adj = -8),
	/* fragments */
	OK("frag_first_mf", IP4(NOTAG, 14, 20, 44, 34, 17, 5353, 53, true, true), .kind = K_IP4,
	   .proto = 17, .frag = 0x2000, .payload = 16),
	OK("frag_df", IP4(NOTAG, 14, 20, 40, 34, 6, 1234, 80, false, true), .kind = K_IP4,
	   .proto = 6, .frag = 0x4000),
	OK("frag_later", IP4(NOTAG, 14, 20, 36, 0, 17, 0, 0, true, false), .kind = K_IP4,
	   .proto = 17, .frag = 0x00b9, .payload = 8),
	OK("frag_later_mf", IP4(NOTAG, 14, 20, 40, 0, 6, 0, 0, true, false), .kind = K_IP4,
	   .proto = 6, .frag = 0x2001),
	OK("frag_later_no_l4", IP4(NOTAG, 14, 20, 20, 0, 6, 0, 0, true, false), .kind = K_IP4,
	   .proto = 6, .frag = 0x1fff, .l4_short = true),
	BAD("frag_first_tcp_short", L4_TRUNC, .kind = K_IP4, .proto = 6, .frag = 0x2000,
	    .l4_short = true, .l4_keep = 8),
	/* TCP */
	OK("tcp_doff8", IP4(NOTAG, 14, 20, 57, 34, 6, 1234, 80, false, true), .kind = K_IP4,
	   .proto = 6, .doff = 8, .payload = 5),
	OK("tcp_doff15_exact", IP4(NOTAG, 14, 20, 80, 34, 6, 1234, 80, false, true), .kind = K_IP4,
	   .proto = 6, .doff = 15),
	BAD("tcp_doff4", L4_TRUNC, .kind = K_IP4, .proto = 6, .doff = 4),
	BAD("tcp_doff0", L4_TRUNC, .kind = K_IP4, .proto = 6, .npoke = 1,
	    .poke = {{34 + 12, 0x00}}),
	BAD("tcp_doff15_beyond", L4_TRUNC, .kind = K_IP4, .proto = 6, .doff = 15, .l4_short = true,
	    .l4_keep = 20, .pad = 40),
	BAD("tcp_cut_19", L4_TRUNC, .kind = K_IP4, .proto = 6, .l4_short = true, .l4_keep = 19),
	BAD("udp_cut_7", L4_TRUNC, .kind = K_IP4, .proto = 17, .l4_short = true, .l4_keep = 7),
	BAD("udp_none", L4_TRUNC, .kind = K_IP4, .proto = 17, .l4_short = true, .pad = 26),
	BAD("icmp_cut_3", L4_TRUNC, .kind = K_IP4, .proto = 1, .l4_short = true, .l4_keep = 3),
	OK("icmp_4", IP4(NOTAG, 14, 20, 24, 34, 1, 8, 0, false, true), .kind = K_IP4, .proto = 1,
	   .l4_short = true, .l4_keep = 4),
	/* IPv6 */
	OK("ipv6_udp", IP6(NOTAG, 14, 60, 54, 17, 5353, 53), .kind = K_IP6, .proto = 17,
	   .payload = 12),
	OK("ipv6_tcp_padded", IP6(NOTAG, 14, 60, 54, 6, 1234, 80), .kind = K_IP6, .proto = 6,
	   .pad = 6),
	OK("ipv6_icmp6", IP6(NOTAG, 14, 56, 54, 58, 128, 0), .kind = K_IP6, .proto = 58,
	   .payload = 8),
	OK("ipv6_hop_by_hop", IP6(NOTAG, 14, 48, 0, 0, 0, 0), .kind = K_IP6, .proto = 0,
	   .payload = 8),
	OK("ipv6_no_next", IP6(NOTAG, 14, 40, 0, 59, 0, 0), .kind = K_IP6, .proto = 59),
	BAD("ipv6_version4", BAD_VERSION, .kind = K_IP6, .vbyte = 0x45, .proto = 17),
	BAD("ipv6_cut_39", L3_TRUNC, .kind = K_IP6, .cut = 14 + 39),
	BAD("ipv6_payload_plus1", BAD_TOTAL_LEN, .kind = K_IP6, .proto = 17, .len_adj = 1),
	BAD("ipv6_payload_65535", BAD_TOTAL_LEN, .kind = K_IP6, .proto = 6, .len_adj = 65535 - 20),
	BAD("ipv6_udp_cut_7", L4_TRUNC, .kind = K_IP6, .proto = 17, .l4_short = true, .l4_keep = 7),
	BAD("ipv6_udp_in_padding", L4_TRUNC, .kind = K_IP6, .proto = 17, .len_adj = -8),
	/* ARP: a request 10.0.0.1 asks for 10.0.0.2, a reply from 10.0.0.2 to 10.0.0.1 */
	OK("arp_request", ARP(NOTAG, 14, 1, SRC4, DST4), .kind = K_ARP),
	OK("arp_reply_padded", ARP(NOTAG, 14, 2, DST4, SRC4), .kind = K_ARP, .op = 2, .pad = 18),
	BAD("arp_htype6", BAD_ARP, .kind = K_ARP, .npoke = 1, .poke = {{15, 6}}),
	BAD("arp_ptype_ipv6", BAD_ARP, .kind = K_ARP, .npoke = 2, .poke = {{16, 0x86}, {17, 0xdd}}),
	BAD("arp_hlen8", BAD_ARP, .kind = K_ARP, .npoke = 1, .poke = {{18, 8}}),
	BAD("arp_plen16", BAD_ARP, .kind = K_ARP, .npoke = 1, .poke = {{19, 16}}),
	BAD("arp_cut_27", BAD_ARP, .kind = K_ARP, .cut = 14 + 27),
	/* jumbo: 9000 bytes on the wire without the FCS */
	OK("jumbo_9000", IP4(NOTAG, 14, 20, 8986, 34, 17, 5353, 53, false, true), .kind = K_IP4,
	   .proto = 17, .payload = 9000 - 42),
	OK("jumbo_9000_vlan_tcp", IP4(TAG1(9), 18, 20, 8982, 38, 6, 1234, 80, false, true),
	   .ntag = 1, .tci = {9}, .kind = K_IP4, .proto = 6, .payload = 9000 - 58),
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static uint8_t fb[MAXF];

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* the L4 header of f at p; returns the bytes written */
static uint32_t
build_l4(uint8_t *p, const struct fspec *f)
{
	uint32_t n = 0;

	switch (f->proto) {
	case 6:
		n = f->doff > 5 ? f->doff * 4u : 20;
		memset(p, 1, n); /* options: NOP */
		put16(p, 1234);
		put16(p + 2, 80);
		put32(p + 4, 0x01020304);
		put32(p + 8, 0);
		p[12] = (uint8_t)((f->doff ? f->doff : 5) << 4);
		p[13] = 0x18; /* PSH ACK */
		put16(p + 14, 65535);
		put32(p + 16, 0);
		break;
	case 17:
		n = 8;
		put16(p, 5353);
		put16(p + 2, 53);
		put16(p + 4, 8 + f->payload);
		put16(p + 6, 0);
		break;
	case 1:
	case 58:
		n = 8;
		p[0] = f->proto == 1 ? 8 : 128; /* echo request */
		p[1] = 0;
		put16(p + 2, 0);
		put32(p + 4, 0x12340001);
		break;
	}
	return f->l4_short && f->l4_keep < n ? f->l4_keep : n;
}

/* Build f into fb; returns the frame's length. */
static uint32_t
build(const struct fspec *f)
{
	static const uint8_t mac_d[6] = {2, 0, 0, 0, 0, 2}, mac_s[6] = {2, 0, 0, 0, 0, 1};
	static const uint16_t et_of[] = {0x88b5, 0x0800, 0x86dd, 0x0806};
	uint32_t off = 12, l3, hl = 0, l4 = 0, n, total;
	uint8_t vb;

	memset(fb, 0, sizeof(fb));
	memcpy(fb, mac_d, 6);
	memcpy(fb + 6, mac_s, 6);
	for (unsigned int i = 0; i < f->ntag; i++, off += 4) {
		put16(fb + off, f->tpid[i] ? f->tpid[i] : 0x8100);
		put16(fb + off + 2, f->tci[i]);
	}
	put16(fb + off, f->et ? f->et : et_of[f->kind]);
	l3 = off + 2;
	switch (f->kind) {
	case K_RAW:
		break;
	case K_IP4:
		vb = f->vbyte ? f->vbyte : 0x45;
		hl = (vb & 0x0f) * 4u < 20 ? 20 : (vb & 0x0f) * 4u;
		memset(fb + l3 + 20, 1, hl - 20); /* options: NOP */
		l4 = build_l4(fb + l3 + hl, f);
		total = (uint32_t)((int32_t)(hl + l4 + f->payload) + f->len_adj);
		fb[l3] = vb;
		put16(fb + l3 + 2, total);
		put16(fb + l3 + 4, 0x1c46);
		put16(fb + l3 + 6, f->frag);
		fb[l3 + 8] = TTL;
		fb[l3 + 9] = f->proto;
		memcpy(fb + l3 + 12, &(uint32_t){SRC4}, 4);
		memcpy(fb + l3 + 16, &(uint32_t){DST4}, 4);
		put16(fb + l3 + 10, ref_csum(fb + l3, hl));
		break;
	case K_IP6:
		hl = 40;
		l4 = build_l4(fb + l3 + hl, f);
		put32(fb + l3, (uint32_t)(f->vbyte ? f->vbyte : 0x60) << 24 | 0x12345);
		put16(fb + l3 + 4, (uint32_t)((int32_t)(l4 + f->payload) + f->len_adj));
		fb[l3 + 6] = f->proto;
		fb[l3 + 7] = TTL;
		put32(fb + l3 + 8, 0x20010db8); /* 2001:db8::1 -> 2001:db8::2 */
		fb[l3 + 23] = 1;
		put32(fb + l3 + 24, 0x20010db8);
		fb[l3 + 39] = 2;
		break;
	case K_ARP:
		hl = 28;
		put16(fb + l3, 1);
		put16(fb + l3 + 2, 0x0800);
		fb[l3 + 4] = 6;
		fb[l3 + 5] = 4;
		put16(fb + l3 + 6, f->op ? f->op : 1);
		memcpy(fb + l3 + 8, f->op == 2 ? mac_d : mac_s, 6);
		memcpy(fb + l3 + 14, &(uint32_t){f->op == 2 ? DST4 : SRC4}, 4);
		if (f->op == 2)
			memcpy(fb + l3 + 18, mac_s, 6);
		memcpy(fb + l3 + 24, &(uint32_t){f->op == 2 ? SRC4 : DST4}, 4);
		break;
	}
	n = l3 + hl + l4;
	for (unsigned int i = 0; i < f->payload; i++)
		fb[n + i] = (uint8_t)(i * 7 + 3);
	n += f->payload + f->pad;
	for (unsigned int i = 0; i < f->npoke; i++)
		fb[f->poke[i].off] = f->poke[i].val;
	if (n > MAXF || f->cut > n) { /* a mistake in the table: also outside CUnit (dump) */
		fprintf(stderr, "build: frame of %u bytes cut at %u\n", n, f->cut);
		abort();
	}
	return f->cut ? f->cut : n;
}

/* prx_parse() on a heap copy of exactly `len` bytes, info pre-filled with garbage */
static int
parse_exact(const uint8_t *src, uint32_t len, struct prx_pkt_info *pi)
{
	uint8_t *b = malloc(len ? len : 1);
	int rc;

	CU_ASSERT_FATAL(b != NULL);
	if (len)
		memcpy(b, src, len);
	memset(pi, 0xa5, sizeof(*pi));
	rc = prx_parse(len ? b : b + 1, len, pi); /* len 0: a pointer to nothing */
	free(b);
	return rc;
}

/* Does a equal b in every field?  Prints the differences, prefixed with `name`. */
static bool
info_equal(const char *name, const struct prx_pkt_info *a, const struct prx_pkt_info *b)
{
	bool eq = true;

#define FIELD(f) \
	do { \
		if (a->f != b->f) { \
			printf("\n  %s: " #f " is %" PRIu64 ", expected %" PRIu64, name, \
			       (uint64_t)a->f, (uint64_t)b->f); \
			eq = false; \
		} \
	} while (0)
	FIELD(ether_type);
	FIELD(n_vlan);
	FIELD(vlan_tci[0]);
	FIELD(vlan_tci[1]);
	FIELD(l3);
	FIELD(l3_off);
	FIELD(l3_len);
	FIELD(l4_off);
	FIELD(l4_proto);
	FIELD(fragment);
	FIELD(first_fragment);
	FIELD(ttl);
	FIELD(ip_total);
	FIELD(src4);
	FIELD(dst4);
	FIELD(sport);
	FIELD(dport);
#undef FIELD
	return eq;
}

static void
test_table(void)
{
	struct prx_pkt_info pi;

	for (size_t i = 0; i < N_CASES; i++) {
		const struct pcase *c = &cases[i];
		uint32_t len = build(&c->f);
		int rc = parse_exact(fb, len, &pi);
		const char *why;

		if (rc != c->rc) {
			printf("\n  %s: returned %d (%s), expected %d (%s)", c->name, rc,
			       rc ? prx_drop_name(rc) : "ok", c->rc,
			       c->rc ? prx_drop_name(c->rc) : "ok");
			CU_FAIL(c->name);
			continue;
		}
		if (rc != 0)
			continue;
		if (!info_equal(c->name, &pi, &c->exp))
			CU_FAIL(c->name);
		why = prx_parse_check(fb, len, &pi);
		if (why != NULL) {
			printf("\n  %s: %s", c->name, why);
			CU_FAIL(c->name);
		}
	}
}

static void
test_runts(void)
{
	static const struct fspec ip = {.kind = K_IP4, .proto = 17};
	struct prx_pkt_info pi, zero;
	uint32_t len = build(&ip);

	CU_ASSERT_FATAL(len > 14);
	memset(&zero, 0, sizeof(zero));
	for (uint32_t n = 0; n < 14; n++) {
		CU_ASSERT_EQUAL(parse_exact(fb, n, &pi), PRX_DROP_RUNT);
		CU_ASSERT(info_equal("runt", &pi, &zero)); /* no stale fields */
	}
	memset(fb, 0xff, 14);
	for (uint32_t n = 0; n < 14; n++)
		CU_ASSERT_EQUAL(parse_exact(fb, n, &pi), PRX_DROP_RUNT);
}

/* IHL 5..15 under 0, 1 and 2 tags, TCP and UDP: l4_off follows the options */
static void
test_ipv4_options(void)
{
	struct prx_pkt_info pi, exp;

	for (uint8_t ntag = 0; ntag <= 2; ntag++)
		for (uint8_t ihl = 5; ihl <= 15; ihl++)
			for (int t = 0; t < 2; t++) {
				struct fspec f = {.ntag = ntag,
						  .tci = {11, 22},
						  .kind = K_IP4,
						  .vbyte = (uint8_t)(0x40 | ihl),
						  .proto = t ? 6 : 17,
						  .payload = 3};
				uint32_t len = build(&f), l3o = 14 + 4u * ntag;
				uint32_t l4len = t ? 20 : 8;

				exp = (struct prx_pkt_info)IP4(.n_vlan = ntag, l3o, ihl * 4u,
							       ihl * 4u + l4len + 3, l3o + ihl * 4u,
							       f.proto, t ? 1234 : 5353,
							       t ? 80 : 53, false, true);
				exp.vlan_tci[0] = ntag > 0 ? 11 : 0;
				exp.vlan_tci[1] = ntag > 1 ? 22 : 0;
				CU_ASSERT_EQUAL_FATAL(parse_exact(fb, len, &pi), 0);
				CU_ASSERT(info_equal("options", &pi, &exp));
				CU_ASSERT_PTR_NULL(prx_parse_check(fb, len, &pi));
				/* one byte of the options missing: the header is cut */
				CU_ASSERT_EQUAL(parse_exact(fb, l3o + ihl * 4u - 1, &pi),
						PRX_DROP_L3_TRUNC);
			}
}

static uint64_t rng;

static uint64_t
rnd(void)
{
	return parse_rnd(&rng);
}

static unsigned int prop_fail;

/* Parse a heap copy of exactly `len` bytes of src and check the result (parse_check.h);
 * the first failures are printed with the start of the buffer. */
static int
prop_one(const char *what, uint64_t iter, const uint8_t *src, uint32_t len, struct prx_pkt_info *pi)
{
	uint8_t *b = malloc(len ? len : 1);
	const char *why;
	int rc;

	CU_ASSERT_FATAL(b != NULL);
	if (len)
		memcpy(b, src, len);
	rc = prx_parse(b, len, pi);
	why = !prx_parse_rc_ok(rc) ? "not a parser drop reason"
	      : rc == 0		   ? prx_parse_check(b, len, pi)
				   : NULL;
	if (why != NULL && prop_fail++ < 10) {
		printf("\n  %s #%" PRIu64 ": len %u rc %d: %s\n   ", what, iter, len, rc, why);
		for (uint32_t i = 0; i < len && i < 64; i++)
			printf(" %02x", b[i]);
	}
	free(b);
	return rc;
}

/* make a random buffer look more like a frame: known EtherTypes, IP versions, lengths */
static void
bias(uint8_t *b, uint32_t len)
{
	static const uint16_t ets[] = {0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8};
	static const uint8_t protos[] = {6, 17, 1, 58};
	uint32_t off = 12, room;
	uint16_t et = 0;

	for (int t = 0; t < 4 && off + 2 <= len; t++, off += 4) {
		et = ets[rnd() % (t < 3 ? 5 : 3)];
		put16(b + off, et);
		if (et != 0x8100 && et != 0x88a8)
			break;
	}
	off += 2;
	if (off + 20 > len)
		return;
	room = len - off;
	if (rnd() % 4)
		b[off + (et == 0x86dd ? 6 : 9)] = protos[rnd() % 4];
	if (et == 0x0800) {
		b[off] = (uint8_t)(rnd() % 8 ? 0x45 + rnd() % 3 : b[off]);
		put16(b + off + 2, (uint32_t)(rnd() % (room + 8)));
		if (rnd() % 4)
			put16(b + off + 6, rnd() % 2 ? 0x2000 : 0x4000);
		b[off + 20] = (uint8_t)(rnd() % 4 ? 0x50 : b[off + 20]); /* a TCP doff */
	} else if (et == 0x86dd) {
		b[off] = (uint8_t)(rnd() % 8 ? 0x60 : b[off]);
		put16(b + off + 4, (uint32_t)(rnd() % (room + 8)));
	} else if (et == 0x0806 && rnd() % 4) {
		put32(b + off, 0x00010800);
		put16(b + off + 4, 0x0604);
	}
}

/* 200 000 random buffers of 0..200 bytes, every other one biased towards a frame */
static void
test_prop_random(void)
{
	uint8_t b[200];
	struct prx_pkt_info pi;
	unsigned int n_l3[4] = {0}, n_l4 = 0;

	prop_fail = 0;
	rng = parse_seed("random");
	for (uint64_t i = 0; i < 200000; i++) {
		uint32_t len = (uint32_t)(rnd() % 201);

		for (uint32_t j = 0; j < len; j++)
			b[j] = (uint8_t)rnd();
		if (i & 1)
			bias(b, len);
		if (prop_one("random", i, b, len, &pi) == 0) {
			n_l3[pi.l3 & 3]++;
			n_l4 += pi.l4_off != 0;
		}
	}
	printf("\n  random: ok none %u arp %u ipv4 %u ipv6 %u, l4 %u", n_l3[0], n_l3[1], n_l3[2],
	       n_l3[3], n_l4);
	CU_ASSERT_EQUAL(prop_fail, 0);
	/* the biased half reaches every parser path */
	CU_ASSERT(n_l3[1] > 100 && n_l3[2] > 100 && n_l3[3] > 100 && n_l4 > 100);
}

/*
 * Every valid frame of the table cut at every length: the result is the full frame's
 * as long as the datagram (ARP packet, L2 header) is whole, a drop reason below; then
 * 2 000 copies with 1..4 bits flipped (mostly in the headers), some also cut short.
 */
static void
test_prop_mutations(void)
{
	static uint8_t orig[MAXF], mut[MAXF];
	struct prx_pkt_info full, pi;
	unsigned int bad = 0;

	prop_fail = 0;
	rng = parse_seed("mutations") ^ 2;
	for (size_t c = 0; c < N_CASES; c++) {
		uint32_t len, end;

		if (cases[c].rc != 0)
			continue;
		len = build(&cases[c].f);
		memcpy(orig, fb, len);
		CU_ASSERT_EQUAL_FATAL(prop_one(cases[c].name, 0, orig, len, &full), 0);
		end = full.l3 == PRX_L3_NONE  ? full.l3_off
		      : full.l3 == PRX_L3_ARP ? full.l3_off + 28u
					      : full.l3_off + full.ip_total;
		for (uint32_t n = 0; n <= len; n++) {
			int rc = prop_one(cases[c].name, n, orig, n, &pi);

			if (n >= end ? rc != 0 || !info_equal(cases[c].name, &pi, &full)
				     : rc == 0) {
				if (bad++ < 10)
					printf("\n  %s cut at %u: rc %d", cases[c].name, n, rc);
			}
		}
		for (uint64_t i = 0; i < 2000; i++) {
			uint32_t n = len, span = len < 100 ? len : 100;
			int flips = 1 + (int)(rnd() % 4);

			memcpy(mut, orig, len);
			for (int k = 0; k < flips; k++)
				mut[rnd() % span] ^= (uint8_t)(1u << (rnd() % 8));
			if (rnd() % 4 == 0)
				n = (uint32_t)(rnd() % (len + 1));
			prop_one(cases[c].name, i, mut, n, &pi);
		}
	}
	CU_ASSERT_EQUAL(prop_fail, 0);
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * Headers in a first segment of `avail` bytes, lengths against the whole frame (an mbuf
 * chain, prx_parse_mbuf): for every valid frame of the table and every split, the
 * result is the whole frame's, or a truncation when a header crosses the split; never
 * a read past it (the first part is a heap copy of exactly `avail` bytes for ASan).
 */
static void
test_split_frames(void)
{
	struct prx_pkt_info full, pi;
	unsigned int bad = 0, whole = 0;

	for (size_t c = 0; c < N_CASES; c++) {
		uint32_t len;

		if (cases[c].rc != 0)
			continue;
		len = build(&cases[c].f);
		CU_ASSERT_EQUAL_FATAL(prx_parse(fb, len, &full), 0);
		for (uint32_t avail = 0; avail <= len; avail++) {
			uint8_t *part = malloc(avail > 0 ? avail : 1);
			int rc;

			CU_ASSERT_FATAL(part != NULL);
			memcpy(part, fb, avail);
			rc = prx_parse_seg(part, avail, len, &pi);
			free(part);
			if (rc == 0) {
				whole += avail == len;
				if (!info_equal(cases[c].name, &pi, &full))
					bad++;
			} else if (rc != PRX_DROP_L3_TRUNC && rc != PRX_DROP_VLAN_TRUNC &&
				   rc != PRX_DROP_L4_TRUNC && rc != PRX_DROP_BAD_ARP) {
				if (bad++ < 10)
					printf("\n  %s split at %u: rc %d", cases[c].name, avail,
					       rc);
			} else if (avail == len) {
				bad++;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(whole > 10);
}

/* PRX_PARSE_DUMP=DIR: write the table's frames, one file per case */
static int
dump_corpus(const char *dir)
{
	char path[4096];

	for (size_t i = 0; i < N_CASES; i++) {
		uint32_t len = build(&cases[i].f);
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, cases[i].name);
		f = fopen(path, "wb");
		if (f == NULL || fwrite(fb, 1, len, f) != len || fclose(f) != 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

int
main(void)
{
	static const struct prx_test_case tests[] = {
		PRX_TEST(test_table),
		PRX_TEST(test_runts),
		PRX_TEST(test_ipv4_options),
		PRX_TEST(test_prop_random),
		PRX_TEST(test_prop_mutations),
		PRX_TEST(test_split_frames),
		{NULL, NULL},
	};
	struct prx_test_case all[32];
	const char *dump = getenv("PRX_PARSE_DUMP");
	size_t n = 0;

	if (dump != NULL)
		return dump_corpus(dump);
	for (const struct prx_test_case *t = tests; t->name != NULL; t++)
		all[n++] = *t;
	for (const struct prx_test_case *t = parse_csum_cases; t->name != NULL; t++)
		all[n++] = *t;
	all[n] = (struct prx_test_case){NULL, NULL};
	return prx_test_run("parse", all, 0);
}
