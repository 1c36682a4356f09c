/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the router makes, checked byte by byte with their checksums recomputed: ARP
 * requests and replies, ICMP errors (RFC 792 quote, VLAN tags kept, padding), when an
 * ICMP error must not be sent (RFC 1812), the TTL decrement's incremental checksum
 * against a full recomputation over many headers and against prx_csum_update16() for
 * every checksum, and the fast path's frame test against the plain-IPv4 shortcut.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cpuflags.h>

#include "prx_parse.h"
#include "router_fast.h"
#include "router_internal.h"
#include "test_router.h"

static const uint8_t SRC_MAC[6] = {2, 0, 0, 0, 0, 0xa};
static const uint8_t HOST_MAC[6] = {2, 0, 0, 0, 1, 2};

static uint32_t
u32at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void
test_arp_frames(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];
	uint8_t buf[128];
	struct prx_pkt_info pi;

	memset(buf, 0xee, sizeof(buf));
	CU_ASSERT_EQUAL(
		rt_build_arp(buf, 1, bcast, SRC_MAC, ip4("10.0.2.1"), NULL, ip4("10.0.2.2")), 60);
	CU_ASSERT(memcmp(buf, bcast, 6) == 0 && memcmp(buf + 6, SRC_MAC, 6) == 0);
	CU_ASSERT(buf[12] == 0x08 && buf[13] == 0x06);
	CU_ASSERT_EQUAL_FATAL(prx_parse(buf, 60, &pi), 0);
	CU_ASSERT_EQUAL(pi.l3, PRX_L3_ARP);
	CU_ASSERT_EQUAL(pi.sport, 1);
	CU_ASSERT_EQUAL(pi.src4, ip4("10.0.2.1"));
	CU_ASSERT_EQUAL(pi.dst4, ip4("10.0.2.2"));
	CU_ASSERT(memcmp(buf + 14 + 8, SRC_MAC, 6) == 0);
	CU_ASSERT(memcmp(buf + 14 + 18, zero, 6) == 0);
	for (int i = 42; i < 60; i++) /* padded with zeros */
		CU_ASSERT_EQUAL(buf[i], 0);
	CU_ASSERT_EQUAL(buf[60], 0xee); /* and not beyond */

	rt_build_arp(buf, 2, HOST_MAC, SRC_MAC, ip4("10.0.1.1"), HOST_MAC, ip4("10.0.1.2"));
	CU_ASSERT_EQUAL_FATAL(prx_parse(buf, 60, &pi), 0);
	CU_ASSERT_EQUAL(pi.sport, 2);
	CU_ASSERT(memcmp(buf, HOST_MAC, 6) == 0);
	CU_ASSERT(memcmp(buf + 14 + 18, HOST_MAC, 6) == 0);
	CU_ASSERT_EQUAL(u32at(buf + 14 + 24), ip4("10.0.1.2"));
}

/* An IPv4 frame: `vlan` tags, protocol, payload bytes after the 20-byte header. */
static uint16_t
frame(uint8_t *d, int vlan, uint8_t proto, uint16_t payload, uint8_t ttl)
{
	uint16_t off = 12, csum;
	uint8_t *ip;

	memset(d, 0, 256);
	memcpy(d, SRC_MAC, 6);
	memcpy(d + 6, HOST_MAC, 6);
	for (int i = 0; i < vlan; i++, off += 4) {
		d[off] = 0x81;
		d[off + 3] = (uint8_t)(100 + i);
	}
	d[off] = 0x08;
	ip = d + off + 2;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + payload) >> 8);
	ip[3] = (uint8_t)(20 + payload);
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, &(uint32_t){ip4("10.0.1.2")}, 4);
	memcpy(ip + 16, &(uint32_t){ip4("10.0.2.2")}, 4);
	csum = prx_csum_fold(prx_csum_add(0, ip, 20));
	memcpy(ip + 10, &csum, 2);
	for (uint16_t i = 0; i < payload; i++)
		ip[20 + i] = (uint8_t)(0x40 + i);
	if (proto == 1)
		ip[20] = 8; /* echo request */
	if (proto == 6)
		ip[20 + 12] = 0x50; /* TCP data offset: 20 bytes */
	return (uint16_t)(off + 2 + 20 + payload);
}

