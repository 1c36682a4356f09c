/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router handler: its fast path (prx_router.h lists what happens to each packet),
 * creation and destruction, counters.  docs/router.md ("The fast path") tells how a
 * burst goes through it and what it costs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_prefetch.h>

#include "prx_log.h"
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

/*
 * The burst's IPv4 packets to route, before and after the lookup.  While every packet is
 * of the fast kind (rt_fast_ipv4), the burst itself is the list: ips[], d[] and then the
 * egress slots in l3[] are all that is written.  Otherwise m[] is the list and l3[] tells
 * a fast frame (0) from one to route the general way (its IPv4 header's offset).
 */
struct v4_list {
	uint32_t ips[PRX_BURST_MAX];
	uint8_t *d[PRX_BURST_MAX]; /**< fast frames: their first byte */
	uint16_t l3[PRX_BURST_MAX];
	struct rte_mbuf *m[PRX_BURST_MAX];
};

/* The next hop of the current run of fast frames. */
struct hop_cache {
	uint64_t hop; /**< UINT64_MAX: none yet */
	uint16_t slot;
	union rt_macs macs;
};

/* pkts[i] if rt_fast_ipv4() takes it: queued as the list's k-th, its tbl24 entry (of
 * esz bytes at tbl24, when the FIB is read in place) prefetched: the lookup comes a
 * whole burst later. */
static __rte_always_inline bool
take_fast(struct v4_list *v, const struct rt_fast_key *key, const uint8_t *tbl24, size_t esz,
	  struct rte_mbuf *m, uint16_t k)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t dst;

	if (!rt_fast_ipv4(key, d, rte_pktmbuf_data_len(m), &dst))
		return false;
	dst = rte_be_to_cpu_32(dst);
	v->ips[k] = dst;
	v->d[k] = d;
	if (tbl24 != NULL)
		rte_prefetch0(tbl24 + (dst >> 8) * esz);
	return true;
}

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

/* The first pass from pkts[i], the first packet rt_fast_ipv4() refused, on: m[] becomes
 * the list.  @return how many packets are in it. */
static __rte_noinline uint16_t
sort_rest(struct prx_pipe *p, const struct rt *rt, const struct rt_fast_key *key,
	  struct rte_mbuf **pkts, uint16_t i, uint16_t n, struct v4_list *v, struct burst_count *bc)
{
	const uint8_t *in_mac = p->ports[p->in_slot]->mac.addr_bytes;
	uint16_t k = i;

	memcpy(v->m, pkts, i * sizeof(*pkts));
	memset(v->l3, 0, i * sizeof(v->l3[0]));
	for (; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t r;

		if (i + PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH], void *));
		if (take_fast(v, key, rt->tbl24, rt->nh_bytes, m, k)) {
			v->l3[k] = 0;
			v->m[k++] = m;
		} else if ((r = admit(p, rt, m, in_mac, bc)) != 0) {
			v->ips[k] = rte_be_to_cpu_32((uint32_t)r);
			v->l3[k] = (uint16_t)(r >> 32);
			v->m[k++] = m;
		}
	}
	return k;
}

/* The second pass over v->m[i..k-1], fwd packets forwarded so far: fast frames whose
 * next hop is c's or fast too are rewritten here, the rest goes to route_one().  The
 * forwarded stay in m[], in order, with their egress slots in l3[].  @return fwd. */
static __rte_noinline uint16_t
route_rest(struct prx_pipe *p, struct rt *rt, struct v4_list *v, const uint64_t *hops, uint16_t i,
	   uint16_t k, uint16_t fwd, struct hop_cache *c, uint32_t *ports, struct burst_count *bc)
{
	for (; i < k; i++) {
		struct rte_mbuf *m = v->m[i];
		uint16_t l3 = v->l3[i];
		int slot;

		if (l3 == 0) {
			if (hops[i] == c->hop || hop_fast(rt, hops[i], &c->slot, &c->macs)) {
				c->hop = hops[i];
				rt_macs_write(v->d[i], &c->macs);
				rt_ttl_dec(v->d[i] + RTE_ETHER_HDR_LEN);
				*ports |= UINT32_C(1) << c->slot;
				v->m[fwd] = m;
				v->l3[fwd++] = c->slot;
				continue;
			}
			l3 = RTE_ETHER_HDR_LEN;
		}
		slot = route_one(p, rt, m, l3, v->ips[i], hops[i], bc);
		if (slot >= 0) {
			*ports |= UINT32_C(1) << slot;
			v->m[fwd] = m;
			v->l3[fwd++] = (uint16_t)slot;
		}
	}
	return fwd;
}

