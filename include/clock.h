/*
 * clock.h - time as the program experiences it: now, sleeping, and being
 * told to stop.
 *
 * Every wait (rate-limit resets, back-off) sleeps through clock_sleep, which
 * wakes early when the run is cancelled (SIGTERM/SIGINT) and calls the tick
 * hook at least every CLOCK_TICK_MS, so a long wait still heartbeats. The
 * source of time can be replaced (clock_use) so unit tests of waiting logic
 * run in microseconds. Not thread-safe (the program has one thread).
 */
#ifndef PC_CLOCK_H
#define PC_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define CLOCK_TICK_MS 10000

struct clock_source {
	time_t (*now)(void *ctx);      /* seconds since the epoch */
	int64_t (*mono_ms)(void *ctx); /* a monotonic clock */
	void (*sleep_ms)(void *ctx, int64_t ms);
	void *ctx;
};

/* Uses src for all time from now on; NULL restores the real clock. src is borrowed. */
void clock_use(const struct clock_source *src);

time_t clock_now(void);
int64_t clock_mono_ms(void);

/*
 * Sleeps ms milliseconds, in slices, calling the tick hook at least every
 * CLOCK_TICK_MS. Returns 0, or -1 as soon as the run is cancelled.
 */
int clock_sleep(int64_t ms);

/* Sets the hook clock_sleep calls while waiting (NULL: none). */
void clock_on_tick(void (*fn)(void *ud), void *ud);

/* Calls the tick hook now (e.g. from a long transfer's progress callback). */
void clock_tick(void);

/*
 * Back-off before retry number attempt (0 first): 1 s doubling to 64 s, with
 * +-20 % jitter, times scale (tests shorten it).
 */
int64_t clock_backoff_ms(int attempt, double scale);

/* Installs SIGTERM and SIGINT handlers that cancel the run. */
void cancel_install_signals(void);

bool cancel_requested(void);

#endif
