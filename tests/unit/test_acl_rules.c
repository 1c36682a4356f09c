/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACL rule parsing: the rule-file syntax (good lines, every error message exactly),
 * rule files with FILE:LINE errors, the handler group of the configuration with its
 * `rules` and `rules_file`, and the copies and comparisons reload relies on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prx_conf.h"
#include "prx_conf_acl.h"
#include "test_acl.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void
test_rule_lines_good(void)
{
	struct prx_acl_rule r;
	char why[200] = "";

	CU_ASSERT_EQUAL(prx_acl_rule_parse("", &r, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(prx_acl_rule_parse("   \t\r\n", &r, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(prx_acl_rule_parse("# allow everything\n", &r, why, sizeof(why)), 0);

	CU_ASSERT_EQUAL(prx_acl_rule_parse("deny", &r, why, sizeof(why)), 1);
	CU_ASSERT_EQUAL(r.action, PRX_ACL_DENY);
	CU_ASSERT(r.any_proto);
	CU_ASSERT_EQUAL(r.src_len, 0);
	CU_ASSERT_EQUAL(r.dst_len, 0);
	CU_ASSERT(r.sport_lo == 0 && r.sport_hi == 65535 && r.dport_lo == 0 && r.dport_hi == 65535);
	CU_ASSERT_EQUAL(r.origin, PRX_ACL_FROM_FILE);

	CU_ASSERT_EQUAL(prx_acl_rule_parse("\tallow  proto udp src 10.0.1.0/24\tdst 10.0.2.7 "
					   "sport 1024-65535 dport 53 # dns\r\n",
					   &r, why, sizeof(why)),
			1);
	CU_ASSERT_EQUAL(r.action, PRX_ACL_ALLOW);
	CU_ASSERT(!r.any_proto && r.proto == 17);
	CU_ASSERT(r.src == IP(10, 0, 1, 0) && r.src_len == 24);
	CU_ASSERT(r.dst == IP(10, 0, 2, 7) && r.dst_len == 32);
	CU_ASSERT(r.sport_lo == 1024 && r.sport_hi == 65535);
	CU_ASSERT(r.dport_lo == 53 && r.dport_hi == 53);

	CU_ASSERT_EQUAL(
		prx_acl_rule_parse("deny proto 47 src any dst 0.0.0.0/0", &r, why, sizeof(why)), 1);
	CU_ASSERT(!r.any_proto && r.proto == 47 && r.src_len == 0 && r.dst_len == 0);
	CU_ASSERT_EQUAL(prx_acl_rule_parse("allow proto icmp", &r, why, sizeof(why)), 1);
	CU_ASSERT_EQUAL(r.proto, 1);
	CU_ASSERT_EQUAL(
		prx_acl_rule_parse("allow proto any sport any dport any", &r, why, sizeof(why)), 1);
	CU_ASSERT(r.any_proto && !prx_acl_rule_has_ports(&r));
	CU_ASSERT_EQUAL(prx_acl_rule_parse("allow proto tcp dport 0-65535", &r, why, sizeof(why)),
			1);
	CU_ASSERT(!prx_acl_rule_has_ports(&r));
}

static void
test_rule_lines_bad(void)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{"permit", "\"permit\" is not an action (allow or deny)"},
		{"Deny", "\"Deny\" is not an action (allow or deny)"},
		{"deny port 80", "unknown keyword \"port\" (proto, src, dst, sport, dport)"},
		{"deny proto", "\"proto\" needs a value"},
		{"deny proto tcp proto udp", "\"proto\" given twice"},
		{"deny proto tpc", "\"tpc\" is not a protocol (tcp, udp, icmp, any or 0..255)"},
		{"deny proto 256", "\"256\" is not a protocol (tcp, udp, icmp, any or 0..255)"},
		{"deny proto -1", "\"-1\" is not a protocol (tcp, udp, icmp, any or 0..255)"},
		{"deny src 10.0.0.300",
		 "\"10.0.0.300\" is not an IPv4 prefix (\"10.0.0.0/8\", \"10.0.0.1\" or \"any\")"},
		{"deny src 10.0.0.0/33",
		 "\"10.0.0.0/33\" is not an IPv4 prefix (\"10.0.0.0/8\", \"10.0.0.1\" or \"any\")"},
		{"deny dst 10.0.0.0/",
		 "\"10.0.0.0/\" is not an IPv4 prefix (\"10.0.0.0/8\", \"10.0.0.1\" or \"any\")"},
		{"deny dst 10/8",
		 "\"10/8\" is not an IPv4 prefix (\"10.0.0.0/8\", \"10.0.0.1\" or \"any\")"},
		{"deny src 10.0.1.1/24", "\"10.0.1.1/24\" has host bits set (10.0.1.0/24?)"},
		{"deny src 10.0.0.1/0", "\"10.0.0.1/0\" has host bits set (0.0.0.0/0?)"},
		{"deny proto tcp dport 65536",
		 "\"65536\" is not a port or port range (0..65535, \"1024-65535\" or \"any\")"},
		{"deny proto tcp dport 80-",
		 "\"80-\" is not a port or port range (0..65535, \"1024-65535\" or \"any\")"},
		{"deny proto tcp dport -80",
		 "\"-80\" is not a port or port range (0..65535, \"1024-65535\" or \"any\")"},
		{"deny proto tcp sport http",
		 "\"http\" is not a port or port range (0..65535, \"1024-65535\" or \"any\")"},
		{"deny proto tcp dport 2000-1000", "port range \"2000-1000\" is reversed"},
		{"deny dport 22", "ports need proto tcp or udp"},
		{"deny proto icmp dport 0", "ports need proto tcp or udp"},
		{"deny sport 1-2 proto any", "ports need proto tcp or udp"},
	};
	struct prx_acl_rule r;
	char why[200];

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		int rc = prx_acl_rule_parse(cases[i].line, &r, why, sizeof(why));
		bool ok = rc == -EINVAL && strcmp(why, cases[i].why) == 0;

		if (!ok)
			fprintf(stderr, "\n%s: rc %d\n  want: %s\n  got:  %s\n", cases[i].line, rc,
				cases[i].why, why);
		CU_ASSERT(ok);
	}
}

/* The canonical text of a rule parses back to the same rule. */
static void
test_rule_format(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"deny", "deny"},
		{"allow proto udp src 10.0.1.0/24 dst 10.0.2.7/32 sport 1024-65535 dport 53",
		 "allow proto udp src 10.0.1.0/24 dst 10.0.2.7 sport 1024-65535 dport 53"},
		{"deny dport 5201 proto tcp", "deny proto tcp dport 5201"},
		{"allow proto any src any dst any", "allow"},
		{"deny proto 132", "deny proto 132"},
	};
	struct prx_acl_rule r, r2;
	char why[200], buf[160];

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		CU_ASSERT_EQUAL_FATAL(prx_acl_rule_parse(cases[i].in, &r, why, sizeof(why)), 1);
		prx_acl_rule_format(&r, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, cases[i].out);
		CU_ASSERT_EQUAL_FATAL(prx_acl_rule_parse(buf, &r2, why, sizeof(why)), 1);
		CU_ASSERT_EQUAL(memcmp(&r, &r2, sizeof(r)), 0);
	}
}

