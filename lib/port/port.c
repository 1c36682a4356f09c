/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "prx_log.h"

int
prx_port_alloc(const char *name, const struct prx_port_ops *ops, size_t priv_size, int socket,
	       struct prx_port **out)
{
	struct prx_port *port;
	int sock = socket < 0 ? SOCKET_ID_ANY : socket;

	*out = NULL;
	if (name == NULL || ops == NULL || strlen(name) >= PRX_NAME_MAX)
		return -EINVAL;
	port = rte_zmalloc_socket("prx_port", sizeof(*port), RTE_CACHE_LINE_SIZE, sock);
	if (port == NULL)
		return -ENOMEM;
	if (priv_size > 0) {
		port->priv =
			rte_zmalloc_socket("prx_port_priv", priv_size, RTE_CACHE_LINE_SIZE, sock);
		if (port->priv == NULL) {
			rte_free(port);
			return -ENOMEM;
		}
	}
	snprintf(port->name, sizeof(port->name), "%s", name);
	port->ops = ops;
	port->socket = socket;
	port->state = PRX_PORT_PROBED;
	*out = port;
	return 0;
}

static void
free_queues(struct prx_port *port)
{
	rte_free(port->rxq);
	rte_free(port->txq);
	rte_free(port->rxq_stats);
	rte_free(port->txq_stats);
	port->rxq = port->txq = NULL;
	port->rxq_stats = port->txq_stats = NULL;
	port->n_rxq = port->n_txq = 0;
}

int
prx_port_configure(struct prx_port *port, const struct prx_port_setup *setup)
{
	int sock = port->socket < 0 ? SOCKET_ID_ANY : port->socket;
	int rc;

	if (port->state != PRX_PORT_PROBED)
		return -EBUSY;
	if (setup->n_rxq == 0 || setup->n_txq == 0 || setup->pool == NULL)
		return -EINVAL;
	if (port->ops->configure == NULL)
		return -ENOTSUP;
	port->rxq = rte_zmalloc_socket("prx_rxq", setup->n_rxq * sizeof(void *), 0, sock);
	port->txq = rte_zmalloc_socket("prx_txq", setup->n_txq * sizeof(void *), 0, sock);
	port->rxq_stats =
		rte_zmalloc_socket("prx_rxq_stats", setup->n_rxq * sizeof(struct prx_queue_stats),
				   RTE_CACHE_LINE_SIZE, sock);
	port->txq_stats =
		rte_zmalloc_socket("prx_txq_stats", setup->n_txq * sizeof(struct prx_queue_stats),
				   RTE_CACHE_LINE_SIZE, sock);
	if (port->rxq == NULL || port->txq == NULL || port->rxq_stats == NULL ||
	    port->txq_stats == NULL) {
		free_queues(port);
		return -ENOMEM;
	}
	port->n_rxq = setup->n_rxq;
	port->n_txq = setup->n_txq;
	port->rx_desc = setup->rx_desc;
	rc = port->ops->configure(port, setup);
	if (rc < 0) {
		PRX_LOG(ERR, PORT, "%s: configure (%u rxq, %u txq) failed: %s", port->name,
			setup->n_rxq, setup->n_txq, strerror(-rc));
		free_queues(port);
		return rc;
	}
	port->state = PRX_PORT_CONFIGURED;
	return 0;
}

int
prx_port_start(struct prx_port *port)
{
	int rc;

	if (port->state != PRX_PORT_CONFIGURED && port->state != PRX_PORT_STOPPED)
		return -EBUSY;
	rc = port->ops->start != NULL ? port->ops->start(port) : -ENOTSUP;
	if (rc < 0) {
		PRX_LOG(ERR, PORT, "%s: start failed: %s", port->name, strerror(-rc));
		return rc;
	}
	port->state = PRX_PORT_STARTED;
	return 0;
}

void
prx_port_stop(struct prx_port *port)
{
	if (port == NULL || port->state != PRX_PORT_STARTED)
		return;
	if (port->ops->stop != NULL)
		port->ops->stop(port);
	port->state = PRX_PORT_STOPPED;
}

void
prx_port_close(struct prx_port *port)
{
	if (port == NULL)
		return;
	prx_port_stop(port);
	if (port->ops->close != NULL)
		port->ops->close(port);
	free_queues(port);
	rte_free(port->priv);
	rte_free(port);
}

int
prx_port_hw_stats(struct prx_port *port, struct prx_port_hw_stats *st)
{
	memset(st, 0, sizeof(*st));
	return port->ops->hw_stats != NULL ? port->ops->hw_stats(port, st) : -ENOTSUP;
}

int
prx_port_link(struct prx_port *port, struct prx_port_link *link)
{
	memset(link, 0, sizeof(*link));
	return port->ops->link != NULL ? port->ops->link(port, link) : -ENOTSUP;
}

int
prx_port_rx_wakeup_fd(struct prx_port *port, uint16_t q)
{
	if (q >= port->n_rxq)
		return -EINVAL;
	return port->ops->rx_wakeup_fd != NULL ? port->ops->rx_wakeup_fd(port, q) : -ENOTSUP;
}

void
prx_port_sw_stats(const struct prx_port *port, struct prx_port_sw_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (uint16_t q = 0; q < port->n_rxq; q++)
		st->rx += prx_counter_read(&port->rxq_stats[q].packets);
	for (uint16_t q = 0; q < port->n_txq; q++) {
		st->tx += prx_counter_read(&port->txq_stats[q].packets);
		st->tx_drop += prx_counter_read(&port->txq_stats[q].dropped);
	}
}

int
prx_port_rx_intr_open(struct prx_port *port, uint16_t q)
{
	return port->ops->rx_intr_open != NULL ? port->ops->rx_intr_open(port, q) : -ENOTSUP;
}

void
prx_port_rx_intr_close(struct prx_port *port, uint16_t q)
{
	if (port->ops->rx_intr_close != NULL)
		port->ops->rx_intr_close(port, q);
}

int
prx_port_rx_intr_arm(struct prx_port *port, uint16_t q, bool on)
{
	return port->ops->rx_intr_arm != NULL ? port->ops->rx_intr_arm(port, q, on) : -ENOTSUP;
}

void
prx_port_rx_intr_ack(struct prx_port *port, int fd)
{
	if (port->ops->rx_intr_ack != NULL)
		port->ops->rx_intr_ack(port, fd);
}
