/*
 * fake_http.c - scripted answers for unit tests of github.c and the stores.
 */
#include "fake_http.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

void
fake_http_reset(struct fake_http *f)
{
	for (int i = 0; i < f->nsent; i++) {
		free(f->method[i]);
		free(f->url[i]);
		free(f->headers[i]);
		free(f->body[i]);
	}
	memset(f, 0, sizeof(*f));
}

void
fake_http_push(struct fake_http *f, long status, const char *headers, const char *body)
{
	struct fake_answer a = {.status = status, .headers = headers, .body = body};

	f->answers[f->nanswers++] = a;
}

void
fake_http_fail(struct fake_http *f, enum err_code code)
{
	struct fake_answer a = {.fail = 1, .fail_code = code};

	f->answers[f->nanswers++] = a;
}

int
fake_http_transport(void *ctx, const struct http_request *req, struct http_response *resp,
		    struct err *e)
{
	struct fake_http *f = ctx;
	struct fake_answer *a;
	struct buf h = BUF_INIT(1 << 16);

	if (f->nsent < FAKE_MAX) {
		f->method[f->nsent] = xstrdup(req->method);
		f->url[f->nsent] = xstrdup(req->url);
		for (size_t i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
			buf_printf(&h, "%s\n", req->headers[i]);
		f->headers[f->nsent] = buf_detach(&h);
		f->body[f->nsent] = req->body != NULL ? xstrndup(req->body, req->body_len) : NULL;
		f->nsent++;
	}
	if (f->next >= f->nanswers)
		return err_set(e, ERR_HTTP, "fake: no answer scripted for %s %s", req->method,
			       req->url);
	a = &f->answers[f->next++];
	if (a->fail)
		return err_set(e, a->fail_code != ERR_NONE ? a->fail_code : ERR_HTTP, "fake: %s",
			       a->fail_code == ERR_DNS ? "cannot resolve host"
						       : "connection reset");
	resp->status = a->status;
	if (a->body != NULL)
		buf_puts(&resp->body, a->body);
	for (const char *p = a->headers; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		char *colon = strchr(line, ':');

		if (colon != NULL) {
			*colon = '\0';
			http_response_add_header(resp, line, colon + 1);
		}
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	return 0;
}
