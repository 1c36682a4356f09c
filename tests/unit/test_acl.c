/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The acl handler on crafted frames, in a chain [acl, xconnect to port b] on a fake
 * port: first match wins, the default action, per-rule hit counters, non-IPv4 frames,
 * later fragments, malformed frames, packet order, and 400 random rules checked
 * against a linear first-match reference.  main() runs the other files' cases too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "fake_port.h"
#include "prx_acl.h"
#include "prx_handlers.h"
#include "test_acl.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define TCP 6
#define UDP 17
#define ICMP 1

char acl_dir[64];

void
acl_write(const char *name, const char *text, char *path)
{
	FILE *f;

	snprintf(path, 256, "%s/%s", acl_dir, name);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static struct rte_mempool *pool;
static struct prx_port *ports[PRX_MAX_PORTS];
static struct prx_pipe pp;
static struct prx_handler *acl, *fwd;
static struct prx_chain chain;
static unsigned int pool_before;

/* An acl from rule lines, in a chain [acl, xconnect to b]. */
static void
setup(enum prx_acl_action def, enum prx_acl_non_ipv4 non_ip, const char *const *lines,
      unsigned int n)
{
	struct prx_xconnect_conf xcc = {.to = 1, .mac = PRX_MAC_KEEP};
	struct prx_conf_acl conf = {.def = def, .non_ipv4 = non_ip, .n_rules = n};
	char why[200], msg[256];

	if (pool == NULL)
		pool = rte_pktmbuf_pool_create("ut_acl", 8191, 0, 0, 2176, 0);
	CU_ASSERT_FATAL(pool != NULL);
	pool_before = rte_mempool_avail_count(pool);
	memset(ports, 0, sizeof(ports));
	ports[0] = fake_port_create("a", 0, 4, pool);
	ports[1] = fake_port_create("b", 1, 4, pool);
	CU_ASSERT_FATAL(ports[0] != NULL && ports[1] != NULL);
	prx_pipe_init(&pp, 1, 32, pool);
	pp.ports = ports;
	conf.rules = n > 0 ? calloc(n, sizeof(*conf.rules)) : NULL;
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(
			prx_acl_rule_parse(lines[i], &conf.rules[i], why, sizeof(why)), 1);
		conf.rules[i].line = i + 1;
	}
	CU_ASSERT_EQUAL_FATAL(prx_acl_create("fw", &conf, &acl, msg, sizeof(msg)), 0);
	free(conf.rules);
	CU_ASSERT_FATAL(prx_acl_is(acl));
	CU_ASSERT_EQUAL_FATAL(prx_xconnect_create("fwd", &xcc, &fwd), 0);
	chain = (struct prx_chain){.n = 2, .h = {acl, fwd}};
}

static void
teardown(void)
{
	prx_handler_free(acl);
	prx_handler_free(fwd);
	for (unsigned int i = 0; i < PRX_MAX_PORTS; i++)
		prx_port_close(ports[i]);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), pool_before);
}

/* What a crafted frame is. */
struct pkt {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, dport;
	uint16_t frag;	/* IPv4 flags and fragment offset field (host order) */
	uint16_t ether; /* 0: IPv4 */
	bool vlan;	/* one 802.1Q tag */
	uint16_t cut;	/* bytes to remove from the end */
	uint8_t ihl;	/* 0: 5 */
	uint16_t id;	/* IPv4 identification: tells packets apart at the output */
};

static void
put16(uint8_t *p, uint16_t v)
{
	v = rte_cpu_to_be_16(v);
	memcpy(p, &v, 2);
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, 4);
}

