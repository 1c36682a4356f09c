/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lpm_fib - bulk IPv4 lookups in rte_lpm and rte_fib (DIR24_8) on the same routes, the
 * measurement behind the router's choice of rte_lpm (docs/router.md).
 *
 *   lpm_fib [EAL args] -- [ROUTES [LOOKUPS]]
 *
 * ROUTES (default 1000000) prefixes as tools/bench/router.sh makes them: the /24s from
 * 1.0.0.0 on, and a /28 inside every 8th of them; LOOKUPS (default 50000000)
 * destinations drawn from those /24s, looked up 32 at a time (a burst).  Prints cycles
 * and nanoseconds per lookup for rte_lpm_lookup_bulk, rte_fib_lookup_bulk with the
 * default lookup function, and with the AVX-512 one when the CPU and DPDK have it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_lpm.h>

#define BURST 32
#define NDST 65536 /* distinct destinations, cycled through */

static uint32_t
rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Route i (host order), in groups of 9: eight /24s (1.0.0.0/24 on, consecutive) and a
 * /28 inside the first of the eight.  tools/bench/router.sh makes the same ones. */
static uint32_t n_24;

static void
route(uint32_t i, uint32_t *ip, uint8_t *len)
{
	uint32_t g = i / 9, j = i % 9;

	if (j < 8) {
		*ip = (1u << 24) + (8 * g + j) * 256;
		*len = 24;
	} else {
		*ip = (1u << 24) + 8 * g * 256 + 16 * (g % 16);
		*len = 28;
	}
}

static double
run(const char *what, uint32_t *dst, uint64_t lookups, void (*fn)(void *t, uint32_t *ips, int n),
    void *t)
{
	uint64_t t0 = rte_rdtsc(), cyc;
	uint32_t ips[BURST];

	for (uint64_t done = 0; done < lookups; done += BURST) {
		memcpy(ips, &dst[done % NDST], sizeof(ips));
		fn(t, ips, BURST);
	}
	cyc = rte_rdtsc() - t0;
	printf("%-28s %6.2f cycles/lookup %6.2f ns/lookup\n", what, (double)cyc / lookups,
	       (double)cyc / lookups * 1e9 / rte_get_tsc_hz());
	return (double)cyc / lookups;
}

static volatile uint64_t sink;

static void
lpm_fn(void *t, uint32_t *ips, int n)
{
	uint32_t hops[BURST];

	rte_lpm_lookup_bulk(t, ips, hops, (unsigned int)n);
	sink += hops[0] + hops[n - 1];
}

static void
fib_fn(void *t, uint32_t *ips, int n)
{
	uint64_t hops[BURST];

	rte_fib_lookup_bulk(t, ips, hops, n);
	sink += hops[0] + hops[n - 1];
}

int
main(int argc, char **argv)
{
	int used = rte_eal_init(argc, argv);
	uint32_t n, *dst, ip;
	uint64_t lookups, seed = 7, t0, t1;
	struct rte_lpm *lpm;
	struct rte_fib *fib;
	uint8_t len;

	if (used < 0) {
		fprintf(stderr, "lpm_fib: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= used;
	argv += used;
	n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	lookups = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000000;
	lookups -= lookups % BURST;
	lpm = rte_lpm_create("bench_lpm", SOCKET_ID_ANY,
			     &(struct rte_lpm_config){.max_rules = n, .number_tbl8s = n / 8 + 256});
	fib = rte_fib_create("bench_fib", SOCKET_ID_ANY,
			     &(struct rte_fib_conf){.type = RTE_FIB_DIR24_8,
						    .default_nh = 0,
						    .max_routes = (int)n,
						    .dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B,
								.num_tbl8 = n / 8 + 256}});
	dst = malloc(NDST * sizeof(*dst));
	if (lpm == NULL || fib == NULL || dst == NULL) {
		fprintf(stderr, "lpm_fib: cannot create the tables: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	t0 = rte_rdtsc();
	for (uint32_t i = 0; i < n; i++) {
		route(i, &ip, &len);
		n_24 += len == 24;
		if (rte_lpm_add(lpm, ip, len, i % 64 + 1) != 0) {
			fprintf(stderr, "lpm_fib: route %u does not fit the LPM\n", i);
			return 1;
		}
	}
	t1 = rte_rdtsc();
	for (uint32_t i = 0; i < n; i++) {
		route(i, &ip, &len);
		if (rte_fib_add(fib, ip, len, i % 64 + 1) != 0) {
			fprintf(stderr, "lpm_fib: route %u does not fit the FIB\n", i);
			return 1;
		}
	}
	printf("adding %u routes: rte_lpm %.2f s, rte_fib %.2f s\n", n,
	       (double)(t1 - t0) / rte_get_tsc_hz(), (double)(rte_rdtsc() - t1) / rte_get_tsc_hz());
	for (uint32_t i = 0; i < NDST; i++)
		dst[i] = (1u << 24) + (rnd(&seed) % n_24) * 256 + (rnd(&seed) & 0xff);
	printf("%u routes (%u /24), %" PRIu64 " lookups of %u destinations, burst %d\n", n, n_24,
	       lookups, NDST, BURST);
	run("rte_lpm_lookup_bulk", dst, lookups, lpm_fn, lpm);
	run("rte_fib_lookup_bulk", dst, lookups, fib_fn, fib);
	if (rte_fib_select_lookup(fib, RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512) == 0)
		run("rte_fib_lookup_bulk avx512", dst, lookups, fib_fn, fib);
	else
		printf("%-28s not available here\n", "rte_fib_lookup_bulk avx512");
	rte_lpm_free(lpm);
	rte_fib_free(fib);
	free(dst);
	rte_eal_cleanup();
	return 0;
}
