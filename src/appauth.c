/*
 * appauth.c - a GitHub App of the token pool: its RS256 JWT (mbedTLS), its
 * installation, and the installation tokens it mints and renews. Sends
 * nothing itself (the client's app_send_fn does). Must never put the key, a
 * JWT or a token in a message: each is masked as it is made or arrives.
 */
#include "appauth.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>

#include "clock.h"
#include "json.h"
#include "log.h"
#include "util.h"

#define KEY_MAX    ((size_t)16384) /* a 4096-bit PEM key is about 3.3 kB */
#define TOKEN_MAX  ((size_t)4096)
#define TOKEN_MIN  ((size_t)20)
#define PATH_MAX_B ((size_t)1024)

struct app_auth {
	char *app_id;
	char name[96]; /* "app-id 424242", "app-id 424242 (2 of 3)" */
	mbedtls_pk_context pk;
	int64_t installation_id; /* given, or found on the first token */
	bool installation_given;
	char *owner, *repo; /* the repository the token is for, or NULL */
	cJSON *wanted;      /* the permissions asked for at most */
	char *body;         /* the access_tokens request, once the installation is known */
	char *account, *selection;
	int64_t skew_s; /* GitHub's clock minus ours, once a JWT was refused for its times */
	struct app_token tok;
	int64_t renew_at_ms; /* clock_mono_ms() from which the token is renewed */
	bool dropped;
	unsigned minted;
};

/* Wipes and frees a secret string. */
static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	memset(s, 0, strlen(s));
	free(s);
}

void
app_token_release(struct app_token *t)
{
	wipe_free(t->token);
	free(t->expires_at);
	free(t->permissions);
	free(t->selection);
	memset(t, 0, sizeof(*t));
}

/* mbedTLS's random source for RSA blinding: the system's. */
static int
rng(void *ud, unsigned char *out, size_t n)
{
	(void)ud;
	return random_bytes(out, n) < 0 ? -1 : 0;
}

/* Why mbedTLS could not read a key, in words that never quote it. */
static const char *
key_problem(int rc)
{
	switch (rc) {
	case MBEDTLS_ERR_PK_PASSWORD_REQUIRED:
	case MBEDTLS_ERR_PK_PASSWORD_MISMATCH:
		return "it is encrypted (give the unencrypted .pem file GitHub made)";
	case MBEDTLS_ERR_PK_UNKNOWN_PK_ALG: return "its algorithm is not one mbedTLS knows";
	default: return "it is not a PEM private key (PKCS#1 or PKCS#8)";
	}
}

/* Parses the key: -1 + ERR_INPUT naming app-private-key, never quoting it. */
static int
parse_key(struct app_auth *a, const char *key, struct err *e)
{
	size_t n = strlen(key);
	const char *what = a->name + strlen("app-id ");
	int rc;

	if (n > KEY_MAX)
		return err_set(e, ERR_INPUT, "app-private-key of %s: over %zu bytes: not a key",
			       what, KEY_MAX);
	if (strstr(key, "-----BEGIN ") == NULL || strstr(key, "-----END ") == NULL)
		return err_set(e, ERR_INPUT,
			       "app-private-key of %s is not a PEM key: give the whole .pem file "
			       "GitHub made, from -----BEGIN RSA PRIVATE KEY----- to its END line",
			       what);
	if (strstr(key, "PUBLIC KEY-----") != NULL || strstr(key, "CERTIFICATE-----") != NULL)
		return err_set(e, ERR_INPUT,
			       "app-private-key of %s is a public key or a certificate: give the "
			       "app's private key",
			       what);
#if MBEDTLS_VERSION_MAJOR >= 3
	rc = mbedtls_pk_parse_key(&a->pk, (const unsigned char *)key, n + 1, NULL, 0, rng, NULL);
#else
	rc = mbedtls_pk_parse_key(&a->pk, (const unsigned char *)key, n + 1, NULL, 0);
#endif
	if (rc != 0)
		return err_set(e, ERR_INPUT, "app-private-key of %s cannot be read: %s", what,
			       key_problem(rc));
	if (mbedtls_pk_get_type(&a->pk) != MBEDTLS_PK_RSA)
		return err_set(
			e, ERR_INPUT,
			"app-private-key of %s is an %s key, not RSA: GitHub Apps sign their "
			"JWTs with RSA (RS256)",
			what, mbedtls_pk_get_name(&a->pk));
	if (mbedtls_pk_get_bitlen(&a->pk) < 2048)
		return err_set(e, ERR_INPUT,
			       "app-private-key of %s is a %zu-bit RSA key: GitHub's are 2048 bits",
			       what, mbedtls_pk_get_bitlen(&a->pk));
	return 0;
}

