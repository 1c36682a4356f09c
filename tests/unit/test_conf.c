/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/conf: every setting, every error message (exact), @include, integer literals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"
#include "prx_conf.h"
#include "prx_test.h"
#include "test_conf.h"

struct prx_conf_errors err;

/* Load `text` as "t.cfg"; the configuration on success (the caller frees it). */
struct prx_conf *
load(const char *text, int *rc)
{
	struct prx_conf *c = NULL;

	*rc = prx_conf_load_string(text, "t.cfg", NULL, &c, &err);
	return c;
}

void
run_bad(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct bad_case *t = &cases[i];
		struct prx_conf *c;
		bool ok;
		int rc;

		c = load(t->text, &rc);
		ok = rc == -EINVAL && c == NULL && err.n > 0 && strcmp(err.msg[0], t->msg) == 0 &&
		     (t->n == 0 || err.n == t->n);
		if (!ok)
			fprintf(stderr,
				"\ncase %zu: rc %d, n %u (want %u)\n  want: %s\n  got:  %s\n", i,
				rc, err.n, t->n, t->msg, err.n ? err.msg[0] : "(none)");
		CU_ASSERT(ok);
		prx_conf_free(c);
	}
}

static void
test_bad_syntax(void)
{
	static const struct bad_case cases[] = {
		{BASE "mode = ;\n", "t.cfg:3: syntax error", 1},
		{BASE "a = 1;\na = 2;\n", "t.cfg:4: duplicate setting name", 1},
		{BASE "eal = [\"x\", 1];\n", "t.cfg:3: mismatched element type in array", 1},
		{BASE "x = {\n", "t.cfg:4: syntax error", 1},
		{BASE "mode = \"auto\" @;\n", "t.cfg:3: syntax error", 1},
		{BASE "@include \"/nonexistent/prx.cfg\"\n",
		 "t.cfg:3: cannot open include file \"/nonexistent/prx.cfg\": No such file or directory",
		 1},
	};

	run_bad(cases, PRX_ARRAY_SIZE(cases));
}

static void
test_bad_unknown_and_types(void)
{
	static const struct bad_case cases[] = {
		{BASE "colour = 1;\n", "t.cfg:3: colour: unknown setting", 1},
		{"reactors = { cores = [1]; turbo = true; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.turbo: unknown setting", 1},
		{REACTORS PORT_A "speed = 10; });\n", "t.cfg:2: ports.[0].speed: unknown setting",
		 1},
		{BASE "mempool = { size = 1; };\n", "t.cfg:3: mempool.size: unknown setting", 1},
		{BASE "memory_mb = \"big\";\n", "t.cfg:3: memory_mb: expected an integer", 1},
		{BASE "stats_interval = 1.5;\n", "t.cfg:3: stats_interval: expected an integer", 1},
		{BASE "instance = 5;\n", "t.cfg:3: instance: expected a string", 1},
		{REACTORS PORT_A "promiscuous = 1; });\n",
		 "t.cfg:2: ports.[0].promiscuous: expected a boolean (true or false)", 1},
		{"reactors = 5;\n" PORT_A "});\n", "t.cfg:1: reactors: expected a group", 1},
		{REACTORS "ports = { name = \"a\"; };\n",
		 "t.cfg:2: ports: expected a list of groups", 1},
		{REACTORS "ports = ( \"a\" );\n", "t.cfg:2: ports.[0]: expected a group", 1},
		{BASE "eal = \"--no-huge\";\n", "t.cfg:3: eal: expected a list of strings", 1},
		{BASE "eal = (\"--no-huge\", 1);\n", "t.cfg:3: eal.[1]: expected a string", 1},
		{"reactors = { cores = [\"1\"]; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.cores.[0]: expected an integer", 1},
		{"reactors = { cores = 1; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.cores: expected a list of integers", 1},
		{BASE "mode = \"turbo\";\n",
		 "t.cfg:3: mode: \"turbo\" is not one of auto, dpdk, fallback", 1},
		{"reactors = { cores = [1]; engine = \"io_uring\"; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.engine: \"io_uring\" is not one of auto, poll, epoll, adaptive",
		 1},
	};

	run_bad(cases, PRX_ARRAY_SIZE(cases));
}

