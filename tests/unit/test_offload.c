/* SPDX-License-Identifier: BSD-3-Clause */
/* Worker pool: offloaded handlers on real worker lcores, per-flow order, accounting. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "fake_port.h"
#include "prx_handlers.h"
#include "prx_offload.h"
#include "prx_test.h"

#define N_FLOWS 64
#define PER_FLOW 60 /* 3840 frames: the fake port keeps FAKE_MAX_PKTS */
#define FRAME_LEN 64

static struct rte_mempool *pool;
static struct rte_rcu_qsbr *qsbr;

struct bench {
	struct prx_offload *o;
	struct prx_port *out;
	struct prx_port *ports[PRX_MAX_PORTS];
	struct prx_pipe p;
};

static void
setup(void)
{
	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("ut_offload", 16383, 256, 0, 2176, 0);
	CU_ASSERT_FATAL(pool != NULL);
	if (qsbr == NULL) {
		qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(3), RTE_CACHE_LINE_SIZE);
		CU_ASSERT_FATAL(qsbr != NULL);
		CU_ASSERT_FATAL(rte_rcu_qsbr_init(qsbr, 3) == 0);
	}
}

/* One reactor (driven by hand on this thread) and two workers on lcores 1 and 2. */
static void
bench_start(struct bench *b)
{
	const unsigned int lcores[2] = {1, 2};
	struct rte_mempool *pools[2] = {pool, pool};

	setup();
	memset(b, 0, sizeof(*b));
	CU_ASSERT_FATAL(prx_offload_create(1, 2, lcores, 32, 1024, qsbr, pools, &b->o) == 0);
	b->out = fake_port_create("out", 1, 1, pool);
	CU_ASSERT_FATAL(b->out != NULL);
	b->ports[1] = b->out;
	prx_pipe_init(&b->p, 0, 32, pool);
	b->p.ports = b->ports;
	b->p.off = b->o;
	for (unsigned int i = 0; i < 2; i++)
		CU_ASSERT_FATAL(rte_eal_remote_launch(prx_worker_main, b->o->w[i], lcores[i]) == 0);
}

static void
bench_stop(struct bench *b)
{
	prx_offload_stop(b->o);
	rte_eal_wait_lcore(1);
	rte_eal_wait_lcore(2);
	fake_port_reset_tx(b->out);
	prx_port_close(b->out);
	prx_offload_destroy(b->o);
}

/* Ethernet/IPv4/UDP, source port 1000 + flow, the flow's sequence number after the header. */
static struct rte_mbuf *
frame(uint16_t flow, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t *d;

	CU_ASSERT_FATAL(m != NULL);
	d = (uint8_t *)rte_pktmbuf_append(m, FRAME_LEN);
	memset(d, 0, FRAME_LEN);
	eth = (struct rte_ether_hdr *)d;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x45;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(1000 + flow));
	udp->dst_port = rte_cpu_to_be_16(9);
	memcpy(udp + 1, &seq, sizeof(seq));
	return m;
}

static void
frame_id(const struct rte_mbuf *m, uint16_t *flow, uint32_t *seq)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(d + 14 + 20);

	*flow = (uint16_t)(rte_be_to_cpu_16(udp->src_port) - 1000);
	memcpy(seq, udp + 1, sizeof(*seq));
}

/* Take back until nothing is out at the workers (5 s at most; 60 s under valgrind, which
 * runs one thread at a time and slows each by ~50x). */
static void
drain_all(struct bench *b)
{
	uint64_t secs = getenv("PRX_UNDER_VALGRIND") != NULL ? 60 : 5;
	uint64_t end = rte_get_timer_cycles() + secs * rte_get_timer_hz();

	while (b->p.off_out != b->p.off_back && rte_get_timer_cycles() < end)
		prx_offload_drain(&b->p);
	prx_pipe_flush(&b->p);
	CU_ASSERT(b->p.off_out == b->p.off_back);
}

