/*
 * http.c - libcurl behind a small request/response API, with a transport seam.
 * The only file that includes <curl/curl.h>.
 */
#include "http.h"

#include <ctype.h>
#include <stdbool.h>
#include <strings.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "util.h"

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TIMEOUT_MS 120000L
#define DEFAULT_MAX_BODY   ((size_t)64 * 1024 * 1024)
#define HTTP_MAX_REDIRECTS 5

/* Where on_body writes, and whether the answer passed the size cap. */
struct sink {
	struct http_response *r;
	bool overflow;
};

/* The request sent ahead (http_start), until http_collect or http_drop. */
struct ahead {
	CURL *curl; /* its own handle and connection, so the client's stays free */
	CURLM *multi;
	bool busy;
	struct http_request req; /* copies of what http_start was given: */
	char *method, *url, *body;
	char **headers;
	size_t nheaders;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	struct http_response resp;
	struct sink sink;
	int64_t last_tick;
	int rc; /* over the transport seam: its result, answered at once */
	struct err err;
};

struct http_client {
	CURL *curl;
	struct ahead ahead;
	char *user_agent;
	char *ca_bundle;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_body;
	bool abort_on_cancel;
	http_transport_fn transport;
	void *transport_ctx;
};

int
http_global_init(struct err *e)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (rc != CURLE_OK)
		return err_set(e, ERR_HTTP, "cannot start libcurl: %s", curl_easy_strerror(rc));
	return 0;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

const char *
http_library_version(void)
{
	return curl_version();
}

const char *
http_find_ca_bundle(void)
{
	/* Where distributions keep theirs (the list Go's crypto/x509 searches). */
	static const char *const paths[] = {
		"/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu, Alpine; this image */
		"/etc/pki/tls/certs/ca-bundle.crt",   /* Fedora, RHEL */
		"/etc/ssl/ca-bundle.pem",             /* openSUSE */
		"/etc/pki/tls/cacert.pem",            /* OpenELEC */
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* CentOS, RHEL 7 */
		"/etc/ssl/cert.pem",                                 /* Alpine, BSDs */
	};
	const char *env = getenv("SSL_CERT_FILE");

	if (env != NULL && env[0] != '\0')
		return env;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

struct http_client *
http_client_new(const struct http_options *o, struct err *e)
{
	struct http_client *c = xcalloc(1, sizeof(*c));

	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		free(c);
		err_set(e, ERR_HTTP, "cannot create a curl handle");
		return NULL;
	}
	c->user_agent = xstrdup(o->user_agent != NULL ? o->user_agent : "progressive-capture");
	c->ca_bundle = xstrdup(o->ca_bundle != NULL ? o->ca_bundle : http_find_ca_bundle());
	c->connect_timeout_ms =
		o->connect_timeout_ms > 0 ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	c->max_body = o->max_body > 0 ? o->max_body : DEFAULT_MAX_BODY;
	c->abort_on_cancel = o->abort_on_cancel;
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	http_drop(c);
	if (c->ahead.multi != NULL)
		curl_multi_cleanup(c->ahead.multi);
	if (c->ahead.curl != NULL)
		curl_easy_cleanup(c->ahead.curl);
	curl_easy_cleanup(c->curl);
	free(c->user_agent);
	free(c->ca_bundle);
	free(c);
}

void
http_client_set_transport(struct http_client *c, http_transport_fn fn, void *ctx)
{
	c->transport = fn;
	c->transport_ctx = ctx;
}