static void
test_bad_ranges(void)
{
	static const struct bad_case cases[] = {
		{BASE "memory_mb = 99999999999;\n",
		 "t.cfg:3: memory_mb: 99999999999 is out of range 0..4294967295", 1},
		{BASE "memory_mb = 4294967296;\n",
		 "t.cfg:3: memory_mb: 4294967296 is out of range 0..4294967295", 1},
		{BASE "memory_mb = 0x1FFFFFFFF;\n",
		 "t.cfg:3: memory_mb: 0x1FFFFFFFF is out of range 0..4294967295", 1},
		{BASE "memory_mb = -1;\n", "t.cfg:3: memory_mb: -1 is out of range 0..4294967295",
		 1},
		{BASE "memory_mb = 99999999999999999999;\n",
		 "t.cfg:3: memory_mb: 99999999999999999999 is out of range 0..4294967295", 1},
		{BASE "stats_interval = 100000L;\n",
		 "t.cfg:3: stats_interval: 100000L is out of range 0..86400", 1},
		{BASE "control_core = 128;\n", "t.cfg:3: control_core: 128 is out of range 0..127",
		 1},
		/* libconfig alone would read 4294967297 as 1: a duplicate, not a range error. */
		{"reactors = { cores = [1, 4294967297]; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.cores.[1]: 4294967297 is out of range 0..127", 1},
		{"reactors = { cores = [1]; burst = 0; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.burst: 0 is out of range 1..128", 1},
		{"reactors = { cores = [1]; drain_us = 100001; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.drain_us: 100001 is out of range 1..100000", 1},
		{BASE "mempool = { mbufs = 500; };\n",
		 "t.cfg:3: mempool.mbufs: 500 is out of range 1024..16777216 (or 0)", 1},
		{BASE "mempool = { cache = 513; };\n",
		 "t.cfg:3: mempool.cache: 513 is out of range 0..512", 1},
		{BASE "mempool = { data_room = 65536; };\n",
		 "t.cfg:3: mempool.data_room: 65536 is out of range 1024..65535", 1},
		{REACTORS PORT_A "rx_queues = 0; });\n",
		 "t.cfg:2: ports.[0].rx_queues: 0 is out of range 1..1024", 1},
		{REACTORS PORT_A "rx_queues = 1025; });\n",
		 "t.cfg:2: ports.[0].rx_queues: 1025 is out of range 1..1024", 1},
		{REACTORS PORT_A "rx_desc = 1000; });\n",
		 "t.cfg:2: ports.[0].rx_desc: 1000 is not a power of two", 1},
		{REACTORS PORT_A "tx_desc = 32; });\n",
		 "t.cfg:2: ports.[0].tx_desc: 32 is out of range 64..16384", 1},
		{REACTORS PORT_A "socket = -2; });\n",
		 "t.cfg:2: ports.[0].socket: -2 is out of range -1..31", 1},
		/* Two settings called rx_queues on one line: each finds its own literal. */
		{REACTORS PORT_A "rx_queues = 1; }, { name = \"b\"; dpdk = \"net_null1\"; "
				 "rx_queues = 4294967297; });\n",
		 "t.cfg:2: ports.[1].rx_queues: 4294967297 is out of range 1..1024", 1},
		{"reactors = { cores = []; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.cores: has 0 entries, expected 1..64", 1},
		{REACTORS "ports = ();\n", "t.cfg:2: ports: has 0 entries, expected 1..32", 1},
		{REACTORS PORT_A
		 "chain = [\"h\", \"h\", \"h\", \"h\", \"h\", \"h\", \"h\", \"h\", \"h\"]; });\n"
		 "handlers = ({ name = \"h\"; type = \"xconnect\"; to = \"a\"; });\n",
		 "t.cfg:2: ports.[0].chain: has 9 entries, expected 0..8", 1},
	};

	run_bad(cases, PRX_ARRAY_SIZE(cases));
}

static void
test_bad_required(void)
{
	static const struct bad_case cases[] = {
		{"reactors = { burst = 8; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.cores: missing required setting", 1},
		{PORT_A "});\n", "t.cfg:1: reactors: missing required setting", 1},
		{REACTORS, "t.cfg:1: ports: missing required setting", 1},
		/* Missing root settings sit on the line of the file's first setting. */
		{"# comment\n\n" REACTORS, "t.cfg:3: ports: missing required setting", 1},
		{"", "t.cfg:1: reactors: missing required setting", 2},
		{REACTORS "ports = (\n\t{ dpdk = \"net_null0\"; }\n);\n",
		 "t.cfg:3: ports.[0].name: missing required setting", 1},
		{REACTORS PORT_A "});\nhandlers = ({ name = \"h\"; to = \"a\"; });\n",
		 "t.cfg:3: handlers.[0].type: missing required setting", 1},
		{REACTORS PORT_A "});\nhandlers = ({ name = \"h\"; type = \"xconnect\"; });\n",
		 "t.cfg:3: handlers.[0].to: missing required setting", 1},
		{REACTORS PORT_A "});\nhandlers = ({ name = \"h\"; type = \"bridge\"; });\n",
		 "t.cfg:3: handlers.[0].type: \"bridge\" is not one of xconnect, router, acl, responder",
		 1},
		{REACTORS PORT_A
		 "});\nhandlers = ({ name = \"h\"; type = \"responder\"; rate = 0; });\n",
		 "t.cfg:3: handlers.[0].rate: 0 is out of range 1..10000000", 1},
		{REACTORS PORT_A
		 "});\nhandlers = ({ name = \"h\"; type = \"responder\"; to = \"a\"; });\n",
		 "t.cfg:3: handlers.[0].to: unknown setting", 1},
		{REACTORS PORT_A "address = \"10.0.0.1\"; });\n",
		 "t.cfg:2: ports.[0].address: \"10.0.0.1\" is not an IPv4 address with a prefix length 1..30 (\"10.0.1.1/24\")",
		 1},
		{REACTORS PORT_A "address = \"10.0.0.1/31\"; });\n",
		 "t.cfg:2: ports.[0].address: \"10.0.0.1/31\" is not an IPv4 address with a prefix length 1..30 (\"10.0.1.1/24\")",
		 1},
		{"mode = \"dpdk\";\n" REACTORS "ports = ({ name = \"a\"; kernel = \"veth0\"; });\n",
		 "t.cfg:3: ports.[0].dpdk: missing required setting (mode is \"dpdk\")", 1},
		{"mode = \"fallback\";\n" BASE,
		 "t.cfg:3: ports.[0].kernel: missing required setting (mode is \"fallback\")", 1},
		{REACTORS "ports = ({ name = \"a\"; });\n",
		 "t.cfg:2: ports.[0]: needs dpdk or kernel", 1},
	};

	run_bad(cases, PRX_ARRAY_SIZE(cases));
}

