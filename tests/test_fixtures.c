/* test_fixtures.c: the rule fixture runner.
 *
 * Every .sql file under fixtures/rules/<rule-id>/ is linted with every registered rule enabled
 * (opt-in rules too), and its findings are compared with the expectations written in it:
 *
 *     -- fixture: pg-version=11            optional, line 1 only: options for this file
 *     -- expect: drop-column, rename-as-drop
 *     ALTER TABLE users DROP COLUMN name;
 *
 * An expect line lists one finding per rule id (list an id twice for two findings); they are
 * expected on the next line that is not itself an expect line, which must hold SQL. That is the
 * line a finding is reported at: the statement's first token for most rules, the offending
 * clause for some (put the expect line just before that clause, inside the statement).
 *
 * A fixture fails on a finding nobody expected, on an expectation nothing reported, on a
 * malformed expect or fixture line, and, outside fixtures/rules/syntax-error/, on any statement
 * that does not parse, expected or not: a typo in a fixture must never make it pass. ok_*.sql
 * files hold no expectation (so no rule may report anything on them); bad_*.sql hold at least
 * one. Each fixture file is one test, named by its path; problems are printed as
 * path:line[:col]: what. */
#include "engine.h"

#include <dirent.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <cmocka.h>

#define FIXTURE_ROOT  "fixtures/rules"
#define SYNTAX_FOLDER "syntax-error"

/* ---- what went wrong in one fixture, as text ---- */

struct log {
    char *buf;
    size_t len, cap;
    size_t n_problems;
};

