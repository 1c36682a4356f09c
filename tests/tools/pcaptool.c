/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcaptool - make and compare the captures the integration tests feed through prxd.
 *
 *   pcaptool gen FILE N [--seed S] [--min 60] [--max 1514] [--flow K]
 *   pcaptool cmp A B [--mac-swap]
 *   pcaptool count FILE
 *
 * gen writes N Ethernet/IPv4/UDP frames, 02:00:00:00:00:01 -> 02:00:00:00:00:02,
 * 10.0.0.1 -> 10.0.0.2, UDP source port K + (i % 16), destination port 9.  Frame 0 has
 * the --min size and frame 1 the --max size; the others are spread uniformly over
 * min..max by a generator seeded with S, so a file is the same on every run.  The
 * payload starts with "PRXT", the sequence number i and K (big-endian), then bytes
 * derived from i and S.  IPv4 and UDP checksums are valid.  N = 0 writes only the
 * pcap file header.
 *
 * cmp compares the frames' lengths and bytes in order (timestamps are ignored:
 * net_pcap stamps what it writes).  With --mac-swap, B's destination MAC must be A's
 * source and B's source A's destination.
 *
 * Exit codes: 0 success (cmp: identical), 1 cmp found a difference, 2 usage or file error.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define EXIT_DIFF 1
#define EXIT_USAGE 2

#define ETH_LEN 14
#define IP4_LEN 20
#define UDP_LEN 8
#define TAG_LEN 12 /* "PRXT", seq, flow */
#define HDR_LEN (ETH_LEN + IP4_LEN + UDP_LEN)
#define MIN_FRAME (HDR_LEN + TAG_LEN)
#define MAX_FRAME 9018 /* a jumbo frame; the IPv4 total length stays far below 64 KiB */
#define SNAPLEN 65535
#define FLOW_SPREAD 16 /* source ports per file: K .. K + 15 */

static const uint8_t mac_src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: pcaptool gen FILE N [--seed S] [--min %d..] [--max ..%d] [--flow K]\n"
		"       pcaptool cmp A B [--mac-swap]\n"
		"       pcaptool count FILE\n"
		"exit: 0 ok (cmp: identical), 1 cmp found a difference, 2 usage or file error\n",
		MIN_FRAME, MAX_FRAME);
}

/* splitmix64: small, good enough to spread sizes, and the same everywhere. */
static uint64_t
rnd_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '\0' || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071 sum of big-endian 16-bit words, not yet folded or inverted. */
static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
build_frame(uint8_t *f, unsigned int len, uint32_t seq, uint32_t flow, uint64_t seed)
{
	uint8_t *ip = f + ETH_LEN, *udp = ip + IP4_LEN, *pl = udp + UDP_LEN;
	unsigned int ip_len = len - ETH_LEN, udp_len = ip_len - IP4_LEN;
	uint64_t fill = seed ^ ((uint64_t)seq << 20);
	uint32_t sum;
	uint16_t csum;

	memcpy(f, mac_dst, 6);
	memcpy(f + 6, mac_src, 6);
	put16(f + 12, 0x0800);

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)ip_len);
	put16(ip + 4, (uint16_t)seq);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 17;
	put16(ip + 10, 0);
	put32(ip + 12, 0x0a000001);
	put32(ip + 16, 0x0a000002);
	put16(ip + 10, fold(sum16(ip, IP4_LEN, 0)));

	put16(udp, (uint16_t)(flow + seq % FLOW_SPREAD));
	put16(udp + 2, 9);
	put16(udp + 4, (uint16_t)udp_len);
	put16(udp + 6, 0);

	memcpy(pl, "PRXT", 4);
	put32(pl + 4, seq);
	put32(pl + 8, flow);
	for (unsigned int i = TAG_LEN; i < udp_len - UDP_LEN; i++) {
		if ((i - TAG_LEN) % 8 == 0)
			(void)rnd_next(&fill);
		pl[i] = (uint8_t)(fill >> (8 * ((i - TAG_LEN) % 8)));
	}

	/* pseudo-header: addresses, protocol, UDP length */
	sum = sum16(ip + 12, 8, 0);
	sum += 17 + udp_len;
	csum = fold(sum16(udp, udp_len, sum));
	put16(udp + 6, csum == 0 ? 0xffff : csum);
}

