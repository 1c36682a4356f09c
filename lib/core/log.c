/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_log.h"

#include <stdbool.h>

#include "prx_common.h"

#define NAME(sym, str) [sym] = str,
static const char *const logtype_names[PRX_LOGT_MAX] = {PRX_LOG_TYPES(NAME)};
#undef NAME

int prx_logtype[PRX_LOGT_MAX];

void
prx_log_init(void)
{
	static bool done;

	if (done)
		return;
	for (unsigned int i = 0; i < PRX_LOGT_MAX; i++) {
		int t = rte_log_register_type_and_pick_level(logtype_names[i], RTE_LOG_INFO);

		prx_logtype[i] = t >= 0 ? t : RTE_LOGTYPE_USER1;
	}
	done = true;
}

/* Registered at load time, like DPDK's drivers, so --log-level=prx.*:debug given to
 * rte_eal_init() applies to them. */
RTE_INIT(prx_log_constructor)
{
	prx_log_init();
}

const char *
prx_log_subname(enum prx_log_type t)
{
	/* "prx.port" -> "port" */
	return (unsigned int)t < PRX_LOGT_MAX ? logtype_names[t] + 4 : "?";
}