static void problem(struct log *l, const char *fmt, ...) MS_PRINTF(2, 3);
static void problem(struct log *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert(n >= 0);
    MS_GROW(l->buf, l->cap, l->len + (size_t)n + 2);
    va_start(ap, fmt);
    vsnprintf(l->buf + l->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    l->len += (size_t)n;
    l->buf[l->len++] = '\n';
    l->buf[l->len] = '\0';
    l->n_problems++;
}

static void log_release(struct log *l)
{
    free(l->buf);
    memset(l, 0, sizeof(*l));
}

/* ---- the expectations written in a fixture ---- */

struct expect {
    uint32_t line;    /* where the finding must be reported */
    uint32_t at;      /* the expect line itself, for messages */
    const char *rule; /* a registered rule id */
    bool met;
};

struct fixture {
    const char *path;
    int pg_version;
    size_t n_expects, cap_expects;
    struct expect *expects;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Is the file directly inside a folder named `folder`? */
static bool is_in_folder(const char *path, const char *folder)
{
    const char *base = base_name(path);
    size_t n = strlen(folder);
    if ((size_t)(base - path) < n + 1)
        return false;
    const char *dir = base - 1 - n;
    return memcmp(dir, folder, n) == 0 && (dir == path || dir[-1] == '/');
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static void skip_blanks(const char **s, const char *end)
{
    while (*s < end && (**s == ' ' || **s == '\t'))
        (*s)++;
}

/* The text of a "--" comment that fills the line (NULL when the line holds anything else). */
static const char *line_comment(const char *s, const char *end)
{
    skip_blanks(&s, end);
    if (end - s < 2 || s[0] != '-' || s[1] != '-')
        return NULL;
    s += 2;
    skip_blanks(&s, end);
    return s;
}

/* A line no finding can be reported at. (A line opening a block comment can be: an unterminated
 * one is a syntax error there.) */
static bool is_blank_or_comment(const char *s, const char *end)
{
    skip_blanks(&s, end);
    return s == end || *s == '\r' || line_comment(s, end);
}

/* "-- fixture: pg-version=11": options separated by blanks. */
static void parse_options(struct fixture *f, struct log *l, const char *s, const char *end)
{
    for (;;) {
        skip_blanks(&s, end);
        if (s >= end || *s == '\r')
            return;
        const char *tok = s;
        while (s < end && *s != ' ' && *s != '\t' && *s != '\r')
            s++;
        int len = (int)(s - tok);
        if (has_prefix(tok, (size_t)len, "pg-version=")) {
            char num[16];
            int n = len - (int)strlen("pg-version=");
            long v = 0;
            char *stop = num;
            if (n > 0 && n < (int)sizeof(num)) {
                memcpy(num, tok + strlen("pg-version="), (size_t)n);
                num[n] = '\0';
                v = strtol(num, &stop, 10);
            }
            if (stop == num || *stop || v < 9 || v > 99)
                problem(l,
                        "%s:1: bad option \"%.*s\" (pg-version takes a major version such as 11)",
                        f->path, len, tok);
            else
                f->pg_version = (int)v;
        } else {
            problem(l, "%s:1: unknown fixture option \"%.*s\" (known: pg-version=N)", f->path, len,
                    tok);
        }
    }
}

static void add_expect(struct fixture *f, uint32_t at, const char *rule)
{
    MS_GROW(f->expects, f->cap_expects, f->n_expects + 1);
    f->expects[f->n_expects++] = (struct expect){.line = 0, .at = at, .rule = rule};
}

/* "-- expect: a, b": rule ids separated by commas; each must be registered. */
static void parse_expect(struct fixture *f, struct log *l, uint32_t at, const char *s,
                         const char *end)
{
    size_t n_ids = 0;
    while (s < end && *s != '\r') {
        skip_blanks(&s, end);
        const char *id = s;
        while (s < end && *s != ',' && *s != ' ' && *s != '\t' && *s != '\r')
            s++;
        size_t len = (size_t)(s - id);
        skip_blanks(&s, end);
        if (s < end && *s == ',')
            s++;
        else if (s < end && *s != '\r')
            problem(l, "%s:%" PRIu32 ": expect: separate rule ids with commas", f->path, at);
        if (len == 0)
            continue;
        n_ids++;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)len, id);
        int r = ms_rule_find(name);
        if (r < 0)
            problem(l, "%s:%" PRIu32 ": expect: unknown rule \"%s\"", f->path, at, name);
        else
            add_expect(f, at, ms_rules[r]->id);
    }
    if (n_ids == 0)
        problem(l, "%s:%" PRIu32 ": expect: names no rule", f->path, at);
}

static void read_expectations(struct fixture *f, const struct ms_source *src, struct log *l)
{
    size_t pending = 0; /* expectations waiting for their line */
    uint32_t pending_at = 0;
    for (uint32_t line = 1; line <= src->n_lines; line++) {
        size_t len;
        const char *s = ms_source_line(src, line, &len), *end = s + len;
        const char *c = line_comment(s, end);
        if (c && has_prefix(c, (size_t)(end - c), "fixture:")) {
            if (line != 1)
                problem(l, "%s:%" PRIu32 ": the fixture: line must be the first line", f->path,
                        line);
            else
                parse_options(f, l, c + strlen("fixture:"), end);
            continue;
        }
        if (c && has_prefix(c, (size_t)(end - c), "expect")) {
            if (!has_prefix(c, (size_t)(end - c), "expect:")) {
                problem(l, "%s:%" PRIu32 ": malformed expectation (write \"-- expect: rule-id\")",
                        f->path, line);
                continue;
            }
            if (!pending)
                pending_at = line;
            size_t before = f->n_expects;
            parse_expect(f, l, line, c + strlen("expect:"), end);
            pending += f->n_expects - before;
            continue;
        }
        if (!c && memmem(s, len, "expect:", strlen("expect:")))
            problem(l,
                    "%s:%" PRIu32 ": an expect: comment must be on a line of its own, before "
                    "the line it is about",
                    f->path, line);
        if (!pending)
            continue;
        if (is_blank_or_comment(s, end)) {
            problem(l, "%s:%" PRIu32 ": the expect line is not followed by a line of SQL", f->path,
                    pending_at);
        } else {
            for (size_t i = f->n_expects - pending; i < f->n_expects; i++)
                f->expects[i].line = line;
        }
        pending = 0;
    }
    if (pending)
        problem(l, "%s:%" PRIu32 ": the expect line is not followed by a line of SQL", f->path,
                pending_at);
}

/* ---- linting one fixture and comparing ---- */

/* Lints `path` (or, when text is not NULL, that text reported as `path`) and logs every
 * difference from its expectations. */
static void check_fixture(const char *path, const char *text, struct log *l)
{
    struct ms_arena arena;
    ms_arena_init(&arena);
    struct ms_source src;
    char err[512];
    int rc = text ? ms_source_from_text(&src, path, text, strlen(text), &arena, err, sizeof(err))
                  : ms_source_read(&src, path, NULL, &arena, err, sizeof(err));
    if (rc < 0) {
        problem(l, "%s", err);
        ms_arena_release(&arena);
        return;
    }

    struct fixture f = {.path = path, .pg_version = 15};
    read_expectations(&f, &src, l);
    const char *base = base_name(path);
    bool is_ok = strncmp(base, "ok_", 3) == 0, is_bad = strncmp(base, "bad_", 4) == 0;
    if (!is_ok && !is_bad)
        problem(l, "%s: a fixture's name starts with bad_ or ok_", path);
    if (is_ok && f.n_expects)
        problem(l, "%s:%" PRIu32 ": an ok_ fixture expects no finding", path, f.expects[0].at);
    if (is_bad && !f.n_expects)
        problem(l, "%s: a bad_ fixture expects at least one finding (-- expect: rule-id)", path);

    struct ms_parsed parsed;
    ms_parse_split(&src, &arena, 1, &parsed);
    for (size_t i = 0; i < parsed.n_stmts; i++)
        ms_parse_stmt(&src, &parsed, i, 0);
    if (parsed.n_stmts == 0)
        problem(l, "%s: no SQL statement to lint", path);
    bool syntax_allowed = is_in_folder(path, SYNTAX_FOLDER);
    for (size_t i = 0; i < parsed.n_stmts && !syntax_allowed; i++) {
        const struct ms_stmt *st = &parsed.stmts[i];
        if (!st->error)
            continue;
        struct ms_pos p = ms_source_pos(&src, st->error_offset);
        problem(l,
                "%s:%" PRIu32 ":%" PRIu32 ": does not parse: %s (only %s/%s/ may hold syntax "
                "errors)",
                path, p.line, p.col, st->error, FIXTURE_ROOT, SYNTAX_FOLDER);
    }

    struct ms_engine engine;
    ms_engine_init(&engine);
    for (size_t i = 0; i < ms_n_rules; i++)
        ms_engine_set_enabled(&engine, ms_rules[i]->id, true);
    engine.pg_version = f.pg_version;
    ms_engine_prepare(&engine);
    struct ms_diags diags = {0};
    ms_engine_lint(&engine, &src, &parsed, &arena, &diags);

    for (size_t i = 0; i < diags.n; i++) {
        const struct ms_diag *d = &diags.items[i];
        struct ms_pos p = ms_source_pos(&src, d->offset);
        bool found = false;
        for (size_t k = 0; k < f.n_expects && !found; k++) {
            struct expect *e = &f.expects[k];
            if (!e->met && e->line == p.line && strcmp(e->rule, d->rule->id) == 0)
                e->met = found = true;
        }
        if (!found)
            problem(l, "%s:%" PRIu32 ":%" PRIu32 ": unexpected %s: %s", path, p.line, p.col,
                    d->rule->id, d->message);
    }
    for (size_t k = 0; k < f.n_expects; k++)
        if (!f.expects[k].met && f.expects[k].line)
            problem(l, "%s:%" PRIu32 ": missing %s (expected by line %" PRIu32 ")", path,
                    f.expects[k].line, f.expects[k].rule, f.expects[k].at);

    free(diags.items);
    ms_engine_release(&engine);
    ms_parsed_release(&parsed);
    free(f.expects);
    ms_arena_release(&arena);
}

/* ---- the runner checks itself on synthetic fixtures ---- */

/* Runs check_fixture on text and asserts the number of problems and that each of the
 * NULL-terminated `needles` is in the log. */
static void expect_problems(const char *path, const char *text, size_t n, ...)
{
    struct log l = {0};
    check_fixture(path, text, &l);
    const char *log = l.buf ? l.buf : "";
    bool ok = l.n_problems == n;
    va_list ap;
    va_start(ap, n);
    for (const char *needle; (needle = va_arg(ap, const char *)) != NULL;)
        if (!strstr(log, needle)) {
            print_error("missing from the log: %s\n", needle);
            ok = false;
        }
    va_end(ap);
    if (!ok)
        print_error("%zu problem(s), wanted %zu:\n%s", l.n_problems, n, log);
    log_release(&l);
    assert_true(ok);
}

#define DT "fixtures/rules/drop-table/"

static void test_fixtures__runner_accepts_a_matching_fixture(void **state)
{
    (void)state;
    expect_problems(DT "bad_synthetic.sql",
                    "CREATE TABLE scratch (id int);\n"
                    "DROP TABLE scratch;\n"
                    "-- expect: drop-table, drop-table\n"
                    "DROP TABLE users, orders;\n",
                    0, NULL);
}

static void test_fixtures__runner_catches_a_missing_finding(void **state)
{
    (void)state;
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-table\n"
                    "SELECT 1;\n",
                    1, DT "bad_synthetic.sql:2: missing drop-table (expected by line 1)", NULL);
}

