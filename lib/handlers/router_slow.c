/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's slow path, on the control thread: what its reactors punt (ARP frames,
 * TTL expired, no route, neighbour unresolved) and its timers.
 *
 * Unresolved neighbours: a punted packet is held on its neighbour's queue (at most
 * `hold`; beyond that, and while a failed neighbour is blocked, the fast path drops
 * with neigh_unresolved without punting), an ARP request goes out at once and again
 * every second, three in all; the reply sends what was held.  Without a reply the held
 * packets are dropped and counted (ICMP host unreachable to each sender) and the
 * neighbour is blocked for 3 s.  Every packet that comes here is sent, kept on a queue
 * that is emptied (sent or dropped) later, or freed and counted: none is leaked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prx_slowpath.h"
#include "router_internal.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool
take(struct rt_bucket *b, uint64_t now)
{
	if (b->rate == 0)
		return false;
	if (now > b->last_ns) {
		b->tokens += (double)(now - b->last_ns) * b->rate / 1e9;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last_ns = now;
	}
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

static struct rte_mbuf *
rt_alloc(struct rt *rt)
{
	struct rte_mbuf *m =
		rt->ctl->pool != NULL ? rte_pktmbuf_alloc(rt->ctl->pool) : prx_slowpath_alloc();

	if (m == NULL)
		rt->ctl->st.send_failed++;
	return m;
}

static bool
rt_send(struct rt *rt, uint16_t slot, struct rte_mbuf *m)
{
	struct rt_ctl *c = rt->ctl;
	int rc = c->send != NULL ? c->send(c->send_ctx, slot, m) : prx_slowpath_send(slot, m);

	if (rc != 0)
		c->st.send_failed++;
	return rc == 0;
}

/* The appliance's address to send an ICMP error from: the input port's, else any. */
static uint32_t
icmp_source(const struct rt_ctl *c, uint16_t in)
{
	if (in < PRX_MAX_PORTS && c->port_known[in] && c->ports[in].addr4 != 0)
		return c->ports[in].addr4;
	for (unsigned int s = 0; s < PRX_MAX_PORTS; s++)
		if (c->port_known[s] && c->ports[s].addr4 != 0)
			return c->ports[s].addr4;
	return 0;
}

/* Answer the frame m (received on port `in`) with ICMP (type, code); m is not freed. */
static void
icmp_error(struct rt *rt, struct rte_mbuf *m, uint16_t in, uint8_t type, uint8_t code, uint64_t now)
{
	struct rt_ctl *c = rt->ctl;
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	struct prx_pkt_info pi;
	struct rte_mbuf *e;
	uint32_t src;
	uint16_t len;

	src = icmp_source(c, in);
	if (prx_parse_mbuf(m, &pi) != 0 || !rt_icmp_allowed(d, &pi) || src == 0 ||
	    in >= PRX_MAX_PORTS || !c->port_known[in]) {
		c->st.icmp_suppressed++;
		return;
	}
	if (!take(&c->icmp, now)) {
		c->st.icmp_rate_limited++;
		return;
	}
	e = rt_alloc(rt);
	if (e == NULL)
		return;
	len = rt_build_icmp_error(rte_pktmbuf_mtod(e, uint8_t *), rte_pktmbuf_tailroom(e), d, &pi,
				  type, code, c->ports[in].mac, src, c->ip_id++);
	if (len == 0) {
		rte_pktmbuf_free(e);
		c->st.icmp_suppressed++;
		return;
	}
	e->data_len = len;
	e->pkt_len = len;
	if (!rt_send(rt, in, e))
		return;
	if (type == 11)
		c->st.icmp_time_exceeded++;
	else if (code == 0)
		c->st.icmp_net_unreach++;
	else
		c->st.icmp_host_unreach++;
}

static void
arp_send(struct rt *rt, uint16_t slot, uint16_t op, const uint8_t *eth_dst, uint32_t spa,
	 const uint8_t *tha, uint32_t tpa)
{
	struct rt_ctl *c = rt->ctl;
	struct rte_mbuf *m = rt_alloc(rt);
	uint16_t len;

	if (m == NULL)
		return;
	len = rt_build_arp(rte_pktmbuf_mtod(m, uint8_t *), op, eth_dst, c->ports[slot].mac, spa,
			   tha, tpa);
	m->data_len = len;
	m->pkt_len = len;
	if (rt_send(rt, slot, m)) {
		if (op == 1)
			c->st.arp_requests++;
		else
			c->st.arp_replies++;
	}
}

static void
arp_request(struct rt *rt, uint32_t idx, uint64_t now)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct rt_ctl *c = rt->ctl;
	struct rt_neigh_ctl *e = &c->neigh[idx];
	uint8_t slot = (union rt_neigh){.w = rt->neigh[idx].w}.s.slot;

	if (slot < PRX_MAX_PORTS && c->port_known[slot])
		arp_send(rt, slot, 1, bcast, c->ports[slot].addr4, NULL, e->ip);
	e->tries++;
	e->due_ns = now + RT_ARP_RETRY_NS;
	if (!e->pending) {
		e->pending = true;
		e->next_pending = c->pending;
		c->pending = idx;
	}
}