struct app_auth *
app_auth_new(const struct app_auth_options *o, struct err *e)
{
	struct app_auth *a = xcalloc(1, sizeof(*a));

	mbedtls_pk_init(&a->pk);
	a->app_id = xstrdup(o->app_id);
	if (o->count > 1)
		snprintf(a->name, sizeof(a->name), "app-id %.40s (%zu of %zu)", o->app_id,
			 o->index + 1, o->count);
	else
		snprintf(a->name, sizeof(a->name), "app-id %.40s", o->app_id);
	a->installation_id = o->installation_id;
	a->installation_given = o->installation_id > 0;
	a->owner = xstrdup(o->owner);
	a->repo = xstrdup(o->name);
	a->wanted = o->permissions != NULL
			    ? json_parse(o->permissions, strlen(o->permissions), NULL)
			    : NULL;
	if (parse_key(a, o->private_key, e) < 0) {
		app_auth_free(a);
		return NULL;
	}
	return a;
}

void
app_auth_free(struct app_auth *a)
{
	if (a == NULL)
		return;
	mbedtls_pk_free(&a->pk);
	free(a->app_id);
	free(a->owner);
	free(a->repo);
	cJSON_Delete(a->wanted);
	free(a->body);
	free(a->account);
	free(a->selection);
	app_token_release(&a->tok);
	free(a);
}

const char *
app_auth_name(const struct app_auth *a)
{
	return a->name;
}

int
app_base64url(struct buf *out, const void *p, size_t n)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *s = p;
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		char q[4] = {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], abc[v & 63]};

		if (buf_append(out, q, 4) < 0)
			return -1;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;
		char q[2] = {abc[v >> 18], abc[(v >> 12) & 63]};

		return buf_append(out, q, 2);
	}
	if (n - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		char q[3] = {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63]};

		return buf_append(out, q, 3);
	}
	return 0;
}

int
app_http_date(const char *s, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char wd[4], mon[4], iso[32];
	int d, y, h, mi, sec, used = 0;
	const char *m;

	if (s == NULL || strlen(s) != 29)
		return -1;
	if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wd, &d, mon, &y, &h, &mi,
		   &sec, &used) != 7 ||
	    used != 29)
		return -1;
	m = strstr(months, mon);
	if (strlen(mon) != 3 || m == NULL || (m - months) % 3 != 0)
		return -1;
	snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, (int)(m - months) / 3 + 1,
		 d, h, mi, sec);
	return time_parse_iso(iso, out);
}

/* Appends the base64url of a NUL-terminated string. */
static int
b64_str(struct buf *out, const char *s)
{
	return app_base64url(out, s, strlen(s));
}

/* True for an app id of digits only: the JWT's iss is then a number, as GitHub's docs show. */
static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