static void test_fixtures__runner_catches_an_unexpected_finding(void **state)
{
    (void)state;
    expect_problems(DT "ok_synthetic.sql",
                    "CREATE TABLE a (id int);\n"
                    "DROP TABLE users;\n",
                    1, DT "ok_synthetic.sql:2:1: unexpected drop-table: dropping table \"users\"",
                    NULL);
    /* one expectation covers one finding: the second table is unexpected */
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-table\n"
                    "DROP TABLE users, orders;\n",
                    1, "bad_synthetic.sql:2:1: unexpected drop-table", NULL);
}

static void test_fixtures__runner_compares_lines(void **state)
{
    (void)state;
    /* the finding is on the clause's line (3), not the statement's first line (2) */
    expect_problems("fixtures/rules/add-column-not-null/bad_synthetic.sql",
                    "-- expect: add-column-not-null\n"
                    "ALTER TABLE users\n"
                    "    ADD COLUMN email text NOT NULL;\n",
                    2, "bad_synthetic.sql:2: missing add-column-not-null",
                    "bad_synthetic.sql:3:16: unexpected add-column-not-null", NULL);
    expect_problems("fixtures/rules/add-column-not-null/bad_synthetic.sql",
                    "ALTER TABLE users\n"
                    "    -- expect: add-column-not-null\n"
                    "    ADD COLUMN email text NOT NULL;\n",
                    0, NULL);
}

