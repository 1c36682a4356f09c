/* SPDX-License-Identifier: BSD-3-Clause */
/* The control reactor (prx_control.h). */
#include "prx_control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>

#include "prx_ctlsock.h"
#include "prx_log.h"
#include "prx_metrics.h"
#include "prx_slowpath.h"
#include "prx_view.h"

#define VIEW_PERIOD_US 100000u
#define LINK_PERIOD_US 1000000u

struct prx_control {
	struct prx_dataplane *dp;
	struct prx_evloop *ev;
	struct prx_ctlsock *sock;
	struct prx_metrics *metrics;
	struct prx_timer view_timer, link_timer, stats_timer;
	unsigned int stats_interval; /**< in force (prxd -s wins over the config) */
	unsigned int conf_stats;     /**< the config's stats_interval last seen */
	FILE *stats_out;
};

struct prx_dataplane *
prx_control_dp(struct prx_control *c)
{
	return c->dp;
}

struct prx_evloop *
prx_control_loop(struct prx_control *c)
{
	return c->ev;
}

void
prx_control_publish_view(struct prx_control *c)
{
	struct prx_view *v = prx_dp_view_take(c->dp);

	/* out of memory: telemetry keeps the previous view, a little older */
	if (v != NULL)
		prx_view_publish(v);
}

static void
on_view(struct prx_timer *t, void *arg)
{
	RTE_SET_USED(t);
	prx_control_publish_view(arg);
}

static void
on_link(struct prx_timer *t, void *arg)
{
	struct prx_control *c = arg;

	RTE_SET_USED(t);
	prx_dp_check_links(c->dp);
}

static void
on_stats(struct prx_timer *t, void *arg)
{
	struct prx_control *c = arg;

	RTE_SET_USED(t);
	prx_dp_print_stats(c->dp, c->stats_out, false);
}

static void
arm_stats(struct prx_control *c, unsigned int interval)
{
	prx_timer_stop(&c->stats_timer);
	c->stats_interval = interval;
	if (interval > 0 && c->stats_out != NULL)
		prx_timer_start(c->ev, &c->stats_timer, interval * 1000000ull,
				interval * 1000000ull, on_stats, c);
}

void
prx_control_changed(struct prx_control *c)
{
	unsigned int si = prx_dp_conf(c->dp)->stats_interval;

	/* Telemetry sees the change at the next pass of the loop, not inside this
	 * request: taking a view reads every port's driver counters and link (ioctls on
	 * kernel interfaces), and the reply should not wait for that. */
	prx_timer_start(c->ev, &c->view_timer, 0, VIEW_PERIOD_US, on_view, c);
	/* only a reload that changed the setting overrides what was in force */
	if (si != c->conf_stats) {
		c->conf_stats = si;
		arm_stats(c, si);
	}
}

static struct prx_view *
metrics_view(void *ctx)
{
	struct prx_control *c = ctx;

	return prx_dp_view_take(c->dp);
}

/* mkdir -p for the socket's folder (mode 0750: the socket's own mode decides access). */
static int
make_parent(const char *path)
{
	char dir[256];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
prx_control_create(struct prx_dataplane *dp, struct prx_evloop *ev,
		   const struct prx_control_params *params, struct prx_control **out)
{
	struct prx_control *c;
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->dp = dp;
	c->ev = ev;
	c->stats_out = params->stats_out;
	if (params->socket != NULL && params->socket[0] != '\0') {
		rc = make_parent(params->socket);
		if (rc == 0) {
			unsigned int n;
			const struct prx_ctl_cmd *cmds = prx_control_commands(&n);

			rc = prx_ctlsock_open(ev, params->socket, (mode_t)params->socket_mode, cmds,
					      n, c, &c->sock);
		}
		if (rc != 0) {
			PRX_LOG(ERR, CTL, "control socket %s: %s%s", params->socket, strerror(-rc),
				rc == -EADDRINUSE ? " (another prxd of this instance runs)"
				: rc == -EACCES && geteuid() != 0
					? " (prxd is not root: set control.socket to a folder it can write, or give it /run/prx; docs/deploy.md)"
					: "");
			free(c);
			return rc;
		}
		PRX_LOG(INFO, CTL, "control socket %s", params->socket);
	}
	if (params->metrics != NULL && params->metrics[0] != '\0') {
		rc = prx_metrics_open(ev, params->metrics, metrics_view, c, &c->metrics);
		if (rc != 0)
			PRX_LOG(WARNING, CTL, "metrics endpoint %s: %s: not served",
				params->metrics, strerror(-rc));
		else
			PRX_LOG(INFO, CTL, "metrics on http://%s/metrics (port %d)",
				params->metrics, prx_metrics_port(c->metrics));
	}
	rc = prx_slowpath_attach(ev);
	if (rc != 0)
		PRX_LOG(WARNING, CTL, "slow path not served: %s", strerror(-rc));
	prx_control_publish_view(c);
	prx_timer_start(ev, &c->view_timer, VIEW_PERIOD_US, VIEW_PERIOD_US, on_view, c);
	prx_timer_start(ev, &c->link_timer, LINK_PERIOD_US, LINK_PERIOD_US, on_link, c);
	c->conf_stats = prx_dp_conf(dp)->stats_interval;
	arm_stats(c, params->stats_interval);
	*out = c;
	return 0;
}

void
prx_control_destroy(struct prx_control *c)
{
	if (c == NULL)
		return;
	prx_timer_stop(&c->view_timer);
	prx_timer_stop(&c->link_timer);
	prx_timer_stop(&c->stats_timer);
	prx_slowpath_attach(NULL);
	prx_ctl_acl_shutdown(); /* no worker posts to the loop after this */
	prx_ctl_reload_shutdown();
	prx_ctlsock_close(c->sock);
	prx_metrics_close(c->metrics);
	prx_view_publish(NULL);
	free(c);
}

int
prx_control_metrics_port(const struct prx_control *c)
{
	return c->metrics != NULL ? prx_metrics_port(c->metrics) : -1;
}
