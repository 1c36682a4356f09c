/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL arguments and memory sizing derived from the configuration. */
#include <string.h>

#include "prx_eal.h"
#include "prx_test.h"

static const char base_cfg[] =
	"instance = \"t1\";\n"
	"reactors = { cores = [1, 3]; };\n"
	"handlers = ( { name = \"x\"; type = \"xconnect\"; to = \"b\"; } );\n"
	"ports = ( { name = \"a\"; dpdk = \"net_null0\"; chain = [\"x\"]; },\n"
	"          { name = \"b\"; dpdk = \"net_null1\"; } );\n";

static struct prx_conf *
load(const char *text)
{
	struct prx_conf_errors err;
	struct prx_conf *c = NULL;
	int rc = prx_conf_load_string(text, "t.cfg", NULL, &c, &err);

	if (rc != 0)
		fprintf(stderr, "%s\n", err.msg[0]);
	CU_ASSERT_FATAL(rc == 0);
	return c;
}

static void
assert_line(const struct prx_eal_argv *a, const char *want)
{
	char line[1024];

	prx_eal_args_format(a, line, sizeof(line));
	CU_ASSERT_STRING_EQUAL(line, want);
	if (strcmp(line, want) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", line, want);
	CU_ASSERT_PTR_NULL(a->argv[a->argc]);
}

static void
test_defaults_without_hugepages(void)
{
	struct prx_conf *c = load(base_cfg);
	struct prx_eal_env env = {.hugepages = false};
	struct prx_eal_argv a;
	char want[256];

	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 0, NULL, &a), 0);
	snprintf(want, sizeof(want),
		 "prxd -l 0,1,3 --main-lcore 0 --file-prefix t1 --no-pci --no-huge -m %u",
		 prx_conf_memory_mb(c));
	assert_line(&a, want);
	prx_conf_free(c);
}

static void
test_hugepages_use_in_memory(void)
{
	struct prx_conf *c = load(base_cfg);
	struct prx_eal_env env = {.hugepages = true};
	struct prx_eal_argv a;

	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 0, NULL, &a), 0);
	assert_line(&a,
		    "prxd -l 0,1,3 --main-lcore 0 --file-prefix t1 --no-pci --in-memory -m 165");
	prx_conf_free(c);
}

/* core_mapping "relative": the lcores keep the configuration's numbers, pinned by --lcores */
static void
test_relative_cores_use_lcores(void)
{
	struct prx_conf *c = load(base_cfg);
	struct prx_eal_env env = {.hugepages = true, .lcores = "0@4,1@5,3@6"};
	struct prx_eal_argv a;
	char *user[] = {"-l", "0-3"};

	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 0, NULL, &a), 0);
	assert_line(&a, "prxd --lcores 0@4,1@5,3@6 --main-lcore 0 --file-prefix t1 --no-pci "
			"--in-memory -m 165");
	CU_ASSERT_FALSE(prx_eal_args_set_lcores(c, 0, NULL));
	/* the command line's -l wins over the mapping */
	CU_ASSERT_TRUE(prx_eal_args_set_lcores(c, 2, user));
	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 2, user, &a), 0);
	assert_line(&a, "prxd --main-lcore 0 --file-prefix t1 --no-pci --in-memory -m 165 -l 0-3");
	prx_conf_free(c);
}

static void
test_user_arguments_win(void)
{
	struct prx_conf *c = load(base_cfg);
	struct prx_eal_env env = {.hugepages = false};
	struct prx_eal_argv a;
	char *user[] = {"-l0-3", "--file-prefix=mine",	 "-a", "0000:00:04.0", "-m",
			"512",	 "--log-level=pmd:debug"};

	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 7, user, &a), 0);
	/* --main-lcore stays: with --lcores=0@1,1@0 EAL would otherwise pick a reactor's */
	assert_line(&a, "prxd --main-lcore 0 -l0-3 --file-prefix=mine -a 0000:00:04.0 -m 512 "
			"--log-level=pmd:debug");
	prx_conf_free(c);
}

static void
test_config_eal_list_counts_as_user(void)
{
	char text[1024];
	struct prx_conf *c;
	struct prx_eal_env env = {.hugepages = true};
	struct prx_eal_argv a;

	snprintf(text, sizeof(text), "eal = [\"--no-huge\", \"-m\", \"300\"];\n%s", base_cfg);
	c = load(text);
	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 0, NULL, &a), 0);
	assert_line(&a, "prxd -l 0,1,3 --main-lcore 0 --file-prefix t1 --no-pci --no-huge -m 300");
	prx_conf_free(c);
}

static void
test_no_huge_prefix_is_not_a_match(void)
{
	struct prx_conf *c = load(base_cfg);
	struct prx_eal_env env = {.hugepages = true};
	struct prx_eal_argv a;
	char *user[] = {"--no-hugeX", "--lcores-bogus"};

	/* look-alike long options do not suppress the defaults */
	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 2, user, &a), 0);
	assert_line(
		&a,
		"prxd -l 0,1,3 --main-lcore 0 --file-prefix t1 --no-pci --in-memory -m 165 --no-hugeX --lcores-bogus");
	prx_conf_free(c);
}

