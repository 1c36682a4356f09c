/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error collection and the typed getters the schema (conf.c) is written with.
 * Every message is "FILE:LINE: setting.path: reason"; the wording is listed in
 * config/README.md ("Error messages") and pinned by tests/unit/test_conf.c.
 */
#include "conf_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
add_error(struct prx__conf_ctx *ctx, unsigned int order, const char *msg)
{
	struct prx__conf_err *e;
	size_t len;

	if (ctx->n_errs == ctx->cap_errs) {
		unsigned int cap = ctx->cap_errs ? ctx->cap_errs * 2 : 16;

		e = realloc(ctx->errs, cap * sizeof(*e));
		if (e == NULL) {
			ctx->n_lost++;
			return;
		}
		ctx->errs = e;
		ctx->cap_errs = cap;
	}
	e = &ctx->errs[ctx->n_errs++];
	e->order = order;
	/* a message longer than the slot is cut (on purpose: no format-truncation warning) */
	len = strnlen(msg, sizeof(e->msg) - 1);
	memcpy(e->msg, msg, len);
	e->msg[len] = '\0';
}

/* libconfig-like path: "ports.[0].name"; "" for the root. */
static size_t
path_of(const config_setting_t *s, char *buf, size_t size)
{
	const char *name;
	size_t n;
	int w;

	if (s == NULL || config_setting_is_root(s)) {
		buf[0] = '\0';
		return 0;
	}
	n = path_of(config_setting_parent(s), buf, size);
	name = config_setting_name(s);
	if (name != NULL)
		w = snprintf(buf + n, size - n, "%s%s", n ? "." : "", name);
	else
		w = snprintf(buf + n, size - n, "%s[%d]", n ? "." : "", config_setting_index(s));
	if (w < 0)
		return n;
	return (size_t)w >= size - n ? size - 1 : n + (size_t)w;
}

void
prx__conf_error_line(struct prx__conf_ctx *ctx, unsigned int line, const char *fmt, ...)
{
	char reason[256], msg[512];
	unsigned int fline;
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	prx__conf_src_where(ctx->src, line, &file, &fline);
	snprintf(msg, sizeof(msg), "%s:%u: %s", file, fline, reason);
	add_error(ctx, line, msg);
}

void
prx__conf_error(struct prx__conf_ctx *ctx, const config_setting_t *s, const char *member,
		const char *fmt, ...)
{
	char path[160], reason[256], msg[512];
	unsigned int line, fline;
	const char *file;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	n = path_of(s, path, sizeof(path));
	if (member != NULL)
		snprintf(path + n, sizeof(path) - n, "%s%s", n ? "." : "", member);
	line = config_setting_is_root(s) ? ctx->root_line : config_setting_source_line(s);
	prx__conf_src_where(ctx->src, line, &file, &fline);
	snprintf(msg, sizeof(msg), "%s:%u: %s: %s", file, fline, path, reason);
	add_error(ctx, line, msg);
}

static int
cmp_err(const void *a, const void *b)
{
	const struct prx__conf_err *x = a, *y = b;

	/* Same line: keep the order found (qsort is not stable, the address is). */
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x < y ? -1 : x > y;
}

void
prx__conf_errors_finish(struct prx__conf_ctx *ctx, struct prx_conf_errors *out)
{
	unsigned int i, n;

	if (ctx->n_errs > 1)
		qsort(ctx->errs, ctx->n_errs, sizeof(ctx->errs[0]), cmp_err);
	n = ctx->n_errs < PRX_CONF_MAX_ERRORS ? ctx->n_errs : PRX_CONF_MAX_ERRORS;
	for (i = 0; i < n; i++)
		memcpy(out->msg[i], ctx->errs[i].msg, sizeof(out->msg[i]));
	out->n = ctx->n_errs + ctx->n_lost;
	free(ctx->errs);
	ctx->errs = NULL;
	ctx->n_errs = ctx->cap_errs = ctx->n_lost = 0;
}

int
prx__conf_int(struct prx__conf_ctx *ctx, const config_setting_t *s, long long min, long long max,
	      bool zero_ok, long long *v)
{
	const struct prx__conf_lit *lit = config_setting_get_hook(s);
	int type = config_setting_type(s), rc = 0;
	long long x;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		prx__conf_error(ctx, s, NULL, "expected an integer");
		return -EINVAL;
	}
	/* The literal as written: libconfig's own value may be truncated to 32 bits. */
	if (lit != NULL)
		rc = prx__conf_parse_int(ctx->src->text + lit->off, lit->len, &x);
	else
		x = type == CONFIG_TYPE_INT ? config_setting_get_int(s)
					    : config_setting_get_int64(s);
	if (rc == 0 && ((x >= min && x <= max) || (zero_ok && x == 0))) {
		*v = x;
		return 0;
	}
	if (lit != NULL)
		prx__conf_error(ctx, s, NULL, "%.*s is out of range %lld..%lld%s", (int)lit->len,
				ctx->src->text + lit->off, min, max, zero_ok ? " (or 0)" : "");
	else
		prx__conf_error(ctx, s, NULL, "%lld is out of range %lld..%lld%s", x, min, max,
				zero_ok ? " (or 0)" : "");
	return -EINVAL;
}

