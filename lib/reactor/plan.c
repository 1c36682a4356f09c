/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Placement planner.  Pure: plain calloc, no EAL, so fake topologies test it.
 *
 * Cost: one pass over the queues, each choosing among at most PRX_MAX_REACTORS
 * reactors, so 32 ports x 1024 queues on 64 reactors is about two million
 * comparisons, done once at start or on reload.
 */
#include "prx_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A negative socket (SOCKET_ID_ANY is -1) is unknown. */
static bool
socket_known(int socket)
{
	return socket >= 0;
}

static int
check_input(const struct prx_plan_input *in)
{
	if (in->cores == NULL || in->n_cores == 0 || in->n_cores > PRX_MAX_REACTORS)
		return -EINVAL;
	if (in->n_ports > PRX_MAX_PORTS || (in->n_ports > 0 && in->ports == NULL))
		return -EINVAL;
	for (unsigned int p = 0; p < in->n_ports; p++)
		if (in->ports[p].n_rxq == 0 || in->ports[p].n_rxq > PRX_MAX_RXQ)
			return -EINVAL;
	return 0;
}

/* Is reactor a a better home than b for the next queue of a port?  Fewer queues in all
 * first (balance), then fewer queues of that port (a busy port's queues spread over
 * reactors instead of stacking on the first), then the lower index. */
static bool
better(const struct prx_plan *plan, const uint16_t *mine, unsigned int a, unsigned int b)
{
	if (plan->reactor[a].n_rxq != plan->reactor[b].n_rxq)
		return plan->reactor[a].n_rxq < plan->reactor[b].n_rxq;
	if (mine[a] != mine[b])
		return mine[a] < mine[b];
	return a < b;
}

/*
 * Rules 2 and 3: the best reactor (see better()) on `socket`; when the socket is unknown
 * or has no reactor, the best of all.  `mine[r]` counts the port's queues on reactor r.
 */
static unsigned int
pick_reactor(const struct prx_plan *plan, int socket, const uint16_t *mine)
{
	unsigned int best = PRX_MAX_REACTORS;

	if (socket_known(socket))
		for (unsigned int r = 0; r < plan->n_reactors; r++)
			if (plan->reactor[r].socket == socket &&
			    (best == PRX_MAX_REACTORS || better(plan, mine, r, best)))
				best = r;
	if (best != PRX_MAX_REACTORS)
		return best;
	best = 0;
	for (unsigned int r = 1; r < plan->n_reactors; r++)
		if (better(plan, mine, r, best))
			best = r;
	return best;
}

int
prx_plan_build(const struct prx_plan_input *in, struct prx_plan **out)
{
	unsigned int first[PRX_MAX_PORTS];		/* index in rxq[] of each port's queue 0 */
	uint16_t mine[PRX_MAX_PORTS][PRX_MAX_REACTORS]; /* queues of port p on reactor r (4 KiB) */
	unsigned int n_rxq = 0, max_rxq = 0;
	struct prx_plan *plan;
	int rc;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (in == NULL)
		return -EINVAL;
	rc = check_input(in);
	if (rc < 0)
		return rc;

	for (unsigned int p = 0; p < in->n_ports; p++) {
		first[p] = n_rxq;
		n_rxq += in->ports[p].n_rxq;
		if (in->ports[p].n_rxq > max_rxq)
			max_rxq = in->ports[p].n_rxq;
	}
	/* At most PRX_MAX_PORTS * PRX_MAX_RXQ entries: no overflow in the size. */
	plan = calloc(1, sizeof(*plan) + (size_t)n_rxq * sizeof(plan->rxq[0]));
	if (plan == NULL)
		return -ENOMEM;
	plan->n_reactors = in->n_cores;
	plan->n_rxq = n_rxq;
	for (unsigned int r = 0; r < in->n_cores; r++) {
		plan->reactor[r].lcore = in->cores[r].lcore;
		plan->reactor[r].socket = in->cores[r].socket;
	}

	memset(mine, 0, sizeof(mine));
	/* Rule 4: deal queue q of every port before queue q + 1 of any. */
	for (unsigned int q = 0; q < max_rxq; q++) {
		for (unsigned int p = 0; p < in->n_ports; p++) {
			const struct prx_topo_port *port = &in->ports[p];
			struct prx_plan_rxq *e;
			unsigned int r;

			if (q >= port->n_rxq)
				continue;
			r = pick_reactor(plan, port->socket, mine[p]);
			mine[p][r]++;
			e = &plan->rxq[first[p] + q];
			e->port = (uint16_t)p;
			e->queue = (uint16_t)q;
			e->reactor = (uint16_t)r;
			e->cross_numa = socket_known(port->socket) &&
					socket_known(plan->reactor[r].socket) &&
					plan->reactor[r].socket != port->socket;
			plan->reactor[r].n_rxq++;
			plan->n_cross_numa += e->cross_numa;
		}
	}
	*out = plan;
	return 0;
}

void
prx_plan_free(struct prx_plan *plan)
{
	free(plan);
}

int
prx_plan_owner(const struct prx_plan *plan, uint16_t port, uint16_t queue)
{
	unsigned int lo = 0, hi;

	if (plan == NULL)
		return -1;
	/* rxq[] is sorted by (port, queue): binary search. */
	hi = plan->n_rxq;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct prx_plan_rxq *e = &plan->rxq[mid];

		if (e->port == port && e->queue == queue)
			return e->reactor;
		if (e->port < port || (e->port == port && e->queue < queue))
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void
prx_plan_print(const struct prx_plan *plan, const struct prx_plan_input *in, FILE *f)
{
	if (plan == NULL || f == NULL)
		return;
	for (unsigned int i = 0; i < plan->n_rxq; i++) {
		const struct prx_plan_rxq *e = &plan->rxq[i];
		const struct prx_plan_reactor *r = &plan->reactor[e->reactor];

		fprintf(f, "rxq %u/%u -> reactor %u (lcore %u, socket %d)", e->port, e->queue,
			e->reactor, r->lcore, r->socket);
		if (e->cross_numa) {
			/* The plan does not keep port sockets; without the input, say less. */
			if (in != NULL && in->ports != NULL && e->port < in->n_ports)
				fprintf(f, " WARNING cross-NUMA: port on socket %d",
					in->ports[e->port].socket);
			else
				fputs(" WARNING cross-NUMA", f);
		}
		fputc('\n', f);
	}
	for (unsigned int r = 0; r < plan->n_reactors; r++)
		if (plan->reactor[r].n_rxq == 0)
			fprintf(f, "reactor %u (lcore %u) owns no rx queue\n", r,
				plan->reactor[r].lcore);
}
