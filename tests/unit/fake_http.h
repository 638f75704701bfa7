/*
 * fake_http.h - a scripted transport for http.h: answers requests from a
 * queue of canned responses and records what was asked.
 */
#ifndef PC_FAKE_HTTP_H
#define PC_FAKE_HTTP_H

#include "http.h"

#define FAKE_MAX 64

struct fake_answer {
	long status;
	const char *headers; /* "name: value\n" lines */
	const char *body;
	int fail;                /* non-zero: transport failure instead of an answer */
	enum err_code fail_code; /* with fail: its code (ERR_NONE: ERR_HTTP) */
};

struct fake_http {
	struct fake_answer answers[FAKE_MAX];
	int nanswers, next;
	/* What was sent, in order. */
	char *method[FAKE_MAX];
	char *url[FAKE_MAX];
	char *headers[FAKE_MAX]; /* joined with '\n' */
	char *body[FAKE_MAX];
	int nsent;
};

void fake_http_reset(struct fake_http *f);
void fake_http_push(struct fake_http *f, long status, const char *headers, const char *body);
/* Scripts a transport failure of the given code (a reset: ERR_HTTP; DNS: ERR_DNS). */
void fake_http_fail(struct fake_http *f, enum err_code code);
int fake_http_transport(void *ctx, const struct http_request *req, struct http_response *resp,
			struct err *e);

#endif