static void
check_icmp(const uint8_t *e, uint16_t len, const uint8_t *orig, const struct prx_pkt_info *opi,
	   uint8_t type, uint8_t code, uint16_t quote)
{
	struct prx_pkt_info pi;
	const uint8_t *ip, *icmp;

	CU_ASSERT_EQUAL_FATAL(prx_parse(e, len, &pi), 0);
	CU_ASSERT_EQUAL(pi.l3, PRX_L3_IPV4);
	CU_ASSERT_EQUAL(pi.n_vlan, opi->n_vlan);
	for (int i = 0; i < pi.n_vlan; i++)
		CU_ASSERT_EQUAL(pi.vlan_tci[i], opi->vlan_tci[i]);
	CU_ASSERT(memcmp(e, HOST_MAC, 6) == 0 && memcmp(e + 6, SRC_MAC, 6) == 0);
	ip = e + pi.l3_off;
	icmp = ip + 20;
	CU_ASSERT(ip_csum_ok(ip));
	CU_ASSERT_EQUAL(pi.l4_proto, 1);
	CU_ASSERT_EQUAL(pi.ip_total, 20u + 8 + quote);
	CU_ASSERT_EQUAL(pi.src4, ip4("10.0.1.1"));
	CU_ASSERT_EQUAL(pi.dst4, ip4("10.0.1.2"));
	CU_ASSERT_EQUAL(pi.ttl, 64);
	CU_ASSERT_EQUAL(icmp[0], type);
	CU_ASSERT_EQUAL(icmp[1], code);
	CU_ASSERT_EQUAL(u32at(icmp + 4), 0);
	CU_ASSERT_EQUAL(prx_csum_fold(prx_csum_add(0, icmp, 8u + quote)), 0);
	CU_ASSERT(memcmp(icmp + 8, orig + opi->l3_off, quote) == 0);
	CU_ASSERT(len >= 60);
	CU_ASSERT_EQUAL(len, pi.l3_off + 28 + quote < 60 ? 60 : pi.l3_off + 28 + quote);
}

static void
test_icmp_errors(void)
{
	static const struct {
		int vlan;
		uint8_t proto;
		uint16_t payload, quote;
	} cases[] = {
		{0, 17, 30, 28}, /* UDP: header + 8 */
		{1, 6, 40, 28},	 /* TCP, one tag */
		{2, 47, 3, 23},	 /* a short GRE datagram: all of it */
		{0, 1, 56, 28},	 /* echo request: may be answered */
	};
	uint8_t orig[256], e[512];

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		uint16_t olen = frame(orig, cases[i].vlan, cases[i].proto, cases[i].payload, 1);
		struct prx_pkt_info pi;
		uint16_t len;

		if (olen < 60)
			olen = 60;
		CU_ASSERT_EQUAL_FATAL(prx_parse(orig, olen, &pi), 0);
		CU_ASSERT_TRUE(rt_icmp_allowed(orig, &pi));
		len = rt_build_icmp_error(e, sizeof(e), orig, &pi, 11, 0, SRC_MAC, ip4("10.0.1.1"),
					  7);
		CU_ASSERT_FATAL(len > 0);
		check_icmp(e, len, orig, &pi, 11, 0, cases[i].quote);
		len = rt_build_icmp_error(e, sizeof(e), orig, &pi, 3, 1, SRC_MAC, ip4("10.0.1.1"),
					  8);
		check_icmp(e, len, orig, &pi, 3, 1, cases[i].quote);
	}
	/* no room: nothing built */
	{
		uint16_t olen = frame(orig, 0, 17, 30, 1);
		struct prx_pkt_info pi;

		CU_ASSERT_EQUAL_FATAL(prx_parse(orig, olen, &pi), 0);
		CU_ASSERT_EQUAL(rt_build_icmp_error(e, 40, orig, &pi, 3, 0, SRC_MAC, 1, 0), 0);
	}
}

