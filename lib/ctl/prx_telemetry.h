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
 * Commands run on EAL's telemetry thread and read counters with relaxed loads; a lock
 * keeps the data plane from going away under them.
 */
#ifndef PRX_TELEMETRY_H
#define PRX_TELEMETRY_H

#include "prx_dataplane.h"

/**
 * Register the commands (once per process) and serve `dp` through them.  @return 0 or
 * -errno from rte_telemetry_register_cmd().
 */
int prx_telemetry_attach(struct prx_dataplane *dp);

/** Stop serving the data plane (the commands then answer with an error).  Before destroy. */
void prx_telemetry_detach(void);

#endif /* PRX_TELEMETRY_H */
