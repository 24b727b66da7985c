/* test_locks.c: the lock table (src/locks.c) gives the answers of tests/locks/cases.txt, the
 * file tests/locks/verify.sh checks against a PostgreSQL 15 server; and the helpers around it
 * (names, the conflict table, command tags, per-command locks, the relation cap). No server is
 * needed here. Runs from the source root. */
#include "rule.h"

#include <setjmp.h>
#include <cmocka.h>

#define CASES "tests/locks/cases.txt"

/* ---- parsing one statement ---- */

struct parsed {
    PgQueryProtobufParseResult raw;
    PgQuery__ParseResult *tree;
};

static const PgQuery__Node *parse(struct parsed *p, const char *sql)
{
    p->raw = pg_query_parse_protobuf(sql);
    if (p->raw.error)
        fail_msg("does not parse: %s: %s", sql, p->raw.error->message);
    p->tree = pg_query__parse_result__unpack(NULL, p->raw.parse_tree.len,
                                             (const uint8_t *)p->raw.parse_tree.data);
    assert_non_null(p->tree);
    assert_int_equal(p->tree->n_stmts, 1);
    return p->tree->stmts[0]->stmt;
}

static void parsed_free(struct parsed *p)
{
    if (p->tree)
        pg_query__parse_result__free_unpacked(p->tree, NULL);
    pg_query_free_protobuf_parse_result(p->raw);
    memset(p, 0, sizeof(*p));
}

static void locks_of(const char *sql, int pg, struct ms_locks *out)
{
    struct parsed p = {0};
    ms_locks_stmt(parse(&p, sql), pg, out);
    /* the tree goes away: keep only what the tests compare */
    for (size_t i = 0; i < out->n; i++) {
        static char names[MS_LOCKS_MAX][64], schemas[MS_LOCKS_MAX][64];
        snprintf(names[i], sizeof(names[i]), "%s", out->items[i].rel.relname);
        out->items[i].rel.relname = names[i];
        snprintf(schemas[i], sizeof(schemas[i]), "%s",
                 out->items[i].rel.schemaname ? out->items[i].rel.schemaname : "");
        out->items[i].rel.schemaname = schemas[i];
    }
    static char tag[64];
    snprintf(tag, sizeof(tag), "%s", out->tag ? out->tag : "(null)");
    out->tag = tag;
    parsed_free(&p);
}

