/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router handler: its fast path (prx_router.h lists what happens to each packet),
 * creation and destruction, counters.  One rte_fib_lookup_bulk() per burst.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_prefetch.h>

#include "prx_punt.h"
#include "prx_slowpath.h"
#include "router_fast.h"
#include "router_internal.h"

#define PREFETCH 4 /* packets ahead */

static const char router_type[] = "router";

static inline bool
mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t x, y;
	uint16_t u, v;

	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	memcpy(&u, a + 4, 2);
	memcpy(&v, b + 4, 2);
	return ((x ^ y) | (uint32_t)(u ^ v)) == 0;
}

static inline void
punt(struct prx_pipe *p, const struct rt *rt, struct rte_mbuf *m, enum prx_punt_reason why)
{
	prx_punt_meta_set(m, why, p->in_slot, rt->consumer, 0);
	prx_pkt_punt(p, m);
}

/* Counts of one burst, added to the reactor's counters once. */
struct burst_count {
	uint64_t local, arp, ttl, unreach, neigh, unres;
};

/*
 * The second stage: pkt m (IPv4 header at l3), whose lookup gave `hop`, rewritten for
 * its next hop: @return its egress slot, or -1 when it went elsewhere (punted, passed
 * on, dropped).
 */
static inline int
route_one(struct prx_pipe *p, struct rt *rt, struct rte_mbuf *m, uint16_t l3, uint32_t dst,
	  uint64_t hop, struct burst_count *bc)
{
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *), *ip = eth + l3;
	const struct rt_nh *nh;
	union rt_neigh w;

	if (unlikely(hop - 1 >= RT_MAX_NH - 1)) { /* no route, or a group being recycled */
		punt(p, rt, m, hop == RT_NH_TRANSIENT ? PRX_PUNT_NEIGH : PRX_PUNT_UNREACH);
		if (hop == RT_NH_TRANSIENT)
			bc->neigh++;
		else
			bc->unreach++;
		return -1;
	}
	nh = &rt->nh[hop];
	if (likely(nh->kind == NH_GATEWAY)) {
		w.w = __atomic_load_n(&rt->neigh[nh->neigh].w, __ATOMIC_ACQUIRE);
	} else if (nh->kind == NH_LOCAL) {
		prx_pkt_next(p, m);
		bc->local++;
		return -1;
	} else {
		uint32_t key = rte_cpu_to_be_32(dst);
		void *data;

		w.w = 0; /* unknown: NS_FREE, punted below */
		if (rte_hash_lookup_data(rt->nhash, &key, &data) >= 0)
			w.w = __atomic_load_n(&rt->neigh[(uintptr_t)data].w, __ATOMIC_ACQUIRE);
	}
	if (unlikely(ip[8] <= 1)) {
		punt(p, rt, m, PRX_PUNT_TTL);
		bc->ttl++;
		return -1;
	}
	if (unlikely(w.s.state < NS_REACHABLE)) {
		if (w.s.state == NS_BLOCKED) {
			prx_pkt_drop(p, m, PRX_DROP_NEIGH_UNRESOLVED);
			bc->unres++;
		} else {
			punt(p, rt, m, PRX_PUNT_NEIGH);
			bc->neigh++;
		}
		return -1;
	}
	/* a port gone since makes the transmission a no_port drop */
	rt_ttl_dec(ip);
	memcpy(eth, w.s.mac, 6);
	memcpy(eth + 6, nh->src_mac, 6);
	return nh->slot;
}

/* Where the burst's IPv4 packets to route go, before the lookup.  l3[] is 0 for a frame
 * rt_fast_ipv4() took (IPv4 header at 14), else the header's offset. */
struct v4_list {
	uint16_t k;
	uint32_t ips[PRX_BURST_MAX];
	uint16_t l3[PRX_BURST_MAX];
	struct rte_mbuf *m[PRX_BURST_MAX];
};

/* What the shortcut does not take: parsed in full, dropped with the parser's reason,
 * punted (ARP), passed on, or to be routed with its VLAN tags or options: then
 * @return its IPv4 header's offset << 32 | its destination (network order), else 0. */
static __rte_noinline uint64_t
classify(struct prx_pipe *p, const struct rt *rt, struct rte_mbuf *m, const uint8_t *in_mac,
	 struct burst_count *bc)
{
	struct prx_pkt_info pi;
	int rc = prx_parse_mbuf(m, &pi);

	if (rc != 0) {
		prx_pkt_drop(p, m, (enum prx_drop_reason)rc);
	} else if (pi.l3 == PRX_L3_IPV4) {
		if (mac_eq(rte_pktmbuf_mtod(m, uint8_t *), in_mac))
			return (uint64_t)pi.l3_off << 32 | pi.dst4;
		prx_pkt_next(p, m);
		bc->local++;
	} else if (pi.l3 == PRX_L3_ARP) {
		punt(p, rt, m, PRX_PUNT_ARP);
		bc->arp++;
	} else {
		prx_pkt_drop(p, m, PRX_DROP_NOT_IP);
	}
	return 0;
}

