/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/conf, fallback-mode settings: per-reactor engines and a port's afpacket group. */
#include <errno.h>
#include <string.h>

#include "test_conf.h"

static void
test_bad_fallback_settings(void)
{
	static const struct bad_case cases[] = {
		{"reactors = { cores = [1, 2]; engines = [\"poll\"]; };\n"
		 "ports = ( { name = \"a\"; kernel = \"eth0\"; } );\n",
		 "t.cfg:1: reactors.engines: has 1 entries, one per core expected (2)", 1},
		{"reactors = { cores = [1]; engines = [\"spin\"]; };\n"
		 "ports = ( { name = \"a\"; kernel = \"eth0\"; } );\n",
		 "t.cfg:1: reactors.engines.[0]: \"spin\" is not one of auto, poll, epoll, adaptive",
		 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { ring_frames = 1000; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.ring_frames: 1000 is not a power of two", 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { ring_frames = 4294967296; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.ring_frames: 4294967296 is out of range 64..1048576",
		 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { frame_size = 2050; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.frame_size: 2050 is not a multiple of 16", 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { qdisc_bypass = 1; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.qdisc_bypass: expected a boolean (true or false)", 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { blocks = 8; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.blocks: unknown setting", 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { ring = \"v4\"; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.ring: \"v4\" is not one of v2, v3", 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { retire_ms = 0; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.retire_ms: 0 is out of range 1..1000", 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\"; afpacket = 5; } );\n",
		 "t.cfg:2: ports.[0].afpacket: expected a group", 1},
		/* gso: V2 rings with frames sized for it, and on every port or none */
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { ring = \"v3\"; gso = true; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.gso: needs ring \"v2\" (the kernel hands super-frames "
		 "to TPACKET_V2 rings only)",
		 1},
		{REACTORS "ports = ( { name = \"a\"; kernel = \"eth0\";\n"
			  "  afpacket = { frame_size = 4096; gso = true; }; } );\n",
		 "t.cfg:3: ports.[0].afpacket.frame_size: cannot be set with gso (ring frames hold "
		 "64 KiB super-frames)",
		 1},
		{REACTORS
		 "ports = ( { name = \"a\"; kernel = \"eth0\"; afpacket = { gso = true; }; },\n"
		 "  { name = \"b\"; kernel = \"eth1\"; } );\n",
		 "t.cfg:3: ports.[1].afpacket: afpacket.gso must be the same on every port (port a "
		 "has true)",
		 1},
	};

	run_bad(cases, PRX_ARRAY_SIZE(cases));
}

static void
test_fallback_settings(void)
{
	struct prx_conf *c;
	int rc;

	c = load("reactors = { cores = [1, 2, 3]; engine = \"poll\";\n"
		 "  engines = [\"epoll\", \"auto\", \"poll\"]; };\n"
		 "ports = ( { name = \"a\"; kernel = \"veth0\";\n"
		 "  afpacket = { ring_frames = 8192; frame_size = 4096; qdisc_bypass = true;\n"
		 "    ring = \"v3\"; retire_ms = 5; fanout_defrag = true; }; },\n"
		 "  { name = \"b\"; kernel = \"veth1\"; } );\n",
		 &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->reactors.engine, PRX_ENGINE_POLL);
	CU_ASSERT_EQUAL(c->reactors.engines[0], PRX_ENGINE_EPOLL);
	CU_ASSERT_EQUAL(c->reactors.engines[1], PRX_ENGINE_AUTO);
	CU_ASSERT_EQUAL(c->reactors.engines[2], PRX_ENGINE_POLL);
	CU_ASSERT_EQUAL(c->ports[0].afpacket.ring_frames, 8192);
	CU_ASSERT_EQUAL(c->ports[0].afpacket.frame_size, 4096);
	CU_ASSERT_TRUE(c->ports[0].afpacket.qdisc_bypass);
	CU_ASSERT_EQUAL(c->ports[0].afpacket.ring, 3);
	CU_ASSERT_EQUAL(c->ports[0].afpacket.retire_ms, 5);
	CU_ASSERT_TRUE(c->ports[0].afpacket.fanout_defrag);
	CU_ASSERT_EQUAL(c->ports[1].afpacket.ring, 0);
	CU_ASSERT_EQUAL(c->ports[1].afpacket.ring_frames, 0);
	CU_ASSERT_EQUAL(c->ports[1].afpacket.frame_size, 0);
	CU_ASSERT_FALSE(c->ports[1].afpacket.qdisc_bypass);
	CU_ASSERT_FALSE(c->ports[0].afpacket.gso);
	prx_conf_free(c);

	c = load(REACTORS
		 "ports = ( { name = \"a\"; kernel = \"veth0\"; afpacket = { gso = true; }; },\n"
		 "  { name = \"b\"; kernel = \"veth1\"; afpacket = { gso = true; }; } );\n",
		 &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_TRUE(c->ports[0].afpacket.gso && c->ports[1].afpacket.gso);
	prx_conf_free(c);

	/* without `engines` every reactor takes `engine` */
	c = load("reactors = { cores = [1, 2]; engine = \"epoll\"; };\n"
		 "ports = ( { name = \"a\"; kernel = \"veth0\"; } );\n",
		 &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->reactors.engines[0], PRX_ENGINE_EPOLL);
	CU_ASSERT_EQUAL(c->reactors.engines[1], PRX_ENGINE_EPOLL);
	prx_conf_free(c);
}

const struct prx_test_case conf_fallback_cases[] = {
	PRX_TEST(test_bad_fallback_settings),
	PRX_TEST(test_fallback_settings),
	{NULL, NULL},
};