/*
 * The second pass over a burst of nothing but fast frames (pkts itself is the list):
 * @return how many were rewritten before the first whose next hop is not a fast one (k:
 * all), with c = the last run's next hop and *ports = the slots used.  nh_bytes: 0 =
 * the next hops are in hops[] (rte_fib_lookup_bulk), else read in place (rt_fib_hop,
 * entries of 2 or 4 bytes; the one that stopped the loop is left in hops[]).
 */
static __rte_always_inline uint16_t
route_fast(const struct rt *rt, struct v4_list *v, uint64_t *hops, uint16_t k, struct hop_cache *c,
	   uint32_t *ports, unsigned int nh_bytes)
{
	const void *tbl24 = rt->tbl24, *tbl8 = rt->tbl8; /* not reloaded after each store */
	uint64_t c_hop = UINT64_MAX;
	uint16_t c_slot = 0;
	union rt_macs macs = {.b = {0}};
	uint32_t pm = 0;
	unsigned int i;

	for (i = 0; i < k; i++) {
		uint64_t hop =
			nh_bytes == 0 ? hops[i] : rt_fib_hop(tbl24, tbl8, v->ips[i], nh_bytes);
		uint8_t *d = v->d[i];

		if (unlikely(hop != c_hop)) {
			if (!hop_fast(rt, hop, &c_slot, &macs))
				break;
			c_hop = hop;
			pm |= UINT32_C(1) << c_slot;
		}
		rt_macs_write(d, &macs);
		rt_ttl_dec(d + RTE_ETHER_HDR_LEN);
		v->l3[i] = c_slot;
	}
	*c = (struct hop_cache){.hop = c_hop, .slot = c_slot, .macs = macs};
	*ports = pm;
	return (uint16_t)i;
}

/*
 * Two passes around the FIB lookup.  The first sorts the burst: the common frame
 * (rt_fast_ipv4) is queued for the lookup with a handful of vector instructions, the
 * rest goes through admit().  The second rewrites the common frame for its next hop,
 * which is looked at once per run of packets to the same one (the neighbour's word is
 * read once per run, as if the run arrived at one instant), and hands any other to
 * route_one().  Forwarded packets keep their order.  A burst of nothing but common
 * frames whose next hops are all fast stays in the first loop below and route_fast(),
 * which reads the FIB in place when it may (rt_fib_inline_init); the first exception
 * hands the rest of its pass to sort_rest() or route_rest(), with one
 * rte_fib_lookup_bulk() for what is left.
 */
static void
rt_process(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	struct rt *rt = h->priv;
	struct rt_rstats *rs = &rt->rstats[p->id];
	uint64_t hops[PRX_BURST_MAX];
	struct hop_cache c = {.hop = UINT64_MAX};
	struct burst_count bc = {0};
	struct rte_mbuf **list = pkts;
	struct rt_fast_key key;
	uint16_t i, k, fwd;
	uint32_t ports = 0; /* bit s: something forwarded to slot s */
	const uint8_t *tbl24;
	struct v4_list v;
	unsigned int j;
	size_t esz;

	rt_fast_key_init(&key, p->ports[p->in_slot]->mac.addr_bytes);
	tbl24 = rt->tbl24;
	esz = rt->nh_bytes;
	for (j = 0; j < n && j < PREFETCH; j++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[j], void *));
	for (j = 0; j + PREFETCH < n; j++) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[j + PREFETCH], void *));
		if (unlikely(!take_fast(&v, &key, tbl24, esz, pkts[j], (uint16_t)j)))
			goto sort;
	}
	for (; j < n; j++)
		if (unlikely(!take_fast(&v, &key, tbl24, esz, pkts[j], (uint16_t)j)))
			break;
