/* SPDX-License-Identifier: BSD-3-Clause */
/* Placement planner on fake topologies: exact owners, invariants, bad input, printing. */
#include <errno.h>
#include <stdlib.h>

#include "prx_plan.h"
#include "prx_test.h"

#define PORT(s, n) \
	{ \
		.name = "p", .socket = (s), .n_rxq = (n) \
	}

static struct prx_plan *
build(unsigned int n_cores, const struct prx_topo_core *cores, unsigned int n_ports,
      const struct prx_topo_port *ports)
{
	struct prx_plan_input in = {
		.n_cores = n_cores, .cores = cores, .n_ports = n_ports, .ports = ports};
	struct prx_plan *plan = NULL;

	CU_ASSERT_EQUAL_FATAL(prx_plan_build(&in, &plan), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	return plan;
}

/* Compare every owner of one port against `want` (n entries, queue order). */
static void
check_owners(const struct prx_plan *plan, uint16_t port, const int *want, unsigned int n)
{
	for (unsigned int q = 0; q < n; q++) {
		int got = prx_plan_owner(plan, port, (uint16_t)q);

		CU_ASSERT_EQUAL(got, want[q]);
		if (got != want[q])
			fprintf(stderr, "port %u queue %u: owner %d, want %d\n", port, q, got,
				want[q]);
	}
	CU_ASSERT_EQUAL(prx_plan_owner(plan, port, (uint16_t)n), -1);
}

static void
check_loads(const struct prx_plan *plan, const unsigned int *want)
{
	for (unsigned int r = 0; r < plan->n_reactors; r++)
		CU_ASSERT_EQUAL(plan->reactor[r].n_rxq, want[r]);
}

static void
test_one_socket(void)
{
	const struct prx_topo_core cores[] = {{1, 0}, {2, 0}};
	const struct prx_topo_port ports[] = {PORT(0, 1), PORT(0, 1)};
	struct prx_plan *plan = build(2, cores, 2, ports);

	CU_ASSERT_EQUAL(plan->n_reactors, 2);
	CU_ASSERT_EQUAL(plan->n_rxq, 2);
	CU_ASSERT_EQUAL(plan->n_cross_numa, 0);
	CU_ASSERT_EQUAL(plan->reactor[0].lcore, 1);
	CU_ASSERT_EQUAL(plan->reactor[1].lcore, 2);
	CU_ASSERT_EQUAL(plan->reactor[1].socket, 0);
	check_owners(plan, 0, (const int[]){0}, 1);
	check_owners(plan, 1, (const int[]){1}, 1);
	check_loads(plan, (const unsigned int[]){1, 1});
	CU_ASSERT_EQUAL(plan->rxq[0].port, 0);
	CU_ASSERT_EQUAL(plan->rxq[1].port, 1);
	CU_ASSERT_FALSE(plan->rxq[0].cross_numa);
	prx_plan_free(plan);
}

static void
test_two_sockets(void)
{
	/* Reactors 0,1 on socket 0, reactors 2,3 on socket 1. */
	const struct prx_topo_core cores[] = {{1, 0}, {2, 0}, {3, 1}, {4, 1}};
	const struct prx_topo_port ports[] = {PORT(0, 2), PORT(1, 4), PORT(0, 2)};
	struct prx_plan *plan = build(4, cores, 3, ports);

	/* Order dealt: A0 B0 C0 A1 B1 C1 B2 B3; A1 goes to reactor 1 (equal loads, and
	 * reactor 0 already holds a queue of A), C1 to the then less loaded reactor 0. */
	check_owners(plan, 0, (const int[]){0, 1}, 2);
	check_owners(plan, 1, (const int[]){2, 3, 2, 3}, 4);
	check_owners(plan, 2, (const int[]){1, 0}, 2);
	check_loads(plan, (const unsigned int[]){2, 2, 2, 2});
	CU_ASSERT_EQUAL(plan->n_rxq, 8);
	CU_ASSERT_EQUAL(plan->n_cross_numa, 0);
	prx_plan_free(plan);
}

static void
test_cross_numa(void)
{
	/* No reactor on socket 1: its port goes to the least loaded of all, flagged. */
	const struct prx_topo_core cores[] = {{1, 0}, {2, 0}};
	const struct prx_topo_port ports[] = {PORT(1, 2), PORT(0, 1)};
	struct prx_plan *plan = build(2, cores, 2, ports);

	/* Order dealt: A0 -> 0, B0 -> 1, A1 -> 1 (equal loads: the reactor without a queue
	 * of A). */
	check_owners(plan, 0, (const int[]){0, 1}, 2);
	check_owners(plan, 1, (const int[]){1}, 1);
	CU_ASSERT_EQUAL(plan->n_cross_numa, 2);
	CU_ASSERT_TRUE(plan->rxq[0].cross_numa);
	CU_ASSERT_TRUE(plan->rxq[1].cross_numa);
	CU_ASSERT_FALSE(plan->rxq[2].cross_numa);
	prx_plan_free(plan);
}

static void
test_reactor_socket_unknown(void)
{
	/* A reactor of unknown socket is never "on" a socket, nor cross-NUMA. */
	const struct prx_topo_core cores[] = {{5, -1}, {6, -1}};
	const struct prx_topo_port ports[] = {PORT(1, 3)};
	struct prx_plan *plan = build(2, cores, 1, ports);

	check_owners(plan, 0, (const int[]){0, 1, 0}, 3);
	CU_ASSERT_EQUAL(plan->n_cross_numa, 0);
	prx_plan_free(plan);
}

static void
test_port_socket_unknown(void)
{
	/* Port B (socket -1) takes the least loaded reactor, not a preferred socket. */
	const struct prx_topo_core cores[] = {{1, 0}, {2, 1}};
	const struct prx_topo_port ports[] = {PORT(1, 2), PORT(-1, 2)};
	struct prx_plan *plan = build(2, cores, 2, ports);

	/* Order dealt: A0 -> 1, B0 -> 0 (load 0 < 1), A1 -> 1, B1 -> 0 (1 < 2). */
	check_owners(plan, 0, (const int[]){1, 1}, 2);
	check_owners(plan, 1, (const int[]){0, 0}, 2);
	CU_ASSERT_EQUAL(plan->n_cross_numa, 0);
	for (unsigned int i = 0; i < plan->n_rxq; i++)
		CU_ASSERT_FALSE(plan->rxq[i].cross_numa);
	prx_plan_free(plan);
}

static void
test_more_queues_than_cores(void)
{
	const struct prx_topo_core cores[] = {{1, 0}, {2, 0}, {3, 0}};
	const struct prx_topo_port ports[] = {PORT(0, 8)};
	struct prx_plan *plan = build(3, cores, 1, ports);

	check_owners(plan, 0, (const int[]){0, 1, 2, 0, 1, 2, 0, 1}, 8);
	check_loads(plan, (const unsigned int[]){3, 3, 2});
	for (unsigned int i = 0; i < plan->n_rxq; i++) {
		CU_ASSERT_EQUAL(plan->rxq[i].port, 0);
		CU_ASSERT_EQUAL(plan->rxq[i].queue, i);
	}
	prx_plan_free(plan);
}

static void
test_few_cores_many_ports(void)
{
	const struct prx_topo_core one[] = {{7, 0}};
	const struct prx_topo_core two[] = {{1, 0}, {2, 0}};
	const struct prx_topo_port ports[] = {PORT(0, 2), PORT(0, 2), PORT(0, 2), PORT(0, 2),
					      PORT(0, 2)};
	struct prx_plan *plan = build(1, one, 5, ports);

	for (uint16_t p = 0; p < 5; p++)
		check_owners(plan, p, (const int[]){0, 0}, 2);
	check_loads(plan, (const unsigned int[]){10});
	prx_plan_free(plan);

	/* Three ports on two cores: A0 B0 C0 A1 B1 C1 alternate 0 1 0 1 0 1. */
	plan = build(2, two, 3, ports);
	check_owners(plan, 0, (const int[]){0, 1}, 2);
	check_owners(plan, 1, (const int[]){1, 0}, 2);
	check_owners(plan, 2, (const int[]){0, 1}, 2);
	check_loads(plan, (const unsigned int[]){3, 3});
	prx_plan_free(plan);
}

static void
test_round_robin_over_ports(void)
{
	/*
	 * Port A has 4 queues, port B 1.  Dealt A0 B0 A1 A2 A3, so B's queue lands on
	 * reactor 1; dealing all of A first would have put it on reactor 0.  A's queues
	 * alternate: at equal loads the reactor with fewer of A's queues wins.
	 */
	const struct prx_topo_core cores[] = {{1, 0}, {2, 0}};
	const struct prx_topo_port ports[] = {PORT(0, 4), PORT(0, 1)};
	struct prx_plan *plan = build(2, cores, 2, ports);

	check_owners(plan, 0, (const int[]){0, 1, 0, 1}, 4);
	check_owners(plan, 1, (const int[]){1}, 1);
	check_loads(plan, (const unsigned int[]){2, 3});
	prx_plan_free(plan);
}

static void
test_no_ports(void)
{
	const struct prx_topo_core cores[] = {{1, 0}, {2, 1}};
	struct prx_plan *plan = build(2, cores, 0, NULL);

	CU_ASSERT_EQUAL(plan->n_rxq, 0);
	CU_ASSERT_EQUAL(plan->n_cross_numa, 0);
	check_loads(plan, (const unsigned int[]){0, 0});
	CU_ASSERT_EQUAL(prx_plan_owner(plan, 0, 0), -1);
	prx_plan_free(plan);
}

static void
test_limits(void)
{
	/* The largest valid input: every limit reached at once. */
	static struct prx_topo_core cores[PRX_MAX_REACTORS];
	static struct prx_topo_port ports[PRX_MAX_PORTS];
	struct prx_plan *plan;

	for (unsigned int r = 0; r < PRX_MAX_REACTORS; r++)
		cores[r] = (struct prx_topo_core){.lcore = r + 1, .socket = (int)(r % 2)};
	for (unsigned int p = 0; p < PRX_MAX_PORTS; p++)
		ports[p] = (struct prx_topo_port){
			.name = "p", .socket = (int)(p % 2), .n_rxq = PRX_MAX_RXQ};
	plan = build(PRX_MAX_REACTORS, cores, PRX_MAX_PORTS, ports);
	CU_ASSERT_EQUAL(plan->n_rxq, PRX_MAX_PORTS * PRX_MAX_RXQ);
	CU_ASSERT_EQUAL(plan->n_cross_numa, 0);
	for (unsigned int r = 0; r < PRX_MAX_REACTORS; r++)
		CU_ASSERT_EQUAL(plan->reactor[r].n_rxq,
				PRX_MAX_PORTS * PRX_MAX_RXQ / PRX_MAX_REACTORS);
	CU_ASSERT_EQUAL(prx_plan_owner(plan, PRX_MAX_PORTS - 1, PRX_MAX_RXQ - 1) % 2, 1);
	CU_ASSERT_EQUAL(prx_plan_owner(plan, PRX_MAX_PORTS - 1, PRX_MAX_RXQ), -1);
	CU_ASSERT_EQUAL(prx_plan_owner(plan, PRX_MAX_PORTS, 0), -1);
	prx_plan_free(plan);
}

static int
build_rc(unsigned int n_cores, const struct prx_topo_core *cores, unsigned int n_ports,
	 const struct prx_topo_port *ports)
{
	struct prx_plan_input in = {
		.n_cores = n_cores, .cores = cores, .n_ports = n_ports, .ports = ports};
	struct prx_plan *plan = (struct prx_plan *)&in; /* must be reset to NULL */
	int rc = prx_plan_build(&in, &plan);

	if (rc != 0)
		CU_ASSERT_PTR_NULL(plan);
	prx_plan_free(rc == 0 ? plan : NULL);
	return rc;
}

static void
test_invalid(void)
{
	static struct prx_topo_core cores[PRX_MAX_REACTORS + 1];
	static struct prx_topo_port ports[PRX_MAX_PORTS + 1];
	const struct prx_topo_port zero[] = {PORT(0, 1), PORT(0, 0)};
	const struct prx_topo_port big[] = {PORT(0, PRX_MAX_RXQ + 1)};
	struct prx_plan_input in = {.n_cores = 1, .cores = cores};
	struct prx_plan *plan = NULL;

	for (unsigned int p = 0; p < PRX_MAX_PORTS + 1; p++)
		ports[p] = (struct prx_topo_port){.name = "p", .socket = 0, .n_rxq = 1};

	CU_ASSERT_EQUAL(build_rc(0, cores, 1, ports), -EINVAL);
	CU_ASSERT_EQUAL(build_rc(PRX_MAX_REACTORS + 1, cores, 1, ports), -EINVAL);
	CU_ASSERT_EQUAL(build_rc(PRX_MAX_REACTORS, cores, 1, ports), 0);
	CU_ASSERT_EQUAL(build_rc(1, cores, 2, zero), -EINVAL);
	CU_ASSERT_EQUAL(build_rc(1, cores, 1, big), -EINVAL);
	CU_ASSERT_EQUAL(build_rc(1, cores, PRX_MAX_PORTS + 1, ports), -EINVAL);
	CU_ASSERT_EQUAL(build_rc(1, cores, PRX_MAX_PORTS, ports), 0);
	CU_ASSERT_EQUAL(build_rc(1, NULL, 1, ports), -EINVAL);
	CU_ASSERT_EQUAL(build_rc(1, cores, 1, NULL), -EINVAL);
	CU_ASSERT_EQUAL(prx_plan_build(NULL, &plan), -EINVAL);
	CU_ASSERT_PTR_NULL(plan);
	CU_ASSERT_EQUAL(prx_plan_build(&in, NULL), -EINVAL);
}

static void
test_owner_missing(void)
{
	const struct prx_topo_core cores[] = {{1, 0}};
	const struct prx_topo_port ports[] = {PORT(0, 2), PORT(0, 3)};
	struct prx_plan *plan = build(1, cores, 2, ports);

	CU_ASSERT_EQUAL(prx_plan_owner(plan, 0, 1), 0);
	CU_ASSERT_EQUAL(prx_plan_owner(plan, 0, 2), -1);
	CU_ASSERT_EQUAL(prx_plan_owner(plan, 1, 2), 0);
	CU_ASSERT_EQUAL(prx_plan_owner(plan, 1, 3), -1);
	CU_ASSERT_EQUAL(prx_plan_owner(plan, 2, 0), -1);
	CU_ASSERT_EQUAL(prx_plan_owner(plan, UINT16_MAX, UINT16_MAX), -1);
	CU_ASSERT_EQUAL(prx_plan_owner(NULL, 0, 0), -1);
	prx_plan_free(plan);
	prx_plan_free(NULL);
}

/* Print into memory; the caller frees the text. */
static char *
print_plan(const struct prx_plan *plan, const struct prx_plan_input *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	prx_plan_print(plan, in, f);
	CU_ASSERT_EQUAL(fclose(f), 0);
	return buf;
}

static void
test_print_cross_numa(void)
{
	const struct prx_topo_core cores[] = {{2, 0}, {4, 0}};
	const struct prx_topo_port ports[] = {PORT(1, 2), PORT(0, 1)};
	const struct prx_plan_input in = {
		.n_cores = 2, .cores = cores, .n_ports = 2, .ports = ports};
	struct prx_plan *plan = NULL;
	char *text;

	CU_ASSERT_EQUAL_FATAL(prx_plan_build(&in, &plan), 0);
	text = print_plan(plan, &in);
	CU_ASSERT_STRING_EQUAL(
		text,
		"rxq 0/0 -> reactor 0 (lcore 2, socket 0) WARNING cross-NUMA: port on socket 1\n"
		"rxq 0/1 -> reactor 1 (lcore 4, socket 0) WARNING cross-NUMA: port on socket 1\n"
		"rxq 1/0 -> reactor 1 (lcore 4, socket 0)\n");
	free(text);

	/* Without the input the port's socket is unknown to the printer. */
	text = print_plan(plan, NULL);
	CU_ASSERT_STRING_EQUAL(text, "rxq 0/0 -> reactor 0 (lcore 2, socket 0) WARNING cross-NUMA\n"
				     "rxq 0/1 -> reactor 1 (lcore 4, socket 0) WARNING cross-NUMA\n"
				     "rxq 1/0 -> reactor 1 (lcore 4, socket 0)\n");
	free(text);
	prx_plan_free(plan);
}

static void
test_print_idle_reactor(void)
{
	const struct prx_topo_core cores[] = {{3, 0}, {5, 1}, {9, -1}};
	const struct prx_topo_port ports[] = {PORT(1, 1)};
	const struct prx_plan_input in = {
		.n_cores = 3, .cores = cores, .n_ports = 1, .ports = ports};
	const struct prx_plan_input none = {.n_cores = 1, .cores = cores};
	struct prx_plan *plan = NULL;
	char *text;

	CU_ASSERT_EQUAL_FATAL(prx_plan_build(&in, &plan), 0);
	text = print_plan(plan, &in);
	CU_ASSERT_STRING_EQUAL(text, "rxq 0/0 -> reactor 1 (lcore 5, socket 1)\n"
				     "reactor 0 (lcore 3) owns no rx queue\n"
				     "reactor 2 (lcore 9) owns no rx queue\n");
	free(text);
	prx_plan_free(plan);

	CU_ASSERT_EQUAL_FATAL(prx_plan_build(&none, &plan), 0);
	text = print_plan(plan, &none);
	CU_ASSERT_STRING_EQUAL(text, "reactor 0 (lcore 3) owns no rx queue\n");
	free(text);
	prx_plan_free(plan);

	text = print_plan(NULL, &none);
	CU_ASSERT_STRING_EQUAL(text, "");
	free(text);
}

/* xorshift32: the same topologies on every libc. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* 1..max; the caller's argument is drawn first, in its own full expression. */
static unsigned int
rnd_upto(uint32_t *s, unsigned int max)
{
	return 1 + rnd(s) % max;
}

/* Socket -1 (unknown), 0, 1 or 2. */
static int
rnd_socket(uint32_t *s)
{
	return (int)(rnd(s) % 4) - 1;
}

/* Check the invariants of one random topology; returns the failures found. */
static unsigned int
check_random(uint32_t *seed)
{
	struct prx_topo_core cores[PRX_MAX_REACTORS];
	struct prx_topo_port ports[PRX_MAX_PORTS];
	unsigned int load[PRX_MAX_REACTORS] = {0};
	unsigned int n_cores = rnd_upto(seed, rnd(seed) % 4 == 0 ? PRX_MAX_REACTORS : 8);
	unsigned int n_ports = rnd(seed) % 7;
	bool one_socket = rnd(seed) % 2 == 0;
	int port_socket = rnd_socket(seed);
	unsigned int total = 0, cross = 0, bad = 0, i = 0;
	struct prx_plan_input in;
	struct prx_plan *plan = NULL;
	bool on_socket = false;
	unsigned int lo = ~0u, hi = 0;

	for (unsigned int r = 0; r < n_cores; r++) {
		cores[r] = (struct prx_topo_core){.lcore = r * 2, .socket = rnd_socket(seed)};
		on_socket |= cores[r].socket == port_socket && port_socket >= 0;
	}
	for (unsigned int p = 0; p < n_ports; p++) {
		/* Separate statements: an initializer list's order of evaluation is unspecified. */
		int socket = one_socket ? port_socket : rnd_socket(seed);
		unsigned int n_rxq = rnd_upto(seed, rnd(seed) % 8 == 0 ? 64 : 6);

		ports[p] = (struct prx_topo_port){
			.name = "p", .socket = socket, .n_rxq = (uint16_t)n_rxq};
		total += ports[p].n_rxq;
	}
	in = (struct prx_plan_input){
		.n_cores = n_cores, .cores = cores, .n_ports = n_ports, .ports = ports};
	if (prx_plan_build(&in, &plan) != 0)
		return 1;
	bad += plan->n_rxq != total || plan->n_reactors != n_cores;
	/* Exactly one entry per (port, queue), in (port, queue) order. */
	for (unsigned int p = 0; p < n_ports && plan->n_rxq == total; p++) {
		for (unsigned int q = 0; q < ports[p].n_rxq; q++, i++) {
			const struct prx_plan_rxq *e = &plan->rxq[i];
			int rs;
			bool x;

			if (e->port != p || e->queue != q || e->reactor >= n_cores) {
				bad++;
				continue;
			}
			rs = cores[e->reactor].socket;
			x = ports[p].socket >= 0 && rs >= 0 && rs != ports[p].socket;
			bad += e->cross_numa != x;
			bad += prx_plan_owner(plan, (uint16_t)p, (uint16_t)q) != e->reactor;
			/* Rule 2: a reactor on the port's socket, when there is one. */
			for (unsigned int r = 0; r < n_cores && ports[p].socket >= 0; r++)
				if (cores[r].socket == ports[p].socket) {
					bad += rs != ports[p].socket;
					break;
				}
			load[e->reactor]++;
			cross += e->cross_numa;
		}
		bad += prx_plan_owner(plan, (uint16_t)p, ports[p].n_rxq) != -1;
	}
	bad += plan->n_cross_numa != cross;
	for (unsigned int r = 0; r < n_cores; r++) {
		bad += plan->reactor[r].n_rxq != load[r];
		bad += plan->reactor[r].lcore != cores[r].lcore;
		bad += plan->reactor[r].socket != cores[r].socket;
		/* With one port socket, the reactors that may get queues share them evenly. */
		if (!on_socket || cores[r].socket == port_socket) {
			lo = load[r] < lo ? load[r] : lo;
			hi = load[r] > hi ? load[r] : hi;
		} else {
			bad += one_socket && load[r] != 0;
		}
	}
	if (one_socket && n_ports > 0)
		bad += hi - lo > 1;
	prx_plan_free(plan);
	return bad;
}

static void
test_random_topologies(void)
{
	uint32_t seed = 0x5eed1234;

	for (unsigned int t = 0; t < 500; t++) {
		unsigned int bad = check_random(&seed);

		CU_ASSERT_EQUAL(bad, 0);
		if (bad != 0)
			fprintf(stderr, "topology %u: %u failures\n", t, bad);
	}
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_one_socket),
		PRX_TEST(test_two_sockets),
		PRX_TEST(test_cross_numa),
		PRX_TEST(test_reactor_socket_unknown),
		PRX_TEST(test_port_socket_unknown),
		PRX_TEST(test_more_queues_than_cores),
		PRX_TEST(test_few_cores_many_ports),
		PRX_TEST(test_round_robin_over_ports),
		PRX_TEST(test_no_ports),
		PRX_TEST(test_limits),
		PRX_TEST(test_invalid),
		PRX_TEST(test_owner_missing),
		PRX_TEST(test_print_cross_numa),
		PRX_TEST(test_print_idle_reactor),
		PRX_TEST(test_random_topologies),
		{NULL, NULL},
	};

	return prx_test_run("plan", cases, 0);
}
