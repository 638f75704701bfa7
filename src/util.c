/*
 * util.c - allocation, strict parsing, trimming, UUIDs and time stamps.
 * Sits below log.c (which uses it), so it never calls log.c: out of memory is
 * reported through the hook main sets.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static void (*oom_hook)(size_t bytes);

void
xalloc_on_failure(void (*fn)(size_t bytes))
{
	oom_hook = fn;
}

/* The line printed without a hook: formatted on the stack and written at once, no stdio buffer. */
static void
oom_line(size_t bytes)
{
	char line[96];
	int n;

	if (bytes > 0)
		n = snprintf(line, sizeof(line),
			     "progressive-capture: out of memory allocating %zu bytes\n", bytes);
	else
		n = snprintf(line, sizeof(line), "progressive-capture: out of memory\n");
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		return; /* nowhere left to say it */
}

void
xalloc_failed(size_t bytes)
{
	static bool in_hook;

	/* The hook logs, and logging allocates: a failure inside it prints the plain line. */
	if (oom_hook != NULL && !in_hook) {
		in_hook = true;
		oom_hook(bytes);
	} else {
		oom_line(bytes);
	}
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		xalloc_failed(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		xalloc_failed(size != 0 && n > SIZE_MAX / size ? SIZE_MAX : n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		xalloc_failed(n);
	return q;
}

char *
xstrdup(const char *s)
{
	if (s == NULL)
		return NULL;
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char *p = s;
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int64_t)v;
	return 0;
}

char *
str_trim(char *s)
{
	size_t len;
	size_t start = 0;

	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	s[len] = '\0';
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	if (start > 0)
		memmove(s, s + start, len - start + 1);
	return s;
}

char *
str_trim_dup(const char *s)
{
	return str_trim(xstrdup(s));
}

bool
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
utf8_decode(const char *s, size_t n, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80; /* range of the next byte (Unicode's Table 3-7) */
	unsigned char hi = 0xBF;
	size_t more;
	int cp;

	*len = 1;
	if (p[0] < 0x80)
		return p[0];
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		more = 1;
		cp = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		more = 2;
		cp = p[0] & 0x0F;
		lo = p[0] == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
		hi = p[0] == 0xED ? 0x9F : 0xBF; /* no surrogates */
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		more = 3;
		cp = p[0] & 0x07;
		lo = p[0] == 0xF0 ? 0x90 : 0x80; /* no overlong forms */
		hi = p[0] == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
	} else {
		return -1; /* a continuation byte, C0, C1 or F5-FF */
	}
	for (size_t i = 1; i <= more; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*len = i;
			return -1;
		}
		cp = cp << 6 | (p[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*len = more + 1;
	return cp;
}

bool
utf8_valid(const char *s, size_t n)
{
	size_t len;

	for (size_t i = 0; i < n; i += len) {
		if ((unsigned char)s[i] < 0x80) {
			len = 1;
			continue;
		}
		if (utf8_decode(s + i, n - i, &len) < 0)
			return false;
	}
	return true;
}

char *
utf8_repair_dup(const char *s)
{
	size_t n = strlen(s);
	size_t w = 0;
	size_t len;
	char *out;

	if (utf8_valid(s, n))
		return xstrndup(s, n);
	/* At worst every byte becomes 3; s is in memory, so 3n + 1 cannot wrap. */
	out = xmalloc(3 * n + 1);
	for (size_t i = 0; i < n; i += len) {
		if (utf8_decode(s + i, n - i, &len) < 0) {
			memcpy(out + w, UTF8_REPLACEMENT, 3);
			w += 3;
		} else {
			memcpy(out + w, s + i, len);
			w += len;
		}
	}
	out[w] = '\0';
	return out;
}

bool
utf8_invisible(int cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
	       cp == 0xFEFF;
}

bool
uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != UUID_STR_SIZE - 1)
		return false;
	for (i = 0; i < UUID_STR_SIZE - 1; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

int
random_bytes(void *p, size_t n)
{
	unsigned char *q = p;

	while (n > 0) {
		ssize_t got = getrandom(q, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		q += got;
		n -= (size_t)got;
	}
	return 0;
}

int
uuid_v4(char out[UUID_STR_SIZE])
{
	unsigned char r[16];

	if (random_bytes(r, sizeof(r)) < 0)
		return -1;
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, UUID_STR_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
		 r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
		 r[15]);
	return 0;
}

/* Reads exactly n digits at *p into *out and advances *p. */
static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	int64_t yoe;
	int64_t doy;
	int64_t doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Days in month m (1-12) of year y, leap years by the Gregorian rule. */
static int
month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int
time_parse_iso(const char *s, time_t *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec;
	int off = 0;
	int64_t t;

	if (s == NULL)
		return -1;
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (*p != 'T' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
	    digits(&p, 2, &sec) < 0)
		return -1;
	/* A day past the month's end would roll over into the next month: refuse it.
	 * Second 60 (a leap second) is accepted, as PostgreSQL does. */
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int oh, om = 0;

		if (digits(&p, 2, &oh) < 0)
			return -1;
		/* "+02", "+0230" or "+02:30"; a ':' must be followed by the minutes. */
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &om) < 0)
				return -1;
		} else if (isdigit((unsigned char)*p) && digits(&p, 2, &om) < 0) {
			return -1;
		}
		/* PostgreSQL's own limit for an offset is 15:59. */
		if (oh > 15 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec - off;
	*out = (time_t)t;
	return 0;
}

/* Writes the last n decimal digits of v (v >= 0) at p, zero-padded. */
static void
put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
time_format_iso(time_t t, char out[21])
{
	/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: beyond them the text would
	 * not fit out[21] (strftime then leaves it undefined) nor parse back. */
	const int64_t lo = INT64_C(-62167219200);
	const int64_t hi = INT64_C(253402300799);
	int64_t v = (int64_t)t;
	struct tm tm;

	v = v < lo ? lo : v > hi ? hi : v;
	t = (time_t)v;
	if (gmtime_r(&t, &tm) == NULL) /* cannot happen in this range; out stays defined */
		memset(&tm, 0, sizeof(tm));
	/* Not strftime's %Y: glibc does not pad years before 1000 to four digits. */
	memcpy(out, "0000-00-00T00:00:00Z", 21);
	put_digits(out, tm.tm_year + 1900, 4);
	put_digits(out + 5, tm.tm_mon + 1, 2);
	put_digits(out + 8, tm.tm_mday, 2);
	put_digits(out + 11, tm.tm_hour, 2);
	put_digits(out + 14, tm.tm_min, 2);
	put_digits(out + 17, tm.tm_sec, 2);
}

time_t
time_now(void)
{
	return time(NULL);
}

int64_t
time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
