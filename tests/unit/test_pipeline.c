/* SPDX-License-Identifier: BSD-3-Clause */
/* Pipeline: dispositions, tx buffering, accounting identity, xconnect variants. */
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "fake_port.h"
#include "prx_handlers.h"
#include "prx_pipeline.h"
#include "prx_test.h"

static struct rte_mempool *pool;
static struct prx_port *ports[PRX_MAX_PORTS];
static struct prx_pipe pipe;
static unsigned int pool_before;

static void
setup(uint16_t burst)
{
	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("ut_pipe", 8191, 0, 0, 2176, 0);
	CU_ASSERT_FATAL(pool != NULL);
	pool_before = rte_mempool_avail_count(pool);
	memset(ports, 0, sizeof(ports));
	ports[0] = fake_port_create("a", 0, 2, pool);
	ports[1] = fake_port_create("b", 1, 2, pool);
	CU_ASSERT_FATAL(ports[0] != NULL && ports[1] != NULL);
	prx_pipe_init(&pipe, 1, burst, pool); /* reactor 1: tx queue 1 */
	pipe.ports = ports;
}

static void
teardown(void)
{
	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		prx_port_close(ports[i]);
	/* every mbuf is back: nothing leaked, nothing freed twice */
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), pool_before);
}

static uint64_t
dropped(void)
{
	return prx_pipe_stats_dropped(&pipe.st);
}

/* the accounting identity of docs/design.md */
static void
assert_balanced(void)
{
	CU_ASSERT_EQUAL(pipe.st.rx + pipe.st.originated,
			pipe.st.tx + dropped() + pipe.st.punted + prx_pipe_in_flight(&pipe));
}

/* receive everything queued on port a and run it through chain c */
static void
rx_all(const struct prx_chain *c)
{
	struct rte_mbuf *pkts[PRX_BURST_MAX];
	uint16_t n;

	while ((n = ports[0]->rx_burst(ports[0]->rxq[0], pkts, pipe.tx_threshold)) > 0) {
		pipe.st.rx += n;
		prx_chain_run(&pipe, c, pkts, n);
	}
}

static struct prx_handler *
xc(enum prx_mac_mode mac)
{
	struct prx_xconnect_conf xcc = {
		.to = 1, .mac = mac, .set_dst = true, .dst = {2, 0, 0, 0, 0, 0xbb}};
	struct prx_handler *h;

	CU_ASSERT_FATAL(prx_xconnect_create("xc", &xcc, &h) == 0);
	return h;
}

static void
test_xconnect_keep_all_arrive_in_order(void)
{
	struct prx_handler *h;
	struct fake_port *b;

	setup(32);
	h = xc(PRX_MAC_KEEP);
	struct prx_chain c = {.n = 1, .h = {h}};
	for (int i = 0; i < 1000; i++)
		fake_port_push(ports[0], (uint16_t)(60 + i % 1455), (uint8_t)i);
	rx_all(&c);
	prx_pipe_flush(&pipe);
	b = fake_port_priv(ports[1]);
	CU_ASSERT_EQUAL(b->n_tx, 1000);
	for (uint32_t i = 0; i < b->n_tx; i++) {
		struct rte_mbuf *m = b->tx[i];

		CU_ASSERT_EQUAL(rte_pktmbuf_data_len(m), 60 + i % 1455);
		CU_ASSERT_EQUAL(rte_pktmbuf_mtod(m, uint8_t *)[m->data_len - 1], (uint8_t)i);
	}
	CU_ASSERT_EQUAL(pipe.st.tx, 1000);
	CU_ASSERT_EQUAL(dropped(), 0);
	CU_ASSERT_EQUAL(ports[1]->txq_stats[1].packets, 1000);
	CU_ASSERT_EQUAL(ports[1]->txq_stats[0].packets, 0);
	CU_ASSERT_EQUAL(h->stats[1].in, 1000);
	assert_balanced();
	prx_handler_free(h);
	teardown();
}

static void
test_partial_burst_waits_for_flush(void)
{
	struct prx_handler *h;

	setup(32);
	h = xc(PRX_MAC_KEEP);
	struct prx_chain c = {.n = 1, .h = {h}};
	for (int i = 0; i < 5; i++)
		fake_port_push(ports[0], 64, 0);
	rx_all(&c);
	/* below the threshold: buffered, in flight, and the identity still holds */
	CU_ASSERT_EQUAL(fake_port_priv(ports[1])->n_tx, 0);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&pipe), 5);
	CU_ASSERT_EQUAL(pipe.dirty, 1u << 1);
	assert_balanced();
	prx_pipe_flush(&pipe);
	CU_ASSERT_EQUAL(fake_port_priv(ports[1])->n_tx, 5);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&pipe), 0);
	CU_ASSERT_EQUAL(pipe.dirty, 0);
	assert_balanced();
	prx_handler_free(h);
	teardown();
}