static struct rte_mbuf *
frame(const struct pkt *s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t l4 = s->proto == TCP ? 20 : 8, off = 12, len;
	uint8_t *d;

	CU_ASSERT_FATAL(m != NULL);
	len = (uint16_t)(14 + (s->vlan ? 4 : 0) + 20 + l4 + 6);
	d = (uint8_t *)rte_pktmbuf_append(m, len);
	memset(d, 0, len);
	memcpy(d, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (s->vlan) {
		put16(d + off, 0x8100);
		put16(d + off + 2, 7);
		off += 4;
	}
	put16(d + off, s->ether ? s->ether : 0x0800);
	off += 2;
	if (s->ether == 0x0806) { /* ARP request */
		put16(d + off, 1);
		put16(d + off + 2, 0x0800);
		d[off + 4] = 6;
		d[off + 5] = 4;
		put16(d + off + 6, 1);
		put32(d + off + 14, s->src);
		put32(d + off + 24, s->dst);
	} else if (s->ether == 0) {
		d[off] = (uint8_t)(0x40 | (s->ihl ? s->ihl : 5));
		put16(d + off + 2, (uint16_t)(20 + l4 + 6));
		put16(d + off + 4, s->id);
		put16(d + off + 6, s->frag);
		d[off + 8] = 64;
		d[off + 9] = s->proto;
		put32(d + off + 12, s->src);
		put32(d + off + 16, s->dst);
		if (s->proto == TCP || s->proto == UDP) {
			put16(d + off + 20, s->sport);
			put16(d + off + 22, s->dport);
		}
		if (s->proto == TCP)
			d[off + 32] = 5 << 4;
	}
	if (s->cut)
		rte_pktmbuf_trim(m, s->cut);
	return m;
}

/* Run pkts through the chain in one burst; ids of the packets that came out on b. */
static unsigned int
run(const struct pkt *s, unsigned int n, uint16_t *out)
{
	struct rte_mbuf *pkts[PRX_BURST_MAX];
	struct fake_port *b = fake_port_priv(ports[1]);
	unsigned int k = 0;

	CU_ASSERT_FATAL(n <= PRX_BURST_MAX);
	for (unsigned int i = 0; i < n; i++)
		pkts[i] = frame(&s[i]);
	pp.st.rx += n;
	prx_chain_run(&pp, &chain, pkts, (uint16_t)n);
	prx_pipe_flush(&pp);
	for (uint32_t i = 0; i < b->n_tx; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(b->tx[i], const uint8_t *);
		uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
		unsigned int o = et == 0x8100 ? 18 : 14;

		/* IPv4: the identification field; ARP and others: 0xffff */
		if (out != NULL)
			out[k] = (uint16_t)(et == 0x0806 ? 0xffff : (d[o + 4] << 8 | d[o + 5]));
		k++;
	}
	fake_port_reset_tx(ports[1]);
	b->n_tx = 0;
	return k;
}

static uint64_t
denied(void)
{
	return pp.st.drop[PRX_DROP_ACL_DENY];
}

static void
test_first_match(void)
{
	static const char *const rules[] = {
		"deny proto tcp dport 5201",
		"allow proto tcp dst 10.0.2.0/24",
		"deny src 10.0.1.0/24",
		"allow proto udp sport 1024-65535 dport 53",
	};
	const struct pkt s[] = {
		{TCP, IP(10, 0, 1, 1), IP(10, 0, 2, 2), 40000, 5201, .id = 1}, /* rule 1 */
		{TCP, IP(10, 0, 1, 1), IP(10, 0, 2, 2), 40000, 80, .id = 2},   /* rule 2 */
		{TCP, IP(10, 0, 1, 1), IP(10, 0, 3, 3), 40000, 80, .id = 3},   /* rule 3 */
		{UDP, IP(10, 0, 9, 9), IP(8, 8, 8, 8), 5000, 53, .id = 4},     /* rule 4 */
		{UDP, IP(10, 0, 9, 9), IP(8, 8, 8, 8), 1000, 53, .id = 5},     /* default */
		{ICMP, IP(10, 0, 1, 7), IP(10, 0, 2, 2), .id = 6},	       /* rule 3 */
		{ICMP, IP(10, 0, 9, 9), IP(10, 0, 2, 2), .id = 7},	       /* default */
		{UDP, IP(10, 0, 9, 9), IP(8, 8, 8, 8), 65535, 53, .id = 8},    /* rule 4 */
	};
	uint16_t out[16];

	setup(PRX_ACL_DENY, PRX_ACL_NONIP_PASS, rules, 4);
	CU_ASSERT_EQUAL_FATAL(run(s, PRX_ARRAY_SIZE(s), out), 3);
	CU_ASSERT(out[0] == 2 && out[1] == 4 && out[2] == 8);
	CU_ASSERT_EQUAL(denied(), 5);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 1);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 1), 1);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 2), 2);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 3), 2);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 4), 2); /* the default */
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 5), 0); /* out of range */
	/* the handler's own counters, the accounting */
	CU_ASSERT_EQUAL(acl->stats[1].in, 8);
	CU_ASSERT_EQUAL(acl->stats[1].dropped, 5);
	CU_ASSERT_EQUAL(fwd->stats[1].in, 3);
	CU_ASSERT_EQUAL(pp.st.tx, 3);
	CU_ASSERT_EQUAL(pp.st.rx, pp.st.tx + prx_pipe_stats_dropped(&pp.st));
	teardown();
}

