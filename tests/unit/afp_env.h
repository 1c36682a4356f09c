/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness of the AF_PACKET driver suite (test_afpacket.c, test_afpacket_frames.c): a
 * veth pair in the test's own network namespace, a plain packet socket as the peer, and
 * helpers to send, receive and compare frames.  The port is "A" (driver), the peer "B".
 */
#ifndef AFP_ENV_H
#define AFP_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "prx_afpacket.h"
#include "prx_test.h"

#define N_FRAMES 1000
#define BURST 32
#define WAIT_MS 2000

extern char if_a[IFNAMSIZ], if_b[IFNAMSIZ];
extern const struct rte_ether_addr mac_a;
extern const struct rte_ether_addr mac_b;
extern struct rte_mempool *pool;
extern unsigned int pool_before;
extern int peer;
extern uint8_t buf[16384], buf2[16384];

int sh(const char *fmt, ...);
int sh_quiet(const char *fmt, ...);
void veth_del(void);
uint64_t now_ms(void);
void sleep_ms(unsigned int ms);
int write_file(const char *path, const char *v);
int peer_open(void);
void setup_mtu(int mtu);
void setup(void);
void teardown(void);
void wait_link(struct prx_port *port, bool up);
struct prx_port *open_port_q(const struct prx_afpacket_params *extra, uint16_t n_rxq, bool promisc);
struct prx_port *open_port(const struct prx_afpacket_params *extra);
uint16_t make_frame(uint8_t *f, uint32_t i, uint16_t len);
uint16_t frame_len(uint32_t i);
void peer_send(const void *f, size_t len);
ssize_t peer_recv(void *f, size_t cap, int timeout_ms);
unsigned int rx_collect(struct prx_port *port, uint16_t q, struct rte_mbuf **pkts,
			unsigned int want);
unsigned int rx_quiet(struct prx_port *port, uint16_t q, unsigned int ms);
bool mbuf_equals(const struct rte_mbuf *m, const void *f, uint32_t len);
void get_stats(struct prx_port *port, struct prx_port_hw_stats *st);
struct rte_mbuf *mbuf_frame(uint32_t i, uint16_t len, bool chain);
unsigned int tx_all(struct prx_port *port, uint16_t q, struct rte_mbuf **m, unsigned int n);
uint16_t make_udp(uint8_t *f, uint16_t flow, uint32_t seq);

/* The frame-content cases (test_afpacket_frames.c), run by test_afpacket.c's main. */
extern const struct prx_test_case afp_frame_cases[];
/* The `afpacket.gso` cases (test_afpacket_gso.c). */
extern const struct prx_test_case afp_gso_cases[];

#endif
