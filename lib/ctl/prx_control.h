/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The control reactor: an event loop with no packet queues (the epoll engine's loop) on
 * the control thread, owning the registry (prx_dataplane.h).  It serves the control
 * socket (prx_ctlsock.h, commands in docs/control.md) and the metrics endpoint
 * (prx_metrics.h), publishes the statistics view telemetry reads (every 100 ms and after
 * each change), checks links every second and prints statistics every stats_interval.
 */
#ifndef PRX_CONTROL_H
#define PRX_CONTROL_H

#include <stdio.h>

#include "prx_dataplane.h"
#include "prx_evloop.h"

struct prx_control;

/** Where the control reactor listens and prints. */
struct prx_control_params {
	const char *socket;	     /**< control socket path (its folder is created), or NULL */
	unsigned int socket_mode;    /**< e.g. 0660 */
	const char *metrics;	     /**< "HOST:PORT" or NULL/"" for none */
	unsigned int stats_interval; /**< seconds between statistics lines, 0 = none */
	FILE *stats_out;	     /**< where they go */
};

/**
 * Start serving `dp` on loop `ev` (both owned by the caller and outliving the control).
 * A control socket that cannot be opened is an error (-EADDRINUSE: another prxd of this
 * instance runs); a metrics address that cannot be bound is logged and skipped.
 */
int prx_control_create(struct prx_dataplane *dp, struct prx_evloop *ev,
		       const struct prx_control_params *params, struct prx_control **out);

/** Stop serving: close the socket (unlinked), the endpoint, the timers; unpublish the view. */
void prx_control_destroy(struct prx_control *c);

/** Reload the configuration (SIGHUP), off the control loop (ctl_reload.c): returns once
 *  started; logs what changed or why nothing did and tells systemd when done.  During
 *  another reload, runs after it.  0 or -errno. */
int prx_control_reload(struct prx_control *c);

/** Publish a fresh statistics view for telemetry now. */
void prx_control_publish_view(struct prx_control *c);

/** The metrics endpoint's bound port, or -1 when there is none. */
int prx_control_metrics_port(const struct prx_control *c);

/* Internal to lib/ctl: the command table of the control socket (ctl_cmds.c). */
struct prx_ctl_cmd;
/** Every command: the core set and the handler types' sets (ctl_cmds.c). */
const struct prx_ctl_cmd *prx_control_commands(unsigned int *n);
/** The data plane a command handler's ctx (the struct prx_control) serves. */
struct prx_dataplane *prx_control_dp(struct prx_control *c);
/** After a successful change: republish the view, re-arm timers the change affects. */
void prx_control_changed(struct prx_control *c);
/** The control reactor's loop: workers post their results back with prx_evloop_post(). */
struct prx_evloop *prx_control_loop(struct prx_control *c);
/** Wait for the acl commands' build workers and drop their results (ctl_acl.c): run at
 *  destroy, before the socket closes and the loop goes. */
void prx_ctl_acl_shutdown(void);
/** The same for a reload in progress (ctl_reload.c): its ports and handlers are closed. */
void prx_ctl_reload_shutdown(void);

#endif /* PRX_CONTROL_H */
