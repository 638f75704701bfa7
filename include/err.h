/*
 * err.h - error values passed up the call chain, and the process exit codes.
 *
 * A fallible function returns -1 (or NULL) and fills the caller's struct err,
 * which is always its last argument; 0 is success. One that answers a
 * question returns 1 (yes, found), 0 (no, none) or -1 (could not tell, e
 * set); more outcomes than that are a named enum, never more numbers. Only
 * main() turns an error into output and an exit code. Messages are lower
 * case with no full stop, subjects quoted (git style): "pull request #12:
 * 'title' is missing".
 */
#ifndef PC_ERR_H
#define PC_ERR_H

#include <stdbool.h>
#include <stddef.h>

/* What kind of failure; decides the exit code and whether a retry can help. */
enum err_code {
	ERR_NONE = 0,
	ERR_INPUT,     /* bad input from the user: exit 2, nothing was sent anywhere */
	ERR_IO,        /* local file or system call failed */
	ERR_HTTP,      /* transport failure: connect, timeout, reset, a cut answer */
	ERR_TOO_BIG,   /* an answer past the client's size cap: a smaller request may pass */
	ERR_DNS,       /* a host name cannot be resolved: no network, or a wrong URL */
	ERR_TLS,       /* the server's certificate cannot be verified: no retry helps */
	ERR_POLICY,    /* a request we refuse to make: a redirect or page link to another host */
	ERR_GITHUB,    /* GitHub answered with an error */
	ERR_NOT_FOUND, /* GitHub or the store says the object does not exist */
	ERR_NO_REPO,   /* the repository itself is not there (or not visible): the run stops */
	ERR_AUTH,      /* credentials refused (GitHub 401, store 401/403) */
	ERR_RATE,      /* a rate limit stops us; the job can resume later */
	ERR_STORE,     /* the database refused a request */
	ERR_CONFLICT,  /* the database refused a row: a unique key another row holds */
	ERR_REFUSED,   /* the database refused a row for its content (a CHECK, NOT NULL, a type) */
	ERR_PARSE,     /* an answer that is not what its API documents */
	ERR_CANCELLED  /* SIGTERM/SIGINT */
};

/* Process exit codes (DESIGN.md §2). */
enum pc_exit {
	PC_EXIT_OK = 0,     /* completed */
	PC_EXIT_FAILED = 1, /* failed */
	PC_EXIT_INPUT = 2,  /* bad input; nothing sent anywhere */
	PC_EXIT_PARTIAL = 3 /* budget or time ran out; state saved, resumable */
};

#define ERR_MSG_MAX 1024

struct err {
	enum err_code code;
	int status; /* HTTP status when the error is an HTTP answer, else 0 */
	char msg[ERR_MSG_MAX];
};

/* Clears e (code ERR_NONE, empty message). */
void err_clear(struct err *e);

/*
 * Sets e to code and the printf-formatted message; returns -1 so a failing
 * function can say `return err_set(e, ERR_INPUT, "...")`. A NULL e is allowed
 * (the error is dropped). Messages longer than ERR_MSG_MAX are truncated.
 */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Puts printf-formatted context in front of the message already in e
 * ("pull request #12: " + old message); keeps the code. Returns -1.
 */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * True for failures that are not one item's own and so end a run: a spent
 * rate limit, refused credentials, an unverifiable certificate, a name that
 * does not resolve, a missing repository, cancellation, the store refusing
 * or failing, a local I/O error. A row the database refuses for its content
 * (ERR_REFUSED) fails only the item it is of.
 */
bool err_stops_run(const struct err *e);

/* A short lower-case name of the code ("input", "not-found", ...), for records. Static. */
const char *err_code_name(enum err_code code);

#endif
