/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker pool behind handlers marked `offload` (prx_offload.h). */
#include "prx_offload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#define ITEM_SZ sizeof(struct prx_off_item)

/* ---- flow hash ---------------------------------------------------------------------- */

uint32_t
prx_flow_hash(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), w[3];
	uint16_t et;

	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return m->hash.rss;
	if (len < RTE_ETHER_HDR_LEN)
		return len;
	et = (uint16_t)(d[12] << 8 | d[13]);
	if (et == RTE_ETHER_TYPE_IPV4 && len >= RTE_ETHER_HDR_LEN + 20) {
		const uint8_t *ip = d + RTE_ETHER_HDR_LEN;
		uint32_t ihl = (ip[0] & 0xfu) * 4u, ports = 0;

		memcpy(&w[0], ip + 12, 4);
		memcpy(&w[1], ip + 16, 4);
		/* ports only of a first fragment's TCP or UDP header */
		if ((ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP) && ihl >= 20 &&
		    (ip[6] & 0x1f) == 0 && ip[7] == 0 && len >= RTE_ETHER_HDR_LEN + ihl + 4)
			memcpy(&ports, ip + ihl, 4);
		w[2] = ports ^ ip[9];
		return rte_jhash_3words(w[0], w[1], w[2], 0x9e3779b9);
	}
	if (et == RTE_ETHER_TYPE_IPV6 && len >= RTE_ETHER_HDR_LEN + 40)
		return rte_jhash(d + RTE_ETHER_HDR_LEN + 8, 32, d[RTE_ETHER_HDR_LEN + 6]);
	return rte_jhash(d, 2 * RTE_ETHER_ADDR_LEN, et);
}

static struct prx_port *const no_ports[PRX_MAX_PORTS];

/* ---- pool --------------------------------------------------------------------------- */

