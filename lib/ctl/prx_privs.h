/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Least privilege (docs/deploy.md, "Privileges"): which capabilities prxd needs, the
 * check before start-up, and dropping the rest once it runs (libcap-ng).
 *
 * Fallback mode needs CAP_NET_RAW (packet sockets) and CAP_NET_ADMIN (promiscuous mode,
 * interface features); prxd refuses to start without them, naming what is missing.  When
 * they are only in the permitted set (file capabilities `cap_net_raw,cap_net_admin+p` on
 * prxd, which a non-root container user needs), prxd raises them itself.  DPDK mode's
 * needs depend on the devices (vfio-pci: CAP_IPC_LOCK or an unlimited memlock limit, the
 * hugepage mount and /dev/vfio nodes); a missing memlock allowance is warned about.
 *
 * Capabilities belong to threads, and a thread starts with its creator's, so prxd drops
 * them in steps: in fallback mode the permitted set is narrowed to the network ones before
 * EAL creates its threads; once the ports are up every EAL worker lcore and EAL's interrupt
 * thread drop everything; once the control socket is open the control thread keeps only
 * CAP_NET_RAW and CAP_NET_ADMIN when `control.keep_net_caps` is true (ports added at run
 * time need them) and CAP_IPC_LOCK in DPDK mode (memory mapped for DMA later).  A process
 * without capabilities (a plain user) has nothing to drop: every step is a no-op.
 */
#ifndef PRX_PRIVS_H
#define PRX_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prx_conf.h"

/** Bit of capability `c` in a set. */
#define PRX_CAP(c) (UINT64_C(1) << (c))

/** What each step leaves, as capability bit sets. */
struct prx_privs_plan {
	uint64_t need;	 /**< required to start in this mode */
	uint64_t narrow; /**< the permitted set before EAL starts (~0: unchanged) */
	uint64_t keep;	 /**< the control thread's set once started */
};

/** The process's capabilities and the plan for them. */
struct prx_privs {
	bool capable;  /**< it held any capability at start (root, file or ambient caps) */
	uint64_t held; /**< its permitted set at start */
	struct prx_privs_plan plan;
	char warning[256]; /**< something to warn about before start-up, or "" */
};

/**
 * The plan for `mode` (PRX_MODE_DPDK or PRX_MODE_FALLBACK) given the permitted set `held`:
 * need is CAP_NET_RAW|CAP_NET_ADMIN in fallback mode, 0 in DPDK mode; narrow is need plus
 * CAP_NET_BIND_SERVICE in fallback mode (a metrics port below 1024), everything in DPDK
 * mode; keep is the network pair when conf->control.keep_net_caps, plus CAP_IPC_LOCK in
 * DPDK mode.  narrow and keep are within held.
 */
void prx_privs_plan(const struct prx_conf *conf, enum prx_mode mode, uint64_t held,
		    struct prx_privs_plan *out);

/** A set as names ("net_admin,net_raw"), "none" when empty. */
void prx_caps_format(uint64_t caps, char *buf, size_t len);

/**
 * Before EAL starts, on the main thread: read the capabilities, plan, check that `mode`
 * can run (`pci`: a port is a PCI device, for the memlock warning), raise what is needed
 * into the effective set and narrow the rest.
 * @return 0, or -EPERM with `why` naming the missing capabilities and how to grant them.
 */
int prx_privs_start(const struct prx_conf *conf, enum prx_mode mode, bool pci, struct prx_privs *p,
		    char *why, size_t len);

/**
 * After the ports are up, before the reactors are launched: every EAL worker lcore and
 * EAL's interrupt thread drop all capabilities.  No-op when !p->capable.
 * @return 0, or -errno of the first thread that failed.
 */
int prx_privs_drop_workers(const struct prx_privs *p);

/** On the control thread once it serves: keep only p->plan.keep.  0 or -errno. */
int prx_privs_drop_control(const struct prx_privs *p);

/**
 * The threads of this process that still hold capabilities, for the log:
 * "prxd: net_admin,net_raw; telemetry-v2: all it started with" ("" when none does).
 * Read from /proc/self/task/<tid>/status (CapPrm).
 */
void prx_privs_report(const struct prx_privs *p, char *buf, size_t len);

#endif /* PRX_PRIVS_H */
