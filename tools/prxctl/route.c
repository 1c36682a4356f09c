/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prxctl's router forms: the arguments of `route add|del|show` and `neigh add|del|show`
 * checked and typed into the request's args (docs/control.md, docs/router.md):
 *
 *   route add HANDLER PREFIX [via GATEWAY] port PORT [--exist-ok]
 *   route del HANDLER PREFIX [--missing-ok]
 *   route show HANDLER [--limit N]
 *   neigh add HANDLER IP MAC port PORT
 *   neigh del HANDLER IP [--missing-ok]
 *   neigh show HANDLER
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "prxctl.h"

/* "10.0.2.0/24", or an address alone (a /32). */
static bool
valid_prefix(const char *s)
{
	const char *slash = strchr(s, '/');
	char buf[INET_ADDRSTRLEN];
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	struct in_addr a;
	char *end;
	long l;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	if (slash == NULL)
		return true;
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	l = strtol(slash + 1, &end, 10);
	return *end == '\0' && l >= 0 && l <= 32;
}

static bool
valid_ip(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static bool
valid_mac(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		bool colon = i % 3 == 2;

		if (colon ? s[i] != ':'
			  : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	}
	return true;
}

static json_t *
fail(char *err, size_t len, json_t *args, const char *fmt, const char *arg)
{
	snprintf(err, len, fmt, arg);
	json_decref(args);
	return NULL;
}

/* Positional words and --flags: words[] gets the words in order; a flag not in
 * `flags` (NULL-terminated) is an error. */
static int
split(int argc, char **argv, const char *const *flags, const char **words, int max, bool *set,
      char *err, size_t len)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] == '-') {
			int f;

			for (f = 0; flags[f] != NULL && strcmp(flags[f], argv[i]) != 0; f++)
				;
			if (flags[f] == NULL) {
				snprintf(err, len, "unknown option '%s'", argv[i]);
				return -1;
			}
			set[f] = true;
			continue;
		}
		if (n == max) {
			snprintf(err, len, "unexpected argument '%s'", argv[i]);
			return -1;
		}
		words[n++] = argv[i];
	}
	return n;
}

static json_t *
route_add(int argc, char **argv, char *err, size_t len)
{
	static const char *const flags[] = {"--exist-ok", NULL};
	const char *w[6];
	bool set[1] = {false};
	int n = split(argc, argv, flags, w, 6, set, err, len);
	json_t *a;

	if (n < 0)
		return NULL;
	/* HANDLER PREFIX port PORT, or HANDLER PREFIX via GATEWAY port PORT */
	if (!((n == 4 && strcmp(w[2], "port") == 0) ||
	      (n == 6 && strcmp(w[2], "via") == 0 && strcmp(w[4], "port") == 0))) {
		snprintf(err, len, "route add: HANDLER PREFIX [via GATEWAY] port PORT expected");
		return NULL;
	}
	a = json_pack("{s:s, s:s}", "handler", w[0], "prefix", w[1]);
	if (a == NULL)
		return fail(err, len, NULL, "route add: '%s' is not valid UTF-8", w[0]);
	if (!valid_prefix(w[1]))
		return fail(err, len, a, "route add: PREFIX '%s' is not like 10.0.2.0/24", w[1]);
	if (n == 6) {
		if (!valid_ip(w[3]))
			return fail(err, len, a, "route add: GATEWAY '%s' is not an IPv4 address",
				    w[3]);
		json_object_set_new(a, "via", json_string(w[3]));
	}
	if (json_object_set_new(a, "port", json_string(w[n - 1])) != 0)
		return fail(err, len, a, "route add: '%s' is not valid UTF-8", w[n - 1]);
	if (set[0])
		json_object_set_new(a, "exist_ok", json_true());
	return a;
}

static json_t *
route_del(int argc, char **argv, char *err, size_t len)
{
	static const char *const flags[] = {"--missing-ok", NULL};
	const char *w[2];
	bool set[1] = {false};
	int n = split(argc, argv, flags, w, 2, set, err, len);
	json_t *a;

	if (n < 0)
		return NULL;
	if (n != 2) {
		snprintf(err, len, "route del: HANDLER PREFIX expected");
		return NULL;
	}
	a = json_pack("{s:s, s:s}", "handler", w[0], "prefix", w[1]);
	if (a == NULL)
		return fail(err, len, NULL, "route del: '%s' is not valid UTF-8", w[0]);
	if (!valid_prefix(w[1]))
		return fail(err, len, a, "route del: PREFIX '%s' is not like 10.0.2.0/24", w[1]);
	if (set[0])
		json_object_set_new(a, "missing_ok", json_true());
	return a;
}