/* Send every flow's frames in bursts of 32, flows interleaved at random. */
static uint64_t
send_flows(struct bench *b, const struct prx_chain *c)
{
	uint32_t next_seq[N_FLOWS] = {0};
	unsigned int left = N_FLOWS * PER_FLOW;
	uint64_t sent = 0;

	while (left > 0) {
		struct rte_mbuf *pkts[32];
		uint16_t n = 0;

		while (n < 32 && left > 0) {
			uint16_t f = (uint16_t)(rte_rand() % N_FLOWS);

			if (next_seq[f] == PER_FLOW)
				continue;
			pkts[n++] = frame(f, next_seq[f]++);
			left--;
		}
		prx_counter_add(&b->p.st.rx, n);
		prx_chain_run(&b->p, c, pkts, n);
		sent += n;
		/* keep what is out below the rings' size: no offload_full here */
		do
			prx_offload_drain(&b->p);
		while (b->p.off_out - b->p.off_back > 512);
	}
	drain_all(b);
	return sent;
}

/* Per flow, frames left in sequence; returns how many flows were complete. */
static unsigned int
check_order(struct prx_port *out, uint32_t per_flow)
{
	struct fake_port *fp = fake_port_priv(out);
	uint32_t expect[N_FLOWS] = {0};
	unsigned int bad = 0, complete = 0;

	for (uint32_t i = 0; i < fp->n_tx; i++) {
		uint16_t f;
		uint32_t s;

		frame_id(fp->tx[i], &f, &s);
		if (f >= N_FLOWS || s != expect[f])
			bad++;
		else
			expect[f]++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (unsigned int f = 0; f < N_FLOWS; f++)
		complete += expect[f] == per_flow;
	return complete;
}

static void
test_order_many_flows(void)
{
	struct prx_xconnect_conf xcc = {.to = 1, .mac = PRX_MAC_KEEP};
	struct prx_handler_stats hs;
	struct prx_worker_stats ws[2];
	struct prx_handler *h;
	struct prx_chain c;
	struct bench b;
	uint64_t sent;

	bench_start(&b);
	CU_ASSERT_FATAL(prx_xconnect_create("fwd", &xcc, &h) == 0);
	h->offload = true;
	c = (struct prx_chain){.n = 1, .h = {h}};

	sent = send_flows(&b, &c);
	CU_ASSERT_EQUAL(sent, N_FLOWS * PER_FLOW);
	CU_ASSERT_EQUAL(fake_port_priv(b.out)->n_tx, N_FLOWS * PER_FLOW);
	CU_ASSERT_EQUAL(check_order(b.out, PER_FLOW), N_FLOWS);
	/* rx + originated == tx + dropped + punted + in_flight, in_flight 0 */
	CU_ASSERT_EQUAL(b.p.st.tx, sent);
	CU_ASSERT_EQUAL(prx_pipe_stats_dropped(&b.p.st), 0);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&b.p), 0);
	prx_handler_stats_read(h, &hs);
	CU_ASSERT_EQUAL(hs.in, sent);
	/* both workers did some of it: 64 flows hash to both */
	prx_worker_stats_read(b.o->w[0], &ws[0]);
	prx_worker_stats_read(b.o->w[1], &ws[1]);
	CU_ASSERT(ws[0].packets > 0 && ws[1].packets > 0);
	CU_ASSERT_EQUAL(ws[0].packets + ws[1].packets, sent);

	bench_stop(&b);
	prx_handler_free(h);
}

/* An offloaded filter in the middle: drops flows 0, 4, 8, ... on the worker, passes the
 * rest to the next handler, which runs on the reactor again. */
static void
filter_fn(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	(void)h;
	for (uint16_t i = 0; i < n; i++) {
		uint16_t f;
		uint32_t s;

		frame_id(pkts[i], &f, &s);
		if (f % 4 == 0)
			prx_pkt_drop(p, pkts[i], PRX_DROP_HANDLER);
		else
			prx_pkt_next(p, pkts[i]);
	}
}

