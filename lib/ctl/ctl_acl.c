/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The acl handler's control commands (docs/control.md, docs/acl.md):
 *
 *   acl.load {handler, file}   replace an acl's rules with a rule file's, live
 *   acl.show {handler}         its settings and rules with their hit counts
 *
 * Building an rte_acl context takes about 0.1 ms per rule (a second for 10 000), far
 * too long for the control loop, which also answers every other client, publishes the
 * statistics and serves the metrics.  So acl.load replies later (PRX_CTL_DEFERRED):
 * a worker thread (an EAL control thread, off the reactors' cores) reads the file and
 * builds a new handler instance, then posts back to the control loop, which swaps the
 * instance into every chain (prx_dp_handler_replace(): the old one is freed after the
 * grace period) and replies.  The loop never waits for a worker, except at shutdown.
 *
 * A load fails without changing anything when the file has errors (every one as
 * FILE:LINE), when the handler is being loaded already (EBUSY), or when the handler was
 * replaced while the worker built (EAGAIN: a reload came in between; the newer state
 * wins).
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

#include "prx_acl.h"
#include "prx_control.h"
#include "prx_ctlsock.h"
#include "prx_evloop.h"
#include "prx_log.h"

/* One acl.load in progress. */
struct load_job {
	struct load_job *next;
	uint64_t seq; /* what the worker posts back: a stale post finds no job */
	pthread_t thread;
	struct prx_control *ctl;
	struct prx_ctl_req *req;
	char handler[PRX_NAME_MAX];
	char *file;
	uint64_t base_gen;	      /* the instance the load replaces */
	enum prx_acl_action def;      /* its settings, kept */
	enum prx_acl_non_ipv4 non_ip; /* */
	uint64_t t0_ns;
	/* the worker's results, read by the control thread after the post */
	int rc;
	unsigned int n_rules;
	struct prx_handler *h;
	uint64_t build_ns;
	char *msg; /* why it failed */
};

/* Loads in progress: the control thread's alone (workers only touch their job). */
static struct load_job *jobs;
static uint64_t job_seq;

/* --- the worker --- */

/* Every "FILE:LINE: reason" of err, one per line. */
static char *
join_errors(const struct prx_conf_errors *err)
{
	size_t len = 0, cap = 64;
	char *s = malloc(cap);

	for (unsigned int i = 0; s != NULL && i < err->n && i < PRX_CONF_MAX_ERRORS; i++) {
		size_t n = strlen(err->msg[i]) + 1;

		if (len + n + 1 > cap) {
			char *t = realloc(s, cap = 2 * (len + n + 1));

			if (t == NULL) {
				free(s);
				return NULL;
			}
			s = t;
		}
		memcpy(s + len, err->msg[i], n - 1);
		len += n - 1;
		s[len++] = '\n';
	}
	if (s == NULL)
		return NULL;
	if (len > 0)
		len--; /* no newline after the last */
	s[len] = '\0';
	if (err->n > PRX_CONF_MAX_ERRORS) {
		char *t = NULL;

		if (asprintf(&t, "%s\n(%u more errors)", s, err->n - PRX_CONF_MAX_ERRORS) >= 0) {
			free(s);
			s = t;
		}
	}
	return s;
}

static void load_done(void *arg);

static void *
load_worker(void *arg)
{
	struct load_job *j = arg;
	struct prx_conf_acl conf = {.def = j->def, .non_ipv4 = j->non_ip, .rules_file = j->file};
	struct prx_conf_errors err;
	uint64_t t0 = prx_evloop_now_ns();
	char why[256];
	int rc;

	rc = prx_acl_rules_load(j->file, &conf.rules, &conf.n_rules, &err);
	if (rc != 0) {
		j->msg = join_errors(&err);
	} else {
		j->n_rules = conf.n_rules;
		rc = prx_acl_create(j->handler, &conf, &j->h, why, sizeof(why));
		if (rc != 0)
			j->msg = strdup(why);
		free(conf.rules);
	}
	j->rc = rc;
	j->build_ns = prx_evloop_now_ns() - t0;
	/* the post allocates: on ENOMEM, try again (the control thread joins us) */
	while (prx_evloop_post(prx_control_loop(j->ctl), load_done, (void *)(uintptr_t)j->seq) ==
	       -ENOMEM)
		usleep(1000);
	return NULL;
}

/* --- back on the control thread --- */

static void
job_free(struct load_job *j)
{
	prx_handler_free(j->h);
	free(j->file);
	free(j->msg);
	free(j);
}

/* Swap the built instance in, reply. */
static void
load_finish(struct load_job *j)
{
	struct prx_dataplane *dp = prx_control_dp(j->ctl);
	struct prx_handler *cur = prx_dp_handler(dp, j->handler);
	char msg[512] = "";
	json_t *result;
	int rc = j->rc;

	if (rc == 0 && (!prx_acl_is(cur) || prx_acl_gen(cur) != j->base_gen)) {
		rc = -EAGAIN;
		snprintf(msg, sizeof(msg),
			 "handler %s changed while the rules were built (a reload?): nothing "
			 "loaded, load again",
			 j->handler);
	} else if (rc == 0) {
		rc = prx_dp_handler_replace(dp, j->handler, j->h, msg, sizeof(msg));
		if (rc == 0)
			j->h = NULL; /* the data plane's now */
	} else {
		snprintf(msg, sizeof(msg), "%s", j->msg != NULL ? j->msg : strerror(-rc));
	}
	if (rc != 0) {
		PRX_LOG(WARNING, CTL, "acl load %s from %s refused: %s", j->handler, j->file, msg);
		prx_ctl_req_error(j->req, NULL, "%s", msg);
		prx_ctl_req_done(j->req, rc, NULL);
		return;
	}
	PRX_LOG(NOTICE, CTL, "acl %s: %u rule%s from %s live (built in %" PRIu64 " us)", j->handler,
		j->n_rules, j->n_rules == 1 ? "" : "s", j->file, j->build_ns / 1000);
	result = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I}", "handler", j->handler, "file", j->file,
			   "rules", (int)j->n_rules, "build_us", (json_int_t)(j->build_ns / 1000),
			   "total_us", (json_int_t)((prx_evloop_now_ns() - j->t0_ns) / 1000),
			   "live_us", (json_int_t)prx_dp_last_live_us(dp));
	prx_control_changed(j->ctl);
	prx_ctl_req_done(j->req, 0, result);
}