void
http_response_release(struct http_response *r)
{
	buf_release(&r->body);
	for (size_t i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

static void
clear_headers(struct http_response *r)
{
	for (size_t i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	r->n_headers = 0;
}

void
http_response_add_header(struct http_response *r, const char *name, const char *value)
{
	char *n = xstrdup(name);

	for (char *p = n; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	r->headers = xrealloc(r->headers, (r->n_headers + 1) * sizeof(*r->headers));
	r->headers[r->n_headers].name = n;
	r->headers[r->n_headers].value = str_trim_dup(value);
	r->n_headers++;
}

const char *
http_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* curl's progress callback: a cancelled run stops the transfer; a long one heartbeats. */
static int
on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	int64_t *last_tick = ud;
	int64_t now;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (cancel_requested())
		return 1;
	now = clock_mono_ms();
	if (now - *last_tick >= CLOCK_TICK_MS) {
		*last_tick = now;
		clock_tick();
	}
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;

	/* Returning less than given makes curl stop with CURLE_WRITE_ERROR. */
	if (buf_append(&s->r->body, p, size * n) < 0) {
		s->overflow = true;
		return 0;
	}
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http_response *r = ud;
	size_t len = size * n;
	const char *colon;
	char *name;
	char *value;

	/* A status line starts a new answer (after a redirect or 100-continue). */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		clear_headers(r);
		return len;
	}
	colon = memchr(p, ':', len);
	if (colon == NULL)
		return len;
	name = xstrndup(p, (size_t)(colon - p));
	value = xstrndup(colon + 1, len - (size_t)(colon - p) - 1);
	http_response_add_header(r, name, value);
	free(name);
	free(value);
	return len;
}

/* Whether an answer's status asks the client to go elsewhere. */
static bool
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* A new absolute URL: location (absolute or relative) resolved against base; NULL if invalid. */
static char *
resolve_url(const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *out = NULL;
	char *copy = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
		copy = xstrdup(out);
	curl_free(out);
	curl_url_cleanup(u);
	return copy;
}

/* Scheme, host and port of url as "scheme://host:port" (lower case), or NULL. */
static char *
origin_of(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	char *out = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		struct buf b = BUF_INIT(4096);

		if (buf_printf(&b, "%s://%s:%s", scheme, host, port) == 0) {
			out = buf_detach(&b);
			for (char *p = out; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
		}
		buf_release(&b);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

bool
http_same_origin(const char *a, const char *b)
{
	char *x = origin_of(a);
	char *y = origin_of(b);
	bool same = x != NULL && y != NULL && strcmp(x, y) == 0;

	free(x);
	free(y);
	return same;
}

char *
http_host_of(const char *url)
{
	char *o = origin_of(url);
	char *host;

	if (o == NULL)
		return xstrdup("(not a URL)");
	host = xstrdup(strstr(o, "://") + 3);
	free(o);
	return host;
}

/* The curl options of one exchange (the handle keeps its connection cache). */
static void
set_options(struct http_client *c, CURL *h, const struct http_request *req, struct curl_slist *hdrs,
	    struct sink *sink, char *errbuf, int64_t *last_tick)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	/* Redirects are followed by http_send, which checks where they lead. */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, sink->r);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (c->ca_bundle != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	if (c->abort_on_cancel) {
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, last_tick);
	}
	if (strcmp(req->method, "GET") == 0)
		return;
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body != NULL || strcmp(req->method, "POST") == 0 ||
	    strcmp(req->method, "PATCH") == 0 || strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body != NULL ? req->body_len : 0));
	}
}

/* What a failed transfer means, as an error naming the request; -1. */
static int
transfer_error(const struct http_client *c, const struct http_request *req, CURLcode rc,
	       const char *errbuf, const struct sink *sink, struct err *e)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	char *host;

	switch (rc) {
	case CURLE_WRITE_ERROR:
		if (!sink->overflow)
			break;
		return err_set(e, ERR_TOO_BIG, "%s %s: answer larger than %zu bytes", req->method,
			       req->url, sink->r->body.max);
	case CURLE_ABORTED_BY_CALLBACK:
		return err_set(e, ERR_CANCELLED, "%s %s: cancelled", req->method, req->url);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		host = http_host_of(req->url);
		err_set(e, ERR_DNS, "%s %s: cannot resolve host '%s' (%s)", req->method, req->url,
			host, why);
		free(host);
		return -1;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_PEER_FAILED_VERIFICATION:
		/* Verification is never turned off: say what to fix instead. */
		return err_set(e, ERR_TLS, "%s %s: %s (curl %d; CA bundle %s%s)", req->method,
			       req->url, why, (int)rc,
			       c->ca_bundle != NULL ? c->ca_bundle : "built in",
			       rc == CURLE_SSL_CACERT_BADFILE
				       ? ": set SSL_CERT_FILE to a PEM file of CA certificates"
				       : ": the server's certificate is not signed by a CA in it");
	default: break;
	}
	return err_set(e, ERR_HTTP, "%s %s: %s (curl %d)", req->method, req->url, why, (int)rc);
}

/* req's headers as curl wants them, without "Expect: 100-continue" round trips. */
static int
header_list(const struct http_request *req, struct curl_slist **out, struct err *e)
{
	struct curl_slist *hdrs = NULL;

	for (size_t i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		struct curl_slist *t = curl_slist_append(hdrs, req->headers[i]);

		if (t == NULL) {
			curl_slist_free_all(hdrs);
			return err_set(e, ERR_HTTP, "out of memory building headers");
		}
		hdrs = t;
	}
	*out = curl_slist_append(hdrs, "Expect:");
	return 0;
}

