/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl: IPv4 5-tuple rules with rte_acl (prx_acl.h, docs/acl.md).
 *
 * Per burst: parse every frame, build one key per IPv4 packet, one rte_acl_classify()
 * for all of them, then dispose of the packets in their order of arrival (a burst may
 * mix IPv4 and ARP: passing ARP first would reorder nothing that matters, but keeping
 * the order costs nothing).  rte_acl returns the highest-priority matching rule; rule i
 * of n gets priority n - i, so the first matching rule wins.  Its userdata (i + 1, 0 =
 * no match) indexes the verdict table and this reactor's row of hit counters.
 *
 * Later IPv4 fragments have no ports.  A sixth field, `frag`, keeps rules that restrict
 * ports from matching them: such a rule requires frag bit 0 clear, other rules ignore
 * the field, and a later fragment's key sets it.
 */
#include "prx_acl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "prx_parse.h"

/* What rte_acl reads of a packet, network byte order: the first field is one byte, the
 * others come in groups of four bytes (rte_acl's input_index). */
struct acl_key {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
	uint32_t frag; /* 1: a later fragment (no ports) */
};

enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F_FRAG, F_NUM };

RTE_ACL_RULE_DEF(acl_rule, F_NUM);

static const struct rte_acl_field_def field_defs[F_NUM] = {
	{.type = RTE_ACL_FIELD_TYPE_BITMASK,
	 .size = sizeof(uint8_t),
	 .field_index = F_PROTO,
	 .input_index = 0,
	 .offset = offsetof(struct acl_key, proto)},
	{.type = RTE_ACL_FIELD_TYPE_MASK,
	 .size = sizeof(uint32_t),
	 .field_index = F_SRC,
	 .input_index = 1,
	 .offset = offsetof(struct acl_key, src)},
	{.type = RTE_ACL_FIELD_TYPE_MASK,
	 .size = sizeof(uint32_t),
	 .field_index = F_DST,
	 .input_index = 2,
	 .offset = offsetof(struct acl_key, dst)},
	{.type = RTE_ACL_FIELD_TYPE_RANGE,
	 .size = sizeof(uint16_t),
	 .field_index = F_SPORT,
	 .input_index = 3,
	 .offset = offsetof(struct acl_key, sport)},
	{.type = RTE_ACL_FIELD_TYPE_RANGE,
	 .size = sizeof(uint16_t),
	 .field_index = F_DPORT,
	 .input_index = 3,
	 .offset = offsetof(struct acl_key, dport)},
	{.type = RTE_ACL_FIELD_TYPE_BITMASK,
	 .size = sizeof(uint32_t),
	 .field_index = F_FRAG,
	 .input_index = 4,
	 .offset = offsetof(struct acl_key, frag)},
};

struct acl_priv {
	struct rte_acl_ctx *ctx; /* NULL when there are no rules */
	uint8_t *verdict;	 /* [0] the default, [i + 1] rule i: enum prx_acl_action */
	uint64_t *hits;		 /* reactor r's row at r * stride: [0] default, [i + 1] rule i */
	uint32_t stride;	 /* counters per row, a whole number of cache lines */
	uint16_t n_rows;	 /* reactors with a row */
	bool non_ip_default;	 /* non-IPv4 frames get the default action */
	uint64_t gen;
	struct prx_conf_acl *conf;
};

static uint64_t acl_generation;

/* Per-packet outcome of the first pass: an index into the keys, or one of these. */
#define SLOT_DROPPED 0xffff
#define SLOT_PASS 0xfffe
#define SLOT_DEFAULT 0xfffd

