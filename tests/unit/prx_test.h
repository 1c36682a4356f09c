/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared CUnit scaffolding for the unit suites. */
#ifndef PRX_TEST_H
#define PRX_TEST_H

#include <CUnit/CUnit.h>

struct prx_test_case {
	const char *name;
	void (*fn)(void);
};

/**
 * Run one suite and return the exit status for main(): non-zero when any assertion
 * failed (CU_basic_run_tests() itself reports success even then).
 * `eal` non-zero starts a --no-huge --no-pci EAL first, for tests that need mempools:
 * 1 with lcores 0 and 1, 2 with lcores 0, 1 and 2 (1 and 2 on cpu 1).
 */
int prx_test_run(const char *suite, const struct prx_test_case *cases, int eal);

#define PRX_TEST(fn) \
	{ \
#fn, fn \
	}

#endif
