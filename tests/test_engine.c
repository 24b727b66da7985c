/* test_engine.c: rule dispatch, the migration context and the diagnostics it produces
 * (src/engine.c). Rules are compiled into the registry, so the context's facts are observed
 * through the real rules that ask for them. */
#include "engine.h"

#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
    struct ms_arena arena;
    struct ms_engine engine;
    struct ms_source src;
    struct ms_parsed parsed;
    bool have_parsed;
    struct ms_diags diags;
    char err[256];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    ms_arena_init(&f->arena);
    ms_engine_init(&f->engine);
    /* the context is observed through the rules that ask for it; the others stay off so that a
     * new rule does not change what these tests see */
    static const char *const observers[] = {
        "add-column-not-null",
        "concurrently-in-transaction",
        "drop-column",
        "drop-table",
        "rename-as-drop",
        "rename-table",
        "require-concurrent-index",
        "set-not-null",
        "syntax-error",
    };
    for (size_t i = 0; i < ms_n_rules; i++) {
        bool keep = false;
        for (size_t k = 0; k < MS_ARRAY_LEN(observers); k++)
            keep |= strcmp(ms_rules[i]->id, observers[k]) == 0;
        f->engine.enabled[i] = keep;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->have_parsed)
        ms_parsed_release(&f->parsed);
    free(f->diags.items);
    ms_engine_release(&f->engine);
    ms_arena_release(&f->arena);
    free(f);
    return 0;
}

/* Lints sql as migration m of a session (NULL, NULL: on its own), appending to f->diags
 * (which keep earlier findings). */
static void lint_in(struct fixture *f, const char *sql, const struct ms_migration *m,
                    struct ms_session *session)
{
    if (f->have_parsed)
        ms_parsed_release(&f->parsed);
    if (ms_source_from_text(&f->src, "m.sql", sql, strlen(sql), &f->arena, f->err,
                            sizeof(f->err)) != 0)
        fail_msg("rejected: %s", f->err);
    ms_parse_split(&f->src, &f->arena, 1, &f->parsed);
    f->have_parsed = true;
    for (size_t i = 0; i < f->parsed.n_stmts; i++)
        ms_parse_stmt(&f->src, &f->parsed, i, 0);
    ms_engine_prepare(&f->engine);
    ms_engine_lint_migration(&f->engine, &f->src, &f->parsed, m, session, &f->arena, &f->diags);
}

static void lint_append(struct fixture *f, const char *sql)
{
    lint_in(f, sql, NULL, NULL);
}

/* The findings of migration m of a session as "rule-id line:col" lines, in the order the
 * engine gives. */
static const char *lint_session(struct fixture *f, const char *sql, const struct ms_migration *m,
                                struct ms_session *session)
{
    f->diags.n = 0;
    lint_in(f, sql, m, session);
    char *out = ms_arena_strdup(&f->arena, "");
    for (size_t i = 0; i < f->diags.n; i++) {
        struct ms_pos p = ms_source_pos(&f->src, f->diags.items[i].offset);
        out = ms_arena_printf(&f->arena, "%s%s %" PRIu32 ":%" PRIu32 "\n", out,
                              f->diags.items[i].rule->id, p.line, p.col);
    }
    return out;
}

/* The findings of one migration linted on its own. */
static const char *lint(struct fixture *f, const char *sql)
{
    return lint_session(f, sql, NULL, NULL);
}

/* Runs fn with standard error captured; returns what it printed. */
static char *capture_stderr(struct fixture *f, int (*fn)(struct fixture *), int *rc)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    *rc = fn(f);
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    char buf[1024];
    rewind(tmp);
    size_t n = fread(buf, 1, sizeof(buf) - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
    return ms_arena_strdup(&f->arena, buf);
}

/* ---- table_is_new ---- */

