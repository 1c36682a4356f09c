/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prxctl - the operator CLI of prx: turns a command line into one control-socket
 * request and the reply into text (docs/control.md, section "prxctl").
 *
 * Arguments are checked and typed here, before anything is sent: a typo is exit 2 with
 * the command's synopsis, never a half-understood request to a live appliance.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prxctl.h"

#ifndef PRX_VERSION
#define PRX_VERSION "unknown"
#endif

#define DEFAULT_INSTANCE "prx"
#define INT_ARG_MAX 2147483647LL /* prxd's counts and indexes are 32-bit */

/* What to send, built from the command line. */
struct request {
	char cmd[128]; /* "show.ports" */
	json_t *args;  /* NULL: no "args" */
	bool watch;    /* stats --watch */
	double interval;
	long count;
};

struct command;
/* argv: the arguments after the command's words */
typedef int (*build_fn)(const struct command *cmd, int argc, char **argv, struct request *rq);

struct command {
	const char *word, *sub; /* "port", "add"; sub NULL for one-word commands */
	const char *request;	/* the protocol command, NULL when built from argv */
	const char *synopsis;
	const char *help;
	build_fn build;
};

static const char *const show_what[] = {"ports",    "queues", "reactors", "chains",
					"handlers", "stats",  "errors",	  "plan"};

static int
usage_end(void)
{
	fputs("Try 'prxctl --help' for more.\n", stderr);
	return PRXCTL_EXIT_USAGE;
}

/* "prxctl: PROBLEM", then the synopsis of the command at fault. */
static int usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("prxctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: prxctl %s\n",
		cmd != NULL ? cmd->synopsis
			    : "[-s SOCKET | -n INSTANCE] [--json] [-t SECONDS] COMMAND ...");
	return usage_end();
}

/* A decimal integer in [0, max], digits only (no sign, no blanks). */
static bool
parse_uint(const char *s, long long max, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static bool
parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 || v > 1e6)
		return false;
	*out = v;
	return true;
}

/* Set a string member; argv is not guaranteed to be UTF-8, JSON strings must be. */
static int
set_string(const struct command *cmd, json_t *obj, const char *key, const char *val)
{
	json_t *s = json_string(val);

	if (s == NULL)
		return usage_error(cmd, "%s: '%s' is not valid UTF-8", key, val);
	json_object_set_new(obj, key, s);
	return 0;
}

static int
build_plain(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	(void)rq;
	if (argc > 0)
		return usage_error(cmd, "%s: unexpected argument '%s'", cmd->word, argv[0]);
	return 0;
}

static int
build_show(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	size_t i;

	if (argc == 0)
		return usage_error(cmd, "show: what? ports, queues, reactors, ...");
	if (argc > 1)
		return usage_error(cmd, "show: unexpected argument '%s'", argv[1]);
	for (i = 0; i < sizeof(show_what) / sizeof(show_what[0]); i++) {
		if (strcmp(argv[0], show_what[i]) == 0) {
			snprintf(rq->cmd, sizeof(rq->cmd), "show.%s", argv[0]);
			return 0;
		}
	}
	return usage_error(cmd, "show: unknown '%s'", argv[0]);
}

/* chain=a,b,c: an empty value is an empty chain (the port drops every packet), an
 * empty name inside the list is a typo. */
static int
parse_chain(const struct command *cmd, const char *list, char **names, int n, json_t **out)
{
	json_t *a = json_array();
	char *copy = xstrdup(list), *p = copy, *comma;
	int rc = 0, i;

	while (rc == 0 && *list != '\0') {
		json_t *s;

		comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		if (*p == '\0')
			rc = usage_error(cmd, "chain: empty handler name in '%s'", list);
		else if ((s = json_string(p)) == NULL)
			rc = usage_error(cmd, "chain: '%s' is not valid UTF-8", p);
		else
			json_array_append_new(a, s);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		json_t *s = json_string(names[i]);

		if (names[i][0] == '-')
			rc = usage_error(cmd, "unknown option '%s'", names[i]);
		else if (s == NULL)
			rc = usage_error(cmd, "chain: '%s' is not valid UTF-8", names[i]);
		else
			json_array_append_new(a, s);
	}
	free(copy);
	if (rc != 0)
		json_decref(a);
	else
		*out = a;
	return rc;
}

