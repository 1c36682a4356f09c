/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The CPUs prxd may use, and where the configured cores go on them, decided before EAL
 * starts (docs/deploy.md, "CPUs").
 *
 * The allowed set is the process's affinity (sched_getaffinity: what `taskset`,
 * `docker run --cpuset-cpus` and systemd's CPUAffinity= leave) intersected with the
 * cgroup's cpuset (cpuset.cpus.effective on cgroup v2, cpuset.effective_cpus on v1: what
 * Kubernetes' static CPU manager gives a Guaranteed pod).  With core_mapping "absolute"
 * every configured core must be in that set; with "relative" core N is the N-th CPU of
 * the set (VPP's `cpu { relative }`), and EAL gets `--lcores` pinning each lcore there,
 * so lcore numbers (logs, prxctl, reload) stay those of the configuration.
 */
#ifndef PRX_CPUS_H
#define PRX_CPUS_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "prx_conf.h"

/** What the process may run on, and where that came from (for the log). */
struct prx_cpus {
	cpu_set_t allowed;   /**< affinity ∩ cpuset (∩ skipped when no cpuset was found) */
	unsigned int n;	     /**< CPUs in allowed */
	char affinity[256];  /**< the affinity as a list ("0-3,8") */
	char cpuset[256];    /**< the cgroup cpuset as a list, or "" when none was found */
	char cpuset_at[256]; /**< the file it was read from (without the root prefix) */
	char text[256];	     /**< allowed as a list */
};

/** Where the configured cores go: CPU of the control core and of each reactor core. */
struct prx_cpu_map {
	unsigned int control_cpu;
	unsigned int reactor_cpu[PRX_MAX_REACTORS];
	unsigned int worker_cpu[PRX_MAX_WORKERS];
	/** EAL's --lcores value for core_mapping "relative" ("0@2,1@3"), "" for absolute */
	char lcores[1024];
	/** one line for the log, or why the configuration cannot run here */
	char msg[512];
};

/**
 * Parse a kernel CPU list ("0-3,8,10-11\n"; "" is the empty set).
 * @return 0, or -EINVAL when it is not one (or names a CPU >= CPU_SETSIZE).
 */
int prx_cpus_parse(const char *list, cpu_set_t *set);

/** Format a set as a kernel CPU list ("0-3,8"; "" when empty). */
void prx_cpus_format(const cpu_set_t *set, char *buf, size_t len);

/**
 * Find the allowed CPUs.  `root` prefixes every path read ("" for the real machine;
 * tests pass fake trees): with "" the affinity comes from sched_getaffinity(), otherwise
 * from <root>/proc/self/status (Cpus_allowed_list, the same thing); the cpuset from
 * <root>/proc/self/cgroup and <root>/proc/self/mountinfo (the cpuset of our cgroup, or of
 * the nearest ancestor that has one, below the cgroup mount we can see).
 * @return 0, or -errno (the affinity cannot be read, or the allowed set is empty).
 */
int prx_cpus_probe(const char *root, struct prx_cpus *out);

/**
 * Map the configured cores onto the allowed CPUs (see the file comment).
 * @return 0 (msg says where each core goes), or -EINVAL: msg names the first core that
 *   cannot be placed and the allowed set.
 */
int prx_cpus_map(const struct prx_conf *conf, const struct prx_cpus *cpus, struct prx_cpu_map *out);

#endif /* PRX_CPUS_H */
