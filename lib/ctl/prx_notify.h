/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * systemd's readiness protocol (sd_notify(3)), without libsystemd: one datagram of
 * newline-separated assignments to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or
 * an abstract name written with a leading '@').  prxd sends READY=1 once the ports are up
 * and the control socket is open, RELOADING=1 ... READY=1 around a SIGHUP reload and
 * STOPPING=1 when it stops, each with a STATUS= line (docs/deploy.md, "systemd").
 */
#ifndef PRX_NOTIFY_H
#define PRX_NOTIFY_H

/**
 * Send `state` ("READY=1\nSTATUS=forwarding") to $NOTIFY_SOCKET.
 * @return 1 sent, 0 when NOTIFY_SOCKET is not set (not under systemd: nothing to do),
 *   -EINVAL for an unusable address, or -errno of socket()/sendto().
 */
int prx_notify(const char *state);

/** prx_notify() with a printf format. */
int prx_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** RELOADING=1 with MONOTONIC_USEC=<now> (what Type=notify-reload also expects). */
int prx_notify_reloading(void);

#endif /* PRX_NOTIFY_H */