static void test_fixtures__runner_compares_rules(void **state)
{
    (void)state;
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-column\n"
                    "DROP TABLE users;\n",
                    2, "missing drop-column", "unexpected drop-table", NULL);
}

static void test_fixtures__runner_fails_syntax_errors_outside_their_folder(void **state)
{
    (void)state;
    /* a typo turns the DROP into a syntax error: the fixture must not pass */
    expect_problems(DT "ok_synthetic.sql", "DROP TABEL users;\n", 2,
                    DT "ok_synthetic.sql:1:6: does not parse: syntax error at or near \"TABEL\"",
                    "unexpected syntax-error", NULL);
    /* not even when the syntax error is expected */
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: syntax-error\n"
                    "DROP TABEL users;\n",
                    1, "does not parse", NULL);
    expect_problems("fixtures/rules/syntax-error/bad_synthetic.sql",
                    "-- expect: syntax-error\n"
                    "DROP TABEL users;\n",
                    0, NULL);
    /* the folder is matched as a whole path component */
    expect_problems("fixtures/rules/not-syntax-error/bad_synthetic.sql",
                    "-- expect: syntax-error\n"
                    "DROP TABEL users;\n",
                    1, "does not parse", NULL);
}

static void test_fixtures__runner_rejects_malformed_fixtures(void **state)
{
    (void)state;
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-tables\n"
                    "DROP TABLE users;\n",
                    3, "bad_synthetic.sql:1: expect: unknown rule \"drop-tables\"",
                    "expects at least one finding", "unexpected drop-table", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect:\n"
                    "DROP TABLE users;\n",
                    3, ":1: expect: names no rule", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "-- expected: drop-table\n"
                    "DROP TABLE users;\n",
                    3, ":1: malformed expectation", "expects at least one finding",
                    "unexpected drop-table", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-table drop-column\n"
                    "DROP TABLE users;\n",
                    2, "separate rule ids with commas", "missing drop-column", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-table\n"
                    "\n"
                    "DROP TABLE users;\n",
                    2, ":1: the expect line is not followed by a line of SQL",
                    "unexpected drop-table", NULL);
    expect_problems(DT "bad_synthetic.sql", "DROP TABLE users; -- expect: drop-table\n", 3,
                    ":1: an expect: comment must be on a line of its own",
                    "expects at least one finding", "unexpected drop-table", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "DROP TABLE users;\n"
                    "-- expect: drop-table\n",
                    2, ":2: the expect line is not followed by a line of SQL",
                    "unexpected drop-table", NULL);
    expect_problems(DT "ok_synthetic.sql",
                    "-- expect: drop-table\n"
                    "DROP TABLE users;\n",
                    1, ":1: an ok_ fixture expects no finding", NULL);
    expect_problems(DT "synthetic.sql", "SELECT 1;\n", 1, "starts with bad_ or ok_", NULL);
    expect_problems(DT "ok_synthetic.sql", "-- nothing here\n", 1, "no SQL statement", NULL);
    expect_problems(DT "ok_synthetic.sql",
                    "-- fixture: pg-version=eleven lint=all\n"
                    "SELECT 1;\n",
                    2, "bad option \"pg-version=eleven\"", "unknown fixture option \"lint=all\"",
                    NULL);
    expect_problems(DT "ok_synthetic.sql",
                    "SELECT 1;\n"
                    "-- fixture: pg-version=11\n",
                    1, ":2: the fixture: line must be the first line", NULL);
}

