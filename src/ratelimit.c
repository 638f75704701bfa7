/*
 * ratelimit.c - budgets per token and resource, and the retry policy.
 * Decides and waits; never sends anything itself.
 */
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "util.h"

#define SECONDARY_MIN_MS 60000 /* GitHub: wait at least a minute */
#define BACKOFF_CAP_MS   64000

struct rl_budget {
	bool known;
	int64_t limit, remaining, reset;
};

struct rl_tok {
	char *token;
	struct rl_budget b[RL_RESOURCES];
};

struct ratelimit {
	struct rl_tok *toks;
	size_t ntoks, cur;
	struct rl_policy p;
	struct rl_stats stats;
	uint64_t rng;
};

static const char *const names[RL_RESOURCES] = {"REST", "GraphQL"};

struct ratelimit *
rl_new(char *const *tokens, size_t n, const struct rl_policy *p)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));

	rl->ntoks = n > 0 ? n : 1;
	rl->toks = xcalloc(rl->ntoks, sizeof(*rl->toks));
	for (size_t i = 0; i < n; i++)
		rl->toks[i].token = xstrdup(tokens[i]); /* NULL stays NULL */
	rl->p = *p;
	if (rl->p.max_retries <= 0)
		rl->p.max_retries = 5;
	if (rl->p.time_scale <= 0)
		rl->p.time_scale = 1;
	for (int r = 0; r < RL_RESOURCES; r++)
		rl->stats.allowance[r] = -1;
	if (random_bytes(&rl->rng, sizeof(rl->rng)) < 0 || rl->rng == 0)
		rl->rng = UINT64_C(0x9E3779B97F4A7C15);
	return rl;
}

/* Wipes and frees a member's token. */
static void
forget(struct rl_tok *t)
{
	if (t->token != NULL) {
		memset(t->token, 0, strlen(t->token));
		free(t->token);
		t->token = NULL;
	}
}

void
rl_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	for (size_t i = 0; i < rl->ntoks; i++)
		forget(&rl->toks[i]);
	free(rl->toks);
	free(rl);
}

size_t
rl_member(const struct ratelimit *rl)
{
	return rl->cur;
}

void
rl_set_token(struct ratelimit *rl, size_t m, const char *token)
{
	if (m >= rl->ntoks)
		return;
	forget(&rl->toks[m]);
	rl->toks[m].token = xstrdup(token);
}

const char *
rl_token(const struct ratelimit *rl)
{
	return rl->toks[rl->cur].token;
}

const struct rl_stats *
rl_stats(const struct ratelimit *rl)
{
	return &rl->stats;
}

void
rl_budget(const struct ratelimit *rl, enum rl_resource r, int64_t *remaining, int64_t *limit,
	  int64_t *reset)
{
	const struct rl_budget *b = &rl->toks[rl->cur].b[r];

	*remaining = b->known ? b->remaining : -1;
	*limit = b->known ? b->limit : -1;
	*reset = b->known ? b->reset : -1;
}

/* xorshift64*: jitter only, nothing secret. */
static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* ms plus up to 20 % more: never shorter than GitHub's minimum wait. */
static int64_t
jitter(struct ratelimit *rl, int64_t ms)
{
	int64_t span = ms / 5;

	if (span <= 0)
		return ms;
	return ms + (int64_t)(next_random(&rl->rng) % (uint64_t)(span + 1));
}

void
rl_note(struct ratelimit *rl, enum rl_resource r, int64_t limit, int64_t remaining, int64_t reset)
{
	struct rl_budget *b = &rl->toks[rl->cur].b[r];

	if (remaining < 0)
		return;
	b->known = true;
	b->limit = limit;
	b->remaining = remaining;
	b->reset = reset;
	/* A shard's share is fixed by what was left when it first looked. */
	if (rl->p.shard_total > 1 && rl->stats.allowance[r] < 0)
		rl->stats.allowance[r] = remaining / rl->p.shard_total;
}

void
rl_charge(struct ratelimit *rl, enum rl_resource r, int64_t points)
{
	rl->stats.spent[r] += points;
}

/* Sleeps ms (counted), or -1 with ERR_CANCELLED. */
static int
wait_ms(struct ratelimit *rl, int64_t ms, struct err *e)
{
	int64_t t0 = clock_mono_ms();
	int rc = clock_sleep(ms);

	rl->stats.waited_ms += clock_mono_ms() - t0;
	if (rc < 0)
		return err_set(e, ERR_CANCELLED, "cancelled while waiting");
	return 0;
}

/* True when a wait of s seconds fits max-wait and the deadline. */
static bool
fits(const struct ratelimit *rl, int64_t s)
{
	if (s > rl->p.max_wait_s)
		return false;
	return rl->p.deadline == 0 || clock_now() + (time_t)s <= rl->p.deadline;
}

static bool
has_budget(const struct rl_budget *b, time_t now)
{
	return !b->known || b->remaining > 0 || (b->reset > 0 && b->reset <= now);
}

