/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's fast loop, a template router.c includes once per instruction set: with
 * SSE (or the portable code) everywhere, and with AVX2 where the CPU has it (one
 * 32-byte compare a frame instead of two 16-byte ones).  GCC and clang refuse to inline
 * AVX2 code into a function compiled without it even on a path never taken, hence a
 * template rather than a flag.  Before each inclusion router.c defines:
 *
 *   RT_LOOP_NAME(x)       x with the instruction set's suffix
 *   RT_LOOP_ATTR          the functions' target attribute (or nothing)
 *   RT_LOOP_KEY_T         the key as the loop holds it in registers
 *   RT_LOOP_KEY_LOAD(k)   that, from a const struct rt_fast_key *k
 *   RT_LOOP_CHECK(k, d, len, dst)  rt_fast_ipv4() or its AVX2 twin
 *
 * and has defined struct fast_state, struct hop_cache, next_hop(), run_end(),
 * memo_load(), memo_save(), route_general(), tx_runs() and PREFETCH.  What it defines
 * last, RT_LOOP_NAME(rt_process), is the router's burst function (rt_fast_select()).
 */

/* One packet of the fast loop, pkts[i]: false when it is not a fast frame or its next hop
 * is not fast (nothing done to it), else rewritten for its next hop. */
static __rte_always_inline RT_LOOP_ATTR bool
RT_LOOP_NAME(route_fast1)(const struct rt *rt, const void *tbl24, const void *tbl8,
			  const RT_LOOP_KEY_T *key, struct rte_mbuf *m, unsigned int i,
			  uint16_t *slots, struct fast_state *f, struct hop_cache *c,
			  unsigned int nh_bytes)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t dst, e;

	if (unlikely(!RT_LOOP_CHECK(key, d, rte_pktmbuf_data_len(m), &dst)))
		return false;
	/* rt_fib_entry(), the group's index from the frame: the address need not be kept */
	e = rt_fib_tbl24(tbl24, rt_be32(dst) >> 8, nh_bytes);
	if (unlikely(e & 1))
		e = rt_fib_tbl8(tbl8, e, d[33], nh_bytes);
	if (unlikely(e != f->entry)) {
		if (!next_hop(rt, e >> 1, c))
			return false;
		run_end(f, slots, i);
		f->entry = e;
		f->slot = c->slot;
		f->macs = c->macs;
		f->ports |= UINT32_C(1) << c->slot;
	}
	rt_macs_write(d, &f->macs);
	rt_fast_ttl_dec(d);
	return true;
}

/* The loop for entries of nh_bytes, prefetching frames PREFETCH ahead or not (pf): both
 * constants where inlined.  @return how many packets it took. */
static __rte_always_inline RT_LOOP_ATTR unsigned int
RT_LOOP_NAME(route_fast_n)(const struct rt *rt, const RT_LOOP_KEY_T *k, struct rte_mbuf **pkts,
			   uint16_t n, uint16_t *slots, struct fast_state *f, struct hop_cache *c,
			   unsigned int nh_bytes, bool pf)
{
	/* in registers: not reloaded after each store into a frame */
	const void *tbl24 = rt->tbl24, *tbl8 = rt->tbl8;
	unsigned int i = 0;

	if (pf) {
		for (unsigned int j = 0; j < n && j < PREFETCH; j++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[j], void *));
		for (; i + PREFETCH < n; i++) {
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH], void *));
			if (!RT_LOOP_NAME(route_fast1)(rt, tbl24, tbl8, k, pkts[i], i, slots, f, c,
						       nh_bytes))
				return i;
		}
	}
	for (; i < n; i++)
		if (!RT_LOOP_NAME(route_fast1)(rt, tbl24, tbl8, k, pkts[i], i, slots, f, c,
					       nh_bytes))
			break;
	return i;
}