/* ---- tests/locks/cases.txt ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int parse_mode(const char *s)
{
    if (strcmp(s, "none") == 0)
        return MS_LOCK_NONE;
    for (int m = MS_LOCK_ACCESS_SHARE; m <= MS_LOCK_ACCESS_EXCLUSIVE; m++)
        if (strcmp(s, ms_lock_mode_name((enum ms_lock_mode)m)) == 0)
            return m;
    return -1;
}

static int parse_work(const char *s, bool *maybe)
{
    size_t n = strlen(s);
    *maybe = n > 0 && s[n - 1] == '?';
    if (*maybe)
        n--;
    if (n == 4 && strncmp(s, "none", 4) == 0 && !*maybe)
        return MS_WORK_NONE;
    if (n == 4 && strncmp(s, "scan", 4) == 0)
        return MS_WORK_SCAN;
    if (n == 7 && strncmp(s, "rewrite", 7) == 0)
        return MS_WORK_REWRITE;
    return -1;
}

static const char *kind_name(enum ms_relkind k)
{
    switch (k) {
    case MS_REL_TABLE:
        return "table";
    case MS_REL_INDEX:
        return "index";
    case MS_REL_INDEX_TABLE:
        return "table-of-index";
    case MS_REL_VIEW:
        return "view";
    case MS_REL_MATVIEW:
        return "matview";
    case MS_REL_SEQUENCE:
        return "sequence";
    }
    return "?";
}

static int parse_kind(const char *s, size_t n)
{
    for (int k = MS_REL_TABLE; k <= MS_REL_SEQUENCE; k++)
        if (strlen(kind_name((enum ms_relkind)k)) == n &&
            strncmp(kind_name((enum ms_relkind)k), s, n) == 0)
            return k;
    return -1;
}

/* Checks one line; returns a message when src/locks.c disagrees, NULL when it agrees. */
static const char *check_case(char *line, char *msg, size_t msglen)
{
    char *field[5];
    char *p = line;
    for (int i = 0; i < 4; i++) {
        char *bar = strstr(p, " | ");
        if (!bar)
            return "malformed: mode | work | relation | flags | statement";
        *bar = '\0';
        field[i] = trim(p);
        p = bar + 3;
    }
    field[4] = trim(p);
    int mode = parse_mode(field[0]);
    bool maybe;
    int work = parse_work(field[1], &maybe);
    if (mode < 0 || work < 0)
        return "malformed mode or work";
    int kind = MS_REL_TABLE;
    const char *rel = field[2];
    const char *colon = strchr(rel, ':');
    if (colon) {
        kind = parse_kind(rel, (size_t)(colon - rel));
        if (kind < 0)
            return "malformed relation kind";
        rel = colon + 1;
    }
    int pg = 15;
    for (char *f = field[3]; *f && strcmp(f, "-") != 0;) {
        char *comma = strchr(f, ',');
        if (comma)
            *comma = '\0';
        if (strncmp(f, "pg=", 3) == 0)
            pg = (int)strtol(f + 3, NULL, 10);
        else if (strcmp(f, "notx") != 0 && strcmp(f, "nowork") != 0)
            return "unknown flag";
        if (!comma)
            break;
        f = comma + 1;
    }

    struct ms_locks l;
    locks_of(field[4], pg, &l);
    if (!l.known)
        return "the statement kind is not in the table";
    const struct ms_lock *found = NULL;
    for (size_t i = 0; i < l.n; i++)
        if ((int)l.items[i].kind == kind && strcmp(l.items[i].rel.relname, rel) == 0)
            found = &l.items[i];
    int got_mode = found ? (int)found->mode : MS_LOCK_NONE;
    int got_work = found ? (int)found->work : MS_WORK_NONE;
    bool got_maybe = found && found->work_maybe;
    if (got_mode == mode && got_work == work && got_maybe == maybe)
        return NULL;
    snprintf(msg, msglen, "src/locks.c says %s | %s%s for %s:%s",
             got_mode == MS_LOCK_NONE ? "none" : ms_lock_mode_name((enum ms_lock_mode)got_mode),
             got_work == MS_WORK_NONE   ? "none"
             : got_work == MS_WORK_SCAN ? "scan"
                                        : "rewrite",
             got_maybe ? "?" : "", kind_name((enum ms_relkind)kind), rel);
    return msg;
}

static void test_locks__cases_file(void **state)
{
    (void)state;
    FILE *fp = fopen(CASES, "r");
    if (!fp)
        fail_msg("%s cannot be read (run from the source root)", CASES);
    char line[2048], copy[2048], msg[256];
    unsigned lineno = 0, n_cases = 0, n_failed = 0;
    while (fgets(line, sizeof(line), fp)) {
        lineno++;
        char *t = trim(line);
        if (!*t || *t == '#')
            continue;
        n_cases++;
        snprintf(copy, sizeof(copy), "%s", t);
        const char *problem = check_case(t, msg, sizeof(msg));
        if (problem) {
            print_error("%s:%u: %s\n    %s\n", CASES, lineno, problem, copy);
            n_failed++;
        }
    }
    fclose(fp);
    assert_true(n_cases > 200); /* every statement kind the table knows */
    if (n_failed)
        fail_msg("%u of %u lines of %s disagree with src/locks.c", n_failed, n_cases, CASES);
}

/* ---- the rest of the API ---- */

static void test_locks__mode_names_and_order(void **state)
{
    (void)state;
    assert_string_equal(ms_lock_mode_name(MS_LOCK_ACCESS_EXCLUSIVE), "ACCESS EXCLUSIVE");
    assert_string_equal(ms_lock_mode_name(MS_LOCK_SHARE_UPDATE_EXCLUSIVE),
                        "SHARE UPDATE EXCLUSIVE");
    assert_string_equal(ms_lock_mode_name(MS_LOCK_ROW_SHARE), "ROW SHARE");
    assert_string_equal(ms_lock_mode_name(MS_LOCK_NONE), "no lock");
    assert_true(MS_LOCK_SHARE_ROW_EXCLUSIVE > MS_LOCK_SHARE);
    assert_true(MS_LOCK_ACCESS_EXCLUSIVE > MS_LOCK_EXCLUSIVE);
    assert_string_equal(ms_lock_mode_blocks(MS_LOCK_ACCESS_EXCLUSIVE), "reads and writes");
    assert_string_equal(ms_lock_mode_blocks(MS_LOCK_SHARE), "writes");
    assert_string_equal(ms_work_name(MS_WORK_REWRITE), "rewrites");
    assert_string_equal(ms_work_name(MS_WORK_SCAN), "scans");
}

