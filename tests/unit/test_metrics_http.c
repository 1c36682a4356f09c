/* SPDX-License-Identifier: BSD-3-Clause */
/* Metrics over HTTP, one request at a time: formats, methods, paths, heads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_metrics.h"

static void
test_http_get_metrics(void)
{
	struct tm_srv s;
	struct tm_resp r;

	tm_srv_start(&s);
	CU_ASSERT_EQUAL(
		tm_exchange(&s, "GET /metrics HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n", &r),
		200);
	tm_check_body(&r, false);
	CU_ASSERT_EQUAL(s.calls, 1);
	free(r.raw);
	/* HTTP/1.0, a query string, bare LF line ends. */
	CU_ASSERT_EQUAL(tm_exchange(&s, "GET /metrics?name[]=x HTTP/1.0\n\n", &r), 200);
	tm_check_body(&r, false);
	free(r.raw);
	/* The absolute form a proxy sends. */
	CU_ASSERT_EQUAL(tm_exchange(&s, "GET http://h:1/metrics HTTP/1.1\r\n\r\n", &r), 200);
	free(r.raw);
	tm_srv_stop(&s);
}

static void
test_http_openmetrics(void)
{
	static const struct {
		const char *accept;
		bool om;
	} cases[] = {
		{"Accept: application/openmetrics-text;version=1.0.0;q=0.5,application/"
		 "openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
		 true},
		{"accept: text/plain, Application/OpenMetrics-Text", true},
		{"Accept: application/openmetrics-text", true},
		{"Accept: application/openmetrics-text; q=0, text/plain", false},
		{"Accept: text/plain;q=0.9, application/openmetrics-text;q=0.5", false},
		{"Accept: */*", false},
		{"Accept: application/openmetrics-textual", false},
		{"Accept: text/plain;version=0.0.4", false},
		{"X-Accept: application/openmetrics-text", false},
	};
	struct tm_srv s;
	struct tm_resp r;
	char req[512];

	tm_srv_start(&s);
	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		snprintf(req, sizeof(req), "GET /metrics HTTP/1.1\r\n%s\r\n\r\n", cases[i].accept);
		CU_ASSERT_EQUAL(tm_exchange(&s, req, &r), 200);
		tm_check_body(&r, cases[i].om);
		if (cases[i].om)
			CU_ASSERT(r.body_len > 6 &&
				  strcmp(r.body + r.body_len - 6, "# EOF\n") == 0);
		free(r.raw);
	}
	tm_srv_stop(&s);
}

static void
test_http_head_and_index(void)
{
	struct tm_srv s;
	struct tm_resp r;
	char v[64];

	tm_srv_start(&s);
	CU_ASSERT_EQUAL(tm_exchange(&s, "HEAD /metrics HTTP/1.1\r\n\r\n", &r), 200);
	CU_ASSERT(r.clen > 1000);
	CU_ASSERT_EQUAL(r.body_len, 0);
	free(r.raw);
	CU_ASSERT_EQUAL(tm_exchange(&s, "GET / HTTP/1.1\r\n\r\n", &r), 200);
	CU_ASSERT_EQUAL((size_t)r.clen, r.body_len);
	CU_ASSERT(tm_header(&r, "Content-Type", v, sizeof(v)) && strncmp(v, "text/html", 9) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "href=\"/metrics\""));
	free(r.raw);
	CU_ASSERT_EQUAL(s.calls, 1);
	tm_srv_stop(&s);
}

