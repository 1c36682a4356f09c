/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Typed, validated configuration.  lib/conf is the only code that sees libconfig;
 * everything else reads a `const struct prx_conf`.
 *
 * Every error is one line "FILE:LINE: setting.path: reason" (see struct prx_conf_errors).
 * The settings are documented in config/README.md.
 */
#ifndef PRX_CONF_H
#define PRX_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "prx_common.h"

/** Top-level `mode`. */
#define PRX_MODES(X) \
	X(PRX_MODE_AUTO, "auto") \
	X(PRX_MODE_DPDK, "dpdk") \
	X(PRX_MODE_FALLBACK, "fallback")

/** `reactors.engine`: how a reactor waits (docs/design.md, "Engines"). */
#define PRX_ENGINES(X) \
	X(PRX_ENGINE_AUTO, "auto") \
	X(PRX_ENGINE_POLL, "poll") \
	X(PRX_ENGINE_EPOLL, "epoll") \
	X(PRX_ENGINE_ADAPTIVE, "adaptive")

/** Defaults of the adaptive engine's settings (config/README.md). */
#define PRX_CONF_MAX_WAKEUP_US 100
#define PRX_CONF_IDLE_POLLS 256

/** `mac` of an xconnect handler. */
#define PRX_MAC_MODES(X) \
	X(PRX_MAC_KEEP, "keep") \
	X(PRX_MAC_SWAP, "swap") \
	X(PRX_MAC_REWRITE, "rewrite")

/** `core_mapping`: what the numbers in control_core and reactors.cores name. */
#define PRX_CORE_MAPPINGS(X) \
	X(PRX_CORES_ABSOLUTE, "absolute") \
	X(PRX_CORES_RELATIVE, "relative")

/** Handler types known to the configuration. */
#define PRX_HANDLER_TYPES(X) \
	X(PRX_HANDLER_XCONNECT, "xconnect") \
	X(PRX_HANDLER_ROUTER, "router") \
	X(PRX_HANDLER_ACL, "acl") \
	X(PRX_HANDLER_RESPONDER, "responder")

#define PRX__ENUM(sym, str) sym,
enum prx_mode { PRX_MODES(PRX__ENUM) PRX_MODE_MAX };
enum prx_engine { PRX_ENGINES(PRX__ENUM) PRX_ENGINE_MAX };
enum prx_mac_mode { PRX_MAC_MODES(PRX__ENUM) PRX_MAC_MODE_MAX };
enum prx_handler_type { PRX_HANDLER_TYPES(PRX__ENUM) PRX_HANDLER_TYPE_MAX };
enum prx_core_mapping { PRX_CORE_MAPPINGS(PRX__ENUM) PRX_CORE_MAPPING_MAX };
#undef PRX__ENUM

const char *prx_mode_name(enum prx_mode m);
const char *prx_engine_name(enum prx_engine e);
const char *prx_mac_mode_name(enum prx_mac_mode m);
const char *prx_handler_type_name(enum prx_handler_type t);
const char *prx_core_mapping_name(enum prx_core_mapping m);

/** One entry of `ports`. */
struct prx_conf_port {
	char name[PRX_NAME_MAX]; /**< `name`, required, unique, [A-Za-z0-9_-]+ */
	char *dpdk;		 /**< `dpdk`: devargs (PCI address or vdev string) or NULL */
	char *kernel;		 /**< `kernel`: interface name (fallback mode) or NULL */
	bool is_pci;		 /**< devargs name a PCI device (EAL then probes PCI) */
	uint16_t rx_queues;	 /**< `rx_queues`, 1..1024, default 1 */
	uint16_t rx_desc;	 /**< `rx_desc`, 64..16384 power of two, default 1024 */
	uint16_t tx_desc;	 /**< `tx_desc`, 64..16384 power of two, default 1024 */
	bool promiscuous;	 /**< `promiscuous`, default true */
	int socket;		 /**< `socket`: NUMA node override, -1 = ask the device (default) */
	uint16_t n_chain;	 /**< number of handlers in `chain` (0 = drop everything) */
	uint16_t chain[PRX_CHAIN_MAX]; /**< `chain`: indices into prx_conf.handlers */
	bool has_addr;		       /**< `address` given */
	uint32_t addr4;	 /**< `address`: the appliance's IPv4 on this port (network order) */
	uint8_t prefix4; /**< its prefix length (a connected route for routers) */
	struct {
		uint32_t
			ring_frames; /**< `afpacket.ring_frames` per rx queue, 0 = driver default (4096); 64..1048576, power of two */
		uint32_t
			frame_size; /**< `afpacket.frame_size` bytes, 0 = sized from the MTU (default); 1024..65536, multiple of 16 */
		bool qdisc_bypass; /**< `afpacket.qdisc_bypass`, default false */
		uint8_t ring;	   /**< `afpacket.ring`: 2 ("v2", default) or 3 ("v3"); 0 = unset */
		uint32_t
			retire_ms; /**< `afpacket.retire_ms`: v3 block retire timeout, 0 = driver default (1); 1..1000 */
		bool fanout_defrag; /**< `afpacket.fanout_defrag`, default false */
		bool gso; /**< `afpacket.gso`: super-frames and partial checksums passed through */
	} afpacket;	  /**< fallback-mode settings of the kernel interface */
	int line;	  /**< line of the port's group, for later messages */
	/** Why `dpdk` is NULL although the file sets it: a ${NAME[i]} reference to an
	 *  environment variable that is not set (SR-IOV device plugin: no device allocated),
	 *  e.g. "${PCIDEVICE_X[0]}: PCIDEVICE_X is not set"; "" otherwise. */
	char dpdk_unset[160];
};