static void
load_done(void *arg)
{
	uint64_t seq = (uint64_t)(uintptr_t)arg;
	struct load_job **pp = &jobs, *j;

	while (*pp != NULL && (*pp)->seq != seq)
		pp = &(*pp)->next;
	if (*pp == NULL)
		return; /* shut down meanwhile: the job is gone */
	j = *pp;
	*pp = j->next;
	pthread_join(j->thread, NULL); /* it has posted: it is returning */
	load_finish(j);
	job_free(j);
}

void
prx_ctl_acl_shutdown(void)
{
	while (jobs != NULL) {
		struct load_job *j = jobs;

		jobs = j->next;
		pthread_join(j->thread, NULL);
		job_free(j); /* its request dies with the socket; its post finds no job */
	}
}

/* --- commands --- */

static int
check_args(struct prx_ctl_req *req, json_t *args, const char *const *keys, const char **vals,
	   unsigned int n_required)
{
	const char *key;
	json_t *v;

	json_object_foreach (args, key, v) {
		unsigned int i;

		for (i = 0; keys[i] != NULL && strcmp(keys[i], key) != 0; i++)
			;
		if (keys[i] == NULL) {
			prx_ctl_req_error(req, "EINVAL", "unknown argument \"%s\"", key);
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; keys[i] != NULL; i++) {
		v = json_object_get(args, keys[i]);
		vals[i] = json_string_value(v);
		if (v == NULL && i >= n_required)
			continue;
		if (v == NULL) {
			prx_ctl_req_error(req, "EINVAL", "missing argument \"%s\"", keys[i]);
			return -EINVAL;
		}
		if (vals[i] == NULL) {
			prx_ctl_req_error(req, "EINVAL", "argument \"%s\": expected a string",
					  keys[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* The running acl called `name` into *out, or -ENOENT/-EINVAL with the error set. */
static int
find_acl(struct prx_ctl_req *req, void *ctx, const char *name, struct prx_handler **out)
{
	struct prx_handler *h = prx_dp_handler(prx_control_dp(ctx), name);

	*out = NULL;
	if (h == NULL) {
		prx_ctl_req_error(req, "ENOENT", "no handler \"%s\"", name);
		return -ENOENT;
	}
	if (!prx_acl_is(h)) {
		prx_ctl_req_error(req, "EINVAL", "handler %s is a %s, not an acl", name, h->type);
		return -EINVAL;
	}
	*out = h;
	return 0;
}

static int
acl_load(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"handler", "file", NULL};
	const char *v[2];
	const struct prx_conf_acl *c;
	struct prx_handler *h;
	struct load_job *j;
	int rc;

	RTE_SET_USED(result);
	if (check_args(req, args, keys, v, 2) != 0)
		return -EINVAL;
	rc = find_acl(req, ctx, v[0], &h);
	if (rc != 0)
		return rc;
	if (v[1][0] != '/') {
		prx_ctl_req_error(req, "EINVAL",
				  "file \"%s\": an absolute path is needed (prxd's working "
				  "folder is not the client's)",
				  v[1]);
		return -EINVAL;
	}
	for (j = jobs; j != NULL; j = j->next)
		if (strcmp(j->handler, v[0]) == 0) {
			prx_ctl_req_error(req, "EBUSY", "rules of handler %s are being loaded (%s)",
					  v[0], j->file);
			return -EBUSY;
		}
	c = prx_acl_conf(h);
	j = calloc(1, sizeof(*j));
	if (j == NULL || (j->file = strdup(v[1])) == NULL) {
		free(j);
		return -ENOMEM;
	}
	snprintf(j->handler, sizeof(j->handler), "%s", v[0]);
	j->seq = ++job_seq;
	j->ctl = ctx;
	j->req = req;
	j->base_gen = prx_acl_gen(h);
	j->def = c->def;
	j->non_ip = c->non_ipv4;
	j->t0_ns = prx_evloop_now_ns();
	rc = rte_ctrl_thread_create(&j->thread, "prx-acl-load", NULL, load_worker, j);
	if (rc != 0) {
		prx_ctl_req_error(req, NULL, "cannot start the build thread: %s", strerror(-rc));
		free(j->file);
		free(j);
		return rc;
	}
	j->next = jobs;
	jobs = j;
	return PRX_CTL_DEFERRED;
}

/* "fw.rules:3": where a rule was written (the file's name without its folder). */
static json_t *
rule_where(const struct prx_conf_acl *c, const struct prx_acl_rule *r)
{
	const char *f = r->origin == PRX_ACL_FROM_FILE ? c->rules_file : c->config_file;
	const char *slash = f != NULL ? strrchr(f, '/') : NULL;

	if (f == NULL)
		return json_null();
	return json_sprintf("%s:%" PRIu32, slash != NULL ? slash + 1 : f, r->line);
}

static int
acl_show(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx)
{
	static const char *const keys[] = {"handler", NULL};
	const struct prx_conf_acl *c;
	struct prx_handler *h;
	const char *v[1];
	json_t *rules;
	int rc;

	if (check_args(req, args, keys, v, 1) != 0)
		return -EINVAL;
	rc = find_acl(req, ctx, v[0], &h);
	if (rc != 0)
		return rc;
	c = prx_acl_conf(h);
	rules = json_array();
	for (unsigned int i = 0; i < c->n_rules; i++) {
		const struct prx_acl_rule *r = &c->rules[i];
		char proto[16], src[24], dst[24], sport[16], dport[16];

		prx_acl_proto_format(r, proto, sizeof(proto));
		prx_acl_prefix_format(r->src, r->src_len, src, sizeof(src));
		prx_acl_prefix_format(r->dst, r->dst_len, dst, sizeof(dst));
		prx_acl_ports_format(r->sport_lo, r->sport_hi, sport, sizeof(sport));
		prx_acl_ports_format(r->dport_lo, r->dport_hi, dport, sizeof(dport));
		json_array_append_new(
			rules, json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "rule",
					 (int)i + 1, "action", prx_acl_action_name(r->action),
					 "proto", proto, "src", src, "dst", dst, "sport", sport,
					 "dport", dport, "hits", (json_int_t)prx_acl_hits(h, i),
					 "where", rule_where(c, r)));
	}
	*result = json_pack(
		"{s:s, s:s, s:s, s:o, s:I, s:o}", "handler", v[0], "default",
		prx_acl_action_name(c->def), "non_ipv4", prx_acl_non_ipv4_name(c->non_ipv4),
		"rules_file", c->rules_file != NULL ? json_string(c->rules_file) : json_null(),
		"default_hits", (json_int_t)prx_acl_hits(h, c->n_rules), "rules", rules);
	return 0;
}

const struct prx_ctl_cmd prx_ctl_acl_cmds[] = {
	{"acl.load", "{handler, file}",
	 "replace an acl's rules with a rule file's (absolute path), built off the control loop",
	 acl_load},
	{"acl.show", "{handler}", "an acl's settings and rules with their hit counts", acl_show},
};
const unsigned int prx_ctl_acl_n_cmds = RTE_DIM(prx_ctl_acl_cmds);
