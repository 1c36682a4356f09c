/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the event-loop suite's files (test_evloop.c, test_evloop_timer.c). */
#ifndef TEST_EVLOOP_H
#define TEST_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_evloop.h"
#include "prx_test.h"

#define MS 1000000ull /* ns */
/* Every wait in these tests gives up after this long. */
#define DEADLINE_NS (5000 * MS)

/* What a timer callback saw. */
struct tick {
	int order[16];
	int n;
	int count;
	uint64_t at[16];
	struct prx_timer *other; /* stopped by the callback when set */
};

/* A new loop, or the test stops. */
struct prx_evloop *evl_new_loop(void);

/* Run passes until *count reaches want or the deadline passes (blocking 10 ms at most). */
bool evl_run_until(struct prx_evloop *ev, const int *count, int want);

/* Timer callback: counts into the struct tick in arg, with the times of the first 16. */
void evl_count_tick(struct prx_timer *t, void *arg);

/* The timer cases (test_evloop_timer.c), run by test_evloop.c's main. */
extern const struct prx_test_case evl_timer_cases[];

#endif
