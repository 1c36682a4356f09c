/* SPDX-License-Identifier: BSD-3-Clause */
/* sd_notify: datagrams to a path and to an abstract socket, as systemd receives them. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "prx_notify.h"
#include "prx_test.h"

/* A datagram socket bound to `name` (a path, or "@abstract"), as NOTIFY_SOCKET says. */
static int
listener(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(fd >= 0);
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa,
			     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) == 0);
	return fd;
}

static void
expect_datagram(int fd, const char *want_prefix)
{
	char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	CU_ASSERT_FATAL(n > 0);
	buf[n] = '\0';
	CU_ASSERT_NSTRING_EQUAL(buf, want_prefix, strlen(want_prefix));
	if (strncmp(buf, want_prefix, strlen(want_prefix)) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s...\n", buf, want_prefix);
}

static void
test_not_under_systemd(void)
{
	unsetenv("NOTIFY_SOCKET");
	CU_ASSERT_EQUAL(prx_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	CU_ASSERT_EQUAL(prx_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CU_ASSERT_EQUAL(prx_notify("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	CU_ASSERT_EQUAL(prx_notify("READY=1"), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_path_socket(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/prx-ut-notify.%d", (int)getpid());
	unlink(path);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	CU_ASSERT_EQUAL(prx_notify("READY=1\nSTATUS=forwarding"), 1);
	expect_datagram(fd, "READY=1\nSTATUS=forwarding");
	CU_ASSERT_EQUAL(prx_notify_reloading(), 1);
	expect_datagram(fd, "RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=");
	CU_ASSERT_EQUAL(prx_notifyf("STOPPING=1\nSTATUS=%s", "stopping"), 1);
	expect_datagram(fd, "STOPPING=1\nSTATUS=stopping");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	unlink(path);
}

static void
test_abstract_socket(void)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@prx-ut-notify-%d", (int)getpid());
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	CU_ASSERT_EQUAL(prx_notify("READY=1"), 1);
	expect_datagram(fd, "READY=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}

int
main(void)
{
	static const struct prx_test_case cases[] = {
		PRX_TEST(test_not_under_systemd),
		PRX_TEST(test_path_socket),
		PRX_TEST(test_abstract_socket),
		{NULL, NULL},
	};

	return prx_test_run("notify", cases, 0);
}