/* The default is what nothing matched gets; a later rule never beats an earlier one. */
static void
test_default_action(void)
{
	static const char *const rules[] = {"allow proto tcp dport 22", "deny proto tcp",
					    "allow proto tcp dport 80"};
	const struct pkt s[] = {
		{TCP, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1000, 22, .id = 1},
		{TCP, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1000, 80, .id = 2},
		{UDP, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1000, 80, .id = 3},
	};
	uint16_t out[4];
	char buf[96];

	setup(PRX_ACL_ALLOW, PRX_ACL_NONIP_PASS, rules, 3);
	CU_ASSERT_EQUAL_FATAL(run(s, 3, out), 2);
	CU_ASSERT(out[0] == 1 && out[1] == 3);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 2), 0);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 3), 1);
	prx_acl_describe(acl, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "default=allow rules=3 non_ipv4=pass");
	teardown();

	/* no rules at all: no rte_acl context, everything gets the default */
	setup(PRX_ACL_DENY, PRX_ACL_NONIP_PASS, NULL, 0);
	CU_ASSERT_EQUAL(run(s, 3, NULL), 0);
	CU_ASSERT_EQUAL(denied(), 3);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 3);
	teardown();
	setup(PRX_ACL_ALLOW, PRX_ACL_NONIP_PASS, NULL, 0);
	CU_ASSERT_EQUAL(run(s, 3, NULL), 3);
	teardown();
}

static void
test_non_ipv4(void)
{
	static const char *const rules[] = {"deny"};
	const struct pkt s[] = {
		{.ether = 0x0806, .src = IP(10, 0, 0, 1), .dst = IP(10, 0, 0, 2)},
		{TCP, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 2, .id = 1},
		{.ether = 0x88cc}, /* LLDP */
	};
	uint16_t out[4];

	/* pass: ARP and others go on whatever the rules say about IPv4 */
	setup(PRX_ACL_DENY, PRX_ACL_NONIP_PASS, rules, 1);
	CU_ASSERT_EQUAL_FATAL(run(s, 3, out), 2);
	CU_ASSERT_EQUAL(out[0], 0xffff);
	CU_ASSERT_EQUAL(denied(), 1);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 1);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 1), 0);
	teardown();
	/* default: they get the default action (and count as its hits), rules aside */
	setup(PRX_ACL_DENY, PRX_ACL_NONIP_DEFAULT, rules, 1);
	CU_ASSERT_EQUAL(run(s, 3, NULL), 0);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 1), 2);
	teardown();
	setup(PRX_ACL_ALLOW, PRX_ACL_NONIP_DEFAULT, rules, 1);
	CU_ASSERT_EQUAL(run(s, 3, NULL), 2);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 1);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 1), 2);
	teardown();
}