bool
rl_can_send(const struct ratelimit *rl, enum rl_resource r, int64_t cost)
{
	const struct rl_budget *b = &rl->toks[rl->cur].b[r];

	if (cancel_requested() ||
	    (rl->stats.allowance[r] >= 0 && rl->stats.spent[r] + cost > rl->stats.allowance[r]))
		return false;
	return !b->known || b->remaining >= cost;
}

int
rl_before(struct ratelimit *rl, enum rl_resource r, struct err *e)
{
	time_t now = clock_now();
	size_t soonest = rl->cur;
	int64_t wait_s;
	char when[21];

	if (cancel_requested())
		return err_set(e, ERR_CANCELLED, "cancelled");
	if (rl->stats.allowance[r] >= 0 && rl->stats.spent[r] >= rl->stats.allowance[r])
		return err_set(e, ERR_RATE,
			       "this shard's share of the %s budget is spent (%lld of %lld points, "
			       "1/%d of what was left)",
			       names[r], (long long)rl->stats.spent[r],
			       (long long)rl->stats.allowance[r], rl->p.shard_total);
	if (has_budget(&rl->toks[rl->cur].b[r], now))
		return 0;
	/* Rotate only when the current token is spent, never per request. */
	for (size_t i = 1; i < rl->ntoks; i++) {
		size_t k = (rl->cur + i) % rl->ntoks;

		if (has_budget(&rl->toks[k].b[r], now)) {
			log_info("token %zu has no %s budget left: using token %zu of %zu",
				 rl->cur + 1, names[r], k + 1, rl->ntoks);
			rl->cur = k;
			rl->stats.rotations++;
			return 0;
		}
		if (rl->toks[k].b[r].reset < rl->toks[soonest].b[r].reset)
			soonest = k;
	}
	wait_s = rl->toks[soonest].b[r].reset - (int64_t)now + 1;
	if (wait_s < 1)
		wait_s = 1;
	time_format_iso((time_t)rl->toks[soonest].b[r].reset, when);
	if (!fits(rl, wait_s))
		return err_set(e, ERR_RATE,
			       "GitHub's %s rate limit is spent until %s (in %lld s), longer than "
			       "max-wait (%lld s)%s",
			       names[r], when, (long long)wait_s, (long long)rl->p.max_wait_s,
			       rl->p.deadline != 0 ? " or the time left" : "");
	log_notice("GitHub's %s rate limit is spent: waiting %lld s for its reset at %s", names[r],
		   (long long)wait_s, when);
	rl->stats.reset_waits++;
	if (wait_ms(rl, wait_s * 1000, e) < 0)
		return -1;
	rl->cur = soonest;
	rl->toks[soonest].b[r].known = false;
	return 0;
}

int
rl_retry(struct ratelimit *rl, enum rl_resource r, enum rl_kind kind, int attempt,
	 int64_t retry_after_s, const struct err *cause, struct err *e)
{
	int64_t ms = 0;

	if (cancel_requested())
		return err_set(e, ERR_CANCELLED, "cancelled");
	switch (kind) {
	case RL_PRIMARY:
		/* The budget was noted as spent; rl_before rotates, waits or stops. */
		if (attempt >= rl->p.max_retries)
			return err_set(e, ERR_RATE, "%s", cause->msg);
		rl->stats.retries++;
		return 0;
	case RL_SECONDARY:
		rl->stats.secondary++;
		if (attempt >= rl->p.max_retries)
			return err_set(e, ERR_RATE,
				       "GitHub's secondary rate limit held after %d tries: %s",
				       attempt + 1, cause->msg);
		if (retry_after_s >= 0) {
			ms = retry_after_s * 1000; /* GitHub's own word: never shortened */
		} else {
			ms = SECONDARY_MIN_MS;
			for (int i = 0; i < attempt && ms < 16 * (int64_t)SECONDARY_MIN_MS; i++)
				ms *= 2;
			ms = jitter(rl, (int64_t)((double)ms * rl->p.time_scale));
		}
		if (!fits(rl, (ms + 999) / 1000))
			return err_set(
				e, ERR_RATE,
				"GitHub's secondary rate limit asks for a %lld s wait, longer than "
				"max-wait (%lld s)%s",
				(long long)((ms + 999) / 1000), (long long)rl->p.max_wait_s,
				rl->p.deadline != 0 ? " or the time left" : "");
		log_warn("GitHub's secondary rate limit (%s): waiting %lld ms", names[r],
			 (long long)ms);
		break;
	case RL_SERVER:
	case RL_TRANSPORT:
		rl->stats.server_errors++;
		if (attempt >= rl->p.max_retries) {
			*e = *cause;
			return -1;
		}
		ms = clock_backoff_ms(attempt, rl->p.time_scale);
		log_debug("retry %d in %lld ms after: %s", attempt + 1, (long long)ms, cause->msg);
		break;
	}
	if (wait_ms(rl, ms, e) < 0)
		return -1;
	rl->stats.retries++;
	return 0;
}
