/* SPDX-License-Identifier: BSD-3-Clause */
/* Event loop timers: order, accuracy, periods, stopping inside callbacks.  Run by the
 * main() of test_evloop.c (one executable per module). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_evloop.h"

static struct tick seen;

static void
note(struct prx_timer *t, void *arg)
{
	(void)t;
	if (seen.n < 16) {
		seen.at[seen.n] = prx_evloop_now_ns();
		seen.order[seen.n++] = (int)(intptr_t)arg;
	}
}

static struct prx_timer heap_t[300];
static uint64_t last_deadline;
static int n_sorted, n_unsorted;

static void
by_deadline(struct prx_timer *t, void *arg)
{
	(void)arg;
	if (t->deadline_ns < last_deadline)
		n_unsorted++;
	last_deadline = t->deadline_ns;
	n_sorted++;
}

static void
test_timer_order(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_timer t[8] = {{0}};
	/* Different delays, then equal ones (started in order, run in order).  The steps
	 * are wide enough for a slow start (valgrind). */
	static const uint64_t delay_us[8] = {30000, 10000, 20000, 40000, 40000, 40000, 0, 0};
	static const int expect[8] = {6, 7, 1, 2, 0, 3, 4, 5};

	seen = (struct tick){0};
	CU_ASSERT_EQUAL(prx_timer_start(ev, &t[0], 1, 0, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(prx_timer_start(ev, &t[0], UINT64_MAX / 100, 0, note, NULL), -EINVAL);
	CU_ASSERT_FALSE(prx_timer_active(&t[0]));
	prx_timer_stop(&t[0]);
	for (int i = 0; i < 8; i++) {
		CU_ASSERT_EQUAL(
			prx_timer_start(ev, &t[i], delay_us[i], 0, note, (void *)(intptr_t)i), 0);
		CU_ASSERT_TRUE(prx_timer_active(&t[i]));
	}
	CU_ASSERT_TRUE(evl_run_until(ev, &seen.n, 8));
	for (int i = 0; i < 8; i++) {
		CU_ASSERT_EQUAL(seen.order[i], expect[i]);
		CU_ASSERT_FALSE(prx_timer_active(&t[i]));
	}
	/* Many timers in a random order, a third stopped: the rest run by deadline. */
	srand(7);
	for (int i = 0; i < 300; i++)
		CU_ASSERT_EQUAL(prx_timer_start(ev, &heap_t[i], (uint64_t)(rand() % 5000), 0,
						by_deadline, NULL),
				0);
	for (int i = 0; i < 300; i += 3)
		prx_timer_stop(&heap_t[i]);
	last_deadline = 0;
	n_sorted = n_unsorted = 0;
	CU_ASSERT_TRUE(evl_run_until(ev, &n_sorted, 200));
	CU_ASSERT_EQUAL(n_unsorted, 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 20000), 0);
	CU_ASSERT_EQUAL(n_sorted, 200);
	prx_evloop_destroy(ev);
}

static void
test_timer_accuracy(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_timer t = {0};
	uint64_t t0, dt;

	seen = (struct tick){0};
	t0 = prx_evloop_now_ns();
	CU_ASSERT_EQUAL(prx_timer_start(ev, &t, 2000, 0, note, NULL), 0);
	/* One blocking pass: the timerfd ends it. */
	CU_ASSERT_EQUAL(prx_evloop_run(ev, -1), 1);
	CU_ASSERT_EQUAL_FATAL(seen.n, 1);
	dt = seen.at[0] - t0;
	CU_ASSERT(dt >= 2 * MS);
	CU_ASSERT(dt < 50 * MS);

	/* A pass with a 20 ms limit and nothing to do blocks about that long. */
	t0 = prx_evloop_now_ns();
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 20000), 0);
	dt = prx_evloop_now_ns() - t0;
	CU_ASSERT(dt >= 20 * MS);
	CU_ASSERT(dt < 100 * MS);

	/* The limit wins over a later timer, and the timer still fires after it. */
	t0 = prx_evloop_now_ns();
	CU_ASSERT_EQUAL(prx_timer_start(ev, &t, 30000, 0, note, NULL), 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 3000), 0);
	dt = prx_evloop_now_ns() - t0;
	CU_ASSERT(dt >= 3 * MS);
	CU_ASSERT(dt < 25 * MS);
	CU_ASSERT_TRUE(evl_run_until(ev, &seen.n, 2));
	CU_ASSERT(seen.at[1] - t0 >= 30 * MS);
	prx_evloop_destroy(ev);
}

