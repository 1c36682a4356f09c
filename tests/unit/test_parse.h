/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the parser suite's files (test_parse.c, test_parse_csum.c). */
#ifndef PRX_TEST_PARSE_H
#define PRX_TEST_PARSE_H

#include <stdint.h>

#include "prx_test.h"

/** The checksum tests, run after test_parse.c's own. */
extern const struct prx_test_case parse_csum_cases[];

/** Reference Internet checksum of n bytes (host order), independent of parse.c. */
uint16_t ref_csum(const uint8_t *p, uint32_t n);

/** splitmix64 step on *state. */
uint64_t parse_rnd(uint64_t *state);

/** The random tests' seed: PRX_PARSE_SEED or a fixed default; printed with `what`. */
uint64_t parse_seed(const char *what);

#endif /* PRX_TEST_PARSE_H */
