/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the metrics suite's files: a hand-built view and an exposition parser. */
#ifndef TEST_METRICS_H
#define TEST_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "prx_metrics.h"
#include "prx_test.h"
#include "prx_view.h"

/* The device string of port "out": needs escaping (a quote and a backslash). */
#define TM_ODD_DEVICE "ve\"th\\1"
#define TM_ODD_DEVICE_ESCAPED "ve\\\"th\\\\1"

/* A view of 2 ports (in: 2 rx/2 tx queues, hardware counters, link up; out: 1 rx queue
 * mid-move, 2 tx queues, link unknown, odd device), 2 reactors, 1 handler.  `big` adds
 * 78 ports of 1024 rx queues each: megabytes, more than a socket buffer holds. */
struct prx_view *tm_make_view(bool big);

struct tm_sample {
	char name[96];
	char labels[256]; /* as written between the braces (escaped), "" without labels */
	double value;
};

struct tm_family {
	char name[128]; /* as the HELP/TYPE lines name it */
	char type[16];
	int n_help, n_unit, n_samples;
};

/* A parsed exposition. */
struct tm_expo {
	struct tm_sample *s;
	int n_s, cap_s;
	struct tm_family f[128];
	int n_f;
	bool eof;
	char err[256]; /* the first error, "" when it parsed */
};

/**
 * Parse and check an exposition: every line a comment (HELP, TYPE, UNIT, EOF) or
 * `name{labels} value`, valid names and escapes, HELP and TYPE exactly once per family
 * and before its samples, samples named as their family's type says, no family twice,
 * no series twice, OpenMetrics ending with "# EOF".  @return 0, or -1 with e->err set.
 */
int tm_parse(struct tm_expo *e, const char *text, size_t len, bool om);
void tm_free(struct tm_expo *e);
/** The value of one series (labels as written), NaN when absent. */
double tm_value(const struct tm_expo *e, const char *name, const char *labels);
/** Samples named `name`. */
int tm_count(const struct tm_expo *e, const char *name);
/** The family named `name` (as in its TYPE line), or NULL. */
const struct tm_family *tm_family(const struct tm_expo *e, const char *name);

/** Check a rendering of tm_make_view(false) value by value. */
void tm_check_values(const struct tm_expo *e);
bool tm_ends_with(const char *s, const char *suffix);

/* --- HTTP harness (metrics_client.c) --- */

#define TM_MS 1000000ull

/* A server on 127.0.0.1:0 whose views come from tm_make_view(big), NULL when unavailable. */
struct tm_srv {
	struct prx_evloop *ev;
	struct prx_metrics *m;
	int port;
	int calls;
	bool unavailable, big;
};

/* What a client read. */
struct tm_resp {
	char *raw;
	size_t len;
	bool closed, reset;
	int status;
	const char *body;
	size_t body_len;
	long clen; /* Content-Length, -1 without */
};

struct prx_view *tm_view_fn(void *ctx);
void tm_srv_start(struct tm_srv *s);
void tm_srv_stop(struct tm_srv *s);
/** One pass of the server's loop (1 ms at most). */
void tm_pump(struct tm_srv *s);
/** A connected non-blocking client. */
int tm_client(struct tm_srv *s);
/** Send it all, pumping meanwhile.  @return 0 or -errno (closed by the server...). */
int tm_send(struct tm_srv *s, int fd, const char *p, size_t len);
/** Pump and read until the server closes or `ms` pass. */
void tm_read_all(struct tm_srv *s, int fd, struct tm_resp *r, unsigned int ms);
/** Split r->raw into status, headers and body; check Connection and Content-Length. */
void tm_parse_resp(struct tm_resp *r);
/** A header's value, or NULL. */
const char *tm_header(const struct tm_resp *r, const char *name, char *out, size_t cap);
/** One request on a fresh connection.  @return the status (0: no response). */
int tm_exchange(struct tm_srv *s, const char *req, struct tm_resp *r);
/** A 200 /metrics response: Content-Type, Content-Length, parsed body, values. */
void tm_check_body(const struct tm_resp *r, bool om);

extern const struct prx_test_case tm_http_cases[];
extern const struct prx_test_case tm_conn_cases[];

#endif
