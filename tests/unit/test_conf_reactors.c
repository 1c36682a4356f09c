/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/conf, the adaptive engine's settings: engine names, max_wakeup_us, idle_polls. */
#include <errno.h>
#include <string.h>

#include "test_conf.h"

static void
test_bad_adaptive_settings(void)
{
	static const struct bad_case cases[] = {
		{"reactors = { cores = [1]; max_wakeup_us = 0; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.max_wakeup_us: 0 is out of range 1..1000000", 1},
		{"reactors = { cores = [1]; max_wakeup_us = 1000001; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.max_wakeup_us: 1000001 is out of range 1..1000000", 1},
		/* libconfig alone would read 4294967297 as 1 */
		{"reactors = { cores = [1];\n  max_wakeup_us = 4294967297; };\n" PORT_A "});\n",
		 "t.cfg:2: reactors.max_wakeup_us: 4294967297 is out of range 1..1000000", 1},
		{"reactors = { cores = [1]; max_wakeup_us = \"100\"; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.max_wakeup_us: expected an integer", 1},
		{"reactors = { cores = [1]; idle_polls = 0; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.idle_polls: 0 is out of range 1..10000000", 1},
		{"reactors = { cores = [1]; idle_polls = 10000001; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.idle_polls: 10000001 is out of range 1..10000000", 1},
		{"reactors = { cores = [1]; idle_polls = 1.5; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.idle_polls: expected an integer", 1},
		{"reactors = { cores = [1]; engine = \"adaptiv\"; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.engine: \"adaptiv\" is not one of auto, poll, epoll, adaptive",
		 1},
		{"reactors = { cores = [1]; sleep_us = 5; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.sleep_us: unknown setting", 1},
		/* both wrong: both reported, in order */
		{"reactors = { cores = [1];\n  max_wakeup_us = -1;\n  idle_polls = -1; };\n" PORT_A
		 "});\n",
		 "t.cfg:2: reactors.max_wakeup_us: -1 is out of range 1..1000000", 2},
	};

	run_bad(cases, PRX_ARRAY_SIZE(cases));
}

static void
test_adaptive_settings(void)
{
	struct prx_conf *c;
	int rc;

	c = load(BASE, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->reactors.max_wakeup_us, PRX_CONF_MAX_WAKEUP_US);
	CU_ASSERT_EQUAL(c->reactors.idle_polls, PRX_CONF_IDLE_POLLS);
	CU_ASSERT_EQUAL(PRX_CONF_MAX_WAKEUP_US, 100);
	CU_ASSERT_EQUAL(PRX_CONF_IDLE_POLLS, 256);
	prx_conf_free(c);

	c = load("reactors = { cores = [1, 2]; engine = \"adaptive\";\n"
		 "  max_wakeup_us = 1000000; idle_polls = 1; };\n" PORT_A "});\n",
		 &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->reactors.engine, PRX_ENGINE_ADAPTIVE);
	CU_ASSERT_EQUAL(c->reactors.engines[0], PRX_ENGINE_ADAPTIVE);
	CU_ASSERT_EQUAL(c->reactors.engines[1], PRX_ENGINE_ADAPTIVE);
	CU_ASSERT_EQUAL(c->reactors.max_wakeup_us, 1000000);
	CU_ASSERT_EQUAL(c->reactors.idle_polls, 1);
	prx_conf_free(c);

	/* per reactor: adaptive beside the others */
	c = load("reactors = { cores = [1, 2, 3]; engines = [\"poll\", \"adaptive\", \"epoll\"];\n"
		 "  max_wakeup_us = 0x10; idle_polls = 10000000; };\n" PORT_A "});\n",
		 &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->reactors.engine, PRX_ENGINE_AUTO);
	CU_ASSERT_EQUAL(c->reactors.engines[0], PRX_ENGINE_POLL);
	CU_ASSERT_EQUAL(c->reactors.engines[1], PRX_ENGINE_ADAPTIVE);
	CU_ASSERT_EQUAL(c->reactors.engines[2], PRX_ENGINE_EPOLL);
	CU_ASSERT_EQUAL(c->reactors.max_wakeup_us, 16);
	CU_ASSERT_EQUAL(c->reactors.idle_polls, 10000000);
	prx_conf_free(c);

	CU_ASSERT_STRING_EQUAL(prx_engine_name(PRX_ENGINE_ADAPTIVE), "adaptive");
}

const struct prx_test_case conf_reactors_cases[] = {
	PRX_TEST(test_bad_adaptive_settings),
	PRX_TEST(test_adaptive_settings),
	{NULL, NULL},
};