char *
app_auth_jwt(const struct app_auth *a, time_t now, struct err *e)
{
	struct buf jwt = BUF_INIT(8192), claims = BUF_INIT(256);
	unsigned char hash[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t siglen = 0;
	int rc;

	buf_printf(&claims,
		   "{\"iat\":%lld,\"exp\":%lld,\"iss\":", (long long)now - APP_JWT_BACKDATE_S,
		   (long long)now + APP_JWT_LIFETIME_S);
	if (all_digits(a->app_id))
		buf_printf(&claims, "%s}", a->app_id);
	else
		buf_printf(&claims, "\"%s\"}", a->app_id); /* a client id: letters and digits */
	b64_str(&jwt, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	buf_putc(&jwt, '.');
	b64_str(&jwt, buf_str(&claims));
	buf_release(&claims);
	rc = mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
			(const unsigned char *)buf_str(&jwt), jwt.len, hash);
	if (rc == 0)
#if MBEDTLS_VERSION_MAJOR >= 3
		rc = mbedtls_pk_sign((mbedtls_pk_context *)&a->pk, MBEDTLS_MD_SHA256, hash,
				     sizeof(hash), sig, sizeof(sig), &siglen, rng, NULL);
#else
		rc = mbedtls_pk_sign((mbedtls_pk_context *)&a->pk, MBEDTLS_MD_SHA256, hash,
				     sizeof(hash), sig, &siglen, rng, NULL);
#endif
	if (rc != 0) {
		buf_release(&jwt);
		return err_set(e, ERR_IO,
			       "%s: could not sign the app's JWT (mbedTLS error -0x%04x)", a->name,
			       (unsigned)-rc),
		       NULL;
	}
	buf_putc(&jwt, '.');
	app_base64url(&jwt, sig, siglen);
	if (buf_failed(&jwt)) {
		buf_release(&jwt);
		return err_set(e, ERR_IO, "%s: the JWT is over its size", a->name), NULL;
	}
	return buf_detach(&jwt);
}

void
app_answer_release(struct app_answer *a)
{
	cJSON_Delete(a->json);
	a->json = NULL;
}

/* "contents: read, metadata: read" from a permissions object. A new string. */
static char *
permission_words(const cJSON *perms)
{
	struct buf b = BUF_INIT(2048);
	const cJSON *it;

	cJSON_ArrayForEach (it, perms) {
		if (!cJSON_IsString(it) || it->string == NULL)
			continue;
		buf_printf(&b, "%s%.64s: %.16s", b.len > 0 ? ", " : "", it->string,
			   it->valuestring);
	}
	return buf_failed(&b) ? xstrdup("(too many to list)") : buf_detach(&b);
}

/* A token's characters: what GitHub's pattern allows (ghs_[A-Za-z0-9._]{36,}), and '-'. */
static bool
token_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

int
app_token_read(const cJSON *j, struct app_token *out, struct err *e)
{
	const char *token = json_str(j, "token");
	const char *expires = json_str(j, "expires_at");
	const char *sel = json_str(j, "repository_selection");
	const cJSON *perms = json_get(j, "permissions");
	time_t t;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) < TOKEN_MIN || strlen(token) > TOKEN_MAX ||
	    !token_chars(token))
		return err_set(e, ERR_PARSE,
			       "the answer has no token of the form GitHub documents");
	if (expires == NULL || time_parse_iso(expires, &t) < 0)
		return err_set(e, ERR_PARSE, "the answer's expires_at is not a time: '%.40s'",
			       expires != NULL ? expires : "(none)");
	if (perms != NULL && !cJSON_IsObject(perms))
		return err_set(e, ERR_PARSE, "the answer's permissions is not an object");
	out->token = xstrdup(token);
	out->expires_at = xstrndup(expires, 40);
	out->expires = t;
	out->permissions = permission_words(perms);
	out->selection = sel != NULL ? xstrndup(sel, 40) : NULL;
	return 0;
}

/* GitHub's message in an answer, for an error; "" when it has none. */
static const char *
answer_message(const struct app_answer *r)
{
	const char *m = json_str(r->json, "message");

	/* GitHub's own words; a message quotes at most ERR_MSG_MAX of them anyway. */
	return m != NULL && strlen(m) < 300 ? m : m != NULL ? "(a long message)" : "";
}

/* True when GitHub refused the JWT for its times (exp too far or past, iat ahead). */
static bool
refused_for_times(const struct app_answer *r)
{
	const char *m = answer_message(r);

	return r->status == 401 &&
	       (strstr(m, "'Expiration time'") != NULL || strstr(m, "'Issued at'") != NULL);
}

/*
 * Sends one JWT request; a JWT refused for its times is signed again once on
 * GitHub's clock (its Date header). 0 with *out (any status), or -1 + e.
 */
static int
jwt_request(struct app_auth *a, app_send_fn send, void *ud, const char *method, const char *path,
	    const char *body, struct app_answer *out, struct err *e)
{
	for (int tries = 0;; tries++) {
		char *jwt = app_auth_jwt(a, clock_now() + (time_t)a->skew_s, e);
		time_t date;
		int rc;

		if (jwt == NULL)
			return -1;
		log_mask(jwt);
		memset(out, 0, sizeof(*out));
		rc = send(ud, method, path, body, jwt, out, e);
		wipe_free(jwt);
		if (rc < 0)
			return -1;
		if (tries > 0 || !refused_for_times(out) || app_http_date(out->date, &date) < 0)
			return 0;
		a->skew_s = (int64_t)date - (int64_t)clock_now();
		log_warn(
			"%s: GitHub refused the app's JWT for its times (%s): this clock is %lld s "
			"%s GitHub's; signing again on GitHub's time",
			a->name, answer_message(out),
			(long long)(a->skew_s < 0 ? -a->skew_s : a->skew_s),
			a->skew_s < 0 ? "ahead of" : "behind");
		app_answer_release(out);
	}
}