int
prx__conf_string(struct prx__conf_ctx *ctx, const config_setting_t *s, const char **v)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		prx__conf_error(ctx, s, NULL, "expected a string");
		return -EINVAL;
	}
	*v = config_setting_get_string(s);
	return 0;
}

int
prx__conf_bool(struct prx__conf_ctx *ctx, const config_setting_t *s, bool *v)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		prx__conf_error(ctx, s, NULL, "expected a boolean (true or false)");
		return -EINVAL;
	}
	*v = config_setting_get_bool(s) != 0;
	return 0;
}

int
prx__conf_enum(struct prx__conf_ctx *ctx, const config_setting_t *s, const char *const *names,
	       unsigned int n, unsigned int *v)
{
	char list[160];
	size_t len = 0;
	const char *str;

	if (prx__conf_string(ctx, s, &str) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(str, names[i]) == 0) {
			*v = i;
			return 0;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					names[i]);
		if (len >= sizeof(list))
			len = sizeof(list) - 1;
	}
	prx__conf_error(ctx, s, NULL, "\"%.64s\" is not one of %s", str, list);
	return -EINVAL;
}

int
prx__conf_name(struct prx__conf_ctx *ctx, const config_setting_t *s, char out[PRX_NAME_MAX])
{
	const char *str;
	size_t len;

	if (prx__conf_string(ctx, s, &str) < 0)
		return -EINVAL;
	len = strlen(str);
	if (len == 0) {
		prx__conf_error(ctx, s, NULL, "empty name");
		return -EINVAL;
	}
	if (len >= PRX_NAME_MAX) {
		prx__conf_error(ctx, s, NULL, "name is longer than %d characters",
				PRX_NAME_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (!isalnum((unsigned char)str[i]) && str[i] != '_' && str[i] != '-') {
			prx__conf_error(ctx, s, NULL,
					"invalid name \"%s\" (allowed: A-Z a-z 0-9 _ -)", str);
			return -EINVAL;
		}
	}
	memcpy(out, str, len + 1);
	return 0;
}

int
prx__conf_group(struct prx__conf_ctx *ctx, const config_setting_t *s)
{
	if (!config_setting_is_group(s)) {
		prx__conf_error(ctx, s, NULL, "expected a group");
		return -EINVAL;
	}
	return 0;
}

static int
count(struct prx__conf_ctx *ctx, const config_setting_t *s, unsigned int min, unsigned int max)
{
	unsigned int n = (unsigned int)config_setting_length(s);

	if (n < min || n > max) {
		prx__conf_error(ctx, s, NULL, "has %u entries, expected %u..%u", n, min, max);
		return -EINVAL;
	}
	return 0;
}

int
prx__conf_group_list(struct prx__conf_ctx *ctx, const config_setting_t *s, unsigned int min,
		     unsigned int max)
{
	int rc;

	if (!config_setting_is_list(s)) {
		prx__conf_error(ctx, s, NULL, "expected a list of groups");
		return -EINVAL;
	}
	rc = count(ctx, s, min, max);
	for (int i = 0; i < config_setting_length(s); i++)
		if (prx__conf_group(ctx, config_setting_get_elem(s, (unsigned int)i)) < 0)
			rc = -EINVAL;
	return rc;
}

int
prx__conf_scalar_list(struct prx__conf_ctx *ctx, const config_setting_t *s, int type,
		      unsigned int min, unsigned int max)
{
	const char *what = type == CONFIG_TYPE_STRING ? "string" : "integer";
	const char *a = type == CONFIG_TYPE_STRING ? "a" : "an";
	const config_setting_t *e;
	int rc;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		prx__conf_error(ctx, s, NULL, "expected a list of %ss", what);
		return -EINVAL;
	}
	rc = count(ctx, s, min, max);
	for (int i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != type &&
		    !(type == CONFIG_TYPE_INT && config_setting_type(e) == CONFIG_TYPE_INT64)) {
			prx__conf_error(ctx, e, NULL, "expected %s %s", a, what);
			rc = -EINVAL;
		}
	}
	return rc;
}

void
prx__conf_keys(struct prx__conf_ctx *ctx, const config_setting_t *g, const char *const *keys)
{
	const config_setting_t *m;
	const char *const *k;

	for (int i = 0; i < config_setting_length(g); i++) {
		m = config_setting_get_elem(g, (unsigned int)i);
		for (k = keys; *k != NULL && strcmp(*k, config_setting_name(m)) != 0; k++)
			;
		if (*k == NULL)
			prx__conf_error(ctx, m, NULL, "unknown setting");
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
prx__conf_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

/* Exactly n hex digits at s, then `sep`. */
static bool
hex_field(const char *s, int n, char sep)
{
	for (int i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return s[n] == sep;
}

bool
prx__conf_is_pci(const char *devargs)
{
	const char *s = devargs;
	char end;

	/* "DDDD:" domain is optional; then "BB:DD.F". */
	if (hex_field(s, 4, ':'))
		s += 5;
	if (!hex_field(s, 2, ':') || !hex_field(s + 3, 2, '.'))
		return false;
	if (s[6] < '0' || s[6] > '7')
		return false;
	end = s[7];
	return end == '\0' || end == ',';
}
