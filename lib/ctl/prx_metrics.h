/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Prometheus / OpenMetrics text exposition of a statistics view, served over HTTP/1.x by
 * the control reactor's event loop (`control.metrics`, loopback by default).
 *
 * GET /metrics answers the text format 0.0.4 (Content-Type
 * "text/plain; version=0.0.4; charset=utf-8"), or OpenMetrics 1.0.0 when the client's
 * Accept header asks for "application/openmetrics-text" (then ending with "# EOF").
 * Counters are `prx_*_total`, labelled by port, queue, reactor, handler and reason;
 * every drop reason is present (0 included) so rates work from the first scrape.
 * Other paths: 404; other methods: 405.  One request per connection (Connection: close),
 * requests over 8 KiB or not complete within 5 s are dropped, at most 16 connections.
 * Everything runs on the loop's thread, non-blocking.
 */
#ifndef PRX_METRICS_H
#define PRX_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "prx_evloop.h"
#include "prx_view.h"

struct prx_metrics;

/** A growable text buffer. */
struct prx_buf {
	char *p;
	size_t len, cap;
	bool oom; /**< an append failed: the content is incomplete */
};
void prx_buf_printf(struct prx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void prx_buf_free(struct prx_buf *b);

/**
 * Render `v` into `b`.  `openmetrics` selects OpenMetrics 1.0.0 (counter family names
 * without the _total suffix in TYPE lines, "# EOF" at the end) over text format 0.0.4.
 */
void prx_metrics_render(const struct prx_view *v, bool openmetrics, struct prx_buf *b);

/** Called per scrape on the loop's thread: a fresh view (the server frees it), or NULL. */
typedef struct prx_view *(*prx_metrics_view_fn)(void *ctx);

/**
 * Listen on `addr` ("127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"; port 0 picks one)
 * and serve scrapes.  @return 0 and *out, or -errno (-EINVAL for an address that does
 * not parse).
 */
int prx_metrics_open(struct prx_evloop *ev, const char *addr, prx_metrics_view_fn fn, void *ctx,
		     struct prx_metrics **out);
/** The port actually bound (for port 0). */
int prx_metrics_port(const struct prx_metrics *m);
/** Close the listener and every connection (NULL is fine). */
void prx_metrics_close(struct prx_metrics *m);

#endif /* PRX_METRICS_H */
