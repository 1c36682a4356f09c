/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The `acl` handler: stateless IPv4 5-tuple filtering with DPDK's rte_acl
 * (docs/acl.md).  Rules match protocol, source and destination prefixes and TCP/UDP
 * port ranges; the first rule that matches decides (allow: the packet goes on to the
 * next handler of the chain; deny: dropped as acl_deny), the default action when none
 * does.  Each rule counts its hits per reactor.
 *
 * An instance is immutable: new rules mean a new instance (prx_acl_create(), which
 * builds a new rte_acl context off the packet path) swapped in with
 * prx_dp_handler_replace(); the old one is freed after the grace period.
 *
 * Frames:
 *   - malformed (prx_parse() says so): dropped with the parser's reason;
 *   - not IPv4: passed on unfiltered, or given the default action (`non_ipv4`);
 *   - IPv4 later fragments (offset != 0, no L4 header): only rules that do not
 *     restrict ports can match them; first fragments carry the ports and match as
 *     whole datagrams.
 */
#ifndef PRX_ACL_H
#define PRX_ACL_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_conf_acl.h"
#include "prx_pipeline.h"

/**
 * Create an acl handler called `name` with the settings and rules of `conf` (copied).
 * Safe on any thread once EAL is up (the control thread's worker builds here); each call
 * makes an rte_acl context of its own with a name never used before.
 * @return 0, or -EINVAL/-ENOMEM/-errno of rte_acl with a reason in msg.
 */
int prx_acl_create(const char *name, const struct prx_conf_acl *conf, struct prx_handler **out,
		   char *msg, size_t len);

/** Is h an acl handler? */
bool prx_acl_is(const struct prx_handler *h);

/** The settings and rules an acl handler runs (its own copy). */
const struct prx_conf_acl *prx_acl_conf(const struct prx_handler *h);

/** Generation of the instance: unique per process, never reused. */
uint64_t prx_acl_gen(const struct prx_handler *h);

/**
 * Hits of rule `i` (0-based) summed over reactors, relaxed reads (any thread);
 * i == n_rules: packets no rule matched (the default action's hits).
 */
uint64_t prx_acl_hits(const struct prx_handler *h, unsigned int i);

/** One line for show.handlers: "default=allow rules=3 non_ipv4=pass". */
void prx_acl_describe(const struct prx_handler *h, char *buf, size_t len);

#endif /* PRX_ACL_H */
