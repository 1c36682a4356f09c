/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Responder: ARP replies and ICMP echo replies built in place (every byte and checksum
 * checked), VLAN tags kept, the rate limit, and what it passes on or drops.
 */
#include <arpa/inet.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "fake_port.h"
#include "prx_handlers.h"
#include "prx_parse.h"
#include "prx_pipeline.h"
#include "prx_test.h"

static struct rte_mempool *pool;
static struct prx_port *ports[PRX_MAX_PORTS];
static struct prx_pipe pipe;
static struct prx_handler *resp;
static struct prx_chain chain;

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0xaa, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0xbb, 0x02};

static void
setup(uint32_t rate, uint32_t burst)
{
	struct prx_conf_responder rc = {.rate = rate, .burst = burst};

	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("ut_resp", 2047, 0, 0, 2176, 0);
	CU_ASSERT_FATAL(pool != NULL);
	memset(ports, 0, sizeof(ports));
	ports[0] = fake_port_create("a", 0, 2, pool);
	CU_ASSERT_FATAL(ports[0] != NULL);
	memcpy(ports[0]->mac.addr_bytes, our_mac, 6);
	ports[0]->addr4 = inet_addr("10.0.1.1");
	ports[0]->prefix4 = 24;
	prx_pipe_init(&pipe, 0, 32, pool);
	pipe.ports = ports;
	pipe.in_slot = 0;
	CU_ASSERT_FATAL(prx_responder_create("resp", &rc, &resp) == 0);
	chain = (struct prx_chain){.n = 1, .h = {resp}};
}

static void
teardown(void)
{
	prx_pipe_flush(&pipe);
	fake_port_reset_tx(ports[0]);
	prx_handler_free(resp);
	prx_port_close(ports[0]);
}

static struct rte_mbuf *
frame(const uint8_t *bytes, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	CU_ASSERT_FATAL(m != NULL);
	memcpy(rte_pktmbuf_append(m, len), bytes, len);
	return m;
}

/* Ethernet header, optionally a VLAN tag, then `et`. */
static uint16_t
eth(uint8_t *b, const uint8_t *dst, uint16_t et, bool vlan)
{
	uint16_t off = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, peer_mac, 6);
	if (vlan) {
		b[12] = 0x81;
		b[13] = 0x00;
		b[14] = 0x00;
		b[15] = 0x07;
		off = 16;
	}
	b[off] = (uint8_t)(et >> 8);
	b[off + 1] = (uint8_t)et;
	return off + 2;
}

static uint16_t
arp_request(uint8_t *b, const char *target, bool vlan)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint16_t o = eth(b, bcast, 0x0806, vlan);
	uint32_t spa = inet_addr("10.0.1.2"), tpa = inet_addr(target);
	const uint8_t hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1};

	memcpy(b + o, hdr, 8);
	memcpy(b + o + 8, peer_mac, 6);
	memcpy(b + o + 14, &spa, 4);
	memset(b + o + 18, 0, 6);
	memcpy(b + o + 24, &tpa, 4);
	return o + 28;
}

static uint16_t
echo_request(uint8_t *b, const char *dst, uint8_t type, uint16_t payload)
{
	uint16_t o = eth(b, our_mac, 0x0800, false), total = 20 + 8 + payload, c;
	uint8_t *ip = b + o, *icmp = ip + 20;
	uint32_t s = inet_addr("10.0.1.2"), d = inet_addr(dst);

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(total >> 8);
	ip[3] = (uint8_t)total;
	ip[8] = 61;
	ip[9] = 1;
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	c = prx_csum_fold(prx_csum_add(0, ip, 20));
	memcpy(ip + 10, &c, 2);
	icmp[0] = type;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	icmp[4] = 0x12;
	icmp[5] = 0x34; /* id */
	icmp[6] = 0;
	icmp[7] = 9; /* sequence */
	for (uint16_t i = 0; i < payload; i++)
		icmp[8 + i] = (uint8_t)(i * 7);
	c = prx_csum_fold(prx_csum_add(0, icmp, 8 + payload));
	memcpy(icmp + 2, &c, 2);
	return o + total;
}

static void
run(struct rte_mbuf *m)
{
	pipe.st.rx++;
	prx_chain_run(&pipe, &chain, &m, 1);
	prx_pipe_flush(&pipe);
}

static const uint8_t *
sent(unsigned int i)
{
	struct fake_port *fp = fake_port_priv(ports[0]);

	CU_ASSERT_FATAL(fp->n_tx > i);
	return rte_pktmbuf_mtod(fp->tx[i], const uint8_t *);
}