static void test_engine__table_is_new_exemptions(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "CREATE TABLE a (id int, b int);\n"
                                "CREATE INDEX ON a (id);\n"
                                "ALTER TABLE a ADD COLUMN c int NOT NULL;\n"
                                "ALTER TABLE a ALTER COLUMN b SET NOT NULL;\n"
                                "ALTER TABLE a DROP COLUMN id;\n"
                                "DROP TABLE a;\n"),
                        "");
    assert_string_equal(lint(f, "CREATE TABLE b AS SELECT 1 AS x;\n"
                                "CREATE INDEX ON b (x);\n"
                                "DROP TABLE b;\n"),
                        "");
    assert_string_equal(lint(f, "SELECT 1 AS x INTO c;\n"
                                "CREATE INDEX ON c (x);\n"
                                "ALTER TABLE c DROP COLUMN x;\n"),
                        "");
    assert_string_equal(lint(f, "CREATE TEMP TABLE d (x int);\n"
                                "CREATE INDEX ON d (x);\n"
                                "CREATE TEMPORARY TABLE d2 AS SELECT 1 AS x;\n"
                                "CREATE INDEX ON d2 (x);\n"),
                        "");
    assert_string_equal(lint(f, "CREATE TABLE e (x int);\n"
                                "ALTER TABLE e RENAME TO f;\n"
                                "CREATE INDEX ON f (x);\n"
                                "ALTER TABLE f ADD COLUMN y int NOT NULL;\n"
                                "DROP TABLE f;\n"),
                        "");
}

static void test_engine__table_is_new_only_for_that_table(void **state)
{
    struct fixture *f = *state;
    /* another table, a table created later, a renamed existing table */
    assert_string_equal(lint(f, "CREATE TABLE g (x int);\n"
                                "CREATE INDEX ON other (x);\n"
                                "CREATE INDEX ON h (x);\n"
                                "CREATE TABLE h (x int);\n"
                                "ALTER TABLE old RENAME TO renamed;\n"
                                "CREATE INDEX ON renamed (x);\n"),
                        "require-concurrent-index 2:1\n"
                        "require-concurrent-index 3:1\n"
                        "rename-table 5:1\n"
                        "require-concurrent-index 6:1\n");
}

static void test_engine__table_is_new_schemas(void **state)
{
    struct fixture *f = *state;
    /* an unqualified name may be the new table; another schema's table of that name is not */
    assert_string_equal(lint(f, "CREATE TABLE app.t (x int);\n"
                                "CREATE INDEX ON app.t (x);\n"
                                "CREATE INDEX ON t (x);\n"
                                "CREATE INDEX ON other.t (x);\n"),
                        "require-concurrent-index 4:1\n");
}

static void test_engine__context_is_fresh_for_each_migration(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "CREATE TABLE a (x int);\nCREATE INDEX ON a (x);\n"), "");
    assert_string_equal(lint(f, "CREATE INDEX ON a (x);\n"), "require-concurrent-index 1:1\n");
    assert_string_equal(lint(f, "BEGIN;\n"), "");
    assert_string_equal(lint(f, "CREATE INDEX CONCURRENTLY i ON t (x);\n"), "");
    /* rule state too: a drop in one migration and an add in the next are no rename */
    assert_string_equal(lint(f, "ALTER TABLE t DROP COLUMN a;\n"), "drop-column 1:1\n");
    assert_string_equal(lint(f, "ALTER TABLE t ADD COLUMN b int;\n"), "");
}

/* ---- the session's catalog ---- */

static void test_engine__session_keeps_the_catalog_until_a_new_history(void **state)
{
    struct fixture *f = *state;
    struct ms_session s;
    ms_session_init(&s);
    const struct ms_migration m = {.tool = MS_TOOL_SQL, .name = "001"};
    assert_string_equal(lint_session(f, "CREATE TABLE a (x int);\n", &m, &s), "");
    ms_session_reset(&s); /* the next migration: a new transaction, the same schema */
    const struct ms_cat_table *t = ms_catalog_find_table(s.catalog, NULL, "a");
    assert_non_null(t);
    assert_string_equal(t->origin, "001");
    assert_false(t->change_set_new);
    /* rules see the state before the statement: the catalog learns it afterwards */
    assert_string_equal(lint_session(f, "DROP TABLE a;\n", &m, &s), "drop-table 1:1\n");
    assert_null(ms_catalog_find_table(s.catalog, NULL, "a"));
    assert_string_equal(lint_session(f, "CREATE TABLE b (x int);\n", &m, &s), "");
    ms_session_new_history(&s);
    assert_null(ms_catalog_find_table(s.catalog, NULL, "b"));
    ms_session_release(&s);
}