/*
 * The fast loop, with the FIB read in place, for packets that came in on a port with
 * MAC in_mac: each packet checked, looked up and rewritten in one go while they are all
 * fast frames with fast next hops.  kind: bit 0 prefetch frames (they were not written
 * by this CPU), bit 1 4-byte FIB entries.  @return how many were (n: the whole burst),
 * with c = the last next hop, *ports the slots used and slots[] the egress of each,
 * but of slots[0] alone when they all went to one port.  The burst starts with the
 * reactor's memo of the last next hop, unless something changed since (struct rt.gen).
 */
static __rte_always_inline RT_LOOP_ATTR uint16_t
RT_LOOP_NAME(route_fast)(const struct rt *rt, const uint8_t *in_mac, struct rte_mbuf **pkts,
			 uint16_t n, uint16_t *slots, struct hop_cache *c, uint32_t *ports,
			 unsigned int kind, struct rt_memo *memo)
{
	struct fast_state f = {.entry = UINT32_MAX, .run = 0, .macs = {.b = {0}}};
	uint64_t gen = __atomic_load_n(&rt->gen, __ATOMIC_ACQUIRE);
	struct rt_fast_key key;
	RT_LOOP_KEY_T k;
	unsigned int i;

	if (likely(memo->gen == gen))
		memo_load(memo, &f, c);
	rt_fast_key_init(&key, in_mac);
	k = RT_LOOP_KEY_LOAD(&key);
	switch (kind) {
	case 0:
		i = RT_LOOP_NAME(route_fast_n)(rt, &k, pkts, n, slots, &f, c, 2, false);
		break;
	case 1:
		i = RT_LOOP_NAME(route_fast_n)(rt, &k, pkts, n, slots, &f, c, 2, true);
		break;
	case 2:
		i = RT_LOOP_NAME(route_fast_n)(rt, &k, pkts, n, slots, &f, c, 4, false);
		break;
	default:
		i = RT_LOOP_NAME(route_fast_n)(rt, &k, pkts, n, slots, &f, c, 4, true);
		break;
	}
	if (likely(i == n && (f.ports & (f.ports - 1)) == 0))
		slots[0] = f.slot;
	else
		run_end(&f, slots, i);
	memo_save(memo, &f, gen);
	*ports = f.ports;
	return (uint16_t)i;
}

/*
 * One pass, when the FIB is read in place (rt_fib_inline_init): each packet of the
 * common kind (rt_fast_ipv4) is looked up and rewritten where it is, its next hop looked
 * at once per run of packets to the same one (the neighbour's word is read once per run,
 * as if the run arrived at one instant).  The first packet that is not, and the rest of
 * the burst after it, go the general way (route_general), so forwarded packets keep
 * their order.  A burst that is all of the common kind is transmitted from pkts[]
 * itself, in one prx_pkt_tx_burst() when it all goes to one port.
 */
static RT_LOOP_ATTR void
RT_LOOP_NAME(rt_process)(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts,
			 uint16_t n)
{
	struct rt *rt = h->priv;
	const struct prx_port *in = p->ports[p->in_slot];
	struct hop_cache c = {.hop = UINT64_MAX};
	struct rte_mbuf **list = pkts, *out[PRX_BURST_MAX];
	uint16_t slots[PRX_BURST_MAX];
	uint32_t ports = 0; /* bit s: something forwarded to slot s */
	uint16_t fwd = 0;

	if (likely(rt->nh_bytes != 0)) {
		unsigned int kind = (rt->nh_bytes == 4 ? 2u : 0u) | (in->rx_hot ? 0u : 1u);

		fwd = RT_LOOP_NAME(route_fast)(rt, in->mac.addr_bytes, pkts, n, slots, &c, &ports,
					       kind, &rt->rstats[p->id].memo);
	}
	if (unlikely(fwd < n)) {
		fwd = route_general(p, rt, pkts, fwd, n, out, slots, &c, &ports);
		list = out;
	}
	if (likely((ports & (ports - 1)) == 0)) {
		if (fwd > 0)
			prx_pkt_tx_burst(p, slots[0], list, fwd);
	} else {
		tx_runs(p, list, slots, fwd);
	}
	prx_counter_add(&rt->rstats[p->id].forwarded, fwd);
}
