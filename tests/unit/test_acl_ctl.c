/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rebuild and live replacement: a new acl instance swapped into the chains of a running
 * data plane (net_null traffic, counters carried, accounting kept), then the control
 * socket's acl.load / acl.show end to end: the build on a worker thread while the
 * socket keeps answering, FILE:LINE errors that change nothing, EBUSY, EAGAIN when the
 * handler changed during the build, and a shutdown in the middle of a build.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcntl.h>
#include <jansson.h>

#include "prx_acl.h"
#include "prx_conf.h"
#include "prx_control.h"
#include "prx_dataplane.h"
#include "prx_view.h"
#include "test_acl.h"

#define MS 1000000ull
#define DEADLINE_NS (20000 * MS) /* a big build under ASan on a loaded machine */

/* net_null frames are all zeros: not IPv4, so with non_ipv4 = "default" the default
 * action decides (deny here: everything dropped as acl_deny). */
#define CFG \
	"mode = \"dpdk\";\n" \
	"reactors = { cores = [1]; engine = \"poll\"; };\n" \
	"mempool = { mbufs = 4095; };\n" \
	"handlers = (\n" \
	"  { name = \"fw\"; type = \"acl\"; default = \"deny\"; non_ipv4 = \"default\";\n" \
	"    rules = ({ action = \"allow\"; proto = \"tcp\"; }); },\n" \
	"  { name = \"ab\"; type = \"xconnect\"; to = \"b\"; }\n" \
	");\n" \
	"ports = (\n" \
	"  { name = \"a\"; dpdk = \"net_null0\"; rx_desc = 256; tx_desc = 256; chain = [\"fw\", " \
	"\"ab\"]; },\n" \
	"  { name = \"b\"; dpdk = \"net_null1\"; rx_desc = 256; tx_desc = 256; chain = []; }\n" \
	");\n"

static struct prx_conf *conf;
static struct prx_dataplane *dp;
static struct prx_evloop *ev;
static struct prx_control *ctl;
static char sock_path[100];

static void
dp_up(bool with_control)
{
	struct prx_conf_errors err;
	struct prx_control_params cp = {.socket = sock_path, .socket_mode = 0600};
	char path[256];

	acl_write("prx.cfg", CFG, path);
	CU_ASSERT_FATAL(prx_conf_load_file(path, &conf, &err) == 0);
	CU_ASSERT_FATAL(prx_dp_create(conf, PRX_MODE_DPDK, &dp) == 0);
	CU_ASSERT_FATAL(prx_dp_setup(dp) == 0);
	CU_ASSERT_FATAL(prx_dp_set_conf_path(dp, path) == 0);
	CU_ASSERT_FATAL(prx_dp_launch(dp) == 0);
	ctl = NULL;
	ev = NULL;
	if (!with_control)
		return;
	snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", acl_dir);
	CU_ASSERT_FATAL(prx_evloop_create(&ev) == 0);
	CU_ASSERT_FATAL(prx_control_create(dp, ev, &cp, &ctl) == 0);
}

static void
dp_down(void)
{
	struct prx_dp_totals t;

	prx_control_destroy(ctl);
	prx_evloop_destroy(ev);
	prx_dp_stop(dp);
	prx_dp_totals(dp, &t);
	CU_ASSERT(prx_dp_balanced(&t));
	prx_dp_destroy(dp);
	prx_conf_free(conf);
}

static uint64_t
acl_denied(void)
{
	struct prx_dp_totals t;

	prx_dp_totals(dp, &t);
	return t.st.drop[PRX_DROP_ACL_DENY];
}