static void
test_bad_names_and_refs(void)
{
	static const struct bad_case cases[] = {
		{REACTORS "ports = (\n{ name = \"a\"; dpdk = \"net_null0\"; },\n"
			  "{ name = \"a\"; dpdk = \"net_null1\"; });\n",
		 "t.cfg:4: ports.[1].name: duplicate port name \"a\"", 1},
		{BASE "handlers = (\n{ name = \"h\"; type = \"xconnect\"; to = \"a\"; },\n"
		      "{ name = \"h\"; type = \"xconnect\"; to = \"a\"; });\n",
		 "t.cfg:5: handlers.[1].name: duplicate handler name \"h\"", 1},
		{REACTORS PORT_A "chain = [\"nope\"]; });\n",
		 "t.cfg:2: ports.[0].chain.[0]: unknown handler \"nope\"", 1},
		{BASE "handlers = ({ name = \"h\"; type = \"xconnect\"; to = \"z\"; });\n",
		 "t.cfg:3: handlers.[0].to: unknown port \"z\"", 1},
		{REACTORS "ports = ({ name = \"a b\"; dpdk = \"net_null0\"; });\n",
		 "t.cfg:2: ports.[0].name: invalid name \"a b\" (allowed: A-Z a-z 0-9 _ -)", 1},
		{REACTORS
		 "ports = ({ name = \"a23456789012345678901234567890123\"; dpdk = \"x\"; });\n",
		 "t.cfg:2: ports.[0].name: name is longer than 31 characters", 1},
		{REACTORS "ports = ({ name = \"\"; dpdk = \"net_null0\"; });\n",
		 "t.cfg:2: ports.[0].name: empty name", 1},
		{BASE "instance = \"prx/1\";\n",
		 "t.cfg:3: instance: invalid name \"prx/1\" (allowed: A-Z a-z 0-9 _ -)", 1},
		{"control_core = 1;\n" BASE,
		 "t.cfg:2: reactors.cores.[0]: core 1 is the control_core", 1},
		{"reactors = { cores = [0, 1]; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.cores.[0]: core 0 is the control_core", 1},
		{"reactors = { cores = [1, 2, 1]; };\n" PORT_A "});\n",
		 "t.cfg:1: reactors.cores.[2]: duplicate core 1", 1},
		{REACTORS "ports = ({ name = \"a\"; dpdk = \"net_null0\"; },\n"
			  "{ name = \"b\"; dpdk = \"net_null0,size=64\"; });\n",
		 "t.cfg:3: ports.[1].dpdk: duplicate dpdk device \"net_null0\"", 1},
		{REACTORS "ports = ({ name = \"a\"; kernel = \"veth0\"; },\n"
			  "{ name = \"b\"; kernel = \"veth0\"; });\n",
		 "t.cfg:3: ports.[1].kernel: duplicate kernel interface \"veth0\"", 1},
		{REACTORS "ports = ({ name = \"a\"; kernel = \"a234567890123456\"; });\n",
		 "t.cfg:2: ports.[0].kernel: interface name is longer than 15 characters", 1},
		{REACTORS "ports = ({ name = \"a\"; dpdk = \",x=1\"; });\n",
		 "t.cfg:2: ports.[0].dpdk: empty device name", 1},
	};

	run_bad(cases, PRX_ARRAY_SIZE(cases));
}

#define XC "handlers = ({ name = \"h\"; type = \"xconnect\"; to = \"a\"; "

static void
test_bad_xconnect(void)
{
	static const struct bad_case cases[] = {
		{BASE XC "mac = \"rewrite\"; src_mac = \"02:00:00:00:00\"; });\n",
		 "t.cfg:3: handlers.[0].src_mac: invalid MAC address \"02:00:00:00:00\"", 1},
		{BASE XC "mac = \"rewrite\"; dst_mac = \"02:00:00:00:00:0g\"; });\n",
		 "t.cfg:3: handlers.[0].dst_mac: invalid MAC address \"02:00:00:00:00:0g\"", 1},
		{BASE XC "mac = \"rewrite\"; });\n",
		 "t.cfg:3: handlers.[0].mac: mac = \"rewrite\" needs src_mac or dst_mac", 1},
		{BASE XC "mac = \"swap\"; src_mac = \"02:00:00:00:00:01\"; });\n",
		 "t.cfg:3: handlers.[0].src_mac: only allowed with mac = \"rewrite\"", 1},
		{BASE XC "dst_mac = \"02:00:00:00:00:01\"; });\n",
		 "t.cfg:3: handlers.[0].dst_mac: only allowed with mac = \"rewrite\"", 1},
		{BASE XC "mac = \"flip\"; });\n",
		 "t.cfg:3: handlers.[0].mac: \"flip\" is not one of keep, swap, rewrite", 1},
		{BASE XC "burst = 4; });\n", "t.cfg:3: handlers.[0].burst: unknown setting", 1},
	};

	run_bad(cases, PRX_ARRAY_SIZE(cases));
}

