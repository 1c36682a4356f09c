/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Logging: one rte_log type per subsystem (prx.core, prx.conf, ...), so an operator
 * changes levels with EAL's `--log-level=prx.port:debug` like any DPDK component.
 */
#ifndef PRX_LOG_H
#define PRX_LOG_H

#include <rte_log.h>

#define PRX_LOG_TYPES(X) \
	X(PRX_LOGT_CORE, "prx.core") \
	X(PRX_LOGT_CONF, "prx.conf") \
	X(PRX_LOGT_PORT, "prx.port") \
	X(PRX_LOGT_REACTOR, "prx.reactor") \
	X(PRX_LOGT_PIPELINE, "prx.pipeline") \
	X(PRX_LOGT_CTL, "prx.ctl")

#define PRX__LOGT_ENUM(sym, str) sym,
enum prx_log_type { PRX_LOG_TYPES(PRX__LOGT_ENUM) PRX_LOGT_MAX };
#undef PRX__LOGT_ENUM

/** rte_log type ids, registered when the program loads (prx_log_init() is idempotent). */
extern int prx_logtype[PRX_LOGT_MAX];

/** Register the log types (idempotent).  Safe before rte_eal_init(). */
void prx_log_init(void);

#define PRX_LOG(level, sub, fmt, ...) \
	rte_log(RTE_LOG_##level, prx_logtype[PRX_LOGT_##sub], "prx.%s: " fmt "\n", \
		prx_log_subname(PRX_LOGT_##sub), ##__VA_ARGS__)

/** Short subsystem name ("port") for a log type. */
const char *prx_log_subname(enum prx_log_type t);

#endif /* PRX_LOG_H */
