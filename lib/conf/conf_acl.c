/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `acl` handler's settings (prx_conf_acl.h): the rule syntax shared by the
 * configuration's `rules` and rule files, the rule-file reader, and the handler group's
 * parser (called from conf_handlers.c).
 *
 * A value means the same wherever it is written: `proto` tcp|udp|icmp|any|0..255,
 * prefixes "10.0.0.0/8", "10.0.0.1" (a /32) or "any", ports "5201", "1024-65535" or
 * "any".  A prefix with host bits set is an error (a typo in a firewall rule should not
 * silently widen it), and so are ports without proto tcp or udp (other protocols have
 * none: such a rule could never match).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "conf_internal.h"
#include "prx_conf_acl.h"

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17

static const char *const action_names[] = {"allow", "deny"};
static const char *const non_ipv4_names[] = {"pass", "default"};
static const char *const acl_keys[] = {"name",	"type",	      "default", "non_ipv4",
				       "rules", "rules_file", "offload", NULL};
static const char *const rule_keys[] = {"action",   "proto",	"src", "dst",
					"src_port", "dst_port", NULL};

const char *
prx_acl_action_name(enum prx_acl_action a)
{
	return prx_name_of(action_names, PRX_ARRAY_SIZE(action_names), a);
}

const char *
prx_acl_non_ipv4_name(enum prx_acl_non_ipv4 v)
{
	return prx_name_of(non_ipv4_names, PRX_ARRAY_SIZE(non_ipv4_names), v);
}

static int say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A decimal number of 1..5 digits, <= max. */
static bool
number(const char *s, size_t n, unsigned long max, unsigned long *v)
{
	unsigned long x = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	if (x > max)
		return false;
	*v = x;
	return true;
}

static int
parse_proto(const char *s, struct prx_acl_rule *r, char *why, size_t len)
{
	static const struct {
		const char *name;
		uint8_t proto;
	} names[] = {{"tcp", PROTO_TCP}, {"udp", PROTO_UDP}, {"icmp", PROTO_ICMP}};
	unsigned long v;

	r->any_proto = false;
	if (strcmp(s, "any") == 0) {
		r->any_proto = true;
		r->proto = 0;
		return 0;
	}
	for (size_t i = 0; i < PRX_ARRAY_SIZE(names); i++) {
		if (strcmp(s, names[i].name) == 0) {
			r->proto = names[i].proto;
			return 0;
		}
	}
	if (number(s, strlen(s), 255, &v)) {
		r->proto = (uint8_t)v;
		return 0;
	}
	return say(why, len, "\"%.40s\" is not a protocol (tcp, udp, icmp, any or 0..255)", s);
}

static int
parse_prefix(const char *s, uint32_t *addr, uint8_t *plen, char *why, size_t len)
{
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	char buf[INET_ADDRSTRLEN];
	unsigned long l = 32;
	struct in_addr a;
	uint32_t host, mask;

	if (strcmp(s, "any") == 0) {
		*addr = 0;
		*plen = 0;
		return 0;
	}
	if (n >= sizeof(buf) || (slash != NULL && !number(slash + 1, strlen(slash + 1), 32, &l)))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		goto bad;
	host = ntohl(a.s_addr);
	mask = l == 0 ? 0 : UINT32_MAX << (32 - l);
	if ((host & ~mask) != 0) {
		char net[INET_ADDRSTRLEN];

		a.s_addr = htonl(host & mask);
		inet_ntop(AF_INET, &a, net, sizeof(net));
		return say(why, len, "\"%s\" has host bits set (%s/%lu?)", s, net, l);
	}
	*addr = host;
	*plen = (uint8_t)l;
	return 0;
bad:
	return say(why, len,
		   "\"%.40s\" is not an IPv4 prefix (\"10.0.0.0/8\", \"10.0.0.1\" or \"any\")", s);
}