/* Every error is collected and sorted into file order; beyond 32 they are counted. */
static void
test_many_errors(void)
{
	static const char text[] = "reactors = { cores = [1, 1]; burst = 0; };\n"
				   "ports = (\n"
				   "  { name = \"a\"; dpdk = \"net_null0\"; rx_queues = 0; },\n"
				   "  { name = \"a\"; dpdk = \"net_null1\"; chain = [\"x\"]; }\n"
				   ");\n"
				   "mode = \"turbo\";\n";
	char big[4096];
	struct prx_conf *c;
	size_t n = 0;
	int rc;

	c = load(text, &rc);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(err.n, 6);
	CU_ASSERT_STRING_EQUAL(err.msg[0], "t.cfg:1: reactors.cores.[1]: duplicate core 1");
	CU_ASSERT_STRING_EQUAL(err.msg[1], "t.cfg:1: reactors.burst: 0 is out of range 1..128");
	CU_ASSERT_STRING_EQUAL(err.msg[2],
			       "t.cfg:3: ports.[0].rx_queues: 0 is out of range 1..1024");
	CU_ASSERT_STRING_EQUAL(err.msg[3], "t.cfg:4: ports.[1].name: duplicate port name \"a\"");
	CU_ASSERT_STRING_EQUAL(err.msg[4], "t.cfg:4: ports.[1].chain.[0]: unknown handler \"x\"");
	CU_ASSERT_STRING_EQUAL(err.msg[5],
			       "t.cfg:6: mode: \"turbo\" is not one of auto, dpdk, fallback");

	n += (size_t)snprintf(big + n, sizeof(big) - n, "%s", BASE);
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "x%d = %d;\n", i, i);
	c = load(big, &rc);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_EQUAL(err.n, 40);
	CU_ASSERT_STRING_EQUAL(err.msg[0], "t.cfg:3: x0: unknown setting");
	CU_ASSERT_STRING_EQUAL(err.msg[PRX_CONF_MAX_ERRORS - 1], "t.cfg:34: x31: unknown setting");
	prx_conf_free(c);
}

