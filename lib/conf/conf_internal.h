/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/conf internals, shared by conf.c (loading, schema), conf_check.c (typed getters,
 * error collection) and conf_src.c (source text, @include, integer literals).
 * Not installed; the unit tests include it to reach the literal scanner.
 */
#ifndef PRX_CONF_INTERNAL_H
#define PRX_CONF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>
#include <rte_config.h>

#include "prx_conf.h"

/** Deepest @include nesting (libconfig 1.5's own limit). */
#define PRX__CONF_INCLUDE_DEPTH 10

/** Where one line of the expanded text came from. */
struct prx__conf_pos {
	unsigned int file; /**< index into prx__conf_src.files */
	unsigned int line; /**< 1-based line in that file */
};

/**
 * The configuration text with every @include expanded in place (libconfig then reads it
 * as one string), and a map from each of its lines back to the file and line it came from.
 */
struct prx__conf_src {
	char *text; /**< NUL-terminated expanded text */
	size_t len, cap;
	struct prx__conf_pos *lines; /**< lines[i] is line i + 1 of text */
	unsigned int n_lines, cap_lines;
	char **files; /**< files[0] is the top file (or the string's name) */
	unsigned int n_files, cap_files;
	int state;	 /**< scanner state carried from line to line (comment, string) */
	char error[256]; /**< the message when loading failed */
};

/**
 * Read `path` and the files it includes.  Includes resolve against the including
 * file's folder; an absolute include path is taken as is.
 * @return 0; -errno of the top file (error "FILE: reason"); -EINVAL for a bad include
 *   (error "FILE:LINE: reason"); -ENOMEM.
 */
int prx__conf_src_file(struct prx__conf_src *src, const char *path);

/** The same from a string called `name`; top-level includes resolve against `include_dir` (NULL: CWD). */
int prx__conf_src_string(struct prx__conf_src *src, const char *text, const char *name,
			 const char *include_dir);

/** Free what the src holds (a zeroed src is fine). */
void prx__conf_src_free(struct prx__conf_src *src);

/** File name and line for `line` of the expanded text (lines past the end count on from the last). */
void prx__conf_src_where(const struct prx__conf_src *src, unsigned int line, const char **file,
			 unsigned int *file_line);

/** One integer literal of the text, as written. */
struct prx__conf_lit {
	unsigned int off;  /**< offset in the text */
	unsigned int len;  /**< length, including any L/LL suffix */
	unsigned int line; /**< 1-based line */
};

/**
 * Find every integer literal (decimal, hex, with optional L/LL) of libconfig text, in
 * order, tokenizing as libconfig's scanner does (comments, strings, names and floats
 * are skipped).  libconfig makes exactly one int setting per literal, in the same order.
 * @return 0 and *lits (free() it; NULL when *n is 0), or -ENOMEM.
 */
int prx__conf_scan_ints(const char *text, struct prx__conf_lit **lits, unsigned int *n);

/**
 * Value of an integer literal `s` of `len` characters ("-12", "0x1F", "5L").
 * @return 0 and *v, -ERANGE when it does not fit a long long, -EINVAL if not a literal.
 */
int prx__conf_parse_int(const char *s, size_t len, long long *v);

/**
 * Hook each int setting of `cfg` (read from src->text) to its literal in `lits` (from
 * prx__conf_scan_ints(), kept alive as long as cfg).  Should the scan and libconfig ever
 * disagree, nothing is attached and range checks fall back to libconfig's values.
 */
void prx__conf_attach_literals(config_t *cfg, const struct prx__conf_src *src,
			       const struct prx__conf_lit *lits, unsigned int n);

/** One collected error; `order` (a line of the expanded text) sorts them into file order. */
struct prx__conf_err {
	unsigned int order;
	char msg[sizeof(((struct prx_conf_errors *)0)->msg[0])];
};

/** State of one validation. */
struct prx__conf_ctx {
	const struct prx__conf_src *src;
	unsigned int root_line; /**< line for errors about the root group */
	struct prx__conf_err *errs;
	unsigned int n_errs, cap_errs;
	unsigned int n_lost; /**< errors not stored for want of memory */
};