static void
stop_loop(struct prx_timer *t, void *arg)
{
	(void)t;
	prx_evloop_stop(arg);
}

static void
test_timer_periodic(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_timer per = {0}, end = {0}, guard = {0};
	struct tick k = {0};
	uint64_t first;

	/*
	 * Every 5 ms for ~52 ms: 10 ticks when on time.  A loaded machine skips periods, so
	 * fewer; an 11th only if the pass that ends it comes after 55 ms (it finishes the
	 * due timers first).  Never more: missed periods are not made up.
	 */
	CU_ASSERT_EQUAL(prx_timer_start(ev, &per, 5000, 5000, evl_count_tick, &k), 0);
	first = per.deadline_ns;
	CU_ASSERT_EQUAL(prx_timer_start(ev, &end, 52000, 0, stop_loop, ev), 0);
	CU_ASSERT_EQUAL(prx_timer_start(ev, &guard, 5000000, 0, stop_loop, ev), 0);
	CU_ASSERT_EQUAL(prx_evloop_run_forever(ev), 0);
	CU_ASSERT_FALSE(prx_timer_active(&end));
	CU_ASSERT(k.count >= 3 && k.count <= 11);
	CU_ASSERT_TRUE(prx_timer_active(&per));
	/* Phase kept: every deadline is on the 5 ms grid of the first one. */
	CU_ASSERT_EQUAL((per.deadline_ns - first) % (5 * MS), 0);
	CU_ASSERT(k.at[0] >= first);
	prx_timer_stop(&per);
	prx_timer_stop(&guard);
	prx_evloop_destroy(ev);
}

/* A callback that overruns three periods: the missed ones are skipped, not run in a row. */
/* A periodic timer's calls: when each ran and the deadline it was re-queued with. */
struct slow {
	uint64_t first; /* the first deadline */
	uint64_t ran[3];
	uint64_t next[3];
	int count;
};

/* The first call overruns the 10 ms period by 15 ms. */
static void
slow_tick(struct prx_timer *t, void *arg)
{
	struct slow *k = arg;

	k->ran[k->count] = prx_evloop_now_ns();
	k->next[k->count] = t->deadline_ns;
	if (++k->count == 1) {
		uint64_t until = prx_evloop_now_ns() + 25 * MS;

		while (prx_evloop_now_ns() < until)
			;
	}
	if (k->count == 3)
		prx_timer_stop(t);
}

static void
test_timer_periodic_skips_missed(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_timer t = {0};
	struct slow k = {0};

	CU_ASSERT_EQUAL(prx_timer_start(ev, &t, 10000, 10000, slow_tick, &k), 0);
	k.first = t.deadline_ns;
	CU_ASSERT_TRUE(evl_run_until(ev, &k.count, 3));
	/*
	 * After each call the timer is due at the first point of its grid (first + k * 10
	 * ms) after the call: the periods missed during the overrun are skipped, not run
	 * back to back.  Unloaded: calls at 0, 25, 30 ms; next due 10, 30, 40 ms.
	 */
	CU_ASSERT(k.ran[1] >= k.ran[0] + 25 * MS);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT(k.ran[i] >= k.first);
		CU_ASSERT_EQUAL((k.next[i] - k.first) % (10 * MS), 0);
		/* (re-queued from the time the timer phase began, just before the call) */
		CU_ASSERT(k.next[i] + MS > k.ran[i]);
		CU_ASSERT(k.next[i] <= k.ran[i] + 10 * MS);
		if (i > 0)
			CU_ASSERT(k.ran[i] >= k.next[i - 1]);
	}
	CU_ASSERT(k.next[1] >= k.first + 30 * MS);
	CU_ASSERT_FALSE(prx_timer_active(&t));
	prx_evloop_destroy(ev);
}