static void
test_next_and_drops_come_back(void)
{
	struct prx_xconnect_conf xcc = {.to = 1, .mac = PRX_MAC_KEEP};
	struct prx_handler *flt, *fwd;
	struct prx_handler_stats hs;
	const uint64_t n_dropped = (N_FLOWS / 4) * PER_FLOW;
	struct prx_chain c;
	struct bench b;
	uint64_t sent;

	bench_start(&b);
	CU_ASSERT_FATAL(prx_handler_alloc("flt", "test", filter_fn, 0, &flt) == 0);
	CU_ASSERT_FATAL(prx_xconnect_create("fwd", &xcc, &fwd) == 0);
	flt->offload = true;
	c = (struct prx_chain){.n = 2, .h = {flt, fwd}};

	sent = send_flows(&b, &c);
	CU_ASSERT_EQUAL(fake_port_priv(b.out)->n_tx, sent - n_dropped);
	CU_ASSERT_EQUAL(check_order(b.out, PER_FLOW), N_FLOWS - N_FLOWS / 4);
	CU_ASSERT_EQUAL(b.p.st.drop[PRX_DROP_HANDLER], n_dropped);
	CU_ASSERT_EQUAL(b.p.st.tx + prx_pipe_stats_dropped(&b.p.st), b.p.st.rx);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&b.p), 0);
	/* the worker counted the drops in its own slot of the handler */
	prx_handler_stats_read(flt, &hs);
	CU_ASSERT_EQUAL(hs.in, sent);
	CU_ASSERT_EQUAL(hs.dropped, n_dropped);
	prx_handler_stats_read(fwd, &hs);
	CU_ASSERT_EQUAL(hs.in, sent - n_dropped);
	/* nothing left in flight: the barrier returns at once */
	CU_ASSERT_EQUAL(prx_offload_barrier(b.o, 1000000000ull), 0);

	bench_stop(&b);
	prx_handler_free(flt);
	prx_handler_free(fwd);
}

/* Without a pool an offloaded handler runs inline: the flag alone changes nothing. */
static void
test_inline_without_pool(void)
{
	struct prx_xconnect_conf xcc = {.to = 1, .mac = PRX_MAC_KEEP};
	struct prx_port *ports[PRX_MAX_PORTS] = {0};
	struct prx_handler *h;
	struct rte_mbuf *pkts[4];
	struct prx_chain c;
	struct prx_pipe p;

	setup();
	ports[1] = fake_port_create("out", 1, 1, pool);
	CU_ASSERT_FATAL(ports[1] != NULL);
	CU_ASSERT_FATAL(prx_xconnect_create("fwd", &xcc, &h) == 0);
	h->offload = true;
	c = (struct prx_chain){.n = 1, .h = {h}};
	prx_pipe_init(&p, 0, 32, pool);
	p.ports = ports;
	for (uint16_t i = 0; i < 4; i++)
		pkts[i] = frame(i, 0);
	prx_chain_run(&p, &c, pkts, 4);
	prx_pipe_flush(&p);
	CU_ASSERT_EQUAL(fake_port_priv(ports[1])->n_tx, 4);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&p), 0);
	fake_port_reset_tx(ports[1]);
	prx_port_close(ports[1]);
	prx_handler_free(h);
}

/* The same flow always hashes alike; different ports usually do not. */
static void
test_flow_hash(void)
{
	struct rte_mbuf *a, *a2, *b;

	setup();
	a = frame(1, 0);
	a2 = frame(1, 99);
	b = frame(2, 0);
	CU_ASSERT_EQUAL(prx_flow_hash(a), prx_flow_hash(a2));
	CU_ASSERT_NOT_EQUAL(prx_flow_hash(a), prx_flow_hash(b));
	a->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	a->hash.rss = 1234;
	CU_ASSERT_EQUAL(prx_flow_hash(a), 1234);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(a2);
	rte_pktmbuf_free(b);
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_flow_hash),
		PRX_TEST(test_inline_without_pool),
		PRX_TEST(test_order_many_flows),
		PRX_TEST(test_next_and_drops_come_back),
		{NULL, NULL},
	};

	return prx_test_run("offload", cases, 2);
}