/* A frame rt_fast_ipv4() did not take: the plain IPv4 shortcut, else classify(); the
 * same result as classify(). */
static __rte_noinline uint64_t
admit(struct prx_pipe *p, const struct rt *rt, struct rte_mbuf *m, const uint8_t *in_mac,
      struct burst_count *bc)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t dst;

	/* only what is sent to us is routed: not what a promiscuous port overhears, nor
	 * broadcasts */
	if (rt_plain_ipv4(d, rte_pktmbuf_data_len(m), &dst) && mac_eq(d, in_mac))
		return (uint64_t)RTE_ETHER_HDR_LEN << 32 | dst;
	return classify(p, rt, m, in_mac, bc);
}

/* The next hop `hop` when route_one() would rewrite any packet with a TTL > 1 for it
 * (a gateway whose neighbour is reachable): true with its egress slot and both MACs. */
static inline bool
hop_fast(const struct rt *rt, uint64_t hop, uint16_t *slot, union rt_macs *macs)
{
	const struct rt_nh *nh;
	union rt_neigh w;

	if (unlikely(hop - 1 >= RT_MAX_NH - 1))
		return false;
	nh = &rt->nh[hop];
	if (unlikely(nh->kind != NH_GATEWAY))
		return false;
	w.w = __atomic_load_n(&rt->neigh[nh->neigh].w, __ATOMIC_ACQUIRE);
	if (unlikely(w.s.state < NS_REACHABLE))
		return false;
	memset(macs, 0, sizeof(*macs));
	memcpy(macs->b, w.s.mac, 6);
	memcpy(macs->b + 6, nh->src_mac, 6);
	*slot = nh->slot;
	return true;
}

/* Send the routed packets m[0..n-1], slot[i] each: each run to one port is one burst (a
 * whole burst to an empty buffer goes to the driver without a copy). */
static __rte_noinline void
tx_runs(struct prx_pipe *p, struct rte_mbuf **m, const uint16_t *slot, uint16_t n)
{
	for (uint16_t i = 0; i < n;) {
		uint16_t j = (uint16_t)(i + 1);

		while (j < n && slot[j] == slot[i])
			j++;
		prx_pkt_tx_burst(p, slot[i], &m[i], (uint16_t)(j - i));
		i = j;
	}
}

/*
 * Two passes around one bulk FIB lookup.  The first sorts the burst: the common frame
 * (rt_fast_ipv4) is queued for the lookup with a handful of vector instructions, the
 * rest goes through admit().  The second rewrites the common frame for its next hop,
 * which is looked at once per run of packets to the same one (the neighbour's word is
 * read once per run, as a burst is processed as of one instant), and hands any other to
 * route_one().  Forwarded packets keep their order.
 */
static void
rt_process(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	struct rt *rt = h->priv;
	struct rt_rstats *rs = &rt->rstats[p->id];
	const uint8_t *in_mac = p->ports[p->in_slot]->mac.addr_bytes;
	uint64_t hops[PRX_BURST_MAX], c_hop = UINT64_MAX;
	struct burst_count bc = {0};
	struct rt_fast_key key;
	union rt_macs macs;
	uint16_t i, k = 0, fwd = 0, c_slot = 0;
	uint32_t ports = 0; /* bit s: something forwarded to slot s */
	struct v4_list v;

	rt_fast_key_init(&key, in_mac);
	for (i = 0; i < n && i < PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t dst;

		if (i + PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH], void *));
		if (likely(rt_fast_ipv4(&key, rte_pktmbuf_mtod(m, const uint8_t *),
					rte_pktmbuf_data_len(m), &dst))) {
			v.ips[k] = rte_be_to_cpu_32(dst);
			v.l3[k] = 0;
			v.m[k++] = m;
		} else {
			uint64_t r = admit(p, rt, m, in_mac, &bc);

			if (r != 0) {
				v.ips[k] = rte_be_to_cpu_32((uint32_t)r);
				v.l3[k] = (uint16_t)(r >> 32);
				v.m[k++] = m;
			}
		}
	}
	if (k > 0)
		rte_fib_lookup_bulk(rt->fib, v.ips, hops, k);
	/* rewritten packets stay in v.m[], in order, with their egress slots in v.l3[] */
	for (i = 0; i < k; i++) {
		struct rte_mbuf *m = v.m[i];
		uint16_t l3 = v.l3[i];
		int slot;

		if (likely(l3 == 0)) {
			if (likely(hops[i] == c_hop) || hop_fast(rt, hops[i], &c_slot, &macs)) {
				uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

				c_hop = hops[i];
				rt_macs_write(d, &macs);
				rt_ttl_dec(d + RTE_ETHER_HDR_LEN);
				ports |= UINT32_C(1) << c_slot;
				v.m[fwd] = m;
				v.l3[fwd++] = c_slot;
				continue;
			}
			l3 = RTE_ETHER_HDR_LEN;
		}
		slot = route_one(p, rt, m, l3, v.ips[i], hops[i], &bc);
		if (slot >= 0) {
			ports |= UINT32_C(1) << slot;
			v.m[fwd] = m;
			v.l3[fwd++] = (uint16_t)slot;
		}
	}
	if (likely((ports & (ports - 1)) == 0)) {
		if (fwd > 0)
			prx_pkt_tx_burst(p, v.l3[0], v.m, fwd);
	} else {
		tx_runs(p, v.m, v.l3, fwd);
	}
	prx_counter_add(&rs->forwarded, fwd);
	if (unlikely((bc.local | bc.arp | bc.ttl | bc.unreach | bc.neigh | bc.unres) != 0)) {
		prx_counter_add(&rs->local, bc.local);
		prx_counter_add(&rs->punt_arp, bc.arp);
		prx_counter_add(&rs->punt_ttl, bc.ttl);
		prx_counter_add(&rs->punt_unreach, bc.unreach);
		prx_counter_add(&rs->punt_neigh, bc.neigh);
		prx_counter_add(&rs->unresolved, bc.unres);
	}
}

