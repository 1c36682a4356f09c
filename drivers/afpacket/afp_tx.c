/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_PACKET tx: one packet socket per tx queue, bound to the interface with protocol 0
 * so that it receives nothing.  One sendmmsg() per burst, never blocking.  A TPACKET_V2
 * tx ring (copy into the ring, one send()) was measured against it and lost: see
 * docs/afpacket.md.
 */
#include "afp_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <string.h>
#include <unistd.h>

#include "prx_log.h"

static inline void
count_sent(struct afp_txq *q, struct rte_mbuf **pkts, uint16_t sent)
{
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < sent; i++)
		bytes += pkts[i]->pkt_len;
	rte_pktmbuf_free_bulk(pkts, sent);
	prx_counter_add(&q->st.packets, sent);
	prx_counter_add(&q->st.bytes, bytes);
}

/* errno values that mean "not now" (full queue, link down): no log */
static inline bool
quiet_errno(int e)
{
	return e == EAGAIN || e == ENOBUFS || e == ENETDOWN || e == ENXIO;
}

/*
 * sendmmsg(): one message per packet, one iovec per mbuf segment, pointing into the
 * mbufs (the kernel copies once, into its skb).  The kernel stops at the first message it
 * refuses and reports how many it took; the caller keeps the rest.
 */
uint16_t
prx__afp_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	struct afp_txq *q = txq;
	unsigned int niov = 0;
	uint16_t k;
	int rc;

	if (n > PRX_BURST_MAX)
		n = PRX_BURST_MAX;
	for (k = 0; k < n; k++) {
		struct rte_mbuf *m = pkts[k];
		struct msghdr *h = &q->msg[k].msg_hdr;

		if (niov + m->nb_segs + 1 > AFP_TX_IOV_MAX)
			break;
		h->msg_iov = &q->iov[niov];
		h->msg_iovlen = m->nb_segs;
		if (q->vnet) {
			/* gso (afp_vnet.c): what the frame still owes, for the kernel */
			prx__afp_mbuf_to_vnet(m, &q->vh[k]);
			q->iov[niov].iov_base = &q->vh[k];
			q->iov[niov++].iov_len = sizeof(q->vh[k]);
			h->msg_iovlen++;
		} else if (unlikely(m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG |
						   RTE_MBUF_F_TX_UDP_SEG)) &&
			   prx__afp_offload_in_software(m) != 0) {
			/* a super-frame from a gso port: it cannot leave here whole */
			if (prx__afp_log_ok(&q->log_next))
				PRX_LOG(WARNING, PORT,
					"%s: a %u-byte super-frame cannot leave through a port "
					"without afpacket.gso (refused)",
					q->port_name, m->pkt_len);
			break;
		}
		for (; m != NULL; m = m->next) {
			q->iov[niov].iov_base = rte_pktmbuf_mtod(m, void *);
			q->iov[niov].iov_len = m->data_len;
			niov++;
		}
	}
	rc = k == 0 ? 0 : sendmmsg(q->fd, q->msg, k, MSG_DONTWAIT);
	if (rc < 0) {
		int e = errno;

		if (!quiet_errno(e) && prx__afp_log_ok(&q->log_next))
			PRX_LOG(WARNING, PORT, "%s: sendmmsg() failed: %s (burst refused)",
				q->port_name, strerror(e));
		rc = 0;
	}
	if (rc < n)
		prx_counter_add(&q->st.refused, (uint64_t)(n - rc));
	if (rc > 0)
		count_sent(q, pkts, (uint16_t)rc);
	return (uint16_t)rc;
}

static int
setsockopt_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v)) < 0 ? -errno : 0;
}

int
prx__afp_txq_open(struct afp_txq *q, const char *port, int ifindex, bool qdisc_bypass, bool vnet)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0, /* no protocol hook: the socket receives nothing */
		.sll_ifindex = ifindex,
	};
	const char *what;
	int fd, rc;

	q->fd = -1;
	q->port_name = port;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = -errno;
		PRX_LOG(ERR, PORT, "%s: socket(AF_PACKET) failed: %s", port, strerror(-rc));
		return rc;
	}
	what = "bind";
	rc = bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ? -errno : 0;
	if (rc != 0)
		goto fail;
	if (qdisc_bypass) {
		what = "PACKET_QDISC_BYPASS";
		rc = setsockopt_int(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1);
		if (rc != 0)
			goto fail;
	}
	if (vnet) {
		what = "PACKET_VNET_HDR";
		rc = setsockopt_int(fd, SOL_PACKET, PACKET_VNET_HDR, 1);
		if (rc != 0)
			goto fail;
	}
	q->vnet = vnet;
	q->fd = fd;
	return 0;
fail:
	PRX_LOG(ERR, PORT, "%s: %s on the tx socket failed: %s", port, what, strerror(-rc));
	close(fd);
	return rc;
}

void
prx__afp_txq_close(struct afp_txq *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