static int
cmd_gen(int argc, char **argv)
{
	uint64_t n, seed = 1, min = 60, max = 1514, flow = 1024;
	uint8_t frame[MAX_FRAME];
	pcap_dumper_t *d;
	const char *file;
	pcap_t *p;

	if (argc < 2 || !parse_u64(argv[1], UINT32_MAX, &n)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	file = argv[0];
	/* options come in pairs: NAME VALUE */
	for (int i = 2; i < argc; i += 2) {
		uint64_t *v = NULL, lim = 0;

		if (strcmp(argv[i], "--seed") == 0)
			v = &seed, lim = UINT64_MAX;
		else if (strcmp(argv[i], "--min") == 0)
			v = &min, lim = MAX_FRAME;
		else if (strcmp(argv[i], "--max") == 0)
			v = &max, lim = MAX_FRAME;
		else if (strcmp(argv[i], "--flow") == 0)
			v = &flow, lim = 65535 - (FLOW_SPREAD - 1);
		if (v == NULL || i + 1 >= argc || !parse_u64(argv[i + 1], lim, v)) {
			fprintf(stderr, "pcaptool gen: bad or incomplete option \"%s\"\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (min < MIN_FRAME || min > max) {
		fprintf(stderr,
			"pcaptool gen: need %d <= min (%" PRIu64 ") <= max (%" PRIu64 ") <= %d\n",
			MIN_FRAME, min, max, MAX_FRAME);
		return EXIT_USAGE;
	}

	p = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	if (p == NULL) {
		fprintf(stderr, "pcaptool gen: pcap_open_dead() failed\n");
		return EXIT_USAGE;
	}
	d = pcap_dump_open(p, file);
	if (d == NULL) {
		fprintf(stderr, "pcaptool gen: %s: %s\n", file, pcap_geterr(p));
		pcap_close(p);
		return EXIT_USAGE;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = rnd_next(&seed);
		unsigned int len;
		struct pcap_pkthdr h;

		if (i == 0)
			len = (unsigned int)min;
		else if (i == 1)
			len = (unsigned int)max;
		else
			len = (unsigned int)(min + r % (max - min + 1));
		build_frame(frame, len, (uint32_t)i, (uint32_t)flow, seed);
		h = (struct pcap_pkthdr){
			.ts = {.tv_sec = 1700000000 + (time_t)(i / 1000000),
			       .tv_usec = (suseconds_t)(i % 1000000)},
			.caplen = len,
			.len = len,
		};
		pcap_dump((u_char *)d, &h, frame);
	}
	if (pcap_dump_flush(d) != 0) {
		fprintf(stderr, "pcaptool gen: %s: write failed\n", file);
		pcap_dump_close(d);
		pcap_close(p);
		return EXIT_USAGE;
	}
	pcap_dump_close(d);
	pcap_close(p);
	printf("%s: %" PRIu64 " frames\n", file, n);
	return 0;
}

static pcap_t *
open_in(const char *cmd, const char *file)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, err);

	if (p == NULL)
		fprintf(stderr, "pcaptool %s: %s: %s\n", cmd, file, err);
	return p;
}

/* One frame: 1, end of file: 0, error: -1 (reported). */
static int
next_frame(const char *cmd, pcap_t *p, const char *file, struct pcap_pkthdr **h,
	   const u_char **data)
{
	int rc = pcap_next_ex(p, h, data);

	if (rc == 1)
		return 1;
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	fprintf(stderr, "pcaptool %s: %s: %s\n", cmd, file, pcap_geterr(p));
	return -1;
}

static int
cmd_count(int argc, char **argv)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t n = 0;
	pcap_t *p;
	int rc;

	if (argc != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	p = open_in("count", argv[0]);
	if (p == NULL)
		return EXIT_USAGE;
	while ((rc = next_frame("count", p, argv[0], &h, &data)) == 1)
		n++;
	pcap_close(p);
	if (rc < 0)
		return EXIT_USAGE;
	printf("%" PRIu64 "\n", n);
	return 0;
}

/* The byte B must hold at offset `off` if it is A's frame `a` (with MACs swapped). */
static uint8_t
expected(const u_char *a, uint32_t len, uint32_t off, bool swap)
{
	if (swap && len >= 12 && off < 12)
		return a[off < 6 ? off + 6 : off - 6];
	return a[off];
}

static int
cmd_cmp(int argc, char **argv)
{
	const char *fa, *fb;
	bool swap = false;
	pcap_t *pa, *pb;
	uint64_t i;
	int status = EXIT_USAGE;

	if (argc == 3 && strcmp(argv[2], "--mac-swap") == 0)
		swap = true;
	else if (argc != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	fa = argv[0];
	fb = argv[1];
	pa = open_in("cmp", fa);
	if (pa == NULL)
		return EXIT_USAGE;
	pb = open_in("cmp", fb);
	if (pb == NULL) {
		pcap_close(pa);
		return EXIT_USAGE;
	}
	for (i = 0;; i++) {
		struct pcap_pkthdr *ha, *hb;
		const u_char *da, *db;
		int ra = next_frame("cmp", pa, fa, &ha, &da);
		int rb = next_frame("cmp", pb, fb, &hb, &db);

		if (ra < 0 || rb < 0)
			goto out;
		if (ra == 0 && rb == 0)
			break;
		if (ra != rb) {
			printf("frame %" PRIu64 ": %s ends here, %s has more frames\n", i,
			       ra == 0 ? fa : fb, ra == 0 ? fb : fa);
			status = EXIT_DIFF;
			goto out;
		}
		if (ha->len != hb->len || ha->caplen != hb->caplen) {
			printf("frame %" PRIu64
			       ": length %u (captured %u) in %s, %u (captured %u) in %s\n",
			       i, ha->len, ha->caplen, fa, hb->len, hb->caplen, fb);
			status = EXIT_DIFF;
			goto out;
		}
		for (uint32_t off = 0; off < ha->caplen; off++) {
			uint8_t want = expected(da, ha->caplen, off, swap);

			if (db[off] != want) {
				printf("frame %" PRIu64
				       ": offset %u: %s has 0x%02x, expected 0x%02x%s\n",
				       i, off, fb, db[off], want, swap ? " (MACs swapped)" : "");
				status = EXIT_DIFF;
				goto out;
			}
		}
	}
	printf("%" PRIu64 " frames identical%s\n", i, swap ? " (MACs swapped)" : "");
	status = 0;
out:
	pcap_close(pb);
	pcap_close(pa);
	return status;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "cmp") == 0)
		return cmd_cmp(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "count") == 0)
		return cmd_count(argc - 2, argv + 2);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return EXIT_USAGE;
}
