/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generic human renderer.  prxctl knows no result layout beyond the change summaries:
 * every show.* command (and any command prxd adds later) is rendered from the JSON shape
 * alone, so the daemon can grow fields without a prxctl release.
 *
 *   array of objects      aligned table; columns from the first row's keys in order,
 *                         then keys first seen in later rows; numeric columns right-aligned
 *   other array           one element per line
 *   object                "key: value" lines; a value that is a table, an object or a
 *                         non-empty array gets a "key:" title and is rendered below it,
 *                         indented by two
 *   scalar                on a line of its own; null prints nothing
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "prxctl.h"

static void
oom(void)
{
	fputs("prxctl: out of memory\n", stderr);
	exit(PRXCTL_EXIT_IO);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n > 0 ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		oom();
	return d;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return s;
}

/* Text from prxd as it is, except control characters: one cell with a newline would
 * break every line of a table after it. */
static void
put_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static bool
is_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

static void
put_cell(FILE *f, const json_t *v)
{
	size_t i;
	json_t *e;

	if (v == NULL) {
		fputc('-', f);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_NULL:
		fputc('-', f);
		break;
	case JSON_TRUE:
		fputs("yes", f);
		break;
	case JSON_FALSE:
		fputs("no", f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		/* 15 digits: exact for what people read (12.5, 0.1), no binary noise */
		fprintf(f, "%.15g", json_real_value(v));
		break;
	case JSON_STRING:
		put_text(f, json_string_value(v));
		break;
	case JSON_ARRAY:
		if (json_array_size(v) == 0) {
			fputc('-', f);
			break;
		}
		for (i = 0; i < json_array_size(v); i++) {
			e = json_array_get(v, i);
			if (!is_scalar(e)) {
				json_dumpf(v, f, JSON_COMPACT);
				return;
			}
		}
		for (i = 0; i < json_array_size(v); i++) {
			e = json_array_get(v, i);
			if (i > 0)
				fputc(',', f);
			put_cell(f, e);
		}
		break;
	case JSON_OBJECT:
		json_dumpf(v, f, JSON_COMPACT);
		break;
	}
}

char *
render_cell(const json_t *v)
{
	size_t n;
	char *s;
	FILE *m = open_memstream(&s, &n);

	if (m == NULL)
		oom();
	put_cell(m, v);
	if (fclose(m) != 0)
		oom();
	return s;
}

bool
render_is_table(const json_t *v)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	for (i = 0; i < json_array_size(v); i++) {
		e = json_array_get(v, i);
		if (!json_is_object(e))
			return false;
	}
	return true;
}

/* Columns on a terminal: UTF-8 code points, right for the names and numbers prxd sends
 * (no double-width characters). */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Prints a line's cells, holding back padding until more text follows: no line ends in
 * blanks, whatever its last cells hold. */
struct line_out {
	FILE *f;
	size_t pending;
};

static void
line_put(struct line_out *lo, const char *s)
{
	if (*s == '\0')
		return;
	fprintf(lo->f, "%*s%s", (int)lo->pending, "", s);
	lo->pending = 0;
}

void
render_table(FILE *f, const json_t *rows, int indent)
{
	/* the columns, an ordered set: jansson objects keep insertion order */
	json_t *cols = json_object();
	size_t nr = json_array_size(rows), nc, r, c, i;
	const char *key, **names;
	json_t *row, *v;
	void *it;
	size_t *width;
	bool *right;
	char **cell;

	for (i = 0; i < json_array_size(rows); i++) {
		row = json_array_get(rows, i);
		for (it = json_object_iter(row); it != NULL; it = json_object_iter_next(row, it)) {
			key = json_object_iter_key(it);
			if (json_object_get(cols, key) == NULL)
				json_object_set_new(cols, key, json_null());
		}
	}
	nc = json_object_size(cols);
	names = xmalloc(nc * sizeof(*names));
	width = xmalloc(nc * sizeof(*width));
	right = xmalloc(nc * sizeof(*right));
	cell = xmalloc((nr + 1) * nc * sizeof(*cell)); /* row 0: the header */
	c = 0;
	for (it = json_object_iter(cols); it != NULL; it = json_object_iter_next(cols, it)) {
		bool any = false;
		char *h;

		key = json_object_iter_key(it);
		names[c] = key;
		right[c] = true;
		for (r = 0; r < json_array_size(rows); r++) {
			row = json_array_get(rows, r);
			v = json_object_get(row, key);
			if (v != NULL && !json_is_null(v)) {
				any = true;
				right[c] = right[c] && json_is_number(v);
			}
		}
		right[c] = right[c] && any;
		h = xstrdup(key);
		for (i = 0; h[i] != '\0'; i++)
			h[i] = h[i] >= 'a' && h[i] <= 'z' ? (char)(h[i] - 'a' + 'A') : h[i];
		cell[c] = h;
		width[c] = text_width(h);
		c++;
	}
	for (r = 0; r < nr; r++) {
		row = json_array_get(rows, r);
		for (c = 0; c < nc; c++) {
			char *s = render_cell(json_object_get(row, names[c]));
			size_t w = text_width(s);

			cell[(r + 1) * nc + c] = s;
			if (w > width[c])
				width[c] = w;
		}
	}
	for (r = 0; r <= nr; r++) {
		struct line_out lo = {.f = f, .pending = (size_t)indent};

		for (c = 0; c < nc; c++) {
			const char *s = cell[r * nc + c];
			size_t pad = width[c] - text_width(s);

			if (c > 0)
				lo.pending += 2;
			if (right[c])
				lo.pending += pad;
			line_put(&lo, s);
			if (!right[c])
				lo.pending += pad;
		}
		fputc('\n', f);
	}
	for (i = 0; i < (nr + 1) * nc; i++)
		free(cell[i]);
	free(cell);
	free(right);
	free(width);
	free(names);
	json_decref(cols);
}

static void
render_list(FILE *f, const json_t *a, int indent)
{
	size_t i;
	json_t *e;

	if (json_array_size(a) == 0)
		fprintf(f, "%*s(none)\n", indent, "");
	for (i = 0; i < json_array_size(a); i++) {
		e = json_array_get(a, i);
		fprintf(f, "%*s", indent, "");
		put_cell(f, e);
		fputc('\n', f);
	}
}

static void
render_object(FILE *f, const json_t *obj, int indent)
{
	/* jansson's iterators take no const; nothing here changes the object */
	json_t *o = (json_t *)obj, *v;
	const char *key;
	void *it;

	for (it = json_object_iter(o); it != NULL; it = json_object_iter_next(o, it)) {
		key = json_object_iter_key(it);
		v = json_object_iter_value(it);
		fprintf(f, "%*s", indent, "");
		put_text(f, key);
		if (render_is_table(v)) {
			fputs(":\n", f);
			render_table(f, v, indent + 2);
		} else if (json_is_object(v) && json_object_size(v) > 0) {
			fputs(":\n", f);
			render_object(f, v, indent + 2);
		} else if (json_is_array(v) && json_array_size(v) > 0) {
			fputs(":\n", f);
			render_list(f, v, indent + 2);
		} else if (json_is_array(v)) {
			fputs(": (none)\n", f);
		} else {
			fputs(": ", f);
			put_cell(f, v);
			fputc('\n', f);
		}
	}
}

void
render_value(FILE *f, const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return;
	if (render_is_table(v)) {
		render_table(f, v, 0);
	} else if (json_is_array(v)) {
		render_list(f, v, 0);
	} else if (json_is_object(v)) {
		render_object(f, v, 0);
	} else {
		put_cell(f, v);
		fputc('\n', f);
	}
}