static void test_engine__change_set_tables_are_new_in_later_migrations(void **state)
{
    struct fixture *f = *state;
    struct ms_session s;
    ms_session_init(&s);
    const struct ms_migration deployed = {.tool = MS_TOOL_SQL, .name = "001"};
    const struct ms_migration pending = {.tool = MS_TOOL_SQL, .name = "002", .in_change_set = true};
    assert_string_equal(lint_session(f, "CREATE TABLE old (x int);\n", &deployed, &s), "");
    assert_string_equal(lint_session(f, "CREATE TABLE fresh (x int);\n", &pending, &s), "");
    ms_session_reset(&s);
    assert_string_equal(lint_session(f,
                                     "CREATE INDEX ON fresh (x);\n"
                                     "CREATE INDEX ON old (x);\n"
                                     "DROP TABLE fresh;\n"
                                     "DROP TABLE old;\n",
                                     &deployed, &s),
                        "require-concurrent-index 2:1\n"
                        "drop-table 4:1\n");
    ms_session_release(&s);
}

/* The rules read the catalog: change-column-type takes the old type from it. */
static void test_engine__rules_see_the_catalog_of_earlier_migrations(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(ms_engine_set_enabled(&f->engine, "change-column-type", true), 0);
    struct ms_session s;
    ms_session_init(&s);
    const struct ms_migration m = {.tool = MS_TOOL_SQL};
    lint_session(f, "CREATE TABLE t (a varchar(10), b timestamp, c timestamp);\n", &m, &s);
    assert_string_equal(lint_session(f, "ALTER TABLE t ALTER COLUMN a TYPE varchar(20);\n", &m, &s),
                        "");
    assert_string_equal(lint_session(f, "ALTER TABLE t ALTER COLUMN a TYPE varchar(5);\n", &m, &s),
                        "change-column-type 1:1\n");
    /* the catalog learnt varchar(20): narrowing it is reported with both types */
    assert_non_null(strstr(f->diags.items[0].message, "from varchar(20) to varchar(5)"));
    /* timestamp to timestamptz: a rewrite before PostgreSQL 12, UTC-dependent from 12 */
    lint_session(f, "ALTER TABLE t ALTER COLUMN b TYPE timestamptz;\n", &m, &s);
    assert_non_null(strstr(f->diags.items[0].message, "unless the session's TimeZone is UTC"));
    f->engine.pg_version = 11;
    assert_string_equal(lint_session(f, "ALTER TABLE t ALTER COLUMN c TYPE timestamptz;\n", &m, &s),
                        "change-column-type 1:1\n");
    assert_null(strstr(f->diags.items[0].message, "TimeZone"));
    assert_non_null(strstr(f->diags.items[0].message, "rewrites the table"));
    /* in a new history the old type is unknown */
    ms_session_new_history(&s);
    lint_session(f, "ALTER TABLE t ALTER COLUMN a TYPE varchar(30);\n", &m, &s);
    assert_non_null(strstr(f->diags.items[0].message, "unknown to migsafe"));
    ms_session_release(&s);
}

/* ---- transaction blocks ---- */

/* protobuf-c holds an unnamed constraint's name as "": messages must not quote it. */
static void test_engine__unnamed_constraints_are_not_named_in_messages(void **state)
{
    struct fixture *f = *state;
    static const char *const ids[] = {"add-unique-constraint", "add-check-constraint",
                                      "add-foreign-key", "add-primary-key"};
    for (size_t i = 0; i < MS_ARRAY_LEN(ids); i++)
        assert_int_equal(ms_engine_set_enabled(&f->engine, ids[i], true), 0);
    lint(f, "ALTER TABLE t ADD UNIQUE (id);\nALTER TABLE t ADD CHECK (id > 0);\n"
            "ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES p (id);\nALTER TABLE t ADD PRIMARY KEY "
            "(id);\n");
    assert_int_equal(f->diags.n, 4);
    for (size_t i = 0; i < f->diags.n; i++) {
        const char *m = f->diags.items[i].message;
        if (strstr(m, "\"\"") || strstr(m, "<name>"))
            fail_msg("%s: %s", f->diags.items[i].rule->id, m);
        assert_non_null(strstr(m, "adding a"));
        if (strcmp(f->diags.items[i].rule->id, "add-unique-constraint") == 0)
            assert_non_null(strstr(m, "adding a unique constraint to table"));
    }
}

