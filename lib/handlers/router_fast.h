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
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_vect.h>

/* RT_FAST_SCALAR: the portable code on x86 too (the unit suite compares both) */
#if defined(RTE_ARCH_X86) && defined(__SSE2__) && !defined(RT_FAST_SCALAR)
#define RT_FAST_SSE 1
#endif

/** Shortest frame the test accepts: Ethernet + IPv4 + 8 bytes (the loads stay inside). */
#define RT_FAST_MIN_LEN (14 + 20 + 8)

/**
 * The byte compare's result for a fast frame: bit i set when (frame[i] & mask[i]) ==
 * tmpl[i].  All 32 bytes but one must match; byte 22, the TTL, must not ((ttl & 0xfe)
 * == 0: TTL 0 or 1).
 */
#define RT_FAST_BITS (UINT32_MAX & ~(UINT32_C(1) << 22))

/**
 * What the first 32 bytes of a fast frame hold, for one input port:
 * (frame & mask) == tmpl on the destination MAC (bytes 0-5), the EtherType 0x0800
 * (12-13), version 4 with a 20-byte header (14), fragment offset 0 (20-21, 13 bits)
 * and the protocol 1 or 17 (23, masked with 0xef); and != on byte 22, the TTL
 * (RT_FAST_BITS).  The portable code masks bytes 22 and 23 out and tests them apart.
 */
struct rt_fast_key {
#ifdef RT_FAST_SSE
	__m128i mask[2], tmpl[2]; /* 32 bytes each: loaded whole by the AVX2 loop */
#else
	uint64_t mask[4], tmpl[4];
#endif
};

/* rt_fast_key_init()'s masks of bytes 22 (TTL) and 23 (protocol): where RT_FAST_BITS is
 * tested, else tested apart (see struct rt_fast_key) */
#ifdef RT_FAST_SSE
#define RT_FAST_MASK22 0xfe
#define RT_FAST_MASK23 0xef
#else
#define RT_FAST_MASK22 0
#define RT_FAST_MASK23 0
#endif

/** The key of an input port with MAC `mac`. */
static inline void
rt_fast_key_init(struct rt_fast_key *k, const uint8_t *mac)
{
	/* clang-format off */
	static const uint8_t mask[32] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0,
		0, 0, 0, 0, 0x1f, 0xff, RT_FAST_MASK22, RT_FAST_MASK23, /* 1 ICMP, 17 UDP */
	};
	static const uint8_t tmpl[32] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0x45, 0,
		0, 0, 0, 0, 0, 0, 0, RT_FAST_MASK23 & 0x01,
	};
	/* clang-format on */

	memcpy(k->mask, mask, 32);
	memcpy(k->tmpl, tmpl, 32);
	memcpy(k->tmpl, mac, 6);
}

/* Network to host order with the compiler's builtins, which it can fold into a load
 * (MOVBE) where DPDK's x86 byte swaps are inline assembly. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
#define rt_be16(x) __builtin_bswap16(x)
#define rt_be32(x) __builtin_bswap32(x)
#else
#define rt_be16(x) (x)
#define rt_be32(x) (x)
#endif

/* The tests after the byte compare: total length at least 28 and within the frame
 * (room = len - RT_FAST_MIN_LEN, checked >= 0), a checksum other than 0xffff
 * (rt_fast_ttl_dec()), and the destination. */
static __rte_always_inline bool
rt_fast_tail(const uint8_t *d, uint32_t room, uint32_t *dst)
{
	uint16_t total, csum;

	memcpy(&total, d + 16, 2);
	memcpy(&csum, d + 24, 2);
	/* 28 <= total <= len - 14, in one unsigned compare */
	if ((uint32_t)rt_be16(total) - 28 > room || unlikely(csum == 0xffff))
		return false;
	memcpy(dst, d + 30, 4);
	return true;
}

/* A frame the byte compare refused (bits) for its protocol alone: is it TCP with its
 * header within the datagram as rt_plain_ipv4() wants it (total length at least 40 and
 * within the frame, room = len - RT_FAST_MIN_LEN; data offset at least 5 words and
 * within the datagram)?  rt_fast_tail() tests the rest.  Off the UDP path: a TCP frame
 * costs a call more. */
static __rte_noinline __rte_unused bool
rt_fast_tcp(uint32_t bits, const uint8_t *d, uint32_t room)
{
	uint32_t total, doff;

	if (bits != (RT_FAST_BITS & ~(UINT32_C(1) << 23)) || d[23] != 6)
		return false;
	total = (uint32_t)d[16] << 8 | d[17];
	if (total < 40 || total - 28 > room) /* else 14 + 40 <= len: byte 46 is in */
		return false;
	doff = (uint32_t)(d[46] >> 4) * 4;
	return doff >= 20 && 20 + doff <= total;
}

/* The byte compare's result (bits) and then the other tests. */
static __rte_always_inline bool
rt_fast_match(uint32_t bits, const uint8_t *d, uint32_t room, uint32_t *dst)
{
	if (likely(bits == RT_FAST_BITS) || rt_fast_tcp(bits, d, room))
		return rt_fast_tail(d, room, dst);
	return false;
}

/**
 * Is the frame d (len bytes) one the fast path takes: addressed to the key's MAC, plain
 * IPv4 (rt_plain_ipv4() accepts it), not a later fragment, UDP or ICMP (or TCP, tested
 * apart: rt_fast_tcp()), total length at least 28 and within the frame, TTL > 1, a
 * checksum other than 0xffff?  Then *dst = its destination (network order).
 */