/** Record "FILE:LINE: reason" at `line` of the expanded text. */
void prx__conf_error_line(struct prx__conf_ctx *ctx, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Record "FILE:LINE: path: reason" for setting `s`; with `member` non-NULL, the error is
 * about that (missing) member of group `s` and sits on the group's line.
 */
void prx__conf_error(struct prx__conf_ctx *ctx, const config_setting_t *s, const char *member,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Sort the errors into file order and copy them out; frees them. */
void prx__conf_errors_finish(struct prx__conf_ctx *ctx, struct prx_conf_errors *out);

/*
 * Typed getters: each checks the setting's type and range, reports what is wrong and
 * returns 0 or -EINVAL.
 */
int prx__conf_int(struct prx__conf_ctx *ctx, const config_setting_t *s, long long min,
		  long long max, bool zero_ok, long long *v);
int prx__conf_string(struct prx__conf_ctx *ctx, const config_setting_t *s, const char **v);
int prx__conf_bool(struct prx__conf_ctx *ctx, const config_setting_t *s, bool *v);
int prx__conf_enum(struct prx__conf_ctx *ctx, const config_setting_t *s, const char *const *names,
		   unsigned int n, unsigned int *v);
/** A name: non-empty, [A-Za-z0-9_-], shorter than PRX_NAME_MAX. */
int prx__conf_name(struct prx__conf_ctx *ctx, const config_setting_t *s, char out[PRX_NAME_MAX]);
int prx__conf_group(struct prx__conf_ctx *ctx, const config_setting_t *s);
/** A list `( ... )` of groups with min..max entries; every entry is checked to be a group. */
int prx__conf_group_list(struct prx__conf_ctx *ctx, const config_setting_t *s, unsigned int min,
			 unsigned int max);
/** An array or list of `type` (CONFIG_TYPE_STRING or _INT) with min..max entries. */
int prx__conf_scalar_list(struct prx__conf_ctx *ctx, const config_setting_t *s, int type,
			  unsigned int min, unsigned int max);
/** Report every member of group `g` not in the NULL-terminated `keys`. */
void prx__conf_keys(struct prx__conf_ctx *ctx, const config_setting_t *g, const char *const *keys);

/** Parse "02:00:00:00:00:01" (six two-digit hex octets). */
int prx__conf_parse_mac(const char *s, uint8_t mac[6]);
/** Whether devargs name a PCI device: "DDDD:BB:DD.F" or "BB:DD.F" before the first ','. */
bool prx__conf_is_pci(const char *devargs);

/** Highest core number a setting may name (the DPDK build's RTE_MAX_LCORE - 1). */
#define PRX__CONF_CORE_MAX (RTE_MAX_LCORE - 1)

/** Set the `reactors` defaults (conf_reactors.c). */
void prx__conf_reactors_defaults(struct prx_conf *c);
/**
 * Parse the `reactors` group into c->reactors (conf_reactors.c).  `control_core_ok`:
 * c->control_core is valid, so cores are compared with it.
 */
/* `workers` (after `reactors`: its cores must differ from theirs). */
void prx__conf_parse_workers(struct prx__conf_ctx *ctx, const config_setting_t *g,
			     struct prx_conf *c, bool control_core_ok);
void prx__conf_parse_reactors(struct prx__conf_ctx *ctx, const config_setting_t *g,
			      struct prx_conf *c, bool control_core_ok);

/** Parse the `control` group into c->control.  @return 0 or -ENOMEM (errors are recorded). */
int prx__conf_parse_control(struct prx__conf_ctx *ctx, const config_setting_t *g,
			    struct prx_conf *c);
/** Fill the control settings left unset (socket path from the instance).  0 or -ENOMEM. */
int prx__conf_control_defaults(struct prx_conf *c);

/*
 * Handler types other than xconnect (lib/conf/conf_handlers.c dispatches to each type's
 * parser): parse the handler group `g` into h->u (its keys checked there), then, once
 * every port is known, check the port names its tables refer to.  0 or -ENOMEM.
 */
int prx__conf_handler_parse(struct prx__conf_ctx *ctx, const config_setting_t *g,
			    const struct prx_conf *c, struct prx_conf_handler *h);
void prx__conf_handler_check(struct prx__conf_ctx *ctx, const struct prx_conf *c,
			     const struct prx_conf_handler *h);
/** `type = "acl"` (conf_acl.c): the group into h->u.acl (allocated even with errors).
 *  0 or -ENOMEM. */
int prx__conf_acl_parse(struct prx__conf_ctx *ctx, const config_setting_t *g,
			struct prx_conf_handler *h);
/** `address = "10.0.1.1/24"` of a port. */
void prx__conf_port_address(struct prx__conf_ctx *ctx, const config_setting_t *s,
			    struct prx_conf_port *port);
/** "10.0.0.0/8" -> network-order address and prefix length.  0 or -EINVAL. */
int prx__conf_parse_cidr4(const char *s, uint32_t *addr, uint8_t *len);
/* Deployment settings (conf_deploy.c). */
/** The top-level `core_mapping` of `root` into c->core_mapping (errors are recorded). */
void prx__conf_parse_core_mapping(struct prx__conf_ctx *ctx, const config_setting_t *root,
				  struct prx_conf *c);
/**
 * Replace each ${NAME} in `s` by the environment variable NAME and each ${NAME[INDEX]} by
 * entry INDEX (from 0) of its comma-separated list.
 * @return 0; -ENOENT when a variable is not set, empty or has no such entry, -EINVAL for a
 *   malformed reference, -E2BIG when out is too small; `why` says which.
 */
int prx__conf_expand_env(const char *s, char *out, size_t len, char *why, size_t wlen);
/**
 * A port's `dpdk` string `str` (setting `s` of port group `g`) with its references
 * resolved: str itself when it has none, else `buf`; NULL when one cannot be resolved:
 * port->dpdk_unset says why when the port can fall back to its kernel interface (mode not
 * "dpdk"), otherwise an error is recorded.
 */
const char *prx__conf_dpdk_env(struct prx__conf_ctx *ctx, const config_setting_t *g,
			       const config_setting_t *s, const char *str, enum prx_mode mode,
			       struct prx_conf_port *port, char *buf, size_t len);

/* The router's settings (conf_router.c, prx_conf_router.h). */
struct prx_conf_router;
int prx__conf_router_parse(struct prx__conf_ctx *ctx, const config_setting_t *g,
			   struct prx_conf_handler *h);
void prx__conf_router_check(struct prx__conf_ctx *ctx, const struct prx_conf *c,
			    const struct prx_conf_router *r);
int prx__conf_router_dup(struct prx_conf_router **dst, const struct prx_conf_router *src);
void prx__conf_router_free(struct prx_conf_router *r);
bool prx__conf_router_equal(const struct prx_conf_router *a, const struct prx_conf_router *b);

#endif /* PRX_CONF_INTERNAL_H */
