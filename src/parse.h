/* parse.h: splitting a source into statements and parsing each with libpg_query.
 *
 * The grammar is PostgreSQL 15's (libpg_query 15-4). Splitting uses libpg_query's scanner, so
 * semicolons inside strings, comments, dollar quotes and function bodies never split. Each
 * statement is parsed on its own, so a syntax error costs only that statement. */
#ifndef MS_PARSE_H
#define MS_PARSE_H

#include "source.h"
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#define MS_GRAMMAR_NAME "PostgreSQL 15"

struct ms_stmt {
    size_t start;        /* byte offset in src->sql of the first token (leading comments
                            excluded); for SQL files src->sql is the file's text */
    size_t end;          /* one past the last byte, before the terminating ';' */
    PgQuery__Node *node; /* the parse tree; NULL when the statement has a syntax error. Node
                            locations are byte offsets relative to `start`. */
    const char *error;   /* PostgreSQL's message when node is NULL */
    size_t error_offset; /* byte offset in src->sql where the error was found */
};

struct ms_parsed {
    size_t n_stmts;
    struct ms_stmt *stmts;
    /* Parse trees live here: one arena per pool thread, so threads never share one. */
    int n_arenas;
    struct ms_arena *arenas;
};

/* Splits src into statement spans, allocated from `arena`, with node == NULL and error == NULL
 * on every statement. Text the scanner cannot tokenize (an unterminated string or comment) and
 * text that holds no keyword become statements with `error` already set. n_arenas is the number
 * of threads that will call ms_parse_stmt. */
void ms_parse_split(const struct ms_source *src, struct ms_arena *arena, int n_arenas,
                    struct ms_parsed *out);
/* Parses out->stmts[i] (unless it already carries an error) into a tree allocated from
 * out->arenas[thread]. Calls for different i may run at once on different threads. */
void ms_parse_stmt(const struct ms_source *src, struct ms_parsed *out, size_t i, int thread);
/* Parses the one statement in text[0, len) into a tree allocated from `arena`. Returns NULL
 * with *error set (PostgreSQL's message, from `arena`) and *error_offset (a byte offset in text)
 * when it does not parse, and NULL with *error NULL when the text holds only comments. */
PgQuery__Node *ms_parse_text(const char *text, size_t len, struct ms_arena *arena,
                             const char **error, size_t *error_offset);
/* Frees the tree arenas (the spans live in the arena given to ms_parse_split). */
void ms_parsed_release(struct ms_parsed *p);

/* Byte offset of the first token at or after `pos` (before `end`), skipping white space,
 * -- comments and nested block comments. Returns `end` when there is none. */
size_t ms_skip_trivia(const char *text, size_t pos, size_t end);

#endif