sort:
	i = (uint16_t)j;
	k = i;
	if (unlikely(i < n)) {
		k = sort_rest(p, rt, &key, pkts, i, n, &v, &bc);
		list = v.m;
	}
	i = 0;
	if (likely(list == pkts)) {
		if (rt->nh_bytes == 2) {
			i = route_fast(rt, &v, hops, k, &c, &ports, 2);
		} else if (rt->nh_bytes == 4) {
			i = route_fast(rt, &v, hops, k, &c, &ports, 4);
		} else {
			if (k > 0)
				rte_fib_lookup_bulk(rt->fib, v.ips, hops, k);
			i = route_fast(rt, &v, hops, k, &c, &ports, 0);
		}
		if (unlikely(i < k)) {
			if (rt->nh_bytes != 0)
				rte_fib_lookup_bulk(rt->fib, v.ips + i, hops + i, k - i);
			memcpy(v.m, pkts, k * sizeof(*pkts));
			memset(v.l3 + i, 0, (k - i) * sizeof(v.l3[0]));
			list = v.m;
		}
	} else if (k > 0) {
		rte_fib_lookup_bulk(rt->fib, v.ips, hops, k);
	}
	fwd = i;
	if (i < k)
		fwd = route_rest(p, rt, &v, hops, i, k, fwd, &c, &ports, &bc);
	if (likely((ports & (ports - 1)) == 0)) {
		if (fwd > 0)
			prx_pkt_tx_burst(p, v.l3[0], list, fwd);
	} else {
		tx_runs(p, list, v.l3, fwd);
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

/*
 * The head of rte_fib's DIR24_8 data plane (struct dir24_8_tbl in DPDK 22.11's
 * lib/fib/dir24_8.h, not an installed header), from rte_fib_get_dp().  Only read, and
 * only after rt_fib_inline_init() found it consistent.
 */
struct rt_dir24_8 {
	uint32_t number_tbl8s;
	uint32_t rsvd_tbl8s;
	uint32_t cur_tbl8s;
	uint32_t nh_sz; /* enum rte_fib_dir24_8_nh_sz */
	uint64_t def_nh;
	uint64_t *tbl8;
	uint64_t *tbl8_idxes;
	uint64_t tbl24[] __rte_cache_aligned;
};

/* Does rt_fib_hop() agree with rte_fib_lookup_bulk() on the n addresses ips[]? */
static bool
fib_agrees(const struct rt *rt, uint32_t *ips, unsigned int n)
{
	uint64_t want[64];

	rte_fib_lookup_bulk(rt->fib, ips, want, n);
	for (unsigned int i = 0; i < n; i++)
		if (rt_fib_hop(rt->tbl24, rt->tbl8, ips[i], rt->nh_bytes) != want[i])
			return false;
	return true;
}

bool
rt_fib_inline_init(struct rt *rt)
{
	const struct rt_dir24_8 *dp = rte_fib_get_dp(rt->fib);
	const struct rt_ctl *c = rt->ctl;
	uint32_t ips[64], x = 2463534242u, step;
	unsigned int n = 0;
	bool ok = false;

	rt->tbl24 = rt->tbl8 = NULL;
	rt->nh_bytes = 0;
	if (dp == NULL || (dp->nh_sz != RTE_FIB_DIR24_8_2B && dp->nh_sz != RTE_FIB_DIR24_8_4B) ||
	    dp->def_nh != RT_MAX_NH || dp->tbl8 == NULL || dp->cur_tbl8s > dp->number_tbl8s)
		return false;
	rt->tbl24 = dp->tbl24;
	rt->tbl8 = dp->tbl8;
	rt->nh_bytes = dp->nh_sz == RTE_FIB_DIR24_8_2B ? 2 : 4;
	step = c->routes_cap / 65536 + 1;
	for (uint32_t r = 0; r < c->routes_cap; r += step) {
		const struct rt_route *e = &c->routes[r];
		uint32_t last = e->prefix | (e->len >= 32 ? 0 : UINT32_MAX >> e->len);

		if (e->origin == 0xff)
			continue;
		ips[n++] = e->prefix;
		ips[n++] = last;
		ips[n++] = e->prefix + (last - e->prefix) / 2;
		if (n > 60 && !fib_agrees(rt, ips, n))
			goto out;
		n = n > 60 ? 0 : n;
	}
	for (unsigned int i = 0; i < 4096; i++) {
		x ^= x << 13; /* xorshift32 */
		x ^= x >> 17;
		x ^= x << 5;
		ips[n++] = x;
		if (n == 64 && !fib_agrees(rt, ips, n))
			goto out;
		n = n == 64 ? 0 : n;
	}
	ok = n == 0 || fib_agrees(rt, ips, n);
out:
	if (!ok) {
		rt->tbl24 = rt->tbl8 = NULL;
		rt->nh_bytes = 0;
	}
	return ok;
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
	if (rc == 0 && !rt_fib_inline_init(rt))
		PRX_LOG(INFO, PIPELINE, "router %s: FIB read through rte_fib_lookup_bulk() only",
			name);
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
