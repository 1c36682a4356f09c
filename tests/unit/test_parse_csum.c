/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parser suite, part 2: prx_csum_add / prx_csum_fold against the RFC 1071 example,
 * known IPv4 headers and a reference implementation; prx_csum_update16 against
 * recomputation over random TTL decrements.  Also what test_parse.c shares with it
 * (test_parse.h): the reference checksum and the seeded generator.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "prx_parse.h"
#include "test_parse.h"

/* Reference Internet checksum (host order), written independently of parse.c. */
uint16_t
ref_csum(const uint8_t *p, uint32_t n)
{
	uint64_t s = 0;

	for (uint32_t i = 0; i < n; i++)
		s += i & 1 ? p[i] : (uint64_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

uint64_t
parse_rnd(uint64_t *state) /* splitmix64 */
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t
parse_seed(const char *what)
{
	const char *e = getenv("PRX_PARSE_SEED");
	uint64_t s = e ? strtoull(e, NULL, 0) : 0x7072785f70617273ull;

	printf("\n  %s: seed %#" PRIx64 " (PRX_PARSE_SEED)", what, s);
	return s;
}

static uint64_t rng;

static uint64_t
rnd(void)
{
	return parse_rnd(&rng);
}

/* RFC 1071 section 3 example, odd lengths, splitting a sum */
static void
test_csum_rfc1071(void)
{
	static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	static const uint8_t odd[] = {0x01, 0x02, 0x03};

	CU_ASSERT_EQUAL(prx_csum_add(0, b, sizeof(b)), 0xddf2);
	CU_ASSERT_EQUAL(prx_csum_fold(0x2ddf0), RTE_BE16(0x220d));
	CU_ASSERT_EQUAL(prx_csum_fold(prx_csum_add(0, b, sizeof(b))), RTE_BE16(0x220d));
	CU_ASSERT_EQUAL(prx_csum_add(prx_csum_add(0, b, 4), b + 4, 4), 0xddf2);
	CU_ASSERT_EQUAL(prx_csum_add(0, odd, 3), 0x0402);
	CU_ASSERT_EQUAL(prx_csum_add(0, odd, 0), 0);
	CU_ASSERT_EQUAL(prx_csum_add(0xffff, odd, 0), 0xffff);
	CU_ASSERT_EQUAL(prx_csum_fold(0), 0xffff);
	CU_ASSERT_EQUAL(prx_csum_fold(0xffff), 0);
	CU_ASSERT_EQUAL(prx_csum_fold(0xffffffffu), 0); /* folds twice */
}

/* known IPv4 headers with the checksums they carried */
static void
test_csum_ipv4_headers(void)
{
	static const uint8_t hdr[][20] = {
		{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7},
		{0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
		 0xb1, 0xe6, 0xac, 0x10, 0x0a, 0x63, 0xac, 0x10, 0x0a, 0x0c},
	};

	for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		uint8_t h[20];
		uint16_t c;

		memcpy(h, hdr[i], sizeof(h));
		memset(h + 10, 0, 2);
		c = prx_csum_fold(prx_csum_add(0, h, sizeof(h)));
		CU_ASSERT_EQUAL(memcmp(&c, hdr[i] + 10, 2), 0);
		/* a header with a valid checksum sums to 0xffff */
		CU_ASSERT_EQUAL(prx_csum_add(0, hdr[i], 20), 0xffff);
		CU_ASSERT_EQUAL(prx_csum_fold(prx_csum_add(0, hdr[i], 20)), 0);
	}
}

/* 10 000 random headers, TTL decremented with prx_csum_update16 against recomputation */
static void
test_csum_update16_ttl(void)
{
	uint8_t h[60];
	unsigned int bad = 0;

	rng = parse_seed("ttl");
	for (int i = 0; i < 10000; i++) {
		uint32_t hl = 20 + 4 * (uint32_t)(rnd() % 11);
		uint16_t c, w_old, w_new;

		for (uint32_t j = 0; j < hl; j++)
			h[j] = (uint8_t)rnd();
		h[0] = (uint8_t)(0x40 | hl / 4);
		h[8] = (uint8_t)(1 + rnd() % 255);
		memset(h + 10, 0, 2);
		c = rte_cpu_to_be_16(ref_csum(h, hl));
		if (c != prx_csum_fold(prx_csum_add(0, h, hl)))
			bad++;
		memcpy(h + 10, &c, 2);
		memcpy(&w_old, h + 8, 2);
		h[8]--;
		memcpy(&w_new, h + 8, 2);
		c = prx_csum_update16(c, w_old, w_new);
		memset(h + 10, 0, 2);
		if (c != rte_cpu_to_be_16(ref_csum(h, hl)))
			bad++;
		memcpy(h + 10, &c, 2);
		if (ref_csum(h, hl) != 0) /* still verifies */
			bad++;
	}
	/* one header all the way from 255 to 0 */
	memcpy(h, (const uint8_t[]){0x45, 0, 0, 0x54, 0, 0, 0, 0, 255, 1}, 10);
	memset(h + 10, 0, 10);
	for (int ttl = 255; ttl > 0; ttl--) {
		uint16_t c = rte_cpu_to_be_16(ref_csum(h, 20)), w_old, w_new;

		memcpy(&w_old, h + 8, 2);
		h[8]--;
		memcpy(&w_new, h + 8, 2);
		c = prx_csum_update16(c, w_old, w_new);
		if (c != rte_cpu_to_be_16(ref_csum(h, 20)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* prx_csum_add against the reference on random buffers of every parity */
static void
test_csum_random(void)
{
	uint8_t b[130];
	unsigned int bad = 0;

	rng = parse_seed("csum") ^ 1;
	for (int i = 0; i < 20000; i++) {
		uint32_t n = (uint32_t)(rnd() % sizeof(b)), k = (uint32_t)(rnd() % (n + 1)) & ~1u;

		for (uint32_t j = 0; j < n; j++)
			b[j] = (uint8_t)rnd();
		if (rte_be_to_cpu_16(prx_csum_fold(prx_csum_add(0, b, n))) != ref_csum(b, n))
			bad++;
		/* an even split point: the sums chain */
		if (prx_csum_add(prx_csum_add(0, b, k), b + k, n - k) != prx_csum_add(0, b, n))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

const struct prx_test_case parse_csum_cases[] = {
	PRX_TEST(test_csum_rfc1071),
	PRX_TEST(test_csum_ipv4_headers),
	PRX_TEST(test_csum_update16_ttl),
	PRX_TEST(test_csum_random),
	{NULL, NULL},
};
