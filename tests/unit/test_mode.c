/* SPDX-License-Identifier: BSD-3-Clause */
/* mode = "auto": DPDK or fallback, decided over fake /sys trees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prx_mode.h"
#include "prx_test.h"

static char root[64];

/* A PCI device in the fake tree, bound to `driver` (NULL: unbound). */
static void
fake_pci(const char *name, const char *driver)
{
	char path[512], target[512];

	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s", root, name);
	CU_ASSERT_FATAL(mkdir(path, 0755) == 0);
	if (driver == NULL)
		return;
	snprintf(target, sizeof(target), "../../../../bus/pci/drivers/%s", driver);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/driver", root, name);
	CU_ASSERT_FATAL(symlink(target, path) == 0);
}

/* Put device `name` in IOMMU group `group`. */
static void
fake_group(const char *name, const char *group)
{
	char path[512], target[512];

	snprintf(target, sizeof(target), "../../../../kernel/iommu_groups/%s", group);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/iommu_group", root, name);
	CU_ASSERT_FATAL(symlink(target, path) == 0);
}

/* A device node under <root>/dev/vfio (an empty file stands for it). */
static void
fake_vfio_node(const char *node)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dev", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dev/vfio", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dev/vfio/%s", root, node);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fclose(f);
}

static int
setup(void)
{
	char cmd[256];

	snprintf(root, sizeof(root), "/tmp/prx-ut-mode.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sys/bus/pci/devices", root);
	return system(cmd);
}

static void
teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CU_ASSERT(system(cmd) == 0);
}

static struct prx_conf *
load(const char *ports, const char *mode)
{
	char text[1024];
	struct prx_conf_errors err;
	struct prx_conf *c = NULL;

	snprintf(text, sizeof(text),
		 "mode = \"%s\";\nreactors = { cores = [1]; };\nports = (%s);\n", mode, ports);
	CU_ASSERT_FATAL(prx_conf_load_string(text, "t.cfg", NULL, &c, &err) == 0);
	return c;
}

/* Decide for `ports` in `mode` and compare the outcome and its reason. */
static void
check(const char *ports, const char *mode, bool huge, int want_rc, enum prx_mode want,
      const char *want_why)
{
	struct prx_conf *c = load(ports, mode);
	struct prx_eal_env env = {.hugepages = huge};
	struct prx_mode_choice ch;
	int rc;

	if (!huge)
		snprintf(env.why, sizeof(env.why), "no free hugepages");
	rc = prx_mode_decide(c, root, &env, &ch);
	CU_ASSERT_EQUAL(rc, want_rc);
	if (rc == 0)
		CU_ASSERT_EQUAL(ch.mode, want);
	CU_ASSERT_STRING_EQUAL(ch.why, want_why);
	if (strcmp(ch.why, want_why) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", ch.why, want_why);
	prx_conf_free(c);
}

#define VDEV_BOTH "{ name = \"a\"; dpdk = \"net_null0\"; kernel = \"veth0\"; }"
#define PCI_BOTH "{ name = \"w\"; dpdk = \"3b:00.0,rxq_pkt_pad=1\"; kernel = \"ens1\"; }"
#define KERNEL_ONLY "{ name = \"k\"; kernel = \"veth1\"; }"
#define DPDK_ONLY "{ name = \"d\"; dpdk = \"0000:3b:00.1\"; }"

static void
test_explicit_modes(void)
{
	CU_ASSERT_FATAL(setup() == 0);
	check(VDEV_BOTH, "dpdk", false, 0, PRX_MODE_DPDK, "dpdk: mode = \"dpdk\"");
	check(VDEV_BOTH, "fallback", true, 0, PRX_MODE_FALLBACK, "fallback: mode = \"fallback\"");
	teardown();
}

static void
test_auto_vdevs_are_dpdk(void)
{
	CU_ASSERT_FATAL(setup() == 0);
	check(VDEV_BOTH, "auto", false, 0, PRX_MODE_DPDK,
	      "dpdk: every port's DPDK device is usable");
	teardown();
}

static void
test_auto_pci(void)
{
	CU_ASSERT_FATAL(setup() == 0);
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: PCI device 0000:3b:00.0 is not present");
	fake_pci("0000:3b:00.0", NULL);
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: PCI device 0000:3b:00.0 is bound to no driver");
	teardown();

	CU_ASSERT_FATAL(setup() == 0);
	fake_pci("0000:3b:00.0", "ixgbe");
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: PCI device 0000:3b:00.0 is bound to ixgbe, not to a driver DPDK can use (vfio-pci)");
	teardown();

	CU_ASSERT_FATAL(setup() == 0);
	fake_pci("0000:3b:00.0", "vfio-pci");
	fake_group("0000:3b:00.0", "42");
	fake_vfio_node("vfio");
	fake_vfio_node("42");
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_DPDK, "dpdk: every port's DPDK device is usable");
	check(PCI_BOTH, "auto", false, 0, PRX_MODE_FALLBACK,
	      "fallback: PCI devices need hugepages (no free hugepages)");
	teardown();

	CU_ASSERT_FATAL(setup() == 0);
	fake_pci("0000:3b:00.0", "mlx5_core"); /* bifurcated: DPDK works beside the kernel */
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_DPDK, "dpdk: every port's DPDK device is usable");
	teardown();
}

