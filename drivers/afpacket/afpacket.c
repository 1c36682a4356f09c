/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_PACKET driver: control operations and probe.  Bursts are in afp_rx.c and afp_tx.c,
 * interface offloads in afp_ethtool.c; docs/afpacket.md has the measurements behind the
 * choices made here.
 */
#include "prx_afpacket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_malloc.h>

#include "afp_internal.h"
#include "prx_log.h"

#define AFP_DEFAULT_RING_FRAMES 4096
/* gso: 64 KiB frames (a 128 KiB block each, as the kernel allocates whole orders) */
#define AFP_GSO_RING_FRAMES 256
#define AFP_GSO_MAX_FRAME (65535 + (int)sizeof(struct virtio_net_hdr))
#define AFP_DEFAULT_BLOCK_SIZE (128 * 1024)
#define AFP_DEFAULT_RETIRE_TOV_MS 1
#define AFP_MIN_FRAME_SIZE 2048
#define AFP_MAX_RXQ 256	    /* members of one fanout group (PACKET_FANOUT_MAX before 5.13) */
#define AFP_V3_BLOCK_HDR 48 /* BLK_PLUS_PRIV(0): the block descriptor, 8-aligned */
#define AFP_PAGE 4096u
#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000 /* Linux 6.9; Debian 12's headers lack it */
#endif

static const struct prx_port_ops afp_ops;

/* ------------------------------------------------------------------ interface ioctls */

static int
get_mtu(const struct afp_port *ap, const char *port)
{
	struct ifreq ifr;
	int rc = prx__afp_if_ioctl(ap, SIOCGIFMTU, &ifr);

	if (rc != 0) {
		PRX_LOG(ERR, PORT, "%s: ioctl(SIOCGIFMTU) on %s failed: %s", port, ap->ifname,
			strerror(-rc));
		return rc;
	}
	return ifr.ifr_mtu;
}

/* ------------------------------------------------------------------ ring geometry */

static uint32_t
align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

/* Bytes a ring frame needs for an MTU-sized frame with up to two tags left inside. */
static uint32_t
frame_need(uint8_t version, int mtu)
{
	uint32_t hdr = version == TPACKET_V3 ? TPACKET3_HDRLEN : TPACKET2_HDRLEN;

	/* the kernel puts the network header at TPACKET_ALIGN(hdrlen + 16) */
	return TPACKET_ALIGN(hdr + 16) + (uint32_t)mtu + 8;
}

/* V2: a block of whole pages holding whole frames; the size that wastes least. */
static uint32_t
v2_block_size(uint32_t frame)
{
	uint32_t k0 = (frame + AFP_PAGE - 1) / AFP_PAGE, best = k0 * AFP_PAGE;

	for (uint32_t k = k0; k < k0 + 16; k++) {
		uint32_t b = k * AFP_PAGE;

		if ((uint64_t)(b % frame) * best < (uint64_t)(best % frame) * b)
			best = b;
	}
	return best;
}