/* One key=value of port add, typed as prxd expects it. */
static int
port_add_key(const struct command *cmd, json_t *args, const char *kv)
{
	static const char *const ints[] = {"rx_queues", "rx_desc", "tx_desc"};
	const char *eq = strchr(kv, '='), *val;
	char key[32];
	long long n;
	json_t *v;
	size_t i;

	if (eq == NULL)
		return usage_error(cmd, "port add: expected key=value, got '%s'", kv);
	val = eq + 1;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	if (json_object_get(args, key) != NULL && strcmp(key, "name") != 0)
		return usage_error(cmd, "port add: %s given twice", key);
	if (strcmp(key, "dpdk") == 0 || strcmp(key, "kernel") == 0)
		return set_string(cmd, args, key, val);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (strcmp(key, ints[i]) != 0)
			continue;
		if (!parse_uint(val, INT_ARG_MAX, &n))
			return usage_error(cmd, "port add: %s: '%s' is not a non-negative integer",
					   key, val);
		json_object_set_new(args, key, json_integer(n));
		return 0;
	}
	if (strcmp(key, "promiscuous") == 0) {
		if (strcmp(val, "yes") == 0 || strcmp(val, "true") == 0)
			v = json_true();
		else if (strcmp(val, "no") == 0 || strcmp(val, "false") == 0)
			v = json_false();
		else
			return usage_error(cmd, "port add: promiscuous: '%s' is not yes or no",
					   val);
		json_object_set_new(args, key, v);
		return 0;
	}
	if (strcmp(key, "chain") == 0) {
		int rc = parse_chain(cmd, val, NULL, 0, &v);

		if (rc == 0)
			json_object_set_new(args, key, v);
		return rc;
	}
	return usage_error(cmd,
			   "port add: unknown key '%.*s' (dpdk, kernel, rx_queues, rx_desc, "
			   "tx_desc, promiscuous, chain)",
			   (int)(eq - kv), kv);
}

static int
build_port_add(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	bool exist_ok = false, named = false;
	json_t *a = json_object();
	int rc = 0, i;

	rq->args = a;
	for (i = 0; rc == 0 && i < argc; i++) {
		if (strcmp(argv[i], "--exist-ok") == 0)
			exist_ok = true;
		else if (argv[i][0] == '-')
			rc = usage_error(cmd, "port add: unknown option '%s'", argv[i]);
		else if (named)
			rc = port_add_key(cmd, a, argv[i]);
		else if (strchr(argv[i], '=') != NULL)
			rc = usage_error(cmd, "port add: NAME missing before '%s'", argv[i]);
		else {
			rc = set_string(cmd, a, "name", argv[i]);
			named = true;
		}
	}
	if (rc != 0)
		return rc;
	if (!named)
		return usage_error(cmd, "port add: NAME missing");
	if (json_object_get(a, "dpdk") != NULL && json_object_get(a, "kernel") != NULL)
		return usage_error(cmd, "port add: dpdk= and kernel= exclude each other");
	if (json_object_get(a, "dpdk") == NULL && json_object_get(a, "kernel") == NULL)
		return usage_error(cmd, "port add: dpdk=DEVARGS or kernel=IFNAME needed");
	if (exist_ok)
		json_object_set_new(a, "exist_ok", json_true());
	return 0;
}

static int
build_port_del(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	const char *name = NULL;
	bool missing_ok = false;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--missing-ok") == 0)
			missing_ok = true;
		else if (argv[i][0] == '-')
			return usage_error(cmd, "port del: unknown option '%s'", argv[i]);
		else if (name != NULL)
			return usage_error(cmd, "port del: unexpected argument '%s'", argv[i]);
		else
			name = argv[i];
	}
	if (name == NULL)
		return usage_error(cmd, "port del: NAME missing");
	rq->args = json_object();
	rc = set_string(cmd, rq->args, "name", name);
	if (rc == 0 && missing_ok)
		json_object_set_new(rq->args, "missing_ok", json_true());
	return rc;
}

static int
build_queue_move(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	long long queue, reactor;

	if (argc != 3)
		return usage_error(cmd,
				   "queue move: PORT QUEUE REACTOR expected, %d argument%s given",
				   argc, argc == 1 ? "" : "s");
	if (!parse_uint(argv[1], INT_ARG_MAX, &queue))
		return usage_error(cmd, "queue move: QUEUE '%s' is not a non-negative integer",
				   argv[1]);
	if (!parse_uint(argv[2], INT_ARG_MAX, &reactor))
		return usage_error(cmd, "queue move: REACTOR '%s' is not a non-negative integer",
				   argv[2]);
	rq->args = json_object();
	if (set_string(cmd, rq->args, "port", argv[0]) != 0)
		return PRXCTL_EXIT_USAGE;
	json_object_set_new(rq->args, "queue", json_integer(queue));
	json_object_set_new(rq->args, "reactor", json_integer(reactor));
	return 0;
}

