/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's internals, shared by router.c (creation, the fast path), router_tables.c
 * (routes, next hops, neighbours: the control thread's side of the tables),
 * router_slow.c (the slow-path consumer: ARP, hold queues, ICMP errors, timers) and
 * router_pkt.c (ARP and ICMP packet construction).  docs/router.md tells the design.
 *
 * Who touches what:
 *   reactors (readers, lock-free): fib, nh[], neigh[].w, nhash lookups, rstats[id];
 *   the control thread (the only writer): everything, through struct rt_ctl.
 * Entries readers may still hold (a next hop, a neighbour and its hash slot) are freed
 * only after an RCU grace period of the data plane's QSBR variable (rt_defer).  The
 * FIB (rte_fib DIR24_8, 2-byte next hops) has no RCU hook in DPDK 22.11: a live change
 * waits for a grace period before it returns, so no tbl8 group it freed can be reused
 * while a reader is in it, and next hop 0 is never used: a reader that meets a group
 * being recycled (zeroed by rte_fib) reads 0 and hands the packet to the slow path,
 * which looks the route up again.
 */
#ifndef PRX_ROUTER_INTERNAL_H
#define PRX_ROUTER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash.h>
#include <rte_fib.h>
#include <rte_rcu_qsbr.h>

#include "prx_parse.h"
#include "prx_router.h"

#define RT_MAX_NH 4096	  /**< next hops per router; FIB values >= this: no route */
#define RT_NH_TRANSIENT 0 /**< read while rte_fib recycles a group: route again, slowly */
#define RT_NH_LOCAL 1	  /**< the appliance itself */
#define RT_NH_FIRST 2	  /**< the first next hop routes get */
#define RT_ARP_TRIES 3	  /**< ARP requests before a neighbour fails */
#define RT_ARP_RETRY_NS 1000000000ull /**< between two of them */
#define RT_BLOCK_NS 3000000000ull     /**< a failed neighbour drops packets this long */
#define RT_ARP_RATE 1000	      /**< ARP replies per second (token bucket) */
#define RT_ARP_BURST 100

/** What a next hop is (nh[].kind). */
enum rt_nh_kind {
	NH_FREE = 0,
	NH_LOCAL,     /**< addressed to the appliance: passed to the next handler */
	NH_CONNECTED, /**< on-link: the destination itself is the neighbour */
	NH_GATEWAY,   /**< via a gateway: neigh is its neighbour entry */
};

/** A next hop as reactors read it (16 bytes). */
struct rt_nh {
	uint8_t kind;
	uint8_t slot; /**< egress port slot */
	uint16_t pad;
	uint32_t neigh;	    /**< NH_GATEWAY: index into neigh[] */
	uint8_t src_mac[8]; /**< the egress port's MAC (6 bytes): the frames' new source */
};

/** Neighbour states as reactors read them (struct rt_neigh.s.state). */
enum rt_neigh_state {
	NS_FREE = 0,
	NS_INCOMPLETE, /**< MAC unknown: punt (the control plane holds and resolves) */
	NS_BLOCKED,    /**< MAC unknown and hold queue full, or resolution failed: drop */
	NS_REACHABLE,  /**< learned from ARP */
	NS_STATIC,     /**< configured; ARP never overwrites it */
};

/** A neighbour as reactors read it: one 64-bit word, written atomically. */
union rt_neigh {
	uint64_t w;
	struct {
		uint8_t mac[6];
		uint8_t state;
		uint8_t slot;
	} s;
};

/** The fast loop's last next hop, kept from one burst to the next by each reactor: valid
 *  while the router's generation (struct rt.gen) is still gen. */
struct rt_memo {
	uint64_t gen;
	uint32_t entry; /**< its FIB entry (next hop << 1); UINT32_MAX: none */
	uint16_t slot;
	uint8_t macs[16]; /**< union rt_macs */
};

/** Per-reactor counters of the router and its memo (written by that reactor only). */
struct rt_rstats {
	uint64_t forwarded;
	uint64_t local; /**< passed to the next handler: for the appliance, not for us */
	uint64_t punt_arp, punt_ttl, punt_unreach, punt_neigh;
	uint64_t unresolved; /**< dropped: neighbour blocked */
	struct rt_memo memo;
} __rte_cache_aligned;

/** A token bucket (control thread). */
struct rt_bucket {
	uint32_t rate, burst; /**< per second; depth */
	double tokens;
	uint64_t last_ns;
};

/** Control-side next-hop data. */
struct rt_nh_ctl {
	uint32_t gw; /**< network order */
	uint32_t refs;
};

/** Control-side neighbour data. */
struct rt_neigh_ctl {
	uint32_t ip;	 /**< network order; 0 = free */
	int32_t pos;	 /**< position in nhash */
	uint32_t refs;	 /**< gateway next hops using it */
	uint8_t tries;	 /**< ARP requests sent in this resolution */
	bool pending;	 /**< on the pending list */
	bool failed;	 /**< resolution failed: blocked until due_ns */
	uint16_t n_held; /**< packets in held[] */
	uint64_t due_ns; /**< next retry, or end of blocking */
	struct rte_mbuf **held;
	uint32_t next_pending;
};

/** What waits for a grace period before it is reused. */
struct rt_defer {
	uint64_t token;
	uint32_t idx;
	int32_t pos; /**< neighbour: hash position; next hop: -1 */
	bool neigh;
};

/** One route as the control thread keeps it (for show and delete). */
struct rt_route {
	uint32_t prefix; /**< host order */
	uint8_t len;
	uint8_t origin; /**< enum prx_router_origin; 0xff = empty slot */
	uint16_t nh;
};

struct rt_ctl {
	struct rte_rcu_qsbr *qsbr; /**< NULL: no readers (tests) */
	struct rte_mempool *pool;  /**< NULL: prx_slowpath_alloc() */
	int (*send)(void *ctx, uint16_t slot, struct rte_mbuf *m);
	void *send_ctx;
	int consumer; /**< slow-path consumer id, or < 0 */
	struct prx_router_port ports[PRX_MAX_PORTS];
	bool port_known[PRX_MAX_PORTS];
	struct rt_nh_ctl nh[RT_MAX_NH];
	uint32_t nh_hi;	   /**< 1 + highest next hop ever used */
	uint32_t nh_cache; /**< last next hop found, tried first */
	struct rt_neigh_ctl *neigh;
	uint32_t max_neigh, n_neigh;
	uint32_t *neigh_free; /**< stack of free neighbour indices */
	uint32_t n_neigh_free;
	uint32_t pending; /**< head of the pending list (UINT32_MAX: empty) */
	uint16_t hold;
	struct rt_route *routes; /**< open addressing, linear probing */
	uint32_t routes_cap, n_routes, max_routes;
	bool live;		/**< readers may use the FIB: a change waits for a grace period */
	struct rt_defer *defer; /**< FIFO */
	uint32_t defer_head, defer_n, defer_cap;
	struct rt_bucket icmp, arp;
	uint16_t ip_id;
	struct prx_router_stats st; /**< the control thread's counters */
};

/** The handler's priv. */
struct rt {
	struct rte_fib *fib;
	/** The FIB's DIR24_8 tables, read in place by the fast path (rt_fib_hop(),
	 *  router_fast.h), or NULL: rte_fib_lookup_bulk() only (rt_fib_inline_init()). */
	const void *tbl24, *tbl8;
	uint8_t nh_bytes; /**< their entries: 2 or 4 bytes */
	bool fast_avx2;	  /**< the fast loop's AVX2 code runs here (rt_fast_avx2_ok()) */
	/** Generation of what the fast loop reads about next hops: bumped (release) after
	 *  each change of nh[] or neigh[].w, so that a reactor's memo of a next hop is
	 *  used in no burst that starts after the change (rt_changed()). */
	uint64_t gen;
	struct rte_hash *nhash; /**< neighbour IPv4 (network order) -> index */
	union rt_neigh *neigh;	/**< max_neighbors entries */
	uint8_t consumer;	/**< for prx_punt_meta_set() */
	struct rt_ctl *ctl;
	struct rt_nh nh[RT_MAX_NH];
	struct rt_rstats rstats[PRX_MAX_REACTORS];
};

/* router.c */
/**
 * Let the fast path read the FIB's tables in place if they are laid out as in DPDK
 * 22.11 and give the same next hop as rte_fib_lookup_bulk() for every route's first,
 * middle and last address (up to 65 536 routes) and 4096 others: the lookup then costs
 * 5 instructions a packet instead of 20.  Call with the routes loaded, before readers.
 * @return true when enabled.
 */
bool rt_fib_inline_init(struct rt *rt);
/** Can the fast loop's AVX2 code run: the CPU has AVX2, BMI2 and MOVBE and EAL allows
 *  256-bit vectors (--force-max-simd-bitwidth)?  Never off x86. */
bool rt_fast_avx2_ok(void);
/** The burst function: with the AVX2 fast loop if avx2 and rt_fast_avx2_ok(), else with
 *  the SSE (portable) one.  At creation (true); tests choose. */
void rt_fast_select(struct prx_handler *h, bool avx2);

/** A next hop or neighbour changed: reactors drop their memos at their next burst. */
static inline void
rt_changed(struct rt *rt)
{
	__atomic_fetch_add(&rt->gen, 1, __ATOMIC_RELEASE);
}

/* router_tables.c */
int rt_tables_init(struct rt *rt, const struct prx_router_params *pr, const char *name, char *msg,
		   size_t len);
void rt_tables_fini(struct rt *rt);
/** Reclaim what waited for a grace period that has passed. */
void rt_defer_reclaim(struct rt *rt);
/** Neighbour index of ip, or -1. */
int rt_neigh_find(const struct rt *rt, uint32_t ip);
/** Neighbour index of ip, made INCOMPLETE on `slot` if new; -ENOSPC when full. */
int rt_neigh_get(struct rt *rt, uint32_t ip, uint8_t slot);
/** Publish a neighbour's word (state, MAC, slot). */
void rt_neigh_publish(struct rt *rt, uint32_t idx, uint8_t state, const uint8_t *mac, uint8_t slot);
/** Remove an unreferenced neighbour (its held packets must be gone). */
void rt_neigh_remove(struct rt *rt, uint32_t idx);
/** Route of dst (network order): 0 and *nh, or -ENOENT. */
int rt_lookup(const struct rt *rt, uint32_t dst, uint32_t *nh);

/* router_pkt.c: frames the router makes, and its rewrite of a forwarded one */

/** Minimum Ethernet frame without FCS: shorter frames are padded with zeros. */
#define RT_ETH_MIN 60

/** What the TTL decrement subtracts from the 16-bit word (TTL, protocol) as read from memory. */
#define RT_TTL_STEP (RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN ? 1u : 0x100u)

/**
 * Decrement the TTL (>= 1) of the IPv4 header at ip, updating its checksum (RFC 1624, eqn. 3):
 * HC' = ~(~HC + ~m + m') with m' = m - RT_TTL_STEP, i.e. HC + RT_TTL_STEP in one's
 * complement, where a sum of 0xffff or more wraps around by subtracting 0xffff.  The
 * same result as prx_csum_update16() bit for bit (a unit test checks every checksum),
 * without its general folds.
 */
static inline void
rt_ttl_dec(uint8_t *ip)
{
	uint16_t csum;
	uint32_t s;

	ip[8]--;
	memcpy(&csum, ip + 10, 2);
	s = (uint32_t)csum + RT_TTL_STEP;
	s += (s + 1) >> 16; /* s >= 0xffff: s + 1 - 0x10000 once truncated to 16 bits */
	csum = (uint16_t)s;
	memcpy(ip + 10, &csum, 2);
}

/**
 * Is the frame d (len bytes) a plain IPv4 packet: no VLAN tag, a 20-byte header, its
 * total length within the frame and, in a first fragment, its TCP/UDP/ICMP header
 * within the datagram?  Then prx_parse() would accept it as IPv4 with the same
 * destination (*dst, network order); false leaves the frame to prx_parse().  The
 * fast path's shortcut, tested against the parser.
 */
static inline bool
rt_plain_ipv4(const uint8_t *d, uint32_t len, uint32_t *dst)
{
	uint32_t total, need;
	uint16_t et;

	if (len < 34)
		return false;
	memcpy(&et, d + 12, 2);
	if (et != RTE_BE16(0x0800) || d[14] != 0x45)
		return false;
	total = (uint32_t)d[16] << 8 | d[17];
	if (total < 20 || 14 + total > len)
		return false;
	if ((((uint32_t)d[20] << 8 | d[21]) & 0x1fff) == 0) { /* offset 0: L4 header */
		switch (d[23]) {
		case 17: /* UDP */
			need = 8;
			break;
		case 1: /* ICMP */
			need = 4;
			break;
		case 6: /* TCP, with its data offset */
			if (total < 40)
				return false;
			need = (uint32_t)(d[46] >> 4) * 4;
			if (need < 20)
				return false;
			break;
		default:
			need = 0;
			break;
		}
		if (20 + need > total)
			return false;
	}
	memcpy(dst, d + 30, 4);
	return true;
}

/**
 * An ARP frame into buf (at least RT_ETH_MIN bytes): operation op (1 request, 2 reply)
 * from sha/spa to tha/tpa, Ethernet destination eth_dst.  @return its length (60).
 */
uint16_t rt_build_arp(uint8_t *buf, uint16_t op, const uint8_t *eth_dst, const uint8_t *sha,
		      uint32_t spa, const uint8_t *tha, uint32_t tpa);

/**
 * May an ICMP error be sent about this frame (RFC 1812 4.3.2.7)?  Not about an ICMP
 * error, a fragment other than the first, a link-layer or IP broadcast or multicast, or
 * a source that is not a unicast host address.
 */
bool rt_icmp_allowed(const uint8_t *frame, const struct prx_pkt_info *pi);

/**
 * An ICMP error (type, code) about the frame `orig` (parsed as pi) into buf (cap bytes,
 * at least 14 + 4 * PRX_PARSE_MAX_VLAN + 20 + 8 + 60 + 8): to the frame's source (MAC
 * and IP), from src_mac and src_ip, its VLAN tags kept, carrying the original IP
 * header and the first 8 bytes after it (RFC 792).  Checksums computed.
 * @return the frame's length.
 */
uint16_t rt_build_icmp_error(uint8_t *buf, uint16_t cap, const uint8_t *orig,
			     const struct prx_pkt_info *pi, uint8_t type, uint8_t code,
			     const uint8_t *src_mac, uint32_t src_ip, uint16_t ip_id);

/* router_slow.c */
/** The slow-path consumer: ctx is the struct rt. */
void rt_punt(void *ctx, struct rte_mbuf *m);
/** Timers: ARP retries, failed neighbours, grace periods. */
void rt_tick(void *ctx, uint64_t now_ns);
/** Drop a neighbour's held packets (counted as `reason`, an ICMP host unreachable each
 *  when `icmp`). */
void rt_drop_held(struct rt *rt, uint32_t idx, uint64_t *counter, bool icmp, uint64_t now_ns);
/** Send a neighbour's held packets, now that its MAC is known. */
void rt_flush_held(struct rt *rt, uint32_t idx);
/** A neighbour learned or configured: publish it and send what it held. */
void rt_neigh_resolved(struct rt *rt, uint32_t idx, uint8_t state, const uint8_t *mac,
		       uint8_t slot);

#endif /* PRX_ROUTER_INTERNAL_H */
