/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_pipeline.h"
#include "prx_offload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_ring.h>

#define DROP_NAME(sym, name, desc) [sym] = name,
#define DROP_DESC(sym, name, desc) [sym] = desc,
static const char *const drop_names[PRX_DROP_MAX] = {PRX_DROP_REASONS(DROP_NAME)};
static const char *const drop_descs[PRX_DROP_MAX] = {PRX_DROP_REASONS(DROP_DESC)};
#undef DROP_NAME
#undef DROP_DESC

const char *
prx_drop_name(enum prx_drop_reason r)
{
	return prx_name_of(drop_names, PRX_DROP_MAX, r);
}

const char *
prx_drop_desc(enum prx_drop_reason r)
{
	return prx_name_of(drop_descs, PRX_DROP_MAX, r);
}

void
prx_pipe_init(struct prx_pipe *p, uint16_t id, uint16_t burst, struct rte_mempool *pool)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->tx_threshold = burst == 0 ? 1 : RTE_MIN(burst, (uint16_t)PRX_BURST_MAX);
	p->pool = pool;
}

void
prx__pipe_free_drops(struct prx_pipe *p)
{
	if (unlikely(p->cap != NULL)) {
		prx__offload_cap_drops(p);
		return;
	}
	if (p->n_free > 0) {
		rte_pktmbuf_free_bulk(p->free, p->n_free);
		p->n_free = 0;
	}
}

