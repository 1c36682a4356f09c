/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_dpdk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "dpdk_internal.h"
#include "prx_log.h"

/* ------------------------------------------------------------------ private state */

/* A queue handle: what the burst wrappers need to call ethdev. */
struct dpdk_queue {
	uint16_t port_id;
	uint16_t queue_id;
};

struct dpdk_port {
	uint16_t port_id;
	bool promiscuous;
	bool intr_asked;	    /* configured with rx interrupts (intr_conf.rxq) */
	bool rx_intr;		    /* and they work (tried at start) */
	struct dpdk_queue *rxq;	    /* n_rxq */
	struct dpdk_queue *txq;	    /* n_txq */
	struct dpdk_afp_drops *afp; /* net_af_packet: the drops it does not count, or NULL */
};

static const struct prx_port_ops dpdk_ops;

/* ------------------------------------------------------------------ bursts */

static uint16_t
dpdk_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dpdk_queue *dq = q;

	return rte_eth_rx_burst(dq->port_id, dq->queue_id, pkts, n);
}

static uint16_t
dpdk_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dpdk_queue *dq = q;

	return rte_eth_tx_burst(dq->port_id, dq->queue_id, pkts, n);
}

/* ------------------------------------------------------------------ control ops */

static void
free_queues(struct dpdk_port *dp)
{
	rte_free(dp->rxq);
	rte_free(dp->txq);
	dp->rxq = dp->txq = NULL;
}