/* The error of an answer to a JWT request, naming the input at fault. Returns -1. */
static int
jwt_error(const struct app_auth *a, const char *what, const struct app_answer *r, struct err *e)
{
	const char *m = answer_message(r);

	if (refused_for_times(r))
		err_set(e, ERR_AUTH,
			"%s: GitHub refused the app's JWT for its times even on GitHub's clock: %s",
			a->name, m);
	else if (r->status == 401)
		err_set(e, ERR_AUTH,
			"%s: GitHub refused the app's JWT (%ld %s): app-id names no app, or "
			"app-private-key is not that app's key",
			a->name, r->status, m);
	else
		err_set(e,
			r->status == 403 || r->status == 404 || r->status == 422 ? ERR_AUTH
										 : ERR_GITHUB,
			"%s: %s: %ld %s", a->name, what, r->status, m);
	if (e != NULL)
		e->status = (int)r->status;
	return -1;
}

/* Keeps what doctor shows of an installation answer. */
static void
note_installation(struct app_auth *a, const cJSON *j)
{
	const char *account = json_str(json_get(j, "account"), "login");
	const char *sel = json_str(j, "repository_selection");

	free(a->account);
	free(a->selection);
	a->account = account != NULL ? xstrndup(account, 100) : NULL;
	a->selection = sel != NULL ? xstrndup(sel, 40) : NULL;
}

/*
 * The installation: the repository's (GET /repos/{o}/{r}/installation) or
 * the one given (GET /app/installations/{id}); its permissions in *grants
 * (caller deletes).
 */
static int
find_installation(struct app_auth *a, app_send_fn send, void *ud, cJSON **grants, struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_B);
	struct app_answer r;
	int64_t id = 0;
	int rc = -1;

	*grants = NULL;
	if (a->installation_given)
		buf_printf(&path, "/app/installations/%" PRId64, a->installation_id);
	else
		buf_printf(&path, "/repos/%s/%s/installation", a->owner, a->repo);
	if (jwt_request(a, send, ud, "GET", buf_str(&path), NULL, &r, e) < 0)
		goto out;
	if (r.status == 404 && a->installation_given)
		err_set(e, ERR_AUTH,
			"app-installation-id %" PRId64
			" is not an installation of %s (GET %s: 404)",
			a->installation_id, a->name, buf_str(&path));
	else if (r.status == 404)
		err_set(e, ERR_AUTH,
			"%s is not installed on %s/%s (GET %s: 404): install the app on the "
			"repository or its owner, or give app-installation-id",
			a->name, a->owner, a->repo, buf_str(&path));
	else if (r.status != 200)
		jwt_error(a, buf_str(&path), &r, e);
	else if (json_int64(r.json, "id", &id) < 0 || id <= 0)
		err_set(e, ERR_PARSE, "%s: GET %s: the answer has no installation id", a->name,
			buf_str(&path));
	else
		rc = 0;
	if (rc == 0) {
		a->installation_id = id;
		note_installation(a, r.json);
		*grants = cJSON_DetachItemFromObjectCaseSensitive(r.json, "permissions");
	}
	app_answer_release(&r);
out:
	buf_release(&path);
	return rc;
}

static int
level(const char *s)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "admin") == 0)
		return 3;
	if (strcmp(s, "write") == 0)
		return 2;
	return strcmp(s, "read") == 0 ? 1 : 0;
}

/*
 * The access_tokens body: the repository, and of the permissions wanted
 * those the installation grants (at most what it grants), so GitHub never
 * refuses the request for a permission the app was not given.
 */
static char *
token_body(const struct app_auth *a, const cJSON *grants)
{
	cJSON *body = cJSON_CreateObject();
	cJSON *perms = cJSON_AddObjectToObject(body, "permissions");
	const cJSON *it;
	char *s;

	if (a->repo != NULL) {
		cJSON *repos = cJSON_AddArrayToObject(body, "repositories");

		cJSON_AddItemToArray(repos, cJSON_CreateString(a->repo));
	}
	cJSON_ArrayForEach (it, a->wanted) {
		const char *has = json_str(grants, it->string);
		const char *want = cJSON_IsString(it) ? it->valuestring : NULL;

		if (grants == NULL || level(has) == 0 || level(want) == 0)
			continue;
		json_add_str(perms, it->string, level(want) <= level(has) ? want : has);
	}
	if (perms->child == NULL)
		json_add_str(perms, "metadata", "read");
	s = json_print(body);
	cJSON_Delete(body);
	return s;
}

