/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Settings of an `acl` handler: stateless IPv4 5-tuple rules, first match wins, a
 * default action when none matches (docs/acl.md, config/README.md).
 *
 *   { name = "fw"; type = "acl"; default = "allow";
 *     rules = ( { action = "deny"; proto = "tcp"; dst_port = "5201"; } );
 *     rules_file = "fw.rules"; }
 *
 * The same rules, one per line, in a rule file (`rules_file`, `prxctl acl load`):
 *
 *   deny proto tcp dst 10.0.2.0/24 dport 5201      # comment
 *
 * Parsing lives in lib/conf/conf_acl.c; the handler in lib/handlers/acl.c.
 */
#ifndef PRX_CONF_ACL_H
#define PRX_CONF_ACL_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_conf.h"

/** Most rules of one ACL (inline and file together). */
#define PRX_ACL_MAX_RULES 65536

/** What a rule (or the default) does with a packet. */
enum prx_acl_action {
	PRX_ACL_ALLOW = 0, /**< pass it on to the next handler of the chain */
	PRX_ACL_DENY,	   /**< drop it (acl_deny) */
};

/** What happens to frames that are not IPv4 (ARP, IPv6, other EtherTypes). */
enum prx_acl_non_ipv4 {
	PRX_ACL_NONIP_PASS = 0, /**< passed on unfiltered (default) */
	PRX_ACL_NONIP_DEFAULT,	/**< the default action applies */
};

/** Where a rule was written. */
enum prx_acl_origin {
	PRX_ACL_FROM_CONFIG = 0, /**< `rules` of the configuration */
	PRX_ACL_FROM_FILE,	 /**< a rule file (`rules_file`, `prxctl acl load`) */
};

/** One rule.  Wildcards: any_proto, a /0 prefix, the port range 0-65535. */
struct prx_acl_rule {
	uint8_t action;		     /**< enum prx_acl_action */
	bool any_proto;		     /**< no `proto`: every IPv4 protocol */
	uint8_t proto;		     /**< IPv4 protocol number (when !any_proto) */
	uint8_t src_len;	     /**< source prefix length, 0..32 (0: any) */
	uint8_t dst_len;	     /**< destination prefix length */
	uint8_t origin;		     /**< enum prx_acl_origin */
	uint32_t src, dst;	     /**< prefixes, host byte order, host bits zero */
	uint16_t sport_lo, sport_hi; /**< source port range, inclusive (TCP/UDP only) */
	uint16_t dport_lo, dport_hi; /**< destination port range */
	uint32_t line;		     /**< line in the configuration or the rule file */
};

/** A rule restricts ports (and then needs proto tcp or udp). */
static inline bool
prx_acl_rule_has_ports(const struct prx_acl_rule *r)
{
	return r->sport_lo != 0 || r->sport_hi != 65535 || r->dport_lo != 0 || r->dport_hi != 65535;
}

/** `type = "acl"`. */
struct prx_conf_acl {
	enum prx_acl_action def;	/**< `default`, required */
	enum prx_acl_non_ipv4 non_ipv4; /**< `non_ipv4`, default "pass" */
	char *config_file;		/**< the file the handler's group is in, or NULL */
	char *rules_file;		/**< `rules_file` resolved, or NULL */
	unsigned int n_rules;		/**< inline rules first, then the file's */
	struct prx_acl_rule *rules;
};

/** "allow" / "deny". */
const char *prx_acl_action_name(enum prx_acl_action a);
/** "pass" / "default". */
const char *prx_acl_non_ipv4_name(enum prx_acl_non_ipv4 v);

/**
 * Parse one line of a rule file into *r (origin FROM_FILE, line not set).
 * @return 1 with *r set, 0 for a blank or comment-only line, -EINVAL with the reason in
 *   `why` (no FILE:LINE prefix).
 */
int prx_acl_rule_parse(const char *line, struct prx_acl_rule *r, char *why, size_t len);

/**
 * Read a rule file.  On success *rules (free() it; NULL when *n is 0) and *n.
 * @return 0; -EINVAL with every problem in err as "FILE:LINE: reason" (file order);
 *   -errno of the file ("FILE: reason"); -E2BIG past PRX_ACL_MAX_RULES; -ENOMEM.
 *   On failure nothing is returned in *rules.
 */
int prx_acl_rules_load(const char *path, struct prx_acl_rule **rules, unsigned int *n,
		       struct prx_conf_errors *err);

/** A rule in rule-file syntax ("deny proto tcp dst 10.0.2.0/24 dport 5201"). */
void prx_acl_rule_format(const struct prx_acl_rule *r, char *buf, size_t len);

/** Text of a prefix ("10.0.0.0/8", "any") or a port range ("5201", "1024-65535", "any"). */
void prx_acl_prefix_format(uint32_t addr, uint8_t len, char *buf, size_t size);
void prx_acl_ports_format(uint16_t lo, uint16_t hi, char *buf, size_t size);
/** Text of a protocol ("tcp", "udp", "icmp", "47", "any"). */
void prx_acl_proto_format(const struct prx_acl_rule *r, char *buf, size_t size);

/**
 * EAL memory the configuration's ACLs need (MiB): rte_acl takes about 1 KiB of EAL heap
 * per rule (measured, docs/acl.md); counted twice, since a live load builds the new
 * context while the old one still runs, with a margin for rule sets that build worse.
 */
unsigned int prx_conf_acl_memory_mb(const struct prx_conf *conf);

/** Deep copy (NULL src gives NULL *dst).  0 or -ENOMEM. */
int prx_conf_acl_dup(struct prx_conf_acl **dst, const struct prx_conf_acl *src);
/** Free a copy (NULL is fine). */
void prx_conf_acl_free(struct prx_conf_acl *a);
/** Same default, non_ipv4 and rules (what they match and do; lines and files aside). */
bool prx_conf_acl_equal(const struct prx_conf_acl *a, const struct prx_conf_acl *b);

#endif /* PRX_CONF_ACL_H */
