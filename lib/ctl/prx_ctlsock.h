/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The control socket: a Unix stream socket served by the control reactor's event loop,
 * one JSON request and one JSON reply per line (docs/control.md).
 *
 *   request:  {"cmd": "show.ports", "args": {...}, "id": <any JSON, echoed>}\n
 *   reply:    {"id": ..., "ok": true, "result": <any JSON>}\n
 *             {"id": ..., "ok": false, "error": {"code": "EINVAL", "message": "..."}}\n
 *
 * "args" is optional (an object when present); "id" is optional and echoed as given
 * (null when absent).  Requests of one connection are answered in order.  Every bad
 * request gets an error reply and the connection stays usable: not JSON (code
 * "EPROTO"), not an object / "cmd" missing or not a string / "args" not an object
 * ("EINVAL"), unknown command ("ENOENT"), a line longer than PRX_CTL_MAX_REQUEST bytes
 * ("EMSGSIZE": the rest of that line is discarded).  `list-commands` is built in.
 *
 * Limits keep one client from hurting the control loop or other clients: at most
 * PRX_CTL_MAX_CLIENTS connections (one more is answered an EBUSY error and closed), at
 * most PRX_CTL_MAX_OUTPUT bytes of replies waiting for a client that does not read (it
 * is disconnected beyond that), no reading from a client while its replies wait
 * (back-pressure), every socket non-blocking.
 *
 * All functions run on the loop's thread.
 */
#ifndef PRX_CTLSOCK_H
#define PRX_CTLSOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "prx_evloop.h"

#define PRX_CTL_MAX_REQUEST 65536     /**< bytes in one request line, newline included */
#define PRX_CTL_MAX_CLIENTS 256	      /**< concurrent connections */
#define PRX_CTL_MAX_OUTPUT (4u << 20) /**< reply bytes queued for one client */

struct prx_ctlsock;
struct prx_ctl_req;

/**
 * A command handler.  `args` is the request's "args" object (an empty object when the
 * request had none); borrowed, valid until the handler returns.
 *
 * Return 0 with *result set (a new reference; NULL means JSON null) to reply ok, or a
 * negative errno with prx_ctl_req_error() called (or not: then the errno's name and
 * strerror are the message) to reply an error, or PRX_CTL_DEFERRED to answer later with
 * prx_ctl_req_done() (the request handle stays valid until then, even if the client goes
 * away: the reply is then discarded).
 */
typedef int (*prx_ctl_fn)(struct prx_ctl_req *req, json_t *args, json_t **result, void *ctx);

#define PRX_CTL_DEFERRED 1

/** One command. */
struct prx_ctl_cmd {
	const char *name; /**< "show.ports" */
	const char *args; /**< argument synopsis for list-commands, e.g. "{port, queue, reactor}" */
	const char *help; /**< one line */
	prx_ctl_fn fn;
};

/**
 * Listen on `path` with file mode `mode` (e.g. 0660), serving `cmds` (n entries, kept
 * by reference: static storage) on loop `ev`.  A stale socket file (nobody accepts on
 * it) is replaced; a live one is -EADDRINUSE.  The folder must exist.
 * @return 0 and *out, or -errno (-ENAMETOOLONG for a path longer than sun_path).
 */
int prx_ctlsock_open(struct prx_evloop *ev, const char *path, mode_t mode,
		     const struct prx_ctl_cmd *cmds, unsigned int n, void *ctx,
		     struct prx_ctlsock **out);

/** Close every connection and the listener, unlink the path (NULL is fine).  Deferred
 *  requests still pending are released (their later prx_ctl_req_done() must not come). */
void prx_ctlsock_close(struct prx_ctlsock *cs);

/** Connections open now. */
unsigned int prx_ctlsock_clients(const struct prx_ctlsock *cs);

/**
 * Set the error a handler returns: `code` like "EINVAL" (NULL: from the errno the
 * handler returns), printf-style message.
 */
void prx_ctl_req_error(struct prx_ctl_req *req, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Complete a deferred request: rc 0 replies ok with `result` (reference stolen), rc < 0
 * an error (message from prx_ctl_req_error() before, else strerror).  Frees req.
 */
void prx_ctl_req_done(struct prx_ctl_req *req, int rc, json_t *result);

/** Name of an errno value ("EINVAL"), "EUNKNOWN" for others. */
const char *prx_errno_name(int err);

#endif /* PRX_CTLSOCK_H */
