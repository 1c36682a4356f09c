/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What a punted packet carries to the slow path: why it was punted, the port it came in
 * on and which slow-path consumer it is for, in the mbuf's `hash.usr` (32 bits the
 * drivers here do not use on the way in; the control thread reads them back).
 *
 *   bits 0-7 reason, 8-15 input port slot, 16-23 consumer id, 24-31 aux
 *
 * The same word says where a packet the control plane injects goes: the output port
 * slot in bits 8-15 (prx_slowpath_send()).
 */
#ifndef PRX_PUNT_H
#define PRX_PUNT_H

#include <stdint.h>

#include <rte_mbuf.h>

/** Why a packet goes to the slow path. */
enum prx_punt_reason {
	PRX_PUNT_NONE = 0,
	PRX_PUNT_ARP,	  /**< an ARP packet for the control plane (replies to learn) */
	PRX_PUNT_NEIGH,	  /**< its next hop's MAC is unknown: hold it, resolve, send */
	PRX_PUNT_TTL,	  /**< TTL expired: answer ICMP time exceeded */
	PRX_PUNT_UNREACH, /**< no route: answer ICMP destination unreachable */
	PRX_PUNT_LOCAL,	  /**< addressed to the appliance, not answered inline */
	PRX_PUNT_REASON_MAX
};

static inline void
prx_punt_meta_set(struct rte_mbuf *m, enum prx_punt_reason reason, uint16_t slot, uint8_t consumer,
		  uint8_t aux)
{
	m->hash.usr = (uint32_t)reason | (uint32_t)(slot & 0xff) << 8 | (uint32_t)consumer << 16 |
		      (uint32_t)aux << 24;
}

static inline enum prx_punt_reason
prx_punt_reason(const struct rte_mbuf *m)
{
	return (enum prx_punt_reason)(m->hash.usr & 0xff);
}

static inline uint16_t
prx_punt_slot(const struct rte_mbuf *m)
{
	return (uint16_t)((m->hash.usr >> 8) & 0xff);
}

static inline uint8_t
prx_punt_consumer(const struct rte_mbuf *m)
{
	return (uint8_t)(m->hash.usr >> 16);
}

static inline uint8_t
prx_punt_aux(const struct rte_mbuf *m)
{
	return (uint8_t)(m->hash.usr >> 24);
}

#endif /* PRX_PUNT_H */
