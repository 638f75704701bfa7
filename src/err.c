/*
 * err.c - error values: set, prefix, map to exit codes.
 * Must not print anything: reporting is main()'s job.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_NONE;
	e->status = 0;
	e->msg[0] = '\0';
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->code = code;
	e->status = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char old[ERR_MSG_MAX];
	size_t n;
	size_t rest;
	va_list ap;

	if (e == NULL)
		return -1;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* Append the old message after the context, truncating at the end. */
	n = strlen(e->msg);
	rest = strnlen(old, sizeof(old) - 1);
	if (rest > sizeof(e->msg) - 1 - n)
		rest = sizeof(e->msg) - 1 - n;
	memcpy(e->msg + n, old, rest);
	e->msg[n + rest] = '\0';
	return -1;
}

bool
err_stops_run(const struct err *e)
{
	switch (e->code) {
	case ERR_RATE:
	case ERR_AUTH:
	case ERR_TLS:
	case ERR_DNS:
	case ERR_NO_REPO:
	case ERR_CANCELLED:
	case ERR_STORE:
	case ERR_CONFLICT:
	case ERR_IO: return true;
	default: return false;
	}
}

const char *
err_code_name(enum err_code code)
{
	static const char *const names[] = {
		[ERR_NONE] = "none",
		[ERR_INPUT] = "input",
		[ERR_IO] = "io",
		[ERR_HTTP] = "http",
		[ERR_TOO_BIG] = "too-big",
		[ERR_DNS] = "dns",
		[ERR_TLS] = "tls",
		[ERR_POLICY] = "policy",
		[ERR_GITHUB] = "github",
		[ERR_NOT_FOUND] = "not-found",
		[ERR_NO_REPO] = "no-repository",
		[ERR_AUTH] = "auth",
		[ERR_RATE] = "rate-limit",
		[ERR_STORE] = "store",
		[ERR_CONFLICT] = "conflict",
		[ERR_REFUSED] = "refused",
		[ERR_PARSE] = "parse",
		[ERR_CANCELLED] = "cancelled",
	};

	if ((size_t)code >= sizeof(names) / sizeof(names[0]) || names[code] == NULL)
		return "unknown";
	return names[code];
}