static void
test_defaults(void)
{
	struct prx_conf *c;
	int rc;

	c = load(BASE, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(err.n, 0);
	CU_ASSERT_STRING_EQUAL(c->file, "t.cfg");
	CU_ASSERT_EQUAL(c->mode, PRX_MODE_AUTO);
	CU_ASSERT_STRING_EQUAL(c->instance, "prx");
	CU_ASSERT_EQUAL(c->n_eal, 0);
	CU_ASSERT_PTR_NULL(c->eal);
	CU_ASSERT_EQUAL(c->memory_mb, 0);
	CU_ASSERT_EQUAL(c->stats_interval, 0);
	CU_ASSERT_EQUAL(c->control_core, 0);
	CU_ASSERT_EQUAL(c->reactors.n_cores, 1);
	CU_ASSERT_EQUAL(c->reactors.cores[0], 1);
	CU_ASSERT_EQUAL(c->reactors.engine, PRX_ENGINE_AUTO);
	CU_ASSERT_EQUAL(c->reactors.burst, 32);
	CU_ASSERT_EQUAL(c->reactors.drain_us, 100);
	CU_ASSERT_EQUAL(c->mempool.mbufs, 0);
	CU_ASSERT_EQUAL(c->mempool.cache, 256);
	CU_ASSERT_EQUAL(c->mempool.data_room, 2176);
	CU_ASSERT_EQUAL(c->n_handlers, 0);
	CU_ASSERT_EQUAL_FATAL(c->n_ports, 1);
	CU_ASSERT_STRING_EQUAL(c->ports[0].name, "a");
	CU_ASSERT_STRING_EQUAL(c->ports[0].dpdk, "net_null0");
	CU_ASSERT_PTR_NULL(c->ports[0].kernel);
	CU_ASSERT_FALSE(c->ports[0].is_pci);
	CU_ASSERT_EQUAL(c->ports[0].rx_queues, 1);
	CU_ASSERT_EQUAL(c->ports[0].rx_desc, 1024);
	CU_ASSERT_EQUAL(c->ports[0].tx_desc, 1024);
	CU_ASSERT_TRUE(c->ports[0].promiscuous);
	CU_ASSERT_EQUAL(c->ports[0].socket, -1);
	CU_ASSERT_EQUAL(c->ports[0].n_chain, 0);
	CU_ASSERT_EQUAL(c->ports[0].line, 2);
	prx_conf_free(c);
}

static void
test_every_field(void)
{
	static const char text[] =
		"mode = \"fallback\";\n"
		"instance = \"edge-1_a\";\n"
		"eal = [\"--log-level=pmd.net.null:info\", \"--no-huge\"];\n"
		"memory_mb = 0xFFFFFFFF;\n"
		"stats_interval = 10L;\n"
		"control_core = 2;\n"
		"reactors = { cores = [3, 1, 0x7f]; engine = \"epoll\"; burst = 128; drain_us = 5; };\n"
		"mempool = { mbufs = 16777216; cache = 0; data_room = 1024; };\n"
		"handlers = (\n"
		"  { name = \"a_to_b\"; type = \"xconnect\"; to = \"b\"; mac = \"swap\"; },\n"
		"  { name = \"b_to_a\"; type = \"xconnect\"; to = \"a\"; mac = \"rewrite\";\n"
		"    src_mac = \"02:00:00:00:00:01\"; dst_mac = \"0A:bc:DE:f0:12:34\"; },\n"
		"  { name = \"rw_src\"; type = \"xconnect\"; to = \"a\"; mac = \"rewrite\";\n"
		"    src_mac = \"02:00:00:00:00:03\"; }\n"
		");\n"
		"ports = (\n"
		"  { name = \"a\"; dpdk = \"0000:03:00.1,txq_inline=0\"; kernel = \"veth0\";\n"
		"    rx_queues = 1024; rx_desc = 64; tx_desc = 16384; promiscuous = false;\n"
		"    socket = 1; chain = [\"a_to_b\", \"rw_src\"]; },\n"
		"  { name = \"b\"; kernel = \"veth1\"; chain = (\"b_to_a\"); }\n"
		");\n";
	struct prx_conf *c;
	int rc;

	c = load(text, &rc);
	if (rc != 0)
		fprintf(stderr, "\n%s\n", err.msg[0]);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->mode, PRX_MODE_FALLBACK);
	CU_ASSERT_STRING_EQUAL(c->instance, "edge-1_a");
	CU_ASSERT_EQUAL_FATAL(c->n_eal, 2);
	CU_ASSERT_STRING_EQUAL(c->eal[0], "--log-level=pmd.net.null:info");
	CU_ASSERT_STRING_EQUAL(c->eal[1], "--no-huge");
	CU_ASSERT_EQUAL(c->memory_mb, 4294967295u);
	CU_ASSERT_EQUAL(c->stats_interval, 10);
	CU_ASSERT_EQUAL(c->control_core, 2);
	CU_ASSERT_EQUAL(c->reactors.n_cores, 3);
	CU_ASSERT_EQUAL(c->reactors.cores[0], 3);
	CU_ASSERT_EQUAL(c->reactors.cores[1], 1);
	CU_ASSERT_EQUAL(c->reactors.cores[2], 127);
	CU_ASSERT_EQUAL(c->reactors.engine, PRX_ENGINE_EPOLL);
	CU_ASSERT_EQUAL(c->reactors.burst, 128);
	CU_ASSERT_EQUAL(c->reactors.drain_us, 5);
	CU_ASSERT_EQUAL(c->mempool.mbufs, 16777216);
	CU_ASSERT_EQUAL(c->mempool.cache, 0);
	CU_ASSERT_EQUAL(c->mempool.data_room, 1024);

	CU_ASSERT_EQUAL_FATAL(c->n_handlers, 3);
	CU_ASSERT_STRING_EQUAL(c->handlers[0].name, "a_to_b");
	CU_ASSERT_EQUAL(c->handlers[0].type, PRX_HANDLER_XCONNECT);
	CU_ASSERT_EQUAL(c->handlers[0].line, 10);
	CU_ASSERT_EQUAL(c->handlers[0].u.xconnect.to, 1);
	CU_ASSERT_EQUAL(c->handlers[0].u.xconnect.mac, PRX_MAC_SWAP);
	CU_ASSERT_FALSE(c->handlers[0].u.xconnect.set_src);
	CU_ASSERT_FALSE(c->handlers[0].u.xconnect.set_dst);
	CU_ASSERT_EQUAL(c->handlers[1].u.xconnect.to, 0);
	CU_ASSERT_EQUAL(c->handlers[1].u.xconnect.mac, PRX_MAC_REWRITE);
	CU_ASSERT_TRUE(c->handlers[1].u.xconnect.set_src);
	CU_ASSERT_TRUE(c->handlers[1].u.xconnect.set_dst);
	CU_ASSERT_EQUAL(memcmp(c->handlers[1].u.xconnect.src, "\x02\0\0\0\0\x01", 6), 0);
	CU_ASSERT_EQUAL(memcmp(c->handlers[1].u.xconnect.dst, "\x0a\xbc\xde\xf0\x12\x34", 6), 0);
	CU_ASSERT_TRUE(c->handlers[2].u.xconnect.set_src);
	CU_ASSERT_FALSE(c->handlers[2].u.xconnect.set_dst);

	CU_ASSERT_EQUAL_FATAL(c->n_ports, 2);
	CU_ASSERT_STRING_EQUAL(c->ports[0].dpdk, "0000:03:00.1,txq_inline=0");
	CU_ASSERT_TRUE(c->ports[0].is_pci);
	CU_ASSERT_STRING_EQUAL(c->ports[0].kernel, "veth0");
	CU_ASSERT_EQUAL(c->ports[0].rx_queues, 1024);
	CU_ASSERT_EQUAL(c->ports[0].rx_desc, 64);
	CU_ASSERT_EQUAL(c->ports[0].tx_desc, 16384);
	CU_ASSERT_FALSE(c->ports[0].promiscuous);
	CU_ASSERT_EQUAL(c->ports[0].socket, 1);
	CU_ASSERT_EQUAL(c->ports[0].n_chain, 2);
	CU_ASSERT_EQUAL(c->ports[0].chain[0], 0);
	CU_ASSERT_EQUAL(c->ports[0].chain[1], 2);
	CU_ASSERT_EQUAL(c->ports[0].line, 17);
	CU_ASSERT_PTR_NULL(c->ports[1].dpdk);
	CU_ASSERT_STRING_EQUAL(c->ports[1].kernel, "veth1");
	CU_ASSERT_EQUAL(c->ports[1].n_chain, 1);
	CU_ASSERT_EQUAL(c->ports[1].chain[0], 1);
	CU_ASSERT_EQUAL(prx_conf_port_index(c, "b"), 1);
	CU_ASSERT_EQUAL(prx_conf_port_index(c, "c"), -1);
	CU_ASSERT_EQUAL(prx_conf_port_index(NULL, "a"), -1);
	prx_conf_free(c);
}

