/* SPDX-License-Identifier: BSD-3-Clause */
/* The poll engine: busy-poll, never sleep (DPDK mode, lowest latency). */
#include "prx_reactor.h"

#include <rte_pause.h>

static void
poll_idle(struct prx_reactor *r, unsigned int received)
{
	/* The reactor's fds (sockets, timers, posts) are checked without blocking, so DPDK
	 * reactors host them too: one epoll_wait() per PRX_POLL_FD_CHECK_EVERY iterations. */
	if (++r->fd_iter >= PRX_POLL_FD_CHECK_EVERY) {
		r->fd_iter = 0;
		prx_evloop_run(r->ev, 0);
	}
	/* An empty pass spins once more; rte_pause() lets an SMT sibling run meanwhile. */
	if (received == 0)
		rte_pause();
}

const struct prx_engine_ops prx_engine_poll = {
	.name = "poll",
	.idle = poll_idle,
};
