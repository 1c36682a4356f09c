/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prxd - the prx appliance daemon.
 *
 *   prxd [-c FILE] [--check-config] [--plan] [--stats-interval S] [-- EAL args]
 *
 * Exit codes (README.md): 0 clean stop, 1 bad configuration, 2 bad command line,
 * 3 start-up failure (EAL, ports, memory), 4 the accounting did not balance at exit.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "prx_conf.h"
#include "prx_control.h"
#include "prx_cpus.h"
#include "prx_dataplane.h"
#include "prx_eal.h"
#include "prx_evloop.h"
#include "prx_log.h"
#include "prx_mode.h"
#include "prx_notify.h"
#include "prx_privs.h"
#include "prx_telemetry.h"

#define EXIT_CONFIG 1
#define EXIT_USAGE 2
#define EXIT_STARTUP 3
#define EXIT_ACCOUNTING 4

#define DEFAULT_CONFIG "/etc/prx/prx.cfg"

struct opts {
	const char *config;
	bool check_config;
	bool plan;
	int stats_interval; /* -1 = from the config */
	int n_eal;
	char **eal;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: prxd [-c FILE] [--check-config] [--plan] [--stats-interval S] [-- EAL args]\n"
		"  -c, --config FILE       configuration (default " DEFAULT_CONFIG ")\n"
		"  -t, --check-config      validate the configuration and exit (0 valid, 1 not)\n"
		"  -p, --plan              print which reactor owns which rx queue and exit\n"
		"  -s, --stats-interval S  print statistics every S seconds (0 = never)\n"
		"  -h, --help              this text\n"
		"  -V, --version           version\n"
		"Arguments after -- go to DPDK's EAL unchanged and win over prx's defaults.\n");
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 't'},
		{"plan", no_argument, NULL, 'p'},
		{"stats-interval", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct opts){.config = DEFAULT_CONFIG, .stats_interval = -1};
	while ((c = getopt_long(argc, argv, "c:tps:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 't':
			o->check_config = true;
			break;
		case 'p':
			o->plan = true;
			break;
		case 's': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || v < 0 || v > 86400) {
				fprintf(stderr, "prxd: --stats-interval: \"%s\" is not 0..86400\n",
					optarg);
				return -1;
			}
			o->stats_interval = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("prxd %s\n", PRX_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	/* getopt_long stops at "--": what follows belongs to EAL. */
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
		fprintf(stderr, "prxd: unexpected argument \"%s\" (EAL arguments go after --)\n",
			argv[optind]);
		return -1;
	}
	o->n_eal = argc - optind;
	o->eal = argv + optind;
	return 0;
}

static struct prx_conf *
load_config(const char *path)
{
	struct prx_conf_errors err;
	struct prx_conf *conf;

	if (prx_conf_load_file(path, &conf, &err) == 0)
		return conf;
	for (unsigned int i = 0; i < err.n && i < PRX_CONF_MAX_ERRORS; i++)
		fprintf(stderr, "%s\n", err.msg[i]);
	if (err.n > PRX_CONF_MAX_ERRORS)
		fprintf(stderr, "%s: %u more errors\n", path, err.n - PRX_CONF_MAX_ERRORS);
	return NULL;
}

/* SIGINT/SIGTERM/SIGHUP are blocked in every thread (EAL's included) and read from a
 * signalfd by the control loop, so no handler runs in the middle of anything. */
static int
signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Signals arrive on the control reactor as reads of a signalfd. */
static void
on_signal(struct prx_fd *h, uint32_t events, void *arg)
{
	struct prx_control *c = arg;
	struct signalfd_siginfo si;

	RTE_SET_USED(events);
	while (read(h->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			PRX_LOG(NOTICE, CORE, "SIGHUP: reloading the configuration");
			if (prx_control_reload(c) != 0)
				PRX_LOG(ERR, CORE, "SIGHUP: cannot start the reload");
			continue;
		}
		PRX_LOG(NOTICE, CORE, "%s: stopping", strsignal((int)si.ssi_signo));
		prx_notify("STOPPING=1\nSTATUS=stopping");
		prx_evloop_stop(h->loop);
	}
}

/* /run/prx/<instance>/prxd.pid next to the control socket, for scripts and systemd. */
static void
pid_file(const char *socket, char *path, size_t len)
{
	const char *slash = socket != NULL ? strrchr(socket, '/') : NULL;
	FILE *f;

	path[0] = '\0';
	if (slash == NULL || (size_t)(slash - socket) + 10 >= len)
		return;
	snprintf(path, len, "%.*s/prxd.pid", (int)(slash - socket), socket);
	f = fopen(path, "w");
	if (f == NULL) {
		PRX_LOG(WARNING, CORE, "pid file %s: %s", path, strerror(errno));
		path[0] = '\0';
		return;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

/* Serving: the control thread keeps only what it needs; say so, and tell systemd. */
static int
serving(const struct prx_conf *conf, const struct prx_privs *privs)
{
	char kept[256], held[1024];
	int rc = prx_privs_drop_control(privs);

	if (rc != 0) {
		PRX_LOG(ERR, CORE, "dropping capabilities failed: %s", strerror(-rc));
		return rc;
	}
	if (privs->capable) {
		prx_caps_format(privs->plan.keep, kept, sizeof(kept));
		prx_privs_report(privs, held, sizeof(held));
		PRX_LOG(NOTICE, CORE, "capabilities: control thread keeps %s%s; held now: %s", kept,
			conf->control.keep_net_caps ? "" : " (control.keep_net_caps = false)",
			held[0] != '\0' ? held : "none");
	}
	PRX_LOG(NOTICE, CORE, "forwarding");
	prx_notifyf("READY=1\nSTATUS=forwarding: instance %s, %u port(s), %u reactor(s)",
		    conf->instance, conf->n_ports, conf->reactors.n_cores);
	return 0;
}

/* The control reactor runs on this (the main) thread until SIGINT or SIGTERM. */
static int
control_run(struct prx_dataplane *dp, const struct prx_conf *conf, int sfd,
	    unsigned int stats_interval, const struct prx_privs *privs)
{
	struct prx_control_params cp = {
		.socket = conf->control.socket,
		.socket_mode = conf->control.socket_mode,
		.metrics = conf->control.metrics,
		.stats_interval = stats_interval,
		.stats_out = stdout,
	};
	struct prx_control *c = NULL;
	struct prx_evloop *ev = NULL;
	struct prx_fd sig = {0};
	char pidf[PATH_MAX];
	int rc, loop_rc;

	rc = prx_evloop_create(&ev);
	if (rc == 0)
		rc = prx_control_create(dp, ev, &cp, &c);
	if (rc == 0)
		rc = prx_fd_add(ev, &sig, sfd, PRX_EV_READ, 0, on_signal, c);
	if (rc != 0) {
		PRX_LOG(ERR, CORE, "control reactor: %s", strerror(-rc));
		prx_control_destroy(c);
		prx_evloop_destroy(ev);
		return rc;
	}
	rc = prx_telemetry_register();
	if (rc != 0)
		PRX_LOG(WARNING, CORE, "telemetry commands not registered: %s", strerror(-rc));
	pid_file(conf->control.socket, pidf, sizeof(pidf));
	rc = serving(conf, privs);
	if (rc == 0 && (loop_rc = prx_evloop_run_forever(ev)) != 0)
		PRX_LOG(ERR, CORE, "control loop failed: %s", strerror(-loop_rc));
	prx_fd_remove(&sig);
	prx_control_destroy(c);
	prx_evloop_destroy(ev);
	if (pidf[0] != '\0') {
		unlink(pidf);
		/* the instance's folder goes too when nothing else is left in it */
		*strrchr(pidf, '/') = '\0';
		rmdir(pidf);
	}
	return rc;
}

/* Where the cores go on the CPUs this process may use (prx_cpus.h); sets env->lcores. */
static int
place_cores(const struct prx_conf *conf, const struct opts *o, struct prx_eal_env *env)
{
	struct prx_cpu_map map;
	struct prx_cpus cpus;
	int rc;

	if (prx_eal_args_set_lcores(conf, o->n_eal, o->eal)) {
		fprintf(stderr, "prxd: lcores placed by the EAL arguments: core_mapping and the "
				"allowed CPUs are not applied\n");
		return 0;
	}
	rc = prx_cpus_probe("", &cpus);
	if (rc != 0) {
		fprintf(stderr, "prxd: cannot tell which CPUs may be used: %s\n", strerror(-rc));
		return rc;
	}
	rc = prx_cpus_map(conf, &cpus, &map);
	if (rc != 0) {
		fprintf(stderr, "prxd: %s: %s\n", o->config, map.msg);
		return rc;
	}
	fprintf(stderr, "prxd: %s\n", map.msg);
	snprintf(env->lcores, sizeof(env->lcores), "%s", map.lcores);
	return 0;
}

int
main(int argc, char **argv)
{
	struct prx_dataplane *dp = NULL;
	struct prx_eal_argv eal;
	struct prx_eal_env env;
	struct prx_mode_choice mode;
	struct prx_privs privs;
	struct prx_conf *conf;
	struct prx_dp_totals t;
	struct opts o;
	char line[2048], runtime_dir[PATH_MAX] = "", why[512];
	bool pci = false;
	int sfd, rc, status = EXIT_STARTUP;

	if (parse_args(argc, argv, &o) != 0)
		return EXIT_USAGE;
	conf = load_config(o.config);
	if (conf == NULL)
		return EXIT_CONFIG;
	if (o.check_config) {
		printf("%s: configuration OK\n", o.config);
		prx_conf_free(conf);
		return 0;
	}
	if (o.stats_interval < 0)
		o.stats_interval = (int)conf->stats_interval;
	prx_eal_env_probe("", prx_conf_memory_mb(conf), &env);
	if (prx_mode_decide(conf, "", &env, &mode) != 0) {
		fprintf(stderr, "prxd: %s: cannot run in DPDK or fallback mode: %s\n", o.config,
			mode.why);
		prx_conf_free(conf);
		return EXIT_CONFIG;
	}
	if (mode.mode == PRX_MODE_FALLBACK) {
		/* kernel interfaces: EAL only provides mempools, which need no hugepages */
		env.hugepages = false;
		snprintf(env.why, sizeof(env.why), "fallback mode");
	}
	if (place_cores(conf, &o, &env) != 0) {
		prx_conf_free(conf);
		return EXIT_CONFIG;
	}
	for (unsigned int i = 0; i < conf->n_ports; i++)
		pci |= conf->ports[i].is_pci;
	if (prx_privs_start(conf, mode.mode, pci, &privs, why, sizeof(why)) != 0) {
		fprintf(stderr, "prxd: %s\n", why);
		prx_conf_free(conf);
		return EXIT_STARTUP;
	}
	if (privs.warning[0] != '\0')
		fprintf(stderr, "prxd: warning: %s\n", privs.warning);
	if (prx_eal_args_build(conf, &env, o.n_eal, o.eal, &eal) != 0) {
		fprintf(stderr, "prxd: too many EAL arguments\n");
		prx_conf_free(conf);
		return EXIT_USAGE;
	}
	sfd = signals_block();
	if (sfd < 0) {
		fprintf(stderr, "prxd: signalfd() failed: %s\n", strerror(errno));
		prx_conf_free(conf);
		return EXIT_STARTUP;
	}
	prx_eal_args_format(&eal, line, sizeof(line));
	if (env.hugepages)
		fprintf(stderr, "prxd: using hugepages\n");
	else
		fprintf(stderr, "prxd: no hugepages (%s): running with --no-huge\n", env.why);
	fprintf(stderr, "prxd: EAL: %s\n", line);
	rc = rte_eal_init(eal.argc, eal.argv);
	if (rc < 0) {
		/* EAL does not always set rte_errno; its own messages above say why. */
		fprintf(stderr, "prxd: rte_eal_init() failed%s%s\n", rte_errno ? ": " : "",
			rte_errno ? rte_strerror(rte_errno) : "");
		goto out_conf;
	}
	/* DPDK's default log stream also writes to stdout; keep stdout for statistics. */
	rte_openlog_stream(stderr);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	if (rte_get_main_lcore() != conf->control_core) {
		PRX_LOG(ERR, CORE,
			"EAL's main lcore is %u but control_core is %u: give --main-lcore %u",
			rte_get_main_lcore(), conf->control_core, conf->control_core);
		goto out_eal;
	}
	PRX_LOG(NOTICE, CORE, "prxd %s, instance %s, %u reactor(s), config %s", PRX_VERSION,
		conf->instance, conf->reactors.n_cores, o.config);

	PRX_LOG(NOTICE, CORE, "mode %s", mode.why);
	rc = prx_dp_create(conf, mode.mode, &dp);
	if (rc != 0)
		goto out_eal;
	prx_dp_print_plan(dp, o.plan ? stdout : stderr);
	if (o.plan) {
		status = 0;
		goto out_dp;
	}
	rc = prx_dp_setup(dp);
	if (rc != 0) {
		PRX_LOG(ERR, CORE, "setup failed: %s", strerror(-rc));
		goto out_dp;
	}
	rc = prx_privs_drop_workers(&privs);
	if (rc != 0) {
		PRX_LOG(ERR, CORE, "dropping the EAL threads' capabilities failed: %s",
			strerror(-rc));
		goto out_dp;
	}
	rc = prx_dp_launch(dp);
	if (rc != 0)
		goto out_dp;
	if (prx_dp_set_conf_path(dp, o.config) != 0 ||
	    control_run(dp, conf, sfd, (unsigned int)o.stats_interval, &privs) != 0) {
		prx_dp_stop(dp);
		goto out_dp;
	}

	prx_dp_stop(dp);
	prx_dp_print_stats(dp, stdout, true);
	prx_dp_totals(dp, &t);
	status = prx_dp_balanced(&t) ? 0 : EXIT_ACCOUNTING;
	if (status != 0)
		PRX_LOG(ERR, CORE,
			"accounting does not balance: a packet was lost without a reason");
out_dp:
	prx_dp_destroy(dp);
out_eal:
	rte_eal_cleanup();
	prx_eal_runtime_dir_remove(runtime_dir);
out_conf:
	close(sfd);
	prx_conf_free(conf);
	return status;
}
