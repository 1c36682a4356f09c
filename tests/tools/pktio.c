/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pktio - put captured frames on a kernel interface and take them off another, for the
 * fallback-mode integration tests (run inside the test's network namespaces).
 *
 *   pktio send IFACE FILE [--rate PPS] [--duration S] [--then PPS:S]...
 *       send every frame of the pcap FILE out of IFACE (AF_PACKET), at most PPS frames
 *       per second (default 50000; 0 = as fast as possible); with --duration, start the
 *       file over until S seconds have passed (soak tests); prints "sent N".  Each
 *       --then (needs --duration) adds a phase of S more seconds at PPS (overload tests:
 *       more than prxd takes, then half).  With --duration, every phase prints "phase K
 *       start_ns=T rate=PPS" when it starts (T: CLOCK_MONOTONIC, as Python's
 *       time.monotonic_ns()) and "phase K sent=N end_ns=T" when it ends.
 *   pktio recv IFACE OUT --count N [--timeout S] [--quiet-ms Q]
 *       capture frames that carry pcaptool's "PRXT" marker into the pcap OUT; succeed
 *       when exactly N arrived within S seconds (default 10) and nothing more in the
 *       Q ms after the last one (default 300); prints "received N".
 *
 * Exit: 0 success, 1 wrong count, 2 usage or system error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MARKER "PRXT"
#define MAX_PHASES 8

static void
usage(void)
{
	fprintf(stderr,
		"usage: pktio send IFACE FILE [--rate PPS] [--duration S] [--then PPS:S]...\n"
		"       pktio recv IFACE OUT --count N [--timeout S] [--quiet-ms Q]\n");
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
open_socket(const char *ifname, int proto)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(proto)};
	int fd = socket(AF_PACKET, SOCK_RAW, htons(proto));

	if (fd < 0) {
		fprintf(stderr, "pktio: socket(AF_PACKET) failed: %s\n", strerror(errno));
		return -1;
	}
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		fprintf(stderr, "pktio: %s: %s\n", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* One rate for a while: the whole send is one or more of these, back to back. */
struct phase {
	unsigned long rate;	/* frames per second, 0: as fast as possible */
	unsigned long duration; /* seconds, 0: one pass over the file */
};

static int
parse_then(const char *arg, struct phase *ph)
{
	char *end;

	ph->rate = strtoul(arg, &end, 10);
	if (*end != ':')
		return -1;
	ph->duration = strtoul(end + 1, &end, 10);
	return *end == '\0' && ph->duration > 0 ? 0 : -1;
}

static int
cmd_send(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct phase ph[MAX_PHASES] = {{.rate = 50000}};
	unsigned long sent = 0, ph_sent = 0;
	unsigned int n_ph = 1, k = 0;
	uint64_t t0;
	pcap_t *p;
	int fd, rc;

	if (argc < 4 || argc % 2 != 0) {
		usage();
		return 2;
	}
	for (int i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rate") == 0) {
			ph[0].rate = strtoul(argv[i + 1], NULL, 10);
		} else if (strcmp(argv[i], "--duration") == 0) {
			ph[0].duration = strtoul(argv[i + 1], NULL, 10);
		} else if (strcmp(argv[i], "--then") == 0 && n_ph < MAX_PHASES &&
			   parse_then(argv[i + 1], &ph[n_ph]) == 0) {
			n_ph++;
		} else {
			usage();
			return 2;
		}
	}
	if (n_ph > 1 && ph[0].duration == 0) {
		fprintf(stderr, "pktio: --then needs --duration\n");
		return 2;
	}
	p = pcap_open_offline(argv[3], errbuf);
	if (p == NULL) {
		fprintf(stderr, "pktio: %s: %s\n", argv[3], errbuf);
		return 2;
	}
	fd = open_socket(argv[2], 0); /* protocol 0: this socket receives nothing */
	if (fd < 0) {
		pcap_close(p);
		return 2;
	}
	t0 = now_ns();
	if (ph[0].duration != 0)
		printf("phase 0 start_ns=%" PRIu64 " rate=%lu\n", t0, ph[0].rate);
	for (;;) {
		uint64_t elapsed = now_ns() - t0;

		/* the phase ends after its duration (at a block boundary, so that the
		 * pacing below starts the next one afresh) */
		if (ph[k].duration != 0 && ph_sent % 32 == 0 &&
		    elapsed >= ph[k].duration * 1000000000ull) {
			printf("phase %u sent=%lu end_ns=%" PRIu64 "\n", k, ph_sent, t0 + elapsed);
			if (++k == n_ph)
				break;
			t0 += elapsed;
			ph_sent = 0;
			printf("phase %u start_ns=%" PRIu64 " rate=%lu\n", k, t0, ph[k].rate);
			fflush(stdout);
		}
		rc = pcap_next_ex(p, &h, &data);
		if (rc != 1) {
			if (ph[k].duration == 0)
				break;
			pcap_close(p); /* start the file over */
			p = pcap_open_offline(argv[3], errbuf);
			if (p == NULL || pcap_next_ex(p, &h, &data) != 1) {
				fprintf(stderr, "pktio: %s: cannot read it again\n", argv[3]);
				close(fd);
				return 2;
			}
		}
		/* pace in blocks of 32: frame j (j a multiple of 32) of a phase leaves no
		 * earlier than j / rate seconds after the phase's first, the rest of its
		 * block right behind it, and the wait is a sleep rather than a spin (it
		 * keeps a cpu for prxd) */
		while (ph[k].rate != 0 && ph_sent % 32 == 0) {
			uint64_t due = ph_sent * 1000000000ull / ph[k].rate, now = now_ns() - t0;

			if (now >= due)
				break;
			if (due - now > 60000) /* one clock reading: no wrap-around */
				usleep((useconds_t)((due - now - 50000) / 1000));
		}
		while (send(fd, data, h->caplen, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				fprintf(stderr, "pktio: send() failed: %s\n", strerror(errno));
				close(fd);
				pcap_close(p);
				return 2;
			}
			usleep(100);
		}
		sent++;
		ph_sent++;
	}
	close(fd);
	pcap_close(p);
	printf("sent %lu\n", sent);
	return 0;
}

