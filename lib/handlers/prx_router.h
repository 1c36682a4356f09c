/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The `router` handler: IPv4 longest-prefix match (rte_fib DIR24_8, updated in place,
 * each change waiting for a grace period of the data plane's RCU), next hops (egress port + gateway or on-link), a neighbour table
 * filled statically or by ARP through the slow path, TTL decrement with an incremental
 * checksum update, and ICMP time exceeded / destination unreachable sent by the slow
 * path, rate-limited.  Design and behaviour: docs/router.md.
 *
 * Fast path, per packet of a burst (one rte_fib_lookup_bulk() per burst):
 *   malformed                          drop, the parser's reason
 *   ARP                                punt (learn, answer requests for our address)
 *   neither IPv4 nor ARP               drop not_ip
 *   IPv4 not sent to the input port's MAC, or to one of the appliance's addresses
 *                                      pass to the next handler (prx_pkt_next)
 *   no route                           punt -> ICMP net unreachable (code 0)
 *   TTL <= 1                           punt -> ICMP time exceeded
 *   neighbour MAC unknown              punt -> held (bounded), ARP request, sent when
 *                                      resolved, or dropped and counted (ICMP host
 *                                      unreachable, code 1, when resolution fails)
 *   neighbour blocked (hold queue full, or failed in the last 3 s)
 *                                      drop neigh_unresolved
 *   else                               TTL - 1, checksum updated, MACs rewritten, tx
 *
 * Every function except the process function runs on the control thread.
 */
#ifndef PRX_ROUTER_H
#define PRX_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "prx_conf_router.h"
#include "prx_pipeline.h"

/** A port as the router knows it (from the registry when it is created). */
struct prx_router_port {
	char name[PRX_NAME_MAX];
	uint16_t slot;
	uint8_t mac[6];
	uint32_t addr4;	 /**< the appliance's address on it (network order), 0 = none */
	uint8_t prefix4; /**< its prefix length: a connected route */
};

/** What a router is made from. */
struct prx_router_params {
	const struct prx_conf_router *conf;
	const struct prx_router_port *ports; /**< every port of the registry now */
	unsigned int n_ports;
	struct rte_rcu_qsbr *qsbr; /**< the reactors' QSBR variable; NULL: no concurrent readers */
	int socket;		   /**< for the tables (SOCKET_ID_ANY) */
	/** Build the tables only (any thread): prx_router_attach() on the control thread
	 *  registers the slow-path consumer before the router goes live. */
	bool detached;
	/* For tests: where packets the router makes come from and go (NULL: the slow path). */
	struct rte_mempool *pool;
	int (*send)(void *ctx, uint16_t slot, struct rte_mbuf *m);
	void *send_ctx;
};

/** Where a route came from. */
enum prx_router_origin {
	PRX_ROUTE_CONFIG = 0, /**< the configuration (routes, routes_file) */
	PRX_ROUTE_LIVE,	      /**< route.add */
	PRX_ROUTE_CONNECTED,  /**< a port's address: its subnet, on-link */
	PRX_ROUTE_LOCAL,      /**< a port's address (/32) or its subnet broadcast: the appliance */
};

/** One route, for listings. */
struct prx_router_route {
	uint32_t prefix; /**< network order */
	uint8_t len;
	uint32_t via; /**< network order, 0 = on-link */
	uint16_t slot;
	enum prx_router_origin origin;
};

/** One neighbour, for listings. */
struct prx_router_neigh {
	uint32_t ip; /**< network order */
	uint8_t mac[6];
	uint16_t slot;
	const char *state; /**< "incomplete", "failed", "reachable", "static" */
	uint16_t held;	   /**< packets waiting for its MAC */
	uint32_t refs;	   /**< routes' gateways pointing at it */
};

/** A router's counters (fast path summed over reactors, and the slow path's). */
struct prx_router_stats {
	uint64_t forwarded;    /**< by the fast path */
	uint64_t local;	       /**< passed on: not to be routed (the appliance's, not our MAC) */
	uint64_t punt_arp;     /**< ARP frames punted */
	uint64_t punt_ttl;     /**< TTL expired, punted */
	uint64_t punt_unreach; /**< no route, punted */
	uint64_t punt_neigh;   /**< neighbour unresolved, punted */
	uint64_t unresolved;   /**< dropped by the fast path: neighbour blocked */
	uint64_t arp_requests; /**< ARP requests sent */
	uint64_t arp_replies;  /**< ARP replies sent (for the appliance's addresses) */
	uint64_t arp_learned;  /**< neighbours learned or refreshed from ARP */
	uint64_t arp_ignored;  /**< ARP frames that taught nothing */
	uint64_t arp_rate_limited; /**< requests not answered: over RT_ARP_RATE */
	uint64_t icmp_time_exceeded, icmp_net_unreach, icmp_host_unreach; /**< sent */
	uint64_t icmp_rate_limited; /**< not sent: over icmp_rate */
	uint64_t icmp_suppressed;   /**< not sent by RFC 1812 rules (about an ICMP error, a
				       fragment, a broadcast; no address to send from) */
	uint64_t held;		    /**< packets put on a hold queue */
	uint64_t held_sent;	    /**< sent once their neighbour resolved */
	uint64_t held_overflow;	    /**< dropped: hold queue full */
	uint64_t held_timeout;	    /**< dropped: the neighbour did not answer */
	uint64_t held_dropped;	    /**< dropped otherwise (route gone, neighbour deleted) */
	uint64_t neigh_full;	    /**< dropped: neighbour table full */
	uint64_t send_failed;	    /**< made but not sent (inject ring full, no buffer) */
};

/**
 * Create a router: its FIB (32 or 64 MiB of tbl24), next hops, neighbours, the connected and
 * local routes of every port with an address, the configuration's neighbours and
 * routes; register it as a slow-path consumer.
 * @return 0, or -errno with a message (a route that does not fit, a port not known).
 */
int prx_router_create(const char *name, const struct prx_router_params *p, struct prx_handler **out,
		      char *msg, size_t len);

/** Register a router made `detached` with the slow path (control thread; no-op for one
 *  attached already or another handler type).  -ENOSPC: no consumer id left. */
int prx_router_attach(struct prx_handler *h, char *msg, size_t len);
/** Unregister a router no reactor runs any more from the slow path (control thread), so
 *  that prx_handler_free() of it (its tables: a million routes take ~0.3 s) may run on
 *  any thread. */
void prx_router_detach(struct prx_handler *h);

/** Is h a router? */
bool prx_handler_is_router(const struct prx_handler *h);

/** Add a route live (origin PRX_ROUTE_LIVE).  -EEXIST, -ENOSPC, -EINVAL. */
int prx_router_route_add(struct prx_handler *h, uint32_t prefix, uint8_t len, uint32_t via,
			 const struct prx_router_port *port, char *msg, size_t mlen);
/** Delete a route live.  -ENOENT, -EPERM (a connected or local route). */
int prx_router_route_del(struct prx_handler *h, uint32_t prefix, uint8_t len, char *msg,
			 size_t mlen);
/** Add or replace a static neighbour. */
int prx_router_neigh_add(struct prx_handler *h, uint32_t ip, const uint8_t mac[6],
			 const struct prx_router_port *port, char *msg, size_t mlen);
/** Forget a neighbour (one a gateway uses goes back to unresolved).  -ENOENT. */
int prx_router_neigh_del(struct prx_handler *h, uint32_t ip, char *msg, size_t mlen);

/** Routes now (connected and local included). */
uint32_t prx_router_n_routes(const struct prx_handler *h);
/** Call fn for every route, in no particular order. */
void prx_router_routes(const struct prx_handler *h,
		       void (*fn)(void *ctx, const struct prx_router_route *r), void *ctx);
/** Call fn for every neighbour. */
void prx_router_neighbors(const struct prx_handler *h,
			  void (*fn)(void *ctx, const struct prx_router_neigh *n), void *ctx);
/** The counters. */
void prx_router_stats_read(const struct prx_handler *h, struct prx_router_stats *out);
/** The router's view of port `slot` (name, MAC, address), or NULL if it knows none. */
const struct prx_router_port *prx_router_port(const struct prx_handler *h, uint16_t slot);
/** Does a route or neighbour use port `slot`?  (Such a port cannot be removed.) */
bool prx_router_uses_slot(const struct prx_handler *h, uint16_t slot);

/** The slow path's entry (tests call it directly; the slow path does otherwise). */
void prx_router_input(struct prx_handler *h, struct rte_mbuf *m);
/** Run the timers as of now_ns (CLOCK_MONOTONIC; the slow path ticks every 100 ms). */
void prx_router_tick(struct prx_handler *h, uint64_t now_ns);

#endif /* PRX_ROUTER_H */