static int
dpdk_configure(struct prx_port *port, const struct prx_port_setup *setup)
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = setup->rx_desc, nb_txd = setup->tx_desc;
	unsigned int sock =
		port->socket < 0 ? (unsigned int)SOCKET_ID_ANY : (unsigned int)port->socket;
	int rc;

	rc = rte_eth_dev_info_get(dp->port_id, &info);
	if (rc != 0)
		return rc;
	if (setup->n_rxq > info.max_rx_queues || setup->n_txq > info.max_tx_queues) {
		PRX_LOG(ERR, PORT,
			"%s: needs %u rx and %u tx queues (one tx queue per reactor); the device has at most %u rx and %u tx",
			port->name, setup->n_rxq, setup->n_txq, info.max_rx_queues,
			info.max_tx_queues);
		return -EINVAL;
	}
	if (setup->n_rxq > 1) {
		/* Vdevs such as net_ring and net_pcap reject a hash they do not offer. */
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
		if (conf.rx_adv_conf.rss_conf.rss_hf != 0)
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		else
			PRX_LOG(NOTICE, PORT,
				"%s: device offers no RSS hash; %u rx queues are fed by the device itself",
				port->name, setup->n_rxq);
	}
	conf.intr_conf.rxq = setup->rx_intr;
	rc = rte_eth_dev_configure(dp->port_id, setup->n_rxq, setup->n_txq, &conf);
	if (rc != 0 && conf.intr_conf.rxq) {
		PRX_LOG(INFO, PORT, "%s: no rx interrupts (configure refused them: %s)", port->name,
			strerror(-rc));
		conf.intr_conf.rxq = 0;
		rc = rte_eth_dev_configure(dp->port_id, setup->n_rxq, setup->n_txq, &conf);
	}
	dp->intr_asked = conf.intr_conf.rxq;
	if (rc != 0) {
		PRX_LOG(ERR, PORT, "%s: rte_eth_dev_configure() failed: %s", port->name,
			strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(dp->port_id, &nb_rxd, &nb_txd);
	if (rc != 0)
		return rc;
	port->rx_desc = nb_rxd;
	dp->rxq = rte_zmalloc_socket("prx_dpdk_rxq", setup->n_rxq * sizeof(*dp->rxq), 0, (int)sock);
	dp->txq = rte_zmalloc_socket("prx_dpdk_txq", setup->n_txq * sizeof(*dp->txq), 0, (int)sock);
	if (dp->rxq == NULL || dp->txq == NULL) {
		free_queues(dp);
		return -ENOMEM;
	}
	for (uint16_t q = 0; q < setup->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(dp->port_id, q, nb_rxd, sock, NULL, setup->pool);
		if (rc != 0) {
			PRX_LOG(ERR, PORT, "%s: rte_eth_rx_queue_setup(%u) failed: %s", port->name,
				q, strerror(-rc));
			goto fail;
		}
		dp->rxq[q] = (struct dpdk_queue){dp->port_id, q};
		port->rxq[q] = &dp->rxq[q];
	}
	for (uint16_t q = 0; q < setup->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(dp->port_id, q, nb_txd, sock, NULL);
		if (rc != 0) {
			PRX_LOG(ERR, PORT, "%s: rte_eth_tx_queue_setup(%u) failed: %s", port->name,
				q, strerror(-rc));
			goto fail;
		}
		dp->txq[q] = (struct dpdk_queue){dp->port_id, q};
		port->txq[q] = &dp->txq[q];
	}
	dp->promiscuous = setup->promiscuous;
	port->rx_burst = dpdk_rx_burst;
	port->tx_burst = dpdk_tx_burst;
	PRX_LOG(INFO, PORT, "%s: ethdev %u (%s) configured: %u rxq x %u desc, %u txq x %u desc%s",
		port->name, dp->port_id, info.driver_name, setup->n_rxq, nb_rxd, setup->n_txq,
		nb_txd, conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? ", RSS" : "");
	return 0;
fail:
	free_queues(dp);
	return rc;
}

/*
 * Do rx interrupts work?  A device has them when it has an interrupt fd for its queues
 * and enabling one succeeds (net_tap has the fd, and enabling says -ENOTSUP).
 */
static bool
try_rx_intr(struct prx_port *port)
{
	struct dpdk_port *dp = port->priv;
	int level = rte_log_get_level((uint32_t)rte_eth_dev_logtype);
	int rc = -ENOTSUP;

	/* ethdev logs an error for every device without interrupt vectors (every vdev but
	 * net_tap): asking is the only way to find out, so it asks quietly */
	rte_log_set_level((uint32_t)rte_eth_dev_logtype, RTE_LOG_CRIT);
	if (rte_eth_dev_rx_intr_ctl_q_get_fd(dp->port_id, 0) >= 0)
		rc = rte_eth_dev_rx_intr_enable(dp->port_id, 0);
	if (rc == 0)
		rte_eth_dev_rx_intr_disable(dp->port_id, 0);
	if (level >= 0)
		rte_log_set_level((uint32_t)rte_eth_dev_logtype, (uint32_t)level);
	PRX_LOG(INFO, PORT, "%s: rx interrupts %s%s", port->name,
		rc == 0 ? "available" : "unavailable: ", rc == 0 ? "" : strerror(-rc));
	return rc == 0;
}

static int
dpdk_start(struct prx_port *port)
{
	struct dpdk_port *dp = port->priv;
	int rc;

	rc = rte_eth_dev_start(dp->port_id);
	if (rc != 0)
		return rc;
	rc = dp->promiscuous ? rte_eth_promiscuous_enable(dp->port_id)
			     : rte_eth_promiscuous_disable(dp->port_id);
	if (rc != 0 && rc != -ENOTSUP)
		PRX_LOG(WARNING, PORT, "%s: promiscuous mode %s failed: %s", port->name,
			dp->promiscuous ? "on" : "off", strerror(-rc));
	dp->rx_intr = dp->intr_asked && try_rx_intr(port);
	return 0;
}

static void
dpdk_stop(struct prx_port *port)
{
	struct dpdk_port *dp = port->priv;
	int rc = rte_eth_dev_stop(dp->port_id);

	if (rc != 0)
		PRX_LOG(WARNING, PORT, "%s: rte_eth_dev_stop() failed: %s", port->name,
			strerror(-rc));
}

static void
dpdk_close(struct prx_port *port)
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;
	int rc;

	if (rte_eth_dev_info_get(dp->port_id, &info) == 0)
		dev = info.device;
	rc = rte_eth_dev_close(dp->port_id);
	if (rc != 0)
		PRX_LOG(WARNING, PORT, "%s: rte_eth_dev_close() failed: %s", port->name,
			strerror(-rc));
	/* Detach the device too, so that the same devargs can be probed again. */
	if (dev != NULL) {
		rc = rte_dev_remove(dev);
		if (rc != 0)
			PRX_LOG(DEBUG, PORT, "%s: rte_dev_remove() failed: %s", port->name,
				strerror(-rc));
	}
	free_queues(dp);
	free(dp->afp); /* its sockets are closed */
	dp->afp = NULL;
}