/* Settings of the handler types with tables; each defined with its parser
 * (lib/conf/conf_router.c, conf_acl.c). */
struct prx_conf_router;
struct prx_conf_acl;

/** `type = "responder"`: answers ARP and ICMP echo for the input port's `address`. */
struct prx_conf_responder {
	uint32_t rate;	/**< `rate`: answers per second per port and reactor, default 1000 */
	uint32_t burst; /**< `burst`: token bucket depth, default 100 */
};

/** One entry of `handlers`. */
struct prx_conf_handler {
	char name[PRX_NAME_MAX];    /**< `name`, required, unique */
	enum prx_handler_type type; /**< `type`, required */
	bool offload; /**< `offload`, default false: run on the worker pool (needs `workers`) */
	int line;
	union {
		struct {
			uint16_t to;		/**< `to`: index into prx_conf.ports */
			enum prx_mac_mode mac;	/**< `mac`, default "keep" */
			bool set_src, set_dst;	/**< which of src/dst `mac = "rewrite"` sets */
			uint8_t src[6], dst[6]; /**< `src_mac`, `dst_mac` ("02:00:00:00:00:01") */
			/** `work_cycles`, 0..100000000, default 0: TSC cycles busy-spun per packet
			 *  (a test and benchmark knob standing for an expensive handler) */
			uint32_t work_cycles;
		} xconnect;
		struct prx_conf_router *router; /**< owned */
		struct prx_conf_acl *acl;	/**< owned */
		struct prx_conf_responder responder;
	} u;
};

