/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the acl suite's files: each gives its cases, test_acl.c runs them all. */
#ifndef TEST_ACL_H
#define TEST_ACL_H

#include "prx_test.h"

/* Temporary folder of the suite (made and removed by main). */
extern char acl_dir[64];

/* Write `text` to acl_dir/name; the path goes into path (size 256). */
void acl_write(const char *name, const char *text, char *path);

/* Rule syntax, rule files, the configuration (test_acl_rules.c). */
extern const struct prx_test_case acl_rules_cases[];
/* The handler on crafted packets (test_acl.c). */
extern const struct prx_test_case acl_handler_cases[];
/* Rebuild and live replacement: registry, control socket, worker (test_acl_ctl.c). */
extern const struct prx_test_case acl_ctl_cases[];

#endif
