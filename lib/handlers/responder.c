/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The responder: answers ARP requests and ICMP echo requests for the appliance's own
 * address on the port a packet came in on (`address` of the port), inline in the
 * reactor, and passes everything else on.  Answers are rate-limited by a token bucket
 * per (reactor, input port), so a flood of requests cannot make the appliance an
 * amplifier: what the bucket refuses is dropped as rate_limited.
 *
 * Replies are made in place from the request (no allocation): addresses swapped, the
 * operation or ICMP type changed, checksums updated.  VLAN tags stay as they came.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "prx_handlers.h"
#include "prx_parse.h"

#define ARP_REQUEST 1
#define ARP_REPLY 2
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define REPLY_TTL 64

/* A token bucket: written only by the reactor that owns its slot. */
struct bucket {
	uint64_t tokens_x1k; /* tokens * 1000, so slow rates refill without rounding to 0 */
	uint64_t last_tsc;
} __rte_cache_aligned;

struct responder {
	uint64_t rate;	    /* tokens per second */
	uint64_t burst_x1k; /* bucket depth * 1000 */
	uint64_t hz;
	struct bucket b[PRX_MAX_REACTORS][PRX_MAX_PORTS];
};

/* Take a token from the bucket of (reactor, port); false when it is empty. */
static bool
take_token(struct responder *r, uint16_t reactor, uint16_t slot)
{
	struct bucket *b = &r->b[reactor][slot];
	uint64_t now = rte_rdtsc(), add;

	if (b->last_tsc == 0 || now - b->last_tsc >= r->hz) {
		b->tokens_x1k = r->burst_x1k; /* first use, or idle for a second: full */
	} else {
		/* < 1 s of cycles (< 2^33) x rate (< 2^24) x 1000 (< 2^10): fits */
		add = (now - b->last_tsc) * r->rate * 1000 / r->hz;
		b->tokens_x1k = RTE_MIN(r->burst_x1k, b->tokens_x1k + add);
	}
	b->last_tsc = now;
	if (b->tokens_x1k < 1000)
		return false;
	b->tokens_x1k -= 1000;
	return true;
}

/* ARP request for us -> reply in place. */
static void
arp_reply(uint8_t *d, const struct prx_pkt_info *pi, const struct prx_port *port)
{
	uint8_t *arp = d + pi->l3_off;
	uint16_t op = rte_cpu_to_be_16(ARP_REPLY);
	uint32_t our = port->addr4;

	/* Ethernet: to the asker, from us */
	memcpy(d, arp + 8, RTE_ETHER_ADDR_LEN);
	memcpy(d + RTE_ETHER_ADDR_LEN, port->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(arp + 6, &op, 2);
	/* target := sender; sender := us */
	memcpy(arp + 18, arp + 8, RTE_ETHER_ADDR_LEN + 4);
	memcpy(arp + 8, port->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(arp + 14, &our, 4);
}

/* ICMP echo request for us -> echo reply in place. */
static void
echo_reply(uint8_t *d, const struct prx_pkt_info *pi, const struct prx_port *port)
{
	uint8_t *ip = d + pi->l3_off, *icmp = d + pi->l4_off;
	uint16_t old, new, csum, zero = 0;

	memcpy(d, d + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(d + RTE_ETHER_ADDR_LEN, port->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	/* IP: swap the addresses, a fresh TTL, the header checksum recomputed */
	memcpy(ip + 16, &pi->src4, 4);
	memcpy(ip + 12, &pi->dst4, 4);
	ip[8] = REPLY_TTL;
	memcpy(ip + 10, &zero, 2);
	csum = prx_csum_fold(prx_csum_add(0, ip, pi->l3_len));
	memcpy(ip + 10, &csum, 2);
	/* ICMP: type 8 -> 0 changes one 16-bit word (type, code) */
	memcpy(&old, icmp, 2);
	icmp[0] = ICMP_ECHO_REPLY;
	memcpy(&new, icmp, 2);
	memcpy(&csum, icmp + 2, 2);
	csum = prx_csum_update16(csum, old, new);
	memcpy(icmp + 2, &csum, 2);
}

static void
responder_process(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts,
		  uint16_t n)
{
	struct responder *r = h->priv;
	const struct prx_port *port = p->ports[p->in_slot];

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct prx_pkt_info pi;
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
		int rc = prx_parse_mbuf(m, &pi);
		bool arp, echo;

		if (rc != 0) {
			prx_pkt_drop(p, m, (enum prx_drop_reason)rc);
			continue;
		}
		arp = pi.l3 == PRX_L3_ARP && pi.sport == ARP_REQUEST;
		echo = pi.l3 == PRX_L3_IPV4 && pi.l4_proto == 1 && pi.l4_off != 0 && !pi.fragment &&
		       pi.sport == ICMP_ECHO;
		if (port == NULL || port->addr4 == 0 || !(arp || echo) || pi.dst4 != port->addr4) {
			prx_pkt_next(p, m);
			continue;
		}
		if (!take_token(r, p->id, p->in_slot)) {
			prx_pkt_drop(p, m, PRX_DROP_RATE_LIMITED);
			continue;
		}
		if (arp)
			arp_reply(d, &pi, port);
		else
			echo_reply(d, &pi, port);
		prx_pkt_tx(p, p->in_slot, m);
	}
}

int
prx_responder_create(const char *name, const struct prx_conf_responder *conf,
		     struct prx_handler **out)
{
	struct responder *r;
	int rc;

	*out = NULL;
	if (conf->rate == 0 || conf->burst == 0)
		return -EINVAL;
	rc = prx_handler_alloc(name, "responder", responder_process, sizeof(*r), out);
	if (rc != 0)
		return rc;
	r = (*out)->priv;
	r->rate = conf->rate;
	r->burst_x1k = (uint64_t)conf->burst * 1000;
	r->hz = rte_get_tsc_hz();
	return 0;
}
