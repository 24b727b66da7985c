/* test_suppress.c: inline ignores (src/suppress.c), applied by the engine after the rules. */
#include "engine.h"

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
    struct ms_arena arena;
    struct ms_engine engine;
    struct ms_source src;
    struct ms_parsed parsed;
    struct ms_diags diags;
    char out[4096];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    ms_arena_init(&f->arena);
    ms_engine_init(&f->engine);
    f->engine.lock_timeout_by_runner = true; /* these tests are about other rules */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    free(f->diags.items);
    ms_engine_release(&f->engine);
    ms_arena_release(&f->arena);
    free(f);
    return 0;
}

/* The findings of sql as "rule line" lines, after the ignores. */
static const char *lint(struct fixture *f, const char *sql)
{
    char err[256];
    if (ms_source_from_text(&f->src, "m.sql", sql, strlen(sql), &f->arena, err, sizeof(err)))
        fail_msg("rejected: %s", err);
    ms_parse_split(&f->src, &f->arena, 1, &f->parsed);
    for (size_t i = 0; i < f->parsed.n_stmts; i++)
        ms_parse_stmt(&f->src, &f->parsed, i, 0);
    ms_engine_prepare(&f->engine);
    f->diags.n = 0;
    ms_engine_lint(&f->engine, &f->src, &f->parsed, &f->arena, &f->diags);
    ms_parsed_release(&f->parsed);
    size_t used = 0;
    f->out[0] = '\0';
    for (size_t i = 0; i < f->diags.n; i++) {
        struct ms_pos p = ms_source_pos(&f->src, f->diags.items[i].offset);
        used += (size_t)snprintf(f->out + used, sizeof(f->out) - used, "%s %" PRIu32 "\n",
                                 f->diags.items[i].rule->id, p.line);
    }
    return f->out;
}

static void test_suppress__line_before_covers_next_statement(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "-- migsafe:ignore drop-table: empty since 2024\n"
                                "DROP TABLE a;\n"
                                "DROP TABLE b;\n"),
                        "drop-table 3\n");
}

static void test_suppress__comment_lines_between_are_skipped(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "-- migsafe:ignore drop-table: reviewed\n"
                                "-- the archive table\n"
                                "\n"
                                "DROP TABLE archive;\n"),
                        "");
}

static void test_suppress__trailing_covers_its_line(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "DROP TABLE a; -- migsafe:ignore drop-table: ok\n"
                                "DROP TABLE b;\n"),
                        "drop-table 2\n");
}

static void test_suppress__covers_every_line_of_the_statement(void **state)
{
    struct fixture *f = *state;
    /* the second DROP COLUMN is reported on line 3, inside the statement the ignore covers */
    assert_string_equal(lint(f, "-- migsafe:ignore drop-column: moved to profiles\n"
                                "ALTER TABLE t DROP COLUMN a,\n"
                                "  DROP COLUMN b;\n"),
                        "");
}

static void test_suppress__only_the_rules_named(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "-- migsafe:ignore rename-as-drop: a real rename is not meant\n"
                                "ALTER TABLE t DROP COLUMN a, ADD COLUMN b text;\n"),
                        "drop-column 2\n");
    assert_string_equal(lint(f, "-- migsafe:ignore rename-as-drop, drop-column: new column\n"
                                "ALTER TABLE t DROP COLUMN a, ADD COLUMN b text;\n"),
                        "");
}

static void test_suppress__without_rules_covers_all(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(
        lint(f, "-- migsafe:ignore\nALTER TABLE t DROP COLUMN a, ADD COLUMN b text;\n"), "");
}

static void test_suppress__file_wide(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "DROP TABLE a;\n"
                                "CREATE INDEX i ON t (x);\n"
                                "-- migsafe:ignore-file drop-table: retiring v1\n"
                                "DROP TABLE b;\n"),
                        "require-concurrent-index 2\n");
}

static void test_suppress__unused_and_unknown(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "-- migsafe:ignore drop-table: stale\n"
                                "SELECT 1;\n"
                                "/* migsafe:ignore drop-tabel */\n"
                                "DROP TABLE b;\n"),
                        "unused-ignore 1\nunused-ignore 3\ndrop-table 4\n");
    assert_string_equal(f->diags.items[1].message,
                        "unknown rule \"drop-tabel\" in a migsafe:ignore comment (run 'migsafe "
                        "rules' for the list)");
    /* turned off, it says nothing */
    assert_int_equal(ms_engine_set_enabled(&f->engine, "unused-ignore", false), 0);
    assert_string_equal(lint(f, "-- migsafe:ignore drop-table: stale\nSELECT 1;\n"), "");
}

static void test_suppress__strings_are_not_comments(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f,
                             "SELECT '-- migsafe:ignore drop-table';\n"
                             "DROP TABLE b;\n"
                             "CREATE FUNCTION g() RETURNS int AS $$ -- migsafe:ignore drop-table\n"
                             "SELECT 1 $$ LANGUAGE sql;\n"
                             "DROP TABLE c;\n"),
                        "drop-table 2\ndrop-table 5\n");
}

static void test_suppress__ignore_at_the_end_covers_nothing(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "DROP TABLE a;\n-- migsafe:ignore drop-table: too late\n"),
                        "drop-table 1\nunused-ignore 2\n");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_suppress__line_before_covers_next_statement),
        T(test_suppress__comment_lines_between_are_skipped),
        T(test_suppress__trailing_covers_its_line),
        T(test_suppress__covers_every_line_of_the_statement),
        T(test_suppress__only_the_rules_named),
        T(test_suppress__without_rules_covers_all),
        T(test_suppress__file_wide),
        T(test_suppress__unused_and_unknown),
        T(test_suppress__strings_are_not_comments),
        T(test_suppress__ignore_at_the_end_covers_nothing),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