static int
dpdk_hw_stats(struct prx_port *port, struct prx_port_hw_stats *st)
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_stats es;
	int rc = rte_eth_stats_get(dp->port_id, &es);

	if (rc != 0)
		return rc;
	st->ipackets = es.ipackets;
	st->opackets = es.opackets;
	st->ibytes = es.ibytes;
	st->obytes = es.obytes;
	st->imissed = es.imissed + (dp->afp != NULL ? dpdk_afp_drops_read(dp->afp) : 0);
	st->ierrors = es.ierrors;
	st->oerrors = es.oerrors;
	st->rx_nombuf = es.rx_nombuf;
	return 0;
}

static int
dpdk_link(struct prx_port *port, struct prx_port_link *link)
{
	struct dpdk_port *dp = port->priv;
	struct rte_eth_link l;
	int rc = rte_eth_link_get_nowait(dp->port_id, &l);

	if (rc != 0)
		return rc;
	link->up = l.link_status == RTE_ETH_LINK_UP;
	link->full_duplex = l.link_duplex == RTE_ETH_LINK_FULL_DUPLEX;
	link->speed_mbps = l.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : l.link_speed;
	return 0;
}

/*
 * Rx interrupts.  ethdev registers a queue's interrupt fd in an epoll instance of the
 * caller's choice (rte_eth_dev_rx_intr_ctl_q), and rte_epoll_wait() on that instance
 * consumes what fired in the way the fd's type needs (an eventfd's counter, a UIO
 * count).  Each reactor thread gets its own instance for its DPDK queues; that epoll fd
 * is what the engine watches.
 */
static __thread int intr_epfd = -1;
static __thread unsigned int intr_users;

static int
dpdk_rx_intr_open(struct prx_port *port, uint16_t q)
{
	struct dpdk_port *dp = port->priv;
	int rc;

	if (!dp->rx_intr)
		return -ENOTSUP;
	if (intr_epfd < 0) {
		intr_epfd = epoll_create1(EPOLL_CLOEXEC);
		if (intr_epfd < 0)
			return -errno;
	}
	rc = rte_eth_dev_rx_intr_ctl_q(dp->port_id, q, intr_epfd, RTE_INTR_EVENT_ADD, NULL);
	if (rc != 0 && rc != -EEXIST) {
		if (intr_users == 0) {
			close(intr_epfd);
			intr_epfd = -1;
		}
		return rc;
	}
	intr_users++;
	return intr_epfd;
}

static void
dpdk_rx_intr_close(struct prx_port *port, uint16_t q)
{
	struct dpdk_port *dp = port->priv;

	if (intr_users == 0)
		return;
	rte_eth_dev_rx_intr_ctl_q(dp->port_id, q, intr_epfd, RTE_INTR_EVENT_DEL, NULL);
	if (--intr_users == 0) {
		close(intr_epfd);
		intr_epfd = -1;
	}
}

static int
dpdk_rx_intr_arm(struct prx_port *port, uint16_t q, bool on)
{
	struct dpdk_port *dp = port->priv;

	return on ? rte_eth_dev_rx_intr_enable(dp->port_id, q)
		  : rte_eth_dev_rx_intr_disable(dp->port_id, q);
}

static void
dpdk_rx_intr_ack(struct prx_port *port, int fd)
{
	struct rte_epoll_event ev[16];

	RTE_SET_USED(port);
	while (rte_epoll_wait(fd, ev, RTE_DIM(ev), 0) == (int)RTE_DIM(ev))
		;
}