void
prx__pipe_tx_refused(struct prx_pipe *p, struct prx_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	/* A refused packet is freed and counted, never retried in a loop: a stalled
	 * port must not stall the reactor's other queues. */
	if (port != NULL) {
		prx_counter_add(&port->txq_stats[p->id].dropped, n);
		prx_counter_add(&p->st.drop[PRX_DROP_TX_FULL], n);
	} else {
		prx_counter_add(&p->st.drop[PRX_DROP_NO_PORT], n);
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

void
prx__pipe_flush_port(struct prx_pipe *p, uint16_t slot)
{
	struct prx_txbuf *b = &p->tx[slot];
	struct prx_port *port = p->ports[slot];
	uint16_t n = b->n, sent = 0;

	if (unlikely(p->cap != NULL)) {
		prx__offload_cap_tx(p, slot);
		return;
	}
	p->dirty &= ~(UINT32_C(1) << slot);
	if (n == 0)
		return;
	if (likely(port != NULL)) {
		sent = port->tx_burst(port->txq[p->id], b->pkts, n);
		prx_counter_add(&p->st.tx, sent);
		prx_counter_add(&port->txq_stats[p->id].packets, sent);
	}
	if (sent < n)
		prx__pipe_tx_refused(p, port, b->pkts + sent, n - sent);
	__atomic_store_n(&b->n, 0, __ATOMIC_RELAXED);
}

void
prx__pipe_tx_burst_slow(struct prx_pipe *p, uint16_t slot, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		prx_pkt_tx(p, slot, pkts[i]);
}

uint64_t
prx_pipe_in_flight(const struct prx_pipe *p)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		n += __atomic_load_n(&p->tx[i].n, __ATOMIC_RELAXED);
	/* out at workers; off_back is read first: it never passes off_out */
	n -= prx_counter_read(&p->off_back);
	n += prx_counter_read(&p->off_out);
	return n;
}

void
prx_pkt_punt(struct prx_pipe *p, struct rte_mbuf *m)
{
	if (unlikely(p->cap != NULL)) {
		prx__offload_cap_punt(p, m);
		return;
	}
	if (p->punt != NULL) {
		/* the first packet into an empty ring wakes the control thread (once per
		 * iteration, by the reactor): punts are rare, the wake-up is not free */
		bool was_empty = rte_ring_empty(p->punt);

		if (rte_ring_sp_enqueue(p->punt, m) == 0) {
			prx_counter_add(&p->st.punted, 1);
			p->punt_kick |= was_empty;
			return;
		}
	}
	prx_pkt_drop(p, m, PRX_DROP_PUNT_FULL);
}

static __rte_always_inline void
chain_run(struct prx_pipe *p, const struct prx_chain *c, uint16_t from, struct rte_mbuf **pkts,
	  uint16_t n)
{
	struct rte_mbuf *buf[2][PRX_BURST_MAX];
	unsigned int which = 0;

	for (uint16_t i = from; i < c->n && n > 0; i++) {
		const struct prx_handler *h = c->h[i];

		/* the one test the inline path pays: the rest of the chain goes to workers */
		if (unlikely(h->offload) && p->off != NULL) {
			prx__offload_send(p, c, i, pkts, n);
			n = 0;
			break;
		}

		/* stats[] is the one mutable part of a handler: slot p->id is ours alone. */
		p->hs = (struct prx_handler_stats *)&h->stats[p->id];
		prx_counter_add(&p->hs->in, n);
		p->next = buf[which];
		p->n_next = 0;
		h->process(p, h, pkts, n);
		pkts = buf[which];
		n = p->n_next;
		which ^= 1;
	}
	p->hs = NULL;
	for (uint16_t i = 0; i < n; i++)
		prx_pkt_drop(p, pkts[i], PRX_DROP_CHAIN_END);
	if (p->n_free != 0)
		prx__pipe_free_drops(p);
}

void
prx_chain_run(struct prx_pipe *p, const struct prx_chain *c, struct rte_mbuf **pkts, uint16_t n)
{
	chain_run(p, c, 0, pkts, n);
}

void
prx_chain_run_from(struct prx_pipe *p, const struct prx_chain *c, uint16_t pos,
		   struct rte_mbuf **pkts, uint16_t n)
{
	chain_run(p, c, pos, pkts, n);
}

void
prx_pipe_stats_read(const struct prx_pipe *p, struct prx_pipe_stats *out)
{
	out->rx = prx_counter_read(&p->st.rx);
	out->originated = prx_counter_read(&p->st.originated);
	out->tx = prx_counter_read(&p->st.tx);
	out->punted = prx_counter_read(&p->st.punted);
	for (unsigned int r = 0; r < PRX_DROP_MAX; r++)
		out->drop[r] = prx_counter_read(&p->st.drop[r]);
}

void
prx_pipe_stats_add(struct prx_pipe_stats *a, const struct prx_pipe_stats *b)
{
	a->rx += b->rx;
	a->originated += b->originated;
	a->tx += b->tx;
	a->punted += b->punted;
	for (unsigned int r = 0; r < PRX_DROP_MAX; r++)
		a->drop[r] += b->drop[r];
}

uint64_t
prx_pipe_stats_dropped(const struct prx_pipe_stats *s)
{
	uint64_t n = 0;

	for (unsigned int r = 0; r < PRX_DROP_MAX; r++)
		n += s->drop[r];
	return n;
}

int
prx_handler_alloc(const char *name, const char *type, prx_handler_fn fn, size_t priv_size,
		  struct prx_handler **out)
{
	struct prx_handler *h;

	*out = NULL;
	if (name == NULL || type == NULL || fn == NULL || strlen(name) >= PRX_NAME_MAX)
		return -EINVAL;
	h = rte_zmalloc("prx_handler", sizeof(*h), RTE_CACHE_LINE_SIZE);
	if (h == NULL)
		return -ENOMEM;
	if (priv_size > 0) {
		h->priv = rte_zmalloc("prx_handler_priv", priv_size, RTE_CACHE_LINE_SIZE);
		if (h->priv == NULL) {
			rte_free(h);
			return -ENOMEM;
		}
	}
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->type = type;
	h->process = fn;
	*out = h;
	return 0;
}

void
prx_handler_free(struct prx_handler *h)
{
	if (h == NULL)
		return;
	if (h->destroy != NULL)
		h->destroy(h);
	rte_free(h->priv);
	rte_free(h);
}

void
prx_handler_stats_read(const struct prx_handler *h, struct prx_handler_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int r = 0; r < PRX_MAX_REACTORS; r++) {
		out->in += prx_counter_read(&h->stats[r].in);
		out->dropped += prx_counter_read(&h->stats[r].dropped);
	}
}
