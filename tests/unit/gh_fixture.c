/*
 * gh_fixture.c - a GitHub client on the scripted transport, a virtual clock,
 * and JSON answers kept alive for the test. See gh_fixture.h.
 */
#include "gh_fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "http.h"
#include "log.h"
#include "util.h"

#define KEPT_MAX 1024

struct fake_http gh_fake;
static struct http_client *http;
static char *kept[KEPT_MAX];
static size_t nkept;
static char *log_text;
static size_t log_len;
static FILE *log_stream;

static struct {
	int64_t ms;
} vclock;

static time_t
v_now(void *ctx)
{
	(void)ctx;
	return FIXTURE_T0 + (time_t)(vclock.ms / 1000);
}

static int64_t
v_mono(void *ctx)
{
	(void)ctx;
	return vclock.ms;
}

static void
v_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	vclock.ms += ms;
}

static const struct clock_source virtual_clock = {v_now, v_mono, v_sleep, NULL};

const char *
fixture_keep(char *s)
{
	if (nkept == KEPT_MAX) {
		fprintf(stderr, "gh_fixture: too many kept strings\n");
		abort();
	}
	kept[nkept++] = s;
	return s;
}

struct gh *
fixture_gh(void)
{
	static char tok[] = "t0ken-fixture";
	static char *toks[] = {tok};
	static const struct rl_policy policy = {600, 0, 0, 1, 5};
	struct http_options o = {"test-agent", 0, 0, 0, NULL, false};
	struct gh_options go = {.api_url = "https://api.test",
				.graphql_url = "https://api.test/graphql",
				.tokens = toks,
				.ntokens = 1,
				.policy = &policy};

	fake_http_reset(&gh_fake);
	http_client_free(http);
	http = http_client_new(&o, NULL);
	http_client_set_transport(http, fake_http_transport, &gh_fake);
	go.http = http;
	vclock.ms = 0;
	clock_use(&virtual_clock);
	return gh_new(&go);
}

void
fixture_end(struct gh *g)
{
	clock_use(NULL);
	gh_free(g);
	http_client_free(http);
	http = NULL;
	fake_http_reset(&gh_fake);
	if (log_stream != NULL)
		fixture_log_end();
	for (size_t i = 0; i < nkept; i++)
		free(kept[i]);
	nkept = 0;
}

const char *
jq(const char *fmt, ...)
{
	struct buf b = BUF_INIT((size_t)1 << 24);
	va_list ap;
	char *s;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	s = buf_detach(&b);
	for (char *p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return fixture_keep(s);
}

void
fixture_answer(long status, const char *headers, const char *body)
{
	if (gh_fake.nanswers == FAKE_MAX) {
		fprintf(stderr, "gh_fixture: more than %d answers\n", FAKE_MAX);
		abort();
	}
	fake_http_push(&gh_fake, status, headers, body);
}

void
fixture_log_begin(void)
{
	log_text = NULL;
	log_len = 0;
	log_stream = open_memstream(&log_text, &log_len);
	log_init(false, false, log_stream);
}

const char *
fixture_log_end(void)
{
	if (log_stream == NULL)
		return "";
	fclose(log_stream);
	log_stream = NULL;
	log_init(false, false, NULL);
	return fixture_keep(log_text != NULL ? log_text : xstrdup(""));
}

int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}
