/* test_parse.c: splitting into statements and parsing each (src/parse.c). */
#include "parse.h"
#include "pool.h"

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
    struct ms_arena arena;
    struct ms_source src;
    struct ms_parsed parsed;
    bool have_parsed;
    char err[256];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    ms_arena_init(&f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->have_parsed)
        ms_parsed_release(&f->parsed);
    ms_arena_release(&f->arena);
    free(f);
    return 0;
}

static void load(struct fixture *f, const char *sql, size_t len)
{
    if (ms_source_from_text(&f->src, "t.sql", sql, len, &f->arena, f->err, sizeof(f->err)) != 0)
        fail_msg("rejected: %s", f->err);
}

/* Splits only (spans, and errors the scanner found). */
static struct ms_parsed *split(struct fixture *f, const char *sql)
{
    if (f->have_parsed)
        ms_parsed_release(&f->parsed);
    load(f, sql, strlen(sql));
    ms_parse_split(&f->src, &f->arena, 1, &f->parsed);
    f->have_parsed = true;
    return &f->parsed;
}

/* Splits and parses every statement on thread 0. */
static struct ms_parsed *parse(struct fixture *f, const char *sql)
{
    struct ms_parsed *p = split(f, sql);
    for (size_t i = 0; i < p->n_stmts; i++)
        ms_parse_stmt(&f->src, p, i, 0);
    return p;
}

/* The text of statement i's span. */
static char *span(struct fixture *f, size_t i)
{
    const struct ms_stmt *st = &f->parsed.stmts[i];
    return ms_arena_strndup(&f->arena, f->src.text + st->start, st->end - st->start);
}

static size_t offset_of(const char *sql, const char *needle)
{
    const char *p = strstr(sql, needle);
    assert_non_null(p);
    return (size_t)(p - sql);
}

/* ---- ms_skip_trivia ---- */

static void test_parse__skip_trivia_whitespace_and_comments(void **state)
{
    (void)state;
    const char *t = "  \t\r\n\f\v-- line comment ; /* not a block\n/* block */\n  SELECT 1";
    assert_int_equal(ms_skip_trivia(t, 0, strlen(t)), offset_of(t, "SELECT"));
    /* starting in the middle */
    assert_int_equal(ms_skip_trivia(t, offset_of(t, "/* block"), strlen(t)),
                     offset_of(t, "SELECT"));
    /* already at a token */
    assert_int_equal(ms_skip_trivia(t, offset_of(t, "SELECT"), strlen(t)), offset_of(t, "SELECT"));
    const char *u = "/* a */x";
    assert_int_equal(ms_skip_trivia(u, 0, strlen(u)), 7);
}

static void test_parse__skip_trivia_nested_block_comments(void **state)
{
    (void)state;
    const char *t = "/* outer /* inner */ still a comment */ x";
    assert_int_equal(ms_skip_trivia(t, 0, strlen(t)), offset_of(t, "x"));
    const char *deep = "/*/*/**/*/*/y";
    assert_int_equal(ms_skip_trivia(deep, 0, strlen(deep)), 12);
    /* a line comment opener inside a block comment is plain text */
    const char *mixed = "/* -- */ z";
    assert_int_equal(ms_skip_trivia(mixed, 0, strlen(mixed)), 9);
}

static void test_parse__skip_trivia_unterminated_and_bounds(void **state)
{
    (void)state;
    const char *t = "/* never closed";
    assert_int_equal(ms_skip_trivia(t, 0, strlen(t)), strlen(t));
    const char *n = "/* outer /* inner */ outer never closed";
    assert_int_equal(ms_skip_trivia(n, 0, strlen(n)), strlen(n));
    const char *l = "-- only a comment";
    assert_int_equal(ms_skip_trivia(l, 0, strlen(l)), strlen(l));
    assert_int_equal(ms_skip_trivia("", 0, 0), 0);
    assert_int_equal(ms_skip_trivia("   ", 0, 3), 3);
    /* `end` bounds the scan even when text continues */
    const char *b = "   SELECT";
    assert_int_equal(ms_skip_trivia(b, 0, 2), 2);
    /* a comment opener cut by `end` is not a comment */
    assert_int_equal(ms_skip_trivia("x-- y", 1, 2), 1);
    assert_int_equal(ms_skip_trivia("x/* y */", 1, 2), 1);
    /* lone '-' and '/' are tokens */
    assert_int_equal(ms_skip_trivia(" - 1", 0, 4), 1);
    assert_int_equal(ms_skip_trivia(" /x", 0, 3), 1);
}