static void
test_no_icmp_about(void)
{
	uint8_t orig[256];
	struct prx_pkt_info pi;
	uint16_t len;

	/* an ICMP error */
	len = frame(orig, 0, 1, 36, 1);
	orig[14 + 20] = 3;
	CU_ASSERT_EQUAL_FATAL(prx_parse(orig, len, &pi), 0);
	CU_ASSERT_FALSE(rt_icmp_allowed(orig, &pi));
	orig[14 + 20] = 11;
	prx_parse(orig, len, &pi);
	CU_ASSERT_FALSE(rt_icmp_allowed(orig, &pi));
	orig[14 + 20] = 0; /* an echo reply is fine */
	prx_parse(orig, len, &pi);
	CU_ASSERT_TRUE(rt_icmp_allowed(orig, &pi));
	/* a later fragment */
	len = frame(orig, 0, 17, 30, 1);
	orig[14 + 6] = 0x00;
	orig[14 + 7] = 0x10;
	prx_parse(orig, len, &pi);
	CU_ASSERT_FALSE(rt_icmp_allowed(orig, &pi));
	/* a link-layer broadcast */
	len = frame(orig, 0, 17, 30, 1);
	memset(orig, 0xff, 6);
	prx_parse(orig, len, &pi);
	CU_ASSERT_FALSE(rt_icmp_allowed(orig, &pi));
	/* from 0.0.0.0, from a multicast address, to a multicast group */
	len = frame(orig, 0, 17, 30, 1);
	memset(orig + 14 + 12, 0, 4);
	prx_parse(orig, len, &pi);
	CU_ASSERT_FALSE(rt_icmp_allowed(orig, &pi));
	memcpy(orig + 14 + 12, &(uint32_t){ip4("224.0.0.5")}, 4);
	prx_parse(orig, len, &pi);
	CU_ASSERT_FALSE(rt_icmp_allowed(orig, &pi));
	len = frame(orig, 0, 17, 30, 1);
	memcpy(orig + 14 + 16, &(uint32_t){ip4("239.1.1.1")}, 4);
	prx_parse(orig, len, &pi);
	CU_ASSERT_FALSE(rt_icmp_allowed(orig, &pi));
}