static void
rt_destroy(struct prx_handler *h)
{
	struct rt *rt = h->priv;
	struct rt_ctl *c = rt->ctl;

	if (c != NULL) {
		/* what is still in the punt rings for it comes here first */
		if (c->consumer > 0)
			prx_slowpath_consumer_del(c->consumer);
		for (uint32_t i = 0; c->neigh != NULL && i < c->max_neigh; i++)
			rt_drop_held(rt, i, &c->st.held_dropped, false, 0);
	}
	rt_tables_fini(rt);
}

bool
prx_handler_is_router(const struct prx_handler *h)
{
	return h != NULL && h->process == rt_process;
}

int
prx_router_create(const char *name, const struct prx_router_params *pr, struct prx_handler **out,
		  char *msg, size_t len)
{
	struct prx_handler *h;
	struct rt *rt;
	int rc;

	*out = NULL;
	if (pr == NULL || pr->conf == NULL) {
		snprintf(msg, len, "no settings");
		return -EINVAL;
	}
	rc = prx_handler_alloc(name, router_type, rt_process, sizeof(struct rt), &h);
	if (rc != 0) {
		snprintf(msg, len, "%s", strerror(-rc));
		return rc;
	}
	rt = h->priv;
	h->destroy = rt_destroy;
	rc = rt_tables_init(rt, pr, name, msg, len);
	if (rc == 0) {
		rc = prx_slowpath_consumer_add(rt_punt, rt);
		if (rc < 0)
			snprintf(msg, len, "no slow-path consumer id left");
	}
	if (rc < 0) {
		prx_handler_free(h);
		return rc;
	}
	rt->ctl->consumer = rc;
	rt->consumer = (uint8_t)rc;
	prx_slowpath_consumer_tick(rc, rt_tick);
	*out = h;
	return 0;
}

void
prx_router_stats_read(const struct prx_handler *h, struct prx_router_stats *out)
{
	const struct rt *rt = prx_handler_is_router(h) ? h->priv : NULL;

	memset(out, 0, sizeof(*out));
	if (rt == NULL)
		return;
	*out = rt->ctl->st;
	for (unsigned int r = 0; r < PRX_MAX_REACTORS; r++) {
		const struct rt_rstats *s = &rt->rstats[r];

		out->forwarded += prx_counter_read(&s->forwarded);
		out->local += prx_counter_read(&s->local);
		out->punt_arp += prx_counter_read(&s->punt_arp);
		out->punt_ttl += prx_counter_read(&s->punt_ttl);
		out->punt_unreach += prx_counter_read(&s->punt_unreach);
		out->punt_neigh += prx_counter_read(&s->punt_neigh);
		out->unresolved += prx_counter_read(&s->unresolved);
	}
}

void
prx_router_input(struct prx_handler *h, struct rte_mbuf *m)
{
	if (prx_handler_is_router(h))
		rt_punt(h->priv, m);
	else
		rte_pktmbuf_free(m);
}

void
prx_router_tick(struct prx_handler *h, uint64_t now_ns)
{
	if (prx_handler_is_router(h))
		rt_tick(h->priv, now_ns);
}