static int
choose_geometry(struct prx_port *port, int mtu)
{
	struct afp_port *ap = port->priv;
	const struct prx_afpacket_params *p = &ap->params;
	struct afp_ring_geom *g = &ap->geom;
	uint32_t need = frame_need(ap->version, mtu);
	uint32_t min =
		TPACKET_ALIGN((ap->version == TPACKET_V3 ? TPACKET3_HDRLEN : TPACKET2_HDRLEN) +
			      16) +
		RTE_ETHER_MIN_LEN;
	uint64_t bytes;

	if (p->frame_size == 0) {
		g->frame_size = RTE_MAX(AFP_MIN_FRAME_SIZE, align_up(need, TPACKET_ALIGNMENT));
	} else {
		if (p->frame_size % TPACKET_ALIGNMENT != 0 || p->frame_size < min) {
			PRX_LOG(ERR, PORT,
				"%s: afpacket.frame_size %u must be a multiple of %u and at least %u",
				port->name, p->frame_size, TPACKET_ALIGNMENT, min);
			return -EINVAL;
		}
		g->frame_size = p->frame_size;
		if (ap->version == TPACKET_V2 && g->frame_size < need)
			PRX_LOG(WARNING, PORT,
				"%s: afpacket.frame_size %u is below MTU %d + headers (%u): longer frames are dropped as truncated",
				port->name, g->frame_size, mtu, need);
	}
	if (ap->version == TPACKET_V2) {
		g->block_size = v2_block_size(g->frame_size);
		g->frame_nr = align_up(p->ring_frames, g->block_size / g->frame_size);
		g->block_nr = g->frame_nr / (g->block_size / g->frame_size);
		return 0;
	}
	/* V3: frames are packed in blocks; a block must hold the largest frame */
	g->block_size = align_up(RTE_MAX(p->block_size, g->frame_size), AFP_PAGE);
	if (g->block_size < need + AFP_V3_BLOCK_HDR) {
		g->block_size = align_up(need + AFP_V3_BLOCK_HDR, AFP_PAGE);
		PRX_LOG(NOTICE, PORT, "%s: afpacket.block_size raised to %u for MTU %d", port->name,
			g->block_size, mtu);
	}
	bytes = (uint64_t)p->ring_frames * g->frame_size;
	g->block_nr = (uint32_t)RTE_MAX(2, (bytes + g->block_size - 1) / g->block_size);
	g->frame_nr = g->block_nr * (g->block_size / g->frame_size);
	return 0;
}

/* ------------------------------------------------------------------ control ops */

static void
free_queues(struct afp_port *ap)
{
	for (uint16_t q = 0; ap->rxq != NULL && q < ap->n_rxq; q++)
		prx__afp_rxq_close(&ap->rxq[q]);
	for (uint16_t q = 0; ap->txq != NULL && q < ap->n_txq; q++)
		prx__afp_txq_close(&ap->txq[q]);
	rte_free(ap->rxq);
	rte_free(ap->txq);
	ap->rxq = NULL;
	ap->txq = NULL;
	ap->n_rxq = ap->n_txq = 0;
}

