/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Start-up decisions made before rte_eal_init(): the EAL argument vector and the memory
 * the configuration needs.  Pure functions over the configuration and a description of
 * the machine, so they are unit-tested.
 */
#ifndef PRX_EAL_H
#define PRX_EAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prx_conf.h"

/** Most EAL arguments prx passes (its own plus the configuration's and the user's). */
#define PRX_EAL_MAX_ARGS 128

/** What the machine offers. */
struct prx_eal_env {
	bool hugepages; /**< hugetlbfs mounted and enough free pages for the config */
	char why[128];	/**< why hugepages are not used (for the log), or "" */
	/** EAL --lcores pinning each lcore to a CPU (core_mapping "relative",
	 *  prx_cpus.h), or "" for -l */
	char lcores[1024];
};

/** The argument vector; argv[argc] is NULL.  Strings live in `store`. */
struct prx_eal_argv {
	int argc;
	char *argv[PRX_EAL_MAX_ARGS + 1];
	char store[8192];
	size_t used;
};

/**
 * Build the EAL arguments: "prxd", then prx's defaults, then `eal` of the config, then
 * the command line's (after "--").  A default is left out when the config or the command
 * line already says it:
 *   -l <control_core>,<reactor cores>, or --lcores <env->lcores>    (unless -l/-c/--lcores)
 *   --main-lcore <control_core>                                     (unless --main-lcore)
 *   --file-prefix <instance>                                        (unless --file-prefix)
 *   --no-pci       when no port is a PCI device (unless --no-pci/-a/--allow/-b/--block)
 *   --in-memory -m <prx_conf_memory_mb()> with hugepages (mapped at start), or
 *                  --no-huge -m <prx_conf_memory_mb()> without
 *                  (unless --no-huge/--in-memory/-m/--socket-mem)
 * @return 0, or -E2BIG when the vector or its strings do not fit.
 */
int prx_eal_args_build(const struct prx_conf *conf, const struct prx_eal_env *env, int n_user,
		       char *const *user, struct prx_eal_argv *out);

/** Do the config's `eal` or the command line place the lcores themselves (-l/-c/--lcores)? */
bool prx_eal_args_set_lcores(const struct prx_conf *conf, int n_user, char *const *user);

/** The argument vector as one line, for the log ("prxd -l 0,1 ..."). */
void prx_eal_args_format(const struct prx_eal_argv *a, char *buf, size_t len);

/**
 * Mbufs of the pool on each NUMA socket: every rx descriptor and every reactor's tx
 * descriptors of every port, the per-lcore caches, the reactors' tx buffers and a
 * margin, rounded up to 2^k - 1 (what rte_mempool sizes best).  mempool.mbufs, when
 * set, wins.
 */
uint32_t prx_conf_pool_mbufs(const struct prx_conf *conf);

/** EAL memory in MiB: the pools plus a fixed allowance for EAL, ethdev and rings. memory_mb, when set, wins. */
unsigned int prx_conf_memory_mb(const struct prx_conf *conf);

/**
 * Can hugepages hold `need_mb`?  Reads <root>/proc/meminfo and <root>/proc/mounts
 * (root "" for the real machine; tests pass a fake tree).  Fills env.
 */
void prx_eal_env_probe(const char *root, unsigned int need_mb, struct prx_eal_env *env);

/**
 * Remove an EAL runtime directory (/var/run/dpdk/<prefix>/: config, fbarrays, sockets)
 * after rte_eal_cleanup(), so a clean stop leaves nothing behind.  Only the files in it,
 * not below.  @return 0 or -errno (a missing directory is fine).
 */
int prx_eal_runtime_dir_remove(const char *dir);

#endif /* PRX_EAL_H */
