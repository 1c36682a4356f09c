/* SPDX-License-Identifier: BSD-3-Clause */
#include "prx_test.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>

#include "prx_eal.h"
#include "prx_log.h"

static int
start_eal(int eal)
{
	char prefix[64];
	/* eal 2: three lcores, 1 and 2 sharing cpu 1, for suites that run two reactors */
	const char *l = eal == 2 ? "--lcores=0@0,1@1,2@1" : "-l";
	const char *lv = eal == 2 ? "--log-level=lib.eal:error" : "0,1";

	snprintf(prefix, sizeof(prefix), "--file-prefix=prxut%d", (int)getpid());
	char *argv[] = {"prx_test",
			"--no-huge",
			"--no-pci",
			"-m",
			"256",
			(char *)(uintptr_t)l,
			(char *)(uintptr_t)lv,
			prefix,
			"--log-level=lib.eal:error",
			"--no-telemetry",
			NULL};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	return rte_eal_init(argc, argv) < 0 ? -1 : 0;
}

int
prx_test_run(const char *suite, const struct prx_test_case *cases, int eal)
{
	unsigned int failures;

	prx_log_init();
	if (eal && start_eal(eal) < 0) {
		fprintf(stderr, "%s: rte_eal_init failed\n", suite);
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite(suite, NULL, NULL);
	if (s == NULL)
		return 2;
	for (const struct prx_test_case *c = cases; c->name != NULL; c++)
		if (CU_add_test(s, c->name, c->fn) == NULL)
			return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	if (CU_get_error() != CUE_SUCCESS)
		failures++;
	CU_cleanup_registry();
	if (eal) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
		rte_eal_cleanup();
		prx_eal_runtime_dir_remove(dir);
	}
	return failures != 0;
}