static int
build_chain_set(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	json_t *chain;
	int rc;

	if (argc == 0 || argv[0][0] == '-')
		return usage_error(cmd, "chain set: PORT missing");
	rq->args = json_object();
	rc = set_string(cmd, rq->args, "port", argv[0]);
	/* no handler at all is an empty chain: "" as the list adds no name */
	if (rc == 0)
		rc = parse_chain(cmd, "", argv + 1, argc - 1, &chain);
	if (rc == 0)
		json_object_set_new(rq->args, "chain", chain);
	return rc;
}

/* acl load HANDLER FILE: prxd reads FILE in its own working folder, so a relative
 * path is made absolute here (not resolved: prxd says if it is not there). */
static int
build_acl_load(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	char *path;
	int rc;

	if (argc != 2)
		return usage_error(cmd, "acl load: HANDLER FILE expected, %d argument%s given",
				   argc, argc == 1 ? "" : "s");
	if (argv[0][0] == '-' || argv[1][0] == '\0')
		return usage_error(cmd, "acl load: HANDLER FILE expected");
	if (argv[1][0] == '/') {
		path = xstrdup(argv[1]);
	} else {
		char *cwd = getcwd(NULL, 0);

		if (cwd == NULL)
			return usage_error(cmd, "acl load: %s: cannot tell the working folder: %s",
					   argv[1], strerror(errno));
		path = xasprintf("%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", argv[1]);
		free(cwd);
	}
	rq->args = json_object();
	rc = set_string(cmd, rq->args, "handler", argv[0]);
	if (rc == 0)
		rc = set_string(cmd, rq->args, "file", path);
	free(path);
	return rc;
}

static int
build_acl_show(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	if (argc != 1 || argv[0][0] == '-')
		return usage_error(cmd, "acl show: HANDLER expected");
	rq->args = json_object();
	return set_string(cmd, rq->args, "handler", argv[0]);
}

static int
build_stats(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	bool timing = false;
	long long n;
	int i;

	rq->interval = 1;
	for (i = 0; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--watch") == 0) {
			rq->watch = true;
			continue;
		}
		if (strcmp(opt, "-i") != 0 && strcmp(opt, "-c") != 0)
			return usage_error(cmd, "stats: unexpected argument '%s'", opt);
		if (val == NULL)
			return usage_error(cmd, "stats: %s needs a value", opt);
		i++;
		timing = true;
		if (opt[1] == 'i' && !parse_seconds(val, &rq->interval))
			return usage_error(cmd, "stats: -i: '%s' is not a number of seconds > 0",
					   val);
		if (opt[1] == 'c') {
			if (!parse_uint(val, INT_ARG_MAX, &n) || n == 0)
				return usage_error(cmd, "stats: -c: '%s' is not a count > 0", val);
			rq->count = (long)n;
		}
	}
	if (timing && !rq->watch)
		return usage_error(cmd, "stats: -i and -c go with --watch");
	return 0;
}

static int
build_call(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	json_error_t err;
	json_t *s;

	if (argc < 1 || argc > 2)
		return usage_error(cmd, "call: COMMAND [JSON-ARGS] expected");
	s = json_string(argv[0]);
	json_decref(s);
	if (s == NULL || argv[0][0] == '\0' || strlen(argv[0]) >= sizeof(rq->cmd))
		return usage_error(cmd, "call: bad command name '%s'", argv[0]);
	snprintf(rq->cmd, sizeof(rq->cmd), "%s", argv[0]);
	if (argc == 1)
		return 0;
	rq->args = json_loads(argv[1], 0, &err);
	if (rq->args == NULL)
		return usage_error(cmd, "call: JSON-ARGS: %s (column %d)", err.text, err.column);
	if (!json_is_object(rq->args))
		return usage_error(cmd, "call: JSON-ARGS must be an object, {...}");
	return 0;
}

/* route ... / neigh ...: route.c types the arguments */
static int
build_router(const struct command *cmd, int argc, char **argv, struct request *rq)
{
	char err[256];

	rq->args = router_args(cmd->request, argc, argv, err, sizeof(err));
	return rq->args == NULL ? usage_error(cmd, "%s", err) : 0;
}

