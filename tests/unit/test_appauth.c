/*
 * test_appauth.c - the GitHub App's JWT: base64url, the HTTP Date, the
 * signed JWT against vectors Node's crypto made with the test app's key,
 * the access_tokens answer, and keys refused with one clear message.
 */
#include <stdlib.h>

#include "appauth.h"
#include "harness.h"
#include "json.h"
#include "util.h"

#define TEST_KEY       "fake-github/keys/test-app.private-key.pem"
#define TEST_KEY_PKCS8 "fake-github/keys/test-app.private-key.pkcs8.pem"
#define TEST_PUBLIC    "fake-github/keys/test-app.public-key.pem"

static void
b64_vec(const char *in, const char *want, int line)
{
	struct buf got = BUF_INIT(1024);

	app_base64url(&got, in, strlen(in));
	if (!CHECK_STR(buf_str(&got), want))
		fprintf(stderr, "    vectors/base64url.txt:%d\n", line);
	buf_release(&got);
}

TEST(appauth_base64url_is_rfc4648_section5_without_padding)
{
	struct buf b = BUF_INIT(4);

	CHECK(vec_each("vectors/base64url.txt", b64_vec) >= 10);
	/* Its cap is kept: -1, never past it. */
	CHECK_INT(app_base64url(&b, "foobar", 6), -1);
	CHECK(b.len <= 4);
	buf_release(&b);
}

static void
date_vec(const char *in, const char *want, int line)
{
	time_t t = 12345;
	char got[32];

	if (app_http_date(in, &t) < 0)
		snprintf(got, sizeof(got), "(error)");
	else
		snprintf(got, sizeof(got), "%lld", (long long)t);
	if (!CHECK_STR(got, want))
		fprintf(stderr, "    vectors/http-date.txt:%d ('%s')\n", line, in);
}

TEST(appauth_http_date_reads_imf_fixdate_only)
{
	CHECK(vec_each("vectors/http-date.txt", date_vec) >= 10);
}

/* A new app of the test key (or key), or NULL with e. */
static struct app_auth *
test_app(const char *id, const char *key, struct err *e)
{
	struct app_auth_options o = {
		.app_id = id, .private_key = key, .owner = "acme", .name = "widgets", .count = 1};

	return app_auth_new(&o, e);
}

static void
jwt_vec(const char *in, const char *want, int line)
{
	char *key = vec_slurp(TEST_KEY, NULL);
	char id[64];
	long long now = 0;
	struct err e;
	struct app_auth *a;
	char *jwt = NULL;

	err_clear(&e);
	CHECK(sscanf(in, "%63s %lld", id, &now) == 2);
	a = test_app(id, key, &e);
	if (CHECK(a != NULL))
		jwt = app_auth_jwt(a, (time_t)now, &e);
	if (!CHECK_STR(jwt != NULL ? jwt : e.msg, want))
		fprintf(stderr, "    vectors/app-jwt.txt:%d ('%s')\n", line, in);
	free(jwt);
	app_auth_free(a);
	free(key);
}

TEST(appauth_jwt_is_the_rs256_jwt_node_signs)
{
	CHECK(vec_each("vectors/app-jwt.txt", jwt_vec) >= 4);
}

TEST(appauth_jwt_pkcs8_key_signs_the_same)
{
	char *k1 = vec_slurp(TEST_KEY, NULL), *k8 = vec_slurp(TEST_KEY_PKCS8, NULL);
	struct app_auth *a1 = test_app("424242", k1, NULL), *a8 = test_app("424242", k8, NULL);
	char *j1 = NULL, *j8 = NULL;

	if (CHECK(a1 != NULL) && CHECK(a8 != NULL)) {
		j1 = app_auth_jwt(a1, 1768478400, NULL);
		j8 = app_auth_jwt(a8, 1768478400, NULL);
		CHECK(j1 != NULL && j8 != NULL && strcmp(j1, j8) == 0);
	}
	free(j1);
	free(j8);
	app_auth_free(a1);
	app_auth_free(a8);
	free(k1);
	free(k8);
}

/* The error a key gets: ERR_INPUT naming app-private-key, never quoting the key. */
static void
refused_key(const char *key, const char *want)
{
	struct err e;
	struct app_auth *a;

	err_clear(&e);
	a = test_app("424242", key, &e);
	CHECK(a == NULL);
	CHECK_INT(e.code, ERR_INPUT);
	CHECK(strstr(e.msg, "app-private-key") != NULL);
	if (!CHECK(strstr(e.msg, want) != NULL))
		fprintf(stderr, "    got '%s', want '%s'\n", e.msg, want);
	CHECK(strstr(e.msg, "MII") == NULL);
	app_auth_free(a);
}

TEST(appauth_refuses_keys_that_are_not_pem_rsa_private_keys)
{
	char *pub = vec_slurp(TEST_PUBLIC, NULL);
	char *key = vec_slurp(TEST_KEY, NULL);
	char *cut;

	refused_key("not a key", "is not a PEM key");
	refused_key("MIIEpAIBAAKCAQEAw1", "is not a PEM key");
	refused_key(pub, "is a public key");
	/* An EC key (P-256, made with openssl ecparam -name prime256v1 -genkey). */
	refused_key("-----BEGIN EC PRIVATE KEY-----\n"
		    "MHcCAQEEIEzw794C5Q0YnHlTnxVY2xeN7h/mMYfwAOjM7iegvwlNoAoGCCqGSM49\n"
		    "AwEHoUQDQgAEcL9J0efDM0l1EthgHLeZ6ukLXkZtSHOfbiCNFxXtO1zcpRxFwPT4\n"
		    "WW+K63AoPipXPnTcSs4JSnlJwFXfssdofA==\n"
		    "-----END EC PRIVATE KEY-----\n",
		    "is an EC key, not RSA");
	/* A PEM key cut short. */
	cut = strstr(key, "\n") + 40;
	memcpy(cut, "\n-----END RSA PRIVATE KEY-----\n", 32);
	refused_key(key, "cannot be read");
	free(pub);
	free(key);
}

static void
token_vec(const char *in, const char *want, int line)
{
	cJSON *j = json_parse(in, strlen(in), NULL);
	struct app_token t;
	struct buf got = BUF_INIT(4096);
	struct err e;

	err_clear(&e);
	if (app_token_read(j, &t, &e) < 0) {
		buf_puts(&got, "(error)");
		CHECK_INT(e.code, ERR_PARSE);
		CHECK(strstr(e.msg, "ghs_") == NULL);
	} else {
		buf_printf(&got, "%s|%lld|%s|%s", t.token, (long long)t.expires, t.permissions,
			   t.selection != NULL ? t.selection : "(none)");
		app_token_release(&t);
	}
	if (!CHECK_STR(buf_str(&got), want))
		fprintf(stderr, "    vectors/app-token.txt:%d\n", line);
	buf_release(&got);
	cJSON_Delete(j);
}

TEST(appauth_token_answer_is_read_strictly)
{
	CHECK(vec_each("vectors/app-token.txt", token_vec) >= 10);
}
