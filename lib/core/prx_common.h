/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Small definitions shared by every prx module: limits, helpers, X-macro lists.
 */
#ifndef PRX_COMMON_H
#define PRX_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** Longest name of a port, handler or instance, including the NUL. */
#define PRX_NAME_MAX 32
/** Most ports one instance can hold (port slots are indices into per-reactor tx buffers). */
#define PRX_MAX_PORTS 32
/** Most data-plane reactors; each port is configured with this many tx queues at most. */
#define PRX_MAX_REACTORS 64
/** Most handler instances. */
#define PRX_MAX_HANDLERS 64
/** Most handlers in one port's chain. */
#define PRX_CHAIN_MAX 8
/** Most worker threads (`workers.cores`); reactors + workers <= PRX_MAX_REACTORS. */
#define PRX_MAX_WORKERS 16
/** Most rx queues on one port. */
#define PRX_MAX_RXQ 1024
/** Largest rx burst (the per-reactor arrays are sized by it). */
#define PRX_BURST_MAX 128

#define PRX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRX_CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Stringify an X-macro list into a name table. */
#define PRX__XNAME(sym, str) [sym] = str,

/** names[v] of a name table with n entries, or "?" when v is out of range. */
static inline const char *
prx_name_of(const char *const *names, unsigned int n, unsigned int v)
{
	return v < n && names[v] != NULL ? names[v] : "?";
}

#endif /* PRX_COMMON_H */
