/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Settings for deployments (docs/deploy.md): `core_mapping`, and ${NAME} / ${NAME[INDEX]}
 * references to environment variables in a port's `dpdk` devargs, the way the SR-IOV
 * device plugin hands PCI addresses to a container:
 *
 *   PCIDEVICE_INTEL_COM_PRX_SRIOV=0000:3b:02.1,0000:3b:02.3
 *   ports = ( { name = "a"; dpdk = "${PCIDEVICE_INTEL_COM_PRX_SRIOV[0]}"; kernel = "net1"; } );
 *
 * A reference is resolved when the file is loaded (a reload resolves it again, from the
 * same environment).  A variable that is not set leaves the port without its DPDK device
 * when it has a kernel interface to fall back to (mode "auto" then says why), and is an
 * error otherwise.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf_internal.h"
#include "prx_conf.h"

static const char *const core_mapping_names[] = {PRX_CORE_MAPPINGS(PRX__XNAME)};

const char *
prx_core_mapping_name(enum prx_core_mapping m)
{
	return prx_name_of(core_mapping_names, PRX_CORE_MAPPING_MAX, m);
}

void
prx__conf_parse_core_mapping(struct prx__conf_ctx *ctx, const config_setting_t *root,
			     struct prx_conf *c)
{
	const config_setting_t *s = config_setting_get_member(root, "core_mapping");
	unsigned int v;

	if (s != NULL && prx__conf_enum(ctx, s, core_mapping_names, PRX_CORE_MAPPING_MAX, &v) == 0)
		c->core_mapping = (enum prx_core_mapping)v;
}

/* Entry `index` of a comma-separated list (spaces around entries ignored): 0 and its
 * start and length, or -ENOENT with the number of entries in *n. */
static int
list_entry(const char *v, unsigned long index, const char **start, size_t *len, unsigned long *n)
{
	unsigned long i = 0;

	for (const char *p = v;; i++) {
		size_t l = strcspn(p, ",");
		const char *e = p + l;

		while (l > 0 && isspace((unsigned char)*p)) {
			p++;
			l--;
		}
		while (l > 0 && isspace((unsigned char)p[l - 1]))
			l--;
		if (i == index) {
			*start = p;
			*len = l;
			return l > 0 ? 0 : -ENOENT;
		}
		if (*e == '\0')
			break;
		p = e + 1;
	}
	*n = i + 1;
	return -ENOENT;
}

/* One reference at s (just past "${"): its value appended to out.  Returns the length of
 * the reference's text after "${" (up to and including '}'), or -errno with why set. */
static int
expand_one(const char *s, char *out, size_t len, size_t *used, char *why, size_t wlen)
{
	char name[128];
	const char *p = s, *val, *start;
	unsigned long index = 0, n = 0;
	bool indexed = false;
	size_t nl, vl;

	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	nl = (size_t)(p - s);
	if (nl == 0 || nl >= sizeof(name) || isdigit((unsigned char)*s))
		goto bad;
	memcpy(name, s, nl);
	name[nl] = '\0';
	if (*p == '[') {
		char *end;

		if (!isdigit((unsigned char)p[1]))
			goto bad;
		index = strtoul(p + 1, &end, 10);
		if (*end != ']' || index > 4095)
			goto bad;
		indexed = true;
		p = end + 1;
	}
	if (*p != '}')
		goto bad;
	val = getenv(name);
	if (val == NULL || val[0] == '\0') {
		snprintf(why, wlen, "%s is %s", name, val == NULL ? "not set" : "empty");
		return -ENOENT;
	}
	start = val;
	vl = strlen(val);
	if (indexed && list_entry(val, index, &start, &vl, &n) < 0) {
		if (n > 0)
			snprintf(why, wlen, "%s has %lu entr%s (\"%.64s\"): no [%lu]", name, n,
				 n == 1 ? "y" : "ies", val, index);
		else
			snprintf(why, wlen, "%s has no entry [%lu] (\"%.64s\")", name, index, val);
		return -ENOENT;
	}
	if (*used + vl >= len) {
		snprintf(why, wlen, "the expanded devargs are longer than %zu characters", len - 1);
		return -E2BIG;
	}
	memcpy(out + *used, start, vl);
	*used += vl;
	out[*used] = '\0';
	return (int)(p + 1 - s);
bad:
	nl = strcspn(s, "}");
	nl += s[nl] == '}';
	snprintf(why, wlen, "\"${%.*s\" is not a ${NAME} or ${NAME[INDEX]} reference",
		 nl > 60 ? 60 : (int)nl, s);
	return -EINVAL;
}

int
prx__conf_expand_env(const char *s, char *out, size_t len, char *why, size_t wlen)
{
	size_t used = 0;

	if (len == 0)
		return -E2BIG;
	out[0] = '\0';
	why[0] = '\0';
	while (*s != '\0') {
		if (s[0] == '$' && s[1] == '{') {
			int n = expand_one(s + 2, out, len, &used, why, wlen);

			if (n < 0)
				return n;
			s += 2 + n;
			continue;
		}
		if (used + 1 >= len) {
			snprintf(why, wlen, "the expanded devargs are longer than %zu characters",
				 len - 1);
			return -E2BIG;
		}
		out[used++] = *s++;
		out[used] = '\0';
	}
	return 0;
}

const char *
prx__conf_dpdk_env(struct prx__conf_ctx *ctx, const config_setting_t *g, const config_setting_t *s,
		   const char *str, enum prx_mode mode, struct prx_conf_port *port, char *buf,
		   size_t len)
{
	bool can_fall_back = mode != PRX_MODE_DPDK && config_setting_get_member(g, "kernel");
	char why[sizeof(port->dpdk_unset)];
	int rc;

	if (strstr(str, "${") == NULL)
		return str;
	rc = prx__conf_expand_env(str, buf, len, why, sizeof(why));
	if (rc == 0)
		return buf;
	if (rc == -ENOENT && can_fall_back) {
		snprintf(port->dpdk_unset, sizeof(port->dpdk_unset), "%.60s: %.90s", str, why);
		return NULL;
	}
	if (rc == -ENOENT)
		prx__conf_error(ctx, s, NULL, "%s%s", why,
				mode == PRX_MODE_DPDK ? " (mode is \"dpdk\")"
						      : ", and the port has no kernel interface");
	else
		prx__conf_error(ctx, s, NULL, "%s", why);
	return NULL;
}