static void
test_http_errors(void)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{"GET /nope HTTP/1.1\r\n\r\n", 404},
		{"GET /metricsx HTTP/1.1\r\n\r\n", 404},
		{"DELETE /nope HTTP/1.1\r\n\r\n", 404},
		{"POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 405},
		{"PUT / HTTP/1.1\r\n\r\n", 405},
		{"hello\r\n\r\n", 400},
		{"GET /metrics\r\n\r\n", 400},
		{"GET /metrics HTTP/2.0\r\n\r\n", 400},
		{"GET metrics HTTP/1.1\r\n\r\n", 400},
		{"GET /metrics HTTP/1.1 extra\r\n\r\n", 400},
	};
	struct tm_srv s;
	struct tm_resp r;
	char v[64];

	tm_srv_start(&s);
	for (size_t i = 0; i < PRX_ARRAY_SIZE(cases); i++) {
		CU_ASSERT_EQUAL(tm_exchange(&s, cases[i].req, &r), cases[i].status);
		CU_ASSERT_EQUAL((size_t)r.clen, r.body_len);
		if (cases[i].status == 405)
			CU_ASSERT(tm_header(&r, "Allow", v, sizeof(v)) != NULL &&
				  strcmp(v, "GET, HEAD") == 0);
		free(r.raw);
	}
	CU_ASSERT_EQUAL(s.calls, 0);
	/* No view to render. */
	s.unavailable = true;
	CU_ASSERT_EQUAL(tm_exchange(&s, "GET /metrics HTTP/1.1\r\n\r\n", &r), 503);
	CU_ASSERT_EQUAL((size_t)r.clen, r.body_len);
	free(r.raw);
	CU_ASSERT_EQUAL(s.calls, 1);
	tm_srv_stop(&s);
}

static void
test_http_split_request(void)
{
	static const char *const pieces[] = {"GE", "T /met", "rics HTTP/1.1\r\nHost: x\r",
					     "\n", "\r",     "\n"};
	struct tm_srv s;
	struct tm_resp r;
	int fd;

	tm_srv_start(&s);
	fd = tm_client(&s);
	for (size_t i = 0; i < PRX_ARRAY_SIZE(pieces); i++) {
		CU_ASSERT_EQUAL(tm_send(&s, fd, pieces[i], strlen(pieces[i])), 0);
		for (int k = 0; k < 3; k++)
			tm_pump(&s);
		/* Nothing is answered before the head is complete. */
		if (i + 1 < PRX_ARRAY_SIZE(pieces))
			CU_ASSERT_EQUAL(s.calls, 0);
	}
	tm_read_all(&s, fd, &r, 3000);
	close(fd);
	tm_parse_resp(&r);
	CU_ASSERT_EQUAL(r.status, 200);
	tm_check_body(&r, false);
	free(r.raw);
	tm_srv_stop(&s);
}

/* A request whose head is `total` bytes long, padded with a header. */
static char *
padded_request(size_t total)
{
	static const char start[] = "GET /metrics HTTP/1.1\r\nX-Pad: ", end[] = "\r\n\r\n";
	char *req = malloc(total + 1);
	size_t pad = total - (sizeof(start) - 1) - (sizeof(end) - 1);

	CU_ASSERT_FATAL(req != NULL);
	memcpy(req, start, sizeof(start) - 1);
	memset(req + sizeof(start) - 1, 'a', pad);
	memcpy(req + total - (sizeof(end) - 1), end, sizeof(end));
	return req;
}

static void
test_http_head_limit(void)
{
	struct tm_srv s;
	struct tm_resp r;
	char *req;

	tm_srv_start(&s);
	/* 8 KiB exactly is served... */
	req = padded_request(8192);
	CU_ASSERT_EQUAL(tm_exchange(&s, req, &r), 200);
	free(r.raw);
	free(req);
	/* ...one byte more is not: closed without an answer. */
	req = padded_request(8193);
	CU_ASSERT_EQUAL(tm_exchange(&s, req, &r), 0);
	CU_ASSERT_EQUAL(r.len, 0);
	free(r.raw);
	free(req);
	/* Nor is a head that never ends. */
	req = padded_request(20000);
	req[20000 - 4] = 'a';
	req[20000 - 2] = 'a';
	{
		int fd = tm_client(&s);

		tm_send(&s, fd, req, 20000); /* may be cut short by the close */
		tm_read_all(&s, fd, &r, 3000);
		close(fd);
		CU_ASSERT_TRUE(r.closed);
		CU_ASSERT_EQUAL(r.len, 0);
		free(r.raw);
	}
	free(req);
	CU_ASSERT_EQUAL(s.calls, 1);
	tm_srv_stop(&s);
}

const struct prx_test_case tm_http_cases[] = {
	PRX_TEST(test_http_get_metrics),
	PRX_TEST(test_http_openmetrics),
	PRX_TEST(test_http_head_and_index),
	PRX_TEST(test_http_errors),
	PRX_TEST(test_http_split_request),
	PRX_TEST(test_http_head_limit),
	{NULL, NULL},
};
