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
	X(PRX_DROP_RUNT, "runt", "frame shorter than an Ethernet header") \
	/* the packet parser (prx_parse.h) */ \
	X(PRX_DROP_VLAN_TRUNC, "vlan_trunc", "VLAN tag cut short, or more tags than parsed") \
	X(PRX_DROP_L3_TRUNC, "l3_trunc", "IPv4 or IPv6 header cut short by the end of the frame") \
	X(PRX_DROP_BAD_VERSION, "bad_version", "IP version does not match the EtherType") \
	X(PRX_DROP_BAD_IHL, "bad_ihl", "IPv4 header length below 20 bytes") \
	X(PRX_DROP_BAD_TOTAL_LEN, "bad_total_len", \
	  "IP total/payload length beyond the frame or below the header") \
	X(PRX_DROP_L4_TRUNC, "l4_trunc", "TCP, UDP or ICMP header cut short") \
	X(PRX_DROP_BAD_ARP, "bad_arp", "ARP packet that is not Ethernet/IPv4 or is cut short") \
	/* router */ \
	X(PRX_DROP_NOT_IP, "not_ip", "the router got a frame that is neither IPv4 nor ARP") \
	X(PRX_DROP_TTL_EXPIRED, "ttl_expired", "TTL reached zero (ICMP time exceeded sent)") \
	X(PRX_DROP_NO_ROUTE, "no_route", "no route to the destination (ICMP unreachable sent)") \
	X(PRX_DROP_NEIGH_UNRESOLVED, "neigh_unresolved", \
	  "next hop's MAC unknown and its hold queue full") \
	/* acl */ \
	X(PRX_DROP_ACL_DENY, "acl_deny", "an ACL rule or the ACL's default denied it") \
	/* responder */ \
	X(PRX_DROP_RATE_LIMITED, "rate_limited", \
	  "over the responder's per-port rate (ARP/ICMP echo flood)") \
	/* worker pool */ \
	X(PRX_DROP_OFFLOAD_FULL, "offload_full", \
	  "the ring to the worker of the packet's flow was full (offloaded handler)")

#define PRX__DROP_ENUM(sym, name, desc) sym,
enum prx_drop_reason { PRX_DROP_REASONS(PRX__DROP_ENUM) PRX_DROP_MAX };
#undef PRX__DROP_ENUM

/** Counter name of a reason ("tx_full"), or "?" */
const char *prx_drop_name(enum prx_drop_reason r);
/** One-line description of a reason. */
const char *prx_drop_desc(enum prx_drop_reason r);

#endif /* PRX_DROP_H */