/* Later fragments have no ports: rules with ports never match them, even ranges that
 * hold port 0; first fragments match with their ports. */
static void
test_fragments(void)
{
	static const char *const rules[] = {"deny proto tcp dport 0-1023",
					    "allow proto tcp src 10.0.1.0/24"};
	const struct pkt s[] = {
		/* first fragment (MF, offset 0): has ports, rule 1 */
		{TCP, IP(10, 0, 1, 1), IP(10, 0, 2, 2), 40000, 80, .frag = 0x2000, .id = 1},
		/* later fragments: rule 2, or the default */
		{TCP, IP(10, 0, 1, 1), IP(10, 0, 2, 2), .frag = 0x2000 | 100, .id = 2},
		{TCP, IP(10, 0, 1, 1), IP(10, 0, 2, 2), .frag = 200, .id = 3},
		{TCP, IP(10, 0, 9, 9), IP(10, 0, 2, 2), .frag = 200, .id = 4},
		/* whole datagram, port 1024: rule 2 */
		{TCP, IP(10, 0, 1, 1), IP(10, 0, 2, 2), 40000, 1024, .id = 5},
	};
	uint16_t out[8];

	setup(PRX_ACL_DENY, PRX_ACL_NONIP_PASS, rules, 2);
	CU_ASSERT_EQUAL_FATAL(run(s, 5, out), 3);
	CU_ASSERT(out[0] == 2 && out[1] == 3 && out[2] == 5);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 1);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 1), 3);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 2), 1);
	teardown();
}

/* Malformed frames: dropped with the parser's reason, counted by no rule. */
static void
test_malformed(void)
{
	static const char *const rules[] = {"allow"};
	const struct pkt s[] = {
		{TCP, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 2, .cut = 50, .id = 1}, /* runt */
		{TCP, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 2, .ihl = 4, .id = 2},	 /* bad ihl */
		{TCP, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 2, .cut = 20, .id = 3}, /* total len */
		{TCP, IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1, 2, .vlan = true, .id = 4},
		{.ether = 0x0806, .cut = 10}, /* ARP cut short */
	};
	uint16_t out[4];

	setup(PRX_ACL_DENY, PRX_ACL_NONIP_PASS, rules, 1);
	CU_ASSERT_EQUAL_FATAL(run(s, 5, out), 1);
	CU_ASSERT_EQUAL(out[0], 4);
	CU_ASSERT_EQUAL(pp.st.drop[PRX_DROP_RUNT], 1);
	CU_ASSERT_EQUAL(pp.st.drop[PRX_DROP_BAD_IHL], 1);
	CU_ASSERT_EQUAL(pp.st.drop[PRX_DROP_BAD_TOTAL_LEN], 1);
	CU_ASSERT_EQUAL(pp.st.drop[PRX_DROP_BAD_ARP], 1);
	CU_ASSERT_EQUAL(denied(), 0);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 1);
	CU_ASSERT_EQUAL(acl->stats[1].dropped, 4);
	teardown();
}

/* A full burst of mixed frames leaves in arrival order; counters per reactor add up. */
static void
test_order_and_reactors(void)
{
	static const char *const rules[] = {"deny proto udp dport 9"};
	struct pkt s[PRX_BURST_MAX];
	uint16_t out[PRX_BURST_MAX];
	unsigned int n, want = 0;

	setup(PRX_ACL_ALLOW, PRX_ACL_NONIP_PASS, rules, 1);
	for (unsigned int i = 0; i < PRX_BURST_MAX; i++) {
		s[i] = (struct pkt){UDP, IP(1, 1, 1, 1),	IP(2, 2, 2, 2),
				    7,	 (uint16_t)(i % 3 + 8), .id = (uint16_t)i};
		if (i % 5 == 0)
			s[i] = (struct pkt){.ether = 0x0806, .src = 1, .dst = 2};
	}
	n = run(s, PRX_BURST_MAX, out);
	for (unsigned int i = 0; i < PRX_BURST_MAX; i++) {
		if (s[i].ether == 0 && s[i].dport == 9)
			continue;
		CU_ASSERT(want < n && out[want] == (s[i].ether ? 0xffff : s[i].id));
		want++;
	}
	CU_ASSERT_EQUAL(n, want);
	/* the same burst on reactor 0 */
	pp.id = 0;
	CU_ASSERT_EQUAL(run(s, PRX_BURST_MAX, NULL), want);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 2 * (PRX_BURST_MAX - want));
	/* a reactor beyond the lcores: filtered, not counted */
	pp.id = 2;
	CU_ASSERT_EQUAL(run(s, PRX_BURST_MAX, NULL), want);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 2 * (PRX_BURST_MAX - want));
	teardown();
}

