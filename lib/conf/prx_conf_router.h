/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Settings of a `type = "router"` handler (lib/conf/conf_router.c parses them;
 * config/README.md documents them):
 *
 *   { name = "rt"; type = "router"; max_routes = 1024;
 *     routes = ( { prefix = "10.0.2.0/24"; port = "b"; },
 *                { prefix = "0.0.0.0/0"; via = "10.0.1.254"; port = "a"; } );
 *     neighbors = ( { ip = "10.0.2.2"; mac = "02:00:00:00:00:02"; port = "b"; } );
 *     routes_file = "routes.txt";   # "PREFIX [via GW] port NAME" per line
 *     icmp_rate = 100; }
 *
 * Port names are kept as names (the router resolves them to slots when it is created),
 * so two configurations compare equal when they name the same ports.
 */
#ifndef PRX_CONF_ROUTER_H
#define PRX_CONF_ROUTER_H

#include <stdint.h>

#include "prx_common.h"

/** Largest `max_routes` (16 Mi: far beyond a full Internet table). */
#define PRX_ROUTER_MAX_ROUTES (1u << 24)
/** Largest `tbl8_groups`.  Up to PRX_ROUTER_TBL8_2B the FIB keeps 2-byte next hops
 *  (32 MiB of tbl24), beyond it 4-byte ones (64 MiB). */
#define PRX_ROUTER_MAX_TBL8 (1u << 24)
#define PRX_ROUTER_TBL8_2B 32000
/** Largest `max_neighbors`. */
#define PRX_ROUTER_MAX_NEIGH (1u << 20)
/** Largest `hold`. */
#define PRX_ROUTER_MAX_HOLD 64

/** One static route. */
struct prx_conf_route {
	uint32_t prefix; /**< network order, host bits zero */
	uint32_t via; /**< gateway, network order; 0 = on-link (the destination is the neighbour) */
	uint8_t len;  /**< prefix length 0..32 */
	uint8_t port; /**< index into prx_conf_router.ports */
	uint32_t line; /**< where it was written (line of the expanded text or of routes_file) */
};

/** One static neighbour (ARP entry that is never overwritten). */
struct prx_conf_neigh {
	uint32_t ip; /**< network order */
	uint8_t mac[6];
	uint8_t port; /**< index into prx_conf_router.ports */
};

/** A port name the router's tables use, and where it was first named (for the check). */
struct prx_conf_router_port {
	char name[PRX_NAME_MAX];
	uint32_t line;	 /**< line of the expanded text */
	char where[128]; /**< "handlers.[0].routes.[1].port" or "...routes_file: FILE:LINE" */
};

struct prx_conf_router {
	uint32_t max_routes;	/**< `max_routes`, 1..16777216, default 1024 */
	uint32_t tbl8_groups;	/**< `tbl8_groups`, default 256 + max_routes / 64 */
	uint32_t max_neighbors; /**< `max_neighbors`, 1..1048576, default 1024 */
	uint32_t icmp_rate;	/**< `icmp_rate`: ICMP errors per second, 0 = none; default 100 */
	uint32_t icmp_burst;	/**< `icmp_burst`: token bucket depth, default 10 */
	uint16_t hold;	   /**< `hold`: packets held per unresolved neighbour, 0..64, default 4 */
	char *routes_file; /**< `routes_file` as written, or NULL */
	uint32_t n_routes; /**< from `routes` then from routes_file */
	struct prx_conf_route *routes;	    /**< owned */
	uint32_t n_neigh;		    /**< `neighbors` */
	struct prx_conf_neigh *neigh;	    /**< owned */
	uint8_t n_ports;		    /**< distinct port names in routes and neighbors */
	struct prx_conf_router_port *ports; /**< owned, PRX_MAX_PORTS entries */
};

/** Bytes of EAL memory a router with these settings allocates (FIB, tables). */
uint64_t prx_conf_router_memory(const struct prx_conf_router *r);

#endif /* PRX_CONF_ROUTER_H */
