/*
 * appauth.h - GitHub App authentication: the app's JWT (RS256, signed with
 * mbedTLS), its installation on the repository, and the installation
 * tokens it mints, renewed before they expire.
 *
 * One struct app_auth is one app (its id and private key) and its
 * installation: a member of the client's token pool (ghclient.c), whose
 * budget is the installation's, shared by every token the installation
 * mints. It sends nothing itself: the client sends its requests
 * (app_send_fn) with the app's JWT instead of a pool token, so every
 * request goes through one set of headers, retries and host checks.
 *
 * The private key, the JWTs and the tokens never appear in a message; each
 * JWT and token is masked (log_mask) as it is made or arrives.
 */
#ifndef PC_APPAUTH_H
#define PC_APPAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"
#include "model.h"

/*
 * The JWT's times, as GitHub's docs advise: issued 60 s in the past (for
 * clock drift), and expiring 9 minutes after now, which keeps exp within
 * GitHub's 10 minutes while this clock is up to a minute ahead of GitHub's.
 */
#define APP_JWT_BACKDATE_S 60
#define APP_JWT_LIFETIME_S 540

/*
 * An installation token is renewed this long before it expires, measured
 * from the answer that brought it (so the two clocks need not agree):
 * APP_RENEW_SLACK_MS (the 1 s resolution of GitHub's Date header, and the
 * time a request takes to arrive) plus a fifth of its lifetime, that fifth at
 * most APP_RENEW_MAX_MS. An hour's token is renewed 5 minutes and 1 s early.
 */
#define APP_RENEW_SLACK_MS 1000
#define APP_RENEW_MAX_MS   300000

struct app_auth;

struct app_auth_options {
	const char *app_id;       /* the app's id (digits) or client id (Iv…): the JWT's iss */
	const char *private_key;  /* PEM, PKCS#1 or PKCS#8, RSA */
	int64_t installation_id;  /* 0: the repository's (GET /repos/{o}/{r}/installation) */
	const char *owner, *name; /* the repository the token is for; NULL: none (the token then
				     reaches every repository of the installation) */
	const char *permissions;  /* the most to ask for, a JSON object ({"contents":"read"}):
				     each one the installation grants, at the lower of the two
				     levels; none granted: metadata read */
	size_t index, count;      /* this app's place (0-based) among count, for messages */
};

/*
 * A new app of the pool: o's strings copied, the key parsed. NULL + ERR_INPUT
 * naming app-private-key (never quoting it) when the key cannot be read:
 * not PEM, encrypted, not RSA. Nothing is sent. Free with app_auth_free
 * (NULL is a no-op), which wipes the key and the token.
 */
struct app_auth *app_auth_new(const struct app_auth_options *o, struct err *e);
void app_auth_free(struct app_auth *a);

/* "app-id <id>" (with its place when there are several), for messages. Borrowed. */
const char *app_auth_name(const struct app_auth *a);

/*
 * A JWT for the app: header {"alg":"RS256","typ":"JWT"}, claims iat
 * (now - APP_JWT_BACKDATE_S), exp (now + APP_JWT_LIFETIME_S) and iss, in
 * that order, base64url without padding, signed with the key (RSASSA
 * PKCS#1 v1.5 over SHA-256). now is GitHub's time as this app knows it
 * (its clock, corrected by any skew seen). A new string, or NULL + e.
 */
char *app_auth_jwt(const struct app_auth *a, time_t now, struct err *e);

/* What an app request got: any HTTP answer, or none (status 0). */
struct app_answer {
	long status;
	cJSON *json;   /* the parsed body, or NULL; freed by app_answer_release */
	char date[64]; /* GitHub's Date header (its clock), or "" */
};

void app_answer_release(struct app_answer *a);

/*
 * Sends a request to the API with bearer (a JWT) as its credential: path is
 * relative to the API base; body is JSON or NULL. Returns 0 with *out filled
 * whenever GitHub answered, whatever the status (the client has already
 * retried what can pass: 5xx, lost connections, secondary limits); -1 + e
 * when no answer came.
 */
typedef int (*app_send_fn)(void *ud, const char *method, const char *path, const char *body,
			   const char *bearer, struct app_answer *out, struct err *e);

/*
 * The installation token to send now, borrowed until the next call: minted
 * on the first call (the installation looked up first when not given), and
 * again once the current one is within its renewal margin. A refusal is one
 * error naming the input at fault (ERR_AUTH: exit 1): a key that is not the
 * app's or an app id of no app, an app not installed on the repository, an
 * installation that does not reach it or grant the permissions, a clock too
 * far from GitHub's. A JWT refused for its times is signed again once on
 * GitHub's clock (its Date header), with a warning.
 */
const char *app_auth_token(struct app_auth *a, app_send_fn send, void *ud, struct err *e);

/* The current token was refused (401): the next app_auth_token mints a new one. */
void app_auth_drop(struct app_auth *a);

/*
 * The app as GitHub describes it (GET /app with its JWT: id, slug, name),
 * its installation, and the token in use (minted if need be): out filled,
 * released by gh_app_info_release. -1 + e as app_auth_token.
 */
int app_auth_describe(struct app_auth *a, app_send_fn send, void *ud, struct gh_app_info *out,
		      struct err *e);

/* An installation token as POST /app/installations/{id}/access_tokens answers it. */
struct app_token {
	char *token;       /* the secret: letters, digits, '_', '.', '-' only */
	char *expires_at;  /* as GitHub wrote it (ISO-8601) */
	time_t expires;    /* the same, epoch s */
	char *permissions; /* "contents: read, metadata: read" */
	char *selection;   /* repository_selection, or NULL */
};

/*
 * Reads an access_tokens answer into *out (caller releases it with
 * app_token_release, which wipes the token). -1 + ERR_PARSE, out empty, when
 * the token is missing or not of GitHub's form (so it cannot break a header
 * line) or expires_at is not a time; the message never quotes the token.
 */
int app_token_read(const cJSON *j, struct app_token *out, struct err *e);
void app_token_release(struct app_token *t);

/* base64url (RFC 4648 §5) of p[0..n), without padding, appended to out; -1 on its cap. */
int app_base64url(struct buf *out, const void *p, size_t n);

/* An HTTP date (IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT") as epoch seconds; -1 if not one. */
int app_http_date(const char *s, time_t *out);

#endif