static const struct command commands[] = {
	{"list-commands", NULL, "list-commands", "list-commands",
	 "the commands prxd serves, with their arguments", build_plain},
	{"show", NULL, NULL, "show ports|queues|reactors|chains|handlers|stats|errors|plan",
	 "the daemon's state, as tables", build_show},
	{"port", "add", "port.add",
	 "port add NAME dpdk=DEVARGS|kernel=IFNAME [rx_queues=N] [rx_desc=N] [tx_desc=N]\n"
	 "                [promiscuous=yes|no] [chain=H1,H2,...] [--exist-ok]",
	 "add a port live; --exist-ok: success if it exists already", build_port_add},
	{"port", "del", "port.del", "port del NAME [--missing-ok]",
	 "remove a port live; --missing-ok: success if it is not there", build_port_del},
	{"queue", "move", "queue.move", "queue move PORT QUEUE REACTOR",
	 "move an rx queue to another reactor, live", build_queue_move},
	{"chain", "set", "chain.set", "chain set PORT [HANDLER ...]",
	 "replace a port's handler chain; no handler: the port drops every packet",
	 build_chain_set},
	{"reload", NULL, "reload", "reload", "re-read the configuration file, apply the changes",
	 build_plain},
	{"acl", "load", "acl.load", "acl load HANDLER FILE",
	 "replace an acl's rules with a rule file's, live (FILE is sent as an absolute path)",
	 build_acl_load},
	{"acl", "show", "acl.show", "acl show HANDLER", "an acl's rules with their hit counts",
	 build_acl_show},
	{"route", "add", "route.add",
	 "route add HANDLER PREFIX [via GATEWAY] port PORT [--exist-ok]",
	 "add a route to a router, live; --exist-ok: success if the prefix is there", build_router},
	{"route", "del", "route.del", "route del HANDLER PREFIX [--missing-ok]",
	 "delete a router's route, live; --missing-ok: success if it is not there", build_router},
	{"route", "show", "route.show", "route show HANDLER [--limit N]",
	 "a router's routes (first N, 1000), neighbours and counters", build_router},
	{"neigh", "add", "neigh.add", "neigh add HANDLER IP MAC port PORT",
	 "add or replace a router's static neighbour, live", build_router},
	{"neigh", "del", "neigh.del", "neigh del HANDLER IP [--missing-ok]",
	 "make a router forget a neighbour, live", build_router},
	{"neigh", "show", "neigh.show", "neigh show HANDLER",
	 "a router's neighbours: MAC, state, packets held", build_router},
	{"stats", NULL, "show.stats", "stats [--watch] [-i SECONDS] [-c COUNT]",
	 "show stats; --watch: packet rates every SECONDS (1), COUNT times (no end)", build_stats},
	{"call", NULL, NULL, "call COMMAND [JSON-ARGS]",
	 "send any command, JSON-ARGS an object, and print the result", build_call},
};
static const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

static void
help(void)
{
	size_t i;

	printf("usage: prxctl [-s SOCKET | -n INSTANCE] [--json] [-t SECONDS] COMMAND ...\n\n"
	       "Operator CLI of prx: sends one command to prxd's control socket, prints the "
	       "answer.\n\ncommands:\n");
	for (i = 0; i < n_commands; i++)
		printf("  %s\n      %s\n", commands[i].synopsis, commands[i].help);
	printf("\noptions:\n"
	       "  -s, --socket SOCKET      the control socket (default: $PRX_CTL_SOCKET, else\n"
	       "                           /run/prx/INSTANCE/prx.ctl)\n"
	       "  -n, --instance INSTANCE  the instance whose socket to use (default " DEFAULT_INSTANCE
	       ");\n"
	       "                           takes precedence over $PRX_CTL_SOCKET\n"
	       "  --json                   print the reply's result as JSON\n"
	       "  -t, --timeout SECONDS    give up on an answer after SECONDS (default 10)\n"
	       "  -h, --help               this text\n"
	       "  --version                prxctl's version\n\n"
	       "exit status: 0 ok, 1 prxd answered an error, 2 bad command line,\n"
	       "             3 cannot connect, I/O error or timeout\n");
}

struct options {
	const char *socket, *instance;
	double timeout;
	bool json;
};