static int
parse_ports(const char *s, uint16_t *lo, uint16_t *hi, char *why, size_t len)
{
	const char *dash = strchr(s, '-');
	unsigned long a, b;

	if (strcmp(s, "any") == 0) {
		*lo = 0;
		*hi = 65535;
		return 0;
	}
	if (dash == NULL) {
		if (!number(s, strlen(s), 65535, &a))
			goto bad;
		b = a;
	} else if (!number(s, (size_t)(dash - s), 65535, &a) ||
		   !number(dash + 1, strlen(dash + 1), 65535, &b)) {
		goto bad;
	}
	if (a > b)
		return say(why, len, "port range \"%s\" is reversed", s);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
bad:
	return say(why, len,
		   "\"%.40s\" is not a port or port range (0..65535, \"1024-65535\" or \"any\")",
		   s);
}

static void
rule_init(struct prx_acl_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->any_proto = true;
	r->sport_hi = r->dport_hi = 65535;
}

static bool
ports_ok(const struct prx_acl_rule *r)
{
	return !prx_acl_rule_has_ports(r) ||
	       (!r->any_proto && (r->proto == PROTO_TCP || r->proto == PROTO_UDP));
}

#define PORTS_NEED_PROTO "ports need proto tcp or udp"

/* --- rule files --- */

enum { K_PROTO, K_SRC, K_DST, K_SPORT, K_DPORT, K_MAX };
static const char *const line_keys[K_MAX] = {"proto", "src", "dst", "sport", "dport"};

static int
line_value(struct prx_acl_rule *r, int k, const char *v, char *why, size_t len)
{
	switch (k) {
	case K_PROTO:
		return parse_proto(v, r, why, len);
	case K_SRC:
		return parse_prefix(v, &r->src, &r->src_len, why, len);
	case K_DST:
		return parse_prefix(v, &r->dst, &r->dst_len, why, len);
	case K_SPORT:
		return parse_ports(v, &r->sport_lo, &r->sport_hi, why, len);
	default:
		return parse_ports(v, &r->dport_lo, &r->dport_hi, why, len);
	}
}

int
prx_acl_rule_parse(const char *line, struct prx_acl_rule *r, char *why, size_t len)
{
	static const char blanks[] = " \t\r\n\v\f";
	char buf[1024], *save = NULL, *tok;
	bool seen[K_MAX] = {false};
	size_t n = strcspn(line, "#");
	int k;

	if (n >= sizeof(buf))
		return say(why, len, "line longer than %zu characters", sizeof(buf) - 1);
	memcpy(buf, line, n);
	buf[n] = '\0';
	tok = strtok_r(buf, blanks, &save);
	if (tok == NULL)
		return 0;
	rule_init(r);
	r->origin = PRX_ACL_FROM_FILE;
	if (strcmp(tok, "allow") == 0)
		r->action = PRX_ACL_ALLOW;
	else if (strcmp(tok, "deny") == 0)
		r->action = PRX_ACL_DENY;
	else
		return say(why, len, "\"%.40s\" is not an action (allow or deny)", tok);
	while ((tok = strtok_r(NULL, blanks, &save)) != NULL) {
		const char *v;

		for (k = 0; k < K_MAX && strcmp(tok, line_keys[k]) != 0; k++)
			;
		if (k == K_MAX)
			return say(why, len,
				   "unknown keyword \"%.40s\" (proto, src, dst, sport, dport)",
				   tok);
		if (seen[k])
			return say(why, len, "\"%s\" given twice", line_keys[k]);
		seen[k] = true;
		v = strtok_r(NULL, blanks, &save);
		if (v == NULL)
			return say(why, len, "\"%s\" needs a value", line_keys[k]);
		if (line_value(r, k, v, why, len) < 0)
			return -EINVAL;
	}
	if (!ports_ok(r))
		return say(why, len, PORTS_NEED_PROTO);
	return 1;
}

