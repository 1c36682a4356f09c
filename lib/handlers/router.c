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
#include <rte_cpuflags.h>
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

/* The next hop of the current run of fast frames. */
struct hop_cache {
	uint64_t hop; /**< UINT64_MAX: none yet */
	uint16_t slot;
	union rt_macs macs;
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
 * The general way, for pkts[i0..n-1] (the whole burst when the FIB is not read in place,
 * else from the first packet the fast loop did not take): two passes around one
 * rte_fib_lookup_bulk().  The first sorts: rt_fast_ipv4(), else admit(); the second
 * rewrites a fast frame whose next hop is fast (c: the last one) and hands the rest to
 * route_one().  out[0..i0-1] = pkts[0..i0-1], forwarded already, with their slots; what
 * is forwarded here is appended, in order.  @return how many out[] holds.
 */
static __rte_noinline uint16_t
route_general(struct prx_pipe *p, struct rt *rt, struct rte_mbuf **pkts, uint16_t i0, uint16_t n,
	      struct rte_mbuf **out, uint16_t *slots, struct hop_cache *c, uint32_t *ports)
{
	const uint8_t *in_mac = p->ports[p->in_slot]->mac.addr_bytes;
	struct burst_count counts = {0}, *bc = &counts;
	struct rt_rstats *rs = &rt->rstats[p->id];
	struct rt_fast_key key;
	uint32_t ips[PRX_BURST_MAX];
	uint64_t hops[PRX_BURST_MAX];
	uint16_t l3[PRX_BURST_MAX]; /* 0: rt_fast_ipv4() took it (IPv4 at 14) */
	struct rte_mbuf *m[PRX_BURST_MAX];
	uint16_t k = 0, fwd = i0;

	rt_fast_key_init(&key, in_mac);
	memcpy(out, pkts, i0 * sizeof(*pkts));
	for (uint16_t i = i0; i < n; i++) {
		uint8_t *d = rte_pktmbuf_mtod(pkts[i], uint8_t *);
		uint32_t dst;
		uint64_t r;

		if (i + PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH], void *));
		if (rt_fast_ipv4(&key, d, rte_pktmbuf_data_len(pkts[i]), &dst))
			r = dst; /* l3 0 */
		else if ((r = admit(p, rt, pkts[i], in_mac, bc)) == 0)
			continue;
		ips[k] = rte_be_to_cpu_32((uint32_t)r);
		l3[k] = (uint16_t)(r >> 32);
		m[k++] = pkts[i];
	}
	if (k > 0)
		rte_fib_lookup_bulk(rt->fib, ips, hops, k);
	for (uint16_t i = 0; i < k; i++) {
		uint16_t h3 = l3[i];
		int slot;

		if (h3 == 0) {
			if (hops[i] == c->hop || hop_fast(rt, hops[i], &c->slot, &c->macs)) {
				uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);

				c->hop = hops[i];
				rt_macs_write(d, &c->macs);
				rt_ttl_dec(d + RTE_ETHER_HDR_LEN);
				*ports |= UINT32_C(1) << c->slot;
				slots[fwd] = c->slot;
				out[fwd++] = m[i];
				continue;
			}
			h3 = RTE_ETHER_HDR_LEN;
		}
		slot = route_one(p, rt, m[i], h3, ips[i], hops[i], bc);
		if (slot >= 0) {
			*ports |= UINT32_C(1) << slot;
			slots[fwd] = (uint16_t)slot;
			out[fwd++] = m[i];
		}
	}
	prx_counter_add(&rs->local, bc->local);
	prx_counter_add(&rs->punt_arp, bc->arp);
	prx_counter_add(&rs->punt_ttl, bc->ttl);
	prx_counter_add(&rs->punt_unreach, bc->unreach);
	prx_counter_add(&rs->punt_neigh, bc->neigh);
	prx_counter_add(&rs->unresolved, bc->unres);
	return fwd;
}

/* c = the next hop `hop` if it is fast (hop_fast): off the loop's path, so that the
 * loop's copy of c stays in registers. */
static __rte_noinline bool
next_hop(const struct rt *rt, uint64_t hop, struct hop_cache *c)
{
	if (!hop_fast(rt, hop, &c->slot, &c->macs))
		return false;
	c->hop = hop;
	return true;
}

/* The fast loop's state: the run's next hop (a copy of a struct hop_cache). */
struct fast_state {
	uint32_t entry; /* its FIB entry, next hop << 1 (bit 0 clear); UINT32_MAX: none yet */
	uint16_t slot;
	uint16_t run; /* the run's first packet */
	union rt_macs macs;
	uint32_t ports;
};

