/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DPDK driver: any ethdev named by devargs (a PCI address such as 0000:3b:00.0, or a
 * vdev string such as "net_pcap0,rx_pcap=in.pcap") becomes a prx port.
 *
 * Ops (struct prx_port_ops "dpdk"):
 *  configure  rte_eth_dev_configure with n_rxq/n_txq; RSS over IP/TCP/UDP when n_rxq > 1,
 *             masked with the device's flow_type_rss_offloads (vdevs advertise none);
 *             descriptor counts adjusted to the device's limits; rx buffers from the
 *             pool given (on the device's socket); no offloads requested.
 *  start      rte_eth_dev_start, then promiscuous mode as configured.  The rx queues are
 *             NOT drained at start: a net_pcap input would be swallowed whole.
 *  stop       rte_eth_dev_stop.
 *  close      rte_eth_dev_close and rte_dev_remove, so the same devargs can be probed
 *             again (live port re-add).
 *  hw_stats   rte_eth_stats_get (imissed, rx_nombuf included).
 *  link       rte_eth_link_get_nowait.
 *  rx_wakeup_fd  not supported: a DPDK queue has no fd that is readable while packets wait.
 *  rx_intr_*  rx interrupts, when setup asks for them (an adaptive reactor exists):
 *             intr_conf.rxq at configure (dropped if the device refuses it), tried at
 *             start (an interrupt fd for queue 0, and enabling it works: not on any vdev
 *             here; net_tap has the fd, enabling says -ENOTSUP).  open registers the
 *             queue in an epoll instance of the calling thread's own
 *             (rte_eth_dev_rx_intr_ctl_q) and returns that fd; ack consumes its events
 *             with rte_epoll_wait; arm is rte_eth_dev_rx_intr_enable/_disable.
 * Burst functions wrap rte_eth_rx_burst / rte_eth_tx_burst on (port id, queue id).
 */
#ifndef PRX_DPDK_H
#define PRX_DPDK_H

#include <stdint.h>

#include "prx_port.h"

/**
 * Probe (or find, if EAL already probed it) the device named by devargs and wrap it in a
 * port called `name`, in state PROBED, with its NUMA socket and queue limits filled.
 * @return 0, or -errno with the reason logged.
 */
int prx_dpdk_port_probe(const char *name, const char *devargs, struct prx_port **out);

/** DPDK ethdev port id of a port of this driver, or -EINVAL for another driver's port. */
int prx_dpdk_port_id(const struct prx_port *port);

#endif /* PRX_DPDK_H */
