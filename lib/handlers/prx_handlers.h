/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Built-in handlers.
 */
#ifndef PRX_HANDLERS_H
#define PRX_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_conf.h"
#include "prx_pipeline.h"

/** Settings of an xconnect (cross-connect, l2fwd) handler. */
struct prx_xconnect_conf {
	uint16_t to;	       /**< output port slot */
	enum prx_mac_mode mac; /**< keep, swap source/destination, or rewrite */
	bool set_src, set_dst; /**< rewrite: which addresses to set */
	uint8_t src[6], dst[6];
	uint32_t work_cycles; /**< TSC cycles busy-spun per packet (test/benchmark knob) */
};

/**
 * Create an xconnect handler: every packet leaves on port slot `to`, its MAC addresses
 * kept, swapped or rewritten.  With mac != keep, frames shorter than an Ethernet header
 * are dropped as "runt" (they have no addresses to change).
 * Cost (callgrind, net_null, burst 32, docs/benchmarks.md): keep 1.035x testpmd io in
 * instructions per packet, swap 1.049x testpmd macswap.
 * @return 0 or -EINVAL/-ENOMEM.
 */
int prx_xconnect_create(const char *name, const struct prx_xconnect_conf *conf,
			struct prx_handler **out);

/**
 * Create a responder: answers ARP requests and ICMP echo requests addressed to the input
 * port's `address` out of that port, at most conf->rate answers per second per (reactor,
 * port) with bursts of conf->burst (the rest dropped as rate_limited); drops malformed
 * frames with the parser's reason; passes every other packet on.
 * @return 0 or -EINVAL/-ENOMEM.
 */
int prx_responder_create(const char *name, const struct prx_conf_responder *conf,
			 struct prx_handler **out);

#endif /* PRX_HANDLERS_H */