static struct rte_ring *
lane_ring(const char *what, uint16_t r, uint16_t w, uint32_t size, int socket)
{
	char name[RTE_RING_NAMESIZE];
	static uint32_t seq;

	/* unique per pool: pools of earlier runs in one process (tests) may still exist */
	snprintf(name, sizeof(name), "prx_%s%u_%u_%u", what, r, w,
		 __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	return rte_ring_create_elem(name, ITEM_SZ, size, socket,
				    RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
}

int
prx_offload_create(uint16_t n_reactors, uint16_t n_workers, const unsigned int *lcores,
		   uint16_t burst, uint32_t ring_size, struct rte_rcu_qsbr *qsbr,
		   struct rte_mempool *const *pools, struct prx_offload **out)
{
	struct prx_offload *o;
	int rc = -ENOMEM;

	*out = NULL;
	if (n_reactors == 0 || n_workers == 0 || n_workers > PRX_MAX_WORKERS ||
	    n_reactors + n_workers > PRX_MAX_REACTORS || burst == 0 || burst > PRX_BURST_MAX ||
	    ring_size == 0)
		return -EINVAL;
	o = rte_zmalloc("prx_offload", sizeof(*o), RTE_CACHE_LINE_SIZE);
	if (o == NULL)
		return -ENOMEM;
	o->n_reactors = n_reactors;
	o->n_workers = n_workers;
	o->burst = burst;
	o->ring_size = ring_size;
	o->qsbr = qsbr;
	o->lanes = rte_zmalloc("prx_off_lanes", sizeof(*o->lanes) * (size_t)n_reactors * n_workers,
			       RTE_CACHE_LINE_SIZE);
	if (o->lanes == NULL)
		goto fail;
	for (uint16_t r = 0; r < n_reactors; r++)
		for (uint16_t w = 0; w < n_workers; w++) {
			struct prx_off_lane *l = prx_offload_lane(o, r, w);
			int socket = (int)rte_lcore_to_socket_id(lcores[w]);

			l->to_w = lane_ring("ow", r, w, ring_size, socket);
			l->back = lane_ring("ob", r, w, ring_size, socket);
			if (l->to_w == NULL || l->back == NULL)
				goto fail;
		}
	for (uint16_t w = 0; w < n_workers; w++) {
		struct prx_worker *wk = rte_zmalloc("prx_worker", sizeof(*wk), RTE_CACHE_LINE_SIZE);

		if (wk == NULL)
			goto fail;
		o->w[w] = wk;
		wk->pool = o;
		wk->id = w;
		wk->rcu_id = (uint16_t)(n_reactors + w);
		wk->lcore = lcores[w];
		/* the pipe's id is the handler stats slot and per-thread state index of the
		 * handlers it runs: a slot after the reactors', one per worker */
		prx_pipe_init(&wk->pipe, wk->rcu_id, PRX_BURST_MAX, pools[w]);
		wk->pipe.cap = &wk->cap;
		/* no ports: prx_pkt_tx_burst() takes the buffered path, which captures */
		wk->pipe.ports = no_ports;
	}
	*out = o;
	return 0;
fail:
	prx_offload_destroy(o);
	return rc;
}

static void
ring_free_all(struct rte_ring *ring)
{
	struct prx_off_item it;

	if (ring == NULL)
		return;
	while (rte_ring_dequeue_elem(ring, &it, ITEM_SZ) == 0)
		rte_pktmbuf_free(it.m);
	rte_ring_free(ring);
}

void
prx_offload_destroy(struct prx_offload *o)
{
	if (o == NULL)
		return;
	for (unsigned int i = 0; o->lanes != NULL && i < (unsigned int)o->n_reactors * o->n_workers;
	     i++) {
		ring_free_all(o->lanes[i].to_w);
		ring_free_all(o->lanes[i].back);
	}
	for (unsigned int w = 0; w < PRX_MAX_WORKERS; w++)
		rte_free(o->w[w]);
	rte_free(o->lanes);
	rte_free(o);
}

void
prx_offload_stop(struct prx_offload *o)
{
	if (o != NULL)
		__atomic_store_n(&o->stop, true, __ATOMIC_RELEASE);
}

void
prx_worker_stats_read(const struct prx_worker *w, struct prx_worker_stats *out)
{
	out->packets = prx_counter_read(&w->st.packets);
	out->bursts = prx_counter_read(&w->st.bursts);
	out->waits = prx_counter_read(&w->st.waits);
}

/* ---- reactor side ------------------------------------------------------------------- */

void
prx__offload_send(struct prx_pipe *p, const struct prx_chain *c, uint16_t pos,
		  struct rte_mbuf **pkts, uint16_t n)
{
	const struct prx_offload *o = p->off;
	const uint16_t nw = o->n_workers;
	struct prx_off_item items[PRX_BURST_MAX];
	uint16_t cnt[PRX_MAX_WORKERS + 1] = {0};
	uint8_t wk[PRX_BURST_MAX];
	struct prx_handler_stats *hs = (struct prx_handler_stats *)&c->h[pos]->stats[p->id];
	uint16_t k = 0;

	p->hs = NULL; /* a full ring is not the handler's drop */
	/* group by worker, keeping the order of the burst within each group */
	for (uint16_t i = 0; i < n; i++) {
		wk[i] = (uint8_t)(prx_flow_hash(pkts[i]) % nw);
		cnt[wk[i] + 1]++;
	}
	for (uint16_t w = 1; w <= nw; w++)
		cnt[w] += cnt[w - 1];
	for (uint16_t i = 0; i < n; i++)
		items[cnt[wk[i]]++] = (struct prx_off_item){
			.m = pkts[i], .c = c, .pos = pos, .kind = PRX_OFF_RUN};
	/* cnt[w] is now where group w ends */
	for (uint16_t w = 0; w < nw; w++) {
		uint16_t start = w == 0 ? 0 : cnt[w - 1], want = cnt[w] - start;
		struct prx_off_lane *l = prx_offload_lane(o, p->id, w);
		unsigned int sent;

		if (want == 0)
			continue;
		sent = rte_ring_sp_enqueue_burst_elem(l->to_w, &items[start], ITEM_SZ, want, NULL);
		prx_counter_add(&l->sent, sent);
		prx_counter_add(&p->off_out, sent);
		k += (uint16_t)sent;
		/* a worker that cannot keep up: drop here, never wait on it */
		for (uint16_t i = (uint16_t)(start + sent); i < cnt[w]; i++)
			prx_pkt_drop(p, items[i].m, PRX_DROP_OFFLOAD_FULL);
	}
	/* the handler's input is counted where the packets went in: on the reactor's slot */
	prx_counter_add(&hs->in, k);
}

/* Run the packets collected for (c, pos) on from there. */
static void
run_next(struct prx_pipe *p, const struct prx_chain *c, uint16_t pos, struct rte_mbuf **pkts,
	 uint16_t n)
{
	if (n > 0)
		prx_chain_run_from(p, c, pos, pkts, n);
}

static unsigned int
drain_lane(struct prx_pipe *p, struct prx_off_lane *l, unsigned int max)
{
	struct prx_off_item items[PRX_BURST_MAX];
	struct rte_mbuf *next[PRX_BURST_MAX];
	const struct prx_chain *nc = NULL;
	uint16_t npos = 0, nn = 0;
	unsigned int k, got = 0;

	k = rte_ring_sc_dequeue_burst_elem(l->back, items, ITEM_SZ, max, NULL);
	for (unsigned int i = 0; i < k; i++) {
		const struct prx_off_item *it = &items[i];

		if (it->kind == PRX_OFF_ORIG) {
			/* originated at the worker, sent to us: counted before they arrive */
			prx_counter_add(&p->st.originated, it->arg);
			prx_counter_add(&p->off_out, it->arg);
			continue;
		}
		prx_counter_add(&p->off_back, 1);
		got++;
		if (it->kind == PRX_OFF_NEXT) {
			if (nn > 0 && (it->c != nc || it->pos != npos)) {
				run_next(p, nc, npos, next, nn);
				nn = 0;
			}
			nc = it->c;
			npos = it->pos;
			next[nn++] = it->m;
			continue;
		}
		switch (it->kind) {
		case PRX_OFF_TX:
			prx_pkt_tx(p, it->arg, it->m);
			break;
		case PRX_OFF_PUNT:
			prx_pkt_punt(p, it->m);
			break;
		default: /* the worker counted it for the handler; the reason is ours to count */
			prx_pkt_drop(p, it->m, (enum prx_drop_reason)it->arg);
			break;
		}
	}
	run_next(p, nc, npos, next, nn);
	if (p->n_free != 0)
		prx__pipe_free_drops(p);
	/* after acting on them: the barrier may free what they pointed to */
	if (k > 0)
		__atomic_store_n(&l->back_done, l->back_done + k, __ATOMIC_RELEASE);
	return got;
}

unsigned int
prx_offload_drain(struct prx_pipe *p)
{
	const struct prx_offload *o = p->off;
	unsigned int got = 0;

	for (uint16_t w = 0; w < o->n_workers; w++) {
		struct prx_off_lane *l = prx_offload_lane(o, p->id, w);

		if (!rte_ring_empty(l->back))
			got += drain_lane(p, l, PRX_BURST_MAX);
	}
	/* keep polling while packets are out: a sleeping engine would strand them */
	if (got == 0 && p->off_out != p->off_back)
		got = 1;
	return got;
}

void
prx_offload_finish(struct prx_pipe *p)
{
	const struct prx_offload *o = p->off;

	if (o == NULL)
		return;
	while (p->off_out != p->off_back && __atomic_load_n(&o->running, __ATOMIC_ACQUIRE) > 0) {
		if (prx_offload_drain(p) <= 1)
			rte_pause();
		if (p->dirty != 0)
			prx_pipe_flush(p);
	}
}

/* ---- worker side: the capturing pipe ------------------------------------------------- */

static void
cap_flush(struct prx_pipe *p)
{
	struct prx_off_cap *cap = p->cap;
	struct prx_worker *wk = PRX_CONTAINER_OF(cap, struct prx_worker, cap);
	struct prx_off_item *it = cap->out;
	uint64_t orig = p->st.originated - cap->orig_seen;
	unsigned int n = cap->n_out, done = 0;

	if (orig > 0) {
		/* the marker goes first: the reactor counts them before they arrive */
		memmove(&cap->out[1], &cap->out[0], (size_t)n * ITEM_SZ);
		cap->out[0] = (struct prx_off_item){.kind = PRX_OFF_ORIG, .arg = (uint16_t)orig};
		cap->orig_seen = p->st.originated;
		n++;
	}
	while (done < n) {
		unsigned int k = rte_ring_sp_enqueue_burst_elem(cap->lane->back, it + done, ITEM_SZ,
								n - done, NULL);

		/* the reactor drains every iteration and never waits on us: wait for it */
		if (k == 0) {
			prx_counter_add(&wk->st.waits, 1);
			rte_pause();
		}
		done += k;
	}
	__atomic_store_n(&cap->lane->back_sent, cap->lane->back_sent + n, __ATOMIC_RELEASE);
	cap->n_out = 0;
}

static inline void
cap_add(struct prx_pipe *p, struct rte_mbuf *m, uint16_t kind, uint16_t arg, uint16_t pos)
{
	struct prx_off_cap *cap = p->cap;

	/* out[] keeps one spare item for the originated marker */
	if (unlikely(cap->n_out == PRX_OFFLOAD_OUT_MAX))
		cap_flush(p);
	cap->out[cap->n_out++] =
		(struct prx_off_item){.m = m, .c = cap->c, .pos = pos, .kind = kind, .arg = arg};
}

void
prx__offload_cap_tx(struct prx_pipe *p, uint16_t slot)
{
	struct prx_txbuf *b = &p->tx[slot];

	p->dirty &= ~(UINT32_C(1) << slot);
	for (uint16_t i = 0; i < b->n; i++)
		cap_add(p, b->pkts[i], PRX_OFF_TX, slot, 0);
	b->n = 0;
}

void
prx__offload_cap_drops(struct prx_pipe *p)
{
	struct prx_off_cap *cap = p->cap;
	uint16_t i = 0;

	/* the reasons in order of the counters: which mbuf had which does not matter,
	 * how many of each does */
	for (unsigned int r = 0; r < PRX_DROP_MAX && i < p->n_free; r++) {
		uint64_t d = p->st.drop[r] - cap->drop_seen[r];

		for (; d > 0 && i < p->n_free; d--, i++) {
			cap_add(p, p->free[i], PRX_OFF_DROP, (uint16_t)r, 0);
			cap->drop_seen[r]++;
		}
	}
	p->n_free = 0;
}

void
prx__offload_cap_punt(struct prx_pipe *p, struct rte_mbuf *m)
{
	cap_add(p, m, PRX_OFF_PUNT, 0, 0);
}

/* Run one group of items (same chain and position) through the handler. */
static void
run_group(struct prx_worker *wk, struct prx_off_lane *l, const struct prx_off_item *items,
	  uint16_t n)
{
	struct prx_pipe *p = &wk->pipe;
	struct prx_off_cap *cap = &wk->cap;
	const struct prx_chain *c = items[0].c;
	const uint16_t pos = items[0].pos;
	const struct prx_handler *h = c->h[pos];
	struct rte_mbuf *pkts[PRX_BURST_MAX], *next[PRX_BURST_MAX];

	for (uint16_t i = 0; i < n; i++)
		pkts[i] = items[i].m;
	cap->lane = l;
	cap->c = c;
	cap->pos = pos;
	p->hs = (struct prx_handler_stats *)&h->stats[p->id];
	p->next = next;
	p->n_next = 0;
	h->process(p, h, pkts, n);
	p->hs = NULL;
	prx_pipe_flush(p); /* captured as tx items */
	for (uint16_t i = 0; i < p->n_next; i++)
		cap_add(p, next[i], PRX_OFF_NEXT, 0, (uint16_t)(pos + 1));
	prx__offload_cap_drops(p);
	cap_flush(p);
	prx_counter_add(&wk->st.packets, n);
	prx_counter_add(&wk->st.bursts, 1);
}

/* Handle what one lane brought; 0 when it was empty. */
static unsigned int
work_lane(struct prx_worker *wk, struct prx_off_lane *l)
{
	struct prx_off_item items[PRX_BURST_MAX];
	unsigned int k, i, j;

	k = rte_ring_sc_dequeue_burst_elem(l->to_w, items, ITEM_SZ, wk->pool->burst, NULL);
	for (i = 0; i < k; i = j) {
		for (j = i + 1; j < k && items[j].c == items[i].c && items[j].pos == items[i].pos;
		     j++)
			;
		run_group(wk, l, &items[i], (uint16_t)(j - i));
	}
	/* after every result went back: the barrier frees what the items pointed to */
	if (k > 0)
		__atomic_store_n(&l->done, l->done + k, __ATOMIC_RELEASE);
	return k;
}

int
prx_worker_main(void *arg)
{
	struct prx_worker *wk = arg;
	struct prx_offload *o = wk->pool;
	int rc = 0;

	if (o->qsbr != NULL) {
		rc = rte_rcu_qsbr_thread_register(o->qsbr, wk->rcu_id);
		if (rc != 0) {
			wk->run_rc = -rte_errno;
			return wk->run_rc;
		}
		rte_rcu_qsbr_thread_online(o->qsbr, wk->rcu_id);
	}
	__atomic_fetch_add(&o->running, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&o->stop, __ATOMIC_ACQUIRE)) {
		unsigned int got = 0;

		/* handlers read tables updated in place under RCU: report between bursts */
		if (o->qsbr != NULL)
			rte_rcu_qsbr_quiescent(o->qsbr, wk->rcu_id);
		for (uint16_t r = 0; r < o->n_reactors; r++)
			got += work_lane(wk, prx_offload_lane(o, r, wk->id));
		if (got == 0)
			rte_pause();
	}
	__atomic_fetch_sub(&o->running, 1, __ATOMIC_ACQ_REL);
	if (o->qsbr != NULL) {
		rte_rcu_qsbr_thread_offline(o->qsbr, wk->rcu_id);
		rte_rcu_qsbr_thread_unregister(o->qsbr, wk->rcu_id);
	}
	wk->run_rc = rc;
	return rc;
}

/* ---- control side ------------------------------------------------------------------- */

static bool
wait_count(const uint64_t *done, uint64_t target, const struct prx_offload *o, uint64_t end)
{
	while (__atomic_load_n(done, __ATOMIC_ACQUIRE) < target) {
		if (__atomic_load_n(&o->running, __ATOMIC_ACQUIRE) == 0)
			return true; /* nobody left to make progress: nothing runs either */
		if (rte_get_timer_cycles() > end)
			return false;
		rte_pause();
	}
	return true;
}

int
prx_offload_barrier(struct prx_offload *o, uint64_t timeout_ns)
{
	const unsigned int n = (unsigned int)o->n_reactors * o->n_workers;
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 1000000 * (timeout_ns / 1000);

	if (__atomic_load_n(&o->running, __ATOMIC_ACQUIRE) == 0)
		return 0;
	for (unsigned int round = 0; round < PRX_CHAIN_MAX; round++) {
		for (unsigned int i = 0; i < n; i++)
			if (!wait_count(&o->lanes[i].done,
					__atomic_load_n(&o->lanes[i].sent, __ATOMIC_ACQUIRE), o,
					end))
				return -ETIMEDOUT;
		for (unsigned int i = 0; i < n; i++)
			if (!wait_count(&o->lanes[i].back_done,
					__atomic_load_n(&o->lanes[i].back_sent, __ATOMIC_ACQUIRE),
					o, end))
				return -ETIMEDOUT;
	}
	return 0;
}
