/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Drop reasons: one X-macro list gives the enum, the counter names operators read
 * and their descriptions.  Add new reasons at the end of a group; names are API.
 */
#ifndef PRX_DROP_H
#define PRX_DROP_H

#define PRX_DROP_REASONS(X) \
	X(PRX_DROP_CHAIN_END, "chain_end", \
	  "no handler in the port's chain disposed of the packet") \
	X(PRX_DROP_NO_PORT, "no_port", "destination port does not exist (any more)") \
	X(PRX_DROP_TX_FULL, "tx_full", "the port's tx queue refused the packet") \
	X(PRX_DROP_PUNT_FULL, "punt_full", "the slow-path ring was full") \
	X(PRX_DROP_HANDLER, "handler", "a handler dropped the packet by policy") \
	X(PRX_DROP_RUNT, "runt", "frame shorter than an Ethernet header")

#define PRX__DROP_ENUM(sym, name, desc) sym,
enum prx_drop_reason { PRX_DROP_REASONS(PRX__DROP_ENUM) PRX_DROP_MAX };
#undef PRX__DROP_ENUM

/** Counter name of a reason ("tx_full"), or "?" */
const char *prx_drop_name(enum prx_drop_reason r);
/** One-line description of a reason. */
const char *prx_drop_desc(enum prx_drop_reason r);

#endif /* PRX_DROP_H */
