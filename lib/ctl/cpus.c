/* SPDX-License-Identifier: BSD-3-Clause */
/* The CPUs prxd may use and where the configured cores go (prx_cpus.h). */
#include "prx_cpus.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
prx_cpus_parse(const char *list, cpu_set_t *set)
{
	const char *p = list;

	CPU_ZERO(set);
	while (isspace((unsigned char)*p))
		p++;
	while (*p != '\0' && !isspace((unsigned char)*p)) {
		unsigned long a, b;
		char *end;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b >= CPU_SETSIZE)
			return -EINVAL;
		for (unsigned long c = a; c <= b; c++)
			CPU_SET(c, set);
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0' && !isspace((unsigned char)*p))
			return -EINVAL;
	}
	while (isspace((unsigned char)*p))
		p++;
	return *p == '\0' ? 0 : -EINVAL;
}

static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* snprintf at *off, never past the end (cut on purpose: paths and lists can be long) */
static void
append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	*off = n < 0 ? len : *off + (size_t)n;
}

/* snprintf that may cut, without the truncation warning */
#define say(buf, len, ...) \
	do { \
		size_t off_ = 0; \
		append(buf, len, &off_, __VA_ARGS__); \
	} while (0)

void
prx_cpus_format(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE; c++) {
		int e = c;

		if (!CPU_ISSET(c, set))
			continue;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
			e++;
		if (e == c)
			append(buf, len, &off, "%s%d", off ? "," : "", c);
		else
			append(buf, len, &off, "%s%d-%d", off ? "," : "", c, e);
		c = e;
	}
}

/* The first line of <root><path>, without its newline: 0, or -errno. */
static int
read_line(const char *root, const char *path, char *buf, size_t len)
{
	char full[PATH_MAX];
	FILE *f;
	int rc = 0;

	say(full, sizeof(full), "%s%s", root, path);
	f = fopen(full, "re");
	if (f == NULL)
		return -errno;
	if (fgets(buf, (int)len, f) == NULL)
		rc = -ENODATA;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return rc;
}

static int
affinity(const char *root, cpu_set_t *set)
{
	char path[PATH_MAX], line[4096];
	const char *key = "Cpus_allowed_list:";
	int rc = -ENOENT;
	FILE *f;

	if (root[0] == '\0')
		return sched_getaffinity(0, sizeof(*set), set) == 0 ? 0 : -errno;
	snprintf(path, sizeof(path), "%s/proc/self/status", root);
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	while (rc == -ENOENT && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			rc = prx_cpus_parse(line + strlen(key), set);
	fclose(f);
	return rc;
}

/* Our cgroup paths from <root>/proc/self/cgroup: v1's cpuset hierarchy and v2's. */
static void
cgroup_paths(const char *root, char *v1, char *v2, size_t len)
{
	char path[PATH_MAX], line[4096];
	FILE *f;

	v1[0] = v2[0] = '\0';
	snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *ctrl = strchr(line, ':'), *cg = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (cg == NULL)
			continue;
		*cg++ = '\0';
		*ctrl++ = '\0';
		cg[strcspn(cg, "\n")] = '\0';
		if (strcmp(line, "0") == 0 && ctrl[0] == '\0') {
			snprintf(v2, len, "%s", cg);
			continue;
		}
		for (char *t = strtok(ctrl, ","); t != NULL; t = strtok(NULL, ","))
			if (strcmp(t, "cpuset") == 0)
				snprintf(v1, len, "%s", cg);
	}
	fclose(f);
}