static void
test_examples(void)
{
	struct prx_conf *c = NULL;
	int rc;

	rc = prx_conf_load_file(PRX_CONFIG_DIR "/xconnect-null.cfg", &c, &err);
	if (rc != 0)
		fprintf(stderr, "\n%s\n", err.msg[0]);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(c->file, PRX_CONFIG_DIR "/xconnect-null.cfg");
	CU_ASSERT_EQUAL(c->mode, PRX_MODE_DPDK);
	CU_ASSERT_EQUAL(c->n_ports, 2);
	CU_ASSERT_EQUAL(c->n_handlers, 2);
	CU_ASSERT_EQUAL(c->handlers[0].u.xconnect.mac, PRX_MAC_SWAP);
	CU_ASSERT_EQUAL(c->handlers[0].u.xconnect.to, 1);
	CU_ASSERT_EQUAL(c->handlers[1].u.xconnect.to, 0);
	CU_ASSERT_EQUAL(c->ports[0].chain[0], 0);
	CU_ASSERT_EQUAL(c->ports[1].chain[0], 1);
	prx_conf_free(c);

	rc = prx_conf_load_file(PRX_CONFIG_DIR "/xconnect-pcap.cfg", &c, &err);
	if (rc != 0)
		fprintf(stderr, "\n%s\n", err.msg[0]);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->n_ports, 2);
	CU_ASSERT_STRING_EQUAL(c->ports[0].dpdk, "net_pcap0,rx_pcap=/tmp/prx-in.pcap");
	CU_ASSERT_FALSE(c->ports[0].is_pci);
	CU_ASSERT_EQUAL(c->ports[1].n_chain, 0);
	CU_ASSERT_EQUAL(c->handlers[0].u.xconnect.mac, PRX_MAC_REWRITE);
	prx_conf_free(c);
}

static void
test_files_and_includes(void)
{
	struct prx_conf *c = NULL;
	int rc;

	/* Nested includes resolve against each including file's folder. */
	rc = prx_conf_load_file(DATA "/inc_good.cfg", &c, &err);
	if (rc != 0)
		fprintf(stderr, "\n%s\n", err.msg[0]);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->n_ports, 2);
	CU_ASSERT_EQUAL(c->ports[1].rx_queues, 16);
	CU_ASSERT_EQUAL(c->ports[1].line, 4);
	CU_ASSERT_EQUAL(c->handlers[0].u.xconnect.to, 1);
	CU_ASSERT_EQUAL(c->ports[0].chain[0], 0);
	prx_conf_free(c);

	/* The same from a string, top-level includes against include_dir. */
	rc = prx_conf_load_string("reactors = { cores = [1]; };\n@include \"inc/handlers.cfg\"\n",
				  "s.cfg", DATA, &c, &err);
	CU_ASSERT_EQUAL(rc, 0);
	prx_conf_free(c);

	/* As in libconfig, a directive inside a comment or a string is not one. */
	rc = prx_conf_load_string("/*\n@include \"nope.cfg\"\n*/\n" BASE
				  "eal = [\"a\n@include \\\"nope.cfg\\\"\"];\n",
				  "s.cfg", NULL, &c, &err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(c->eal[0], "a\n@include \"nope.cfg\"");
	prx_conf_free(c);

	/* libconfig's own errors map back to the included file too. */
	rc = prx_conf_load_string("\n@include \"inc/../syntax.cfg\"\n", "s.cfg", DATA, &c, &err);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg[0], DATA "/inc/../syntax.cfg:3: syntax error");

	rc = prx_conf_load_file(DATA "/inc_bad.cfg", &c, &err);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(err.n, 2);
	CU_ASSERT_STRING_EQUAL(err.msg[0], DATA "/inc/bad_port.cfg:3: ports.[0].rx_queues: "
						"0 is out of range 1..1024");
	CU_ASSERT_STRING_EQUAL(err.msg[1], DATA
			       "/inc_bad.cfg:4: stats_interval: 86401 is out of range 0..86400");

	rc = prx_conf_load_file(DATA "/inc_missing.cfg", &c, &err);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_EQUAL(err.n, 1);
	CU_ASSERT_STRING_EQUAL(err.msg[0],
			       DATA "/inc_missing.cfg:2: cannot open include file \"" DATA
				    "/inc/nope.cfg\": No such file or directory");

	rc = prx_conf_load_file(DATA "/inc_loop.cfg", &c, &err);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg[0],
			       DATA "/inc_loop.cfg:1: @include nested more than 10 deep");

	rc = prx_conf_load_file(DATA "/syntax.cfg", &c, &err);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg[0], DATA "/syntax.cfg:3: syntax error");

	rc = prx_conf_load_file("/nonexistent/prx.cfg", &c, &err);
	CU_ASSERT_EQUAL(rc, -ENOENT);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(err.n, 1);
	CU_ASSERT_STRING_EQUAL(err.msg[0], "/nonexistent/prx.cfg: No such file or directory");

	rc = prx_conf_load_file(NULL, &c, &err);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_EQUAL(err.n, 1);
	rc = prx_conf_load_string(BASE, NULL, NULL, &c, NULL);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(c->file, "<string>");
	prx_conf_free(c);
	prx_conf_free(NULL);
}