/* One exchange, no redirect followed: over the transport seam or the network. */
static int
perform(struct http_client *c, const struct http_request *req, struct http_response *resp,
	struct err *e)
{
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink sink = {resp, false};
	int64_t last_tick = time_mono_ms();
	CURLcode rc;
	int ret = 0;

	if (c->transport != NULL)
		return c->transport(c->transport_ctx, req, resp, e);
	if (header_list(req, &hdrs, e) < 0)
		return -1;
	set_options(c, c->curl, req, hdrs, &sink, errbuf, &last_tick);
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK)
		ret = transfer_error(c, req, rc, errbuf, &sink, e);
	else
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_slist_free_all(hdrs);
	/* Never keep a pointer to this call's stack buffer in the handle. */
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
	return ret;
}

/*
 * The redirect to follow from resp, as a new URL, or NULL to hand resp to
 * the caller as it is. -1 (ERR_POLICY) for one that leaves the origin.
 */
static int
next_hop(const struct http_request *first, const char *url, const struct http_response *resp,
	 char **next, struct err *e)
{
	bool safe_method = strcmp(first->method, "GET") == 0 || strcmp(first->method, "HEAD") == 0;
	const char *location = http_header(resp, "location");

	*next = NULL;
	if (!is_redirect(resp->status) || location == NULL)
		return 0;
	/* A method with a body keeps it only through 307 and 308; others are not followed. */
	if (!safe_method && resp->status != 307 && resp->status != 308)
		return 0;
	*next = resolve_url(url, location);
	if (*next == NULL)
		return 0;
	if (!http_same_origin(first->url, *next)) {
		char *to = http_host_of(*next);
		char *from = http_host_of(first->url);

		err_set(e, ERR_POLICY,
			"%s %s: redirected to another host '%s'; not followed (credentials go "
			"only to '%s')",
			first->method, first->url, to, from);
		free(to);
		free(from);
		free(*next);
		*next = NULL;
		return -1;
	}
	return 0;
}

int
http_send(struct http_client *c, const struct http_request *req, struct http_response *resp,
	  struct err *e)
{
	struct http_request hop = *req;
	char *url = NULL;
	int ret = 0;

	for (int hops = 0;; hops++) {
		char *next = NULL;

		http_response_release(resp);
		buf_init(&resp->body, c->max_body);
		ret = perform(c, &hop, resp, e);
		if (ret < 0 || hops == HTTP_MAX_REDIRECTS)
			break;
		ret = next_hop(req, hop.url, resp, &next, e);
		if (ret < 0 || next == NULL)
			break;
		free(url);
		url = next;
		hop.url = url;
	}
	free(url);
	return ret;
}