static void test_engine__transaction_tracking(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "BEGIN;\n"
                                "CREATE INDEX CONCURRENTLY i1 ON t (a);\n"
                                "COMMIT;\n"
                                "CREATE INDEX CONCURRENTLY i2 ON t (a);\n"
                                "START TRANSACTION;\n"
                                "DROP INDEX CONCURRENTLY i3;\n"
                                "ROLLBACK;\n"
                                "REINDEX INDEX CONCURRENTLY i4;\n"
                                "BEGIN WORK;\n"
                                "REINDEX INDEX CONCURRENTLY i5;\n"
                                "END;\n"
                                "DROP INDEX CONCURRENTLY i6;\n"
                                "BEGIN;\n"
                                "ABORT;\n"
                                "CREATE INDEX CONCURRENTLY i7 ON t (a);\n"),
                        "concurrently-in-transaction 2:1\n"
                        "concurrently-in-transaction 6:1\n"
                        "concurrently-in-transaction 10:1\n");
}

static void test_engine__rollback_to_savepoint_keeps_the_block(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "BEGIN;\n"
                                "SAVEPOINT s;\n"
                                "ROLLBACK TO SAVEPOINT s;\n"
                                "CREATE INDEX CONCURRENTLY i ON t (a);\n"
                                "RELEASE SAVEPOINT s;\n"
                                "CREATE INDEX CONCURRENTLY j ON t (a);\n"
                                "ROLLBACK TO s;\n"
                                "DROP INDEX CONCURRENTLY k;\n"
                                "COMMIT;\n"
                                "CREATE INDEX CONCURRENTLY l ON t (a);\n"),
                        "concurrently-in-transaction 4:1\n"
                        "concurrently-in-transaction 6:1\n"
                        "concurrently-in-transaction 8:1\n");
}

static void test_engine__prepare_transaction_ends_the_block(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "BEGIN;\n"
                                "PREPARE TRANSACTION 'x';\n"
                                "CREATE INDEX CONCURRENTLY i ON t (a);\n"),
                        "");
}

static void test_engine__commit_and_chain_keeps_a_block_open(void **state)
{
    struct fixture *f = *state;
    /* AND CHAIN starts a new transaction block at once */
    assert_string_equal(lint(f, "BEGIN;\n"
                                "COMMIT AND CHAIN;\n"
                                "CREATE INDEX CONCURRENTLY i ON t (a);\n"
                                "ROLLBACK AND CHAIN;\n"
                                "DROP INDEX CONCURRENTLY j;\n"
                                "COMMIT;\n"
                                "CREATE INDEX CONCURRENTLY k ON t (a);\n"),
                        "concurrently-in-transaction 3:1\n"
                        "concurrently-in-transaction 5:1\n");
}

static void test_engine__blocks_inside_bodies_are_not_transactions(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(
        lint(f, "DO $$ BEGIN PERFORM 1; END $$;\n"
                "CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$;\n"
                "CREATE INDEX CONCURRENTLY i ON t (a);\n"),
        "");
}

static void test_engine__do_block_statements_are_visited_in_place(void **state)
{
    struct fixture *f = *state;
    const char *sql = "DO $$\n"
                      "BEGIN\n"
                      "  CREATE TABLE fresh (id int);\n"
                      "  IF true THEN ALTER TABLE fresh DROP COLUMN id; END IF;\n"
                      "  ALTER TABLE  users DROP COLUMN a, DROP COLUMN b;\n"
                      "END $$;\n"
                      "DROP TABLE fresh;\n";
    /* fresh is new inside the block and after it; each command of the ALTER TABLE is found */
    assert_string_equal(lint(f, sql), "drop-column 5:22\n"
                                      "drop-column 5:37\n");
    const struct ms_diag *d = &f->diags.items[0];
    /* the span ends with the nested statement, not with the DO block */
    assert_int_equal(d->end, (size_t)(strstr(sql, "b;\nEND") - sql) + 1);
}

