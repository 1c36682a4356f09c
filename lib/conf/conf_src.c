/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration's source text.
 *
 * @include is expanded here rather than by libconfig: 1.5 resolves every include
 * against one include_dir (so nested includes from another folder miss, and absolute
 * paths get the dir prepended), and it keeps no text to re-read integer literals from.
 * Its scanner truncates integer literals to 32 bits before anyone can look
 * (99999999999 -> 1215752191, 0x1FFFFFFFF -> -1), so range checks re-read the literal
 * as written; see prx__conf_scan_ints().
 */
#include "conf_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the scanner is inside of at a line start: libconfig's INITIAL, COMMENT, STRING. */
enum lex_state { LEX_CODE, LEX_COMMENT, LEX_STRING };

static int
grow(void **p, unsigned int *cap, unsigned int need, size_t elem)
{
	unsigned int n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, (size_t)n * elem);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int
append_text(struct prx__conf_src *src, const char *s, size_t n)
{
	if (src->len + n + 1 > src->cap) {
		size_t cap = src->cap ? src->cap : 4096;
		char *t;

		while (cap < src->len + n + 1)
			cap *= 2;
		t = realloc(src->text, cap);
		if (t == NULL)
			return -ENOMEM;
		src->text = t;
		src->cap = cap;
	}
	memcpy(src->text + src->len, s, n);
	src->len += n;
	src->text[src->len] = '\0';
	return 0;
}

/* Append one source line (without its newline) and remember where it came from. */
static int
append_line(struct prx__conf_src *src, unsigned int file, unsigned int line, const char *s,
	    size_t n)
{
	if (grow((void **)&src->lines, &src->cap_lines, src->n_lines + 1, sizeof(src->lines[0])))
		return -ENOMEM;
	src->lines[src->n_lines++] = (struct prx__conf_pos){.file = file, .line = line};
	if (append_text(src, s, n) < 0 || append_text(src, "\n", 1) < 0)
		return -ENOMEM;
	return 0;
}

/* Takes `name` (malloc'd) in any case. */
static int
add_file(struct prx__conf_src *src, char *name, unsigned int *idx)
{
	if (grow((void **)&src->files, &src->cap_files, src->n_files + 1, sizeof(src->files[0]))) {
		free(name);
		return -ENOMEM;
	}
	*idx = src->n_files;
	src->files[src->n_files++] = name;
	return 0;
}

/* Follow libconfig's start conditions across one line. */
static void
lex_line(struct prx__conf_src *src, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (src->state) {
		case LEX_CODE:
			if (s[i] == '"')
				src->state = LEX_STRING;
			else if (s[i] == '#' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/'))
				return;
			else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*')
				src->state = LEX_COMMENT, i++;
			break;
		case LEX_COMMENT:
			if (s[i] == '*' && i + 1 < n && s[i + 1] == '/')
				src->state = LEX_CODE, i++;
			break;
		default:
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				src->state = LEX_CODE;
			break;
		}
	}
}

/* libconfig's `^[ \t]*@include[ \t]+\"`: offset just past the quote, or 0. */
static size_t
include_open(const char *s, size_t n)
{
	size_t i = 0, j;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < 8 || memcmp(s + i, "@include", 8) != 0)
		return 0;
	i += 8;
	for (j = i; j < n && (s[j] == ' ' || s[j] == '\t'); j++)
		;
	if (j == i || j >= n || s[j] != '"')
		return 0;
	return j + 1;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return NULL;
	return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static int
read_all(const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *t;
	size_t len = 0, cap = 0, got;
	int rc = 0;

	if (f == NULL)
		return -errno;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			t = realloc(buf, cap + 1);
			if (t == NULL) {
				rc = -ENOMEM;
				break;
			}
			buf = t;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (rc == 0 && ferror(f))
		rc = errno ? -errno : -EIO;
	fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static int expand(struct prx__conf_src *src, unsigned int file, const char *text, const char *dir,
		  unsigned int depth);

/*
 * One @include whose path starts at `s` (just past the opening quote); *used is set to
 * the characters taken, closing quote included.
 */
static int
include(struct prx__conf_src *src, unsigned int file, unsigned int line, const char *s, size_t n,
	const char *dir, unsigned int depth, size_t *used)
{
	char *path = malloc(n + 1), *full = NULL, *text = NULL, *subdir = NULL;
	size_t i, k = 0;
	unsigned int idx;
	int rc;

	if (path == NULL)
		return -ENOMEM;
	/* The include path's escapes are libconfig's: \\ and \" only. */
	for (i = 0; i < n && s[i] != '"'; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '\\' || s[i + 1] == '"'))
			i++;
		path[k++] = s[i];
	}
	path[k] = '\0';
	if (i == n) {
		snprintf(src->error, sizeof(src->error),
			 "%s:%u: syntax error: unterminated @include", src->files[file], line);
		rc = -EINVAL;
		goto out;
	}
	*used = i + 1;
	if (path[0] != '/' && dir != NULL) {
		if (asprintf(&full, "%s/%s", dir, path) < 0) {
			full = NULL;
			rc = -ENOMEM;
			goto out;
		}
	} else {
		full = path;
		path = NULL;
	}
	if (depth + 1 > PRX__CONF_INCLUDE_DEPTH) {
		snprintf(src->error, sizeof(src->error), "%s:%u: @include nested more than %d deep",
			 src->files[file], line, PRX__CONF_INCLUDE_DEPTH);
		rc = -EINVAL;
		goto out;
	}
	rc = read_all(full, &text);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0) {
		snprintf(src->error, sizeof(src->error),
			 "%s:%u: cannot open include file \"%s\": %s", src->files[file], line, full,
			 strerror(-rc));
		rc = -EINVAL;
		goto out;
	}
	subdir = dir_of(full);
	rc = add_file(src, full, &idx);
	full = NULL;
	if (rc == 0)
		rc = expand(src, idx, text, subdir, depth + 1);
