/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `control` group: where the control socket and the metrics endpoint listen.
 *
 *   control = {
 *     socket = "/run/prx/prx/prx.ctl";   # default /run/prx/<instance>/prx.ctl
 *     socket_mode = "0660";              # octal, as chmod takes it
 *     metrics = "127.0.0.1:9464";        # HOST:PORT or [IPv6]:PORT; "" turns it off
 *     keep_net_caps = true;              # keep CAP_NET_RAW/NET_ADMIN after start-up
 *   };
 *
 * The socket's default folder is $RUNTIME_DIRECTORY/<instance>/ when systemd gives prxd a
 * runtime directory (RuntimeDirectory=prx: /run/prx, owned by the service's User=), else
 * /run/prx/<instance>/.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <libconfig.h>

#include "conf_internal.h"
#include "prx_conf.h"

static const char *const control_keys[] = {"socket", "socket_mode", "metrics", "keep_net_caps",
					   NULL};

/* "127.0.0.1:9464", "[::1]:9464": 0 when it parses (port 0 asks the kernel for one). */
static int
check_addr(const char *s)
{
	char host[64];
	const char *colon, *h = s;
	size_t hl;
	char *end;
	long port;
	unsigned char buf[16];

	colon = strrchr(s, ':');
	if (colon == NULL || colon[1] == '\0')
		return -EINVAL;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535)
		return -EINVAL;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		h = s + 1;
		hl -= 2;
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, h, hl);
		host[hl] = '\0';
		return inet_pton(AF_INET6, host, buf) == 1 ? 0 : -EINVAL;
	}
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	return inet_pton(AF_INET, host, buf) == 1 ? 0 : -EINVAL;
}

static int
dup_to(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst == NULL ? -ENOMEM : 0;
}

int
prx__conf_parse_control(struct prx__conf_ctx *ctx, const config_setting_t *g, struct prx_conf *c)
{
	const config_setting_t *s;
	const char *str;

	if (prx__conf_group(ctx, g) < 0)
		return 0;
	prx__conf_keys(ctx, g, control_keys);
	s = config_setting_get_member(g, "socket");
	if (s != NULL && prx__conf_string(ctx, s, &str) == 0) {
		if (str[0] != '/')
			prx__conf_error(ctx, s, NULL, "\"%.64s\" is not an absolute path", str);
		else if (strlen(str) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			prx__conf_error(ctx, s, NULL, "path is longer than %zu characters",
					sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		else if (dup_to(&c->control.socket, str) < 0)
			return -ENOMEM;
	}
	s = config_setting_get_member(g, "socket_mode");
	if (s != NULL && prx__conf_string(ctx, s, &str) == 0) {
		char *end;
		unsigned long m = strtoul(str, &end, 8);

		if (str[0] == '\0' || *end != '\0' || m > 0777 || str[0] == '-')
			prx__conf_error(ctx, s, NULL,
					"\"%.16s\" is not an octal file mode (e.g. \"0660\")", str);
		else
			c->control.socket_mode = (uint32_t)m;
	}
	s = config_setting_get_member(g, "metrics");
	if (s != NULL && prx__conf_string(ctx, s, &str) == 0) {
		if (str[0] != '\0' && check_addr(str) < 0)
			prx__conf_error(
				ctx, s, NULL,
				"\"%.64s\" is not HOST:PORT (\"127.0.0.1:9464\", \"[::1]:9464\"; \"\" turns it off)",
				str);
		else if (dup_to(&c->control.metrics, str) < 0)
			return -ENOMEM;
	}
	s = config_setting_get_member(g, "keep_net_caps");
	if (s != NULL)
		prx__conf_bool(ctx, s, &c->control.keep_net_caps);
	return 0;
}

/* The folder instance folders go in: systemd's RuntimeDirectory= (its first entry, when
 * absolute and short enough), else /run/prx. */
static void
runtime_base(char *buf, size_t len)
{
	const char *rd = getenv("RUNTIME_DIRECTORY");
	size_t n = rd != NULL ? strcspn(rd, ":") : 0;

	if (n > 1 && rd[0] == '/' && n < 64)
		snprintf(buf, len, "%.*s", (int)n, rd);
	else
		snprintf(buf, len, "/run/prx");
}

int
prx__conf_control_defaults(struct prx_conf *c)
{
	char path[128], base[64];

	if (c->control.socket == NULL) {
		runtime_base(base, sizeof(base));
		snprintf(path, sizeof(path), "%s/%s/prx.ctl", base, c->instance);
		if (dup_to(&c->control.socket, path) < 0)
			return -ENOMEM;
	}
	if (c->control.metrics == NULL && dup_to(&c->control.metrics, "127.0.0.1:9464") < 0)
		return -ENOMEM;
	return 0;
}
