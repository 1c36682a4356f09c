/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the router suite's files: a router between fake ports a (slot 0,
 * 10.0.1.1/24) and b (slot 1, 10.0.2.1/24) on one reactor's pipeline, its punt ring
 * drained into the router's slow path by hand, what the slow path sends captured.
 */
#ifndef TEST_ROUTER_H
#define TEST_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "prx_conf_router.h"
#include "prx_pipeline.h"
#include "prx_router.h"
#include "prx_test.h"

#define SENT_MAX 256

extern const uint8_t MAC_A[6], MAC_B[6], MAC_H1[6], MAC_H2[6], MAC_GW[6];

struct rt_env {
	struct rte_mempool *pool;
	struct prx_port *ports[PRX_MAX_PORTS];
	struct prx_pipe pipe;
	struct rte_ring *punt;
	struct prx_handler *h;
	struct prx_chain chain;
	unsigned int pool_before;
	unsigned int n_sent; /* sent by the slow path: slot and frame */
	uint16_t sent_slot[SENT_MAX];
	struct rte_mbuf *sent[SENT_MAX];
	/* the settings the router is made from */
	struct prx_conf_router cf;
	struct prx_conf_router_port cports[PRX_MAX_PORTS];
	struct prx_conf_route routes[64];
	struct prx_conf_neigh neigh[16];
};

extern struct rt_env env;

/** "a.b.c.d" in network order. */
uint32_t ip4(const char *s);
/** Settings: max_routes 1024, 64 neighbours, hold 4, ICMP 1000/s, ports a and b. */
void conf_init(void);
/** Add a route "P/L" [via gw] on port index `port` (0 = a, 1 = b) to the settings. */
void conf_route(const char *prefix, uint8_t len, const char *via, uint8_t port);
/** Add a static neighbour to the settings. */
void conf_neigh(const char *ip, const uint8_t mac[6], uint8_t port);
/** Ports, pipeline (reactor 0), punt ring, router from env.cf (qsbr may be NULL). */
void env_setup(struct rte_rcu_qsbr *qsbr);
/** Destroy the router, free what was sent or transmitted, check every mbuf is back. */
void env_teardown(void);

/** An Ethernet/IPv4/UDP frame of 64 bytes to dst_mac, checksum valid. */
struct rte_mbuf *mk_udp(const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint8_t ttl);
/** An ARP frame (op 1 request: to broadcast). */
struct rte_mbuf *mk_arp(uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha,
			uint32_t tpa);
/** Receive pkts on port `slot` and run them through the router (chain of one). */
void run(uint16_t slot, struct rte_mbuf **pkts, uint16_t n);
/** run() of one frame. */
void run1(uint16_t slot, struct rte_mbuf *m);
/** Hand what was punted to the router's slow path; @return how many. */
unsigned int slow(void);
/** Flush the pipeline's tx buffers. */
void flush(void);
/** Frames port `slot` transmitted so far (fake port). */
uint32_t txd(uint16_t slot);
struct rte_mbuf *txm(uint16_t slot, uint32_t i);
/** Does the IPv4 header at ip have a valid checksum? */
bool ip_csum_ok(const uint8_t *ip);
/** rx + originated == tx + dropped + punted + in_flight on the test pipeline. */
void assert_balanced(void);
/** The router's counters now. */
struct prx_router_stats rstats(void);

extern const struct prx_test_case router_table_cases[];
/** test_router_scalar.c: router_fast.h built without SSE. */
bool scalar_fast_ipv4(const uint8_t *mac, const uint8_t *d, uint32_t len, uint32_t *dst);
void scalar_macs_write(uint8_t *d, const uint8_t *dst_mac, const uint8_t *src_mac);

extern const struct prx_test_case router_pkt_cases[];
extern const struct prx_test_case router_fast_cases[];
extern const struct prx_test_case router_memo_cases[];

#endif