static void
acl_process(struct prx_pipe *p, const struct prx_handler *h, struct rte_mbuf **pkts, uint16_t n)
{
	const struct acl_priv *a = h->priv;
	struct acl_key keys[PRX_BURST_MAX];
	const uint8_t *data[PRX_BURST_MAX];
	uint32_t res[PRX_BURST_MAX];
	uint16_t slot[PRX_BURST_MAX];
	uint64_t *hits = likely(p->id < a->n_rows) ? a->hits + (size_t)p->id * a->stride : NULL;
	uint16_t k = 0, i;

	for (i = 0; i < n && i < 4; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct prx_pkt_info pi;
		int rc;

		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		rc = prx_parse_mbuf(pkts[i], &pi);
		if (unlikely(rc != 0)) {
			prx_pkt_drop(p, pkts[i], (enum prx_drop_reason)rc);
			slot[i] = SLOT_DROPPED;
			continue;
		}
		if (unlikely(pi.l3 != PRX_L3_IPV4)) {
			slot[i] = a->non_ip_default ? SLOT_DEFAULT : SLOT_PASS;
			continue;
		}
		keys[k] = (struct acl_key){.proto = pi.l4_proto, .src = pi.src4, .dst = pi.dst4};
		if (likely(pi.first_fragment)) {
			keys[k].sport = rte_cpu_to_be_16(pi.sport);
			keys[k].dport = rte_cpu_to_be_16(pi.dport);
		} else {
			keys[k].frag = rte_cpu_to_be_32(1);
		}
		data[k] = (const uint8_t *)&keys[k];
		slot[i] = k++;
	}
	/* classify only fails on bad arguments; then (and without rules) the default */
	if (k > 0 && (a->ctx == NULL || unlikely(rte_acl_classify(a->ctx, data, res, k, 1) != 0)))
		memset(res, 0, k * sizeof(res[0]));
	for (i = 0; i < n; i++) {
		uint32_t u;

		if (slot[i] == SLOT_DROPPED)
			continue;
		if (slot[i] == SLOT_PASS) {
			prx_pkt_next(p, pkts[i]);
			continue;
		}
		u = slot[i] == SLOT_DEFAULT ? 0 : res[slot[i]];
		if (likely(hits != NULL))
			prx_counter_add(&hits[u], 1);
		if (a->verdict[u] == PRX_ACL_ALLOW)
			prx_pkt_next(p, pkts[i]);
		else
			prx_pkt_drop(p, pkts[i], PRX_DROP_ACL_DENY);
	}
}

static void
acl_destroy(struct prx_handler *h)
{
	struct acl_priv *a = h->priv;

	rte_acl_free(a->ctx);
	free(a->verdict);
	free(a->hits);
	prx_conf_acl_free(a->conf);
}

static void
rule_to_acl(const struct prx_acl_rule *r, uint32_t i, uint32_t n, struct acl_rule *ar)
{
	ar->data.category_mask = 1;
	ar->data.priority = (int32_t)(n - i); /* first rule: highest */
	ar->data.userdata = i + 1;
	ar->field[F_PROTO].value.u8 = r->any_proto ? 0 : r->proto;
	ar->field[F_PROTO].mask_range.u8 = r->any_proto ? 0 : 0xff;
	ar->field[F_SRC].value.u32 = r->src;
	ar->field[F_SRC].mask_range.u32 = r->src_len;
	ar->field[F_DST].value.u32 = r->dst;
	ar->field[F_DST].mask_range.u32 = r->dst_len;
	ar->field[F_SPORT].value.u16 = r->sport_lo;
	ar->field[F_SPORT].mask_range.u16 = r->sport_hi;
	ar->field[F_DPORT].value.u16 = r->dport_lo;
	ar->field[F_DPORT].mask_range.u16 = r->dport_hi;
	/* frag bit clear required only where ports are: later fragments have none */
	ar->field[F_FRAG].value.u32 = 0;
	ar->field[F_FRAG].mask_range.u32 = prx_acl_rule_has_ports(r) ? 1 : 0;
}

/* A new rte_acl context with every rule, built. */
static int
build_ctx(struct acl_priv *a, const char *name, char *msg, size_t len)
{
	const struct prx_conf_acl *c = a->conf;
	struct rte_acl_config cfg = {.num_categories = 1, .num_fields = F_NUM};
	char ctx_name[RTE_ACL_NAMESIZE];
	struct rte_acl_param prm = {
		.name = ctx_name,
		.socket_id = SOCKET_ID_ANY,
		.rule_size = RTE_ACL_RULE_SZ(F_NUM),
		.max_rule_num = c->n_rules,
	};
	struct acl_rule *rules;
	int rc;

	/* rte_acl_create() returns the live context of an existing name: never reuse one */
	snprintf(ctx_name, sizeof(ctx_name), "acl_%.10s_%" PRIx64, name, a->gen);
	rules = calloc(c->n_rules, sizeof(*rules));
	if (rules == NULL) {
		snprintf(msg, len, "acl %s: out of memory for %u rules", name, c->n_rules);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < c->n_rules; i++)
		rule_to_acl(&c->rules[i], i, c->n_rules, &rules[i]);
	a->ctx = rte_acl_create(&prm);
	if (a->ctx == NULL) {
		rc = rte_errno != 0 ? rte_errno : ENOMEM;
		free(rules);
		snprintf(msg, len, "acl %s: rte_acl_create: %s", name, rte_strerror(rc));
		return -rc;
	}
	rc = rte_acl_add_rules(a->ctx, (const struct rte_acl_rule *)(const void *)rules,
			       c->n_rules);
	free(rules);
	if (rc == 0) {
		memcpy(cfg.defs, field_defs, sizeof(field_defs));
		rc = rte_acl_build(a->ctx, &cfg);
	}
	if (rc != 0) {
		snprintf(msg, len, "acl %s: building %u rules: %s", name, c->n_rules,
			 strerror(-rc));
		return rc;
	}
	return 0;
}