static void
test_tx_refused_is_counted_and_freed(void)
{
	struct prx_handler *h;

	setup(32);
	fake_port_priv(ports[1])->tx_limit = 70;
	h = xc(PRX_MAC_KEEP);
	struct prx_chain c = {.n = 1, .h = {h}};
	for (int i = 0; i < 100; i++)
		fake_port_push(ports[0], 64, 0);
	rx_all(&c);
	prx_pipe_flush(&pipe);
	CU_ASSERT_EQUAL(pipe.st.tx, 70);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_TX_FULL], 30);
	CU_ASSERT_EQUAL(ports[1]->txq_stats[1].dropped, 30);
	/* a refusal is the port's, not the handler's */
	CU_ASSERT_EQUAL(h->stats[1].dropped, 0);
	assert_balanced();
	prx_handler_free(h);
	teardown();
}

static void
test_empty_chain_drops_chain_end(void)
{
	struct prx_chain c = {.n = 0};

	setup(32);
	for (int i = 0; i < 40; i++)
		fake_port_push(ports[0], 64, 0);
	rx_all(&c);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_CHAIN_END], 40);
	CU_ASSERT_EQUAL(pipe.st.tx, 0);
	assert_balanced();
	teardown();
}

static void
test_removed_port_drops_no_port(void)
{
	struct prx_handler *h;

	setup(32);
	h = xc(PRX_MAC_KEEP);
	struct prx_chain c = {.n = 1, .h = {h}};
	for (int i = 0; i < 40; i++)
		fake_port_push(ports[0], 64, 0);
	struct prx_port *b = ports[1];
	ports[1] = NULL; /* a snapshot without slot 1 */
	rx_all(&c);
	prx_pipe_flush(&pipe);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_NO_PORT], 40);
	assert_balanced();
	ports[1] = b;
	prx_handler_free(h);
	teardown();
}

static void
test_mac_swap_and_runts(void)
{
	struct prx_handler *h;
	struct fake_port *b;

	setup(32);
	h = xc(PRX_MAC_SWAP);
	struct prx_chain c = {.n = 1, .h = {h}};
	fake_port_push(ports[0], 64, 1);
	fake_port_push(ports[0], 13, 2); /* runt */
	fake_port_push(ports[0], 1, 3);	 /* runt */
	fake_port_push(ports[0], 14, 4); /* exactly a header: fine */
	rx_all(&c);
	prx_pipe_flush(&pipe);
	b = fake_port_priv(ports[1]);
	CU_ASSERT_EQUAL_FATAL(b->n_tx, 2);
	const uint8_t *d = rte_pktmbuf_mtod(b->tx[0], const uint8_t *);
	CU_ASSERT_EQUAL(d[0], 0x56); /* old source first */
	CU_ASSERT_EQUAL(d[5], 0x5b);
	CU_ASSERT_EQUAL(d[6], 0xd0); /* old destination second */
	CU_ASSERT_EQUAL(d[11], 0xd5);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_RUNT], 2);
	CU_ASSERT_EQUAL(h->stats[1].dropped, 2);
	assert_balanced();
	prx_handler_free(h);
	teardown();
}

static void
test_mac_rewrite(void)
{
	struct prx_handler *h;

	setup(32);
	h = xc(PRX_MAC_REWRITE);
	struct prx_chain c = {.n = 1, .h = {h}};
	fake_port_push(ports[0], 64, 1);
	rx_all(&c);
	prx_pipe_flush(&pipe);
	const uint8_t *d = rte_pktmbuf_mtod(fake_port_priv(ports[1])->tx[0], const uint8_t *);
	CU_ASSERT_EQUAL(d[0], 2);
	CU_ASSERT_EQUAL(d[5], 0xbb);
	CU_ASSERT_EQUAL(d[6], 0x56); /* source untouched: only dst_mac set */
	prx_handler_free(h);
	teardown();
}

static void
test_xconnect_rejects_bad_config(void)
{
	struct prx_xconnect_conf xcc = {.to = PRX_MAX_PORTS, .mac = PRX_MAC_KEEP};
	struct prx_handler *h = (void *)1;

	CU_ASSERT_EQUAL(prx_xconnect_create("x", &xcc, &h), -EINVAL);
	CU_ASSERT_PTR_NULL(h);
	xcc.to = 0;
	xcc.mac = PRX_MAC_REWRITE; /* neither src nor dst */
	CU_ASSERT_EQUAL(prx_xconnect_create("x", &xcc, &h), -EINVAL);
}

/* A handler that punts odd tags, originates one packet per burst to port a, and passes
 * the rest on. */
