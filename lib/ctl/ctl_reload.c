/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload off the control loop (`reload` and SIGHUP; docs/control.md,
 * "Reload").
 *
 * A reload reads the configuration file and every routes and rules file it names, then
 * builds the tables of the handlers that changed: a million routes take about 1.5 s to
 * read and put in a FIB, 10 000 acl rules about a second to build.  The control loop
 * serves every other client, the statistics, the metrics endpoint and the slow path (ARP
 * replies a router waits for) and must not stop for that.  So a reload runs in the
 * steps of prx_dataplane.h: a worker thread (an EAL control thread, off the reactors'
 * cores) parses; the control thread compares the result with the running state and
 * opens the ports it adds (quick); a worker builds the acl contexts and FIBs; the control
 * thread publishes, waits until every reactor runs the new state, and replies.
 *
 * One reload at a time: `reload` during another gets EBUSY; a SIGHUP during one is
 * remembered and runs when it ends (as several SIGHUPs make one reload).  A live change
 * applied between the compare and the publish (prxctl port add, acl load...) makes the
 * reload fail with EAGAIN and nothing applied: the running state is never rolled back
 * under a change that was acknowledged.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "ctl_args.h"
#include "prx_control.h"
#include "prx_ctlsock.h"
#include "prx_dataplane.h"
#include "prx_evloop.h"
#include "prx_log.h"
#include "prx_notify.h"

struct reload_job {
	struct reload_job *next; /* in `reaping` */
	uint64_t seq;		 /* what a worker posts back: a stale post finds no job */
	pthread_t thread;
	bool thread_live; /* a worker to join */
	struct prx_control *ctl;
	struct prx_ctl_req *req; /* NULL: SIGHUP */
	struct prx_dp_reload_job *dj;
	uint64_t t0_ns;
};

/* The reload in progress, a SIGHUP that came during it, and reloads done whose old
 * tables are being freed: the control thread's. */
static struct reload_job *cur, *reaping;
static bool again;
static uint64_t job_seq;

static void step_parsed(void *arg);
static void step_built(void *arg);
static void step_reaped(void *arg);

static void
post(struct reload_job *j, prx_post_fn fn)
{
	/* the post allocates: on ENOMEM, try again (the control thread joins us) */
	while (prx_evloop_post(prx_control_loop(j->ctl), fn, (void *)(uintptr_t)j->seq) == -ENOMEM)
		usleep(1000);
}

static void *
parse_worker(void *arg)
{
	struct reload_job *j = arg;

	prx_dp_reload_parse(j->dj);
	post(j, step_parsed);
	return NULL;
}

static void *
build_worker(void *arg)
{
	struct reload_job *j = arg;

	prx_dp_reload_build(j->dj);
	post(j, step_built);
	return NULL;
}

static void *
reap_worker(void *arg)
{
	struct reload_job *j = arg;
	uint64_t t0 = prx_evloop_now_ns();
	unsigned int n = prx_dp_reload_reap(j->dj);

	PRX_LOG(INFO, CTL, "reload: %u replaced instance(s) freed in %" PRIu64 " ms", n,
		(prx_evloop_now_ns() - t0) / 1000000);
	post(j, step_reaped);
	return NULL;
}

/* Run a step on a worker; when no thread can be made, here (slow, still right). */
static void
run_off_loop(struct reload_job *j, void *(*worker)(void *), const char *name)
{
	int rc = rte_ctrl_thread_create(&j->thread, name, NULL, worker, j);

	if (rc == 0) {
		j->thread_live = true;
		return;
	}
	PRX_LOG(WARNING, CTL, "reload: cannot start a worker (%s): running the step here",
		strerror(-rc));
	worker(j);
}

/* The job a worker's post names, its worker joined; NULL when it is gone (shutdown). */
static struct reload_job *
take(void *arg)
{
	uint64_t seq = (uint64_t)(uintptr_t)arg;

	if (cur == NULL || cur->seq != seq)
		return NULL;
	if (cur->thread_live) {
		pthread_join(cur->thread, NULL); /* it has posted: it is returning */
		cur->thread_live = false;
	}
	return cur;
}

static int start(struct prx_control *c, struct prx_ctl_req *req);

/* Publish (or not), tell the client, systemd and the log; start a SIGHUP's reload that
 * waited. */
