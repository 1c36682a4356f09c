/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checking a control command's arguments (lib/ctl/ctl_cmds.c), shared by every command
 * set (ctl_router.c, ...).  Each returns 0, or -EINVAL with an error naming the argument
 * set on req (prx_ctl_req_error): "unknown argument", "missing argument", "argument K:
 * expected ...".  Absent optional arguments leave *out as it was (strings: NULL).
 */
#ifndef PRX_CTL_ARGS_H
#define PRX_CTL_ARGS_H

#include <stdbool.h>

#include <jansson.h>

#include "prx_ctlsock.h"

/** Every key of args is in the NULL-terminated `allowed`. */
int prx_ctl_arg_keys(struct prx_ctl_req *req, json_t *args, const char *const *allowed);
int prx_ctl_arg_str(struct prx_ctl_req *req, json_t *args, const char *key, bool required,
		    const char **out);
/** An integer min..max. */
int prx_ctl_arg_uint(struct prx_ctl_req *req, json_t *args, const char *key, bool required,
		     unsigned long min, unsigned long max, unsigned long *out);
int prx_ctl_arg_bool(struct prx_ctl_req *req, json_t *args, const char *key, bool *out);
/** An array of at most PRX_CHAIN_MAX strings into names[] (*n of them). */
int prx_ctl_arg_names(struct prx_ctl_req *req, json_t *args, const char *key, bool required,
		      const char **names, unsigned int *n);

#endif /* PRX_CTL_ARGS_H */