/* mountinfo escapes spaces and the like as \ooo. */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3])) {
			*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

/* The cgroup mount (v1 with cpuset, or v2): its root in the hierarchy and mount point. */
static bool
cgroup_mount(const char *root, bool v1, char *mroot, char *mpoint, size_t len)
{
	char path[PATH_MAX], line[4096];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *field[6], *sep = strstr(line, " - "), *save = NULL, *type, *opts;
		int n = 0;

		if (sep == NULL)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(line, " ", &save); t != NULL && n < 6;
		     t = strtok_r(NULL, " ", &save))
			field[n++] = t;
		type = strtok_r(sep + 3, " \n", &save);
		strtok_r(NULL, " \n", &save); /* the source */
		opts = strtok_r(NULL, " \n", &save);
		if (n < 5 || type == NULL)
			continue;
		if (v1) {
			if (strcmp(type, "cgroup") != 0 || opts == NULL)
				continue;
			for (char *t = strtok_r(opts, ",", &save); t != NULL && !found;
			     t = strtok_r(NULL, ",", &save))
				found = strcmp(t, "cpuset") == 0;
		} else {
			found = strcmp(type, "cgroup2") == 0;
		}
		if (found) {
			unescape(field[3]);
			unescape(field[4]);
			snprintf(mroot, len, "%s", field[3]);
			snprintf(mpoint, len, "%s", field[4]);
		}
	}
	fclose(f);
	return found;
}

/*
 * The cpuset of cgroup `cg` under the mount (mroot at mpoint): the file in the cgroup's
 * folder, or in the nearest ancestor's that has a non-empty one.  A cgroup outside the
 * mounted part (a container's mount shows only its own subtree) is the mount point.
 */
static bool
cpuset_of(const char *root, const char *cg, const char *mroot, const char *mpoint, bool v1,
	  struct prx_cpus *out, cpu_set_t *set)
{
	static const char *const v1_files[] = {"cpuset.effective_cpus", "cpuset.cpus", NULL};
	static const char *const v2_files[] = {"cpuset.cpus.effective", NULL};
	size_t ml = strlen(mroot), base;
	const char *rel = cg;
	char dir[PATH_MAX], path[PATH_MAX], line[4096], *slash;

	if (strcmp(mroot, "/") != 0) {
		if (strncmp(cg, mroot, ml) == 0 && (cg[ml] == '/' || cg[ml] == '\0'))
			rel = cg + ml;
		else
			rel = "";
	}
	if (strncmp(rel, "/..", 3) == 0)
		rel = "";
	say(dir, sizeof(dir), "%s%s", strcmp(mpoint, "/") == 0 ? "" : mpoint,
	    strcmp(rel, "/") == 0 ? "" : rel);
	base = strlen(mpoint) == 1 ? 0 : strlen(mpoint);
	for (;;) {
		for (const char *const *f = v1 ? v1_files : v2_files; *f != NULL; f++) {
			say(path, sizeof(path), "%s/%s", dir, *f);
			if (read_line(root, path, line, sizeof(line)) == 0 && line[0] != '\0' &&
			    prx_cpus_parse(line, set) == 0) {
				snprintf(out->cpuset_at, sizeof(out->cpuset_at), "%.255s", path);
				snprintf(out->cpuset, sizeof(out->cpuset), "%.255s", line);
				return true;
			}
		}
		/* up one level, never above the mount point */
		slash = strrchr(dir, '/');
		if (strlen(dir) <= base || slash == NULL)
			return false;
		*slash = '\0';
	}
}

int
prx_cpus_probe(const char *root, struct prx_cpus *out)
{
	char v1[PATH_MAX], v2[PATH_MAX], mroot[PATH_MAX], mpoint[PATH_MAX];
	cpu_set_t cs;
	bool have = false;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = affinity(root, &out->allowed);
	if (rc != 0)
		return rc;
	prx_cpus_format(&out->allowed, out->affinity, sizeof(out->affinity));
	cgroup_paths(root, v1, v2, sizeof(v1));
	if (v1[0] != '\0' && cgroup_mount(root, true, mroot, mpoint, sizeof(mroot)))
		have = cpuset_of(root, v1, mroot, mpoint, true, out, &cs);
	if (!have && v2[0] != '\0' && cgroup_mount(root, false, mroot, mpoint, sizeof(mroot)))
		have = cpuset_of(root, v2, mroot, mpoint, false, out, &cs);
	if (have)
		CPU_AND(&out->allowed, &out->allowed, &cs);
	out->n = (unsigned int)CPU_COUNT(&out->allowed);
	prx_cpus_format(&out->allowed, out->text, sizeof(out->text));
	return out->n > 0 ? 0 : -ENOENT;
}