int
prx_acl_create(const char *name, const struct prx_conf_acl *conf, struct prx_handler **out,
	       char *msg, size_t len)
{
	unsigned int lcores = rte_lcore_count();
	struct prx_handler *h;
	struct acl_priv *a;
	size_t row;
	int rc;

	*out = NULL;
	if (conf == NULL || conf->n_rules > PRX_ACL_MAX_RULES ||
	    (conf->n_rules > 0 && conf->rules == NULL)) {
		snprintf(msg, len, "acl %s: invalid settings", name);
		return -EINVAL;
	}
	rc = prx_handler_alloc(name, "acl", acl_process, sizeof(*a), &h);
	if (rc != 0) {
		snprintf(msg, len, "acl %s: %s", name, strerror(-rc));
		return rc;
	}
	h->destroy = acl_destroy;
	a = h->priv;
	a->gen = __atomic_add_fetch(&acl_generation, 1, __ATOMIC_RELAXED);
	a->non_ip_default = conf->non_ipv4 == PRX_ACL_NONIP_DEFAULT;
	/* reactor ids are below the lcore count (the control thread has an lcore too) */
	a->n_rows = (uint16_t)RTE_MAX(1u, RTE_MIN(lcores, (unsigned int)PRX_MAX_REACTORS));
	a->stride = RTE_ALIGN_CEIL(conf->n_rules + 1, RTE_CACHE_LINE_SIZE / sizeof(uint64_t));
	row = (size_t)a->stride * sizeof(uint64_t);
	a->hits = aligned_alloc(RTE_CACHE_LINE_SIZE, row * a->n_rows);
	a->verdict = malloc(conf->n_rules + 1);
	rc = prx_conf_acl_dup(&a->conf, conf);
	if (a->hits == NULL || a->verdict == NULL || rc != 0) {
		snprintf(msg, len, "acl %s: out of memory for %u rules", name, conf->n_rules);
		prx_handler_free(h);
		return -ENOMEM;
	}
	memset(a->hits, 0, row * a->n_rows);
	a->verdict[0] = (uint8_t)conf->def;
	for (unsigned int i = 0; i < conf->n_rules; i++)
		a->verdict[i + 1] = conf->rules[i].action;
	if (conf->n_rules > 0) {
		rc = build_ctx(a, name, msg, len);
		if (rc != 0) {
			prx_handler_free(h);
			return rc;
		}
	}
	*out = h;
	return 0;
}

bool
prx_acl_is(const struct prx_handler *h)
{
	return h != NULL && h->process == acl_process;
}

const struct prx_conf_acl *
prx_acl_conf(const struct prx_handler *h)
{
	return prx_acl_is(h) ? ((const struct acl_priv *)h->priv)->conf : NULL;
}

uint64_t
prx_acl_gen(const struct prx_handler *h)
{
	return prx_acl_is(h) ? ((const struct acl_priv *)h->priv)->gen : 0;
}

uint64_t
prx_acl_hits(const struct prx_handler *h, unsigned int i)
{
	const struct acl_priv *a;
	unsigned int col;
	uint64_t sum = 0;

	if (!prx_acl_is(h))
		return 0;
	a = h->priv;
	if (i > a->conf->n_rules)
		return 0;
	col = i == a->conf->n_rules ? 0 : i + 1;
	for (unsigned int r = 0; r < a->n_rows; r++)
		sum += prx_counter_read(&a->hits[(size_t)r * a->stride + col]);
	return sum;
}

void
prx_acl_describe(const struct prx_handler *h, char *buf, size_t len)
{
	const struct prx_conf_acl *c = prx_acl_conf(h);

	if (c == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "default=%s rules=%u non_ipv4=%s", prx_acl_action_name(c->def),
		 c->n_rules, prx_acl_non_ipv4_name(c->non_ipv4));
}