static void test_engine__do_block_runs_in_one_transaction(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "DO $$BEGIN CREATE INDEX CONCURRENTLY i ON t (a); END$$;\n"
                                "CREATE INDEX CONCURRENTLY j ON t (a);\n"
                                "BEGIN;\n"
                                "DO $$BEGIN COMMIT; END$$;\n"
                                "CREATE INDEX CONCURRENTLY k ON t (a);\n"
                                "COMMIT;\n"
                                "DO LANGUAGE plperl $$ CREATE INDEX CONCURRENTLY l ON t (a) $$;\n"
                                "DO $$BEGIN IF THEN END$$;\n"),
                        "concurrently-in-transaction 1:12\n"
                        "concurrently-in-transaction 5:1\n");
    assert_non_null(strstr(f->diags.items[0].message, "inside a DO block"));
}

/* ---- validated NOT NULL checks ---- */

static void test_engine__validated_not_null_check_added_valid(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL);\n"
                                "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"),
                        "");
    assert_string_equal(lint(f, "ALTER TABLE app.t ADD CONSTRAINT c CHECK (a IS NOT NULL);\n"
                                "ALTER TABLE app.t ALTER COLUMN a SET NOT NULL;\n"),
                        "");
}

static void test_engine__validated_not_null_check_not_valid_then_validate(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;\n"
                                "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
                                "ALTER TABLE t VALIDATE CONSTRAINT c;\n"
                                "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"),
                        "set-not-null 2:1\n");
}

static void test_engine__validated_not_null_check_does_not_cover_others(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
                                "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL);\n"
                                "ALTER TABLE t ALTER COLUMN b SET NOT NULL;\n"
                                "ALTER TABLE u ALTER COLUMN a SET NOT NULL;\n"
                                "ALTER TABLE t ADD CONSTRAINT d CHECK (b IS NOT NULL) NOT VALID;\n"
                                "ALTER TABLE t VALIDATE CONSTRAINT other;\n"
                                "ALTER TABLE t ALTER COLUMN b SET NOT NULL;\n"
                                "ALTER TABLE t ADD CONSTRAINT e CHECK (x IS NULL);\n"
                                "ALTER TABLE t ALTER COLUMN x SET NOT NULL;\n"),
                        "set-not-null 1:1\n"
                        "set-not-null 3:1\n"
                        "set-not-null 4:1\n"
                        "set-not-null 7:1\n"
                        "set-not-null 9:1\n");
}

static void test_engine__validated_not_null_check_needs_pg12(void **state)
{
    struct fixture *f = *state;
    const char *sql = "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL);\n"
                      "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n";
    f->engine.pg_version = 11;
    assert_string_equal(lint(f, sql), "set-not-null 2:1\n");
    assert_string_equal(f->diags.items[0].help,
                        "before PostgreSQL 12 SET NOT NULL always scans: keep a validated CHECK "
                        "(\"a\" IS NOT NULL) NOT VALID constraint instead, or run it in a "
                        "maintenance window");
    f->engine.pg_version = 12;
    assert_string_equal(lint(f, sql), "");
}

/* ---- the diagnostics ---- */

static void test_engine__diagnostic_fields(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT 1;\n  DROP TABLE app.users;\n";
    assert_string_equal(lint(f, sql), "drop-table 2:3\n");
    const struct ms_diag *d = &f->diags.items[0];
    assert_string_equal(d->rule->id, "drop-table");
    assert_int_equal(d->severity, MS_ERROR);
    assert_int_equal(d->offset, (size_t)(strstr(sql, "DROP") - sql));
    assert_int_equal(d->end, (size_t)(strstr(sql, "users;") - sql) + 5);
    assert_string_equal(d->message,
                        "dropping table \"app.users\" deletes all of its rows for good");
    assert_ptr_equal(d->help, d->rule->help);
}

