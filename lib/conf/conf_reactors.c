/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `reactors` group: data-plane cores, how each reactor waits, and its loop's knobs.
 *
 *   reactors = {
 *     cores = [1, 2];                   # one reactor per core, required
 *     engine = "auto";                  # auto | poll | epoll | adaptive
 *     engines = ["adaptive", "poll"];   # per reactor, overrides engine
 *     burst = 32; drain_us = 100;
 *     max_wakeup_us = 100;              # adaptive: longest timed sleep
 *     idle_polls = 256;                 # adaptive: empty polls before sleeping
 *   };
 */
#include <libconfig.h>

#include "conf_internal.h"
#include "prx_conf.h"

#define DRAIN_US_MAX 100000
#define MAX_WAKEUP_US_MAX 1000000
#define IDLE_POLLS_MAX 10000000

static const char *const engine_names[] = {PRX_ENGINES(PRX__XNAME)};
static const char *const reactors_keys[] = {"cores",	"engine",	 "engines",    "burst",
					    "drain_us", "max_wakeup_us", "idle_polls", NULL};

const char *
prx_engine_name(enum prx_engine e)
{
	return prx_name_of(engine_names, PRX_ENGINE_MAX, e);
}

void
prx__conf_reactors_defaults(struct prx_conf *c)
{
	c->reactors.engine = PRX_ENGINE_AUTO;
	c->reactors.burst = 32;
	c->reactors.drain_us = 100;
	c->reactors.max_wakeup_us = PRX_CONF_MAX_WAKEUP_US;
	c->reactors.idle_polls = PRX_CONF_IDLE_POLLS;
	c->workers.ring_size = 1024;
}

static bool
is_int(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	       config_setting_type(s) == CONFIG_TYPE_INT64;
}

/* Optional integer member: 1 and *v when set and valid, 0 when absent, -1 when wrong. */
static int
opt_int(struct prx__conf_ctx *ctx, const config_setting_t *g, const char *name, long long min,
	long long max, long long *v)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	return prx__conf_int(ctx, s, min, max, false, v) < 0 ? -1 : 1;
}

static void
parse_cores(struct prx__conf_ctx *ctx, const config_setting_t *cores, struct prx_conf *c,
	    bool control_core_ok)
{
	const config_setting_t *e;
	unsigned int j;
	long long v;

	prx__conf_scalar_list(ctx, cores, CONFIG_TYPE_INT, 1, PRX_MAX_REACTORS);
	if (!config_setting_is_aggregate(cores))
		return;
	for (int i = 0; i < config_setting_length(cores); i++) {
		e = config_setting_get_elem(cores, (unsigned int)i);
		if (!is_int(e) || prx__conf_int(ctx, e, 0, PRX__CONF_CORE_MAX, false, &v) < 0)
			continue;
		for (j = 0; j < c->reactors.n_cores && c->reactors.cores[j] != v; j++)
			;
		if (j < c->reactors.n_cores)
			prx__conf_error(ctx, e, NULL, "duplicate core %lld", v);
		else if (control_core_ok && v == c->control_core)
			prx__conf_error(ctx, e, NULL, "core %lld is the control_core", v);
		else if (c->reactors.n_cores < PRX_MAX_REACTORS)
			c->reactors.cores[c->reactors.n_cores++] = (unsigned int)v;
	}
}

/* `engines`: one engine name per entry of `cores`, overriding `engine`. */
static void
parse_engines(struct prx__conf_ctx *ctx, const config_setting_t *g, struct prx_conf *c)
{
	const config_setting_t *s = config_setting_get_member(g, "engines");
	unsigned int e;

	if (s == NULL || prx__conf_scalar_list(ctx, s, CONFIG_TYPE_STRING, 1, PRX_MAX_REACTORS) < 0)
		return;
	if ((unsigned int)config_setting_length(s) != c->reactors.n_cores) {
		prx__conf_error(ctx, s, NULL, "has %d entries, one per core expected (%u)",
				config_setting_length(s), c->reactors.n_cores);
		return;
	}
	for (unsigned int i = 0; i < c->reactors.n_cores; i++)
		if (prx__conf_enum(ctx, config_setting_get_elem(s, i), engine_names, PRX_ENGINE_MAX,
				   &e) == 0)
			c->reactors.engines[i] = (enum prx_engine)e;
}

