/* SPDX-License-Identifier: BSD-3-Clause */
/* xconnect: all packets from the input port leave on one output port (l2fwd). */
#include "prx_handlers.h"

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#ifdef __SSSE3__
#include <tmmintrin.h>
#endif

static void
xc_keep(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	const struct prx_xconnect_conf *c = h->priv;

	prx_pkt_tx_burst(p, c->to, pkts, n);
}

/* Drop frames without a whole Ethernet header, compacting the burst in place. */
static uint16_t
drop_runts(struct prx_pipe *p, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (likely(rte_pktmbuf_data_len(pkts[i]) >= sizeof(struct rte_ether_hdr)))
			pkts[k++] = pkts[i];
		else
			prx_pkt_drop(p, pkts[i], PRX_DROP_RUNT);
	}
	return k;
}

/* Exchange destination and source MAC of a frame of at least 14 bytes. */
static inline void
swap_macs_short(uint8_t *h)
{
	uint8_t t[RTE_ETHER_ADDR_LEN];

	memcpy(t, h, RTE_ETHER_ADDR_LEN);
	memcpy(h, h + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(h + RTE_ETHER_ADDR_LEN, t, RTE_ETHER_ADDR_LEN);
}

/* Swap the MACs of pkts[i] and keep it at pkts[*k], or drop it as a runt. */
static inline void
swap_one(struct prx_pipe *p, struct rte_mbuf **pkts, uint16_t i, uint16_t *k)
{
	struct rte_mbuf *m = pkts[i];
	uint8_t *h = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t len = rte_pktmbuf_data_len(m);

#ifdef __SSSE3__
	/* One 16-byte load, shuffle and store, as testpmd's macswap; bytes 12..15 (the
	 * EtherType and what follows) go back unchanged, so the frame must hold 16. */
	if (likely(len >= 16)) {
		const __m128i mask =
			_mm_setr_epi8(6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 12, 13, 14, 15);

		_mm_storeu_si128((__m128i *)h,
				 _mm_shuffle_epi8(_mm_loadu_si128((__m128i *)h), mask));
	} else
#endif
		if (len >= RTE_ETHER_HDR_LEN) {
		swap_macs_short(h);
	} else {
		prx_pkt_drop(p, m, PRX_DROP_RUNT);
		return;
	}
	/* Until the first runt k == i: nothing to write back. */
	if (unlikely(*k != i))
		pkts[*k] = m;
	(*k)++;
}

static void
xc_swap(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	const struct prx_xconnect_conf *c = h->priv;
	uint16_t i, k = 0;

	/* Headers are prefetched four packets ahead of the one being rewritten. */
	for (i = 0; i < n && i < 4; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i + 4 < n; i++) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		swap_one(p, pkts, i, &k);
	}
	for (; i < n; i++)
		swap_one(p, pkts, i, &k);
	prx_pkt_tx_burst(p, c->to, pkts, k);
}

static void
xc_rewrite(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	const struct prx_xconnect_conf *c = h->priv;

	n = drop_runts(p, pkts, n);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		if (c->set_dst)
			memcpy(&eth->dst_addr, c->dst, RTE_ETHER_ADDR_LEN);
		if (c->set_src)
			memcpy(&eth->src_addr, c->src, RTE_ETHER_ADDR_LEN);
	}
	prx_pkt_tx_burst(p, c->to, pkts, n);
}

/* work_cycles: spin per packet (an expensive handler for tests and benchmarks), then the
 * variant chosen at creation. */
struct xc_work {
	struct prx_xconnect_conf c; /* first: the variants read their settings from it */
	prx_handler_fn inner;
};

static void
xc_work(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	const struct xc_work *w = h->priv;
	uint64_t end = rte_rdtsc() + (uint64_t)w->c.work_cycles * n;

	while (rte_rdtsc() < end)
		rte_pause();
	w->inner(p, h, pkts, n);
}

int
prx_xconnect_create(const char *name, const struct prx_xconnect_conf *conf,
		    struct prx_handler **out)
{
	prx_handler_fn fn;
	int rc;

	*out = NULL;
	if (conf->to >= PRX_MAX_PORTS)
		return -EINVAL;
	/* The variant is chosen here, once, not per packet. */
	switch (conf->mac) {
	case PRX_MAC_KEEP:
		fn = xc_keep;
		break;
	case PRX_MAC_SWAP:
		fn = xc_swap;
		break;
	case PRX_MAC_REWRITE:
		if (!conf->set_src && !conf->set_dst)
			return -EINVAL;
		fn = xc_rewrite;
		break;
	default:
		return -EINVAL;
	}
	if (conf->work_cycles > 0) {
		rc = prx_handler_alloc(name, "xconnect", xc_work, sizeof(struct xc_work), out);
		if (rc != 0)
			return rc;
		((struct xc_work *)(*out)->priv)->inner = fn;
	} else {
		rc = prx_handler_alloc(name, "xconnect", fn, sizeof(*conf), out);
		if (rc != 0)
			return rc;
	}
	memcpy((*out)->priv, conf, sizeof(*conf));
	return 0;
}