static void add_err(struct prx_conf_errors *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
add_err(struct prx_conf_errors *err, const char *fmt, ...)
{
	va_list ap;

	if (err->n < PRX_CONF_MAX_ERRORS) {
		va_start(ap, fmt);
		vsnprintf(err->msg[err->n], sizeof(err->msg[0]), fmt, ap);
		va_end(ap);
	}
	err->n++;
}

/* Open a rule file: a regular file or a FIFO (something must write it and close), not a
 * directory or a device (/dev/zero would never end). */
static FILE *
open_rules(const char *path, struct prx_conf_errors *err, int *rc)
{
	FILE *f = fopen(path, "r");
	struct stat st;

	*rc = 0;
	if (f == NULL) {
		*rc = -errno;
	} else if (fstat(fileno(f), &st) != 0) {
		*rc = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		*rc = -EISDIR;
	} else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		*rc = -EINVAL;
		add_err(err, "%s: not a regular file", path);
	}
	if (*rc == 0)
		return f;
	if (err->n == 0)
		add_err(err, "%s: %s", path, strerror(-*rc));
	if (f != NULL)
		fclose(f);
	return NULL;
}

static int
keep_rule(struct prx_acl_rule **v, unsigned int *count, unsigned int *cap,
	  const struct prx_acl_rule *r)
{
	if (*count == *cap) {
		unsigned int c = *cap ? *cap * 2 : 64;
		struct prx_acl_rule *nv = realloc(*v, c * sizeof(**v));

		if (nv == NULL)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*count)++] = *r;
	return 0;
}

/* Bounds of what is read: a line (longer ones are an error, their rest skipped) and the
 * whole file (65536 rules of 1 KiB). */
#define READ_LINE_MAX 4096
#define READ_FILE_MAX (64u << 20)

int
prx_acl_rules_load(const char *path, struct prx_acl_rule **rules, unsigned int *n,
		   struct prx_conf_errors *err)
{
	struct prx_acl_rule *v = NULL, r;
	unsigned int cap = 0, count = 0, lineno = 0;
	struct prx_conf_errors local;
	char line[READ_LINE_MAX], why[200];
	bool rest_of_long = false;
	size_t total = 0;
	FILE *f;
	int rc = 0;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	*rules = NULL;
	*n = 0;
	f = open_rules(path, err, &rc);
	if (f == NULL)
		return rc;
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		bool whole = (len > 0 && line[len - 1] == '\n') || feof(f);
		int got;

		total += len;
		if (total > READ_FILE_MAX) {
			add_err(err, "%s: longer than %u MiB", path, READ_FILE_MAX >> 20);
			break;
		}
		if (rest_of_long) { /* reported with its start */
			rest_of_long = !whole;
			continue;
		}
		lineno++;
		if (!whole) {
			add_err(err, "%s:%u: line longer than %d characters", path, lineno,
				READ_LINE_MAX - 2);
			rest_of_long = true;
			continue;
		}
		got = prx_acl_rule_parse(line, &r, why, sizeof(why));
		if (got < 0)
			add_err(err, "%s:%u: %s", path, lineno, why);
		if (got <= 0)
			continue;
		if (count == PRX_ACL_MAX_RULES) {
			add_err(err, "%s:%u: more than %d rules", path, lineno, PRX_ACL_MAX_RULES);
			break;
		}
		r.line = lineno;
		rc = keep_rule(&v, &count, &cap, &r);
	}
	if (rc == 0 && ferror(f)) {
		rc = -EIO;
		add_err(err, "%s: %s", path, strerror(EIO));
	}
	fclose(f);
	if (rc == -ENOMEM)
		add_err(err, "%s: %s", path, strerror(ENOMEM));
	if (rc == 0 && err->n > 0)
		rc = -EINVAL;
	if (rc != 0) {
		free(v);
		return rc;
	}
	*rules = v;
	*n = count;
	return 0;
}

/* --- formatting --- */

void
prx_acl_prefix_format(uint32_t addr, uint8_t len, char *buf, size_t size)
{
	struct in_addr a = {.s_addr = htonl(addr)};
	char s[INET_ADDRSTRLEN];

	if (len == 0) {
		snprintf(buf, size, "any");
		return;
	}
	inet_ntop(AF_INET, &a, s, sizeof(s));
	if (len == 32)
		snprintf(buf, size, "%s", s);
	else
		snprintf(buf, size, "%s/%u", s, len);
}

