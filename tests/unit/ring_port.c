/* SPDX-License-Identifier: BSD-3-Clause */
#include "ring_port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "prx_pipeline.h"
#include "prx_reactor.h"

static void
clear(int efd)
{
	uint64_t v;

	if (efd >= 0)
		(void)!read(efd, &v, sizeof(v));
}

static uint16_t
rp_rx(void *qh, struct rte_mbuf **pkts, uint16_t n)
{
	struct ring_port_q *q = qh;
	unsigned int k = rte_ring_dequeue_burst(q->ring, (void **)pkts, n, NULL);
	uint64_t v;

	/* A wake-up fd is readable while packets wait: clear it once the ring is empty
	 * (a producer queues, then writes), then look again. */
	if (k == 0 && q->wake && read(q->efd, &v, sizeof(v)) > 0)
		k = rte_ring_dequeue_burst(q->ring, (void **)pkts, n, NULL);
	return (uint16_t)k;
}

static uint16_t
rp_tx(void *qh, struct rte_mbuf **pkts, uint16_t n)
{
	struct ring_port *rp = qh;

	rte_pktmbuf_free_bulk(pkts, n);
	__atomic_store_n(&rp->tx_total, rp->tx_total + n, __ATOMIC_RELAXED);
	return n;
}

static int
rp_configure(struct prx_port *port, const struct prx_port_setup *setup)
{
	static unsigned int made; /* ring names are global */
	struct ring_port *rp = port->priv;
	char name[RTE_RING_NAMESIZE];

	if (setup->n_rxq > RING_PORT_MAX_RXQ)
		return -EINVAL;
	for (uint16_t i = 0; i < setup->n_rxq; i++) {
		struct ring_port_q *q = &rp->q[i];

		snprintf(name, sizeof(name), "ut_rp_%u", made++);
		q->ring = rte_ring_create(name, 4096, SOCKET_ID_ANY, RING_F_SC_DEQ);
		q->efd = rp->mode == RP_POLL_ONLY ? -1 : eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (q->ring == NULL || (rp->mode != RP_POLL_ONLY && q->efd < 0))
			return -ENOMEM;
		q->wake = rp->mode == RP_WAKE_FD;
		port->rxq[i] = q;
	}
	for (uint16_t i = 0; i < setup->n_txq; i++)
		port->txq[i] = rp;
	port->rx_burst = rp_rx;
	port->tx_burst = rp_tx;
	return 0;
}

static int
rp_start(struct prx_port *port)
{
	RTE_SET_USED(port);
	return 0;
}

