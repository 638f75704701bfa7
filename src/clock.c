/*
 * clock.c - the replaceable clock, interruptible sleeps, and cancellation.
 */
#include "clock.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "util.h"

#define SLICE_MS 100 /* a cancelled run notices within this */

static const struct clock_source *source;
static void (*tick_fn)(void *);
static void *tick_ud;
static int64_t last_tick_ms;
static volatile sig_atomic_t cancelled;

void
clock_use(const struct clock_source *src)
{
	source = src;
}

time_t
clock_now(void)
{
	return source != NULL ? source->now(source->ctx) : time_now();
}

int64_t
clock_mono_ms(void)
{
	return source != NULL ? source->mono_ms(source->ctx) : time_mono_ms();
}

static void
sleep_real(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	/* A signal ends the nap early; the loop in clock_sleep decides what next. */
	nanosleep(&ts, NULL);
}

void
clock_on_tick(void (*fn)(void *), void *ud)
{
	tick_fn = fn;
	tick_ud = ud;
	last_tick_ms = clock_mono_ms();
}

void
clock_tick(void)
{
	if (tick_fn == NULL)
		return;
	last_tick_ms = clock_mono_ms();
	tick_fn(tick_ud);
}

int
clock_sleep(int64_t ms)
{
	int64_t end = clock_mono_ms() + ms;

	while (!cancelled) {
		int64_t now = clock_mono_ms();
		int64_t left = end - now;
		int64_t slice;

		if (left <= 0)
			return 0;
		if (tick_fn != NULL && now - last_tick_ms >= CLOCK_TICK_MS)
			clock_tick();
		slice = left < SLICE_MS ? left : SLICE_MS;
		if (source != NULL)
			source->sleep_ms(source->ctx, slice);
		else
			sleep_real(slice);
	}
	return -1;
}

int64_t
clock_backoff_ms(int attempt, double scale)
{
	static uint64_t rng;
	int64_t ms = 1000;
	int64_t span;

	if (rng == 0 && (random_bytes(&rng, sizeof(rng)) < 0 || rng == 0))
		rng = UINT64_C(0x9E3779B97F4A7C15);
	for (int i = 0; i < attempt && ms < 64000; i++)
		ms *= 2;
	if (ms > 64000)
		ms = 64000;
	ms = (int64_t)((double)ms * scale);
	/* xorshift64: jitter only, nothing secret. */
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	span = ms / 5;
	return span > 0 ? ms - span + (int64_t)(rng % (uint64_t)(2 * span + 1)) : ms;
}

static void
on_signal(int sig)
{
	(void)sig;
	cancelled = 1;
}

void
cancel_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked call returns, and the program looks at the flag. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

bool
cancel_requested(void)
{
	return cancelled != 0;
}