static void test_engine__location_inside_statement(void **state)
{
    struct fixture *f = *state;
    const char *sql = "ALTER TABLE t ADD COLUMN \xC3\xA9t\xC3\xA9 int NOT NULL;";
    assert_string_equal(lint(f, sql), "add-column-not-null 1:26\n");
    const struct ms_diag *d = &f->diags.items[0];
    assert_int_equal(d->offset, 25);
    assert_int_equal(d->end, strlen(sql) - 1);
    assert_string_equal(d->message,
                        "adding column \"\xC3\xA9t\xC3\xA9\" to table \"t\" as NOT NULL without a "
                        "default fails as soon as the table has a row (\"column contains null "
                        "values\")");
}

static void test_engine__configured_severity(void **state)
{
    struct fixture *f = *state;
    int i = ms_rule_find("drop-table");
    assert_true(i >= 0);
    f->engine.severity[i] = MS_INFO;
    assert_string_equal(lint(f, "DROP TABLE t;"), "drop-table 1:1\n");
    assert_int_equal(f->diags.items[0].severity, MS_INFO);
}

static void test_engine__findings_sorted_by_offset_then_rule(void **state)
{
    struct fixture *f = *state;
    /* rename-as-drop reports at the end of the migration, at the DROP statement */
    assert_string_equal(lint(f, "ALTER TABLE t DROP COLUMN a;\n"
                                "ALTER TABLE t ADD COLUMN b int NOT NULL;\n"
                                "ALTER TABEL t;\n"
                                "DROP TABLE t;\n"),
                        "drop-column 1:1\n"
                        "rename-as-drop 1:1\n"
                        "add-column-not-null 2:26\n"
                        "syntax-error 3:7\n"
                        "drop-table 4:1\n");
    /* in an ALTER TABLE of several commands, each finding points at its command */
    assert_string_equal(lint(f, "ALTER TABLE t ADD COLUMN b int NOT NULL, DROP COLUMN a;\n"),
                        "add-column-not-null 1:26\n"
                        "drop-column 1:42\n"
                        "rename-as-drop 1:42\n");
    /* several findings of one rule at one offset: by message */
    assert_string_equal(lint(f, "DROP TABLE b, a, c;"),
                        "drop-table 1:1\ndrop-table 1:1\ndrop-table 1:1\n");
    assert_string_equal(f->diags.items[0].message,
                        "dropping table \"a\" deletes all of its rows for good");
    assert_string_equal(f->diags.items[1].message,
                        "dropping table \"b\" deletes all of its rows for good");
    assert_string_equal(f->diags.items[2].message,
                        "dropping table \"c\" deletes all of its rows for good");
}

static void test_engine__lint_appends_and_sorts_only_its_own(void **state)
{
    struct fixture *f = *state;
    f->diags.n = 0;
    lint_append(f, "SELECT 1;\nSELECT 2;\nDROP TABLE late;\n");
    lint_append(f, "DROP TABLE early;\n");
    assert_int_equal(f->diags.n, 2);
    assert_string_equal(f->diags.items[0].message,
                        "dropping table \"late\" deletes all of its rows for good");
    assert_string_equal(f->diags.items[1].message,
                        "dropping table \"early\" deletes all of its rows for good");
}

static void test_engine__empty_migration(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, ""), "");
    assert_string_equal(lint(f, "-- nothing\n"), "");
}

/* ---- syntax errors ---- */

static void test_engine__syntax_error_finding(void **state)
{
    struct fixture *f = *state;
    const char *sql = "SELECT 1;\nALTER TABEL t ADD x int;\n";
    assert_string_equal(lint(f, sql), "syntax-error 2:7\n");
    const struct ms_diag *d = &f->diags.items[0];
    assert_int_equal(d->severity, MS_ERROR);
    assert_int_equal(d->offset, (size_t)(strstr(sql, "TABEL") - sql));
    assert_int_equal(d->end, (size_t)(strstr(sql, "int;") - sql) + 3);
    assert_string_equal(d->message, "syntax error at or near \"TABEL\" (migsafe parses the "
                                    "PostgreSQL 15 grammar)");
    assert_non_null(strstr(d->message, "PostgreSQL 15 grammar"));
    assert_ptr_equal(d->help, d->rule->help);
}

