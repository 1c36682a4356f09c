/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the configuration suite's files (test_conf.c, test_conf_fallback.c,
 * test_conf_reactors.c). */
#ifndef TEST_CONF_H
#define TEST_CONF_H

#include <stddef.h>

#include "prx_conf.h"
#include "prx_test.h"

#define DATA PRX_TEST_DATA "/conf"

/* A valid configuration of two lines; bad cases append from line 3 on. */
#define BASE \
	"reactors = { cores = [1]; };\n" \
	"ports = ({ name = \"a\"; dpdk = \"net_null0\"; });\n"
/* The same split so that a port or reactors setting can be added. */
#define PORT_A "ports = ({ name = \"a\"; dpdk = \"net_null0\"; "
#define REACTORS "reactors = { cores = [1]; };\n"

struct bad_case {
	const char *text;
	const char *msg; /* the first error, exactly */
	unsigned int n;	 /* errors expected; 0: not checked */
};

/* What the last load() said. */
extern struct prx_conf_errors err;

/* Load `text` as "t.cfg"; the configuration on success (the caller frees it). */
struct prx_conf *load(const char *text, int *rc);

/* Each case must fail with exactly its first message (and error count when given). */
void run_bad(const struct bad_case *cases, size_t n);

/* The fallback-mode settings cases (test_conf_fallback.c), run by test_conf.c's main. */
extern const struct prx_test_case conf_fallback_cases[];
/* The deployment settings cases (test_conf_deploy.c). */
extern const struct prx_test_case conf_deploy_cases[];
/* The reactors settings of the adaptive engine (test_conf_reactors.c). */
extern const struct prx_test_case conf_reactors_cases[];

#endif
