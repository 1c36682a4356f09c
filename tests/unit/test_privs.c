/* SPDX-License-Identifier: BSD-3-Clause */
/* Capabilities: the plan per mode, names, and the start-up check and drops (in forked
 * children, so the suite's own process keeps what it has). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>

#include "prx_privs.h"
#include "prx_test.h"

#define NET (PRX_CAP(CAP_NET_RAW) | PRX_CAP(CAP_NET_ADMIN))
#define BIND PRX_CAP(CAP_NET_BIND_SERVICE)
#define LOCK PRX_CAP(CAP_IPC_LOCK)
#define ROOT ((PRX_CAP(CAP_LAST_CAP) << 1) - 1)

/* the configuration load() made last (children free it before they exit) */
static struct prx_conf *loaded;

static struct prx_conf *
load(bool keep)
{
	char text[256];
	struct prx_conf_errors err;
	struct prx_conf *c = NULL;

	snprintf(text, sizeof(text),
		 "reactors = { cores = [1]; };\ncontrol = { keep_net_caps = %s; };\n"
		 "ports = ({ name = \"a\"; dpdk = \"net_null0\"; kernel = \"e0\"; });\n",
		 keep ? "true" : "false");
	CU_ASSERT_FATAL(prx_conf_load_string(text, "t.cfg", NULL, &c, &err) == 0);
	prx_conf_free(loaded); /* one at a time; the last is freed by in_child() */
	loaded = c;
	return c;
}

static void
expect_plan(bool keep, enum prx_mode mode, uint64_t held, uint64_t need, uint64_t narrow,
	    uint64_t kept)
{
	struct prx_conf *c = load(keep);
	struct prx_privs_plan p;

	prx_privs_plan(c, mode, held, &p);
	CU_ASSERT_EQUAL(p.need, need);
	CU_ASSERT_EQUAL(p.narrow, narrow);
	CU_ASSERT_EQUAL(p.keep, kept);
	if (p.need != need || p.narrow != narrow || p.keep != kept)
		fprintf(stderr, "\nplan %d %d %" PRIx64 ": %" PRIx64 " %" PRIx64 " %" PRIx64 "\n",
			keep, mode, held, p.need, p.narrow, p.keep);
	prx_conf_free(c);
	loaded = NULL;
}

static void
test_plan(void)
{
	/* root */
	expect_plan(true, PRX_MODE_FALLBACK, ROOT, NET, NET | BIND, NET);
	expect_plan(false, PRX_MODE_FALLBACK, ROOT, NET, NET | BIND, 0);
	expect_plan(true, PRX_MODE_DPDK, ROOT, 0, ROOT, NET | LOCK);
	expect_plan(false, PRX_MODE_DPDK, ROOT, 0, ROOT, LOCK);
	/* a container given the documented capabilities only */
	expect_plan(true, PRX_MODE_FALLBACK, NET, NET, NET, NET);
	expect_plan(true, PRX_MODE_DPDK, LOCK, 0, LOCK, LOCK);
	/* a plain user: nothing to narrow or keep (fallback then refuses to start) */
	expect_plan(true, PRX_MODE_FALLBACK, 0, NET, 0, 0);
	expect_plan(true, PRX_MODE_DPDK, 0, 0, 0, 0);
}

static void
test_names(void)
{
	char buf[64];

	prx_caps_format(0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "none");
	prx_caps_format(NET, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "net_admin,net_raw");
	prx_caps_format(NET | LOCK | PRX_CAP(CAP_CHOWN), buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "chown,net_admin,net_raw,ipc_lock");
	prx_caps_format(NET, buf, 8); /* cut, never overrun */
	CU_ASSERT_STRING_EQUAL(buf, "net_adm");
}

/* CapPrm of the calling process's main thread */
static uint64_t
permitted(void)
{
	char line[256];
	uint64_t v = UINT64_MAX;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapPrm: %" SCNx64, &v) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return v;
}

/* Run fn in a child; its exit status 0 is success (CUnit asserts do not cross fork). */
static void
in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int rc = fn();

		/* valgrind checks the child's heap at exit too */
		prx_conf_free(loaded);
		_exit(rc);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "\nchild failed: status %d\n", status);
}

/* Fallback mode with everything: narrowed to the network pair (and net_bind_service),
 * then the control thread keeps the pair. */
static int
fallback_start(void)
{
	struct prx_conf *c = load(true);
	struct prx_privs p;
	char why[512], report[512];
	uint64_t held = permitted();

	if (prx_privs_start(c, PRX_MODE_FALLBACK, false, &p, why, sizeof(why)) != 0) {
		/* not root: only the refusal can be checked */
		return (held & NET) == NET || strstr(why, "missing: net_admin,net_raw") == NULL;
	}
	if (p.held != held || permitted() != (held & (NET | BIND)))
		return 2;
	if (prx_privs_drop_control(&p) != 0 || permitted() != NET)
		return 3;
	prx_privs_report(&p, report, sizeof(report));
	if (strstr(report, ": net_admin,net_raw") == NULL)
		return 4;
	return 0;
}

/* Without CAP_NET_ADMIN fallback mode refuses to start and says so. */
static int
fallback_missing(void)
{
	struct prx_conf *c = load(true);
	struct prx_privs p;
	char why[512];

	capng_get_caps_process();
	capng_update(CAPNG_DROP, (capng_type_t)(CAPNG_EFFECTIVE | CAPNG_PERMITTED), CAP_NET_ADMIN);
	if (capng_apply(CAPNG_SELECT_CAPS) != 0 && permitted() != 0)
		return 1;
	if (prx_privs_start(c, PRX_MODE_FALLBACK, false, &p, why, sizeof(why)) != -EPERM)
		return 2;
	if (strstr(why, "fallback mode needs CAP_NET_RAW and CAP_NET_ADMIN; missing: net_admin") ==
	    NULL)
		return 3;
	return 0;
}

/* DPDK mode changes nothing at start; the control thread keeps ipc_lock (and the pair). */
static int
dpdk_start(void)
{
	struct prx_conf *c = load(false);
	struct prx_privs p;
	char why[512];
	uint64_t held = permitted();

	if (prx_privs_start(c, PRX_MODE_DPDK, true, &p, why, sizeof(why)) != 0)
		return 1;
	if (permitted() != held || p.capable != (held != 0))
		return 2;
	if (prx_privs_drop_control(&p) != 0 || permitted() != (held & LOCK))
		return 3;
	return 0;
}

static void
test_start_and_drop(void)
{
	in_child(fallback_start);
	in_child(fallback_missing);
	in_child(dpdk_start);
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_plan),
		PRX_TEST(test_names),
		PRX_TEST(test_start_and_drop),
		{NULL, NULL},
	};

	return prx_test_run("privs", cases, 0);
}