/* The table of "Explicit Locking" (Table 13.2), row by row: X marks a conflict. */
static void test_locks__conflict_table(void **state)
{
    (void)state;
    static const char *const rows[] = {
        /* AS RS RE SUE S SRE E AE */
        "       X", "      XX", "    XXXX", "   XXXXX",
        "  XX XXX", "  XXXXXX", " XXXXXXX", "XXXXXXXX",
    };
    for (int a = 1; a <= 8; a++)
        for (int b = 1; b <= 8; b++) {
            bool want = rows[a - 1][b - 1] == 'X';
            if (ms_lock_conflicts((enum ms_lock_mode)a, (enum ms_lock_mode)b) != want)
                fail_msg("%s vs %s: conflict should be %d", ms_lock_mode_name(a),
                         ms_lock_mode_name(b), want);
            assert_int_equal(ms_lock_conflicts(a, b), ms_lock_conflicts(b, a));
        }
    assert_false(ms_lock_conflicts(MS_LOCK_NONE, MS_LOCK_ACCESS_EXCLUSIVE));
}

static void test_locks__tags(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *tag;
    } cases[] = {
        {"ALTER TABLE t ADD COLUMN a int", "ALTER TABLE"},
        {"ALTER INDEX i SET (fillfactor = 50)", "ALTER INDEX"},
        {"ALTER MATERIALIZED VIEW m SET TABLESPACE x", "ALTER MATERIALIZED VIEW"},
        {"ALTER TABLE t RENAME COLUMN a TO b", "ALTER TABLE"},
        {"DROP TABLE t", "DROP TABLE"},
        {"DROP INDEX CONCURRENTLY i", "DROP INDEX"},
        {"DROP TYPE mood", "DROP TYPE"},
        {"CREATE INDEX ON t (a)", "CREATE INDEX"},
        {"TRUNCATE t", "TRUNCATE TABLE"},
        {"VACUUM FULL t", "VACUUM"},
        {"ANALYZE t", "ANALYZE"},
        {"LOCK t", "LOCK TABLE"},
        {"REFRESH MATERIALIZED VIEW m", "REFRESH MATERIALIZED VIEW"},
        {"CREATE MATERIALIZED VIEW m AS SELECT 1", "CREATE MATERIALIZED VIEW"},
        {"SELECT 1 INTO t2", "SELECT INTO"},
        {"UPDATE t SET a = 1", "UPDATE"},
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(cases); i++) {
        struct ms_locks l;
        locks_of(cases[i].sql, 15, &l);
        assert_true(l.known);
        assert_string_equal(l.tag, cases[i].tag);
    }
}

/* Statement kinds the table does not know: for unknown-statement, and named all the same. */
static void test_locks__unknown_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *tag;
    } cases[] = {
        {"DO $$ BEGIN PERFORM 1; END $$", "DO"},
        {"CREATE EXTENSION IF NOT EXISTS pgcrypto", "CREATE EXTENSION"},
        {"CALL refresh_everything()", "CALL"},
        {"ALTER SYSTEM SET work_mem = '64MB'", "ALTER SYSTEM"},
        {"CREATE PUBLICATION pub FOR TABLE t", "CREATE PUBLICATION"},
        {"EXPLAIN ANALYZE DELETE FROM t", "EXPLAIN"},
        {"ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b", "ALTER TABLE ALL IN TABLESPACE"},
        {"DROP OWNED BY reader", "DROP OWNED"},
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(cases); i++) {
        struct ms_locks l;
        locks_of(cases[i].sql, 15, &l);
        if (l.known)
            fail_msg("%s: should not be in the lock table", cases[i].sql);
        assert_int_equal(l.n, 0);
        assert_string_equal(l.tag, cases[i].tag);
    }
}