void
prx_acl_ports_format(uint16_t lo, uint16_t hi, char *buf, size_t size)
{
	if (lo == 0 && hi == 65535)
		snprintf(buf, size, "any");
	else if (lo == hi)
		snprintf(buf, size, "%u", lo);
	else
		snprintf(buf, size, "%u-%u", lo, hi);
}

void
prx_acl_proto_format(const struct prx_acl_rule *r, char *buf, size_t size)
{
	if (r->any_proto)
		snprintf(buf, size, "any");
	else if (r->proto == PROTO_TCP)
		snprintf(buf, size, "tcp");
	else if (r->proto == PROTO_UDP)
		snprintf(buf, size, "udp");
	else if (r->proto == PROTO_ICMP)
		snprintf(buf, size, "icmp");
	else
		snprintf(buf, size, "%u", r->proto);
}

void
prx_acl_rule_format(const struct prx_acl_rule *r, char *buf, size_t len)
{
	char v[24];
	int n = snprintf(buf, len, "%s", prx_acl_action_name(r->action));

#define PUT(key) \
	do { \
		if (n >= 0 && (size_t)n < len) \
			n += snprintf(buf + n, len - (size_t)n, " %s %s", key, v); \
	} while (0)
	if (!r->any_proto) {
		prx_acl_proto_format(r, v, sizeof(v));
		PUT("proto");
	}
	if (r->src_len != 0) {
		prx_acl_prefix_format(r->src, r->src_len, v, sizeof(v));
		PUT("src");
	}
	if (r->dst_len != 0) {
		prx_acl_prefix_format(r->dst, r->dst_len, v, sizeof(v));
		PUT("dst");
	}
	if (r->sport_lo != 0 || r->sport_hi != 65535) {
		prx_acl_ports_format(r->sport_lo, r->sport_hi, v, sizeof(v));
		PUT("sport");
	}
	if (r->dport_lo != 0 || r->dport_hi != 65535) {
		prx_acl_ports_format(r->dport_lo, r->dport_hi, v, sizeof(v));
		PUT("dport");
	}
#undef PUT
}

unsigned int
prx_conf_acl_memory_mb(const struct prx_conf *conf)
{
	uint64_t kib = 0;

	for (unsigned int i = 0; i < conf->n_handlers; i++) {
		const struct prx_conf_handler *h = &conf->handlers[i];

		if (h->type == PRX_HANDLER_ACL && h->u.acl != NULL && h->u.acl->n_rules > 0)
			kib += 2 * (1024 + 2 * (uint64_t)h->u.acl->n_rules);
	}
	return (unsigned int)((kib + 1023) / 1024);
}

/* --- copies --- */

static char *
dup_str(const char *s, bool *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	*fail |= d == NULL;
	return d;
}

int
prx_conf_acl_dup(struct prx_conf_acl **dst, const struct prx_conf_acl *src)
{
	struct prx_conf_acl *a;
	bool fail = false;

	*dst = NULL;
	if (src == NULL)
		return 0;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	*a = *src;
	a->rules = NULL;
	a->config_file = dup_str(src->config_file, &fail);
	a->rules_file = dup_str(src->rules_file, &fail);
	if (src->n_rules > 0) {
		a->rules = malloc(src->n_rules * sizeof(*a->rules));
		if (a->rules != NULL)
			memcpy(a->rules, src->rules, src->n_rules * sizeof(*a->rules));
		fail |= a->rules == NULL;
	}
	if (fail) {
		prx_conf_acl_free(a);
		return -ENOMEM;
	}
	*dst = a;
	return 0;
}

void
prx_conf_acl_free(struct prx_conf_acl *a)
{
	if (a == NULL)
		return;
	free(a->rules);
	free(a->config_file);
	free(a->rules_file);
	free(a);
}