static void
mixed_fn(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *o;

	(void)h;
	for (uint16_t i = 0; i < n; i++) {
		uint8_t tag = rte_pktmbuf_mtod(pkts[i], uint8_t *)[pkts[i]->data_len - 1];

		if (tag & 1)
			prx_pkt_punt(p, pkts[i]);
		else
			prx_pkt_next(p, pkts[i]);
	}
	o = prx_pkt_originate(p);
	if (o != NULL) {
		rte_pktmbuf_append(o, 60);
		prx_pkt_tx(p, 0, o);
	}
}

static void
test_punt_originate_and_pass_on(void)
{
	struct prx_handler *m, *x;
	struct rte_ring *ring;
	struct rte_mbuf *out[64];

	setup(32);
	ring = rte_ring_create("ut_punt", 64, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	CU_ASSERT_FATAL(ring != NULL);
	CU_ASSERT_FATAL(prx_handler_alloc("mixed", "test", mixed_fn, 0, &m) == 0);
	x = xc(PRX_MAC_KEEP);
	struct prx_chain c = {.n = 2, .h = {m, x}};

	/* 100 packets, 50 odd: the ring holds 63, so all 50 punts fit */
	pipe.punt = ring;
	for (int i = 0; i < 100; i++)
		fake_port_push(ports[0], 64, (uint8_t)i);
	rx_all(&c);
	prx_pipe_flush(&pipe);
	CU_ASSERT_EQUAL(pipe.st.punted, 50);
	CU_ASSERT_EQUAL(pipe.st.originated, 4); /* bursts of 32,32,32,4 */
	CU_ASSERT_EQUAL(fake_port_priv(ports[1])->n_tx, 50);
	CU_ASSERT_EQUAL(fake_port_priv(ports[0])->n_tx, 4);
	CU_ASSERT_EQUAL(m->stats[1].in, 100);
	CU_ASSERT_EQUAL(x->stats[1].in, 50);
	assert_balanced();

	/* ring nearly full: 13 more fit, the rest is punt_full */
	for (int i = 0; i < 100; i++)
		fake_port_push(ports[0], 64, (uint8_t)i);
	rx_all(&c);
	prx_pipe_flush(&pipe);
	CU_ASSERT_EQUAL(pipe.st.punted, 63);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_PUNT_FULL], 37);
	assert_balanced();

	/* without a ring every punt is punt_full */
	pipe.punt = NULL;
	fake_port_push(ports[0], 64, 1);
	rx_all(&c);
	prx_pipe_flush(&pipe);
	CU_ASSERT_EQUAL(pipe.st.drop[PRX_DROP_PUNT_FULL], 38);
	assert_balanced();

	unsigned int k;
	while ((k = rte_ring_dequeue_burst(ring, (void **)out, 64, NULL)) > 0)
		rte_pktmbuf_free_bulk(out, k);
	rte_ring_free(ring);
	prx_handler_free(m);
	prx_handler_free(x);
	teardown();
}

static void
test_burst_of_one(void)
{
	struct prx_handler *h;

	setup(1);
	h = xc(PRX_MAC_KEEP);
	struct prx_chain c = {.n = 1, .h = {h}};
	for (int i = 0; i < 10; i++)
		fake_port_push(ports[0], 64, 0);
	rx_all(&c);
	/* threshold 1: every packet leaves at once */
	CU_ASSERT_EQUAL(fake_port_priv(ports[1])->n_tx, 10);
	CU_ASSERT_EQUAL(prx_pipe_in_flight(&pipe), 0);
	assert_balanced();
	prx_handler_free(h);
	teardown();
}

static void
test_drop_names(void)
{
	CU_ASSERT_STRING_EQUAL(prx_drop_name(PRX_DROP_TX_FULL), "tx_full");
	CU_ASSERT_STRING_EQUAL(prx_drop_name(PRX_DROP_CHAIN_END), "chain_end");
	CU_ASSERT_STRING_EQUAL(prx_drop_name(PRX_DROP_MAX), "?");
	for (unsigned int r = 0; r < PRX_DROP_MAX; r++) {
		CU_ASSERT_PTR_NOT_NULL(prx_drop_name((enum prx_drop_reason)r));
		CU_ASSERT(strlen(prx_drop_desc((enum prx_drop_reason)r)) > 0);
	}
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_xconnect_keep_all_arrive_in_order),
		PRX_TEST(test_partial_burst_waits_for_flush),
		PRX_TEST(test_tx_refused_is_counted_and_freed),
		PRX_TEST(test_empty_chain_drops_chain_end),
		PRX_TEST(test_removed_port_drops_no_port),
		PRX_TEST(test_mac_swap_and_runts),
		PRX_TEST(test_mac_rewrite),
		PRX_TEST(test_xconnect_rejects_bad_config),
		PRX_TEST(test_punt_originate_and_pass_on),
		PRX_TEST(test_burst_of_one),
		PRX_TEST(test_drop_names),
		{NULL, NULL},
	};

	return prx_test_run("pipeline", cases, 1);
}