static void test_fixtures__runner_applies_the_pg_version(void **state)
{
    (void)state;
    static const char body[] =
        "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n"
        "-- expect: set-not-null\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n";
    /* PostgreSQL 15 uses the validated check, so the expectation is not met */
    expect_problems("fixtures/rules/set-not-null/bad_synthetic.sql", body, 1,
                    "bad_synthetic.sql:4: missing set-not-null", NULL);
    char with_header[sizeof(body) + 64];
    snprintf(with_header, sizeof(with_header), "-- fixture: pg-version=11\n%s", body);
    expect_problems("fixtures/rules/set-not-null/bad_synthetic.sql", with_header, 0, NULL);
}

/* ---- every fixture file, one test each ---- */

struct path_list {
    size_t n, cap;
    char **items;
};

static void collect(const char *dir, struct path_list *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *path = ms_xmalloc(n);
        snprintf(path, n, "%s/%s", dir, e->d_name);
        struct stat st;
        size_t len = strlen(e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            collect(path, out);
        } else if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0) {
            MS_GROW(out->items, out->cap, out->n + 1);
            out->items[out->n++] = path;
            continue;
        }
        free(path);
    }
    closedir(d);
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_fixture_file(void **state)
{
    const char *path = *state;
    struct log l = {0};
    check_fixture(path, NULL, &l);
    if (l.n_problems) {
        print_error("%s", l.buf);
        size_t n = l.n_problems;
        log_release(&l);
        fail_msg("%zu problem(s) in %s", n, path);
    }
}

int main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_fixtures__runner_accepts_a_matching_fixture),
        cmocka_unit_test(test_fixtures__runner_catches_a_missing_finding),
        cmocka_unit_test(test_fixtures__runner_catches_an_unexpected_finding),
        cmocka_unit_test(test_fixtures__runner_compares_lines),
        cmocka_unit_test(test_fixtures__runner_compares_rules),
        cmocka_unit_test(test_fixtures__runner_fails_syntax_errors_outside_their_folder),
        cmocka_unit_test(test_fixtures__runner_rejects_malformed_fixtures),
        cmocka_unit_test(test_fixtures__runner_applies_the_pg_version),
    };
    int failed = cmocka_run_group_tests_name("fixture runner", unit, NULL, NULL);

    struct path_list paths = {0};
    collect(FIXTURE_ROOT, &paths);
    if (paths.n == 0) {
        fprintf(stderr, "no fixtures under %s/ (run from the source root)\n", FIXTURE_ROOT);
        failed++;
    } else {
        qsort(paths.items, paths.n, sizeof(*paths.items), compare_paths);
        struct CMUnitTest *tests = ms_xcalloc(paths.n, sizeof(*tests));
        for (size_t i = 0; i < paths.n; i++)
            tests[i] = (struct CMUnitTest){.name = paths.items[i],
                                           .test_func = test_fixture_file,
                                           .initial_state = paths.items[i]};
        failed += _cmocka_run_group_tests(FIXTURE_ROOT, tests, paths.n, NULL, NULL);
        free(tests);
    }
    for (size_t i = 0; i < paths.n; i++)
        free(paths.items[i]);
    free(paths.items);
    pg_query_exit();
    return failed ? 1 : 0;
}
