/* SPDX-License-Identifier: BSD-3-Clause */
#include "fake_port.h"

#include <string.h>

#include <rte_ether.h>

static uint16_t
fake_rx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_port *fp = ((struct fake_queue *)q)->fp;
	uint16_t k = 0;

	if (fp->generate) {
		if (rte_pktmbuf_alloc_bulk(fp->pool, pkts, n) != 0)
			return 0;
		for (k = 0; k < n; k++) {
			char *d = rte_pktmbuf_append(pkts[k], 64);

			memset(d, 0, 64);
		}
		return n;
	}
	while (k < n && fp->rx_pos < fp->n_rx)
		pkts[k++] = fp->rx[fp->rx_pos++];
	return k;
}

static uint16_t
fake_tx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_port *fp = ((struct fake_queue *)q)->fp;
	uint16_t k = 0;

	if (fp->generate) {
		rte_pktmbuf_free_bulk(pkts, n);
		fp->tx_total += n;
		return n;
	}
	while (k < n && fp->n_tx < fp->tx_limit && fp->n_tx < FAKE_MAX_PKTS)
		fp->tx[fp->n_tx++] = pkts[k++];
	return k;
}

static int
fake_configure(struct prx_port *port, const struct prx_port_setup *setup)
{
	struct fake_port *fp = port->priv;

	for (uint16_t i = 0; i < setup->n_txq; i++) {
		fp->q[i] = (struct fake_queue){fp, i};
		port->txq[i] = &fp->q[i];
	}
	for (uint16_t i = 0; i < setup->n_rxq; i++)
		port->rxq[i] = &fp->q[i];
	port->rx_burst = fake_rx;
	port->tx_burst = fake_tx;
	return 0;
}

static int
fake_start(struct prx_port *port)
{
	(void)port;
	return 0;
}

static void
fake_close(struct prx_port *port)
{
	struct fake_port *fp = port->priv;

	fake_port_reset_tx(port);
	for (uint32_t i = fp->rx_pos; i < fp->n_rx; i++)
		rte_pktmbuf_free(fp->rx[i]);
}

static const struct prx_port_ops fake_ops = {
	.driver = "fake",
	.configure = fake_configure,
	.start = fake_start,
	.close = fake_close,
};

struct prx_port *
fake_port_create(const char *name, uint16_t slot, uint16_t n_txq, struct rte_mempool *pool)
{
	struct prx_port_setup ps = {
		.n_rxq = 1, .n_txq = n_txq, .rx_desc = 64, .tx_desc = 64, .pool = pool};
	struct prx_port *port;

	if (prx_port_alloc(name, &fake_ops, sizeof(struct fake_port), -1, &port) != 0)
		return NULL;
	port->index = slot;
	fake_port_priv(port)->pool = pool;
	fake_port_priv(port)->tx_limit = UINT32_MAX;
	if (prx_port_configure(port, &ps) != 0 || prx_port_start(port) != 0) {
		prx_port_close(port);
		return NULL;
	}
	return port;
}

struct fake_port *
fake_port_priv(struct prx_port *port)
{
	return port->priv;
}

void
fake_port_push(struct prx_port *port, uint16_t len, uint8_t tag)
{
	struct fake_port *fp = port->priv;
	struct rte_mbuf *m = rte_pktmbuf_alloc(fp->pool);
	char *d;

	if (m == NULL || fp->n_rx >= FAKE_MAX_PKTS)
		return;
	d = rte_pktmbuf_append(m, len);
	memset(d, 0, len);
	for (uint16_t i = 0; i < len && i < 12; i++)
		d[i] = (char)(i < 6 ? 0xd0 + i : 0x50 + i); /* dst d0.., src 56.. */
	if (len > 0)
		d[len - 1] = (char)tag;
	fp->rx[fp->n_rx++] = m;
}

void
fake_port_reset_tx(struct prx_port *port)
{
	struct fake_port *fp = port->priv;

	for (uint32_t i = 0; i < fp->n_tx; i++)
		rte_pktmbuf_free(fp->tx[i]);
	fp->n_tx = 0;
}
