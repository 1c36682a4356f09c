/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of metrics.c that the unit tests reach: not part of prx_metrics.h, so that
 * nothing but the tests can depend on them.
 */
#ifndef PRX_METRICS_INTERNAL_H
#define PRX_METRICS_INTERNAL_H

#include <stddef.h>

#include "prx_metrics.h"

/** Deadline of connections accepted from now on, in ms (0: back to the 5 s default). */
void prx__metrics_set_timeout_ms(unsigned int ms);

/** Append at most n bytes of s (up to a NUL) to b, escaped as a label value is:
 *  backslash, double quote and newline as \\, \" and \n. */
void prx__metrics_escape(struct prx_buf *b, const char *s, size_t n);

#endif /* PRX_METRICS_INTERNAL_H */