static void
test_is_pci(void)
{
	static const struct {
		const char *devargs;
		bool pci;
	} cases[] = {
		{"0000:03:00.0", true},	    {"03:00.0", true},
		{"0000:af:1f.7,x=1", true}, {"ab:cd.3,rxq=2", true},
		{"net_null0", false},	    {"net_pcap0,rx_pcap=/a:b.c", false},
		{"0000:03:00.8", false},    {"0000:03:00", false},
		{"03:00.0x", false},	    {"3:00.0", false},
		{"00000:03:00.0", false},   {"", false},
		{"eth_af_packet0", false},
	};

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		if (prx__conf_is_pci(cases[i].devargs) != cases[i].pci)
			fprintf(stderr, "\nis_pci(\"%s\") wrong\n", cases[i].devargs);
		CU_ASSERT_EQUAL(prx__conf_is_pci(cases[i].devargs), cases[i].pci);
	}
}

static void
test_scan_ints(void)
{
	static const char text[] =
		"a = 1; b = [2, 0x3L, -4]; c = \"5 \\\" 6\"; # 7\n"
		"d = 1.5; e = .5; f = 1e3; g = x8; h = -9L; /* 10\n11 */ i = 0xfF;\n"
		"// 12\nj = +13; k = 1.e2; l = a-14; m = 15LL;\n";
	static const char *const want[] = {"1", "2", "0x3L", "-4", "-9L", "0xfF", "+13", "15LL"};
	static const unsigned int want_line[] = {1, 1, 1, 1, 2, 3, 5, 5};
	struct prx__conf_lit *lits = NULL;
	unsigned int n = 0;

	CU_ASSERT_EQUAL_FATAL(prx__conf_scan_ints(text, &lits, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, PRX_ARRAY_SIZE(want));
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(lits[i].len, strlen(want[i]));
		CU_ASSERT_EQUAL(strncmp(text + lits[i].off, want[i], lits[i].len), 0);
		CU_ASSERT_EQUAL(lits[i].line, want_line[i]);
	}
	free(lits);
	CU_ASSERT_EQUAL(prx__conf_scan_ints("", &lits, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(lits);
}

/* Literals are hooked to settings only when the scan and libconfig agree on all of them. */
static void
test_attach_literals(void)
{
	struct prx__conf_src src = {.text = (char *)"a = 99999999999;\nb = [1, 2];\nc = 5L;\n"};
	struct prx__conf_lit *lits = NULL;
	const struct prx__conf_lit *lit;
	unsigned int n;
	config_t cfg;

	config_init(&cfg);
	CU_ASSERT_FATAL(config_read_string(&cfg, src.text) == CONFIG_TRUE);
	CU_ASSERT_EQUAL_FATAL(prx__conf_scan_ints(src.text, &lits, &n), 0);
	CU_ASSERT_EQUAL(n, 4);
	prx__conf_attach_literals(&cfg, &src, lits, n);
	lit = config_setting_get_hook(config_lookup(&cfg, "a"));
	CU_ASSERT_PTR_EQUAL(lit, &lits[0]);
	lit = config_setting_get_hook(config_setting_get_elem(config_lookup(&cfg, "b"), 1));
	CU_ASSERT_PTR_EQUAL(lit, &lits[2]);
	lit = config_setting_get_hook(config_lookup(&cfg, "c"));
	CU_ASSERT_PTR_EQUAL(lit, &lits[3]);
	config_destroy(&cfg);

	/* A literal that is not the setting's value: nothing attached. */
	config_init(&cfg);
	CU_ASSERT_FATAL(config_read_string(&cfg, "a = 99999999999;\nb = [1, 3];\nc = 5L;\n"));
	prx__conf_attach_literals(&cfg, &src, lits, n);
	CU_ASSERT_PTR_NULL(config_setting_get_hook(config_lookup(&cfg, "a")));
	config_destroy(&cfg);

	/* Fewer literals than settings: nothing attached either. */
	config_init(&cfg);
	CU_ASSERT_FATAL(config_read_string(&cfg, "a = 99999999999;\nb = [1, 2, 3];\nc = 5L;\n"));
	prx__conf_attach_literals(&cfg, &src, lits, n);
	CU_ASSERT_PTR_NULL(config_setting_get_hook(config_lookup(&cfg, "a")));
	config_destroy(&cfg);
	free(lits);
}

static void
test_parse_int(void)
{
	static const struct {
		const char *lit;
		int rc;
		long long v;
	} cases[] = {
		{"0", 0, 0},
		{"-1", 0, -1},
		{"+7", 0, 7},
		{"99999999999", 0, 99999999999LL},
		{"4294967296", 0, 4294967296LL},
		{"0x1FFFFFFFF", 0, 0x1FFFFFFFFLL},
		{"0Xff", 0, 255},
		{"12L", 0, 12},
		{"12LL", 0, 12},
		{"0x10L", 0, 16},
		{"9223372036854775807", 0, 9223372036854775807LL},
		{"-9223372036854775808", 0, -9223372036854775807LL - 1},
		{"9223372036854775808", -ERANGE, 0},
		{"99999999999999999999", -ERANGE, 0},
		{"0x8000000000000000", -ERANGE, 0},
		{"0xFFFFFFFFFFFFFFFFFF", -ERANGE, 0},
		{"", -EINVAL, 0},
		{"-", -EINVAL, 0},
		{"0x", -EINVAL, 0},
		{"1.5", -EINVAL, 0},
		{" 1", -EINVAL, 0},
	};
	long long v;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		int rc;

		v = 0;
		rc = prx__conf_parse_int(cases[i].lit, strlen(cases[i].lit), &v);
		if (rc != cases[i].rc || (rc == 0 && v != cases[i].v))
			fprintf(stderr, "\nparse_int(\"%s\"): rc %d v %lld\n", cases[i].lit, rc, v);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc == 0)
			CU_ASSERT_EQUAL(v, cases[i].v);
	}
	/* Only `len` characters count: the literal is read in place. */
	CU_ASSERT_EQUAL(prx__conf_parse_int("123;", 3, &v), 0);
	CU_ASSERT_EQUAL(v, 123);
}

