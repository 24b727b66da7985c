/* plpgsql.h: the SQL statements written inside a DO block.
 *
 * A DO block's body is PL/pgSQL (unless it names another language). libpg_query parses it with
 * PostgreSQL's PL/pgSQL grammar; this module walks that tree for the statements the body runs:
 * the static SQL statements (at any depth: IF, CASE, loops, nested blocks, exception handlers),
 * each located exactly in the DO statement's text and parsed with the SQL grammar, and the
 * EXECUTEs of strings built at run time, which no rule can see into. It knows no rule and no
 * engine: text in, spans and parse trees out. */
#ifndef MS_PLPGSQL_H
#define MS_PLPGSQL_H

#include "parse.h"

enum ms_plpgsql_kind {
    MS_PLPGSQL_STATIC,  /* a SQL statement of the body (or EXECUTE of a string literal) */
    MS_PLPGSQL_DYNAMIC, /* EXECUTE of an expression built at run time */
};

struct ms_plpgsql_stmt {
    enum ms_plpgsql_kind kind;
    /* Byte span in the DO statement's text: the statement without its ';' (STATIC), or the
     * EXECUTE keyword through the end of its expression (DYNAMIC). */
    size_t start, end;
    PgQuery__Node *node; /* STATIC: the parse tree, locations relative to `start`; NULL when
                            the SQL grammar refuses it (PL/pgSQL does not check every statement) */
    const char *expr;    /* DYNAMIC: the expression EXECUTE runs, as written */
};

struct ms_plpgsql_body {
    bool plpgsql;      /* the body is PL/pgSQL (no LANGUAGE, or LANGUAGE plpgsql) */
    const char *error; /* why the body was not looked into (it does not parse, its quoting
                          cannot be mapped back to the text), or NULL */
    size_t n_skipped;  /* statements found but not located exactly in the text (a single-quoted
                          body with '' inside the statement, SELECT ... INTO): not linted */
    size_t n_stmts;    /* in text order */
    struct ms_plpgsql_stmt *stmts;
};

/* Extracts the statements of DO statement `node`, whose text is sql[0, len). Everything
 * (strings, trees) is allocated from `arena` and lives as long as it. Never fails: a body that
 * is not PL/pgSQL, does not parse or cannot be located gives no statements. */
void ms_plpgsql_do(const char *sql, size_t len, const PgQuery__DoStmt *node, struct ms_arena *arena,
                   struct ms_plpgsql_body *out);

#endif