static void test_engine__syntax_error_from_the_scanner(void **state)
{
    struct fixture *f = *state;
    const char *sql = "DROP TABLE a;\nSELECT '\xC3\xA9', 'x";
    assert_string_equal(lint(f, sql), "drop-table 1:1\nsyntax-error 2:13\n");
    assert_string_equal(f->diags.items[1].message,
                        "unterminated quoted string at or near \"'x\" (migsafe parses the "
                        "PostgreSQL 15 grammar)");
    assert_int_equal(f->diags.items[1].offset, strlen(sql) - 2);
}

static void test_engine__syntax_error_multibyte_position(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(
        lint(f, "-- \xE2\x82\xAC\xE2\x82\xAC\nSELECT '\xE2\x82\xAC\xE2\x82\xAC' FRM t;"),
        "syntax-error 2:17\n");
    assert_string_equal(f->diags.items[0].message, "syntax error at or near \"t\" (migsafe parses "
                                                   "the PostgreSQL 15 grammar)");
}

static void test_engine__syntax_error_newer_grammar(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(lint(f, "ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (1);\n"),
                        "syntax-error 1:34\n");
    assert_string_equal(f->diags.items[0].message, "syntax error at or near \"EXPRESSION\" "
                                                   "(migsafe parses the PostgreSQL 15 grammar)");
}

/* ---- configuration ---- */

static int disable_unknown(struct fixture *f)
{
    return ms_engine_set_enabled(&f->engine, "no-such-rule", false);
}