static int
afp_configure(struct prx_port *port, const struct prx_port_setup *setup)
{
	struct afp_port *ap = port->priv;
	int sock = port->socket < 0 ? SOCKET_ID_ANY : port->socket;
	int mtu, rc;

	if (setup->n_rxq > port->max_rxq || setup->n_txq > port->max_txq) {
		PRX_LOG(ERR, PORT, "%s: %u rx / %u tx queues asked, at most %u / %u", port->name,
			setup->n_rxq, setup->n_txq, port->max_rxq, port->max_txq);
		return -EINVAL;
	}
	if (rte_pktmbuf_data_room_size(setup->pool) <= RTE_PKTMBUF_HEADROOM) {
		PRX_LOG(ERR, PORT, "%s: mbufs of pool %s have no data room", port->name,
			setup->pool->name);
		return -EINVAL;
	}
	mtu = get_mtu(ap, port->name);
	if (mtu < 0)
		return mtu;
	/* gso: ring frames for super-frames and their virtio_net_hdr */
	rc = choose_geometry(port, ap->params.gso ? AFP_GSO_MAX_FRAME : mtu);
	if (rc != 0)
		return rc;
	ap->rxq = rte_zmalloc_socket("prx_afp_rxq", setup->n_rxq * sizeof(*ap->rxq),
				     RTE_CACHE_LINE_SIZE, sock);
	ap->txq = rte_zmalloc_socket("prx_afp_txq", setup->n_txq * sizeof(*ap->txq),
				     RTE_CACHE_LINE_SIZE, sock);
	if (ap->rxq == NULL || ap->txq == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (uint16_t q = 0; q < setup->n_rxq; q++) {
		rc = prx__afp_rxq_open(&ap->rxq[q], port->name, ap->version, &ap->geom,
				       ap->params.retire_tov_ms, setup->pool, port->index,
				       ap->params.gso);
		if (rc != 0)
			goto fail;
		ap->rxq[q].drop_outgoing = setup->n_rxq > 1;
		ap->n_rxq++;
		port->rxq[q] = &ap->rxq[q];
	}
	if (setup->promiscuous) {
		/* held by the socket: the interface leaves promiscuous mode when it closes */
		struct packet_mreq mr = {.mr_ifindex = ap->ifindex, .mr_type = PACKET_MR_PROMISC};

		if (setsockopt(ap->rxq[0].fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) <
		    0) {
			rc = -errno;
			PRX_LOG(ERR, PORT,
				"%s: setsockopt(PACKET_ADD_MEMBERSHIP, promisc) failed: %s",
				port->name, strerror(-rc));
			goto fail;
		}
	}
	for (uint16_t q = 0; q < setup->n_txq; q++) {
		rc = prx__afp_txq_open(&ap->txq[q], port->name, ap->ifindex,
				       ap->params.qdisc_bypass, ap->params.gso);
		if (rc != 0)
			goto fail;
		ap->n_txq++;
		port->txq[q] = &ap->txq[q];
	}
	if (!ap->params.gso) /* super-frames do not fit a ring frame: GRO/LRO off */
		prx__afp_super_frames_off(port);
	port->rx_burst = ap->version == TPACKET_V3 ? prx__afp_rx_burst_v3 : prx__afp_rx_burst_v2;
	port->tx_burst = prx__afp_tx_burst;
	PRX_LOG(INFO, PORT,
		"%s: %s configured: %u rxq (TPACKET_V%u, %u frames of %u B in %u blocks of %u B%s%s%s), %u txq (sendmmsg%s%s), MTU %d",
		port->name, ap->ifname, setup->n_rxq, ap->version + 1, ap->geom.frame_nr,
		ap->geom.frame_size, ap->geom.block_nr, ap->geom.block_size,
		setup->n_rxq > 1 ? ", fanout hash" : "", setup->promiscuous ? ", promisc" : "",
		ap->params.gso ? ", gso" : "", setup->n_txq,
		ap->params.qdisc_bypass ? ", qdisc bypass" : "", ap->params.gso ? ", gso" : "",
		mtu);
	return 0;
fail:
	free_queues(ap);
	for (uint16_t q = 0; q < setup->n_rxq; q++)
		port->rxq[q] = NULL;
	for (uint16_t q = 0; q < setup->n_txq; q++)
		port->txq[q] = NULL;
	return rc;
}

/*
 * One fanout group over the rx sockets (symmetric hash of the flow).  A member receives
 * through the group's hook, where its own PACKET_IGNORE_OUTGOING does not apply: the
 * group gets PACKET_FANOUT_FLAG_IGNORE_OUTGOING (Linux 6.9; older kernels store the
 * unknown flag without acting on it, so the bursts also drop PACKET_OUTGOING frames).
 * Every member gives the same flags.
 */
static int
join_fanout(struct prx_port *port)
{
	struct afp_port *ap = port->priv;
	int flags = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_IGNORE_OUTGOING |
		    (ap->params.fanout_defrag ? PACKET_FANOUT_FLAG_DEFRAG : 0);
	socklen_t len;
	int v, rc;

	/* the kernel picks a group id no other group of this namespace uses */
	/* flags (bit 15 included) go in the top half: shift unsigned, as the kernel reads it */
	v = (int)((unsigned int)(flags | PACKET_FANOUT_FLAG_UNIQUEID) << 16);
	rc = setsockopt(ap->rxq[0].fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v)) < 0 ? -errno : 0;
	if (rc == -EINVAL) {
		flags &= ~PACKET_FANOUT_FLAG_IGNORE_OUTGOING;
		/* flags (bit 15 included) go in the top half: shift unsigned, as the kernel reads it */
		v = (int)((unsigned int)(flags | PACKET_FANOUT_FLAG_UNIQUEID) << 16);
		rc = setsockopt(ap->rxq[0].fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v)) < 0
			     ? -errno
			     : 0;
	}
	if (rc != 0 && rc != -EALREADY) {
		PRX_LOG(ERR, PORT, "%s: setsockopt(PACKET_FANOUT) failed: %s", port->name,
			strerror(-rc));
		return rc;
	}
	len = sizeof(v);
	if (getsockopt(ap->rxq[0].fd, SOL_PACKET, PACKET_FANOUT, &v, &len) < 0) {
		rc = -errno;
		PRX_LOG(ERR, PORT, "%s: getsockopt(PACKET_FANOUT) failed: %s", port->name,
			strerror(-rc));
		return rc;
	}
	/* id in bits 0-15, type and flags in 16-31: what the group really has */
	ap->fanout_id = v & 0xffff;
	flags = (int)(((unsigned int)v >> 16) & 0xffff);
	v = (int)((unsigned int)ap->fanout_id | (unsigned int)flags << 16);
	for (uint16_t q = 1; q < ap->n_rxq; q++)
		if (setsockopt(ap->rxq[q].fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v)) < 0 &&
		    errno != EALREADY) {
			rc = -errno;
			PRX_LOG(ERR, PORT, "%s: setsockopt(PACKET_FANOUT, group %d) failed: %s",
				port->name, ap->fanout_id, strerror(-rc));
			return rc;
		}
	PRX_LOG(INFO, PORT, "%s: %u rx queues in fanout group %d (hash%s%s)", port->name, ap->n_rxq,
		ap->fanout_id, (flags & PACKET_FANOUT_FLAG_DEFRAG) ? ", defrag" : "",
		(flags & PACKET_FANOUT_FLAG_IGNORE_OUTGOING) ? ", ignore outgoing" : "");
	return 0;
}