static __rte_always_inline bool
rt_fast_ipv4(const struct rt_fast_key *k, const uint8_t *d, uint32_t len, uint32_t *dst)
{
	uint32_t room = len - RT_FAST_MIN_LEN;

	if (unlikely((int32_t)room < 0))
		return false;
#ifdef RT_FAST_SSE
	{
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)d);
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(d + 16));

		a = _mm_cmpeq_epi8(_mm_and_si128(a, k->mask[0]), k->tmpl[0]);
		b = _mm_cmpeq_epi8(_mm_and_si128(b, k->mask[1]), k->tmpl[1]);
		return rt_fast_match((uint32_t)_mm_movemask_epi8(a) | (uint32_t)_mm_movemask_epi8(b)
									      << 16,
				     d, room, dst);
	}
#else
	{
		uint64_t w[4], diff = 0;

		memcpy(w, d, 32);
		for (int i = 0; i < 4; i++)
			diff |= (w[i] & k->mask[i]) ^ k->tmpl[i];
		if (diff != 0 || d[22] < 2)
			return false;
		return rt_fast_match((d[23] & 0xef) == 1 ? RT_FAST_BITS
							 : RT_FAST_BITS & ~(UINT32_C(1) << 23),
				     d, room, dst);
	}
#endif
}

#ifdef RT_FAST_SSE
/** The AVX2 loop's code (RT_AVX2 functions run only where rt_fast_avx2_ok()). */
#define RT_AVX2 __attribute__((target("avx2,bmi2,movbe")))

/** A key in two registers, for the AVX2 loop. */
struct rt_fast_key256 {
	__m256i mask, tmpl;
};

static __rte_always_inline RT_AVX2 struct rt_fast_key256
rt_fast_key256(const struct rt_fast_key *k)
{
	struct rt_fast_key256 r = {
		.mask = _mm256_loadu_si256((const __m256i *)(const void *)k->mask),
		.tmpl = _mm256_loadu_si256((const __m256i *)(const void *)k->tmpl),
	};

	return r;
}

/** rt_fast_ipv4() with one 32-byte compare. */
static __rte_always_inline RT_AVX2 bool
rt_fast_ipv4_avx2(const struct rt_fast_key256 *k, const uint8_t *d, uint32_t len, uint32_t *dst)
{
	uint32_t room = len - RT_FAST_MIN_LEN;
	__m256i v;

	if (unlikely((int32_t)room < 0))
		return false;
	/* LDDQU: GCC splits an unaligned 256-bit load in two when tuning for generic x86 */
	v = _mm256_and_si256(_mm256_lddqu_si256((const __m256i *)(const void *)d), k->mask);
	return rt_fast_match((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, k->tmpl)), d, room,
			     dst);
}
#endif

/**
 * TTL - 1 and the checksum's update (RFC 1624) of a frame rt_fast_ipv4() took, in one
 * 32-bit add over bytes 22-25: the TTL (>= 2) loses 1 without a borrow, and the
 * checksum gains 0x0100 in one's complement: its first byte + 1, whose carry out goes
 * into the second byte, which is the end-around carry; only 0xffff would carry out of
 * both, and rt_fast_ipv4() leaves it to rt_ttl_dec().  The same bytes as rt_ttl_dec()
 * but for 0xfeff, which becomes 0xffff where rt_ttl_dec() writes 0x0000, the other
 * zero of one's complement: a receiver's sum is the same (a unit test checks every
 * checksum).
 */
static __rte_always_inline void
rt_fast_ttl_dec(uint8_t *d)
{
	uint32_t x;

	memcpy(&x, d + 22, 4);
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	x += 0xffff; /* byte 22 - 1, byte 24 + 1 */
#else
	x -= 0xffff00; /* byte 22 - 1 (<< 24), byte 24 + 1 (<< 8) */
#endif
	memcpy(d + 22, &x, 4);
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

	/* 16-bit lanes 0-5 from m: both MACs in one load, blend and store (the frame the
	 * second operand, which AVX code reads from memory in the blend itself) */
	_mm_storeu_si128((__m128i *)(void *)d, _mm_blend_epi16(m->x, x, 0xc0));
#else
	memcpy(d, m->b, 12);
#endif
}

/** The tbl24 entry of ip >> 8 = ip24 (rt_fib_entry()). */
static __rte_always_inline uint32_t
rt_fib_tbl24(const void *tbl24, uint32_t ip24, unsigned int nh_bytes)
{
	if (nh_bytes == 2)
		return __atomic_load_n((const uint16_t *)tbl24 + ip24, __ATOMIC_RELAXED);
	return __atomic_load_n((const uint32_t *)tbl24 + ip24, __ATOMIC_RELAXED);
}

/** The tbl8 entry of the address whose tbl24 entry e (bit 0 set) names a group, and whose
 *  last byte is `low` (rt_fib_entry()). */
static __rte_always_inline uint32_t
rt_fib_tbl8(const void *tbl8, uint32_t e, uint32_t low, unsigned int nh_bytes)
{
	uint64_t i = (uint64_t)(e >> 1) << 8 | low;

	if (nh_bytes == 2)
		return __atomic_load_n((const uint16_t *)tbl8 + i, __ATOMIC_RELAXED);
	return __atomic_load_n((const uint32_t *)tbl8 + i, __ATOMIC_RELAXED);
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
	uint32_t e = rt_fib_tbl24(tbl24, ip >> 8, nh_bytes);

	if (unlikely(e & 1))
		e = rt_fib_tbl8(tbl8, e, ip & 0xff, nh_bytes);
	return e;
}

/** The next hop of ip: what rte_fib_lookup_bulk() gives (rt_fib_entry() >> 1). */
static __rte_always_inline uint64_t
rt_fib_hop(const void *tbl24, const void *tbl8, uint32_t ip, unsigned int nh_bytes)
{
	return rt_fib_entry(tbl24, tbl8, ip, nh_bytes) >> 1;
}

#endif /* PRX_ROUTER_FAST_H */