static const struct prx_port_ops dpdk_ops = {
	.driver = "dpdk",
	.configure = dpdk_configure,
	.start = dpdk_start,
	.stop = dpdk_stop,
	.close = dpdk_close,
	.hw_stats = dpdk_hw_stats,
	.link = dpdk_link,
	.rx_intr_open = dpdk_rx_intr_open,
	.rx_intr_close = dpdk_rx_intr_close,
	.rx_intr_arm = dpdk_rx_intr_arm,
	.rx_intr_ack = dpdk_rx_intr_ack,
};

/* ------------------------------------------------------------------ probe */

/* The ethdev of devargs: vdevs are named by the text before the first ','; a PCI
 * device by its (normalised) address, which the ethdev iterator matches. */
static int
find_port(const char *devargs, uint16_t *port_id)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	size_t len = strcspn(devargs, ",");
	struct rte_dev_iterator it;
	uint16_t pid;

	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, devargs, len);
	name[len] = '\0';
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	RTE_ETH_FOREACH_MATCHING_DEV(pid, name, &it)
	{
		*port_id = pid;
		rte_eth_iterator_cleanup(&it);
		return 0;
	}
	return -ENODEV;
}

/* Does the driver copy each frame into its mbuf on the receiving thread's CPU (so that
 * the frame is in that CPU's cache)?  A NIC writes frames by DMA; net_ring passes on
 * mbufs another thread filled. */
static bool
rx_copies(const char *driver)
{
	static const char *const copying[] = {"net_pcap", "net_af_packet", "net_tap", "net_vhost"};

	for (size_t i = 0; i < RTE_DIM(copying); i++)
		if (strcmp(driver, copying[i]) == 0)
			return true;
	return false;
}

int
prx_dpdk_port_probe(const char *name, const char *devargs, struct prx_port **out)
{
	struct rte_eth_dev_info info;
	struct dpdk_port *dp;
	struct prx_port *port;
	uint16_t port_id;
	int rc, socket;

	*out = NULL;
	if (find_port(devargs, &port_id) != 0) {
		rc = rte_dev_probe(devargs);
		if (rc != 0 && rc != -EEXIST) {
			/* rte_devargs_parse() says -EFAULT for a name no bus knows */
			PRX_LOG(ERR, PORT, "%s: cannot probe \"%s\": %s", name, devargs,
				rc == -EFAULT || rc == -ENODEV
					? "no bus or driver knows this device (a vdev name starts with its driver, e.g. net_null0; a PCI device is its address)"
					: strerror(-rc));
			return rc;
		}
		rc = find_port(devargs, &port_id);
		if (rc != 0) {
			PRX_LOG(ERR, PORT, "%s: \"%s\" probed but no ethdev port found", name,
				devargs);
			return rc;
		}
	}
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0)
		return rc;
	socket = rte_eth_dev_socket_id(port_id);
	rc = prx_port_alloc(name, &dpdk_ops, sizeof(struct dpdk_port), socket < 0 ? -1 : socket,
			    &port);
	if (rc != 0)
		return rc;
	dp = port->priv;
	dp->port_id = port_id;
	port->max_rxq = info.max_rx_queues;
	port->max_txq = info.max_tx_queues;
	rte_eth_macaddr_get(port_id, &port->mac);
	port->rx_hot = rx_copies(info.driver_name);
	if (strcmp(info.driver_name, "net_af_packet") == 0) {
		dp->afp = malloc(sizeof(*dp->afp));
		if (dp->afp != NULL && dpdk_afp_drops_find(dp->afp, name, devargs) != 0) {
			free(dp->afp);
			dp->afp = NULL;
		}
	}
	PRX_LOG(INFO, PORT, "%s: \"%s\" is ethdev %u, driver %s, socket %d", name, devargs, port_id,
		info.driver_name, port->socket);
	*out = port;
	return 0;
}

int
prx_dpdk_port_id(const struct prx_port *port)
{
	if (port == NULL || port->ops != &dpdk_ops)
		return -EINVAL;
	return ((const struct dpdk_port *)port->priv)->port_id;
}