static json_t *
route_show(int argc, char **argv, char *err, size_t len)
{
	json_t *a;
	long long limit = -1;
	const char *handler = NULL;

	for (int i = 0; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			limit = strtoll(argv[++i], &end, 10);
			if (argv[i][0] < '0' || argv[i][0] > '9' || *end != '\0' ||
			    limit > 100000000)
				return fail(err, len, NULL,
					    "route show: --limit: '%s' is not a count 0..100000000",
					    argv[i]);
		} else if (argv[i][0] == '-') {
			return fail(err, len, NULL, "route show: unknown option '%s'", argv[i]);
		} else if (handler != NULL) {
			return fail(err, len, NULL, "route show: unexpected argument '%s'",
				    argv[i]);
		} else {
			handler = argv[i];
		}
	}
	if (handler == NULL)
		return fail(err, len, NULL, "route show: HANDLER missing%s", "");
	a = json_pack("{s:s}", "handler", handler);
	if (a == NULL)
		return fail(err, len, NULL, "route show: '%s' is not valid UTF-8", handler);
	if (limit >= 0)
		json_object_set_new(a, "limit", json_integer(limit));
	return a;
}

static json_t *
neigh_add(int argc, char **argv, char *err, size_t len)
{
	static const char *const flags[] = {NULL};
	const char *w[5];
	bool set[1];
	int n = split(argc, argv, flags, w, 5, set, err, len);
	json_t *a;

	if (n < 0)
		return NULL;
	if (n != 5 || strcmp(w[3], "port") != 0) {
		snprintf(err, len, "neigh add: HANDLER IP MAC port PORT expected");
		return NULL;
	}
	if (!valid_ip(w[1]))
		return fail(err, len, NULL, "neigh add: IP '%s' is not an IPv4 address", w[1]);
	if (!valid_mac(w[2]))
		return fail(err, len, NULL, "neigh add: MAC '%s' is not like 02:00:00:00:00:01",
			    w[2]);
	a = json_pack("{s:s, s:s, s:s, s:s}", "handler", w[0], "ip", w[1], "mac", w[2], "port",
		      w[4]);
	if (a == NULL)
		snprintf(err, len, "neigh add: arguments are not valid UTF-8");
	return a;
}

static json_t *
neigh_del(int argc, char **argv, char *err, size_t len)
{
	static const char *const flags[] = {"--missing-ok", NULL};
	const char *w[2];
	bool set[1] = {false};
	int n = split(argc, argv, flags, w, 2, set, err, len);
	json_t *a;

	if (n < 0)
		return NULL;
	if (n != 2) {
		snprintf(err, len, "neigh del: HANDLER IP expected");
		return NULL;
	}
	if (!valid_ip(w[1]))
		return fail(err, len, NULL, "neigh del: IP '%s' is not an IPv4 address", w[1]);
	a = json_pack("{s:s, s:s}", "handler", w[0], "ip", w[1]);
	if (a == NULL)
		return fail(err, len, NULL, "neigh del: '%s' is not valid UTF-8", w[0]);
	if (set[0])
		json_object_set_new(a, "missing_ok", json_true());
	return a;
}

static json_t *
neigh_show(int argc, char **argv, char *err, size_t len)
{
	json_t *a;

	if (argc != 1 || argv[0][0] == '-') {
		snprintf(err, len, "neigh show: HANDLER expected");
		return NULL;
	}
	a = json_pack("{s:s}", "handler", argv[0]);
	if (a == NULL)
		snprintf(err, len, "neigh show: '%s' is not valid UTF-8", argv[0]);
	return a;
}

json_t *
router_args(const char *request, int argc, char **argv, char *err, size_t len)
{
	static const struct {
		const char *request;
		json_t *(*fn)(int argc, char **argv, char *err, size_t len);
	} forms[] = {
		{"route.add", route_add}, {"route.del", route_del}, {"route.show", route_show},
		{"neigh.add", neigh_add}, {"neigh.del", neigh_del}, {"neigh.show", neigh_show},
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(request, forms[i].request) == 0)
			return forms[i].fn(argc, argv, err, len);
	snprintf(err, len, "%s: not a router command", request);
	return NULL;
}