/* vfio-pci: the device is usable only when the container was given its group's node */
static void
test_auto_vfio_nodes(void)
{
	CU_ASSERT_FATAL(setup() == 0);
	fake_pci("0000:3b:00.0", "vfio-pci");
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: PCI device 0000:3b:00.0 is bound to vfio-pci but has no IOMMU group");
	fake_group("0000:3b:00.0", "17");
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: PCI device 0000:3b:00.0 is bound to vfio-pci but /dev/vfio/17 is not here (docker run --device /dev/vfio/17)");
	fake_vfio_node("17");
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: PCI device 0000:3b:00.0 is bound to vfio-pci but /dev/vfio/vfio is not here (docker run --device /dev/vfio/vfio)");
	fake_vfio_node("vfio");
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_DPDK, "dpdk: every port's DPDK device is usable");
	teardown();

	/* no-IOMMU mode names the node noiommu-N */
	CU_ASSERT_FATAL(setup() == 0);
	fake_pci("0000:3b:00.0", "vfio-pci");
	fake_group("0000:3b:00.0", "3");
	fake_vfio_node("vfio");
	fake_vfio_node("noiommu-3");
	check(PCI_BOTH, "auto", true, 0, PRX_MODE_DPDK, "dpdk: every port's DPDK device is usable");
	teardown();
}

/* PCI addresses from the SR-IOV device plugin's environment variable */
#define PCI_ENV "{ name = \"v\"; dpdk = \"${PCIDEVICE_PRX_UT[1]}\"; kernel = \"net1\"; }"

static void
test_auto_pci_from_environment(void)
{
	CU_ASSERT_FATAL(setup() == 0);
	unsetenv("PCIDEVICE_PRX_UT");
	check(PCI_ENV, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: port v: ${PCIDEVICE_PRX_UT[1]}: PCIDEVICE_PRX_UT is not set");
	setenv("PCIDEVICE_PRX_UT", "0000:3b:02.1", 1);
	check(PCI_ENV, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: port v: ${PCIDEVICE_PRX_UT[1]}: PCIDEVICE_PRX_UT has 1 entry (\"0000:3b:02.1\"): no [1]");
	setenv("PCIDEVICE_PRX_UT", "0000:3b:02.1,0000:3b:02.3", 1);
	check(PCI_ENV, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: PCI device 0000:3b:02.3 is not present");
	fake_pci("0000:3b:02.3", "vfio-pci");
	fake_group("0000:3b:02.3", "88");
	fake_vfio_node("vfio");
	fake_vfio_node("88");
	check(PCI_ENV, "auto", true, 0, PRX_MODE_DPDK, "dpdk: every port's DPDK device is usable");
	unsetenv("PCIDEVICE_PRX_UT");
	teardown();
}

static void
test_auto_mixed_ports(void)
{
	CU_ASSERT_FATAL(setup() == 0);
	check(VDEV_BOTH "," KERNEL_ONLY, "auto", true, 0, PRX_MODE_FALLBACK,
	      "fallback: port k has no dpdk device");
	/* one port can only be DPDK (absent here), the other only kernel: neither mode runs */
	check(DPDK_ONLY "," KERNEL_ONLY, "auto", true, -ENODEV, PRX_MODE_AUTO,
	      "PCI device 0000:3b:00.1 is not present, and port d has no kernel interface to fall back to");
	teardown();
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_explicit_modes),
		PRX_TEST(test_auto_vdevs_are_dpdk),
		PRX_TEST(test_auto_pci),
		PRX_TEST(test_auto_vfio_nodes),
		PRX_TEST(test_auto_pci_from_environment),
		PRX_TEST(test_auto_mixed_ports),
		{NULL, NULL},
	};

	return prx_test_run("mode", cases, 0);
}
