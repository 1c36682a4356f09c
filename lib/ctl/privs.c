/* SPDX-License-Identifier: BSD-3-Clause */
/* Capabilities: check, raise, drop (prx_privs.h). */
#include "prx_privs.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>
#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#define NET_CAPS (PRX_CAP(CAP_NET_RAW) | PRX_CAP(CAP_NET_ADMIN))
#define ALL_CAPS (PRX_CAP(CAP_LAST_CAP) | (PRX_CAP(CAP_LAST_CAP) - 1))

void
prx_privs_plan(const struct prx_conf *conf, enum prx_mode mode, uint64_t held,
	       struct prx_privs_plan *out)
{
	bool fallback = mode == PRX_MODE_FALLBACK;

	out->need = fallback ? NET_CAPS : 0;
	out->narrow = (fallback ? NET_CAPS | PRX_CAP(CAP_NET_BIND_SERVICE) : ALL_CAPS) & held;
	out->keep = ((conf->control.keep_net_caps ? NET_CAPS : 0) |
		     (fallback ? 0 : PRX_CAP(CAP_IPC_LOCK))) &
		    held;
}

void
prx_caps_format(uint64_t caps, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return;
	snprintf(buf, len, "none");
	for (unsigned int c = 0; c <= CAP_LAST_CAP && off < len; c++) {
		const char *name;
		int n;

		if (!(caps & PRX_CAP(c)))
			continue;
		name = capng_capability_to_name(c);
		if (name != NULL)
			n = snprintf(buf + off, len - off, "%s%s", off ? "," : "", name);
		else
			n = snprintf(buf + off, len - off, "%scap_%u", off ? "," : "", c);
		off = n < 0 ? len : off + (size_t)n;
	}
}

/* The calling thread's set of one kind, after capng_get_caps_process(). */
static uint64_t
current(capng_type_t which)
{
	uint64_t set = 0;

	for (unsigned int c = 0; c <= CAP_LAST_CAP; c++)
		if (capng_have_capability(which, c))
			set |= PRX_CAP(c);
	return set;
}

/* Make `caps` the calling thread's effective and permitted sets; clear its ambient set
 * and, with `bounds` (CAP_SETPCAP held), its bounding set too. */
static int
apply(uint64_t caps, bool bounds)
{
	capng_clear(CAPNG_SELECT_ALL);
	for (unsigned int c = 0; c <= CAP_LAST_CAP; c++)
		if (caps & PRX_CAP(c))
			capng_update(CAPNG_ADD,
				     (capng_type_t)(CAPNG_EFFECTIVE | CAPNG_PERMITTED |
						    CAPNG_BOUNDING_SET),
				     c);
	if (bounds && capng_apply(CAPNG_SELECT_BOUNDS) != 0)
		return -EPERM;
	if (capng_apply(CAPNG_SELECT_CAPS) != 0 || capng_apply(CAPNG_SELECT_AMBIENT) != 0)
		return -EPERM;
	return 0;
}

static bool
memlock_unlimited(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY;
}

int
prx_privs_start(const struct prx_conf *conf, enum prx_mode mode, bool pci, struct prx_privs *p,
		char *why, size_t len)
{
	char names[256];
	uint64_t missing;
	bool setpcap;

	memset(p, 0, sizeof(*p));
	why[0] = '\0';
	if (capng_get_caps_process() != 0) {
		snprintf(why, len, "cannot read the process's capabilities: %s", strerror(errno));
		return -EPERM;
	}
	p->held = current(CAPNG_PERMITTED);
	p->capable = p->held != 0;
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	prx_privs_plan(conf, mode, p->held, &p->plan);
	missing = p->plan.need & ~p->held;
	if (missing != 0) {
		prx_caps_format(missing, names, sizeof(names));
		snprintf(
			why, len,
			"fallback mode needs CAP_NET_RAW and CAP_NET_ADMIN; missing: %s (docker run --cap-add; systemd AmbientCapabilities=; file capabilities on prxd: docs/deploy.md)",
			names);
		return -EPERM;
	}
	if (mode == PRX_MODE_DPDK && pci && !(p->held & PRX_CAP(CAP_IPC_LOCK)) &&
	    !memlock_unlimited())
		snprintf(
			p->warning, sizeof(p->warning),
			"PCI devices through vfio lock memory: neither CAP_IPC_LOCK nor an unlimited memlock limit (docker run --cap-add IPC_LOCK --ulimit memlock=-1, systemd LimitMEMLOCK=infinity)");
	if (!p->capable)
		return 0;
	/* narrow (or, when all is kept, only raise what is permitted into effective) */
	if (apply(p->plan.narrow, setpcap && p->plan.narrow != (ALL_CAPS & p->held)) != 0) {
		snprintf(why, len, "capset() failed: %s", strerror(errno));
		return -EPERM;
	}
	return 0;
}