out:
	free(subdir);
	free(text);
	free(full);
	free(path);
	return rc;
}

static int
expand(struct prx__conf_src *src, unsigned int file, const char *text, const char *dir,
       unsigned int depth)
{
	const char *p = text, *nl;
	unsigned int line = 0;
	size_t n, q, used;
	int rc;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		q = src->state == LEX_CODE ? include_open(p, n) : 0;
		if (q > 0) {
			rc = include(src, file, line, p + q, n - q, dir, depth, &used);
			if (rc < 0)
				return rc;
			/* What follows the closing quote stays on a line of its own. */
			q += used;
		}
		rc = append_line(src, file, line, p + q, n - q);
		if (rc < 0)
			return rc;
		lex_line(src, p + q, n - q);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

static int
load(struct prx__conf_src *src, const char *text, const char *name, const char *dir)
{
	char *copy = strdup(name);
	unsigned int idx;
	int rc;

	if (copy == NULL)
		return -ENOMEM;
	rc = add_file(src, copy, &idx);
	if (rc == 0)
		rc = expand(src, idx, text, dir, 0);
	if (rc == 0 && src->text == NULL)
		rc = append_text(src, "", 0);
	if (rc == -ENOMEM)
		snprintf(src->error, sizeof(src->error), "%s: %s", name, strerror(ENOMEM));
	return rc;
}

int
prx__conf_src_file(struct prx__conf_src *src, const char *path)
{
	char *text = NULL, *dir;
	int rc;

	rc = read_all(path, &text);
	if (rc < 0) {
		snprintf(src->error, sizeof(src->error), "%s: %s", path, strerror(-rc));
		return rc;
	}
	dir = dir_of(path);
	rc = load(src, text, path, dir);
	free(dir);
	free(text);
	return rc;
}

int
prx__conf_src_string(struct prx__conf_src *src, const char *text, const char *name,
		     const char *include_dir)
{
	return load(src, text, name, include_dir);
}

void
prx__conf_src_free(struct prx__conf_src *src)
{
	for (unsigned int i = 0; i < src->n_files; i++)
		free(src->files[i]);
	free(src->files);
	free(src->lines);
	free(src->text);
	memset(src, 0, sizeof(*src));
}

void
prx__conf_src_where(const struct prx__conf_src *src, unsigned int line, const char **file,
		    unsigned int *file_line)
{
	const struct prx__conf_pos *pos;

	*file = src->n_files ? src->files[0] : "?";
	*file_line = line ? line : 1;
	if (src->n_lines == 0 || line == 0)
		return;
	if (line <= src->n_lines) {
		pos = &src->lines[line - 1];
		*file_line = pos->line;
	} else {
		/* libconfig reports an error at end of input on the line after the last. */
		pos = &src->lines[src->n_lines - 1];
		*file_line = pos->line + (line - src->n_lines);
	}
	*file = src->files[pos->file];
}

/* Lengths of the digits of base `hex ? 16 : 10` at s. */
static size_t
digits(const char *s, bool hex)
{
	size_t n = 0;

	while (hex ? isxdigit((unsigned char)s[n]) : isdigit((unsigned char)s[n]))
		n++;
	return n;
}

/* libconfig's [eE][-+]?[0-9]+ at s: its length or 0. */
static size_t
exponent(const char *s)
{
	size_t n = 1, d;

	if (*s != 'e' && *s != 'E')
		return 0;
	if (s[n] == '-' || s[n] == '+')
		n++;
	d = digits(s + n, false);
	return d ? n + d : 0;
}

static size_t
suffix_l(const char *s)
{
	return s[0] != 'L' ? 0 : s[1] == 'L' ? 2 : 1;
}

/*
 * Longest match at s among libconfig's number rules ({integer}, {integer64}, {hex},
 * {hex64}, {float}), as flex picks it.  Returns the length (0: no number) and whether
 * the match is an integer.
 */
static size_t
number(const char *s, bool *is_int)
{
	size_t sign = (*s == '-' || *s == '+'), d1 = digits(s + sign, false), best = 0, n, d2;

	*is_int = false;
	if (d1 > 0) {
		best = sign + d1 + suffix_l(s + sign + d1);
		*is_int = true;
	}
	if (!sign && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && (n = digits(s + 2, true)) > 0) {
		n += 2 + suffix_l(s + 2 + n);
		if (n > best)
			best = n, *is_int = true;
	}
	if (s[sign + d1] == '.') {
		d2 = digits(s + sign + d1 + 1, false);
		n = sign + d1 + 1 + d2;
		n += exponent(s + n);
		if (n > best)
			best = n, *is_int = false;
	} else if (d1 > 0 && (n = exponent(s + sign + d1)) > 0) {
		if (sign + d1 + n > best)
			best = sign + d1 + n, *is_int = false;
	}
	return best;
}

static bool
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '*';
}

