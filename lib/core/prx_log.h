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

/* PRX_LOG(level, sub, fmt, args...).  The format is part of the variable arguments, and
 * an empty string is appended after them (printed by the trailing "%s"), so that a call
 * with no arguments after the format needs neither GNU's `, ##__VA_ARGS__` nor C23's
 * __VA_OPT__ (clang: -Wgnu-zero-variadic-macro-arguments). */
#define PRX_LOG(level, sub, ...) PRX__LOG(RTE_LOG_##level, PRX_LOGT_##sub, __VA_ARGS__, "")
#define PRX__LOG(lvl, t, fmt, ...) \
	rte_log(lvl, prx_logtype[t], "prx.%s: " fmt "\n%s", prx_log_subname(t), __VA_ARGS__)

/** Short subsystem name ("port") for a log type. */
const char *prx_log_subname(enum prx_log_type t);

#endif /* PRX_LOG_H */