/* Rewrite a packet for its next hop (TTL, checksum, MACs) and send it out of `slot`. */
static void
forward(struct rt *rt, struct rte_mbuf *m, uint16_t slot, const uint8_t *mac)
{
	struct rt_ctl *c = rt->ctl;
	struct prx_pkt_info pi;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

	if (prx_parse_mbuf(m, &pi) != 0 || pi.l3 != PRX_L3_IPV4 || slot >= PRX_MAX_PORTS ||
	    !c->port_known[slot]) {
		c->st.held_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	rt_ttl_dec(d + pi.l3_off);
	memcpy(d, mac, 6);
	memcpy(d + 6, c->ports[slot].mac, 6);
	if (rt_send(rt, slot, m))
		c->st.held_sent++;
}

void
rt_drop_held(struct rt *rt, uint32_t idx, uint64_t *counter, bool icmp, uint64_t now)
{
	struct rt_neigh_ctl *e = &rt->ctl->neigh[idx];

	for (uint16_t i = 0; i < e->n_held; i++) {
		if (icmp)
			icmp_error(rt, e->held[i], prx_punt_aux(e->held[i]), 3, 1, now);
		rte_pktmbuf_free(e->held[i]);
		(*counter)++;
	}
	e->n_held = 0;
}

void
rt_flush_held(struct rt *rt, uint32_t idx)
{
	struct rt_neigh_ctl *e = &rt->ctl->neigh[idx];
	union rt_neigh w = {.w = rt->neigh[idx].w};

	for (uint16_t i = 0; i < e->n_held; i++)
		forward(rt, e->held[i], prx_punt_slot(e->held[i]), w.s.mac);
	e->n_held = 0;
}

void
rt_neigh_resolved(struct rt *rt, uint32_t idx, uint8_t state, const uint8_t *mac, uint8_t slot)
{
	struct rt_neigh_ctl *e = &rt->ctl->neigh[idx];

	rt_neigh_publish(rt, idx, state, mac, slot);
	e->tries = 0;
	e->failed = false; /* the pending list lets go of it at the next tick */
	rt_flush_held(rt, idx);
}

static void
on_arp(struct rt *rt, struct rte_mbuf *m, uint16_t in, uint64_t now)
{
	struct rt_ctl *c = rt->ctl;
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *a, *sha;
	struct prx_pkt_info pi;
	bool for_us;
	int idx;

	if (prx_parse_mbuf(m, &pi) != 0 || pi.l3 != PRX_L3_ARP || in >= PRX_MAX_PORTS) {
		c->st.arp_ignored++;
		return;
	}
	a = d + pi.l3_off;
	sha = a + 8;
	for_us = c->port_known[in] && c->ports[in].addr4 != 0 && pi.dst4 == c->ports[in].addr4;
	/* learn the sender: refresh a neighbour we know; a new one only when it talks to
	 * us (as Linux does); never a static one, a group MAC or no address */
	idx = rt_neigh_find(rt, pi.src4);
	if (pi.src4 == 0 || (sha[0] & 1) != 0) {
		c->st.arp_ignored++;
	} else if (idx >= 0) {
		if ((union rt_neigh){.w = rt->neigh[idx].w}.s.state != NS_STATIC) {
			rt_neigh_resolved(rt, (uint32_t)idx, NS_REACHABLE, sha, (uint8_t)in);
			c->st.arp_learned++;
		}
	} else if (for_us) {
		idx = rt_neigh_get(rt, pi.src4, (uint8_t)in);
		if (idx >= 0) {
			rt_neigh_resolved(rt, (uint32_t)idx, NS_REACHABLE, sha, (uint8_t)in);
			c->st.arp_learned++;
		} else {
			c->st.neigh_full++;
		}
	} else {
		c->st.arp_ignored++;
	}
	if (pi.sport == 1 && for_us) {
		if (take(&c->arp, now))
			arp_send(rt, in, 2, sha, c->ports[in].addr4, sha, pi.src4);
		else
			c->st.arp_rate_limited++;
	}
}

/* A packet whose neighbour was unresolved when a reactor saw it. */
static void
on_unresolved(struct rt *rt, struct rte_mbuf *m, uint16_t in, uint64_t now)
{
	struct rt_ctl *c = rt->ctl;
	struct prx_pkt_info pi;
	struct rt_neigh_ctl *e;
	union rt_neigh w;
	const struct rt_nh *nh;
	uint32_t hop;
	int idx;

	if (prx_parse_mbuf(m, &pi) != 0 || pi.l3 != PRX_L3_IPV4) {
		c->st.held_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	/* the route as it is now: it may have changed since */
	if (rt_lookup(rt, pi.dst4, &hop) != 0) {
		icmp_error(rt, m, in, 3, 0, now);
		c->st.held_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	nh = &rt->nh[hop];
	idx = nh->kind == NH_GATEWAY	 ? (int)nh->neigh
	      : nh->kind == NH_CONNECTED ? rt_neigh_get(rt, pi.dst4, nh->slot)
					 : -EINVAL;
	if (idx < 0) {
		if (idx == -ENOSPC)
			c->st.neigh_full++;
		else
			c->st.held_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	e = &c->neigh[idx];
	w.w = rt->neigh[idx].w;
	if (w.s.state >= NS_REACHABLE) { /* resolved in the meantime */
		forward(rt, m, nh->slot, w.s.mac);
		return;
	}
	if (e->failed) {
		c->st.held_timeout++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!e->pending)
		arp_request(rt, (uint32_t)idx, now);
	if (e->held == NULL && c->hold > 0)
		e->held = malloc(c->hold * sizeof(*e->held));
	if (e->n_held >= c->hold || e->held == NULL) {
		c->st.held_overflow++;
		rte_pktmbuf_free(m);
	} else {
		/* remember where it goes and where it came from */
		prx_punt_meta_set(m, PRX_PUNT_NEIGH, nh->slot, 0, (uint8_t)in);
		e->held[e->n_held++] = m;
		c->st.held++;
	}
	/* full: the fast path drops instead of punting until it resolves */
	if (e->n_held >= c->hold)
		rt_neigh_publish(rt, (uint32_t)idx, NS_BLOCKED, NULL, w.s.slot);
}

void
rt_punt(void *ctx, struct rte_mbuf *m)
{
	struct rt *rt = ctx;
	uint16_t in = prx_punt_slot(m);
	uint64_t now = now_ns();

	switch (prx_punt_reason(m)) {
	case PRX_PUNT_ARP:
		on_arp(rt, m, in, now);
		break;
	case PRX_PUNT_TTL:
		icmp_error(rt, m, in, 11, 0, now);
		break;
	case PRX_PUNT_UNREACH:
		icmp_error(rt, m, in, 3, 0, now);
		break;
	case PRX_PUNT_NEIGH:
		on_unresolved(rt, m, in, now);
		return; /* m is held, sent or freed there */
	default:
		break;
	}
	rte_pktmbuf_free(m);
}

void
rt_tick(void *ctx, uint64_t now)
{
	struct rt *rt = ctx;
	struct rt_ctl *c = rt->ctl;
	uint32_t *link = &c->pending;

	rt_defer_reclaim(rt);
	while (*link != UINT32_MAX) {
		uint32_t idx = *link;
		struct rt_neigh_ctl *e = &c->neigh[idx];
		union rt_neigh w = {.w = rt->neigh[idx].w};

		if (w.s.state >= NS_REACHABLE || e->ip == 0) {
			*link = e->next_pending; /* resolved, or gone */
			e->pending = false;
			continue;
		}
		if (now < e->due_ns) {
			link = &e->next_pending;
			continue;
		}
		if (!e->failed && e->tries < RT_ARP_TRIES) {
			arp_request(rt, idx, now);
			link = &e->next_pending;
		} else if (!e->failed) {
			/* no answer: drop what waits, block new packets for a while */
			e->failed = true;
			e->due_ns = now + RT_BLOCK_NS;
			rt_drop_held(rt, idx, &c->st.held_timeout, true, now);
			rt_neigh_publish(rt, idx, NS_BLOCKED, NULL, w.s.slot);
			link = &e->next_pending;
		} else {
			/* blocked long enough: the next packet tries again */
			*link = e->next_pending;
			e->pending = false;
			e->failed = false;
			e->tries = 0;
			if (e->refs == 0 && e->n_held == 0)
				rt_neigh_remove(rt, idx);
			else
				rt_neigh_publish(rt, idx, NS_INCOMPLETE, NULL, w.s.slot);
		}
	}
}
