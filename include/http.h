/*
 * http.h - HTTP requests over libcurl; the only module that includes curl.
 *
 * One client holds one curl handle, so connections are kept alive and reused
 * across requests to the same host. A transport seam lets unit tests answer
 * requests from fixtures without sockets. Retries and rate limits are not
 * decided here: the callers (github, store) know what an answer means.
 */
#ifndef PC_HTTP_H
#define PC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct http_request {
	const char *method;         /* "GET", "POST", "PATCH", "PUT", "DELETE" */
	const char *url;            /* absolute */
	const char *const *headers; /* "Name: value" strings, NULL-terminated; may be NULL */
	const char *body;           /* may be NULL */
	size_t body_len;
};

struct http_header {
	char *name;  /* lower case */
	char *value; /* trimmed */
};

struct http_response {
	long status; /* 0 until an answer arrived */
	struct buf body;
	struct http_header *headers; /* of the final answer (after redirects) */
	size_t n_headers;
};

struct http_options {
	const char *user_agent;
	long connect_timeout_ms; /* 0 = 10 s */
	long timeout_ms;         /* whole request; 0 = 120 s */
	size_t max_body;         /* largest answer kept; 0 = 64 MiB */
	const char *ca_bundle;   /* NULL = http_find_ca_bundle(), else curl's built-in default */
	bool abort_on_cancel;    /* stop a transfer at once when the run is cancelled (clock.h),
				    and call the clock's tick hook while one is under way */
};

/* Answers a request instead of the network: fills resp, returns 0, or -1 with e set. */
typedef int (*http_transport_fn)(void *ctx, const struct http_request *req,
				 struct http_response *resp, struct err *e);

struct http_client;

/* Call once at start and once at exit (curl_global_init / cleanup). */
int http_global_init(struct err *e);
void http_global_cleanup(void);

/* libcurl's version and TLS library, e.g. "libcurl/7.88.1 mbedTLS/2.28.3"; static. */
const char *http_library_version(void);

/*
 * The CA certificates TLS is verified against: $SSL_CERT_FILE when set, else
 * the first readable bundle at the places distributions keep one; NULL when
 * there is none (libcurl then uses the path it was built with).
 */
const char *http_find_ca_bundle(void);

/* A new client with copies of o's strings; NULL + e on failure. Free with http_client_free. */
struct http_client *http_client_new(const struct http_options *o, struct err *e);
void http_client_free(struct http_client *c);

/* Replaces the network with fn(ctx, ...) for every later request (tests). */
void http_client_set_transport(struct http_client *c, http_transport_fn fn, void *ctx);

/*
 * Sends req and waits for the whole answer. Redirects (301, 302, 303, 307,
 * 308; for methods other than GET and HEAD only 307 and 308) are followed,
 * at most 5, and only to the same scheme, host and port as req->url: one to
 * another origin is not followed and fails with ERR_POLICY naming its host,
 * so credentials in req->headers never leave for another host. Returns 0
 * when an HTTP answer arrived, whatever its status (the caller judges
 * 4xx/5xx); -1 with ERR_DNS when the host name cannot be resolved, ERR_TLS
 * when the server's certificate cannot be verified against the CA bundle
 * (or that cannot be read), ERR_CANCELLED when the run was cancelled
 * mid-transfer (abort_on_cancel), ERR_TOO_BIG for an answer larger than
 * max_body, and ERR_HTTP for other transport failures (connect, timeout,
 * reset).
 * resp must be zeroed or released before the call; the caller releases it
 * with http_response_release in every case.
 */
int http_send(struct http_client *c, const struct http_request *req, struct http_response *resp,
	      struct err *e);

/*
 * A request sent ahead of its answer being wanted, so the wait for it
 * overlaps other work on the same thread (libcurl's multi interface): one at
 * a time per client, on a handle and connection of its own. http_start
 * sends req (copied) and returns once it has gone out (or after 2 s of
 * connecting); http_collect waits for the answer and returns what
 * http_send would have (redirects followed); http_drop abandons it (the
 * server may have acted on it). Over the transport seam the answer comes at
 * once, at http_start.
 */
int http_start(struct http_client *c, const struct http_request *req, struct err *e);
bool http_started(const struct http_client *c);
int http_collect(struct http_client *c, struct http_response *resp, struct err *e);
void http_drop(struct http_client *c);

/* True when URLs a and b have the same scheme, host and port (default ports filled in). */
bool http_same_origin(const char *a, const char *b);

/* The host (and port) of url, for messages, as a new string (caller frees); never NULL. */
char *http_host_of(const char *url);

void http_response_release(struct http_response *r);

/* The value of header name (any case) in r, or NULL. Borrowed. */
const char *http_header(const struct http_response *r, const char *name);

/* Adds a header to r (used by transports and tests). */
void http_response_add_header(struct http_response *r, const char *name, const char *value);

/* Percent-encodes s for a URL query value (RFC 3986 unreserved kept) into out. */
int http_urlencode(struct buf *out, const char *s);

#endif