int
http_urlencode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		int rc;

		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			rc = buf_putc(out, (char)*p);
		} else {
			char enc[4] = {'%', hex[*p >> 4], hex[*p & 15], 0};

			rc = buf_puts(out, enc);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * A request sent ahead: started now, its answer collected later, so the
 * wait for it overlaps other work (one thread, libcurl's multi interface).
 */

/* How long http_start drives a transfer before handing back (connect, TLS, upload). */
#define AHEAD_SEND_MS 2000

static void
ahead_release(struct ahead *a)
{
	for (size_t i = 0; i < a->nheaders; i++) {
		/* The token rides in one of them. */
		memset(a->headers[i], 0, strlen(a->headers[i]));
		free(a->headers[i]);
	}
	free(a->headers);
	free(a->method);
	free(a->url);
	free(a->body);
	curl_slist_free_all(a->hdrs);
	a->headers = NULL;
	a->nheaders = 0;
	a->method = a->url = a->body = NULL;
	a->hdrs = NULL;
	a->busy = false;
}

/* Copies req into a, so the caller's strings may go. */
static void
ahead_copy(struct ahead *a, const struct http_request *req)
{
	size_t n = 0;

	while (req->headers != NULL && req->headers[n] != NULL)
		n++;
	a->headers = xcalloc(n + 1, sizeof(*a->headers));
	for (size_t i = 0; i < n; i++)
		a->headers[i] = xstrdup(req->headers[i]);
	a->nheaders = n;
	a->method = xstrdup(req->method);
	a->url = xstrdup(req->url);
	a->body = req->body != NULL ? xstrndup(req->body, req->body_len) : NULL;
	a->req = (struct http_request){.method = a->method,
				       .url = a->url,
				       .headers = (const char *const *)a->headers,
				       .body = a->body,
				       .body_len = req->body_len};
}

/* Drives the transfer for up to ms; true while it is still running. */
static bool
ahead_drive(struct ahead *a, int ms)
{
	int running = 0;

	curl_multi_perform(a->multi, &running);
	if (running > 0 && ms > 0) {
		curl_multi_poll(a->multi, NULL, 0, ms, NULL);
		curl_multi_perform(a->multi, &running);
	}
	return running > 0;
}

/* Whether the request has gone out whole (the answer may take its time). */
static bool
ahead_sent(struct ahead *a)
{
	curl_off_t up = 0;
	long req_size = 0;

	curl_easy_getinfo(a->curl, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(a->curl, CURLINFO_REQUEST_SIZE, &req_size);
	return req_size > 0 && (size_t)up >= a->req.body_len;
}

int
http_start(struct http_client *c, const struct http_request *req, struct err *e)
{
	struct ahead *a = &c->ahead;
	int64_t until = time_mono_ms() + AHEAD_SEND_MS;

	if (a->busy)
		return err_set(e, ERR_HTTP, "internal: a request is already sent ahead");
	ahead_copy(a, req);
	memset(&a->resp, 0, sizeof(a->resp));
	buf_init(&a->resp.body, c->max_body);
	a->busy = true;
	if (c->transport != NULL) {
		err_clear(&a->err);
		a->rc = c->transport(c->transport_ctx, &a->req, &a->resp, &a->err);
		return 0;
	}
	if (a->curl == NULL && (a->curl = curl_easy_init()) == NULL)
		goto fail;
	if (a->multi == NULL && (a->multi = curl_multi_init()) == NULL)
		goto fail;
	if (header_list(&a->req, &a->hdrs, e) < 0) {
		http_response_release(&a->resp);
		ahead_release(a);
		return -1;
	}
	a->errbuf[0] = '\0';
	a->sink = (struct sink){&a->resp, false};
	a->last_tick = time_mono_ms();
	set_options(c, a->curl, &a->req, a->hdrs, &a->sink, a->errbuf, &a->last_tick);
	if (curl_multi_add_handle(a->multi, a->curl) != CURLM_OK)
		goto fail;
	while (ahead_drive(a, 10) && !ahead_sent(a) && time_mono_ms() < until)
		;
	return 0;
fail:
	http_response_release(&a->resp);
	ahead_release(a);
	return err_set(e, ERR_HTTP, "cannot create a curl handle");
}

bool
http_started(const struct http_client *c)
{
	return c->ahead.busy;
}

int
http_collect(struct http_client *c, struct http_response *resp, struct err *e)
{
	struct ahead *a = &c->ahead;
	CURLcode result = CURLE_OK;
	struct CURLMsg *m;
	int left, ret = 0;

	if (!a->busy)
		return err_set(e, ERR_HTTP, "internal: no request was sent ahead");
	http_response_release(resp);
	if (c->transport != NULL) {
		ret = a->rc;
		if (ret < 0)
			*e = a->err;
		goto out;
	}
	while (ahead_drive(a, 1000))
		;
	while ((m = curl_multi_info_read(a->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE && m->easy_handle == a->curl)
			result = m->data.result;
	if (result != CURLE_OK)
		ret = transfer_error(c, &a->req, result, a->errbuf, &a->sink, e);
	else
		curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->resp.status);
	curl_multi_remove_handle(a->multi, a->curl);
	curl_easy_setopt(a->curl, CURLOPT_ERRORBUFFER, NULL);
out:
	*resp = a->resp;
	memset(&a->resp, 0, sizeof(a->resp));
	/* A redirect is followed as http_send does, from the start. */
	if (ret == 0 && is_redirect(resp->status) && http_header(resp, "location") != NULL)
		ret = http_send(c, &a->req, resp, e);
	ahead_release(a);
	return ret;
}

void
http_drop(struct http_client *c)
{
	struct ahead *a = &c->ahead;

	if (!a->busy)
		return;
	if (c->transport == NULL) {
		curl_multi_remove_handle(a->multi, a->curl);
		curl_easy_setopt(a->curl, CURLOPT_ERRORBUFFER, NULL);
	}
	http_response_release(&a->resp);
	ahead_release(a);
}