static void
rp_close(struct prx_port *port)
{
	struct ring_port *rp = port->priv;
	struct rte_mbuf *m;

	for (uint16_t i = 0; i < RING_PORT_MAX_RXQ; i++) {
		if (rp->q[i].ring == NULL)
			continue;
		while (rte_ring_dequeue(rp->q[i].ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(rp->q[i].ring);
		if (rp->q[i].efd >= 0)
			close(rp->q[i].efd);
	}
}

static int
rp_wakeup_fd(struct prx_port *port, uint16_t q)
{
	struct ring_port *rp = port->priv;

	return rp->mode == RP_WAKE_FD ? rp->q[q].efd : -ENOTSUP;
}

static int
rp_intr_open(struct prx_port *port, uint16_t q)
{
	struct ring_port *rp = port->priv;

	if (rp->mode != RP_INTR && rp->mode != RP_INTR_BROKEN)
		return -ENOTSUP;
	rp->q[q].open = true;
	return rp->q[q].efd;
}

static void
rp_intr_close(struct prx_port *port, uint16_t q)
{
	ring_port_priv(port)->q[q].open = false;
}

static int
rp_intr_arm(struct prx_port *port, uint16_t q, bool on)
{
	struct ring_port *rp = port->priv;
	struct ring_port_q *rq = &rp->q[q];

	if (rp->mode != RP_INTR)
		return -ENOTSUP;
	if (on) {
		rq->arms++;
		__atomic_store_n(&rq->armed, 1, __ATOMIC_SEQ_CST);
		/* the reactor's next look at the ring comes after this store (Dekker with
		 * ring_port_inject: one of the two sees the other) */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} else {
		rq->disarms++;
		__atomic_store_n(&rq->armed, 0, __ATOMIC_SEQ_CST);
		clear(rq->efd);
	}
	return 0;
}

static void
rp_intr_ack(struct prx_port *port, int fd)
{
	struct ring_port *rp = port->priv;

	__atomic_fetch_add(&rp->acks, 1, __ATOMIC_RELAXED);
	clear(fd);
}

static const struct prx_port_ops rp_ops = {
	.driver = "ring",
	.configure = rp_configure,
	.start = rp_start,
	.close = rp_close,
	.rx_wakeup_fd = rp_wakeup_fd,
	.rx_intr_open = rp_intr_open,
	.rx_intr_close = rp_intr_close,
	.rx_intr_arm = rp_intr_arm,
	.rx_intr_ack = rp_intr_ack,
};

struct prx_port *
ring_port_create(const char *name, uint16_t slot, uint16_t n_rxq, uint16_t n_txq,
		 enum ring_port_mode mode, struct rte_mempool *pool)
{
	struct prx_port_setup ps = {
		.n_rxq = n_rxq, .n_txq = n_txq, .rx_desc = 4096, .tx_desc = 64, .pool = pool};
	struct prx_port *port;

	if (prx_port_alloc(name, &rp_ops, sizeof(struct ring_port), -1, &port) != 0)
		return NULL;
	port->index = slot;
	ring_port_priv(port)->mode = mode;
	for (uint16_t i = 0; i < RING_PORT_MAX_RXQ; i++)
		ring_port_priv(port)->q[i].efd = -1;
	if (prx_port_configure(port, &ps) != 0 || prx_port_start(port) != 0) {
		prx_port_close(port);
		return NULL;
	}
	return port;
}

struct ring_port *
ring_port_priv(struct prx_port *port)
{
	return port->priv;
}

unsigned int
ring_port_inject(struct prx_port *port, uint16_t qi, struct rte_mempool *pool, unsigned int n)
{
	struct ring_port *rp = port->priv;
	struct ring_port_q *q = &rp->q[qi];
	struct rte_mbuf *m[64];
	uint64_t one = 1;
	unsigned int done = 0;

	while (done < n) {
		unsigned int k = n - done < 64 ? n - done : 64;

		if (rte_pktmbuf_alloc_bulk(pool, m, k) != 0)
			break;
		for (unsigned int i = 0; i < k; i++)
			memset(rte_pktmbuf_append(m[i], 64), 0, 64);
		k = rte_ring_enqueue_burst(q->ring, (void **)m, k, NULL);
		done += k;
		if (k == 0)
			break;
	}
	if (done == 0)
		return 0;
	switch (rp->mode) {
	case RP_WAKE_FD:
		(void)!write(q->efd, &one, sizeof(one));
		break;
	case RP_INTR:
		/* an interrupt fires only when armed, as a NIC's does */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&q->armed, __ATOMIC_SEQ_CST)) {
			__atomic_fetch_add(&q->fired, 1, __ATOMIC_RELAXED);
			(void)!write(q->efd, &one, sizeof(one));
		}
		break;
	default:
		break;
	}
	return done;
}

struct prx_poll_entry
ring_port_entry(struct prx_port *port, uint16_t q, struct prx_handler *h)
{
	return (struct prx_poll_entry){
		.rx_burst = port->rx_burst,
		.rxq = port->rxq[q],
		.stats = &port->rxq_stats[q],
		.port = port,
		.wake_fd = prx_port_rx_wakeup_fd(port, q),
		.queue = q,
		.chain = {.n = h != NULL ? 1 : 0, .h = {h}},
	};
}
