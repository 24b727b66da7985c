/* test_plpgsql.c: the statements of a DO block's body (src/plpgsql.c). */
#include "plpgsql.h"

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
    struct ms_arena arena;
    const char *sql;
    struct ms_plpgsql_body body;
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
    ms_arena_release(&f->arena);
    free(f);
    return 0;
}

/* Parses the DO statement `sql` and extracts its body's statements. */
static struct ms_plpgsql_body *extract(struct fixture *f, const char *sql)
{
    const char *error;
    size_t error_offset;
    PgQuery__Node *node = ms_parse_text(sql, strlen(sql), &f->arena, &error, &error_offset);
    if (!node || node->node_case != PG_QUERY__NODE__NODE_DO_STMT)
        fail_msg("not a DO statement: %s", sql);
    f->sql = sql;
    ms_plpgsql_do(sql, strlen(sql), node->do_stmt, &f->arena, &f->body);
    return &f->body;
}

/* Statement i's text, as located in the DO statement. */
static const char *span(struct fixture *f, size_t i)
{
    const struct ms_plpgsql_stmt *s = &f->body.stmts[i];
    return ms_arena_strndup(&f->arena, f->sql + s->start, s->end - s->start);
}

static void test_plpgsql__top_level_statements(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b = extract(f, "DO $$\n"
                                           "BEGIN\n"
                                           "  ALTER TABLE users ADD COLUMN age int;\n"
                                           "  CREATE INDEX users_age ON users (age);\n"
                                           "END\n"
                                           "$$");
    assert_true(b->plpgsql);
    assert_null(b->error);
    assert_int_equal(b->n_stmts, 2);
    assert_string_equal(span(f, 0), "ALTER TABLE users ADD COLUMN age int");
    assert_string_equal(span(f, 1), "CREATE INDEX users_age ON users (age)");
    assert_int_equal(b->stmts[0].kind, MS_PLPGSQL_STATIC);
    assert_non_null(b->stmts[0].node);
    assert_int_equal(b->stmts[0].node->node_case, PG_QUERY__NODE__NODE_ALTER_TABLE_STMT);
    assert_int_equal(b->stmts[1].node->node_case, PG_QUERY__NODE__NODE_INDEX_STMT);
}

static void test_plpgsql__nested_blocks_branches_loops_and_handlers(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b =
        extract(f, "DO LANGUAGE plpgsql $body$\n"
                   "DECLARE n int := 1; r record;\n"
                   "BEGIN\n"
                   "  IF n > 1 THEN DROP TABLE a; ELSIF n > 2 THEN DROP TABLE b;\n"
                   "  ELSE DROP TABLE c; END IF;\n"
                   "  CASE n WHEN 1 THEN TRUNCATE d; ELSE TRUNCATE e; END CASE;\n"
                   "  FOR r IN SELECT 1 LOOP UPDATE f SET x = 1; END LOOP;\n"
                   "  WHILE false LOOP DELETE FROM g; END LOOP;\n"
                   "  BEGIN\n"
                   "    BEGIN ALTER TABLE h DROP COLUMN x; END;\n"
                   "  EXCEPTION WHEN others THEN\n"
                   "    ALTER TABLE i DROP COLUMN y;\n"
                   "  END;\n"
                   "END $body$");
    assert_null(b->error);
    static const char *const want[] = {
        "DROP TABLE a",
        "DROP TABLE b",
        "DROP TABLE c",
        "TRUNCATE d",
        "TRUNCATE e",
        "UPDATE f SET x = 1",
        "DELETE FROM g",
        "ALTER TABLE h DROP COLUMN x",
        "ALTER TABLE i DROP COLUMN y",
    };
    assert_int_equal(b->n_stmts, MS_ARRAY_LEN(want));
    for (size_t i = 0; i < MS_ARRAY_LEN(want); i++) {
        assert_string_equal(span(f, i), want[i]);
        assert_non_null(b->stmts[i].node);
    }
}

static void test_plpgsql__same_text_twice_on_one_line(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b = extract(f, "DO $$BEGIN DROP TABLE a; DROP TABLE a; END$$");
    assert_int_equal(b->n_stmts, 2);
    assert_true(b->stmts[0].start < b->stmts[1].start);
    assert_string_equal(span(f, 1), "DROP TABLE a");
}