/* A new rule set goes live in every chain; the old instance goes, its counts carry on. */
static void
test_replace_under_traffic(void)
{
	struct prx_conf_acl allow = {.def = PRX_ACL_ALLOW, .non_ipv4 = PRX_ACL_NONIP_DEFAULT};
	struct prx_handler *h, *old;
	struct prx_dp_totals t0, t1;
	struct prx_view *v;
	uint64_t in0, d0;
	char msg[256];

	dp_up(false);
	usleep(20000);
	old = prx_dp_handler(dp, "fw");
	CU_ASSERT_FATAL(prx_acl_is(old));
	prx_dp_totals(dp, &t0);
	CU_ASSERT(t0.st.drop[PRX_DROP_ACL_DENY] > 0);
	CU_ASSERT_EQUAL(t0.st.tx, 0);
	CU_ASSERT_EQUAL_FATAL(prx_acl_create("fw", &allow, &h, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL_FATAL(prx_dp_handler_replace(dp, "fw", h, msg, sizeof(msg)), 0);
	CU_ASSERT(prx_dp_handler(dp, "fw") == h);
	d0 = acl_denied();
	usleep(20000);
	prx_dp_totals(dp, &t1);
	CU_ASSERT_EQUAL(t1.st.drop[PRX_DROP_ACL_DENY], d0); /* no reactor runs the old one */
	CU_ASSERT(t1.st.tx > 0);
	CU_ASSERT(prx_acl_hits(h, 0) > 0);
	/* handler counters are never reset: the old instance's carry on */
	v = prx_dp_view_take(dp);
	CU_ASSERT_FATAL(v != NULL);
	in0 = v->handlers[0].in;
	CU_ASSERT(in0 > t0.st.drop[PRX_DROP_ACL_DENY]);
	CU_ASSERT(v->handlers[0].dropped >= d0);
	CU_ASSERT_STRING_EQUAL(v->handlers[0].config, "default=allow rules=0 non_ipv4=default");
	prx_view_free(v);
	/* only an acl replaces an acl */
	CU_ASSERT_EQUAL_FATAL(prx_acl_create("ab", &allow, &h, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(prx_dp_handler_replace(dp, "ab", h, msg, sizeof(msg)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "handler ab is a xconnect, not a acl");
	CU_ASSERT_EQUAL(prx_dp_handler_replace(dp, "nope", h, msg, sizeof(msg)), -ENOENT);
	prx_handler_free(h);
	dp_down();
}

/* --- a client of the control socket, pumping the control loop while it waits --- */

struct cli {
	int fd;
	size_t len;
	char buf[1 << 16];
};

static void
cli_open(struct cli *c)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock_path);
	c->len = 0;
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(c->fd >= 0);
	CU_ASSERT_FATAL(connect(c->fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(fcntl(c->fd, F_SETFL, O_NONBLOCK) == 0);
}

static void
cli_send(struct cli *c, const char *cmd, json_t *args)
{
	json_t *req = json_pack("{s:s, s:o, s:i}", "cmd", cmd, "args", args, "id", 1);
	char *s = json_dumps(req, JSON_COMPACT);
	size_t n = strlen(s);

	s = realloc(s, n + 2);
	s[n] = '\n';
	CU_ASSERT_FATAL(write(c->fd, s, n + 1) == (ssize_t)(n + 1));
	free(s);
	json_decref(req);
}

/* A reply line if one is there, without waiting. */
static json_t *
cli_poll(struct cli *c)
{
	ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	char *nl;
	json_t *j;

	if (r > 0)
		c->len += (size_t)r;
	c->buf[c->len] = '\0';
	nl = strchr(c->buf, '\n');
	if (nl == NULL)
		return NULL;
	*nl = '\0';
	j = json_loads(c->buf, 0, NULL);
	c->len -= (size_t)(nl + 1 - c->buf);
	memmove(c->buf, nl + 1, c->len);
	return j;
}

/* Pump the control loop until c has a reply. */
static json_t *
cli_wait(struct cli *c)
{
	uint64_t end = prx_evloop_now_ns() + DEADLINE_NS;
	json_t *j;

	while ((j = cli_poll(c)) == NULL && prx_evloop_now_ns() < end)
		CU_ASSERT_FATAL(prx_evloop_run(ev, 1000) >= 0);
	CU_ASSERT_FATAL(j != NULL);
	return j;
}

static json_t *
call(struct cli *c, const char *cmd, json_t *args)
{
	cli_send(c, cmd, args);
	return cli_wait(c);
}

/* The error of a reply: code and message must be exactly these. */
static void
expect_error(json_t *rep, const char *code, const char *msg)
{
	const char *got_code =
		json_string_value(json_object_get(json_object_get(rep, "error"), "code"));
	const char *got =
		json_string_value(json_object_get(json_object_get(rep, "error"), "message"));

	CU_ASSERT(json_is_false(json_object_get(rep, "ok")));
	if (got_code == NULL || got == NULL || strcmp(got_code, code) != 0 || strcmp(got, msg) != 0)
		fprintf(stderr, "\n  want: %s %s\n  got:  %s %s\n", code, msg,
			got_code ? got_code : "-", got ? got : "-");
	CU_ASSERT(got_code != NULL && strcmp(got_code, code) == 0);
	CU_ASSERT(got != NULL && strcmp(got, msg) == 0);
	json_decref(rep);
}

static json_t *
result_of(json_t *rep)
{
	json_t *r = json_object_get(rep, "result");

	CU_ASSERT(json_is_true(json_object_get(rep, "ok")));
	json_incref(r);
	json_decref(rep);
	return r;
}

static void
test_ctl_load_and_show(void)
{
	char good[256], bad[256], want[1024];
	json_t *r, *rules, *row;
	struct cli c;
	uint64_t gen;

	dp_up(true);
	cli_open(&c);
	r = result_of(call(&c, "acl.show", json_pack("{s:s}", "handler", "fw")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "default")), "deny");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "non_ipv4")), "default");
	CU_ASSERT(json_is_null(json_object_get(r, "rules_file")));
	CU_ASSERT(json_integer_value(json_object_get(r, "default_hits")) > 0);
	rules = json_object_get(r, "rules");
	CU_ASSERT_EQUAL_FATAL(json_array_size(rules), 1);
	row = json_array_get(rules, 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "rule")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "action")), "allow");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "proto")), "tcp");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "dport")), "any");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "where")), "prx.cfg:6");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "hits")), 0);
	json_decref(r);

	/* a good file: live when the reply comes */
	acl_write("fw.rules", "# ok\nallow proto udp src 10.0.0.0/8\ndeny proto tcp dport 22\n",
		  good);
	gen = prx_acl_gen(prx_dp_handler(dp, "fw"));
	r = result_of(call(&c, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", good)));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "handler")), "fw");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "file")), good);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "rules")), 2);
	CU_ASSERT(json_is_integer(json_object_get(r, "build_us")));
	CU_ASSERT(json_is_integer(json_object_get(r, "live_us")));
	json_decref(r);
	CU_ASSERT(prx_acl_gen(prx_dp_handler(dp, "fw")) > gen);
	gen = prx_acl_gen(prx_dp_handler(dp, "fw"));
	r = result_of(call(&c, "acl.show", json_pack("{s:s}", "handler", "fw")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "rules_file")), good);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "default")), "deny");
	rules = json_object_get(r, "rules");
	CU_ASSERT_EQUAL_FATAL(json_array_size(rules), 2);
	row = json_array_get(rules, 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "src")), "10.0.0.0/8");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "where")), "fw.rules:2");
	row = json_array_get(rules, 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "dport")), "22");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(row, "where")), "fw.rules:3");
	json_decref(r);

	/* a bad file: every error, FILE:LINE, and the running rules stay */
	acl_write("bad.rules", "allow proto udp\nallow proto tcp dport 99999\nfoo\n", bad);
	snprintf(want, sizeof(want),
		 "%s:2: \"99999\" is not a port or port range (0..65535, \"1024-65535\" or "
		 "\"any\")\n%s:3: \"foo\" is not an action (allow or deny)",
		 bad, bad);
	expect_error(call(&c, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", bad)),
		     "EINVAL", want);
	CU_ASSERT_EQUAL(prx_acl_gen(prx_dp_handler(dp, "fw")), gen);
	snprintf(bad, sizeof(bad), "%s/none.rules", acl_dir);
	snprintf(want, sizeof(want), "%s: No such file or directory", bad);
	expect_error(call(&c, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", bad)),
		     "ENOENT", want);

	/* requests refused before any work */
	expect_error(
		call(&c, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", "fw.rules")),
		"EINVAL",
		"file \"fw.rules\": an absolute path is needed (prxd's working folder is "
		"not the client's)");
	expect_error(call(&c, "acl.load", json_pack("{s:s, s:s}", "handler", "nope", "file", good)),
		     "ENOENT", "no handler \"nope\"");
	expect_error(call(&c, "acl.show", json_pack("{s:s}", "handler", "ab")), "EINVAL",
		     "handler ab is a xconnect, not an acl");
	expect_error(call(&c, "acl.load", json_pack("{s:s}", "handler", "fw")), "EINVAL",
		     "missing argument \"file\"");
	expect_error(call(&c, "acl.show", json_pack("{s:s, s:i}", "handler", "fw", "x", 1)),
		     "EINVAL", "unknown argument \"x\"");
	expect_error(call(&c, "acl.show", json_pack("{s:i}", "handler", 1)), "EINVAL",
		     "argument \"handler\": expected a string");
	CU_ASSERT_EQUAL(prx_acl_gen(prx_dp_handler(dp, "fw")), gen);
	close(c.fd);
	dp_down();
}

/* A rule file whose build takes a while (about 0.2 ms a rule). */
static void
write_big(char *path)
{
	FILE *f;

	snprintf(path, 256, "%s/big.rules", acl_dir);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	srandom(7);
	for (unsigned int i = 0; i < 2000; i++) {
		unsigned int lo = (unsigned int)random() % 60000,
			     slo = (unsigned int)random() % 30000;

		fprintf(f,
			"%s proto tcp src 10.%ld.%ld.%ld dst 10.%ld.%ld.0/24 sport %u-%u dport %u-%u\n",
			i & 1 ? "allow" : "deny", random() % 256, random() % 256, random() % 256,
			random() % 256, random() % 256, slo, slo + (unsigned int)random() % 30000,
			lo, lo + (unsigned int)random() % 5000);
	}
	fclose(f);
}

/* Write `text` into the FIFO once the worker has opened it, pumping the control loop
 * meanwhile (the worker only starts when the loop reads the request). */
static void
feed_fifo(const char *fifo, const char *text)
{
	uint64_t end = prx_evloop_now_ns() + DEADLINE_NS;
	int fd;

	while ((fd = open(fifo, O_WRONLY | O_NONBLOCK)) < 0 && errno == ENXIO &&
	       prx_evloop_now_ns() < end)
		prx_evloop_run(ev, 1000);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/* While the worker works, the socket answers; a second load waits its turn (EBUSY);
 * a handler replaced meanwhile (a reload) wins over the load (EAGAIN).  The rule file is
 * a FIFO, so the worker is held in the middle of its job until the test writes it. */
static void
test_ctl_load_keeps_answering(void)
{
	struct prx_conf_acl allow = {.def = PRX_ACL_ALLOW};
	struct prx_handler *h;
	struct cli c1, c2;
	json_t *rep, *r;
	char fifo[256], msg[400];

	dp_up(true);
	snprintf(fifo, sizeof(fifo), "%s/fifo.rules", acl_dir);
	CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
	cli_open(&c1);
	cli_open(&c2);
	cli_send(&c1, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", fifo));
	r = result_of(call(&c2, "show.ports", json_object()));
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	json_decref(r);
	rep = cli_poll(&c1);
	CU_ASSERT_PTR_NULL(rep); /* the worker waits for the file */
	json_decref(rep);
	snprintf(msg, sizeof(msg), "rules of handler fw are being loaded (%s)", fifo);
	expect_error(call(&c2, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", fifo)),
		     "EBUSY", msg);
	/* a reload replaces fw before the build is done */
	CU_ASSERT_EQUAL_FATAL(prx_acl_create("fw", &allow, &h, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL_FATAL(prx_dp_handler_replace(dp, "fw", h, msg, sizeof(msg)), 0);
	feed_fifo(fifo, "deny proto udp\n");
	expect_error(cli_wait(&c1), "EAGAIN",
		     "handler fw changed while the rules were built (a reload?): nothing loaded, "
		     "load again");
	CU_ASSERT(prx_dp_handler(dp, "fw") == h);
	/* and now it goes through */
	cli_send(&c1, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", fifo));
	feed_fifo(fifo, "deny proto udp\nallow\n");
	r = result_of(cli_wait(&c1));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "rules")), 2);
	json_decref(r);
	CU_ASSERT_EQUAL(prx_acl_conf(prx_dp_handler(dp, "fw"))->n_rules, 2);
	CU_ASSERT_EQUAL(prx_acl_conf(prx_dp_handler(dp, "fw"))->def, PRX_ACL_ALLOW);
	unlink(fifo);
	close(c1.fd);
	close(c2.fd);
	dp_down();
}

/* prxd stopping while a build runs: the worker is waited for, nothing leaks or runs late. */
static void
test_ctl_shutdown_during_build(void)
{
	struct cli c;
	char big[256];

	dp_up(true);
	write_big(big);
	cli_open(&c);
	cli_send(&c, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", big));
	for (int i = 0; i < 20; i++)
		prx_evloop_run(ev, 1000); /* the request is read and deferred */
	CU_ASSERT_PTR_NULL(cli_poll(&c));
	prx_control_destroy(ctl);
	ctl = NULL;
	/* the worker's post, if it came, finds nothing to do */
	prx_evloop_run(ev, 0);
	close(c.fd);
	dp_down();
}

/* Loaded rules stay until a reload finds the acl's configuration changed. */
static void
test_reload_and_loaded_rules(void)
{
	static struct prx_dp_reload res;
	char good[256], path[256], msg[2048];
	const struct prx_conf_acl *a;
	struct cli c;
	const char *d;
	char *text = NULL;
	json_t *r;

	dp_up(true);
	cli_open(&c);
	acl_write("fw.rules", "allow proto udp\ndeny proto tcp dport 22\n", good);
	r = result_of(call(&c, "acl.load", json_pack("{s:s, s:s}", "handler", "fw", "file", good)));
	json_decref(r);
	CU_ASSERT_EQUAL(prx_dp_reload(dp, NULL, &res, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(res.n_changes, 0);
	a = prx_acl_conf(prx_dp_handler(dp, "fw"));
	CU_ASSERT(a->n_rules == 2 && a->def == PRX_ACL_DENY);
	/* the configured default changes: the handler is rebuilt from the configuration */
	d = strstr(CFG, "default = \"deny\";");
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_FATAL(asprintf(&text, "%.*sdefault = \"allow\";%s", (int)(d - CFG), CFG,
				 d + strlen("default = \"deny\";")) > 0);
	acl_write("prx.cfg", text, path);
	free(text);
	CU_ASSERT_EQUAL_FATAL(prx_dp_reload(dp, NULL, &res, msg, sizeof(msg)), 0);
	CU_ASSERT_FATAL(res.n_changes >= 1); /* and the chains that hold it */
	CU_ASSERT_STRING_EQUAL(res.changes[0], "handler fw changed");
	a = prx_acl_conf(prx_dp_handler(dp, "fw"));
	CU_ASSERT(a->n_rules == 1 && a->def == PRX_ACL_ALLOW && a->rules_file == NULL);
	close(c.fd);
	dp_down();
}

const struct prx_test_case acl_ctl_cases[] = {
	PRX_TEST(test_replace_under_traffic),	  PRX_TEST(test_ctl_load_and_show),
	PRX_TEST(test_ctl_load_keeps_answering),  PRX_TEST(test_reload_and_loaded_rules),
	PRX_TEST(test_ctl_shutdown_during_build), {NULL, NULL},
};