int
prx__conf_scan_ints(const char *text, struct prx__conf_lit **lits, unsigned int *n)
{
	struct prx__conf_lit *v = NULL;
	unsigned int nv = 0, cap = 0, line = 1;
	const char *p = text;
	bool is_int;
	size_t len;

	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (*p == '\n')
					line++;
			}
			if (*p == '"')
				p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p != '\0')
				p += 2;
		} else if (isalpha((unsigned char)*p) || *p == '*') {
			while (name_char(*p))
				p++;
		} else if ((len = number(p, &is_int)) > 0) {
			if (is_int) {
				if (grow((void **)&v, &cap, nv + 1, sizeof(*v)) < 0) {
					free(v);
					return -ENOMEM;
				}
				v[nv++] = (struct prx__conf_lit){
					.off = (unsigned int)(p - text),
					.len = (unsigned int)len,
					.line = line,
				};
			}
			p += len;
		} else {
			p++;
		}
	}
	*lits = v;
	*n = nv;
	return 0;
}

int
prx__conf_parse_int(const char *s, size_t len, long long *v)
{
	size_t sign = 0, n;
	unsigned long long u;
	char buf[128], *end;
	long long x;

	while (len > 0 && s[len - 1] == 'L')
		len--;
	if (len == 0 || len >= sizeof(buf))
		return len == 0 ? -EINVAL : -ERANGE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		if (digits(buf + 2, true) != len - 2)
			return -EINVAL;
		u = strtoull(buf, &end, 16);
		if (errno == ERANGE || u > (unsigned long long)LLONG_MAX)
			return -ERANGE;
		*v = (long long)u;
		return 0;
	}
	if (buf[0] == '-' || buf[0] == '+')
		sign = 1;
	n = digits(buf + sign, false);
	if (n == 0 || sign + n != len)
		return -EINVAL;
	x = strtoll(buf, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

static bool
is_int(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	       config_setting_type(s) == CONFIG_TYPE_INT64;
}

/* libconfig's value of literal `lit` agrees with the setting (unless the literal overflows). */
static bool
same_value(const config_setting_t *s, const char *lit, size_t len)
{
	long long v;

	if (prx__conf_parse_int(lit, len, &v) < 0)
		return true;
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		return (int)(unsigned int)(unsigned long long)v == config_setting_get_int(s);
	return v == config_setting_get_int64(s);
}

/* Pair int settings (document order) with literals; with `attach`, hook them up. */
static bool
pair_literals(config_setting_t *s, const struct prx__conf_src *src,
	      const struct prx__conf_lit *lits, unsigned int n, unsigned int *i, bool attach)
{
	if (is_int(s)) {
		if (*i >= n || !same_value(s, src->text + lits[*i].off, lits[*i].len))
			return false;
		if (attach)
			config_setting_set_hook(s, (void *)(uintptr_t)&lits[*i]);
		(*i)++;
		return true;
	}
	if (!config_setting_is_aggregate(s))
		return true;
	for (int k = 0; k < config_setting_length(s); k++)
		if (!pair_literals(config_setting_get_elem(s, (unsigned int)k), src, lits, n, i,
				   attach))
			return false;
	return true;
}

void
prx__conf_attach_literals(config_t *cfg, const struct prx__conf_src *src,
			  const struct prx__conf_lit *lits, unsigned int n)
{
	unsigned int i = 0;

	if (!pair_literals(config_root_setting(cfg), src, lits, n, &i, false) || i != n)
		return;
	i = 0;
	pair_literals(config_root_setting(cfg), src, lits, n, &i, true);
}
