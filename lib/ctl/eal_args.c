/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_eal.h"

#include "prx_conf_router.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "prx_conf_acl.h"

/* rte_mbuf (128 B) + headroom is inside data_room; the mempool adds a header and
 * trailer per object (64 B). */
#define MBUF_OVERHEAD 192u
/* EAL, ethdev, rings, RCU and telemetry without pools: measured under 40 MiB with
 * --no-huge on DPDK 22.11; 64 leaves room. */
#define EAL_BASE_MB 64u
/* Ports added at run time (prxctl port add, reload) get pools of their own: about 13 MiB
 * for a one-queue port with default rings and two reactors; room for a few. */
#define RUNTIME_PORTS_MB 64u

static int
push(struct prx_eal_argv *a, const char *s)
{
	size_t len = strlen(s) + 1;

	if (a->argc >= PRX_EAL_MAX_ARGS || a->used + len > sizeof(a->store))
		return -E2BIG;
	memcpy(a->store + a->used, s, len);
	a->argv[a->argc++] = a->store + a->used;
	a->argv[a->argc] = NULL;
	a->used += len;
	return 0;
}

/* Does any of the user's arguments start with one of the options in `opts`
 * ("-l" matches "-l" and "-l0-3"; "--lcores" matches "--lcores=..." too)? */
static bool
has_opt(const struct prx_conf *conf, int n_user, char *const *user, const char *const *opts)
{
	for (int pass = 0; pass < 2; pass++) {
		int n = pass == 0 ? (int)conf->n_eal : n_user;
		char *const *v = pass == 0 ? conf->eal : user;

		for (int i = 0; i < n; i++) {
			for (const char *const *o = opts; *o != NULL; o++) {
				size_t l = strlen(*o);

				if (strncmp(v[i], *o, l) != 0)
					continue;
				/* "--no-huge" must not match "--no-hugepages-foo"; short options
				 * take their value attached or in the next word. */
				if ((*o)[1] == '-' && v[i][l] != '\0' && v[i][l] != '=')
					continue;
				return true;
			}
		}
	}
	return false;
}

int
prx_eal_args_build(const struct prx_conf *conf, const struct prx_eal_env *env, int n_user,
		   char *const *user, struct prx_eal_argv *out)
{
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", NULL};
	static const char *const main_opts[] = {"--main-lcore", "--master-lcore", NULL};
	static const char *const prefix_opts[] = {"--file-prefix", NULL};
	static const char *const pci_opts[] = {"--no-pci", "-a", "--allow", "-b", "--block", NULL};
	static const char *const mem_opts[] = {"--no-huge", "--in-memory", "-m", "--socket-mem",
					       NULL};
	char buf[1024];
	bool pci = false;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	rc |= push(out, "prxd");
	if (env->lcores[0] != '\0' && !has_opt(conf, n_user, user, lcore_opts)) {
		rc |= push(out, "--lcores");
		rc |= push(out, env->lcores);
	} else if (!has_opt(conf, n_user, user, lcore_opts)) {
		int len = snprintf(buf, sizeof(buf), "%u", conf->control_core);

		for (unsigned int i = 0; i < conf->reactors.n_cores && len < (int)sizeof(buf); i++)
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, ",%u",
					conf->reactors.cores[i]);
		for (unsigned int i = 0; i < conf->workers.n_cores && len < (int)sizeof(buf); i++)
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, ",%u",
					conf->workers.cores[i]);
		if (len >= (int)sizeof(buf))
			return -E2BIG;
		rc |= push(out, "-l");
		rc |= push(out, buf);
	}
	/* Kept with a user's -l/--lcores too: EAL would otherwise make the lowest lcore the
	 * main one, which may be a reactor's. */
	if (!has_opt(conf, n_user, user, main_opts)) {
		snprintf(buf, sizeof(buf), "%u", conf->control_core);
		rc |= push(out, "--main-lcore");
		rc |= push(out, buf);
	}
	if (!has_opt(conf, n_user, user, prefix_opts)) {
		rc |= push(out, "--file-prefix");
		rc |= push(out, conf->instance);
	}
	for (unsigned int i = 0; i < conf->n_ports; i++)
		pci |= conf->ports[i].is_pci;
	if (!pci && !has_opt(conf, n_user, user, pci_opts))
		rc |= push(out, "--no-pci");
	if (!has_opt(conf, n_user, user, mem_opts)) {
		snprintf(buf, sizeof(buf), "%u", prx_conf_memory_mb(conf));
		/* --in-memory: no hugepage files or runtime dirs left behind.  -m with
		 * hugepages too: what the configuration needs (ports added later included) is
		 * mapped at start, not page by page at run time, when other processes may have
		 * taken the free hugepages (a port added live then failed with ENOMEM) */
		rc |= push(out, env->hugepages ? "--in-memory" : "--no-huge");
		rc |= push(out, "-m");
		rc |= push(out, buf);
	}
	for (unsigned int i = 0; i < conf->n_eal; i++)
		rc |= push(out, conf->eal[i]);
	for (int i = 0; i < n_user; i++)
		rc |= push(out, user[i]);
	return rc != 0 ? -E2BIG : 0;
}