/* The run of packets to f's next hop ends before packet i: their slots.  The loop does
 * not write a slot a packet, only a run's when it ends. */
static inline void
run_end(struct fast_state *f, uint16_t *slots, unsigned int i)
{
	for (unsigned int j = f->run; j < i; j++)
		slots[j] = f->slot;
	f->run = (uint16_t)i;
}

/* The memo's next hop (written under generation `gen` of the tables) as f's and c's. */
static inline void
memo_load(const struct rt_memo *memo, struct fast_state *f, struct hop_cache *c)
{
	f->entry = memo->entry;
	f->slot = memo->slot;
	memcpy(f->macs.b, memo->macs, sizeof(f->macs.b));
	f->ports = UINT32_C(1) << f->slot;
	c->hop = f->entry >> 1;
	c->slot = f->slot;
	c->macs = f->macs;
}

/* f's next hop, read under generation gen, for the reactor's next burst. */
static inline void
memo_save(struct rt_memo *memo, const struct fast_state *f, uint64_t gen)
{
	if (f->entry == UINT32_MAX)
		return;
	memo->gen = gen;
	memo->entry = f->entry;
	memo->slot = f->slot;
	memcpy(memo->macs, f->macs.b, sizeof(memo->macs));
}

/* The fast loop and the handler's burst function (router_fast_loop.h): rt_process_gen()
 * with SSE (the portable code off x86), rt_process_avx2() where the CPU has AVX2
 * (rt->fast_avx2, rt_fast_select()). */
#define RT_LOOP_NAME(x) x##_gen
#define RT_LOOP_ATTR
#define RT_LOOP_KEY_T struct rt_fast_key
#define RT_LOOP_KEY_LOAD(k) (*(k))
#define RT_LOOP_CHECK rt_fast_ipv4
#include "router_fast_loop.h"
#undef RT_LOOP_NAME
#undef RT_LOOP_ATTR
#undef RT_LOOP_KEY_T
#undef RT_LOOP_KEY_LOAD
#undef RT_LOOP_CHECK
#ifdef RT_FAST_SSE
#define RT_LOOP_NAME(x) x##_avx2
#define RT_LOOP_ATTR RT_AVX2
#define RT_LOOP_KEY_T struct rt_fast_key256
#define RT_LOOP_KEY_LOAD(k) rt_fast_key256(k)
#define RT_LOOP_CHECK rt_fast_ipv4_avx2
#include "router_fast_loop.h"
#endif

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

bool
rt_fast_avx2_ok(void)
{
#ifdef RT_FAST_SSE
	return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_BMI2) > 0 &&
	       rte_cpu_get_flag_enabled(RTE_CPUFLAG_MOVBE) > 0 &&
	       rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256;
#else
	return false;
#endif
}

void
rt_fast_select(struct prx_handler *h, bool avx2)
{
	struct rt *rt = h->priv;

	rt->fast_avx2 = avx2 && rt_fast_avx2_ok();
	h->process = rt_process_gen;
#ifdef RT_FAST_SSE
	if (rt->fast_avx2)
		h->process = rt_process_avx2;
#endif
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
#ifdef RT_FAST_SSE
	if (h != NULL && h->process == rt_process_avx2)
		return true;
#endif
	return h != NULL && h->process == rt_process_gen;
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
	rc = prx_handler_alloc(name, router_type, rt_process_gen, sizeof(struct rt), &h);
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
	rt_fast_select(h, true);
	rt->gen++; /* from 1 on: a memo of generation 0 (zeroed) is never valid */
	if (rc == 0 && !pr->detached)
		rc = prx_router_attach(h, msg, len);
	if (rc < 0) {
		prx_handler_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

void
prx_router_detach(struct prx_handler *h)
{
	struct rt *rt = prx_handler_is_router(h) ? h->priv : NULL;

	if (rt == NULL || rt->ctl->consumer <= 0)
		return;
	prx_slowpath_consumer_del(rt->ctl->consumer);
	rt->ctl->consumer = 0;
}

int
prx_router_attach(struct prx_handler *h, char *msg, size_t len)
{
	struct rt *rt = prx_handler_is_router(h) ? h->priv : NULL;
	int rc;

	if (rt == NULL || rt->ctl->consumer > 0)
		return 0;
	rc = prx_slowpath_consumer_add(rt_punt, rt);
	if (rc < 0) {
		snprintf(msg, len, "no slow-path consumer id left");
		return rc;
	}
	rt->ctl->consumer = rc;
	rt->consumer = (uint8_t)rc;
	prx_slowpath_consumer_tick(rc, rt_tick);
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