/* The global options, before COMMAND; *next: the index of COMMAND. */
static int
parse_options(int argc, char **argv, struct options *o, int *next)
{
	static const struct option longs[] = {
		{"socket", required_argument, NULL, 's'},
		{"instance", required_argument, NULL, 'n'},
		{"timeout", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0; /* our own messages, with the synopsis */
	/* "+": stop at COMMAND, its options are its own */
	while ((c = getopt_long(argc, argv, "+:s:n:t:h", longs, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'n':
			if (optarg[0] == '\0' || strchr(optarg, '/') != NULL)
				return usage_error(NULL, "-n: bad instance name '%s'", optarg);
			o->instance = optarg;
			break;
		case 't':
			if (!parse_seconds(optarg, &o->timeout))
				return usage_error(NULL, "-t: '%s' is not a number of seconds > 0",
						   optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			help();
			return -1;
		case 'V':
			printf("prxctl %s\n", PRX_VERSION);
			return -1;
		case ':':
			return usage_error(NULL, "option %s needs a value", argv[optind - 1]);
		default:
			if (optopt != 0)
				return usage_error(NULL, "unknown option '-%c'", optopt);
			return usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->socket != NULL && o->instance != NULL)
		return usage_error(NULL, "-s and -n exclude each other");
	if (optind >= argc)
		return usage_error(NULL, "no command");
	*next = optind;
	return 0;
}

static int
build_request(int argc, char **argv, struct request *rq)
{
	const struct command *word = NULL;
	size_t i;
	int rc;

	for (i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];

		if (strcmp(c->word, argv[0]) != 0)
			continue;
		if (word == NULL)
			word = c;
		if (c->sub != NULL && (argc < 2 || strcmp(c->sub, argv[1]) != 0))
			continue;
		if (c->request != NULL)
			snprintf(rq->cmd, sizeof(rq->cmd), "%s", c->request);
		rc = c->sub != NULL ? c->build(c, argc - 2, argv + 2, rq)
				    : c->build(c, argc - 1, argv + 1, rq);
		return rc;
	}
	if (word == NULL)
		return usage_error(NULL, "unknown command '%s'", argv[0]);
	/* a word with subcommands (port add, port del): show them all */
	if (argc < 2)
		fprintf(stderr, "prxctl: %s: subcommand missing\n", argv[0]);
	else
		fprintf(stderr, "prxctl: %s: unknown subcommand '%s'\n", argv[0], argv[1]);
	for (i = 0; i < n_commands; i++) {
		if (strcmp(commands[i].word, argv[0]) == 0)
			fprintf(stderr, "%s prxctl %s\n",
				&commands[i] == word ? "usage:" : "      ", commands[i].synopsis);
	}
	return usage_end();
}

static void
print_result(const char *cmd, const json_t *result, bool json)
{
	if (json) {
		/* jansson keeps insertion order, which is prxd's order */
		json_dumpf(result, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
		fputc('\n', stdout);
	} else if (!summary_print(stdout, cmd, result)) {
		render_value(stdout, result);
	}
}

int
main(int argc, char **argv)
{
	struct options o = {.timeout = 10};
	struct request rq = {.args = NULL};
	const char *env = getenv("PRX_CTL_SOCKET");
	char *path, *whose;
	struct ctl_conn conn;
	json_t *result;
	int rc, next = 0;

	rc = parse_options(argc, argv, &o, &next);
	if (rc != 0)
		return rc < 0 ? PRXCTL_EXIT_OK : rc;
	rc = build_request(argc - next, argv + next, &rq);
	if (rc != 0) {
		json_decref(rq.args);
		return rc;
	}
	/* -n beats the environment: an explicit instance on the command line must not be
	 * silently redirected to whatever socket the shell exported */
	if (o.socket != NULL) {
		path = xstrdup(o.socket);
		whose = xstrdup("socket from -s");
	} else if (o.instance == NULL && env != NULL && env[0] != '\0') {
		path = xstrdup(env);
		whose = xstrdup("socket from $PRX_CTL_SOCKET");
	} else {
		const char *inst = o.instance != NULL ? o.instance : DEFAULT_INSTANCE;

		path = xasprintf("/run/prx/%s/prx.ctl", inst);
		whose = xasprintf("instance %s", inst);
	}
	ctl_init(&conn, path, whose, o.timeout);
	if (rq.watch) {
		rc = stats_watch(&conn, rq.interval, rq.count, o.json);
	} else {
		rc = ctl_call(&conn, rq.cmd, rq.args, &result);
		if (rc == PRXCTL_EXIT_OK) {
			print_result(rq.cmd, result, o.json);
			json_decref(result);
		}
	}
	ctl_close(&conn);
	json_decref(rq.args);
	free(path);
	free(whose);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "prxctl: stdout: %s\n", strerror(errno));
		if (rc == PRXCTL_EXIT_OK)
			rc = PRXCTL_EXIT_IO;
	}
	return rc;
}
