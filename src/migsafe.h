/* migsafe.h: the one project header every source file includes first.
 *
 * It brings the system headers the project uses, the small helpers that never fail (allocation
 * failure is fatal with one message), the operational-error channel, and bans the libc functions
 * that are easy to misuse (as git's banned.h does). */
#ifndef MIGSAFE_H
#define MIGSAFE_H

#define _GNU_SOURCE 1

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS_VERSION  "0.1.0"
#define MS_DOCS_URL "https://github.com/migsafe/migsafe/blob/main/docs/rules/"

#if defined(__GNUC__) || defined(__clang__)
#define MS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define MS_NORETURN          __attribute__((noreturn))
#else
#define MS_PRINTF(fmt, args)
#define MS_NORETURN
#endif

#define MS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation helpers: never return NULL; on exhaustion print one message and exit(2). */
void *ms_xmalloc(size_t size);
void *ms_xcalloc(size_t n, size_t size);
void *ms_xrealloc(void *ptr, size_t size);
char *ms_xstrdup(const char *s);
char *ms_xstrndup(const char *s, size_t n);

/* Grow *items (of *cap elements of elem_size bytes) so that it can hold need elements. */
void ms_grow(void **items, size_t *cap, size_t need, size_t elem_size);
#define MS_GROW(arr, cap, need) ms_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* Operational errors (I/O, usage, configuration): "migsafe: <message>" on stderr; returns -1 so
 * callers can write `return ms_error(...)`. Findings about SQL never go through here. */
int ms_error(const char *fmt, ...) MS_PRINTF(1, 2);
/* Programmer errors and allocation failure: message on stderr, then exit(2). */
MS_NORETURN void ms_die(const char *fmt, ...) MS_PRINTF(1, 2);

/* Banned: unbounded or stateful libc functions. Use snprintf, ms_xstrdup, strtol with checks. */
#undef strcpy
#define strcpy(d, s) BANNED_strcpy_use_memcpy_or_snprintf
#undef strcat
#define strcat(d, s) BANNED_strcat_use_snprintf
#undef sprintf
#define sprintf(...) BANNED_sprintf_use_snprintf
#undef vsprintf
#define vsprintf(...) BANNED_vsprintf_use_vsnprintf
#undef strtok
#define strtok(s, d) BANNED_strtok_not_reentrant
#undef atoi
#define atoi(s) BANNED_atoi_use_strtol
#undef atol
#define atol(s) BANNED_atol_use_strtol
#undef gets
#define gets(s) BANNED_gets

#endif
