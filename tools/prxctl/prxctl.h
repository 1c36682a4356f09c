/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prxctl, the operator CLI of prx: a standalone client of the control socket
 * (docs/control.md), libc and jansson only, so it can be installed and run without
 * DPDK.  Parts:
 *   prxctl.c   command line -> request, output
 *   conn.c     one connection, one request line out, one reply line in, with a deadline
 *   render.c   the generic human renderer (tables, key: value lines)
 *   summary.c  one-line summaries of the changing commands
 *   watch.c    stats --watch (rates from counter deltas)
 */
#ifndef PRXCTL_H
#define PRXCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Exit status, the contract of docs/control.md. */
enum {
	PRXCTL_EXIT_OK = 0,
	PRXCTL_EXIT_DAEMON = 1, /* prxd answered an error */
	PRXCTL_EXIT_USAGE = 2,	/* bad command line */
	PRXCTL_EXIT_IO = 3,	/* cannot connect, I/O error, timeout, nonsense reply */
};

/* A reply line longer than this is refused: a bound on what a broken or hostile peer
 * can make prxctl allocate. */
#define PRXCTL_MAX_REPLY (64u << 20)

struct ctl_conn {
	const char *path;  /* the socket */
	const char *whose; /* where the path came from, for messages: "instance prx" */
	double timeout;	   /* seconds for each exchange, connecting included */
	int fd;		   /* -1 until the first request */
	json_int_t next_id;
	char *buf; /* received bytes not consumed yet */
	size_t len, cap;
};

void ctl_init(struct ctl_conn *c, const char *path, const char *whose, double timeout);

/*
 * Send {"cmd", "args" (when not NULL), "id"} and wait for the reply with the same id,
 * connecting first if needed, all within c->timeout.  Returns PRXCTL_EXIT_OK and
 * *result (a new reference, JSON null when the reply has none), or PRXCTL_EXIT_DAEMON
 * (error reply, printed as "prxctl: CODE: message") or PRXCTL_EXIT_IO (printed).
 */
int ctl_call(struct ctl_conn *c, const char *cmd, json_t *args, json_t **result);

void ctl_close(struct ctl_conn *c);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t ctl_now_ns(void);

/* Allocation that cannot fail: a CLI has nothing better to do than stop. */
void *xmalloc(size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One JSON value as table cell text (malloc'd): null or absent "-", booleans yes/no,
 * arrays of scalars joined with ",", objects compact JSON. */
char *render_cell(const json_t *v);

/* A non-empty array whose elements are all objects. */
bool render_is_table(const json_t *v);

/* An array of objects as an aligned table, every line indented by `indent`. */
void render_table(FILE *f, const json_t *rows, int indent);

/* Any result, generically (see render.c). */
void render_value(FILE *f, const json_t *v);

/* A one-line summary of a changing command's result; false when `cmd` has none or the
 * result does not have the expected shape (the caller then renders it generically). */
bool summary_print(FILE *f, const char *cmd, const json_t *result);

/* The args of a router command (route.add, ..., neigh.show: route.c) from the words
 * after `route add` etc., or NULL with the reason in err. */
json_t *router_args(const char *request, int argc, char **argv, char *err, size_t len);

/* stats --watch: `count` samples (0: until interrupted) `interval` seconds apart. */
int stats_watch(struct ctl_conn *c, double interval, long count, bool json);

#endif /* PRXCTL_H */