/* ---- splitting ---- */

static void test_parse__split_spans_exclude_leading_trivia(void **state)
{
    struct fixture *f = *state;
    const char *sql =
        "-- header\n\n/* block\n comment */\nSELECT 1;\n-- between\n\n  SELECT 2 ;\n\n";
    struct ms_parsed *p = split(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_int_equal(p->stmts[0].start, offset_of(sql, "SELECT 1"));
    assert_int_equal(p->stmts[0].end, offset_of(sql, ";\n-- between"));
    assert_int_equal(p->stmts[1].start, offset_of(sql, "SELECT 2"));
    assert_int_equal(p->stmts[1].end, offset_of(sql, "SELECT 2") + 8); /* the space before ';' */
    assert_string_equal(span(f, 0), "SELECT 1");
    assert_string_equal(span(f, 1), "SELECT 2");
    for (size_t i = 0; i < p->n_stmts; i++) {
        assert_null(p->stmts[i].node);
        assert_null(p->stmts[i].error);
    }
    assert_int_equal(p->n_arenas, 1);
}

static void test_parse__split_semicolons_inside_tokens_do_not_split(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT 'a;b', 'it''s;', E'x\\';y';\n"
                      "SELECT $$x;y$$;\n"
                      "SELECT $tag$ ; $inner$ ; $inner$ $tag$;\n"
                      "SELECT 1 /* ; /* ; */ ; */ + 1;\n"
                      "-- ; ; ;\n"
                      "SELECT \"odd;name\" FROM t;\n"
                      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
                      "BEGIN\n  PERFORM 1;\n  RETURN 1;\nEND;\n$$;\n"
                      "DO $body$ BEGIN RAISE NOTICE 'x;y'; END $body$;\n";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 7);
    assert_string_equal(span(f, 0), "SELECT 'a;b', 'it''s;', E'x\\';y'");
    assert_string_equal(span(f, 1), "SELECT $$x;y$$");
    assert_string_equal(span(f, 2), "SELECT $tag$ ; $inner$ ; $inner$ $tag$");
    assert_string_equal(span(f, 3), "SELECT 1 /* ; /* ; */ ; */ + 1");
    assert_string_equal(span(f, 4), "SELECT \"odd;name\" FROM t");
    assert_string_equal(span(f, 5), "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
                                    "BEGIN\n  PERFORM 1;\n  RETURN 1;\nEND;\n$$");
    assert_string_equal(span(f, 6), "DO $body$ BEGIN RAISE NOTICE 'x;y'; END $body$");
    for (size_t i = 0; i < p->n_stmts; i++) {
        assert_null(p->stmts[i].error);
        assert_non_null(p->stmts[i].node);
    }
    assert_int_equal(p->stmts[5].node->node_case, PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT);
    assert_int_equal(p->stmts[6].node->node_case, PG_QUERY__NODE__NODE_DO_STMT);
}

