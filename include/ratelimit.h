/*
 * ratelimit.h - GitHub's budgets and when to try again.
 *
 * One module is fed by every answer (x-ratelimit-* headers, GraphQL's
 * rateLimit cost) and decides before every request: send, rotate to another
 * token, wait for a reset, or stop the run as partial. After a failed answer
 * it decides whether to try again and how long to wait first:
 *
 *   primary limit spent  -> another token with budget left, else wait for the
 *                           reset if the wait fits max-wait and the run's
 *                           deadline, else stop (ERR_RATE: partial)
 *   secondary limit      -> retry-after seconds if given, else at least a
 *                           minute, doubling, plus up to 20 % jitter; stop after
 *                           max_retries or when the wait does not fit
 *   5xx, reset, timeout,  -> 1 s, 2 s, 4 s ... with jitter, max_retries
 *   a garbled answer
 *   any other 4xx         -> no retry
 *
 * REST and GraphQL have separate budgets, per token. A run that is one of
 * shard_total matrix shards spends at most its share of what was left when
 * it started. Every wait goes through clock_sleep: cancellable, heartbeating,
 * and replaceable in tests.
 */
#ifndef PC_RATELIMIT_H
#define PC_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

enum rl_resource { RL_CORE, RL_GRAPHQL };
#define RL_RESOURCES 2

/* Why an attempt failed. */
enum rl_kind {
	RL_PRIMARY,   /* the budget is spent (remaining 0, or GraphQL RATE_LIMITED) */
	RL_SECONDARY, /* a secondary limit (403/429 with retry-after or its message) */
	RL_SERVER,    /* 5xx */
	RL_TRANSPORT  /* connection refused or reset, timeout, garbled answer */
};

struct rl_policy {
	int64_t max_wait_s; /* longest single wait (reset or secondary limit) */
	time_t deadline;    /* the run must end by then; 0: none */
	int shard_total;    /* > 1: spend at most 1/shard_total of the starting budget */
	double time_scale;  /* multiplies back-off waits (never retry-after or resets); tests */
	int max_retries;    /* per request, for secondary limits and server errors */
};

struct rl_stats {
	int64_t waited_ms;               /* asleep for limits and back-off */
	int retries;                     /* requests sent again */
	int secondary;                   /* secondary limits met */
	int server_errors;               /* 5xx and transport failures met */
	int reset_waits;                 /* waits for a primary reset */
	int rotations;                   /* switches to another token */
	int64_t spent[RL_RESOURCES];     /* points this run charged */
	int64_t allowance[RL_RESOURCES]; /* a shard's share; -1 when not sharded or unknown */
};

struct ratelimit;

/*
 * tokens[0..n) are the pool's members, copied (n may be 0: unauthenticated).
 * A NULL member is one whose token changes (a GitHub App's installation
 * token): its owner sets it with rl_set_token before it is sent. Free with
 * rl_free, which wipes the tokens.
 */
struct ratelimit *rl_new(char *const *tokens, size_t n, const struct rl_policy *p);
void rl_free(struct ratelimit *rl);

/* The token to send now, or NULL. Borrowed. */
const char *rl_token(const struct ratelimit *rl);

/* The member (0-based) whose token rl_token gives. */
size_t rl_member(const struct ratelimit *rl);

/*
 * Member m's token is now token (copied; the old one wiped). Its budgets stay:
 * the tokens an installation mints share the installation's.
 */
void rl_set_token(struct ratelimit *rl, size_t m, const char *token);

/*
 * Before a request for resource r: 0 to send (maybe after rotating tokens or
 * waiting for a reset); -1 with ERR_RATE when the budget is spent and a
 * reset is too far (or this shard's share is spent), ERR_CANCELLED when the
 * run was cancelled while waiting.
 */
int rl_before(struct ratelimit *rl, enum rl_resource r, struct err *e);

/*
 * Whether a request of r costing cost points may go out now without a wait,
 * a rotation or passing this shard's share: for a request sent ahead of its
 * time (ghclient.h gh_graphql_ahead), which is skipped rather than waited for.
 */
bool rl_can_send(const struct ratelimit *rl, enum rl_resource r, int64_t cost);

/*
 * What an answer said of the current token's budget (remaining < 0: it said
 * nothing). reset: epoch seconds.
 */
void rl_note(struct ratelimit *rl, enum rl_resource r, int64_t limit, int64_t remaining,
	     int64_t reset);

/* Counts points spent by this run (REST: 1 a request; GraphQL: the query's cost). */
void rl_charge(struct ratelimit *rl, enum rl_resource r, int64_t points);

/*
 * After failed attempt number attempt (0 for the first) of kind: waits as
 * the policy says and returns 0 to try again, or returns -1 with e: ERR_RATE
 * (partial) when a limit outlasts the policy, cause (copied) when server
 * errors persist, ERR_CANCELLED when cancelled. retry_after_s: the answer's
 * retry-after, or -1.
 */
int rl_retry(struct ratelimit *rl, enum rl_resource r, enum rl_kind kind, int attempt,
	     int64_t retry_after_s, const struct err *cause, struct err *e);

/* The current token's budget of r as last seen (remaining -1: unknown). */
void rl_budget(const struct ratelimit *rl, enum rl_resource r, int64_t *remaining, int64_t *limit,
	       int64_t *reset);

/* What this run met and spent so far. Borrowed: valid while rl lives. */
const struct rl_stats *rl_stats(const struct ratelimit *rl);

#endif