static bool
marked(const uint8_t *f, size_t len)
{
	/* untagged: the UDP payload starts at 42; behind one VLAN tag at 46 */
	return (len >= 46 && memcmp(f + 42, MARKER, 4) == 0) ||
	       (len >= 50 && memcmp(f + 46, MARKER, 4) == 0);
}

static int
cmd_recv(int argc, char **argv)
{
	unsigned long want = 0, timeout_s = 10, quiet_ms = 300, got = 0, extra = 0;
	static uint8_t buf[65536];
	uint64_t deadline, quiet_until = 0;
	pcap_dumper_t *dump;
	pcap_t *dead;
	int fd, bufsz = 64 << 20;

	if (argc < 5) {
		usage();
		return 2;
	}
	for (int i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--count") == 0)
			want = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout_s = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--quiet-ms") == 0)
			quiet_ms = strtoul(argv[i + 1], NULL, 10);
		else {
			usage();
			return 2;
		}
	}
	fd = open_socket(argv[2], ETH_P_ALL);
	if (fd < 0)
		return 2;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz));
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	dump = pcap_dump_open(dead, argv[3]);
	if (dump == NULL) {
		fprintf(stderr, "pktio: %s: %s\n", argv[3], pcap_geterr(dead));
		close(fd);
		return 2;
	}
	/* ready: the test waits for this line before it sends */
	printf("ready\n");
	fflush(stdout);
	deadline = now_ns() + timeout_s * 1000000000ull;
	for (;;) {
		uint64_t t = now_ns(), until = got >= want && want > 0 ? quiet_until : deadline;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (t >= until)
			break;
		if (poll(&pfd, 1, (int)((until - t) / 1000000 + 1)) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0 || !marked(buf, (size_t)n))
			continue;
		if (got < want) {
			struct pcap_pkthdr h = {.caplen = (bpf_u_int32)n, .len = (bpf_u_int32)n};

			gettimeofday(&h.ts, NULL);
			pcap_dump((u_char *)dump, &h, buf);
			got++;
		} else {
			extra++;
		}
		if (got == want)
			quiet_until = now_ns() + quiet_ms * 1000000ull;
	}
	pcap_dump_close(dump);
	pcap_close(dead);
	close(fd);
	printf("received %lu\n", got + extra);
	if (got != want || extra != 0) {
		fprintf(stderr, "pktio: expected %lu marked frames, received %lu\n", want,
			got + extra);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		return cmd_send(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "recv") == 0)
		return cmd_recv(argc, argv);
	usage();
	return 2;
}
