/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control-socket suite's harness (test_ctlsock.c, test_ctlsock_more.c): a server on
 * an event loop in the test thread with test commands (echo, fail, big, defer, now), and
 * non-blocking clients whose every wait pumps the loop, bounded by DEADLINE_NS.
 */
#ifndef PRX_CTLSOCK_ENV_H
#define PRX_CTLSOCK_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "prx_ctlsock.h"
#include "prx_evloop.h"
#include "prx_test.h"

#define MS 1000000ull
#define DEADLINE_NS (3000 * MS)
#define BIG_OVER (5u << 20)  /* a reply no client may leave unread */
#define BIG_UNDER (2u << 20) /* a reply that may wait */

struct counts {
	int calls;		  /* handler calls */
	struct prx_ctl_req *held; /* last deferred request */
};

/** echo, fail, big, defer, now (ctlsock_env.c describes each). */
#define N_TEST_CMDS 5
extern const struct prx_ctl_cmd test_cmds[N_TEST_CMDS];

extern struct prx_evloop *ev;
extern struct prx_ctlsock *cs;
extern struct counts cnt;
extern char dir[64], path[96];

#define RUN_UNTIL(cond) \
	do { \
		uint64_t end_ = prx_evloop_now_ns() + DEADLINE_NS; \
		while (!(cond) && prx_evloop_now_ns() < end_) \
			CU_ASSERT_FATAL(prx_evloop_run(ev, 1000) >= 0); \
	} while (0)

/** A loop and a fresh folder; no server yet. */
void setup(void);
/** setup() and the server on `path` with the test commands. */
void start(void);
void teardown(void);

struct cli {
	int fd;
	char *buf;
	size_t len, cap;
};

struct cli cli_open(void);
void cli_close(struct cli *c);
void cli_send_n(struct cli *c, const char *s, size_t len);
void cli_send(struct cli *c, const char *s);
ssize_t cli_fill(struct cli *c);
char *cli_line(struct cli *c);
bool cli_eof(struct cli *c);
bool cli_quiet(struct cli *c);
bool expect(struct cli *c, const char *want);
bool call(struct cli *c, const char *req, const char *want);
json_t *reply(struct cli *c);
const char *err_code(json_t *r);
const char *err_msg(json_t *r);
bool expect_error(struct cli *c, const char *code);

/** The deferred-reply, limit and socket-file cases (test_ctlsock_more.c). */
extern const struct prx_test_case ctlsock_more_cases[];

#endif /* PRX_CTLSOCK_ENV_H */
