/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_PACKET driver: interface ioctls, and turning off the offloads that glue wire frames
 * into super-frames (GRO, LRO, hardware GRO) while the port is open.
 */
#include "afp_internal.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "prx_log.h"

static const char *const super_frame_features[AFP_N_SUPER] = {"rx-gro", "rx-lro", "rx-gro-hw"};

int
prx__afp_if_ioctl(const struct afp_port *ap, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ap->ifname);
	return ioctl(ap->ctl_fd, req, ifr) < 0 ? -errno : 0;
}

int
prx__afp_ethtool(const struct afp_port *ap, void *cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ap->ifname);
	ifr.ifr_data = cmd;
	return ioctl(ap->ctl_fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

static int
features_get(const struct afp_port *ap, uint32_t words, struct ethtool_gfeatures **out)
{
	struct ethtool_gfeatures *gf;
	int rc;

	gf = calloc(1, sizeof(*gf) + words * sizeof(gf->features[0]));
	if (gf == NULL)
		return -ENOMEM;
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = words;
	rc = prx__afp_ethtool(ap, gf);
	if (rc != 0) {
		free(gf);
		return rc;
	}
	*out = gf;
	return 0;
}

static int
features_set(const struct afp_port *ap, const int *idx, unsigned int n, bool on)
{
	struct ethtool_sfeatures *sf;
	int rc;

	sf = calloc(1, sizeof(*sf) + ap->feat_words * sizeof(sf->features[0]));
	if (sf == NULL)
		return -ENOMEM;
	sf->cmd = ETHTOOL_SFEATURES;
	sf->size = ap->feat_words;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t bit = 1u << (idx[i] % 32);

		sf->features[idx[i] / 32].valid |= bit;
		if (on)
			sf->features[idx[i] / 32].requested |= bit;
	}
	rc = prx__afp_ethtool(ap, sf);
	free(sf);
	return rc;
}

/*
 * GRO/LRO glue wire frames into super-frames of up to 64 KiB before packet taps see
 * them; a ring frame holds one MTU-sized frame, so they would arrive truncated (dropped
 * and counted).  Turn them off on the interface and say so; close turns them on again.
 */
void
prx__afp_super_frames_off(struct prx_port *port)
{
	struct afp_port *ap = port->priv;
	union {
		struct ethtool_sset_info hdr;
		uint8_t buf[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} si;
	struct ethtool_gstrings *names = NULL;
	struct ethtool_gfeatures *gf = NULL;
	int idx[AFP_N_SUPER];
	unsigned int n = 0;
	uint32_t count;
	int rc;

	memset(&si, 0, sizeof(si));
	si.hdr.cmd = ETHTOOL_GSSET_INFO;
	si.hdr.sset_mask = 1ULL << ETH_SS_FEATURES;
	rc = prx__afp_ethtool(ap, &si);
	if (rc != 0 || si.hdr.sset_mask == 0) {
		PRX_LOG(WARNING, PORT,
			"%s: ioctl(SIOCETHTOOL, ETHTOOL_GSSET_INFO) on %s failed: %s; GRO/LRO left as they are (super-frames are dropped as truncated)",
			port->name, ap->ifname, strerror(rc != 0 ? -rc : EOPNOTSUPP));
		return;
	}
	count = si.hdr.data[0];
	ap->feat_words = (count + 31) / 32;
	names = calloc(1, sizeof(*names) + (size_t)count * ETH_GSTRING_LEN);
	if (names == NULL)
		return;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_FEATURES;
	names->len = count;
	rc = prx__afp_ethtool(ap, names);
	if (rc == 0)
		rc = features_get(ap, ap->feat_words, &gf);
	if (rc != 0) {
		PRX_LOG(WARNING, PORT, "%s: ethtool feature query on %s failed: %s", port->name,
			ap->ifname, strerror(-rc));
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		const char *s = (const char *)names->data + (size_t)i * ETH_GSTRING_LEN;
		uint32_t bit = 1u << (i % 32);

		for (unsigned int k = 0; k < AFP_N_SUPER; k++) {
			if (strncmp(s, super_frame_features[k], ETH_GSTRING_LEN) != 0 ||
			    !(gf->features[i / 32].active & bit))
				continue;
			if (!(gf->features[i / 32].available & bit) ||
			    (gf->features[i / 32].never_changed & bit)) {
				PRX_LOG(WARNING, PORT,
					"%s: %s is on and fixed on %s: its super-frames are dropped as truncated",
					port->name, s, ap->ifname);
				continue;
			}
			idx[n++] = (int)i;
		}
	}
	if (n == 0)
		goto out;
	rc = features_set(ap, idx, n, false);
	if (rc < 0) {
		PRX_LOG(WARNING, PORT,
			"%s: ioctl(SIOCETHTOOL, ETHTOOL_SFEATURES) on %s failed: %s; GRO/LRO stay on (super-frames are dropped as truncated)",
			port->name, ap->ifname, strerror(-rc));
		goto out;
	}
	for (unsigned int k = 0; k < n; k++) {
		PRX_LOG(NOTICE, PORT,
			"%s: turned %s off on %s (a ring frame holds one wire frame; back on at close)",
			port->name, (const char *)names->data + (size_t)idx[k] * ETH_GSTRING_LEN,
			ap->ifname);
		ap->feat_off[k] = idx[k];
	}
	ap->n_feat_off = n;
out:
	free(gf);
	free(names);
}

void
prx__afp_super_frames_restore(struct prx_port *port)
{
	struct afp_port *ap = port->priv;
	int rc;

	if (ap->n_feat_off == 0)
		return;
	rc = features_set(ap, ap->feat_off, ap->n_feat_off, true);
	if (rc < 0)
		PRX_LOG(WARNING, PORT,
			"%s: ioctl(SIOCETHTOOL, ETHTOOL_SFEATURES) restoring GRO/LRO on %s failed: %s",
			port->name, ap->ifname, strerror(-rc));
	else
		PRX_LOG(INFO, PORT, "%s: GRO/LRO settings of %s restored", port->name, ap->ifname);
	ap->n_feat_off = 0;
}
