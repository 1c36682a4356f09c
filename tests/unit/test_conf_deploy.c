/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/conf, deployment settings: core_mapping, control.keep_net_caps, the control socket's
 * default folder, and ${NAME[i]} environment references in a port's `dpdk`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"
#include "test_conf.h"

static void
test_deploy_settings(void)
{
	struct prx_conf *c;
	int rc;

	unsetenv("RUNTIME_DIRECTORY");
	c = load(BASE, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->core_mapping, PRX_CORES_ABSOLUTE);
	CU_ASSERT_TRUE(c->control.keep_net_caps);
	CU_ASSERT_STRING_EQUAL(c->control.socket, "/run/prx/prx/prx.ctl");
	CU_ASSERT_STRING_EQUAL(prx_core_mapping_name(c->core_mapping), "absolute");
	prx_conf_free(c);

	/* systemd's RuntimeDirectory= gives the socket's folder */
	setenv("RUNTIME_DIRECTORY", "/run/prx-a:/run/other", 1);
	c = load("core_mapping = \"relative\";\ninstance = \"i1\";\n"
		 "control = { keep_net_caps = false; };\n" BASE,
		 &rc);
	unsetenv("RUNTIME_DIRECTORY");
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->core_mapping, PRX_CORES_RELATIVE);
	CU_ASSERT_FALSE(c->control.keep_net_caps);
	CU_ASSERT_STRING_EQUAL(c->control.socket, "/run/prx-a/i1/prx.ctl");
	prx_conf_free(c);
}

static void
test_bad_deploy_settings(void)
{
	static const struct bad_case cases[] = {
		{BASE "core_mapping = \"vpp\";\n",
		 "t.cfg:3: core_mapping: \"vpp\" is not one of absolute, relative", 1},
		{BASE "control = { keep_net_caps = 1; };\n",
		 "t.cfg:3: control.keep_net_caps: expected a boolean (true or false)", 1},
		{REACTORS "ports = ({ name = \"a\"; dpdk = \"${PRX_UT_UNSET[0]}\"; });\n",
		 "t.cfg:2: ports.[0].dpdk: PRX_UT_UNSET is not set, and the port has no kernel interface",
		 1},
		{"mode = \"dpdk\";\n" REACTORS
		 "ports = ({ name = \"a\"; dpdk = \"${PRX_UT_UNSET}\"; kernel = \"e\"; });\n",
		 "t.cfg:3: ports.[0].dpdk: PRX_UT_UNSET is not set (mode is \"dpdk\")", 1},
		{REACTORS
		 "ports = ({ name = \"a\"; dpdk = \"${PRX_UT_SET[x]}\"; kernel = \"e\"; });\n",
		 "t.cfg:2: ports.[0].dpdk: \"${PRX_UT_SET[x]}\" is not a ${NAME} or ${NAME[INDEX]} reference",
		 1},
		/* two references that resolve to the same device */
		{REACTORS "ports = ({ name = \"a\"; dpdk = \"${PRX_UT_SET[1]}\"; },\n"
			  "  { name = \"b\"; dpdk = \"${PRX_UT_SET[1]},x=1\"; });\n",
		 "t.cfg:3: ports.[1].dpdk: duplicate dpdk device \"0000:3b:02.3\"", 1},
	};

	unsetenv("PRX_UT_UNSET");
	setenv("PRX_UT_SET", "0000:3b:02.1, 0000:3b:02.3", 1);
	run_bad(cases, PRX_ARRAY_SIZE(cases));
	unsetenv("PRX_UT_SET");
}

static void
test_dpdk_from_environment(void)
{
	struct prx_conf *c;
	int rc;

	setenv("PRX_UT_VF", "0000:3b:02.1,0000:3b:02.3", 1);
	c = load(REACTORS "ports = ({ name = \"a\"; dpdk = \"${PRX_UT_VF[1]},rxq_pkt_pad=1\"; },\n"
			  "  { name = \"b\"; dpdk = \"${PRX_UT_VF[0]}\"; });\n",
		 &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(c->ports[0].dpdk, "0000:3b:02.3,rxq_pkt_pad=1");
	CU_ASSERT_TRUE(c->ports[0].is_pci);
	CU_ASSERT_STRING_EQUAL(c->ports[1].dpdk, "0000:3b:02.1");
	CU_ASSERT_STRING_EQUAL(c->ports[1].dpdk_unset, "");
	prx_conf_free(c);

	/* not set, but a kernel interface to fall back to: no DPDK device, and why */
	unsetenv("PRX_UT_VF");
	c = load(REACTORS
		 "ports = ({ name = \"a\"; dpdk = \"${PRX_UT_VF[1]}\"; kernel = \"net1\"; });\n",
		 &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_PTR_NULL(c->ports[0].dpdk);
	CU_ASSERT_FALSE(c->ports[0].is_pci);
	CU_ASSERT_STRING_EQUAL(c->ports[0].dpdk_unset, "${PRX_UT_VF[1]}: PRX_UT_VF is not set");
	prx_conf_free(c);
}

static void
test_expand_env(void)
{
	static const struct {
		const char *in, *out;
		int rc;
		const char *why;
	} cases[] = {
		{"net_null0", "net_null0", 0, ""},
		{"${PRX_UT_E}", "0000:01:00.0, 0000:01:00.1", 0, ""},
		{"${PRX_UT_E[0]},a=${PRX_UT_E[1]}", "0000:01:00.0,a=0000:01:00.1", 0, ""},
		{"$x{", "$x{", 0, ""},
		{"${PRX_UT_E[2]}", "", -ENOENT,
		 "PRX_UT_E has 2 entries (\"0000:01:00.0, 0000:01:00.1\"): no [2]"},
		{"${PRX_UT_EMPTY}", "", -ENOENT, "PRX_UT_EMPTY is empty"},
		{"${}", "", -EINVAL, "\"${}\" is not a ${NAME} or ${NAME[INDEX]} reference"},
		{"${1A}", "", -EINVAL, "\"${1A}\" is not a ${NAME} or ${NAME[INDEX]} reference"},
		{"${A[-1]}", "", -EINVAL,
		 "\"${A[-1]}\" is not a ${NAME} or ${NAME[INDEX]} reference"},
		{"x${PRX_UT_E", "", -EINVAL,
		 "\"${PRX_UT_E\" is not a ${NAME} or ${NAME[INDEX]} reference"},
	};
	char out[64], why[160];

	setenv("PRX_UT_E", "0000:01:00.0, 0000:01:00.1", 1);
	setenv("PRX_UT_EMPTY", "", 1);
	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		int rc = prx__conf_expand_env(cases[i].in, out, sizeof(out), why, sizeof(why));

		CU_ASSERT_EQUAL(rc, cases[i].rc);
		CU_ASSERT_STRING_EQUAL(why, cases[i].why);
		if (rc == 0)
			CU_ASSERT_STRING_EQUAL(out, cases[i].out);
		if (rc != cases[i].rc || strcmp(why, cases[i].why) != 0)
			fprintf(stderr, "\ncase %zu: rc %d why %s\n", i, rc, why);
	}
	CU_ASSERT_EQUAL(prx__conf_expand_env("${PRX_UT_E}", out, 8, why, sizeof(why)), -E2BIG);
	unsetenv("PRX_UT_E");
	unsetenv("PRX_UT_EMPTY");
}

const struct prx_test_case conf_deploy_cases[] = {
	PRX_TEST(test_deploy_settings),
	PRX_TEST(test_bad_deploy_settings),
	PRX_TEST(test_dpdk_from_environment),
	PRX_TEST(test_expand_env),
	{NULL, NULL},
};
