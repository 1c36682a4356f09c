/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_mode.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Kernel drivers a DPDK PMD can drive a PCI device through. */
static const char *const dpdk_drivers[] = {
	"vfio-pci", "uio_pci_generic", "igb_uio", "mlx4_core", "mlx5_core", NULL,
};

/* "3b:00.0" -> "0000:3b:00.0"; the device name is the devargs up to the first ','. */
static void
pci_name(const char *devargs, char *out, size_t len)
{
	size_t n = strcspn(devargs, ",");
	const char *colon = memchr(devargs, ':', n);
	bool has_domain =
		colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon + 1 - devargs));

	snprintf(out, len, "%s%.*s", has_domain ? "" : "0000:", (int)n, devargs);
}

/* A device bound to vfio-pci is usable only with its group's device node (a container
 * sees it when given --device /dev/vfio/N; no-IOMMU mode names it noiommu-N) and the
 * container node /dev/vfio/vfio. */
static bool
vfio_usable(const char *root, const char *name, char *why, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *group;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/iommu_group", root, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(why, len, "PCI device %s is bound to vfio-pci but has no IOMMU group",
			 name);
		return false;
	}
	link[n] = '\0';
	group = basename(link);
	snprintf(path, sizeof(path), "%s/dev/vfio/%s", root, group);
	if (access(path, F_OK) != 0) {
		snprintf(path, sizeof(path), "%s/dev/vfio/noiommu-%s", root, group);
		if (access(path, F_OK) != 0) {
			snprintf(
				why, len,
				"PCI device %s is bound to vfio-pci but /dev/vfio/%s is not here (docker run --device /dev/vfio/%s)",
				name, group, group);
			return false;
		}
	}
	snprintf(path, sizeof(path), "%s/dev/vfio/vfio", root);
	if (access(path, F_OK) != 0) {
		snprintf(
			why, len,
			"PCI device %s is bound to vfio-pci but /dev/vfio/vfio is not here (docker run --device /dev/vfio/vfio)",
			name);
		return false;
	}
	return true;
}

/* Can DPDK use this PCI device?  Explains in why when not. */
static bool
pci_usable(const char *root, const char *devargs, char *why, size_t len)
{
	char name[64], path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	pci_name(devargs, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s", root, name);
	if (access(path, F_OK) != 0) {
		snprintf(why, len, "PCI device %s is not present", name);
		return false;
	}
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/driver", root, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(why, len, "PCI device %s is bound to no driver", name);
		return false;
	}
	link[n] = '\0';
	for (const char *const *d = dpdk_drivers; *d != NULL; d++)
		if (strcmp(basename(link), *d) == 0)
			return strcmp(*d, "vfio-pci") != 0 || vfio_usable(root, name, why, len);
	snprintf(why, len, "PCI device %s is bound to %s, not to a driver DPDK can use (vfio-pci)",
		 name, basename(link));
	return false;
}

static int
fallback(const struct prx_conf *conf, struct prx_mode_choice *out, const char *reason)
{
	for (unsigned int i = 0; i < conf->n_ports; i++) {
		if (conf->ports[i].kernel == NULL) {
			snprintf(out->why, sizeof(out->why),
				 "%s, and port %s has no kernel interface to fall back to", reason,
				 conf->ports[i].name);
			return -ENODEV;
		}
	}
	out->mode = PRX_MODE_FALLBACK;
	snprintf(out->why, sizeof(out->why), "fallback: %s", reason);
	return 0;
}

int
prx_mode_decide(const struct prx_conf *conf, const char *root, const struct prx_eal_env *env,
		struct prx_mode_choice *out)
{
	char why[200];
	bool pci = false;

	memset(out, 0, sizeof(*out));
	if (conf->mode == PRX_MODE_DPDK) {
		out->mode = PRX_MODE_DPDK;
		snprintf(out->why, sizeof(out->why), "dpdk: mode = \"dpdk\"");
		return 0;
	}
	if (conf->mode == PRX_MODE_FALLBACK) {
		out->mode = PRX_MODE_FALLBACK;
		snprintf(out->why, sizeof(out->why), "fallback: mode = \"fallback\"");
		return 0;
	}
	for (unsigned int i = 0; i < conf->n_ports; i++) {
		const struct prx_conf_port *p = &conf->ports[i];

		if (p->dpdk == NULL) {
			if (p->dpdk_unset[0] != '\0')
				snprintf(why, sizeof(why), "port %s: %s", p->name, p->dpdk_unset);
			else
				snprintf(why, sizeof(why), "port %s has no dpdk device", p->name);
			return fallback(conf, out, why);
		}
		if (p->is_pci) {
			if (!pci_usable(root, p->dpdk, why, sizeof(why)))
				return fallback(conf, out, why);
			pci = true;
		}
	}
	if (pci && !env->hugepages) {
		snprintf(why, sizeof(why), "PCI devices need hugepages (%s)", env->why);
		return fallback(conf, out, why);
	}
	out->mode = PRX_MODE_DPDK;
	snprintf(out->why, sizeof(out->why), "dpdk: every port's DPDK device is usable");
	return 0;
}
