/*
 * gh_fixture.h - a GitHub client on the scripted transport (fake_http.h),
 * for the tests of what reads GitHub: prfetch, commitfetch, select.
 *
 * The client runs on a virtual clock that moves only when the code sleeps,
 * so waits cost nothing. Answers are JSON written with single quotes (jq()
 * turns them into double quotes) and stay alive until fixture_end(). The
 * log can be captured to count warnings.
 */
#ifndef PC_GH_FIXTURE_H
#define PC_GH_FIXTURE_H

#include <stddef.h>

#include "fake_http.h"
#include "ghclient.h"

#define FIXTURE_T0 1700000000 /* 2023-11-14T22:13:20Z: "now" for every test */

/* What the client sent and what it will be answered (reset by fixture_gh). */
extern struct fake_http gh_fake;

/* A client of https://api.test with one token, a fresh transport, the virtual clock at T0. */
struct gh *fixture_gh(void);

/* Frees g, its transport and every jq() string; restores the real clock. */
void fixture_end(struct gh *g);

/*
 * printf(fmt, ...) with every ' turned into ", so JSON reads plainly in C.
 * The string is kept until fixture_end (answers are pushed by pointer).
 */
const char *jq(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Keeps s (allocated, the caller's no more) until fixture_end; returns it. */
const char *fixture_keep(char *s);

/* Scripts an answer of status with body (a jq() string or a literal). */
void fixture_answer(long status, const char *headers, const char *body);

/* Starts capturing log lines; fixture_log_end stops and returns them (kept like jq()). */
void fixture_log_begin(void);
const char *fixture_log_end(void);

/* How many times needle occurs in hay (NULL hay: 0). */
int count_of(const char *hay, const char *needle);

#endif