static void
test_user_main_lcore_wins(void)
{
	struct prx_conf *c = load(base_cfg);
	struct prx_eal_env env = {.hugepages = true};
	struct prx_eal_argv a;
	char *user[] = {"--lcores=0@1,1@0,3@1", "--main-lcore=1"};

	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 2, user, &a), 0);
	assert_line(&a, "prxd --file-prefix t1 --no-pci --in-memory -m 165 --lcores=0@1,1@0,3@1 "
			"--main-lcore=1");
	prx_conf_free(c);
}

static void
test_pci_port_keeps_pci_bus(void)
{
	struct prx_conf *c = load("instance = \"p\";\n"
				  "reactors = { cores = [1]; };\n"
				  "ports = ( { name = \"a\"; dpdk = \"0000:3b:00.0\"; } );\n");
	struct prx_eal_env env = {.hugepages = true};
	struct prx_eal_argv a;

	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, 0, NULL, &a), 0);
	assert_line(&a, "prxd -l 0,1 --main-lcore 0 --file-prefix p --in-memory -m 147");
	prx_conf_free(c);
}

static void
test_too_many_arguments(void)
{
	struct prx_conf *c = load(base_cfg);
	struct prx_eal_env env = {.hugepages = true};
	struct prx_eal_argv a;
	char *user[PRX_EAL_MAX_ARGS];

	for (int i = 0; i < PRX_EAL_MAX_ARGS; i++)
		user[i] = "--x";
	CU_ASSERT_EQUAL(prx_eal_args_build(c, &env, PRX_EAL_MAX_ARGS, user, &a), -E2BIG);
	prx_conf_free(c);
}

static void
test_pool_and_memory_sizing(void)
{
	struct prx_conf *c = load(base_cfg);

	/* 2 ports x (1 x 1024 rx + 2 reactors x 1024 tx) = 6144, caches 3 x 384 = 1152,
	 * tx buffers 2 x 128 x 4 = 1024, margin 1024: 9344 -> 16383 */
	CU_ASSERT_EQUAL(prx_conf_pool_mbufs(c), 16383);
	/* 16383 x (2176 + 192) B = 38 794 944 B = 36.99 MiB -> 37, plus 64 */
	CU_ASSERT_EQUAL(prx_conf_memory_mb(c), 64 + 64 + 37); /* base, runtime ports, pool */
	c->mempool.mbufs = 4095;
	c->memory_mb = 0;
	CU_ASSERT_EQUAL(prx_conf_pool_mbufs(c), 4095);
	c->memory_mb = 777;
	CU_ASSERT_EQUAL(prx_conf_memory_mb(c), 777);
	prx_conf_free(c);
}

static void
test_hugepage_probe(void)
{
	struct prx_eal_env env;

	prx_eal_env_probe(PRX_TEST_DATA "/proc_huge", 500, &env);
	CU_ASSERT_TRUE(env.hugepages);
	CU_ASSERT_STRING_EQUAL(env.why, "");
	prx_eal_env_probe(PRX_TEST_DATA "/proc_huge", 1001, &env);
	CU_ASSERT_FALSE(env.hugepages);
	CU_ASSERT_STRING_EQUAL(env.why,
			       "500 free hugepages of 2048 kB hold less than the 1001 MiB needed");
	prx_eal_env_probe(PRX_TEST_DATA "/proc_nohuge", 10, &env);
	CU_ASSERT_FALSE(env.hugepages);
	CU_ASSERT_STRING_EQUAL(env.why, "no free hugepages");
	prx_eal_env_probe(PRX_TEST_DATA "/proc_unmounted", 10, &env);
	CU_ASSERT_FALSE(env.hugepages);
	CU_ASSERT_STRING_EQUAL(env.why, "no hugetlbfs mounted");
	prx_eal_env_probe(PRX_TEST_DATA "/does_not_exist", 10, &env);
	CU_ASSERT_FALSE(env.hugepages);
	CU_ASSERT_STRING_EQUAL(env.why, "no hugepage counters in /proc/meminfo");
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_defaults_without_hugepages),
		PRX_TEST(test_hugepages_use_in_memory),
		PRX_TEST(test_relative_cores_use_lcores),
		PRX_TEST(test_user_arguments_win),
		PRX_TEST(test_config_eal_list_counts_as_user),
		PRX_TEST(test_no_huge_prefix_is_not_a_match),
		PRX_TEST(test_user_main_lcore_wins),
		PRX_TEST(test_pci_port_keeps_pci_bus),
		PRX_TEST(test_too_many_arguments),
		PRX_TEST(test_pool_and_memory_sizing),
		PRX_TEST(test_hugepage_probe),
		{NULL, NULL},
	};

	return prx_test_run("eal_args", cases, 0);
}