static void
stop_self_third(struct prx_timer *t, void *arg)
{
	struct tick *k = arg;

	if (++k->count == 3)
		prx_timer_stop(t);
}

static void
test_timer_stop_in_own_callback(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_timer t = {0}, after = {0};
	struct tick k = {0}, a = {0};

	CU_ASSERT_EQUAL(prx_timer_start(ev, &t, 1000, 1000, stop_self_third, &k), 0);
	CU_ASSERT_TRUE(evl_run_until(ev, &k.count, 3));
	CU_ASSERT_FALSE(prx_timer_active(&t));
	/* Give it 10 ms more to misbehave. */
	CU_ASSERT_EQUAL(prx_timer_start(ev, &after, 10000, 0, evl_count_tick, &a), 0);
	CU_ASSERT_TRUE(evl_run_until(ev, &a.count, 1));
	CU_ASSERT_EQUAL(k.count, 3);
	/* A stopped timer's memory is free to reuse: start it again from scratch. */
	memset(&t, 0, sizeof(t));
	CU_ASSERT_EQUAL(prx_timer_start(ev, &t, 0, 0, evl_count_tick, &a), 0);
	CU_ASSERT_TRUE(evl_run_until(ev, &a.count, 2));
	prx_evloop_destroy(ev);
}

static void
stop_other(struct prx_timer *t, void *arg)
{
	struct tick *k = arg;

	(void)t;
	k->count++;
	prx_timer_stop(k->other);
}

static void
test_timer_stop_other_due(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_timer a = {0}, b = {0};
	struct tick ka = {0}, kb = {0};
	uint64_t end;

	ka.other = &b;
	CU_ASSERT_EQUAL(prx_timer_start(ev, &a, 1000, 0, stop_other, &ka), 0);
	CU_ASSERT_EQUAL(prx_timer_start(ev, &b, 1000, 0, evl_count_tick, &kb), 0);
	/* Both due before the pass starts: a runs first and stops b, which must not run. */
	end = b.deadline_ns;
	while (prx_evloop_now_ns() < end)
		;
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 1);
	CU_ASSERT_EQUAL(ka.count, 1);
	CU_ASSERT_EQUAL(kb.count, 0);
	CU_ASSERT_FALSE(prx_timer_active(&b));
	CU_ASSERT_EQUAL(prx_evloop_run(ev, 0), 0);
	CU_ASSERT_EQUAL(kb.count, 0);
	prx_evloop_destroy(ev);
}

static void
nested_run(struct prx_timer *t, void *arg)
{
	(void)t;
	CU_ASSERT_EQUAL(prx_evloop_run(arg, 0), -EBUSY);
}

static void
test_run_not_reentrant(void)
{
	struct prx_evloop *ev = evl_new_loop();
	struct prx_timer t = {0};

	CU_ASSERT_EQUAL(prx_timer_start(ev, &t, 0, 0, nested_run, ev), 0);
	CU_ASSERT_EQUAL(prx_evloop_run(ev, -1), 1);
	prx_evloop_destroy(ev);
}

const struct prx_test_case evl_timer_cases[] = {
	PRX_TEST(test_timer_order),
	PRX_TEST(test_timer_accuracy),
	PRX_TEST(test_timer_periodic),
	PRX_TEST(test_timer_periodic_skips_missed),
	PRX_TEST(test_timer_stop_in_own_callback),
	PRX_TEST(test_timer_stop_other_due),
	PRX_TEST(test_run_not_reentrant),
	{NULL, NULL},
};