static void test_parse__split_sql_standard_function_body(void **state)
{
    struct fixture *f = *state;
    /* PostgreSQL 14+ BEGIN ATOMIC bodies hold ';' between their statements; the PostgreSQL 15
     * grammar accepts the whole CREATE FUNCTION as one statement, and psql sends it as one. */
    const char *sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
                      "BEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\n"
                      "SELECT 3;\n";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_string_equal(span(f, 0), "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
                                    "BEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND");
    assert_null(p->stmts[0].error);
    assert_non_null(p->stmts[0].node);
    assert_int_equal(p->stmts[0].node->node_case, PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT);
    assert_string_equal(span(f, 1), "SELECT 3");
    /* CASE ... END inside the body does not close it */
    sql = "CREATE OR REPLACE PROCEDURE p(x int) LANGUAGE sql\n"
          "BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END;\n  SELECT 4;\nEND;\n"
          "CREATE INDEX ON t (a);\n";
    p = parse(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_string_equal(span(f, 0), "CREATE OR REPLACE PROCEDURE p(x int) LANGUAGE sql\n"
                                    "BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END;\n"
                                    "  SELECT 4;\nEND");
    assert_int_equal(p->stmts[0].node->node_case, PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT);
    assert_string_equal(span(f, 1), "CREATE INDEX ON t (a)");
}

static void test_parse__split_repeated_semicolons(void **state)
{
    struct fixture *f = *state;
    const char *sql = ";;SELECT 1;;;\n ; SELECT 2;;";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_string_equal(span(f, 0), "SELECT 1");
    assert_string_equal(span(f, 1), "SELECT 2");
    assert_null(p->stmts[0].error);
    assert_null(p->stmts[1].error);
}

static void test_parse__statement_without_keyword_fails_to_parse(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT 1;\n  foo bar;\nSELECT 2;\n";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 3);
    assert_string_equal(span(f, 1), "foo bar");
    assert_int_equal(p->stmts[1].start, offset_of(sql, "foo"));
    assert_null(p->stmts[1].node);
    assert_string_equal(p->stmts[1].error, "syntax error at or near \"foo\"");
    assert_int_equal(p->stmts[1].error_offset, offset_of(sql, "foo"));
    assert_non_null(p->stmts[0].node);
    assert_non_null(p->stmts[2].node);
    /* at the start and at the end of the file too */
    sql = "-- c\nfoo;\nSELECT 1;\nbar baz";
    p = parse(f, sql);
    assert_int_equal(p->n_stmts, 3);
    assert_string_equal(span(f, 0), "foo");
    assert_string_equal(p->stmts[0].error, "syntax error at or near \"foo\"");
    assert_int_equal(p->stmts[0].error_offset, offset_of(sql, "foo"));
    assert_null(p->stmts[1].error);
    assert_string_equal(span(f, 2), "bar baz");
    assert_string_equal(p->stmts[2].error, "syntax error at or near \"bar\"");
    assert_int_equal(p->stmts[2].error_offset, offset_of(sql, "bar"));
}

static void test_parse__unterminated_string(void **state)
{
    struct fixture *f = *state;
    const char *sql = "CREATE TABLE a (x int);\nALTER TABLE a ADD y int;\n"
                      "INSERT INTO a VALUES ('oops);\nSELECT 1;\nSELECT 2;\n";
    struct ms_parsed *p = split(f, sql);
    assert_int_equal(p->n_stmts, 3);
    assert_string_equal(span(f, 0), "CREATE TABLE a (x int)");
    assert_string_equal(span(f, 1), "ALTER TABLE a ADD y int");
    assert_null(p->stmts[0].error);
    assert_null(p->stmts[1].error);
    /* the broken statement runs from its first token to the end of the file */
    assert_int_equal(p->stmts[2].start, offset_of(sql, "INSERT"));
    assert_int_equal(p->stmts[2].end, strlen(sql) - 1);
    assert_int_equal(p->stmts[2].error_offset, offset_of(sql, "'oops"));
    assert_string_equal(p->stmts[2].error, "unterminated quoted string at or near \"'oops);...\"");
    /* parsing keeps the scanner's error and parses the rest */
    for (size_t i = 0; i < p->n_stmts; i++)
        ms_parse_stmt(&f->src, p, i, 0);
    assert_non_null(p->stmts[0].node);
    assert_non_null(p->stmts[1].node);
    assert_null(p->stmts[2].node);
    assert_int_equal(p->stmts[2].error_offset, offset_of(sql, "'oops"));
}

static void test_parse__unterminated_after_a_closed_statement(void **state)
{
    struct fixture *f = *state;
    /* the error token starts its own statement right after a ';' */
    const char *sql = "SELECT 1;\n'abc";
    struct ms_parsed *p = split(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_string_equal(span(f, 0), "SELECT 1");
    assert_int_equal(p->stmts[1].start, offset_of(sql, "'abc"));
    assert_int_equal(p->stmts[1].end, strlen(sql));
    assert_int_equal(p->stmts[1].error_offset, offset_of(sql, "'abc"));
    assert_string_equal(p->stmts[1].error, "unterminated quoted string at or near \"'abc\"");
}

static void test_parse__unterminated_comment_and_identifier(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT 1;\nSELECT 2 /* never\nclosed";
    struct ms_parsed *p = split(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_string_equal(span(f, 0), "SELECT 1");
    assert_int_equal(p->stmts[1].start, offset_of(sql, "SELECT 2"));
    assert_int_equal(p->stmts[1].error_offset, offset_of(sql, "/* never"));
    assert_string_equal(p->stmts[1].error, "unterminated /* comment at or near \"/* never...\"");

    sql = "\xC3\xA9t\xC3\xA9;\nSELECT \"abc";
    p = split(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_int_equal(p->stmts[1].start, offset_of(sql, "SELECT"));
    assert_int_equal(p->stmts[1].error_offset, offset_of(sql, "\"abc"));
    assert_string_equal(p->stmts[1].error, "unterminated quoted identifier at or near \"\"abc\"");
}

static void test_parse__unterminated_error_offset_after_multibyte_text(void **state)
{
    struct fixture *f = *state;
    /* the scanner reports a character position; the span keeps bytes */
    const char *sql = "SELECT '\xC3\xA9\xC3\xA9\xE2\x82\xAC';\nSELECT 'x";
    struct ms_parsed *p = split(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_int_equal(p->stmts[1].start, offset_of(sql, "SELECT 'x"));
    assert_int_equal(p->stmts[1].error_offset, offset_of(sql, "'x"));
    struct ms_pos pos = ms_source_pos(&f->src, p->stmts[1].error_offset);
    assert_int_equal(pos.line, 2);
    assert_int_equal(pos.col, 8);
}

static void test_parse__unterminated_long_token_is_shortened(void **state)
{
    struct fixture *f = *state;
    /* the message quotes at most 40 bytes of the token and never cuts a UTF-8 sequence */
    const char *sql = "SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xC3\xA9\xC3\xA9 and more";
    struct ms_parsed *p = split(f, sql);
    assert_int_equal(p->n_stmts, 1);
    assert_string_equal(p->stmts[0].error, "unterminated quoted string at or near "
                                           "\"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
}

static void test_parse__syntax_error_offset_counts_bytes(void **state)
{
    struct fixture *f = *state;
    /* PostgreSQL's cursor counts characters; é and € before the error are 2 and 3 bytes */
    const char *sql = "SELECT 1;\nSELECT '\xC3\xA9\xE2\x82\xAC' AS \"\xC3\xA9\" FRM t WHERE;\n";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_null(p->stmts[1].node);
    assert_string_equal(p->stmts[1].error, "syntax error at or near \"FRM\"");
    assert_int_equal(p->stmts[1].error_offset, offset_of(sql, "FRM"));
    struct ms_pos pos = ms_source_pos(&f->src, p->stmts[1].error_offset);
    assert_int_equal(pos.line, 2);
    assert_int_equal(pos.col, 20);
}

static void test_parse__syntax_error_at_end_of_input(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT 1;\n-- lead\nSELECT 1 +;\n";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_string_equal(p->stmts[1].error, "syntax error at end of input");
    /* one past the statement's last byte */
    assert_int_equal(p->stmts[1].error_offset, offset_of(sql, "+;") + 1);
}

static void test_parse__syntax_error_after_bom(void **state)
{
    struct fixture *f = *state;
    const char *sql = "\xEF\xBB\xBF"
                      "CREATE TABEL t (a int);";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 1);
    assert_int_equal(p->stmts[0].start, 3);
    assert_string_equal(p->stmts[0].error, "syntax error at or near \"TABEL\"");
    assert_int_equal(p->stmts[0].error_offset, offset_of(sql, "TABEL"));
    struct ms_pos pos = ms_source_pos(&f->src, p->stmts[0].error_offset);
    assert_int_equal(pos.line, 1);
    assert_int_equal(pos.col, 8);
}

static void test_parse__newer_syntax_is_a_syntax_error(void **state)
{
    struct fixture *f = *state;
    /* MERGE ... RETURNING is PostgreSQL 17 syntax */
    const char *sql = "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING *;";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 1);
    assert_null(p->stmts[0].node);
    assert_string_equal(p->stmts[0].error, "syntax error at or near \"RETURNING\"");
    assert_int_equal(p->stmts[0].error_offset, offset_of(sql, "RETURNING"));
}

static void test_parse__trailing_statement_without_semicolon(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT 1;\nDROP TABLE t  \n\n";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 2);
    assert_string_equal(span(f, 1), "DROP TABLE t");
    assert_int_equal(p->stmts[1].end, offset_of(sql, "t  \n") + 1);
    assert_non_null(p->stmts[1].node);
    assert_int_equal(p->stmts[1].node->node_case, PG_QUERY__NODE__NODE_DROP_STMT);
    /* a single statement, no newline */
    p = parse(f, "VACUUM");
    assert_int_equal(p->n_stmts, 1);
    assert_int_equal(p->stmts[0].start, 0);
    assert_int_equal(p->stmts[0].end, 6);
    assert_non_null(p->stmts[0].node);
}

static void test_parse__only_comments_has_no_statements(void **state)
{
    struct fixture *f = *state;
    struct ms_parsed *p =
        parse(f, "-- a migration that does nothing\n/* nothing /* at */ all */\n\n");
    assert_int_equal(p->n_stmts, 0);
    p = parse(f, "");
    assert_int_equal(p->n_stmts, 0);
    p = parse(f, "   \n\t\n");
    assert_int_equal(p->n_stmts, 0);
    p = parse(f, "\xEF\xBB\xBF-- only a BOM and a comment");
    assert_int_equal(p->n_stmts, 0);
    p = parse(f, ";\n;");
    assert_int_equal(p->n_stmts, 0);
    assert_non_null(p->stmts); /* always a valid pointer */
}

static void test_parse__trailing_comment_after_last_statement(void **state)
{
    struct fixture *f = *state;
    struct ms_parsed *p = parse(f, "SELECT 1;\n-- done\n/* really */\n");
    assert_int_equal(p->n_stmts, 1);
    assert_string_equal(span(f, 0), "SELECT 1");
}

static void test_parse__node_locations_are_relative_to_start(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT 1;\n-- comment\n  CREATE INDEX i ON app.users (email);\n"
                      "ALTER TABLE t ADD COLUMN c int NOT NULL;";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 3);
    const struct ms_stmt *st = &p->stmts[1];
    assert_int_equal(st->start, offset_of(sql, "CREATE"));
    assert_int_equal(st->node->node_case, PG_QUERY__NODE__NODE_INDEX_STMT);
    const PgQuery__IndexStmt *ix = st->node->index_stmt;
    assert_string_equal(ix->idxname, "i");
    assert_string_equal(ix->relation->schemaname, "app");
    assert_string_equal(ix->relation->relname, "users");
    assert_int_equal(st->start + (size_t)ix->relation->location, offset_of(sql, "app.users"));
    const struct ms_stmt *at = &p->stmts[2];
    const PgQuery__AlterTableCmd *cmd = at->node->alter_table_stmt->cmds[0]->alter_table_cmd;
    assert_int_equal(at->start + (size_t)at->node->alter_table_stmt->relation->location,
                     offset_of(sql, "t ADD"));
    assert_int_equal(at->start + (size_t)cmd->def->column_def->location, offset_of(sql, "c int"));
}

static void test_parse__node_locations_count_bytes(void **state)
{
    struct fixture *f = *state;
    /* libpg_query's node locations are byte offsets, unlike its error cursor */
    const char *sql = "SELECT '\xC3\xA9\xE2\x82\xAC' FROM t \"\xC3\xA9\";";
    struct ms_parsed *p = parse(f, sql);
    assert_int_equal(p->n_stmts, 1);
    const PgQuery__SelectStmt *sel = p->stmts[0].node->select_stmt;
    const PgQuery__RangeVar *rv = sel->from_clause[0]->range_var;
    assert_int_equal((size_t)rv->location, offset_of(sql, "t \""));
}

static void test_parse__two_thread_arenas(void **state)
{
    struct fixture *f = *state;
    const char *sql = "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\nDROP TABLE c;\n";
    load(f, sql, strlen(sql));
    ms_parse_split(&f->src, &f->arena, 2, &f->parsed);
    f->have_parsed = true;
    struct ms_parsed *p = &f->parsed;
    assert_int_equal(p->n_arenas, 2);
    assert_non_null(p->arenas);
    ms_parse_stmt(&f->src, p, 0, 0);
    assert_true(p->arenas[0].total > 0);
    assert_int_equal(p->arenas[1].total, 0);
    ms_parse_stmt(&f->src, p, 1, 1);
    ms_parse_stmt(&f->src, p, 2, 1);
    assert_true(p->arenas[1].total > 0);
    assert_string_equal(p->stmts[0].node->create_stmt->relation->relname, "a");
    assert_string_equal(p->stmts[1].node->create_stmt->relation->relname, "b");
    assert_int_equal(p->stmts[2].node->node_case, PG_QUERY__NODE__NODE_DROP_STMT);
    /* fewer than one arena means one */
    ms_parsed_release(p);
    assert_null(p->arenas);
    assert_int_equal(p->n_arenas, 0);
    ms_parse_split(&f->src, &f->arena, 0, p);
    assert_int_equal(p->n_arenas, 1);
}

static void parse_one(void *arg, size_t i, int thread)
{
    struct fixture *f = arg;
    ms_parse_stmt(&f->src, &f->parsed, i, thread);
}

static void test_parse__parallel_parse_matches_sequential(void **state)
{
    struct fixture *f = *state;
    enum { N = 2000 };
    struct ms_arena scratch = MS_ARENA_INIT;
    char *sql = ms_arena_alloc(&scratch, (size_t)N * 64);
    size_t len = 0;
    for (int i = 0; i < N; i++) {
        if (i % 10 == 7) /* one statement in ten does not parse */
            len += (size_t)snprintf(sql + len, 64, "ALTER TABEL t%d;\n", i);
        else
            len += (size_t)snprintf(sql + len, 64, "CREATE TABLE t%d (c%d int);\n", i, i);
    }
    load(f, sql, len);
    struct ms_pool *pool = ms_pool_new(4);
    ms_parse_split(&f->src, &f->arena, ms_pool_size(pool), &f->parsed);
    f->have_parsed = true;
    assert_int_equal(f->parsed.n_stmts, N);
    ms_pool_for(pool, f->parsed.n_stmts, parse_one, f);
    ms_pool_free(pool);
    for (int i = 0; i < N; i++) {
        const struct ms_stmt *st = &f->parsed.stmts[i];
        char name[32];
        snprintf(name, sizeof(name), "t%d", i);
        if (i % 10 == 7) {
            assert_null(st->node);
            assert_string_equal(st->error, "syntax error at or near \"TABEL\"");
            assert_int_equal(st->error_offset, st->start + 6);
        } else {
            assert_null(st->error);
            assert_string_equal(st->node->create_stmt->relation->relname, name);
        }
    }
    ms_arena_release(&scratch);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_parse__skip_trivia_whitespace_and_comments),
        T(test_parse__skip_trivia_nested_block_comments),
        T(test_parse__skip_trivia_unterminated_and_bounds),
        T(test_parse__split_spans_exclude_leading_trivia),
        T(test_parse__split_semicolons_inside_tokens_do_not_split),
        T(test_parse__split_sql_standard_function_body),
        T(test_parse__split_repeated_semicolons),
        T(test_parse__statement_without_keyword_fails_to_parse),
        T(test_parse__unterminated_string),
        T(test_parse__unterminated_after_a_closed_statement),
        T(test_parse__unterminated_comment_and_identifier),
        T(test_parse__unterminated_error_offset_after_multibyte_text),
        T(test_parse__unterminated_long_token_is_shortened),
        T(test_parse__syntax_error_offset_counts_bytes),
        T(test_parse__syntax_error_at_end_of_input),
        T(test_parse__syntax_error_after_bom),
        T(test_parse__newer_syntax_is_a_syntax_error),
        T(test_parse__trailing_statement_without_semicolon),
        T(test_parse__only_comments_has_no_statements),
        T(test_parse__trailing_comment_after_last_statement),
        T(test_parse__node_locations_are_relative_to_start),
        T(test_parse__node_locations_count_bytes),
        T(test_parse__two_thread_arenas),
        T(test_parse__parallel_parse_matches_sequential),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
