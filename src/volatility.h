/* volatility.h: which expressions PostgreSQL evaluates once, and which once per row.
 *
 * PostgreSQL 11+ adds a column with a DEFAULT without rewriting the table when the default is
 * not volatile: it evaluates it once and stores the value in the catalog. Whether it is depends
 * on the functions the expression calls. This module holds the volatility of every built-in
 * function of PostgreSQL 15 (taken from pg_proc, see volatility.c) and judges a raw parse tree
 * expression with it. A function it does not know (user-defined, from an extension, or called
 * with a schema other than pg_catalog) counts as volatile: it may be. */
#ifndef MS_VOLATILITY_H
#define MS_VOLATILITY_H

#include "migsafe.h"
#include <pg_query/pg_query.pb-c.h>

/* pg_proc.provolatile; the letters are PostgreSQL's own. Ordered: a larger value is more
 * volatile, so the volatility of an expression is the maximum over what it calls. */
enum ms_volatility {
    MS_VOL_UNKNOWN = 0, /* not a built-in function of PostgreSQL 15 */
    MS_VOL_IMMUTABLE = 'i',
    MS_VOL_STABLE = 's',
    MS_VOL_VOLATILE = 'v',
};

/* The volatility of the built-in function `name` (exact, case-sensitive, unqualified: "now",
 * "gen_random_uuid"); when overloads differ, the most volatile of them. MS_VOL_UNKNOWN when
 * PostgreSQL 15 has no built-in function of that name. */
enum ms_volatility ms_function_volatility(const char *name);

/* The built-in function a call names, or NULL: the last part of its name when it has no schema
 * or pg_catalog / information_schema. Points into the tree. */
const char *ms_func_call_builtin(const PgQuery__FuncCall *call);

/* The volatility of an expression of a raw parse tree: the most volatile of the functions it
 * calls (MS_VOL_IMMUTABLE when it calls none), where a function that is not built-in, and an
 * expression kind this module does not know, count as MS_VOL_VOLATILE. `culprit`, when not
 * NULL, gets the first call that decided a volatile verdict (NULL otherwise, and for an
 * unknown expression kind). A NULL expression is immutable. */
enum ms_volatility ms_expr_volatility(const PgQuery__Node *expr, const PgQuery__FuncCall **culprit);

#endif