static void test_locks__per_command(void **state)
{
    (void)state;
    struct parsed p = {0};
    const PgQuery__Node *n = parse(&p, "ALTER TABLE app.users ADD COLUMN a int, ALTER COLUMN b "
                                       "SET STATISTICS 100, ADD FOREIGN KEY (c) REFERENCES orgs "
                                       "(id) NOT VALID, VALIDATE CONSTRAINT k");
    const PgQuery__AlterTableStmt *s = n->alter_table_stmt;
    assert_int_equal(s->n_cmds, 4);
    struct ms_locks l;
    static const enum ms_lock_mode want[] = {
        MS_LOCK_ACCESS_EXCLUSIVE, MS_LOCK_SHARE_UPDATE_EXCLUSIVE, MS_LOCK_SHARE_ROW_EXCLUSIVE,
        MS_LOCK_SHARE_UPDATE_EXCLUSIVE};
    static const char *const names[] = {"ADD COLUMN", "SET STATISTICS", "ADD FOREIGN KEY",
                                        "VALIDATE CONSTRAINT"};
    for (size_t i = 0; i < 4; i++) {
        ms_locks_alter_cmd(s, s->cmds[i]->alter_table_cmd, 15, &l);
        assert_true(l.known);
        assert_string_equal(l.tag, "ALTER TABLE");
        assert_true(l.n >= 1);
        assert_string_equal(l.items[0].rel.relname, "users"); /* the altered table first */
        assert_int_equal(l.items[0].mode, want[i]);
        assert_string_equal(ms_alter_cmd_name(s->cmds[i]->alter_table_cmd), names[i]);
    }
    /* the foreign key's command also locks the referenced table */
    ms_locks_alter_cmd(s, s->cmds[2]->alter_table_cmd, 15, &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[1].rel.relname, "orgs");
    assert_int_equal(l.items[1].mode, MS_LOCK_SHARE_ROW_EXCLUSIVE);
    /* the statement: each relation once, at its strongest */
    ms_locks_stmt(n, 15, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].mode, MS_LOCK_ACCESS_EXCLUSIVE);
    assert_int_equal(l.items[0].work, MS_WORK_SCAN); /* VALIDATE */
    /* found by name, with or without the schema */
    assert_non_null(ms_locks_find(&l, NULL, "users"));
    assert_non_null(ms_locks_find(&l, "app", "users"));
    assert_null(ms_locks_find(&l, "public", "users"));
    assert_null(ms_locks_find(&l, NULL, "accounts"));
    parsed_free(&p);
}

static void test_locks__schema_qualified_drop(void **state)
{
    (void)state;
    struct ms_locks l;
    locks_of("DROP TRIGGER t ON billing.invoices", 15, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].rel.relname, "invoices");
    assert_string_equal(l.items[0].rel.schemaname, "billing");
    assert_int_equal(l.items[0].mode, MS_LOCK_ACCESS_EXCLUSIVE);
    locks_of("COMMENT ON COLUMN billing.invoices.total IS 'x'", 15, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].rel.relname, "invoices");
    assert_string_equal(l.items[0].rel.schemaname, "billing");
    /* a self-reference in CREATE TABLE is to the new table, which nobody else holds */
    locks_of("CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree (id))", 15, &l);
    assert_int_equal(l.n, 0);
}

static void test_locks__relations_past_the_cap(void **state)
{
    (void)state;
    char sql[1024] = "DROP TABLE t0";
    for (int i = 1; i < MS_LOCKS_MAX + 8; i++) {
        size_t len = strlen(sql);
        snprintf(sql + len, sizeof(sql) - len, ", t%d", i);
    }
    struct ms_locks l;
    locks_of(sql, 15, &l);
    assert_int_equal(l.n, MS_LOCKS_MAX);
    assert_int_equal(l.n_dropped, 8);
    /* a relation named twice is one entry */
    locks_of("LOCK TABLE a, b, a IN SHARE MODE", 15, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.n_dropped, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locks__cases_file),
        cmocka_unit_test(test_locks__mode_names_and_order),
        cmocka_unit_test(test_locks__conflict_table),
        cmocka_unit_test(test_locks__tags),
        cmocka_unit_test(test_locks__unknown_kinds),
        cmocka_unit_test(test_locks__per_command),
        cmocka_unit_test(test_locks__schema_qualified_drop),
        cmocka_unit_test(test_locks__relations_past_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
