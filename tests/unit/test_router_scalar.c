/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * router_fast.h's portable code (64-bit words, memcpy), compiled on x86 as well so that
 * test_router_pkt.c can hold it against the SSE code the router runs here.
 */
#define RT_FAST_SCALAR 1

#include "router_fast.h"
#include "test_router.h"

bool
scalar_fast_ipv4(const uint8_t *mac, const uint8_t *d, uint32_t len, uint32_t *dst)
{
	struct rt_fast_key key;

	rt_fast_key_init(&key, mac);
	return rt_fast_ipv4(&key, d, len, dst);
}

void
scalar_macs_write(uint8_t *d, const uint8_t *dst_mac, const uint8_t *src_mac)
{
	union rt_macs m = {.b = {0}};

	memcpy(m.b, dst_mac, 6);
	memcpy(m.b + 6, src_mac, 6);
	rt_macs_write(d, &m);
}