/* Stopped queues keep a drop-all filter: a fanout member cannot be unbound. */
static int
set_drop_all(struct prx_port *port, bool on)
{
	struct afp_port *ap = port->priv;
	struct sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = {.len = 1, .filter = &drop_all};
	int dummy = 0, rc;

	for (uint16_t q = 0; q < ap->n_rxq; q++) {
		rc = on ? setsockopt(ap->rxq[q].fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
				     sizeof(prog))
			: setsockopt(ap->rxq[q].fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy,
				     sizeof(dummy));
		if (rc < 0 && !(errno == ENOENT && !on)) {
			rc = -errno;
			PRX_LOG(ERR, PORT, "%s: setsockopt(%s) on rx queue %u failed: %s",
				port->name, on ? "SO_ATTACH_FILTER" : "SO_DETACH_FILTER", q,
				strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static bool
if_up(const struct afp_port *ap)
{
	struct ifreq ifr;

	return prx__afp_if_ioctl(ap, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
}

/* Join the fanout group if there is one to join, then let frames in. */
static int
rx_open_gate(struct prx_port *port)
{
	struct afp_port *ap = port->priv;
	int rc;

	if (ap->n_rxq > 1 && !ap->joined) {
		rc = join_fanout(port);
		if (rc != 0)
			return rc;
		ap->joined = true;
	}
	return set_drop_all(port, false);
}

static int
afp_start(struct prx_port *port)
{
	struct afp_port *ap = port->priv;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ap->ifindex,
	};
	int rc;

	if (!ap->bound) {
		for (uint16_t q = 0; q < ap->n_rxq; q++)
			if (bind(ap->rxq[q].fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
				rc = -errno;
				PRX_LOG(ERR, PORT, "%s: bind(rx queue %u to %s) failed: %s",
					port->name, q, ap->ifname, strerror(-rc));
				return rc;
			}
		ap->bound = true;
	}
	for (uint16_t q = 0; q < ap->n_rxq; q++)
		prx__afp_rxq_drain(&ap->rxq[q]);
	/* only sockets hooked to an up interface can join a fanout group */
	if (ap->n_rxq > 1 && !ap->joined && !if_up(ap)) {
		ap->join_pending = true;
		PRX_LOG(NOTICE, PORT,
			"%s: %s is down: its %u rx queues join their fanout group when link sees it up",
			port->name, ap->ifname, ap->n_rxq);
		return 0;
	}
	return rx_open_gate(port);
}

static void
afp_stop(struct prx_port *port)
{
	struct afp_port *ap = port->priv;

	ap->join_pending = false;
	set_drop_all(port, true);
}

static void
afp_close(struct prx_port *port)
{
	struct afp_port *ap = port->priv;

	free_queues(ap);
	prx__afp_super_frames_restore(port);
	if (ap->ctl_fd >= 0)
		close(ap->ctl_fd);
	ap->ctl_fd = -1;
}

static int
afp_hw_stats(struct prx_port *port, struct prx_port_hw_stats *st)
{
	struct afp_port *ap = port->priv;

	for (uint16_t q = 0; q < ap->n_rxq; q++) {
		struct afp_rxq *rq = &ap->rxq[q];
		struct tpacket_stats_v3 ks;
		socklen_t len = ap->version == TPACKET_V3 ? sizeof(struct tpacket_stats_v3)
							  : sizeof(struct tpacket_stats);

		/* reading resets the kernel's counters: accumulate (any thread may ask) */
		if (getsockopt(rq->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) == 0)
			__atomic_fetch_add(&rq->kernel_drops, ks.tp_drops, __ATOMIC_RELAXED);
		else
			PRX_LOG(WARNING, PORT, "%s: getsockopt(PACKET_STATISTICS) failed: %s",
				port->name, strerror(errno));
		st->imissed += __atomic_load_n(&rq->kernel_drops, __ATOMIC_RELAXED);
		st->ipackets += prx_counter_read(&rq->st.packets);
		st->ibytes += prx_counter_read(&rq->st.bytes);
		st->rx_nombuf += prx_counter_read(&rq->st.nombuf);
		st->ierrors +=
			prx_counter_read(&rq->st.truncated) + prx_counter_read(&rq->st.bad_vnet);
	}
	for (uint16_t q = 0; q < ap->n_txq; q++) {
		const struct afp_txq *tq = &ap->txq[q];

		st->opackets += prx_counter_read(&tq->st.packets);
		st->obytes += prx_counter_read(&tq->st.bytes);
		st->oerrors += prx_counter_read(&tq->st.refused);
	}
	return 0;
}

static int
afp_link(struct prx_port *port, struct prx_port_link *link)
{
	struct afp_port *ap = port->priv;
	struct ethtool_cmd ec = {.cmd = ETHTOOL_GSET};
	struct ifreq ifr;
	int rc;

	rc = prx__afp_if_ioctl(ap, SIOCGIFFLAGS, &ifr);
	if (rc != 0) {
		PRX_LOG(ERR, PORT, "%s: ioctl(SIOCGIFFLAGS) on %s failed: %s", port->name,
			ap->ifname, strerror(-rc));
		return rc;
	}
	link->up = (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	if (ap->join_pending && (ifr.ifr_flags & IFF_UP) && rx_open_gate(port) == 0) {
		ap->join_pending = false;
		PRX_LOG(INFO, PORT, "%s: %s is up: rx queues receive", port->name, ap->ifname);
	}
	if (prx__afp_ethtool(ap, &ec) == 0) {
		uint32_t speed = ethtool_cmd_speed(&ec);

		link->speed_mbps = speed == (uint32_t)SPEED_UNKNOWN ? 0 : speed;
		link->full_duplex = ec.duplex == DUPLEX_FULL;
	}
	/* A link-down leaves ENETDOWN pending on bound rx sockets, and their fds poll
	 * EPOLLERR until it is read: read it here, on the control thread. */
	for (uint16_t q = 0; q < ap->n_rxq; q++) {
		socklen_t len = sizeof(rc);

		getsockopt(ap->rxq[q].fd, SOL_SOCKET, SO_ERROR, &rc, &len);
	}
	return 0;
}

static int
afp_rx_wakeup_fd(struct prx_port *port, uint16_t q)
{
	struct afp_port *ap = port->priv;

	return q < ap->n_rxq ? ap->rxq[q].fd : -EINVAL;
}

static const struct prx_port_ops afp_ops = {
	.driver = "afpacket",
	.configure = afp_configure,
	.start = afp_start,
	.stop = afp_stop,
	.close = afp_close,
	.hw_stats = afp_hw_stats,
	.link = afp_link,
	.rx_wakeup_fd = afp_rx_wakeup_fd,
};

/* ------------------------------------------------------------------ probe */

void
prx_afpacket_params_defaults(struct prx_afpacket_params *p)
{
	if (p->ring_frames == 0)
		p->ring_frames = p->gso ? AFP_GSO_RING_FRAMES : AFP_DEFAULT_RING_FRAMES;
	if (p->ring == PRX_AFPACKET_RING_DEFAULT || p->gso)
		p->ring = PRX_AFPACKET_RING_V2; /* the kernel gives super-frames to V2 rings */
	if (p->block_size == 0)
		p->block_size = AFP_DEFAULT_BLOCK_SIZE;
	if (p->retire_tov_ms == 0)
		p->retire_tov_ms = AFP_DEFAULT_RETIRE_TOV_MS;
}

static int
numa_node(const char *ifname)
{
	char path[128];
	FILE *f;
	int node = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node", ifname);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &node) != 1)
		node = -1;
	fclose(f);
	return node;
}

int
prx_afpacket_port_probe(const struct prx_afpacket_params *p, struct prx_port **out)
{
	struct prx_afpacket_params params = *p;
	struct afp_port tmp = {.ctl_fd = -1};
	struct prx_port *port;
	struct ifreq ifr;
	int rc;

	*out = NULL;
	if (p->name == NULL || p->ifname == NULL || strlen(p->ifname) >= IFNAMSIZ)
		return -EINVAL;
	prx_afpacket_params_defaults(&params);
	if (params.ring != PRX_AFPACKET_RING_V2 && params.ring != PRX_AFPACKET_RING_V3) {
		PRX_LOG(ERR, PORT, "%s: afpacket ring version %d unknown (2 or 3)", p->name,
			(int)params.ring);
		return -EINVAL;
	}
	snprintf(tmp.ifname, sizeof(tmp.ifname), "%s", p->ifname);
	tmp.ifindex = (int)if_nametoindex(p->ifname);
	if (tmp.ifindex == 0) {
		rc = -errno;
		PRX_LOG(ERR, PORT, "%s: no interface \"%s\": if_nametoindex() failed: %s", p->name,
			p->ifname, strerror(-rc));
		return rc == -ENXIO || rc == -ENOENT ? -ENODEV : rc;
	}
	tmp.ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tmp.ctl_fd < 0) {
		rc = -errno;
		PRX_LOG(ERR, PORT, "%s: socket(AF_INET) failed: %s", p->name, strerror(-rc));
		return rc;
	}
	rc = prx__afp_if_ioctl(&tmp, SIOCGIFHWADDR, &ifr);
	if (rc != 0) {
		PRX_LOG(ERR, PORT, "%s: ioctl(SIOCGIFHWADDR) on %s failed: %s", p->name, p->ifname,
			strerror(-rc));
		goto fail;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		PRX_LOG(ERR, PORT, "%s: %s is not an Ethernet interface (ARPHRD %u)", p->name,
			p->ifname, ifr.ifr_hwaddr.sa_family);
		rc = -ENOTSUP;
		goto fail;
	}
	rc = prx_port_alloc(p->name, &afp_ops, sizeof(struct afp_port), numa_node(p->ifname),
			    &port);
	if (rc != 0)
		goto fail;
	memcpy(&port->mac, ifr.ifr_hwaddr.sa_data, RTE_ETHER_ADDR_LEN);
	port->max_rxq = AFP_MAX_RXQ;
	port->max_txq = PRX_MAX_REACTORS;
	port->rx_hot = true; /* frames copied out of the ring by the reactor */
	tmp.params = params;
	tmp.params.name = NULL; /* not kept: the caller's strings */
	tmp.params.ifname = NULL;
	tmp.version = params.ring == PRX_AFPACKET_RING_V3 ? TPACKET_V3 : TPACKET_V2;
	memcpy(port->priv, &tmp, sizeof(tmp));
	PRX_LOG(INFO, PORT,
		"%s: interface %s (ifindex %d), MAC " RTE_ETHER_ADDR_PRT_FMT ", socket %d", p->name,
		p->ifname, tmp.ifindex, RTE_ETHER_ADDR_BYTES(&port->mac), port->socket);
	*out = port;
	return 0;
fail:
	close(tmp.ctl_fd);
	return rc;
}

int
prx_afpacket_mtu(const struct prx_port *port)
{
	if (port == NULL || port->ops != &afp_ops)
		return -EINVAL;
	return get_mtu(port->priv, port->name);
}