/* The linear reference: the first rule of `r` that matches, n when none does. */
static unsigned int
ref_match(const struct prx_acl_rule *r, unsigned int n, const struct pkt *p)
{
	bool later = (p->frag & 0x1fff) != 0;

	for (unsigned int i = 0; i < n; i++, r++) {
		uint32_t ms = r->src_len ? UINT32_MAX << (32 - r->src_len) : 0;
		uint32_t md = r->dst_len ? UINT32_MAX << (32 - r->dst_len) : 0;

		if (!r->any_proto && r->proto != p->proto)
			continue;
		if ((p->src & ms) != r->src || (p->dst & md) != r->dst)
			continue;
		if (prx_acl_rule_has_ports(r) &&
		    (later || p->sport < r->sport_lo || p->sport > r->sport_hi ||
		     p->dport < r->dport_lo || p->dport > r->dport_hi))
			continue;
		return i;
	}
	return n;
}

static uint32_t
rnd(void)
{
	return (uint32_t)random();
}

/* 400 random rules, 4000 packets near them: rte_acl agrees with the reference. */
static void
test_random_against_reference(void)
{
	enum { N_RULES = 400, N_PKTS = 4000 };
	static const uint8_t protos[] = {TCP, UDP, ICMP, 47};
	struct prx_conf_acl conf = {.def = PRX_ACL_DENY};
	struct prx_acl_rule *r = calloc(N_RULES, sizeof(*r));
	uint64_t hits[N_RULES + 1] = {0};
	char msg[256];

	CU_ASSERT_FATAL(r != NULL);
	srandom(42);
	for (unsigned int i = 0; i < N_RULES; i++) {
		uint8_t sl = (uint8_t)(rnd() % 4 * 8), dl = (uint8_t)(16 + rnd() % 17);

		r[i] = (struct prx_acl_rule){.action = (uint8_t)(rnd() & 1), .any_proto = true};
		r[i].src_len = sl;
		r[i].src =
			sl ? (IP(10, rnd() % 4, rnd() % 4, rnd() % 4) & (UINT32_MAX << (32 - sl)))
			   : 0;
		r[i].dst_len = dl;
		r[i].dst = IP(10, 1, rnd() % 4, rnd() % 8) & (UINT32_MAX << (32 - dl));
		r[i].sport_hi = r[i].dport_hi = 65535;
		if (rnd() % 4 != 0) {
			r[i].any_proto = false;
			r[i].proto = protos[rnd() % 4];
		}
		if (!r[i].any_proto && (r[i].proto == TCP || r[i].proto == UDP) && rnd() % 2) {
			r[i].dport_lo = (uint16_t)(rnd() % 100);
			r[i].dport_hi = (uint16_t)(r[i].dport_lo + rnd() % 20);
			if (rnd() % 3 == 0) {
				r[i].sport_lo = (uint16_t)(1000 + rnd() % 100);
				r[i].sport_hi = (uint16_t)(r[i].sport_lo + rnd() % 1000);
			}
		}
	}
	conf.rules = r;
	conf.n_rules = N_RULES;
	setup(PRX_ACL_DENY, PRX_ACL_NONIP_PASS, NULL, 0);
	prx_handler_free(acl);
	CU_ASSERT_EQUAL_FATAL(prx_acl_create("fw", &conf, &acl, msg, sizeof(msg)), 0);
	chain.h[0] = acl;
	for (unsigned int i = 0; i < N_PKTS; i += 32) {
		struct pkt s[32];
		unsigned int allowed = 0;

		for (unsigned int j = 0; j < 32; j++) {
			s[j] = (struct pkt){.proto = protos[rnd() % 4],
					    .src = IP(10, rnd() % 4, rnd() % 4, rnd() % 4),
					    .dst = IP(10, 1, rnd() % 4, rnd() % 8),
					    .sport = (uint16_t)(1000 + rnd() % 1200),
					    .dport = (uint16_t)(rnd() % 120),
					    .frag = rnd() % 8 == 0 ? 100 : 0};
			if (s[j].proto != TCP && s[j].proto != UDP)
				s[j].sport = s[j].dport = 0;
			unsigned int m = ref_match(r, N_RULES, &s[j]);

			hits[m]++;
			allowed += (m == N_RULES ? conf.def : r[m].action) == PRX_ACL_ALLOW;
		}
		CU_ASSERT_EQUAL(run(s, 32, NULL), allowed);
	}
	for (unsigned int i = 0; i <= N_RULES; i++)
		if (prx_acl_hits(acl, i) != hits[i]) {
			fprintf(stderr, "\nrule %u: %lu hits, reference %lu\n", i,
				(unsigned long)prx_acl_hits(acl, i), (unsigned long)hits[i]);
			CU_FAIL("hits differ from the reference");
			break;
		}
	free(r);
	teardown();
}