static void
test_parse_mac(void)
{
	uint8_t mac[6];

	CU_ASSERT_EQUAL(prx__conf_parse_mac("02:00:00:00:00:01", mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, "\x02\0\0\0\0\x01", 6), 0);
	CU_ASSERT_EQUAL(prx__conf_parse_mac("fF:Ee:dD:cC:bB:aA", mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, "\xff\xee\xdd\xcc\xbb\xaa", 6), 0);
	CU_ASSERT_EQUAL(prx__conf_parse_mac("02:00:00:00:00", mac), -EINVAL);
	CU_ASSERT_EQUAL(prx__conf_parse_mac("02:00:00:00:00:01:", mac), -EINVAL);
	CU_ASSERT_EQUAL(prx__conf_parse_mac("2:00:00:00:00:01", mac), -EINVAL);
	CU_ASSERT_EQUAL(prx__conf_parse_mac("02-00-00-00-00-01", mac), -EINVAL);
	CU_ASSERT_EQUAL(prx__conf_parse_mac("", mac), -EINVAL);
	CU_ASSERT_EQUAL(prx__conf_parse_mac("0g:00:00:00:00:01", mac), -EINVAL);
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(prx_mode_name(PRX_MODE_FALLBACK), "fallback");
	CU_ASSERT_STRING_EQUAL(prx_mode_name(PRX_MODE_MAX), "?");
	CU_ASSERT_STRING_EQUAL(prx_engine_name(PRX_ENGINE_EPOLL), "epoll");
	CU_ASSERT_STRING_EQUAL(prx_engine_name(PRX_ENGINE_MAX), "?");
	CU_ASSERT_STRING_EQUAL(prx_mac_mode_name(PRX_MAC_REWRITE), "rewrite");
	CU_ASSERT_STRING_EQUAL(prx_mac_mode_name(PRX_MAC_MODE_MAX), "?");
	CU_ASSERT_STRING_EQUAL(prx_handler_type_name(PRX_HANDLER_XCONNECT), "xconnect");
	CU_ASSERT_STRING_EQUAL(prx_handler_type_name(PRX_HANDLER_TYPE_MAX), "?");
}

static const struct prx_test_case cases[] = {
	PRX_TEST(test_bad_syntax),
	PRX_TEST(test_bad_unknown_and_types),
	PRX_TEST(test_bad_ranges),
	PRX_TEST(test_bad_required),
	PRX_TEST(test_bad_names_and_refs),
	PRX_TEST(test_bad_xconnect),
	PRX_TEST(test_many_errors),
	PRX_TEST(test_defaults),
	PRX_TEST(test_every_field),
	PRX_TEST(test_examples),
	PRX_TEST(test_files_and_includes),
	PRX_TEST(test_is_pci),
	PRX_TEST(test_scan_ints),
	PRX_TEST(test_attach_literals),
	PRX_TEST(test_parse_int),
	PRX_TEST(test_parse_mac),
	PRX_TEST(test_names),
	{NULL, NULL},
};

int
main(void)
{
	static struct prx_test_case all[64];
	unsigned int n = 0;

	for (const struct prx_test_case *c = cases; c->name != NULL; c++)
		all[n++] = *c;
	for (const struct prx_test_case *c = conf_fallback_cases; c->name != NULL; c++)
		all[n++] = *c;
	for (const struct prx_test_case *c = conf_deploy_cases; c->name != NULL; c++)
		all[n++] = *c;
	for (const struct prx_test_case *c = conf_reactors_cases; c->name != NULL; c++)
		all[n++] = *c;
	all[n] = (struct prx_test_case){NULL, NULL};
	return prx_test_run("conf", all, 0);
}