/* The incremental update equals a full recomputation, for every TTL and many headers. */
static void
test_ttl_decrement_checksum(void)
{
	uint8_t ip[20];
	unsigned int bad = 0;

	srand(5);
	for (int n = 0; n < 20000; n++) {
		uint16_t csum, want;

		for (int i = 0; i < 20; i++)
			ip[i] = (uint8_t)rand();
		ip[0] = 0x45;
		ip[8] = (uint8_t)(2 + n % 254);
		ip[10] = ip[11] = 0;
		csum = prx_csum_fold(prx_csum_add(0, ip, 20));
		memcpy(ip + 10, &csum, 2);
		rt_ttl_dec(ip);
		memcpy(&csum, ip + 10, 2);
		ip[10] = ip[11] = 0;
		want = prx_csum_fold(prx_csum_add(0, ip, 20));
		memcpy(ip + 10, &csum, 2);
		/* 0x0000 and 0xffff are the same sum; a verifier accepts either */
		if (!ip_csum_ok(ip) || (csum != want && !(csum == 0xffff && want == 0) &&
					!(csum == 0 && want == 0xffff)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The fast path's shortcut never accepts what the parser would not, and takes the
 * common frames: checked over valid frames and over random corruptions of them. */
static void
test_plain_ipv4_agrees_with_parser(void)
{
	static const uint8_t protos[] = {17, 6, 1, 47};
	unsigned int taken = 0, disagree = 0, missed = 0;
	uint8_t f[256];

	srand(9);
	for (int n = 0; n < 200000; n++) {
		uint8_t proto = protos[(n / 2) % 4];
		uint16_t len = frame(f, 0, proto, (uint16_t)(8 + n % 60), 64);
		struct prx_pkt_info pi;
		uint32_t dst = 0;
		bool plain;
		int rc;

		if (proto == 6)
			f[14 + 20 + 12] = (uint8_t)((5 + n % 3) << 4);
		if (n % 3 == 0) /* a later fragment: no L4 header to check */
			f[14 + 7] = 0x20;
		if (len < 60)
			len = 60;
		if (n % 2 == 1) { /* corrupt up to three bytes of the headers, or the length */
			for (int k = 0; k < 1 + n % 3; k++)
				f[rand() % 60] = (uint8_t)rand();
			if (n % 7 == 0)
				len = (uint16_t)(rand() % 70);
		}
		plain = rt_plain_ipv4(f, len, &dst);
		rc = prx_parse(f, len, &pi);
		if (plain) {
			taken++;
			if (rc != 0 || pi.l3 != PRX_L3_IPV4 || pi.n_vlan != 0 || pi.dst4 != dst ||
			    pi.l3_off != 14)
				disagree++;
		} else if (n % 2 == 0 && rc == 0) {
			missed++; /* a valid frame of the common kind left to the parser */
		}
	}
	CU_ASSERT_EQUAL(disagree, 0);
	CU_ASSERT_EQUAL(missed, 0);
	CU_ASSERT(taken > 100000);
}

/* Does this CPU run the fast loop's AVX2 code (rt_fast_avx2_ok(), less EAL's limit)? */
static bool
cpu_avx2(void)
{
#ifdef RT_FAST_SSE
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_BMI2) > 0 &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_MOVBE) > 0;
#else
	return false;
#endif
}

/* rt_fast_ipv4_avx2(), for frame d of len bytes and key k (false off x86). */
#ifdef RT_FAST_SSE
static RT_AVX2 bool
avx2_fast_ipv4(const struct rt_fast_key *k, const uint8_t *d, uint32_t len, uint32_t *dst)
{
	struct rt_fast_key256 k2 = rt_fast_key256(k);

	return rt_fast_ipv4_avx2(&k2, d, len, dst);
}
#else
static bool
avx2_fast_ipv4(const struct rt_fast_key *k, const uint8_t *d, uint32_t len, uint32_t *dst)
{
	RTE_SET_USED(k);
	RTE_SET_USED(d);
	RTE_SET_USED(len);
	RTE_SET_USED(dst);
	return false;
}
#endif

/* rt_ttl_dec()'s closed form is prx_csum_update16() bit for bit: every checksum, with
 * TTLs 1, 2, 64, 255 and protocols 0, 1, 6, 17, 255. */
static void
test_ttl_decrement_every_checksum(void)
{
	static const uint8_t ttls[] = {1, 2, 64, 255}, protos[] = {0, 1, 6, 17, 255};
	unsigned int bad = 0;
	uint8_t ip[20] = {0x45};

	for (unsigned int t = 0; t < sizeof(ttls); t++) {
		for (unsigned int q = 0; q < sizeof(protos); q++) {
			for (uint32_t c = 0; c <= 0xffff; c++) {
				uint16_t csum = (uint16_t)c, old, new, want, got;

				ip[8] = ttls[t];
				ip[9] = protos[q];
				memcpy(ip + 10, &csum, 2);
				memcpy(&old, ip + 8, 2);
				rt_ttl_dec(ip);
				memcpy(&new, ip + 8, 2);
				memcpy(&got, ip + 10, 2);
				want = prx_csum_update16(csum, old, new);
				if (got != want || ip[8] != (uint8_t)(ttls[t] - 1) ||
				    ip[9] != protos[q])
					bad++;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* rt_fast_ttl_dec() (one 32-bit add) writes rt_ttl_dec()'s bytes for every checksum the
 * fast path lets through (all but 0xffff), but for 0xfeff: 0xffff there, 0x0000 from
 * rt_ttl_dec(), both zero in one's complement, so a receiver's sum is the same. */
static void
test_fast_ttl_decrement_every_checksum(void)
{
	static const uint8_t ttls[] = {2, 3, 64, 255}, protos[] = {1, 17};
	unsigned int bad = 0, other_zero = 0;

	for (unsigned int t = 0; t < sizeof(ttls); t++) {
		for (unsigned int q = 0; q < sizeof(protos); q++) {
			for (uint32_t c = 0; c < 0xffff; c++) {
				uint8_t a[64] = {0}, b[64];
				uint16_t be = rte_cpu_to_be_16((uint16_t)c);

				a[14] = 0x45;
				a[22] = ttls[t];
				a[23] = protos[q];
				memcpy(a + 24, &be, 2);
				memcpy(b, a, sizeof(a));
				rt_fast_ttl_dec(a);
				rt_ttl_dec(b + 14);
				if (c == 0xfeff && a[24] == 0xff && a[25] == 0xff && b[24] == 0 &&
				    b[25] == 0) {
					other_zero++;
					memcpy(a + 24, b + 24, 2);
				}
				if (memcmp(a, b, sizeof(a)) != 0)
					bad++;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(other_zero, sizeof(ttls) * sizeof(protos));
}

/* The fast path's test accepts only frames the plain-IPv4 shortcut accepts, addressed
 * to the key's MAC, with a TTL > 1, UDP, ICMP or TCP, not a later fragment (with the
 * same destination), and takes every such frame of 28 bytes or more (TCP: with its
 * header in); over valid frames and random corruptions of them, with other MACs and
 * TTLs mixed in. */
static void
test_fast_frames_are_plain(void)
{
	static const uint8_t protos[] = {17, 6, 1, 47};
	unsigned int taken = 0, tcp = 0, wrong = 0, missed = 0, portable = 0, vector256 = 0;
	bool avx2 = cpu_avx2();
	struct rt_fast_key key;
	uint8_t f[256];

	rt_fast_key_init(&key, SRC_MAC);
	srand(13);
	for (int n = 0; n < 200000; n++) {
		uint8_t proto = protos[(n / 2) % 4], ttl = (uint8_t)(n % 5 == 0 ? n % 3 : 64);
		uint16_t len = frame(f, 0, proto, (uint16_t)(4 + n % 60), ttl);
		uint32_t dst = 0, pdst = 0, sdst = 0, adst = 0, total;
		bool fast, plain, common;

		if (proto == 6)
			f[14 + 20 + 12] = (uint8_t)((5 + n % 3) << 4);
		if (n % 3 == 0) /* a later fragment */
			f[14 + 7] = 0x20;
		if (n % 11 == 0) /* more fragments, offset 0: still a first fragment */
			f[14 + 6] = 0x20;
		if (n % 13 == 0)
			f[5] ^= 1; /* another MAC */
		if (len < 60)
			len = 60;
		total = (uint32_t)f[16] << 8 | f[17];
		if (n % 101 == 0) /* checksum 0xffff: left to the general way */
			f[24] = f[25] = 0xff;
		common = n % 2 == 0 && (proto == 17 || proto == 1 || proto == 6) && n % 3 != 0 &&
			 n % 13 != 0 && ttl > 1 && total >= 28 && (f[24] & f[25]) != 0xff &&
			 (proto != 6 || rt_plain_ipv4(f, len, &pdst));
		if (n % 2 == 1) {
			for (int k = 0; k < 1 + n % 3; k++)
				f[rand() % 60] = (uint8_t)rand();
			if (n % 7 == 0)
				len = (uint16_t)(rand() % 70);
		}
		fast = rt_fast_ipv4(&key, f, len, &dst);
		plain = rt_plain_ipv4(f, len, &pdst);
		if (scalar_fast_ipv4(SRC_MAC, f, len, &sdst) != fast || (fast && sdst != dst))
			portable++;
		if (avx2 && (avx2_fast_ipv4(&key, f, len, &adst) != fast || (fast && adst != dst)))
			vector256++;
		if (fast) {
			taken++;
			tcp += f[23] == 6;
			if (!plain || dst != pdst || memcmp(f, SRC_MAC, 6) != 0 || f[22] < 2 ||
			    (f[23] != 1 && f[23] != 17 && f[23] != 6) ||
			    ((f[20] & 0x1f) | f[21]) != 0 || (f[24] & f[25]) == 0xff)
				wrong++;
		} else if (common) {
			missed++;
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(missed, 0);
	CU_ASSERT_EQUAL(portable, 0);  /* the portable code decides the same */
	CU_ASSERT_EQUAL(vector256, 0); /* and the AVX2 code (where the CPU has it) */
	CU_ASSERT(taken > 30000);
	CU_ASSERT(tcp > 5000);
	/* and writes the same MACs, leaving bytes 12-15 alone */
	for (int n = 0; n < 2; n++) {
		uint8_t a[64], b[64];
		union rt_macs m = {.b = {0}};

		for (int i = 0; i < 64; i++)
			a[i] = b[i] = (uint8_t)(7 * i + n);
		memcpy(m.b, HOST_MAC, 6);
		memcpy(m.b + 6, SRC_MAC, 6);
		rt_macs_write(a, &m);
		scalar_macs_write(b, HOST_MAC, SRC_MAC);
		CU_ASSERT(memcmp(a, b, 64) == 0);
		CU_ASSERT(memcmp(a, HOST_MAC, 6) == 0 && memcmp(a + 6, SRC_MAC, 6) == 0);
		CU_ASSERT_EQUAL(a[12], (uint8_t)(7 * 12 + n));
	}
}

const struct prx_test_case router_pkt_cases[] = {
	PRX_TEST(test_plain_ipv4_agrees_with_parser),
	PRX_TEST(test_arp_frames),
	PRX_TEST(test_icmp_errors),
	PRX_TEST(test_no_icmp_about),
	PRX_TEST(test_ttl_decrement_checksum),
	PRX_TEST(test_ttl_decrement_every_checksum),
	PRX_TEST(test_fast_ttl_decrement_every_checksum),
	PRX_TEST(test_fast_frames_are_plain),
	{NULL, NULL},
};