static bool
rule_equal(const struct prx_acl_rule *x, const struct prx_acl_rule *y)
{
	return x->action == y->action && x->any_proto == y->any_proto && x->proto == y->proto &&
	       x->src == y->src && x->src_len == y->src_len && x->dst == y->dst &&
	       x->dst_len == y->dst_len && x->sport_lo == y->sport_lo &&
	       x->sport_hi == y->sport_hi && x->dport_lo == y->dport_lo &&
	       x->dport_hi == y->dport_hi;
}

bool
prx_conf_acl_equal(const struct prx_conf_acl *a, const struct prx_conf_acl *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->def != b->def || a->non_ipv4 != b->non_ipv4 || a->n_rules != b->n_rules)
		return false;
	for (unsigned int i = 0; i < a->n_rules; i++)
		if (!rule_equal(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

/* --- the handler group of the configuration --- */

/* The file and line a setting is written at. */
static void
where(struct prx__conf_ctx *ctx, const config_setting_t *s, const char **file, unsigned int *line)
{
	prx__conf_src_where(ctx->src, (unsigned int)config_setting_source_line(s), file, line);
}

/* A rule value written as a string, or as an integer where `max` >= 0. */
static int
rule_str(struct prx__conf_ctx *ctx, const config_setting_t *s, long long max, char *buf, size_t len)
{
	const char *str;
	long long v;

	if (max >= 0 && (config_setting_type(s) == CONFIG_TYPE_INT ||
			 config_setting_type(s) == CONFIG_TYPE_INT64)) {
		if (prx__conf_int(ctx, s, 0, max, false, &v) < 0)
			return -EINVAL;
		snprintf(buf, len, "%lld", v);
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		prx__conf_error(ctx, s, NULL,
				max >= 0 ? "expected a string or an integer" : "expected a string");
		return -EINVAL;
	}
	str = config_setting_get_string(s);
	snprintf(buf, len, "%s", str);
	return 0;
}

static void
parse_rule(struct prx__conf_ctx *ctx, const config_setting_t *g, struct prx_acl_rule *r)
{
	static const struct {
		const char *name;
		int key;
		long long max;
	} fields[] = {{"proto", K_PROTO, 255},
		      {"src", K_SRC, -1},
		      {"dst", K_DST, -1},
		      {"src_port", K_SPORT, 65535},
		      {"dst_port", K_DPORT, 65535}};
	const config_setting_t *s = config_setting_get_member(g, "action");
	bool good = true;
	char buf[64], why[200];
	const char *file;
	unsigned int a;

	rule_init(r);
	r->origin = PRX_ACL_FROM_CONFIG;
	where(ctx, g, &file, &r->line);
	prx__conf_keys(ctx, g, rule_keys);
	if (s == NULL) {
		prx__conf_error(ctx, g, "action", "missing required setting");
		good = false;
	} else if (prx__conf_enum(ctx, s, action_names, PRX_ARRAY_SIZE(action_names), &a) == 0) {
		r->action = (uint8_t)a;
	} else {
		good = false;
	}
	for (size_t i = 0; i < PRX_ARRAY_SIZE(fields); i++) {
		s = config_setting_get_member(g, fields[i].name);
		if (s == NULL)
			continue;
		if (rule_str(ctx, s, fields[i].max, buf, sizeof(buf)) < 0) {
			good = false;
		} else if (line_value(r, fields[i].key, buf, why, sizeof(why)) < 0) {
			prx__conf_error(ctx, s, NULL, "%s", why);
			good = false;
		}
	}
	/* only judged when proto and the ports were read */
	if (good && !ports_ok(r))
		prx__conf_error(ctx, g, NULL, PORTS_NEED_PROTO);
}

/* `rules_file`: relative to the folder of the file it is written in. */
static int
parse_rules_file(struct prx__conf_ctx *ctx, const config_setting_t *s, struct prx_conf_acl *a,
		 struct prx_acl_rule **rules, unsigned int *n)
{
	struct prx_conf_errors err;
	const char *str, *file, *slash;
	unsigned int line;
	int rc;

	if (prx__conf_string(ctx, s, &str) < 0)
		return 0;
	if (str[0] == '\0') {
		prx__conf_error(ctx, s, NULL, "empty file name");
		return 0;
	}
	where(ctx, s, &file, &line);
	slash = strrchr(file, '/');
	if (str[0] == '/' || slash == NULL)
		a->rules_file = strdup(str);
	else if (asprintf(&a->rules_file, "%.*s/%s", (int)(slash - file), file, str) < 0)
		a->rules_file = NULL;
	if (a->rules_file == NULL)
		return -ENOMEM;
	rc = prx_acl_rules_load(a->rules_file, rules, n, &err);
	if (rc == -ENOMEM)
		return rc;
	for (unsigned int i = 0; i < err.n && i < PRX_CONF_MAX_ERRORS; i++)
		prx__conf_error(ctx, s, NULL, "%s", err.msg[i]);
	if (err.n > PRX_CONF_MAX_ERRORS)
		prx__conf_error(ctx, s, NULL, "%u more errors in %s", err.n - PRX_CONF_MAX_ERRORS,
				a->rules_file);
	return 0;
}

/* Inline rules, then the file's. */
static int
parse_rules(struct prx__conf_ctx *ctx, const config_setting_t *g, struct prx_conf_acl *a)
{
	const config_setting_t *list = config_setting_get_member(g, "rules");
	const config_setting_t *file = config_setting_get_member(g, "rules_file");
	struct prx_acl_rule *frules = NULL;
	unsigned int n_inline = 0, n_file = 0;
	int rc = 0;

	if (list != NULL && prx__conf_group_list(ctx, list, 0, PRX_ACL_MAX_RULES) == 0)
		n_inline = (unsigned int)config_setting_length(list);
	if (file != NULL)
		rc = parse_rules_file(ctx, file, a, &frules, &n_file);
	if (rc != 0)
		return rc;
	if (n_inline + n_file > PRX_ACL_MAX_RULES) {
		prx__conf_error(ctx, g, NULL, "%u rules, at most %d", n_inline + n_file,
				PRX_ACL_MAX_RULES);
		free(frules);
		return 0;
	}
	if (n_inline + n_file == 0)
		return 0;
	a->rules = malloc((n_inline + n_file) * sizeof(*a->rules));
	if (a->rules == NULL) {
		free(frules);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n_inline; i++)
		parse_rule(ctx, config_setting_get_elem(list, i), &a->rules[i]);
	if (n_file > 0)
		memcpy(a->rules + n_inline, frules, n_file * sizeof(*frules));
	free(frules);
	a->n_rules = n_inline + n_file;
	return 0;
}

int
prx__conf_acl_parse(struct prx__conf_ctx *ctx, const config_setting_t *g,
		    struct prx_conf_handler *h)
{
	const config_setting_t *s;
	struct prx_conf_acl *a;
	unsigned int line, v;
	const char *file;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	h->u.acl = a;
	a->def = PRX_ACL_DENY;
	a->non_ipv4 = PRX_ACL_NONIP_PASS;
	where(ctx, g, &file, &line);
	a->config_file = strdup(file);
	if (a->config_file == NULL)
		return -ENOMEM;
	prx__conf_keys(ctx, g, acl_keys);
	s = config_setting_get_member(g, "default");
	if (s == NULL)
		prx__conf_error(ctx, g, "default", "missing required setting");
	else if (prx__conf_enum(ctx, s, action_names, PRX_ARRAY_SIZE(action_names), &v) == 0)
		a->def = (enum prx_acl_action)v;
	s = config_setting_get_member(g, "non_ipv4");
	if (s != NULL &&
	    prx__conf_enum(ctx, s, non_ipv4_names, PRX_ARRAY_SIZE(non_ipv4_names), &v) == 0)
		a->non_ipv4 = (enum prx_acl_non_ipv4)v;
	return parse_rules(ctx, g, a);
}