static void
test_rules_file(void)
{
	struct prx_conf_errors err;
	struct prx_acl_rule *rules;
	char path[256], want[512];
	unsigned int n;

	acl_write("good.rules",
		  "# a rule file\n"
		  "\n"
		  "deny proto tcp dst 10.0.2.0/24 dport 5201\n"
		  "allow proto udp   # dns and the rest\n"
		  "deny\n",
		  path);
	CU_ASSERT_EQUAL_FATAL(prx_acl_rules_load(path, &rules, &n, &err), 0);
	CU_ASSERT_EQUAL(err.n, 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT(rules[0].line == 3 && rules[1].line == 4 && rules[2].line == 5);
	CU_ASSERT(rules[0].dport_lo == 5201 && rules[0].dst == IP(10, 0, 2, 0));
	CU_ASSERT(rules[1].action == PRX_ACL_ALLOW && rules[1].proto == 17);
	free(rules);

	/* every bad line is reported, in order, and nothing is returned */
	acl_write("bad.rules",
		  "deny proto tcp dport 22\n"
		  "drop proto tcp\n"
		  "allow src 10.0.0.1/8\n"
		  "deny dport 80\n",
		  path);
	CU_ASSERT_EQUAL(prx_acl_rules_load(path, &rules, &n, &err), -EINVAL);
	CU_ASSERT(rules == NULL && n == 0);
	CU_ASSERT_EQUAL_FATAL(err.n, 3);
	snprintf(want, sizeof(want), "%s:2: \"drop\" is not an action (allow or deny)", path);
	CU_ASSERT_STRING_EQUAL(err.msg[0], want);
	snprintf(want, sizeof(want), "%s:3: \"10.0.0.1/8\" has host bits set (10.0.0.0/8?)", path);
	CU_ASSERT_STRING_EQUAL(err.msg[1], want);
	snprintf(want, sizeof(want), "%s:4: ports need proto tcp or udp", path);
	CU_ASSERT_STRING_EQUAL(err.msg[2], want);

	/* an empty file is an empty rule set: everything gets the default */
	acl_write("empty.rules", "# nothing\n", path);
	CU_ASSERT_EQUAL(prx_acl_rules_load(path, &rules, &n, &err), 0);
	CU_ASSERT(rules == NULL && n == 0);

	/* a line too long for the reader: reported once, the next line read on */
	{
		static char text[6000];

		memset(text, 'x', 5000);
		memcpy(text, "deny ", 5);
		strcpy(text + 5000, "\nallow proto udp\nallow proto tpc\n");
		acl_write("long.rules", text, path);
	}
	CU_ASSERT_EQUAL(prx_acl_rules_load(path, &rules, &n, &err), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(err.n, 2);
	snprintf(want, sizeof(want), "%s:1: line longer than 4094 characters", path);
	CU_ASSERT_STRING_EQUAL(err.msg[0], want);
	snprintf(want, sizeof(want),
		 "%s:3: \"tpc\" is not a protocol (tcp, udp, icmp, any or 0..255)", path);
	CU_ASSERT_STRING_EQUAL(err.msg[1], want);

	/* not something to read rules from */
	CU_ASSERT_EQUAL(prx_acl_rules_load(acl_dir, &rules, &n, &err), -EISDIR);
	snprintf(want, sizeof(want), "%s: Is a directory", acl_dir);
	CU_ASSERT_STRING_EQUAL(err.msg[0], want);
	CU_ASSERT_EQUAL(prx_acl_rules_load("/dev/zero", &rules, &n, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg[0], "/dev/zero: not a regular file");
	CU_ASSERT_EQUAL(err.n, 1);

	snprintf(path, sizeof(path), "%s/missing.rules", acl_dir);
	CU_ASSERT_EQUAL(prx_acl_rules_load(path, &rules, &n, &err), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(err.n, 1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CU_ASSERT_STRING_EQUAL(err.msg[0], want);
}

static void
test_rules_file_limit(void)
{
	struct prx_conf_errors err;
	struct prx_acl_rule *rules;
	char path[256], want[512];
	unsigned int n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.rules", acl_dir);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	for (unsigned int i = 0; i <= PRX_ACL_MAX_RULES; i++)
		fprintf(f, "deny proto udp dport %u\n", i % 65536);
	fclose(f);
	CU_ASSERT_EQUAL(prx_acl_rules_load(path, &rules, &n, &err), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(err.n, 1);
	snprintf(want, sizeof(want), "%s:%d: more than %d rules", path, PRX_ACL_MAX_RULES + 1,
		 PRX_ACL_MAX_RULES);
	CU_ASSERT_STRING_EQUAL(err.msg[0], want);
	remove(path);
}

#define CFG_HEAD \
	"reactors = { cores = [1]; };\n" \
	"ports = ({ name = \"a\"; dpdk = \"net_null0\"; chain = [\"fw\"]; });\n"

static struct prx_conf_errors cerr;

static struct prx_conf *
load(const char *text, int *rc)
{
	struct prx_conf *c = NULL;

	*rc = prx_conf_load_string(text, "t.cfg", NULL, &c, &cerr);
	return c;
}

static void
test_config_good(void)
{
	static const char text[] =
		CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"allow\";\n"
			 "  rules = (\n"
			 "    { action = \"deny\"; proto = \"tcp\"; dst_port = \"5201\"; },\n"
			 "    { action = \"allow\"; src = \"10.0.1.0/24\"; dst = \"10.0.2.0/24\";\n"
			 "      proto = \"udp\"; src_port = \"1024-65535\"; },\n"
			 "    { action = \"deny\"; proto = 6; dst_port = 22; }\n"
			 "  ); });\n";
	const struct prx_conf_acl *a;
	struct prx_conf *c;
	int rc;

	c = load(text, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(c->handlers[0].type, PRX_HANDLER_ACL);
	a = c->handlers[0].u.acl;
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_EQUAL(a->def, PRX_ACL_ALLOW);
	CU_ASSERT_EQUAL(a->non_ipv4, PRX_ACL_NONIP_PASS);
	CU_ASSERT_PTR_NULL(a->rules_file);
	CU_ASSERT_STRING_EQUAL(a->config_file, "t.cfg");
	CU_ASSERT_EQUAL_FATAL(a->n_rules, 3);
	CU_ASSERT(a->rules[0].action == PRX_ACL_DENY && a->rules[0].proto == 6 &&
		  a->rules[0].dport_lo == 5201 && a->rules[0].dport_hi == 5201 &&
		  a->rules[0].line == 5 && a->rules[0].origin == PRX_ACL_FROM_CONFIG);
	CU_ASSERT(a->rules[1].src == IP(10, 0, 1, 0) && a->rules[1].src_len == 24 &&
		  a->rules[1].dst == IP(10, 0, 2, 0) && a->rules[1].sport_lo == 1024 &&
		  a->rules[1].line == 6);
	CU_ASSERT(a->rules[2].proto == 6 && a->rules[2].dport_lo == 22 && a->rules[2].line == 8);
	/* EAL memory for the tables: two generations of 1 MiB + 2 KiB per rule */
	CU_ASSERT_EQUAL(prx_conf_acl_memory_mb(c), 3);
	prx_conf_free(c);

	/* no rules at all; non_ipv4 */
	c = load(CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  "  non_ipv4 = \"default\"; });\n",
		 &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	a = c->handlers[0].u.acl;
	CU_ASSERT(a->def == PRX_ACL_DENY && a->non_ipv4 == PRX_ACL_NONIP_DEFAULT &&
		  a->n_rules == 0 && a->rules == NULL);
	CU_ASSERT_EQUAL(prx_conf_acl_memory_mb(c), 0);
	prx_conf_free(c);
}

/* rules_file: relative to the configuration's folder, its rules after the inline ones */
static void
test_config_rules_file(void)
{
	struct prx_conf_errors err;
	const struct prx_conf_acl *a;
	struct prx_conf *c;
	char path[256], want[512];

	acl_write("fw.rules", "allow proto udp\ndeny proto tcp dport 80-89\n", path);
	acl_write("fw.cfg",
		  CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"allow\";\n"
			   "  rules = ({ action = \"deny\"; proto = \"icmp\"; });\n"
			   "  rules_file = \"fw.rules\"; });\n",
		  path);
	CU_ASSERT_EQUAL_FATAL(prx_conf_load_file(path, &c, &err), 0);
	a = c->handlers[0].u.acl;
	snprintf(want, sizeof(want), "%s/fw.rules", acl_dir);
	CU_ASSERT_STRING_EQUAL(a->rules_file, want);
	CU_ASSERT_EQUAL_FATAL(a->n_rules, 3);
	CU_ASSERT(a->rules[0].proto == 1 && a->rules[0].origin == PRX_ACL_FROM_CONFIG);
	CU_ASSERT(a->rules[1].proto == 17 && a->rules[1].origin == PRX_ACL_FROM_FILE &&
		  a->rules[1].line == 1);
	CU_ASSERT(a->rules[2].dport_lo == 80 && a->rules[2].dport_hi == 89 &&
		  a->rules[2].line == 2);
	prx_conf_free(c);

	/* errors in the rule file name both places */
	acl_write("fw.rules", "allow proto udp\ndeny proto tcp dport 90-89\n", path);
	acl_write("fw.cfg",
		  CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"allow\";\n"
			   "  rules_file = \"fw.rules\"; });\n",
		  path);
	CU_ASSERT_EQUAL(prx_conf_load_file(path, &c, &err), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(err.n, 1);
	snprintf(want, sizeof(want),
		 "%s/fw.cfg:4: handlers.[0].rules_file: %s/fw.rules:2: port range \"90-89\" is "
		 "reversed",
		 acl_dir, acl_dir);
	CU_ASSERT_STRING_EQUAL(err.msg[0], want);
	remove(path);
	snprintf(path, sizeof(path), "%s/fw.rules", acl_dir);
	remove(path);
}

static void
test_config_bad(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; });\n",
		 "t.cfg:3: handlers.[0].default: missing required setting"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"drop\"; });\n",
		 "t.cfg:3: handlers.[0].default: \"drop\" is not one of allow, deny"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " non_ipv4 = \"deny\"; });\n",
		 "t.cfg:4: handlers.[0].non_ipv4: \"deny\" is not one of pass, default"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\"; to = "
			  "\"a\"; });\n",
		 "t.cfg:3: handlers.[0].to: unknown setting"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ({ proto = \"tcp\"; }); });\n",
		 "t.cfg:4: handlers.[0].rules.[0].action: missing required setting"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ({ action = \"deny\"; port = 1; }); });\n",
		 "t.cfg:4: handlers.[0].rules.[0].port: unknown setting"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ( { action = \"deny\"; },\n"
			  "   { action = \"deny\"; proto = \"tcp\"; dst_port = 70000; }); });\n",
		 "t.cfg:5: handlers.[0].rules.[1].dst_port: 70000 is out of range 0..65535"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ({ action = \"deny\"; proto = \"tcp\";\n"
			  "   dst_port = \"1-2-3\"; }); });\n",
		 "t.cfg:5: handlers.[0].rules.[0].dst_port: \"1-2-3\" is not a port or port range "
		 "(0..65535, \"1024-65535\" or \"any\")"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ({ action = \"deny\"; src = \"10.0.1.1/24\"; }); });\n",
		 "t.cfg:4: handlers.[0].rules.[0].src: \"10.0.1.1/24\" has host bits set "
		 "(10.0.1.0/24?)"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ({ action = \"deny\"; dst = 10; }); });\n",
		 "t.cfg:4: handlers.[0].rules.[0].dst: expected a string"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ({ action = \"deny\"; proto = true; }); });\n",
		 "t.cfg:4: handlers.[0].rules.[0].proto: expected a string or an integer"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ({ action = \"deny\"; proto = 300; }); });\n",
		 "t.cfg:4: handlers.[0].rules.[0].proto: 300 is out of range 0..255"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = ({ action = \"deny\";\n"
			  "   dst_port = \"22\"; }); });\n",
		 "t.cfg:4: handlers.[0].rules.[0]: ports need proto tcp or udp"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules = { action = \"deny\"; }; });\n",
		 "t.cfg:4: handlers.[0].rules: expected a list of groups"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules_file = \"\"; });\n",
		 "t.cfg:4: handlers.[0].rules_file: empty file name"},
		{CFG_HEAD "handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
			  " rules_file = \"/nonexistent/fw.rules\"; });\n",
		 "t.cfg:4: handlers.[0].rules_file: /nonexistent/fw.rules: No such file or "
		 "directory"},
	};
	struct prx_conf *c;
	int rc;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		bool ok;

		c = load(cases[i].text, &rc);
		ok = rc == -EINVAL && c == NULL && cerr.n == 1 &&
		     strcmp(cerr.msg[0], cases[i].msg) == 0;
		if (!ok)
			fprintf(stderr, "\ncase %zu: rc %d, n %u\n  want: %s\n  got:  %s\n", i, rc,
				cerr.n, cases[i].msg, cerr.n ? cerr.msg[0] : "(none)");
		CU_ASSERT(ok);
		prx_conf_free(c);
	}
}

/* Reload compares rule sets by what they do: lines and files do not matter. */
static void
test_dup_equal(void)
{
	static const char base[] = CFG_HEAD
		"handlers = ({ name = \"fw\"; type = \"acl\"; default = \"allow\";\n"
		"  rules = ({ action = \"deny\"; proto = \"tcp\"; dst_port = 22; }); });\n";
	static const char moved[] = CFG_HEAD
		"\n\nhandlers = ({ name = \"fw\"; type = \"acl\"; default = \"allow\";\n"
		"  rules = ({ action = \"deny\"; proto = \"tcp\"; dst_port = 22; }); });\n";
	static const char other[] = CFG_HEAD
		"handlers = ({ name = \"fw\"; type = \"acl\"; default = \"allow\";\n"
		"  rules = ({ action = \"deny\"; proto = \"tcp\"; dst_port = 23; }); });\n";
	static const char other_def[] = CFG_HEAD
		"handlers = ({ name = \"fw\"; type = \"acl\"; default = \"deny\";\n"
		"  rules = ({ action = \"deny\"; proto = \"tcp\"; dst_port = 22; }); });\n";
	struct prx_conf *a, *b, *c, *d;
	struct prx_conf_handler copy;
	int rc;

	a = load(base, &rc);
	b = load(moved, &rc);
	c = load(other, &rc);
	d = load(other_def, &rc);
	CU_ASSERT_FATAL(a != NULL && b != NULL && c != NULL && d != NULL);
	CU_ASSERT(prx_conf_handler_equal(a, &a->handlers[0], b, &b->handlers[0]));
	CU_ASSERT(!prx_conf_handler_equal(a, &a->handlers[0], c, &c->handlers[0]));
	CU_ASSERT(!prx_conf_handler_equal(a, &a->handlers[0], d, &d->handlers[0]));
	CU_ASSERT_EQUAL_FATAL(prx_conf_handler_dup(&copy, &a->handlers[0]), 0);
	CU_ASSERT(copy.u.acl != a->handlers[0].u.acl);
	CU_ASSERT(copy.u.acl->rules != a->handlers[0].u.acl->rules);
	CU_ASSERT(prx_conf_handler_equal(NULL, &copy, NULL, &a->handlers[0]));
	prx_conf_free(a);
	/* the copy outlives its configuration */
	CU_ASSERT(prx_conf_handler_equal(NULL, &copy, NULL, &b->handlers[0]));
	CU_ASSERT_STRING_EQUAL(copy.u.acl->config_file, "t.cfg");
	prx_conf_handler_release(&copy);
	CU_ASSERT_PTR_NULL(copy.u.acl);
	prx_conf_free(b);
	prx_conf_free(c);
	prx_conf_free(d);
}

const struct prx_test_case acl_rules_cases[] = {
	PRX_TEST(test_rule_lines_good),	  PRX_TEST(test_rule_lines_bad),
	PRX_TEST(test_rule_format),	  PRX_TEST(test_rules_file),
	PRX_TEST(test_rules_file_limit),  PRX_TEST(test_config_good),
	PRX_TEST(test_config_rules_file), PRX_TEST(test_config_bad),
	PRX_TEST(test_dup_equal),	  {NULL, NULL},
};