static void test_engine__enable_and_disable(void **state)
{
    struct fixture *f = *state;
    const char *sql = "DROP TABLE t;\nCREATE INDEX ON t (a);\nALTER TABEL;\n";
    assert_string_equal(lint(f, sql),
                        "drop-table 1:1\nrequire-concurrent-index 2:1\nsyntax-error 3:7\n");
    assert_int_equal(ms_engine_set_enabled(&f->engine, "drop-table", false), 0);
    assert_int_equal(ms_engine_set_enabled(&f->engine, "syntax-error", false), 0);
    assert_string_equal(lint(f, sql), "require-concurrent-index 2:1\n");
    assert_int_equal(ms_engine_set_enabled(&f->engine, "drop-table", true), 0);
    assert_string_equal(lint(f, sql), "drop-table 1:1\nrequire-concurrent-index 2:1\n");
    int rc = 0;
    const char *msg = capture_stderr(f, disable_unknown, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(
        msg, "migsafe: unknown rule \"no-such-rule\" (run 'migsafe rules' for the list)\n");
    /* nothing changed */
    assert_string_equal(lint(f, sql), "drop-table 1:1\nrequire-concurrent-index 2:1\n");
}

/* A fresh engine, as ms_engine_init() makes it (setup turns most rules off). */
static void reset_engine(struct fixture *f)
{
    ms_engine_release(&f->engine);
    ms_engine_init(&f->engine);
}

/* ms_engine_init() sets every field: the CLI keeps its engine on the stack. */
static void test_engine__init_sets_every_setting(void **state)
{
    (void)state;
    struct ms_engine e;
    memset(&e, 1, sizeof(e)); /* true in every bool */
    ms_engine_init(&e);
    assert_int_equal(e.pg_version, 15);
    assert_false(e.lock_timeout_by_runner);
    assert_false(e.lint_downgrade);
    assert_null(e.dispatch);
    assert_null(e.down_dispatch);
    ms_engine_release(&e);
}

static void test_engine__rule_active(void **state)
{
    struct fixture *f = *state;
    reset_engine(f);
    for (size_t i = 0; i < ms_n_rules; i++) {
        const struct ms_rule *r = ms_rules[i];
        for (int v = 9; v <= 18; v++) {
            f->engine.pg_version = v;
            bool in_range = (!r->min_pg || v >= r->min_pg) && (!r->max_pg || v <= r->max_pg);
            assert_int_equal(ms_engine_rule_active(&f->engine, i), !r->opt_in && in_range);
            f->engine.enabled[i] = false;
            assert_false(ms_engine_rule_active(&f->engine, i));
            f->engine.enabled[i] = true;
            assert_int_equal(ms_engine_rule_active(&f->engine, i), in_range);
            f->engine.enabled[i] = !r->opt_in;
        }
    }
    f->engine.pg_version = 15;
    int syntax = ms_rule_find("syntax-error");
    assert_true(syntax >= 0);
    assert_true(ms_engine_rule_active(&f->engine, (size_t)syntax));
}

static void test_engine__defaults(void **state)
{
    struct fixture *f = *state;
    reset_engine(f);
    assert_int_equal(f->engine.pg_version, 15);
    for (size_t i = 0; i < ms_n_rules; i++) {
        assert_int_equal(f->engine.enabled[i], !ms_rules[i]->opt_in);
        assert_int_equal(f->engine.severity[i], ms_rules[i]->severity);
    }
}

static void test_engine__registry_sorted_and_findable(void **state)
{
    (void)state;
    assert_true(ms_n_rules > 0);
    for (size_t i = 0; i < ms_n_rules; i++) {
        assert_int_equal(ms_rule_find(ms_rules[i]->id), (int)i);
        if (i > 0)
            assert_true(strcmp(ms_rules[i - 1]->id, ms_rules[i]->id) < 0);
    }
    assert_int_equal(ms_rule_find("no-such-rule"), -1);
    assert_int_equal(ms_rule_find(""), -1);
    assert_int_equal(ms_rule_find("DROP-TABLE"), -1);
}

static void test_engine__severity_names(void **state)
{
    (void)state;
    assert_string_equal(ms_severity_name(MS_ERROR), "error");
    assert_string_equal(ms_severity_name(MS_WARNING), "warning");
    assert_string_equal(ms_severity_name(MS_INFO), "info");
    assert_int_equal(ms_severity_parse("error"), MS_ERROR);
    assert_int_equal(ms_severity_parse("warning"), MS_WARNING);
    assert_int_equal(ms_severity_parse("info"), MS_INFO);
    assert_int_equal(ms_severity_parse("Error"), 0);
    assert_int_equal(ms_severity_parse(""), 0);
}

static void test_engine__prepare_twice(void **state)
{
    struct fixture *f = *state;
    ms_engine_prepare(&f->engine);
    ms_engine_prepare(&f->engine);
    assert_string_equal(lint(f, "DROP TABLE t;"), "drop-table 1:1\n");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine__init_sets_every_setting),
        T(test_engine__table_is_new_exemptions),
        T(test_engine__table_is_new_only_for_that_table),
        T(test_engine__table_is_new_schemas),
        T(test_engine__context_is_fresh_for_each_migration),
        T(test_engine__session_keeps_the_catalog_until_a_new_history),
        T(test_engine__change_set_tables_are_new_in_later_migrations),
        T(test_engine__rules_see_the_catalog_of_earlier_migrations),
        T(test_engine__unnamed_constraints_are_not_named_in_messages),
        T(test_engine__transaction_tracking),
        T(test_engine__rollback_to_savepoint_keeps_the_block),
        T(test_engine__prepare_transaction_ends_the_block),
        T(test_engine__commit_and_chain_keeps_a_block_open),
        T(test_engine__blocks_inside_bodies_are_not_transactions),
        T(test_engine__do_block_statements_are_visited_in_place),
        T(test_engine__do_block_runs_in_one_transaction),
        T(test_engine__validated_not_null_check_added_valid),
        T(test_engine__validated_not_null_check_not_valid_then_validate),
        T(test_engine__validated_not_null_check_does_not_cover_others),
        T(test_engine__validated_not_null_check_needs_pg12),
        T(test_engine__diagnostic_fields),
        T(test_engine__location_inside_statement),
        T(test_engine__configured_severity),
        T(test_engine__findings_sorted_by_offset_then_rule),
        T(test_engine__lint_appends_and_sorts_only_its_own),
        T(test_engine__empty_migration),
        T(test_engine__syntax_error_finding),
        T(test_engine__syntax_error_from_the_scanner),
        T(test_engine__syntax_error_multibyte_position),
        T(test_engine__syntax_error_newer_grammar),
        T(test_engine__enable_and_disable),
        T(test_engine__rule_active),
        T(test_engine__defaults),
        T(test_engine__registry_sorted_and_findable),
        T(test_engine__severity_names),
        T(test_engine__prepare_twice),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
