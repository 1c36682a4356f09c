/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Handler types beyond xconnect: the dispatch to each type's parser, deep copies and
 * comparisons (for reload), the responder's settings, and port addresses.
 *
 *   { name = "resp"; type = "responder"; rate = 1000; burst = 100; }
 *   ports = ( { name = "a"; ...; address = "10.0.1.1/24"; } )
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf_internal.h"
#include "prx_conf.h"
#include "prx_conf_acl.h"

static const char *const responder_keys[] = {"name", "type", "rate", "burst", "offload", NULL};

int
prx__conf_parse_cidr4(const char *s, uint32_t *addr, uint8_t *len)
{
	char buf[INET_ADDRSTRLEN + 4];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	char *end;
	long l;

	if (slash == NULL || (size_t)(slash - s) >= INET_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	l = strtol(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end != '\0' || l < 0 || l > 32)
		return -EINVAL;
	*addr = a.s_addr;
	*len = (uint8_t)l;
	return 0;
}

void
prx__conf_port_address(struct prx__conf_ctx *ctx, const config_setting_t *s,
		       struct prx_conf_port *port)
{
	const char *str;

	if (prx__conf_string(ctx, s, &str) < 0)
		return;
	if (prx__conf_parse_cidr4(str, &port->addr4, &port->prefix4) < 0 || port->prefix4 == 0 ||
	    port->prefix4 > 30) {
		prx__conf_error(
			ctx, s, NULL,
			"\"%.40s\" is not an IPv4 address with a prefix length 1..30 (\"10.0.1.1/24\")",
			str);
		return;
	}
	port->has_addr = true;
}

static void
parse_responder(struct prx__conf_ctx *ctx, const config_setting_t *g, struct prx_conf_handler *h)
{
	const config_setting_t *s;
	long long v;

	h->u.responder.rate = 1000;
	h->u.responder.burst = 100;
	prx__conf_keys(ctx, g, responder_keys);
	s = config_setting_get_member(g, "rate");
	if (s != NULL && prx__conf_int(ctx, s, 1, 10000000, false, &v) == 0)
		h->u.responder.rate = (uint32_t)v;
	s = config_setting_get_member(g, "burst");
	if (s != NULL && prx__conf_int(ctx, s, 1, 1000000, false, &v) == 0)
		h->u.responder.burst = (uint32_t)v;
}

int
prx__conf_handler_parse(struct prx__conf_ctx *ctx, const config_setting_t *g,
			const struct prx_conf *c, struct prx_conf_handler *h)
{
	(void)c;
	switch (h->type) {
	case PRX_HANDLER_RESPONDER:
		parse_responder(ctx, g, h);
		return 0;
	case PRX_HANDLER_ACL:
		return prx__conf_acl_parse(ctx, g, h);
	case PRX_HANDLER_ROUTER:
		return prx__conf_router_parse(ctx, g, h);
	default:
		prx__conf_error(ctx, g, "type", "handler type %s is not built in this version",
				prx_handler_type_name(h->type));
		return 0;
	}
}

void
prx__conf_handler_check(struct prx__conf_ctx *ctx, const struct prx_conf *c,
			const struct prx_conf_handler *h)
{
	if (h->type == PRX_HANDLER_ROUTER)
		prx__conf_router_check(ctx, c, h->u.router);
}

int
prx_conf_handler_dup(struct prx_conf_handler *dst, const struct prx_conf_handler *src)
{
	*dst = *src;
	switch (src->type) {
	case PRX_HANDLER_ACL:
		return prx_conf_acl_dup(&dst->u.acl, src->u.acl);
	case PRX_HANDLER_ROUTER:
		return prx__conf_router_dup(&dst->u.router, src->u.router);
	default:
		return 0;
	}
}

void
prx_conf_handler_release(struct prx_conf_handler *h)
{
	switch (h->type) {
	case PRX_HANDLER_ACL:
		prx_conf_acl_free(h->u.acl);
		h->u.acl = NULL;
		break;
	case PRX_HANDLER_ROUTER:
		prx__conf_router_free(h->u.router);
		h->u.router = NULL;
		break;
	default:
		break;
	}
}

bool
prx_conf_handler_equal(const struct prx_conf *ca, const struct prx_conf_handler *a,
		       const struct prx_conf *cb, const struct prx_conf_handler *b)
{
	if (a->type != b->type || strcmp(a->name, b->name) != 0 || a->offload != b->offload)
		return false;
	switch (a->type) {
	case PRX_HANDLER_XCONNECT:
		return strcmp(ca->ports[a->u.xconnect.to].name, cb->ports[b->u.xconnect.to].name) ==
			       0 &&
		       a->u.xconnect.mac == b->u.xconnect.mac &&
		       a->u.xconnect.set_src == b->u.xconnect.set_src &&
		       a->u.xconnect.set_dst == b->u.xconnect.set_dst &&
		       memcmp(a->u.xconnect.src, b->u.xconnect.src, 6) == 0 &&
		       memcmp(a->u.xconnect.dst, b->u.xconnect.dst, 6) == 0 &&
		       a->u.xconnect.work_cycles == b->u.xconnect.work_cycles;
	case PRX_HANDLER_RESPONDER:
		return a->u.responder.rate == b->u.responder.rate &&
		       a->u.responder.burst == b->u.responder.burst;
	case PRX_HANDLER_ACL:
		return prx_conf_acl_equal(a->u.acl, b->u.acl);
	case PRX_HANDLER_ROUTER:
		return prx__conf_router_equal(a->u.router, b->u.router);
	default:
		return false;
	}
}