static void
finish(struct reload_job *j)
{
	struct prx_control *c = j->ctl;
	struct prx_dataplane *dp = prx_control_dp(c);
	int rc = prx_dp_reload_commit(j->dj);
	const char *msg = prx_dp_reload_msg(j->dj);
	uint64_t total_us = (prx_evloop_now_ns() - j->t0_ns) / 1000;

	prx_notify(
		rc == 0 ? "READY=1\nSTATUS=forwarding (configuration reloaded)"
			: "READY=1\nSTATUS=forwarding (reload refused: running configuration kept)");
	if (rc != 0) {
		PRX_LOG(ERR, CTL, "reload of %s failed, running configuration kept:\n%s",
			prx_dp_reload_path(j->dj), msg[0] != '\0' ? msg : strerror(-rc));
		if (j->req != NULL) {
			prx_ctl_req_error(j->req, NULL, "%s", msg[0] != '\0' ? msg : strerror(-rc));
			prx_ctl_req_done(j->req, rc, NULL);
		}
	} else {
		const struct prx_dp_reload *res = prx_dp_reload_result(j->dj);

		prx_control_changed(c);
		if (j->req != NULL) {
			json_t *changes = json_array();

			for (unsigned int i = 0; i < res->n_changes; i++)
				json_array_append_new(changes, json_string(res->changes[i]));
			prx_ctl_req_done(j->req, 0,
					 json_pack("{s:s, s:o, s:I, s:I}", "file",
						   prx_dp_conf(dp)->file, "changes", changes,
						   "live_us", (json_int_t)prx_dp_last_live_us(dp),
						   "total_us", (json_int_t)total_us));
		}
	}
	cur = NULL;
	if (rc == 0 && prx_dp_reload_to_reap(j->dj)) {
		/* the old acl contexts and FIBs are freed off the loop too */
		j->next = reaping;
		reaping = j;
		run_off_loop(j, reap_worker, "prx-reap");
	} else {
		prx_dp_reload_job_free(j->dj);
		free(j);
	}
	if (again) {
		again = false;
		PRX_LOG(NOTICE, CTL, "reload: running the one a SIGHUP asked for meanwhile");
		if (start(c, NULL) != 0)
			PRX_LOG(ERR, CTL, "reload: cannot start: out of memory");
	}
}

static void
step_parsed(void *arg)
{
	struct reload_job *j = take(arg);

	if (j == NULL)
		return;
	if (prx_dp_reload_prepare(j->dj) > 0) {
		run_off_loop(j, build_worker, "prx-reload");
		return;
	}
	finish(j);
}

static void
step_built(void *arg)
{
	struct reload_job *j = take(arg);

	if (j != NULL)
		finish(j);
}

static void
step_reaped(void *arg)
{
	uint64_t seq = (uint64_t)(uintptr_t)arg;
	struct reload_job **pp = &reaping, *j;

	while (*pp != NULL && (*pp)->seq != seq)
		pp = &(*pp)->next;
	if (*pp == NULL)
		return; /* shut down meanwhile */
	j = *pp;
	*pp = j->next;
	if (j->thread_live)
		pthread_join(j->thread, NULL);
	prx_dp_reload_job_free(j->dj);
	free(j);
}

static int
start(struct prx_control *c, struct prx_ctl_req *req)
{
	struct reload_job *j = calloc(1, sizeof(*j));
	int rc;

	if (j == NULL)
		return -ENOMEM;
	rc = prx_dp_reload_job_new(prx_control_dp(c), NULL, &j->dj);
	if (rc != 0) {
		free(j);
		return rc;
	}
	j->seq = ++job_seq;
	j->ctl = c;
	j->req = req;
	j->t0_ns = prx_evloop_now_ns();
	cur = j;
	PRX_LOG(INFO, CTL, "reload of %s started%s", prx_dp_reload_path(j->dj),
		req == NULL ? " (SIGHUP)" : "");
	/* systemd hears of both as of a reload (Type=notify, docs/deploy.md) */
	prx_notify_reloading();
	run_off_loop(j, parse_worker, "prx-reload");
	return 0;
}

int
prx_control_reload(struct prx_control *c)
{
	if (cur != NULL) {
		PRX_LOG(NOTICE, CTL, "reload: one is in progress; this one runs after it");
		again = true;
		return 0;
	}
	return start(c, NULL);
}

void
prx_ctl_reload_shutdown(void)
{
	again = false;
	if (cur != NULL) {
		cur->next = reaping; /* joined and dropped with them */
		reaping = cur;
		cur = NULL;
	}
	while (reaping != NULL) {
		struct reload_job *j = reaping;

		reaping = j->next;
		if (j->thread_live)
			pthread_join(j->thread, NULL); /* its post finds no job */
		prx_dp_reload_job_free(j->dj);	       /* what it opened is closed */
		free(j);			       /* its request dies with the socket */
	}
}

static int
reload(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {NULL};
	int rc;

	RTE_SET_USED(result);
	if (prx_ctl_arg_keys(req, args, keys))
		return -EINVAL;
	if (cur != NULL) {
		prx_ctl_req_error(req, "EBUSY", "a reload is in progress (for %" PRIu64 " ms)",
				  (prx_evloop_now_ns() - cur->t0_ns) / 1000000);
		return -EBUSY;
	}
	rc = start(ctx, req);
	if (rc != 0) {
		prx_ctl_req_error(req, NULL, "cannot start the reload: %s", strerror(-rc));
		return rc;
	}
	return PRX_CTL_DEFERRED;
}

const struct prx_ctl_cmd prx_ctl_reload_cmds[] = {
	{"reload", "",
	 "re-read the configuration file and apply the difference (files read and tables built "
	 "off the control loop; replies when live)",
	 reload},
};
const unsigned int prx_ctl_reload_n_cmds = RTE_DIM(prx_ctl_reload_cmds);
