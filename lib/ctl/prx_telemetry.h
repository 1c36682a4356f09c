/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * prx's counters on DPDK's telemetry socket, so `dpdk-telemetry.py` and the existing DPDK
 * exporters read them like any DPDK application's:
 *
 *   /prx/ports               list of port names
 *   /prx/port_stats,NAME     prx's counters and the driver's for one port, and its link
 *   /prx/reactors            list of reactor ids
 *   /prx/reactor_stats,ID    one reactor's accounting, loop counters and busy percentage
 *   /prx/drops               drop counts by reason, summed over reactors
 *   /prx/totals              the accounting identity's terms and whether it balances
 *
 * Commands run on EAL's telemetry thread and answer from the statistics view the
 * control thread published last (prx_view.h), never from the registry.
 */
#ifndef PRX_TELEMETRY_H
#define PRX_TELEMETRY_H

/** Register the commands (once per process).  @return 0 or -errno from
 *  rte_telemetry_register_cmd().  Until a view is published they answer an error. */
int prx_telemetry_register(void);

#endif /* PRX_TELEMETRY_H */