/** The whole configuration. */
struct prx_conf {
	char *file;	    /**< path it was loaded from ("<string>" for strings) */
	enum prx_mode mode; /**< `mode`, default auto */
	char instance
		[PRX_NAME_MAX]; /**< `instance`, default "prx": EAL --file-prefix, /run/prx/<instance>/ */
	unsigned int n_eal; /**< `eal`: extra EAL arguments, passed through */
	char **eal;
	unsigned int memory_mb; /**< `memory_mb`: EAL memory, 0 = sized from the config (default) */
	unsigned int stats_interval; /**< `stats_interval` seconds, 0 = off (default) */
	unsigned int control_core;   /**< `control_core`: the main lcore, default 0 */
	/** `core_mapping`, default absolute: control_core and reactors.cores are CPU
	 *  numbers; relative: indices into the CPUs the process may use (lib/ctl/prx_cpus.h) */
	enum prx_core_mapping core_mapping;
	struct {
		unsigned int n_cores; /**< entries in `reactors.cores` */
		unsigned int cores
			[PRX_MAX_REACTORS]; /**< `reactors.cores`, required, unique, != control_core, < 128 */
		enum prx_engine engine; /**< `reactors.engine`, default auto */
		/** engine of each reactor: `reactors.engines` (one per core) or else `engine` */
		enum prx_engine engines[PRX_MAX_REACTORS];
		uint16_t burst;	   /**< `reactors.burst`, 1..128, default 32 */
		uint32_t drain_us; /**< `reactors.drain_us`, 1..100000, default 100 */
		/** `reactors.max_wakeup_us`, 1..1000000, default PRX_CONF_MAX_WAKEUP_US:
		 *  longest an adaptive reactor's timed sleep may last */
		uint32_t max_wakeup_us;
		/** `reactors.idle_polls`, 1..10000000, default PRX_CONF_IDLE_POLLS: empty polls
		 *  in a row before an adaptive reactor first sleeps */
		uint32_t idle_polls;
	} reactors;
	struct {
		unsigned int n_cores; /**< entries in `workers.cores` (0: no worker pool) */
		/** `workers.cores`: one worker thread each; unique, not a reactor's core nor
		 *  the control_core */
		unsigned int cores[PRX_MAX_WORKERS];
		/** `workers.ring_size`, 64..65536, power of two, default 1024: items per ring
		 *  of each (reactor, worker) pair and direction */
		uint32_t ring_size;
	} workers;
	struct {
		uint32_t
			mbufs; /**< `mempool.mbufs` per NUMA socket, 0 = sized from the config (default); else 1024..16777216 */
		uint32_t cache; /**< `mempool.cache`, 0..512, default 256 */
		uint32_t
			data_room; /**< `mempool.data_room` bytes, 1024..65535, default 2176 (RTE_MBUF_DEFAULT_BUF_SIZE) */
	} mempool;
	unsigned int n_ports;
	struct prx_conf_port ports[PRX_MAX_PORTS];
	unsigned int n_handlers;
	struct prx_conf_handler handlers[PRX_MAX_HANDLERS];
	struct {
		char *socket; /**< `control.socket`, default "/run/prx/<instance>/prx.ctl" */
		uint32_t socket_mode; /**< `control.socket_mode` ("0660"), default 0660 */
		char *metrics; /**< `control.metrics` "HOST:PORT", default "127.0.0.1:9464"; "" = off */
		bool keep_net_caps; /**< `control.keep_net_caps`, default true: keep CAP_NET_RAW and
				         CAP_NET_ADMIN after start-up for ports added at run time */
	} control;
	/** Lines of the top-level settings (0 when absent), for messages about them later
	 *  ("reactors: changing it needs a restart"). */
	struct {
		int mode, instance, eal, memory_mb, control_core, reactors, mempool, control;
		int core_mapping, workers;
	} line;
};

/** Most errors one load reports; later ones are counted but not kept. */
#define PRX_CONF_MAX_ERRORS 32

/** What a failed load says: one "FILE:LINE: setting.path: reason" line per error. */
struct prx_conf_errors {
	unsigned int n; /**< errors found (may exceed PRX_CONF_MAX_ERRORS) */
	char msg[PRX_CONF_MAX_ERRORS][256];
};

/**
 * Load and validate a configuration file.
 * `@include` paths resolve against the including file's folder.
 * @return 0 and *out set, or -EINVAL (errors in *err; an @include that cannot be read is
 *   one), -ENOENT/-EACCES (the file itself), -ENOMEM.
 *   On error *out is NULL and err->n > 0 (file errors too: "FILE: reason").
 *   `err` may be NULL.
 */
int prx_conf_load_file(const char *path, struct prx_conf **out, struct prx_conf_errors *err);

/** The same from a string; `name` stands for FILE in messages, includes resolve against `include_dir` (may be NULL). */
int prx_conf_load_string(const char *text, const char *name, const char *include_dir,
			 struct prx_conf **out, struct prx_conf_errors *err);

/** Free a configuration (NULL is fine). */
void prx_conf_free(struct prx_conf *conf);

/**
 * Deep copy of a handler's settings (the tables of router and acl included), so that a
 * handler instance outlives the configuration it came from.  @return 0 or -ENOMEM.
 */
int prx_conf_handler_dup(struct prx_conf_handler *dst, const struct prx_conf_handler *src);
/** Free what prx_conf_handler_dup() allocated (the struct itself is the caller's). */
void prx_conf_handler_release(struct prx_conf_handler *h);
/** Same type and same settings (port references by name)? */
bool prx_conf_handler_equal(const struct prx_conf *ca, const struct prx_conf_handler *a,
			    const struct prx_conf *cb, const struct prx_conf_handler *b);

/** A port entry with every default set (name empty, no device, no chain). */
void prx_conf_port_init(struct prx_conf_port *port);

/** Index of the port called `name`, or -1. */
int prx_conf_port_index(const struct prx_conf *conf, const char *name);

#endif /* PRX_CONF_H */