static void
test_arp(void)
{
	uint8_t b[128];
	const uint8_t *r;
	uint32_t ours = inet_addr("10.0.1.1"), peer = inet_addr("10.0.1.2");

	for (int vlan = 0; vlan < 2; vlan++) {
		uint16_t o = vlan ? 18 : 14;

		setup(1000, 10);
		run(frame(b, arp_request(b, "10.0.1.1", vlan)));
		CU_ASSERT_EQUAL(pipe.st.tx, 1);
		r = sent(0);
		CU_ASSERT(memcmp(r, peer_mac, 6) == 0 && memcmp(r + 6, our_mac, 6) == 0);
		if (vlan)
			CU_ASSERT(r[12] == 0x81 && r[15] == 0x07);
		CU_ASSERT(r[o + 6] == 0 && r[o + 7] == 2); /* reply */
		CU_ASSERT(memcmp(r + o + 8, our_mac, 6) == 0);
		CU_ASSERT(memcmp(r + o + 14, &ours, 4) == 0);
		CU_ASSERT(memcmp(r + o + 18, peer_mac, 6) == 0);
		CU_ASSERT(memcmp(r + o + 24, &peer, 4) == 0);
		/* not for us: passed on, and with nothing after it, chain_end */
		run(frame(b, arp_request(b, "10.0.1.9", vlan)));
		CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_CHAIN_END], 1);
		CU_ASSERT_EQUAL(pipe.st.tx, 1);
		teardown();
	}
}

static void
test_echo(void)
{
	uint8_t b[256];
	const uint8_t *r, *ip, *icmp;
	struct prx_pkt_info pi;
	uint16_t len;

	setup(1000, 10);
	len = echo_request(b, "10.0.1.1", 8, 56);
	run(frame(b, len));
	CU_ASSERT_EQUAL_FATAL(pipe.st.tx, 1);
	r = sent(0);
	CU_ASSERT_EQUAL(prx_parse(r, len, &pi), 0);
	ip = r + 14;
	icmp = ip + 20;
	CU_ASSERT(memcmp(r, peer_mac, 6) == 0 && memcmp(r + 6, our_mac, 6) == 0);
	CU_ASSERT_EQUAL(pi.src4, inet_addr("10.0.1.1"));
	CU_ASSERT_EQUAL(pi.dst4, inet_addr("10.0.1.2"));
	CU_ASSERT_EQUAL(pi.ttl, 64);
	CU_ASSERT_EQUAL(icmp[0], 0);
	/* both checksums verify: the sum over a header with its checksum folds to 0 */
	CU_ASSERT_EQUAL(prx_csum_fold(prx_csum_add(0, ip, 20)), 0);
	CU_ASSERT_EQUAL(prx_csum_fold(prx_csum_add(0, icmp, 8 + 56)), 0);
	/* id, sequence and payload unchanged */
	CU_ASSERT(icmp[4] == 0x12 && icmp[5] == 0x34 && icmp[7] == 9);
	CU_ASSERT(memcmp(icmp + 8, b + 14 + 20 + 8, 56) == 0);
	/* echo to another address, an echo reply, a malformed frame */
	run(frame(b, echo_request(b, "10.0.1.7", 8, 8)));
	run(frame(b, echo_request(b, "10.0.1.1", 0, 8)));
	len = echo_request(b, "10.0.1.1", 8, 8);
	b[14] = 0x43; /* IHL 3 */
	run(frame(b, len));
	CU_ASSERT_EQUAL(pipe.st.tx, 1);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_CHAIN_END], 2);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_BAD_IHL], 1);
	teardown();
}

static void
test_rate_limit(void)
{
	uint8_t b[128];
	uint16_t len;

	setup(1, 3); /* one answer a second, bursts of three */
	len = arp_request(b, "10.0.1.1", false);
	for (int i = 0; i < 5; i++)
		run(frame(b, len));
	CU_ASSERT_EQUAL(pipe.st.tx, 3);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_RATE_LIMITED], 2);
	CU_ASSERT_EQUAL(pipe.st.rx, pipe.st.tx + prx_pipe_stats_dropped(&pipe.st));
	/* another reactor has a bucket of its own */
	pipe.id = 1;
	run(frame(b, len));
	CU_ASSERT_EQUAL(pipe.st.tx, 4);
	teardown();
}

static void
test_no_address(void)
{
	uint8_t b[128];

	setup(1000, 10);
	ports[0]->addr4 = 0;
	run(frame(b, arp_request(b, "10.0.1.1", false)));
	CU_ASSERT_EQUAL(pipe.st.tx, 0);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_CHAIN_END], 1);
	teardown();
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_arp),	   PRX_TEST(test_echo), PRX_TEST(test_rate_limit),
		PRX_TEST(test_no_address), {NULL, NULL},
	};

	return prx_test_run("responder", cases, 1);
}
