/* SPDX-License-Identifier: BSD-3-Clause */
/* The allowed CPUs (affinity and cgroup cpuset, over fake /proc and /sys trees) and where
 * the configured cores go on them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prx_cpus.h"
#include "prx_test.h"

static char root[64];

/* Write `text` to <root>/<path>, making its folders. */
static void
put(const char *path, const char *text)
{
	char full[512], cmd[600];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", full);
	CU_ASSERT_FATAL(system(cmd) == 0);
	f = fopen(full, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void
fresh_root(void)
{
	char cmd[256];

	snprintf(root, sizeof(root), "/tmp/prx-ut-cpus.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s", root, root);
	CU_ASSERT_FATAL(system(cmd) == 0);
}

static void
remove_root(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CU_ASSERT(system(cmd) == 0);
}

static void
affinity(const char *list)
{
	char text[256];

	snprintf(text, sizeof(text), "Name:\tprxd\nCpus_allowed:\tff\nCpus_allowed_list:\t%s\n",
		 list);
	put("/proc/self/status", text);
}

/* Probe the fake root; compare the allowed set and where the cpuset came from. */
static void
expect_probe(const char *allowed, const char *cpuset, const char *at)
{
	struct prx_cpus c;

	CU_ASSERT_EQUAL_FATAL(prx_cpus_probe(root, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.text, allowed);
	CU_ASSERT_STRING_EQUAL(c.cpuset, cpuset);
	CU_ASSERT_STRING_EQUAL(c.cpuset_at, at);
	if (strcmp(c.text, allowed) != 0 || strcmp(c.cpuset_at, at) != 0)
		fprintf(stderr, "\n got: %s (cpuset %s in %s)\nwant: %s (cpuset %s in %s)\n",
			c.text, c.cpuset, c.cpuset_at, allowed, cpuset, at);
}

static void
test_lists(void)
{
	static const char *const good[][2] = {
		{"0-3,8,10-11\n", "0-3,8,10-11"},
		{"", ""},
		{"5", "5"},
		{" 1,2,3 ", "1-3"},
		{"0-1,1-2", "0-2"},
		{"1023", "1023"},
	};
	static const char *const bad[] = {"a", "3-1", "1,,2", "5-", "-1", "1024", "0-3 x"};
	char buf[64];
	cpu_set_t s;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(good); i++) {
		CU_ASSERT_EQUAL(prx_cpus_parse(good[i][0], &s), 0);
		prx_cpus_format(&s, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, good[i][1]);
	}
	for (size_t i = 0; i < PRX_ARRAY_SIZE(bad); i++)
		CU_ASSERT_EQUAL(prx_cpus_parse(bad[i], &s), -EINVAL);
	/* a list longer than the buffer is cut, never overrun */
	CU_ASSERT_EQUAL(prx_cpus_parse("0,2,4,6,8,10,12,14,16,18", &s), 0);
	prx_cpus_format(&s, buf, 8);
	CU_ASSERT_STRING_EQUAL(buf, "0,2,4,6");
}

/* A systemd service on a cgroup v2 host: the service's own cgroup has no cpuset, its
 * slice has (AllowedCPUs=). */
static void
test_v2_host_service(void)
{
	fresh_root();
	affinity("0-7");
	put("/proc/self/cgroup", "0::/system.slice/prxd.service\n");
	put("/proc/self/mountinfo",
	    "22 1 0:21 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
	    "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
	put("/sys/fs/cgroup/system.slice/prxd.service/cgroup.procs", "1\n");
	put("/sys/fs/cgroup/system.slice/cpuset.cpus.effective", "2-5\n");
	put("/sys/fs/cgroup/cpuset.cpus.effective", "0-7\n");
	expect_probe("2-5", "2-5", "/sys/fs/cgroup/system.slice/cpuset.cpus.effective");
	remove_root();
}

/* A container with its own cgroup namespace: it sees its cgroup as the root. */
static void
test_v2_container(void)
{
	fresh_root();
	affinity("0-7");
	put("/proc/self/cgroup", "0::/\n");
	put("/proc/self/mountinfo",
	    "700 690 0:26 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw,nsdelegate\n");
	put("/sys/fs/cgroup/cpuset.cpus.effective", "4,6\n");
	expect_probe("4,6", "4,6", "/sys/fs/cgroup/cpuset.cpus.effective");
	remove_root();
}

/* Docker on cgroup v1 without a cgroup namespace: /proc/self/cgroup names the host's
 * path, the mount shows that cgroup (mount root /docker/abc) at the mount point. */
static void
test_v1_container(void)
{
	fresh_root();
	affinity("0-3");
	put("/proc/self/cgroup", "7:cpu,cpuacct:/docker/abc\n5:cpuset:/docker/abc\n0::/\n");
	put("/proc/self/mountinfo",
	    "800 790 0:30 /docker/abc /sys/fs/cgroup/cpuset ro,nosuid master:10 - cgroup cgroup rw,cpuset\n"
	    "801 790 0:31 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct\n");
	put("/sys/fs/cgroup/cpuset/cpuset.effective_cpus", "1-2\n");
	put("/sys/fs/cgroup/cpuset/cpuset.cpus", "1-3\n");
	expect_probe("1-2", "1-2", "/sys/fs/cgroup/cpuset/cpuset.effective_cpus");
	remove_root();
}

/* A hybrid host (v1 controllers, v2 at /sys/fs/cgroup/unified): v1's cpuset wins; a
 * nested cgroup without the file takes its parent's; the affinity narrows further. */
static void
test_hybrid_host_nested(void)
{
	fresh_root();
	affinity("1-3");
	put("/proc/self/cgroup", "3:cpuset:/pods/p1/c1\n0::/user.slice\n");
	put("/proc/self/mountinfo",
	    "40 30 0:33 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
	    "41 30 0:34 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
	put("/sys/fs/cgroup/cpuset/pods/p1/c1/tasks", "1\n");
	put("/sys/fs/cgroup/cpuset/pods/p1/cpuset.cpus", "0-2\n");
	put("/sys/fs/cgroup/unified/user.slice/cpuset.cpus.effective", "3\n");
	expect_probe("1-2", "0-2", "/sys/fs/cgroup/cpuset/pods/p1/cpuset.cpus");
	remove_root();
}

/* Escaped mount points; no cgroup at all; an empty result. */
static void
test_edges(void)
{
	struct prx_cpus c;

	fresh_root();
	affinity("0-3");
	put("/proc/self/cgroup", "0::/a\n");
	put("/proc/self/mountinfo", "30 22 0:26 / /cg\\040root rw - cgroup2 cgroup2 rw\n");
	put("/cg root/a/cpuset.cpus.effective", "3\n");
	expect_probe("3", "3", "/cg root/a/cpuset.cpus.effective");
	remove_root();

	fresh_root();
	affinity("0-3");
	expect_probe("0-3", "", "");
	put("/proc/self/cgroup", "0::/a\n");
	put("/proc/self/mountinfo", "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
	put("/sys/fs/cgroup/cpuset.cpus.effective", "6-7\n");
	CU_ASSERT_EQUAL(prx_cpus_probe(root, &c), -ENOENT);
	remove_root();

	fresh_root();
	CU_ASSERT_EQUAL(prx_cpus_probe(root, &c), -ENOENT); /* no /proc/self/status */
	remove_root();

	/* the real machine: at least the affinity, never more */
	{
		cpu_set_t s;

		CU_ASSERT_EQUAL_FATAL(prx_cpus_probe("", &c), 0);
		CU_ASSERT_EQUAL_FATAL(sched_getaffinity(0, sizeof(s), &s), 0);
		CU_ASSERT(c.n >= 1 && c.n <= (unsigned int)CPU_COUNT(&s));
	}
}

static struct prx_conf *
load(const char *mapping, unsigned int control, const char *cores)
{
	char text[512];
	struct prx_conf_errors err;
	struct prx_conf *c = NULL;

	snprintf(text, sizeof(text),
		 "core_mapping = \"%s\";\ncontrol_core = %u;\nreactors = { cores = [%s]; };\n"
		 "ports = ({ name = \"a\"; dpdk = \"net_null0\"; });\n",
		 mapping, control, cores);
	CU_ASSERT_FATAL(prx_conf_load_string(text, "t.cfg", NULL, &c, &err) == 0);
	return c;
}

/* Map over a fake root whose allowed set is `allowed` (affinity only). */
static int
map(const char *allowed, const char *mapping, unsigned int control, const char *cores,
    struct prx_cpu_map *m)
{
	struct prx_conf *c = load(mapping, control, cores);
	struct prx_cpus cpus;
	int rc;

	fresh_root();
	affinity(allowed);
	CU_ASSERT_EQUAL_FATAL(prx_cpus_probe(root, &cpus), 0);
	rc = prx_cpus_map(c, &cpus, m);
	remove_root();
	prx_conf_free(c);
	return rc;
}

static void
expect_msg(const struct prx_cpu_map *m, const char *want)
{
	CU_ASSERT_STRING_EQUAL(m->msg, want);
	if (strcmp(m->msg, want) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", m->msg, want);
}

static void
test_map_absolute(void)
{
	struct prx_cpu_map m;

	CU_ASSERT_EQUAL(map("0-3", "absolute", 0, "1, 3", &m), 0);
	expect_msg(&m, "cores absolute to the allowed CPUs 0-3: control_core 0, reactors 1,3");
	CU_ASSERT_STRING_EQUAL(m.lcores, "");
	CU_ASSERT_EQUAL(m.control_cpu, 0);
	CU_ASSERT_EQUAL(m.reactor_cpu[1], 3);

	CU_ASSERT_EQUAL(map("2-3", "absolute", 0, "2", &m), -EINVAL);
	expect_msg(
		&m,
		"control_core 0 is not in the allowed CPU set 2-3 (affinity 2-3, no cgroup cpuset found): use CPUs of that set, or core_mapping = \"relative\"");
	CU_ASSERT_EQUAL(map("2-3", "absolute", 2, "3, 5", &m), -EINVAL);
	expect_msg(
		&m,
		"reactors.cores: core 5 is not in the allowed CPU set 2-3 (affinity 2-3, no cgroup cpuset found): use CPUs of that set, or core_mapping = \"relative\"");
}

static void
test_map_relative(void)
{
	struct prx_cpu_map m;

	CU_ASSERT_EQUAL(map("4-5,8", "relative", 0, "2, 1", &m), 0);
	CU_ASSERT_STRING_EQUAL(m.lcores, "0@4,2@8,1@5");
	expect_msg(
		&m,
		"cores relative to the allowed CPUs 4-5,8: control_core 0 -> cpu 4, reactors 2 -> cpu 8, 1 -> cpu 5");
	CU_ASSERT_EQUAL(map("4-5,8", "relative", 1, "3", &m), -EINVAL);
	expect_msg(
		&m,
		"reactors.cores: core 3 is outside the allowed CPU set 4-5,8 (affinity 4-5,8, no cgroup cpuset found): with core_mapping = \"relative\" cores are indices 0..2 into it");
	CU_ASSERT_EQUAL(map("7", "relative", 1, "0", &m), -EINVAL);
	expect_msg(
		&m,
		"control_core 1 is outside the allowed CPU set 7 (affinity 7, no cgroup cpuset found): with core_mapping = \"relative\" cores are indices 0..0 into it");
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_lists),
		PRX_TEST(test_v2_host_service),
		PRX_TEST(test_v2_container),
		PRX_TEST(test_v1_container),
		PRX_TEST(test_hybrid_host_nested),
		PRX_TEST(test_edges),
		PRX_TEST(test_map_absolute),
		PRX_TEST(test_map_relative),
		{NULL, NULL},
	};

	return prx_test_run("cpus", cases, 0);
}