bool
prx_eal_args_set_lcores(const struct prx_conf *conf, int n_user, char *const *user)
{
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", NULL};

	return has_opt(conf, n_user, user, lcore_opts);
}

void
prx_eal_args_format(const struct prx_eal_argv *a, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < a->argc && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? " " : "", a->argv[i]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

uint32_t
prx_conf_pool_mbufs(const struct prx_conf *conf)
{
	uint64_t n = 0, r = conf->reactors.n_cores;
	uint32_t v;

	if (conf->mempool.mbufs != 0)
		return conf->mempool.mbufs;
	for (unsigned int i = 0; i < conf->n_ports; i++)
		n += (uint64_t)conf->ports[i].rx_queues * conf->ports[i].rx_desc +
		     r * conf->ports[i].tx_desc;
	/* per-lcore caches may each hold up to 1.5x the cache size */
	n += (r + 1) * conf->mempool.cache * 3 / 2;
	/* tx buffers and the packets of one burst in flight through a chain, per reactor */
	n += r * PRX_BURST_MAX * (conf->n_ports + 2);
	/* worker pool: both rings of every (reactor, worker) lane full, workers' caches */
	if (conf->workers.n_cores > 0)
		n += r * conf->workers.n_cores * 2 * (uint64_t)conf->workers.ring_size +
		     (uint64_t)conf->workers.n_cores *
			     (conf->mempool.cache * 3 / 2 + PRX_BURST_MAX);
	n += 1024;
	if (n > (UINT64_C(1) << 31))
		n = UINT64_C(1) << 31;
	/* round up to 2^k - 1 */
	v = (uint32_t)n;
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	return v;
}

/* The routers' tables (32 or 64 MiB of FIB each), plus room for the largest to be built
 * again beside the running one when a reload changes it. */
static uint64_t
router_bytes(const struct prx_conf *conf)
{
	uint64_t sum = 0, max = 0;

	for (unsigned int i = 0; i < conf->n_handlers; i++) {
		uint64_t b;

		if (conf->handlers[i].type != PRX_HANDLER_ROUTER ||
		    conf->handlers[i].u.router == NULL)
			continue;
		b = prx_conf_router_memory(conf->handlers[i].u.router);
		sum += b;
		max = b > max ? b : max;
	}
	return sum + max;
}

unsigned int
prx_conf_memory_mb(const struct prx_conf *conf)
{
	uint64_t bytes;

	if (conf->memory_mb != 0)
		return conf->memory_mb;
	bytes = (uint64_t)prx_conf_pool_mbufs(conf) * (conf->mempool.data_room + MBUF_OVERHEAD);
	bytes += router_bytes(conf);
	return EAL_BASE_MB + RUNTIME_PORTS_MB + (unsigned int)((bytes + (1u << 20) - 1) >> 20) +
	       prx_conf_acl_memory_mb(conf);
}

static bool
read_meminfo(const char *root, uint64_t *free_pages, uint64_t *page_kb)
{
	char path[512], line[256];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/proc/meminfo", root);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "HugePages_Free: %" SCNu64, free_pages) == 1)
			found |= 1;
		else if (sscanf(line, "Hugepagesize: %" SCNu64, page_kb) == 1)
			found |= 2;
	}
	fclose(f);
	return found == 3;
}

static bool
hugetlbfs_mounted(const char *root)
{
	char path[512], line[512], dev[128], dir[256], type[64];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/mounts", root);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = sscanf(line, "%127s %255s %63s", dev, dir, type) == 3 &&
			strcmp(type, "hugetlbfs") == 0;
	fclose(f);
	return found;
}

void
prx_eal_env_probe(const char *root, unsigned int need_mb, struct prx_eal_env *env)
{
	uint64_t free_pages = 0, page_kb = 0;

	memset(env, 0, sizeof(*env));
	if (!read_meminfo(root, &free_pages, &page_kb)) {
		snprintf(env->why, sizeof(env->why), "no hugepage counters in /proc/meminfo");
	} else if (free_pages == 0) {
		snprintf(env->why, sizeof(env->why), "no free hugepages");
	} else if (free_pages * page_kb < (uint64_t)need_mb * 1024) {
		snprintf(env->why, sizeof(env->why),
			 "%" PRIu64 " free hugepages of %" PRIu64
			 " kB hold less than the %u MiB needed",
			 free_pages, page_kb, need_mb);
	} else if (!hugetlbfs_mounted(root)) {
		snprintf(env->why, sizeof(env->why), "no hugetlbfs mounted");
	} else {
		env->hugepages = true;
	}
}

int
prx_eal_runtime_dir_remove(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (dir == NULL || dir[0] == '\0')
		return -EINVAL;
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT)
			rc = -errno;
	}
	closedir(d);
	if (rmdir(dir) != 0 && errno != ENOENT)
		rc = -errno;
	return rc;
}