static void test_plpgsql__dynamic_execute(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b = extract(f, "DO $$\n"
                                           "DECLARE t text := 'users';\n"
                                           "BEGIN\n"
                                           "  EXECUTE format('ALTER TABLE %I DROP COLUMN x', t);\n"
                                           "  execute 'ALTER TABLE users DROP COLUMN y';\n"
                                           "  EXECUTE $q$ALTER TABLE users DROP COLUMN z$q$;\n"
                                           "  EXECUTE 'DROP TABLE a; DROP TABLE b';\n"
                                           "END $$");
    assert_int_equal(b->n_stmts, 4);
    assert_int_equal(b->stmts[0].kind, MS_PLPGSQL_DYNAMIC);
    assert_string_equal(span(f, 0), "EXECUTE format('ALTER TABLE %I DROP COLUMN x', t)");
    assert_string_equal(b->stmts[0].expr, "format('ALTER TABLE %I DROP COLUMN x', t)");
    assert_null(b->stmts[0].node);
    /* a literal holding one statement is linted as written */
    assert_int_equal(b->stmts[1].kind, MS_PLPGSQL_STATIC);
    assert_string_equal(span(f, 1), "ALTER TABLE users DROP COLUMN y");
    assert_non_null(b->stmts[1].node);
    assert_int_equal(b->stmts[2].kind, MS_PLPGSQL_STATIC);
    assert_string_equal(span(f, 2), "ALTER TABLE users DROP COLUMN z");
    /* several statements in one string: not split, reported as not looked into */
    assert_int_equal(b->stmts[3].kind, MS_PLPGSQL_DYNAMIC);
}

static void test_plpgsql__single_quoted_body(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b = extract(f, "DO 'BEGIN\n"
                                           "  ALTER TABLE a ADD COLUMN s text DEFAULT ''x'';\n"
                                           "  ALTER TABLE b DROP COLUMN c;\n"
                                           "END'");
    assert_null(b->error);
    /* the first statement is not the text's bytes one for one: left out, and counted */
    assert_int_equal(b->n_skipped, 1);
    assert_int_equal(b->n_stmts, 1);
    assert_string_equal(span(f, 0), "ALTER TABLE b DROP COLUMN c");
    assert_int_equal(b->stmts[0].node->node_case, PG_QUERY__NODE__NODE_ALTER_TABLE_STMT);
}

static void test_plpgsql__select_into_is_skipped(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b =
        extract(f, "DO $$DECLARE n int; BEGIN SELECT count(*) INTO n FROM a; END$$");
    assert_int_equal(b->n_stmts, 0);
    assert_int_equal(b->n_skipped, 1);
}

static void test_plpgsql__body_that_does_not_parse(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b = extract(f, "DO $$BEGIN IF true THEN DROP TABLE a; END$$");
    assert_true(b->plpgsql);
    assert_non_null(b->error);
    assert_int_equal(b->n_stmts, 0);
    b = extract(f, "DO $$$$");
    assert_int_equal(b->n_stmts, 0);
}

static void test_plpgsql__other_languages_are_left_alone(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b =
        extract(f, "DO LANGUAGE plpython3u $$plpy.execute('DROP TABLE a')$$");
    assert_false(b->plpgsql);
    assert_null(b->error);
    assert_int_equal(b->n_stmts, 0);
    b = extract(f, "DO $$BEGIN DROP TABLE a; END$$ LANGUAGE PLPGSQL");
    assert_true(b->plpgsql);
    assert_int_equal(b->n_stmts, 1);
}

static void test_plpgsql__statement_syntax_error_refuses_the_body(void **state)
{
    struct fixture *f = *state;
    /* PL/pgSQL checks each statement with the SQL grammar, as PostgreSQL does when it runs */
    struct ms_plpgsql_body *b =
        extract(f, "DO $$BEGIN DROP TABLE a; ALTER TABLE a FROBNICATE; END$$");
    assert_non_null(b->error);
    assert_int_equal(b->n_stmts, 0);
}

static void test_plpgsql__body_holding_the_wrapper_tag(void **state)
{
    struct fixture *f = *state;
    struct ms_plpgsql_body *b =
        extract(f, "DO $x$BEGIN EXECUTE $migsafe$DROP TABLE a$migsafe$; DROP TABLE b; END$x$");
    assert_null(b->error);
    assert_int_equal(b->n_stmts, 2);
    assert_string_equal(span(f, 0), "DROP TABLE a");
    assert_string_equal(span(f, 1), "DROP TABLE b");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_plpgsql__top_level_statements),
        T(test_plpgsql__nested_blocks_branches_loops_and_handlers),
        T(test_plpgsql__same_text_twice_on_one_line),
        T(test_plpgsql__dynamic_execute),
        T(test_plpgsql__single_quoted_body),
        T(test_plpgsql__select_into_is_skipped),
        T(test_plpgsql__body_that_does_not_parse),
        T(test_plpgsql__other_languages_are_left_alone),
        T(test_plpgsql__statement_syntax_error_refuses_the_body),
        T(test_plpgsql__body_holding_the_wrapper_tag),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