/* "(affinity 0-3, cgroup cpuset 2-3 in /sys/fs/cgroup/cpuset.cpus.effective)" */
static void
origin(const struct prx_cpus *c, char *buf, size_t len)
{
	if (c->cpuset[0] != '\0')
		say(buf, len, "affinity %s, cgroup cpuset %s in %s", c->affinity, c->cpuset,
		    c->cpuset_at);
	else
		say(buf, len, "affinity %s, no cgroup cpuset found", c->affinity);
}

/* Where configured core `core` goes: 0 and *cpu, or -EINVAL with out->msg set. */
static int
place(const struct prx_conf *conf, const struct prx_cpus *c, const int *nth, const char *what,
      unsigned int core, unsigned int *cpu, struct prx_cpu_map *out)
{
	char from[600];

	if (conf->core_mapping == PRX_CORES_RELATIVE) {
		if (core < c->n) {
			*cpu = (unsigned int)nth[core];
			return 0;
		}
		origin(c, from, sizeof(from));
		say(out->msg, sizeof(out->msg),
		    "%s %u is outside the allowed CPU set %s (%s): with core_mapping = \"relative\" cores are indices 0..%u into it",
		    what, core, c->text, from, c->n - 1);
		return -EINVAL;
	}
	if (core < CPU_SETSIZE && CPU_ISSET(core, &c->allowed)) {
		*cpu = core;
		return 0;
	}
	origin(c, from, sizeof(from));
	say(out->msg, sizeof(out->msg),
	    "%s %u is not in the allowed CPU set %s (%s): use CPUs of that set, or core_mapping = \"relative\"",
	    what, core, c->text, from);
	return -EINVAL;
}

int
prx_cpus_map(const struct prx_conf *conf, const struct prx_cpus *cpus, struct prx_cpu_map *out)
{
	bool rel = conf->core_mapping == PRX_CORES_RELATIVE;
	int nth[CPU_SETSIZE];
	unsigned int n = 0;
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &cpus->allowed))
			nth[n++] = c;
	if (place(conf, cpus, nth, "control_core", conf->control_core, &out->control_cpu, out) != 0)
		return -EINVAL;
	for (unsigned int i = 0; i < conf->reactors.n_cores; i++)
		if (place(conf, cpus, nth, "reactors.cores: core", conf->reactors.cores[i],
			  &out->reactor_cpu[i], out) != 0)
			return -EINVAL;
	for (unsigned int i = 0; i < conf->workers.n_cores; i++)
		if (place(conf, cpus, nth, "workers.cores: core", conf->workers.cores[i],
			  &out->worker_cpu[i], out) != 0)
			return -EINVAL;
	if (rel) {
		append(out->lcores, sizeof(out->lcores), &off, "%u@%u", conf->control_core,
		       out->control_cpu);
		for (unsigned int i = 0; i < conf->reactors.n_cores; i++)
			append(out->lcores, sizeof(out->lcores), &off, ",%u@%u",
			       conf->reactors.cores[i], out->reactor_cpu[i]);
		for (unsigned int i = 0; i < conf->workers.n_cores; i++)
			append(out->lcores, sizeof(out->lcores), &off, ",%u@%u",
			       conf->workers.cores[i], out->worker_cpu[i]);
		if (off >= sizeof(out->lcores))
			return -E2BIG;
	}
	off = 0;
	append(out->msg, sizeof(out->msg), &off, "cores %s to the allowed CPUs %s: control_core %u",
	       rel ? "relative" : "absolute", cpus->text, conf->control_core);
	if (rel)
		append(out->msg, sizeof(out->msg), &off, " -> cpu %u", out->control_cpu);
	append(out->msg, sizeof(out->msg), &off, ", reactors");
	for (unsigned int i = 0; i < conf->reactors.n_cores; i++) {
		append(out->msg, sizeof(out->msg), &off, "%s%u",
		       i == 0 ? " "
		       : rel  ? ", "
			      : ",",
		       conf->reactors.cores[i]);
		if (rel)
			append(out->msg, sizeof(out->msg), &off, " -> cpu %u", out->reactor_cpu[i]);
	}
	return 0;
}