void
prx__conf_parse_reactors(struct prx__conf_ctx *ctx, const config_setting_t *g, struct prx_conf *c,
			 bool control_core_ok)
{
	const config_setting_t *s;
	unsigned int e;
	long long v;

	if (prx__conf_group(ctx, g) < 0)
		return;
	prx__conf_keys(ctx, g, reactors_keys);
	s = config_setting_get_member(g, "cores");
	if (s == NULL)
		prx__conf_error(ctx, g, "cores", "missing required setting");
	else
		parse_cores(ctx, s, c, control_core_ok);
	s = config_setting_get_member(g, "engine");
	if (s != NULL && prx__conf_enum(ctx, s, engine_names, PRX_ENGINE_MAX, &e) == 0)
		c->reactors.engine = (enum prx_engine)e;
	for (unsigned int i = 0; i < PRX_MAX_REACTORS; i++)
		c->reactors.engines[i] = c->reactors.engine;
	parse_engines(ctx, g, c);
	if (opt_int(ctx, g, "burst", 1, PRX_BURST_MAX, &v) > 0)
		c->reactors.burst = (uint16_t)v;
	if (opt_int(ctx, g, "drain_us", 1, DRAIN_US_MAX, &v) > 0)
		c->reactors.drain_us = (uint32_t)v;
	if (opt_int(ctx, g, "max_wakeup_us", 1, MAX_WAKEUP_US_MAX, &v) > 0)
		c->reactors.max_wakeup_us = (uint32_t)v;
	if (opt_int(ctx, g, "idle_polls", 1, IDLE_POLLS_MAX, &v) > 0)
		c->reactors.idle_polls = (uint32_t)v;
}

/*
 *   workers = { cores = [3, 4]; };     # worker pool for handlers with offload = true
 */
static const char *const workers_keys[] = {"cores", "ring_size", NULL};

void
prx__conf_parse_workers(struct prx__conf_ctx *ctx, const config_setting_t *g, struct prx_conf *c,
			bool control_core_ok)
{
	const config_setting_t *cores, *e;
	unsigned int j;
	long long v;

	if (prx__conf_group(ctx, g) < 0)
		return;
	prx__conf_keys(ctx, g, workers_keys);
	if (opt_int(ctx, g, "ring_size", 64, 65536, &v) > 0) {
		if ((v & (v - 1)) != 0)
			prx__conf_error(ctx, config_setting_get_member(g, "ring_size"), NULL,
					"%lld is not a power of two", v);
		else
			c->workers.ring_size = (uint32_t)v;
	}
	cores = config_setting_get_member(g, "cores");
	if (cores == NULL) {
		prx__conf_error(ctx, g, "cores", "missing required setting");
		return;
	}
	if (prx__conf_scalar_list(ctx, cores, CONFIG_TYPE_INT, 1, PRX_MAX_WORKERS) < 0)
		return;
	for (int i = 0; i < config_setting_length(cores); i++) {
		e = config_setting_get_elem(cores, (unsigned int)i);
		if (!is_int(e) || prx__conf_int(ctx, e, 0, PRX__CONF_CORE_MAX, false, &v) < 0)
			continue;
		for (j = 0; j < c->workers.n_cores && c->workers.cores[j] != v; j++)
			;
		if (j < c->workers.n_cores) {
			prx__conf_error(ctx, e, NULL, "duplicate core %lld", v);
			continue;
		}
		for (j = 0; j < c->reactors.n_cores && c->reactors.cores[j] != v; j++)
			;
		if (j < c->reactors.n_cores)
			prx__conf_error(ctx, e, NULL, "core %lld is a reactor's (reactors.cores)",
					v);
		else if (control_core_ok && v == c->control_core)
			prx__conf_error(ctx, e, NULL, "core %lld is the control_core", v);
		else if (c->reactors.n_cores + c->workers.n_cores >= PRX_MAX_REACTORS)
			prx__conf_error(ctx, e, NULL, "reactors and workers together: at most %d",
					PRX_MAX_REACTORS);
		else
			c->workers.cores[c->workers.n_cores++] = (unsigned int)v;
	}
}
