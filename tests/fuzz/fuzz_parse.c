/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for prx_parse() and prx_csum_add() (tests/fuzz/meson.build: clang,
 * -Dfuzz=true).  libFuzzer hands over a heap buffer of exactly the input's size, so
 * ASan catches any read past the end.  Beyond memory errors and UB, an input is a
 * finding when the parser returns something other than 0 or one of its drop reasons,
 * when a successful parse reports offsets outside the frame (tests/unit/parse_check.h),
 * when parsing twice gives different answers, or when checksums over a split buffer
 * disagree with one over the whole.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_check.h"
#include "prx_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
finding(const char *what, int rc, size_t size)
{
	fprintf(stderr, "fuzz_parse: %s (rc %d, %zu bytes)\n", what, rc, size);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prx_pkt_info pi, again;
	uint32_t len = (uint32_t)size, half = (len / 2) & ~1u;
	const char *why;
	int rc;

	if (size > UINT32_MAX)
		return 0;
	rc = prx_parse(data, len, &pi);
	if (!prx_parse_rc_ok(rc))
		finding("not 0 or a parser drop reason", rc, size);
	if (rc == 0 && (why = prx_parse_check(data, len, &pi)) != NULL)
		finding(why, rc, size);
	if (prx_parse(data, len, &again) != rc || (rc == 0 && memcmp(&pi, &again, sizeof(pi))))
		finding("a second parse differs", rc, size);
	if (size > 0 && prx_csum_add(prx_csum_add(0, data, half), data + half, len - half) !=
				prx_csum_add(0, data, len))
		finding("checksum of the halves differs from the whole", rc, size);
	/* the headers in a first segment of `half` bytes (a heap copy of just those, for
	 * ASan), the lengths against the whole: the whole frame's result or a truncation */
	if (size > 0) {
		uint8_t *part = malloc(half > 0 ? half : 1);
		int rs;

		if (part == NULL)
			return 0;
		memcpy(part, data, half);
		rs = prx_parse_seg(part, half, len, &again);
		free(part);
		if (rs == 0 ? rc != 0 || memcmp(&pi, &again, sizeof(pi)) != 0
			    : rs != rc && rs != PRX_DROP_L3_TRUNC && rs != PRX_DROP_VLAN_TRUNC &&
				      rs != PRX_DROP_L4_TRUNC && rs != PRX_DROP_BAD_ARP)
			finding("a split frame parses differently from the whole", rs, size);
	}
	return 0;
}