/* Mints a token for the installation: 0 with a->tok, or -1 + e. */
static int
mint(struct app_auth *a, app_send_fn send, void *ud, struct err *e)
{
	struct buf path = BUF_INIT(PATH_MAX_B);
	cJSON *grants = NULL;
	struct app_answer r = {0};
	struct app_token t;
	int64_t lifetime_ms, margin_ms, t0;
	time_t date;
	int rc = -1;

	/* The installation, once: a renewal is one request. */
	if (a->body == NULL) {
		if (find_installation(a, send, ud, &grants, e) < 0)
			goto out;
		a->body = token_body(a, grants);
	}
	buf_printf(&path, "/app/installations/%" PRId64 "/access_tokens", a->installation_id);
	t0 = clock_mono_ms();
	if (jwt_request(a, send, ud, "POST", buf_str(&path), a->body, &r, e) < 0)
		goto out;
	if (r.status != 201 && r.status != 200) {
		if (r.status == 422 || r.status == 403)
			err_set(e, ERR_AUTH,
				"%s: installation %" PRId64
				" cannot mint a token for %s%s%s: %ld %s "
				"(is the app installed on it, with read access to contents and "
				"pull "
				"requests?)",
				a->name, a->installation_id, a->owner != NULL ? a->owner : "",
				a->owner != NULL ? "/" : "its repositories",
				a->repo != NULL ? a->repo : "", r.status, answer_message(&r));
		else
			jwt_error(a, buf_str(&path), &r, e);
		goto out;
	}
	if (app_token_read(r.json, &t, e) < 0) {
		err_prefix(e, "%s: POST %s: ", a->name, buf_str(&path));
		goto out;
	}
	log_mask(t.token);
	app_token_release(&a->tok);
	a->tok = t;
	a->minted++;
	a->dropped = false;
	/* The lifetime on GitHub's clock alone: its Date and expires_at. */
	if (app_http_date(r.date, &date) < 0)
		date = clock_now() + (time_t)a->skew_s;
	lifetime_ms = ((int64_t)t.expires - (int64_t)date) * 1000;
	margin_ms = lifetime_ms / 5 < APP_RENEW_MAX_MS ? lifetime_ms / 5 : APP_RENEW_MAX_MS;
	margin_ms += APP_RENEW_SLACK_MS;
	a->renew_at_ms = t0 + (lifetime_ms > margin_ms ? lifetime_ms - margin_ms : 0);
	log_info("%s: installation %" PRId64 " token %u, expires %s (renewed %lld s before)",
		 a->name, a->installation_id, a->minted, t.expires_at,
		 (long long)((lifetime_ms > margin_ms ? margin_ms : lifetime_ms) / 1000));
	rc = 0;
out:
	app_answer_release(&r);
	cJSON_Delete(grants);
	buf_release(&path);
	return rc;
}

const char *
app_auth_token(struct app_auth *a, app_send_fn send, void *ud, struct err *e)
{
	if (a->tok.token != NULL && !a->dropped && clock_mono_ms() < a->renew_at_ms)
		return a->tok.token;
	if (a->tok.token != NULL && !a->dropped)
		log_info("%s: the installation token is near its expiry: renewing it", a->name);
	if (mint(a, send, ud, e) < 0)
		return NULL;
	return a->tok.token;
}

void
app_auth_drop(struct app_auth *a)
{
	a->dropped = true;
}

int
app_auth_describe(struct app_auth *a, app_send_fn send, void *ud, struct gh_app_info *out,
		  struct err *e)
{
	struct app_answer r;
	int64_t id = 0;
	struct buf repo = BUF_INIT(512);

	memset(out, 0, sizeof(*out));
	if (app_auth_token(a, send, ud, e) == NULL)
		return -1;
	if (jwt_request(a, send, ud, "GET", "/app", NULL, &r, e) < 0)
		return -1;
	if (r.status != 200) {
		jwt_error(a, "GET /app", &r, e);
		app_answer_release(&r);
		return -1;
	}
	json_int64(r.json, "id", &id);
	out->app_id = id;
	out->slug = xstrdup(json_str(r.json, "slug"));
	out->name = xstrdup(json_str(r.json, "name"));
	app_answer_release(&r);
	out->installation_id = a->installation_id;
	out->account = xstrdup(a->account);
	out->selection = xstrdup(a->selection);
	if (a->repo != NULL) {
		buf_printf(&repo, "%s/%s", a->owner, a->repo);
		out->repository = buf_detach(&repo);
	}
	buf_release(&repo);
	out->permissions = xstrdup(a->tok.permissions);
	out->expires_at = xstrdup(a->tok.expires_at);
	return 0;
}
