/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adaptive engine's sleep policy, as pure functions (unit-tested without a reactor):
 * how long to sleep after a run of empty polls, and how long an rx ring takes to fill.
 */
#include "prx_reactor.h"

uint32_t
prx_sleep_us(const struct prx_sleep_policy *p, uint64_t empty, uint32_t fill_us)
{
	uint64_t cap = p->max_wakeup_us, k, us;

	if (empty < p->idle_polls)
		return 0;
	/* Half the fill time: a sleep overshoots (wake-up, scheduling), and the pass after
	 * it needs room in the ring too. */
	if (fill_us != 0 && fill_us / 2 < cap)
		cap = fill_us / 2;
	if (cap < PRX_SLEEP_MIN_US)
		return 0;
	/* Sleeps so far in this idle run: every pass past idle_polls ended in one. */
	k = empty - p->idle_polls;
	us = k < 32 ? (uint64_t)PRX_SLEEP_MIN_US << k : cap;
	return (uint32_t)(us < cap ? us : cap);
}

uint32_t
prx_ring_fill_us(uint32_t desc, uint32_t speed_mbps)
{
	uint64_t us;

	if (desc == 0)
		return 0;
	if (speed_mbps == 0)
		speed_mbps = PRX_SLEEP_UNKNOWN_SPEED_MBPS;
	/* megabits per second are bits per microsecond */
	us = (uint64_t)desc * PRX_WIRE_MIN_FRAME_BITS / speed_mbps;
	if (us > UINT32_MAX)
		return UINT32_MAX;
	return us != 0 ? (uint32_t)us : 1;
}
