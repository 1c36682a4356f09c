/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the configuration loader: prx_conf_load_string() on the input,
 * libconfig's parser and all of prx's validation (tests/fuzz/meson.build).
 *
 * No file outside a private folder is read.  The loader reads files for `@include` and
 * for an acl's `rules_file` and a router's `routes_file`:
 *  - every "@include" in the input must name one of the files this target writes into
 *    its own temporary folder (a plain name: no '/', no "..", no escapes), which is the
 *    loader's include_dir; any other input is skipped.  The files: a.cfg (settings),
 *    b.cfg (includes a.cfg), self.cfg (includes itself: the depth limit), bad.cfg (a
 *    syntax error); nosuch.cfg does not exist.
 *  - an input that mentions rules_file or routes_file (any case) is skipped: its value
 *    may be any path, built with escapes and string concatenation.
 *
 * Beyond memory errors and UB, an input is a finding when the result breaks the API:
 * success without a configuration or with errors, failure with a configuration or
 * without an error message, a chain naming a handler that is not there, or a handler
 * whose deep copy (prx_conf_handler_dup) does not compare equal to it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "prx_conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 (Debian 12) leaks its scanner's string buffer on some syntax errors
 * after a string that spans lines (64 bytes per load; corpus/conf/
 * libconfig_leak_string_syntax_error): inside libconfig, not prx, which calls
 * config_destroy() on every path.  Leaks allocated inside libconfig are not findings.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static char dir[64];
static char name[128]; /* the input's file name in messages: inside dir */

static const char *const files[][2] = {
	{"a.cfg", "reactors = { cores = [1]; };\nstats_interval = 2;\n"},
	{"b.cfg", "@include \"a.cfg\"\nmemory_mb = 64;\n"},
	{"self.cfg", "@include \"self.cfg\"\n"},
	{"bad.cfg", "ports = ( { name = ; } );\n"},
};
/* what an @include may name (nosuch.cfg: the file that is missing) */
static const char *const includable[] = {"a.cfg", "b.cfg", "self.cfg", "bad.cfg", "nosuch.cfg"};

static void
finding(const char *what, size_t size)
{
	fprintf(stderr, "fuzz_conf: %s (%zu bytes)\n", what, size);
	abort();
}

static void
remove_dir(void)
{
	char path[192];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		unlink(path);
	}
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[192];
	FILE *f;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/prx-fuzz-conf.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_conf: mkdtemp");
		exit(1);
	}
	atexit(remove_dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		f = fopen(path, "w");
		if (f == NULL || fputs(files[i][1], f) < 0 || fclose(f) != 0) {
			perror("fuzz_conf: writing the include files");
			exit(1);
		}
	}
	snprintf(name, sizeof(name), "%s/fuzz.cfg", dir);
	return 0;
}

/* Every "@include" is followed by blanks and a quoted name from `includable`. */
static int
includes_harmless(const char *text)
{
	const char *p = text;

	while ((p = strstr(p, "@include")) != NULL) {
		size_t i, ok = 0;

		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '"')
			return 0;
		p++;
		for (i = 0; i < sizeof(includable) / sizeof(includable[0]); i++) {
			size_t n = strlen(includable[i]);

			if (strncmp(p, includable[i], n) == 0 && p[n] == '"')
				ok = 1;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

static int
mentions_a_file(const char *text)
{
	for (const char *p = text; *p != '\0'; p++)
		if (strncasecmp(p, "rules_file", 10) == 0 || strncasecmp(p, "routes_file", 11) == 0)
			return 1;
	return 0;
}

static void
check_conf(const struct prx_conf *c, size_t size)
{
	if (c->n_ports > PRX_MAX_PORTS || c->n_handlers > PRX_MAX_HANDLERS)
		finding("more ports or handlers than the limits", size);
	for (unsigned int i = 0; i < c->n_ports; i++) {
		const struct prx_conf_port *port = &c->ports[i];

		if (port->n_chain > PRX_CHAIN_MAX)
			finding("a chain longer than PRX_CHAIN_MAX", size);
		for (unsigned int k = 0; k < port->n_chain; k++)
			if (port->chain[k] >= c->n_handlers)
				finding("a chain names a handler that is not there", size);
		if (prx_conf_port_index(c, port->name) != (int)i)
			finding("port names not unique", size);
	}
	for (unsigned int i = 0; i < c->n_handlers; i++) {
		struct prx_conf_handler copy;

		if (c->handlers[i].type == PRX_HANDLER_XCONNECT &&
		    c->handlers[i].u.xconnect.to >= c->n_ports)
			finding("an xconnect to a port that is not there", size);
		if (prx_conf_handler_dup(&copy, &c->handlers[i]) != 0)
			continue; /* out of memory: not a finding */
		if (!prx_conf_handler_equal(c, &c->handlers[i], c, &copy))
			finding("a handler differs from its copy", size);
		prx_conf_handler_release(&copy);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prx_conf_errors err;
	struct prx_conf *conf = NULL;
	char *text;
	int rc;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* an embedded NUL ends the text, as it would a C string */
	if (!includes_harmless(text) || mentions_a_file(text)) {
		free(text);
		return -1; /* not added to the corpus */
	}
	rc = prx_conf_load_string(text, name, dir, &conf, &err);
	if (rc == 0) {
		if (conf == NULL || err.n != 0)
			finding("success without a configuration, or with errors", size);
		check_conf(conf, size);
	} else {
		if (rc != -EINVAL && rc != -ENOMEM)
			finding("an error other than EINVAL or ENOMEM", size);
		if (conf != NULL || err.n == 0)
			finding("failure with a configuration, or without a message", size);
		for (unsigned int i = 0; i < err.n && i < PRX_CONF_MAX_ERRORS; i++)
			if (memchr(err.msg[i], '\0', sizeof(err.msg[i])) == NULL ||
			    err.msg[i][0] == '\0')
				finding("an empty or unterminated error message", size);
	}
	prx_conf_free(conf);
	free(text);
	return 0;
}
