/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's fast path for the common frame: plain IPv4 to the input port's MAC,
 * UDP or ICMP (or a later fragment), TTL > 1.  It is tested with two masked compares
 * of the frame's first 32 bytes (SSE2 on x86, 64-bit words elsewhere) and one length
 * check, where rt_plain_ipv4() and mac_eq() take about 25 branches; the MACs are then
 * rewritten with one 16-byte blend.  What the test refuses is not an error: it goes
 * the general way (rt_plain_ipv4(), then prx_parse()), so the test only has to accept
 * a subset of what those accept, which a unit test checks over valid and corrupted
 * frames.
 */
#ifndef PRX_ROUTER_FAST_H
#define PRX_ROUTER_FAST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_vect.h>

/* RT_FAST_SCALAR: the portable code on x86 too (the unit suite compares both) */
#if defined(RTE_ARCH_X86) && defined(__SSE2__) && !defined(RT_FAST_SCALAR)
#define RT_FAST_SSE 1
#endif

/** Shortest frame the test accepts: Ethernet + IPv4 + 8 bytes (the loads stay inside). */
#define RT_FAST_MIN_LEN (14 + 20 + 8)

/**
 * What the first 32 bytes of a fast frame hold, for one input port:
 * (frame & mask) == tmpl on the destination MAC (bytes 0-5), the EtherType 0x0800
 * (12-13), version 4 with a 20-byte header (14), fragment offset 0 (20-21, 13 bits)
 * and the protocol 1 or 17 (23, masked with 0xef).
 */
struct rt_fast_key {
#ifdef RT_FAST_SSE
	__m128i mask[2], tmpl[2];
#else
	uint64_t mask[4], tmpl[4];
#endif
};

/** The key of an input port with MAC `mac`. */
static inline void
rt_fast_key_init(struct rt_fast_key *k, const uint8_t *mac)
{
	uint8_t mask[32] = {0}, tmpl[32] = {0};

	memset(mask, 0xff, 6);
	memcpy(tmpl, mac, 6);
	mask[12] = mask[13] = mask[14] = 0xff;
	tmpl[12] = 0x08;
	tmpl[14] = 0x45;
	mask[20] = 0x1f;
	mask[21] = 0xff;
	mask[23] = 0xef; /* 1 (ICMP) and 17 (UDP) */
	tmpl[23] = 0x01;
	memcpy(k->mask, mask, 32);
	memcpy(k->tmpl, tmpl, 32);
}

/**
 * Is the frame d (len bytes) one the fast path takes: addressed to the key's MAC, plain
 * IPv4 (rt_plain_ipv4() accepts it), not a later fragment, UDP or ICMP, total length
 * at least 28 and within the frame, TTL > 1?  Then *dst = its destination (network
 * order).
 */
static __rte_always_inline bool
rt_fast_ipv4(const struct rt_fast_key *k, const uint8_t *d, uint32_t len, uint32_t *dst)
{
	uint32_t total;

	if (unlikely(len < RT_FAST_MIN_LEN))
		return false;
#ifdef RT_FAST_SSE
	{
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)d);
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(d + 16));

		a = _mm_cmpeq_epi8(_mm_and_si128(a, k->mask[0]), k->tmpl[0]);
		b = _mm_cmpeq_epi8(_mm_and_si128(b, k->mask[1]), k->tmpl[1]);
		if (_mm_movemask_epi8(_mm_and_si128(a, b)) != 0xffff)
			return false;
	}
#else
	{
		uint64_t w[4], diff = 0;

		memcpy(w, d, 32);
		for (int i = 0; i < 4; i++)
			diff |= (w[i] & k->mask[i]) ^ k->tmpl[i];
		if (diff != 0)
			return false;
	}
#endif
	/* 28 <= total <= len - 14, in one unsigned compare */
	total = (uint32_t)d[16] << 8 | d[17];
	if (total - 28 > len - RT_FAST_MIN_LEN || d[22] < 2)
		return false;
	memcpy(dst, d + 30, 4);
	return true;
}

/** Both MACs of a forwarded frame: the neighbour's, then the egress port's. */
union rt_macs {
#ifdef RT_FAST_SSE
	__m128i x;
#endif
	uint8_t b[16]; /**< 0-5 destination, 6-11 source, 12-15 unused (0) */
};

/** Write m's 12 bytes over the start of frame d (at least 16 bytes long). */
static inline void
rt_macs_write(uint8_t *d, const union rt_macs *m)
{
#if defined(RT_FAST_SSE) && defined(__SSE4_1__)
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)d);

	/* 16-bit lanes 0-5 from m: both MACs in one load, blend and store */
	_mm_storeu_si128((__m128i *)(void *)d, _mm_blend_epi16(x, m->x, 0x3f));
#else
	memcpy(d, m->b, 12);
#endif
}

/**
 * The FIB's entry for ip (host order), its next hop << 1, from the DIR24_8 tables read in
 * place (rt->tbl24 set: rt_fib_inline_init()), entries of nh_bytes (2 or 4, a constant
 * where inlined).  A tbl24 entry is next hop << 1, or group << 1 | 1 for a prefix longer
 * than /24, whose tbl8 group of 256 entries holds it by the last byte.  Concurrent
 * changes are as safe as for rte_fib's own lookup: the router never lets a recycled
 * group be reused while a reader may be in it (router_internal.h).
 */
static __rte_always_inline uint32_t
rt_fib_entry(const void *tbl24, const void *tbl8, uint32_t ip, unsigned int nh_bytes)
{
	uint32_t e;

	if (nh_bytes == 2) {
		e = __atomic_load_n((const uint16_t *)tbl24 + (ip >> 8), __ATOMIC_RELAXED);
		if (unlikely(e & 1))
			e = __atomic_load_n((const uint16_t *)tbl8 + ((e >> 1) << 8 | (ip & 0xff)),
					    __ATOMIC_RELAXED);
	} else {
		e = __atomic_load_n((const uint32_t *)tbl24 + (ip >> 8), __ATOMIC_RELAXED);
		if (unlikely(e & 1))
			e = __atomic_load_n((const uint32_t *)tbl8 +
						    ((uint64_t)(e >> 1) << 8 | (ip & 0xff)),
					    __ATOMIC_RELAXED);
	}
	return e;
}

/** The next hop of ip: what rte_fib_lookup_bulk() gives (rt_fib_entry() >> 1). */
static __rte_always_inline uint64_t
rt_fib_hop(const void *tbl24, const void *tbl8, uint32_t ip, unsigned int nh_bytes)
{
	return rt_fib_entry(tbl24, tbl8, ip, nh_bytes) >> 1;
}

#endif /* PRX_ROUTER_FAST_H */
