/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging for the fuzz targets that link prx code calling PRX_LOG() without DPDK:
 * rte_log() formats the message into a buffer (so the sanitizers see every argument a
 * format reads) and drops it.  Replaces lib/core/log.c, whose constructor registers
 * the log types with DPDK.
 */
#include <stdarg.h>
#include <stdio.h>

#include "prx_log.h"

int prx_logtype[PRX_LOGT_MAX];

int
rte_log(uint32_t level, uint32_t logtype, const char *format, ...)
{
	char buf[1024];
	va_list ap;

	(void)level;
	(void)logtype;
	va_start(ap, format);
	vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	return 0;
}

const char *
prx_log_subname(enum prx_log_type t)
{
	(void)t;
	return "fuzz";
}
