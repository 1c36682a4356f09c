/* SPDX-License-Identifier: BSD-3-Clause */
#include "test_acl.h"

const struct prx_test_case acl_ctl_cases[] = {
	{NULL, NULL},
};