static int
drop_all(void *arg)
{
	RTE_SET_USED(arg);
	return apply(0, false);
}

static volatile int intr_done;
static volatile int intr_rc;

static void
drop_on_alarm(void *arg)
{
	intr_rc = drop_all(arg);
	__atomic_store_n(&intr_done, 1, __ATOMIC_RELEASE);
}

int
prx_privs_drop_workers(const struct prx_privs *p)
{
	struct timespec nap = {0, 1000000};
	unsigned int lc;
	int rc = 0;

	if (!p->capable)
		return 0;
	RTE_LCORE_FOREACH_WORKER (lc) {
		int r = rte_eal_remote_launch(drop_all, NULL, lc);

		if (r == 0)
			r = rte_eal_wait_lcore(lc);
		if (r != 0 && rc == 0)
			rc = r < 0 ? r : -EPERM;
	}
	/* EAL's interrupt thread runs the alarms: one drops its capabilities */
	__atomic_store_n(&intr_done, 0, __ATOMIC_RELEASE);
	if (rte_eal_alarm_set(1, drop_on_alarm, NULL) != 0)
		return rc != 0 ? rc : -EAGAIN;
	for (int i = 0; i < 2000 && !__atomic_load_n(&intr_done, __ATOMIC_ACQUIRE); i++)
		nanosleep(&nap, NULL);
	if (!__atomic_load_n(&intr_done, __ATOMIC_ACQUIRE)) {
		rte_eal_alarm_cancel(drop_on_alarm, NULL);
		return rc != 0 ? rc : -ETIMEDOUT;
	}
	return rc != 0 ? rc : intr_rc;
}

int
prx_privs_drop_control(const struct prx_privs *p)
{
	if (!p->capable)
		return 0;
	return apply(p->plan.keep, false);
}

/* CapPrm of one task, or 0 when it cannot be read. */
static uint64_t
task_caps(const char *tid, char *comm, size_t len)
{
	char path[300], line[256];
	uint64_t caps = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%s/comm", tid);
	f = fopen(path, "re");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL)
		snprintf(line, sizeof(line), "%s", tid);
	if (f != NULL)
		fclose(f);
	line[strcspn(line, "\n")] = '\0';
	n = strnlen(line, len - 1); /* a long name is cut */
	memcpy(comm, line, n);
	comm[n] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%s/status", tid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapPrm: %" SCNx64, &caps) == 1)
			break;
	fclose(f);
	return caps;
}

void
prx_privs_report(const struct prx_privs *p, char *buf, size_t len)
{
	char comm[64], names[256];
	struct dirent *de;
	size_t off = 0;
	DIR *d;

	if (len == 0)
		return;
	buf[0] = '\0';
	d = opendir("/proc/self/task");
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && off < len) {
		uint64_t caps;
		int n;

		if (de->d_name[0] == '.')
			continue;
		caps = task_caps(de->d_name, comm, sizeof(comm));
		if (caps == 0)
			continue;
		if (caps == p->held)
			snprintf(names, sizeof(names), "all it started with");
		else
			prx_caps_format(caps, names, sizeof(names));
		n = snprintf(buf + off, len - off, "%s%s: %s", off ? "; " : "", comm, names);
		off = n < 0 ? len : off + (size_t)n;
	}
	closedir(d);
}