/* Two instances built from the same rules are separate rte_acl contexts. */
static void
test_generations(void)
{
	static const char *const rules[] = {"deny proto tcp"};
	const struct pkt s[] = {{TCP, 1, 2, 3, 4, .id = 1}};
	struct prx_handler *second;
	char msg[256];

	setup(PRX_ACL_ALLOW, PRX_ACL_NONIP_PASS, rules, 1);
	CU_ASSERT_EQUAL_FATAL(prx_acl_create("fw", prx_acl_conf(acl), &second, msg, sizeof(msg)),
			      0);
	CU_ASSERT(prx_acl_gen(second) > prx_acl_gen(acl));
	prx_handler_free(acl);
	acl = second;
	chain.h[0] = acl;
	CU_ASSERT_EQUAL(run(s, 1, NULL), 0);
	CU_ASSERT_EQUAL(prx_acl_hits(acl, 0), 1);
	CU_ASSERT(!prx_acl_is(fwd));
	CU_ASSERT_PTR_NULL(prx_acl_conf(fwd));
	teardown();
}

const struct prx_test_case acl_handler_cases[] = {
	PRX_TEST(test_first_match),
	PRX_TEST(test_default_action),
	PRX_TEST(test_non_ipv4),
	PRX_TEST(test_fragments),
	PRX_TEST(test_malformed),
	PRX_TEST(test_order_and_reactors),
	PRX_TEST(test_random_against_reference),
	PRX_TEST(test_generations),
	{NULL, NULL},
};

int
main(void)
{
	static struct prx_test_case all[64];
	const struct prx_test_case *sets[] = {acl_rules_cases, acl_handler_cases, acl_ctl_cases};
	unsigned int n = 0;
	int rc;

	for (size_t i = 0; i < PRX_ARRAY_SIZE(sets); i++)
		for (const struct prx_test_case *c = sets[i]; c->name != NULL; c++)
			all[n++] = *c;
	all[n] = (struct prx_test_case){NULL, NULL};
	snprintf(acl_dir, sizeof(acl_dir), "/tmp/prx-ut-acl.XXXXXX");
	if (mkdtemp(acl_dir) == NULL)
		return 2;
	rc = prx_test_run("acl", all, 1);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", acl_dir);
		if (system(cmd) != 0)
			rc = rc ? rc : 2;
	}
	return rc;
}
