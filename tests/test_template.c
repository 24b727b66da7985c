/* test_template.c: masking templates, placeholders and psql client syntax (src/template.c).
 *
 * Every case checks the exact masked text, that it has the length and the line breaks of the
 * original, and (where it is SQL) that every statement then parses. The fixtures in
 * fixtures/templates/<style>/ are migrations of each style (real ones name their origin): each
 * must need masking and parse once masked, and its findings with the rules at their defaults
 * must be exactly the ones its `-- expect: rule-id` lines announce (for the next line that holds
 * SQL once masked), at the line the file shows. Each style has a bad_ and an ok_ fixture. */
#include "engine.h"
#include "template.h"

#include <dirent.h>
#include <setjmp.h>
#include <cmocka.h>

#define FIXTURES "fixtures/templates"

struct fixture {
    struct ms_arena arena;
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

/* Same length, and a line break exactly where the original has one. */
static void assert_same_shape(const char *in, const char *out, size_t len)
{
    assert_int_equal(strlen(out), len);
    for (size_t i = 0; i < len; i++)
        if ((in[i] == '\n') != (out[i] == '\n') || (in[i] == '\r') != (out[i] == '\r'))
            fail_msg("line break moved at offset %zu:\n%s\n---\n%s", i, in, out);
}

static const char *mask(struct fixture *f, const char *in, size_t *n)
{
    const char *out = ms_template_mask(in, strlen(in), 0, &f->arena, n);
    assert_same_shape(in, out, strlen(in));
    return out;
}

/* Every statement of `sql` parses (sql is the masked text of `text`). */
static void assert_parses(struct fixture *f, const char *text, const char *sql)
{
    struct ms_source src;
    char err[256];
    assert_int_equal(
        ms_source_from_text(&src, "t.sql", text, strlen(text), &f->arena, err, sizeof(err)), 0);
    src.sql = sql;
    struct ms_parsed p;
    ms_parse_split(&src, &f->arena, 1, &p);
    for (size_t i = 0; i < p.n_stmts; i++) {
        ms_parse_stmt(&src, &p, i, 0);
        if (p.stmts[i].error) {
            struct ms_pos pos = ms_source_pos(&src, p.stmts[i].error_offset);
            fail_msg("%u:%u: %s in\n%s", pos.line, pos.col, p.stmts[i].error, sql);
        }
    }
    ms_parsed_release(&p);
}

/* Masks `in`, expects `want` (same length) and n masked constructs, and that it parses. */
static void expect_mask(struct fixture *f, const char *in, const char *want, size_t n)
{
    size_t got_n;
    const char *out = mask(f, in, &got_n);
    if (strcmp(out, want) != 0)
        fail_msg("masked\n[%s]\nas\n[%s]\nwanted\n[%s]", in, out, want);
    assert_int_equal(got_n, n);
    assert_parses(f, in, out);
}

/* Nothing to mask: the text itself comes back (not a copy). */
static void expect_untouched(struct fixture *f, const char *in)
{
    size_t n = 99;
    const char *out = ms_template_mask(in, strlen(in), 0, &f->arena, &n);
    if (out != in)
        fail_msg("changed\n[%s]\ninto\n[%s]", in, out);
    assert_int_equal(n, 0);
}

/* ---- Go templates ---- */

static void test_template__go_value_is_an_identifier(void **state)
{
    expect_mask(*state,
                "CREATE TABLE IF NOT EXISTS {{ index .Options \"Namespace\" }}.users (id int);\n"
                "ALTER TABLE {{.Schema}}_audit ADD COLUMN x int;\n",
                "CREATE TABLE IF NOT EXISTS ___index__options__namespace____.users (id int);\n"
                "ALTER TABLE ___schema___audit ADD COLUMN x int;\n",
                2);
}

static void test_template__go_action_in_quoted_identifier(void **state)
{
    /* the action holds '"': left alone, the identifier would end at "Namespace" */
    expect_mask(
        *state, "CREATE INDEX i ON \"{{ index .Options \"Namespace\" }}\".identities (user_id);\n",
        "CREATE INDEX i ON \"___index__options__namespace____\".identities (user_id);\n", 1);
}

static void test_template__go_action_in_string_is_left_alone(void **state)
{
    expect_untouched(*state, "SELECT 1 WHERE s = '{{ index .Options \"Namespace\" }}';\n");
    expect_untouched(*state, "SELECT '{{1,2},{3,4}}'::int[][];\n");
}

static void test_template__go_control_lines_become_spaces(void **state)
{
    expect_mask(*state,
                "{{ if .Indexes }}\n"
                "CREATE INDEX i ON t (a);\n"
                "{{- else }}\n"
                "{{- range $i, $t := .Tables }}\n"
                "DROP INDEX i;\n"
                "{{ end -}}\n"
                "{{ end }}\n",
                "                 \n"
                "CREATE INDEX i ON t (a);\n"
                "           \n"
                "                              \n"
                "DROP INDEX i;\n"
                "          \n"
                "         \n",
                5);
}

static void test_template__go_inline_control_comment_and_variable(void **state)
{
    expect_mask(*state,
                "{{/* a comment with }} and \" */}}\n"
                "{{- $ns := index .Options \"Namespace\" -}}\n"
                "CREATE {{ if .Unique }}UNIQUE{{ end }} INDEX i ON {{ $ns }}.t (a);\n",
                "                                 \n"
                "                                         \n"
                "CREATE                 UNIQUE          INDEX i ON ____ns___.t (a);\n",
                5);
}

static void test_template__go_value_where_a_statement_begins_is_spaces(void **state)
{
    /* a whole-statement action (rendered SQL) cannot be an identifier there */
    expect_mask(*state, "{{ .Preamble }}\nSELECT 1;\n{{ .More }};\n",
                "               \nSELECT 1;\n           ;\n", 2);
}

static void test_template__go_multiline_action(void **state)
{
    expect_mask(*state, "ALTER TABLE {{ index .Options\n   \"Namespace\" }}.t DROP COLUMN c;\n",
                "ALTER TABLE ___index__options\n                 .t DROP COLUMN c;\n", 1);
}

static void test_template__go_unclosed_action_is_not_masked(void **state)
{
    struct fixture *f = *state;
    size_t n;
    const char *in = "SELECT {{ a;\nSELECT {{ b }};\n";
    const char *out = mask(f, in, &n);
    /* the first "{{" meets another "{{" before any "}}": only "{{ b }}" is an action */
    assert_string_equal(out, "SELECT {{ a;\nSELECT ___b___;\n");
    assert_int_equal(n, 1);
}

/* ---- Flyway and goose placeholders ---- */

static void test_template__flyway_placeholders(void **state)
{
    expect_mask(*state,
                "CREATE TABLE IF NOT EXISTS ${tableName} (id text);\n"
                "ALTER TABLE ${flyway:defaultSchema}.t OWNER TO ${flyway:user};\n"
                "ALTER TABLE \"${schema}\".t ADD COLUMN c int;\n",
                "CREATE TABLE IF NOT EXISTS __tablename_ (id text);\n"
                "ALTER TABLE __flyway_defaultschema_.t OWNER TO __flyway_user_;\n"
                "ALTER TABLE \"${schema}\".t ADD COLUMN c int;\n",
                3);
}

static void test_template__goose_envsub_forms(void **state)
{
    expect_mask(*state,
                "CREATE TABLE ${GOOSE_ENV_REGION}post (\n"
                "  $GOOSE_ENV_NAME text,\n"
                "  ${ANOTHER_VAR:-default}title4 text,\n"
                "  ${EMPTY-${NESTED}}title5 text\n"
                ");\n",
                "CREATE TABLE __goose_env_region_post (\n"
                "  _goose_env_name text,\n"
                "  __another_var__default_title4 text,\n"
                "  __empty___nested__title5 text\n"
                ");\n",
                4);
}

/* ---- psql ---- */

static void test_template__psql_meta_command_lines(void **state)
{
    expect_mask(*state,
                "\\set ON_ERROR_STOP on\n"
                "\\connect app\n"
                "\\if :{?schema}\n"
                "  \\i common.sql\n"
                "\\else\n"
                "\\endif\n"
                "DROP TABLE t;\n",
                "                     \n"
                "            \n"
                "              \n"
                "               \n"
                "     \n"
                "      \n"
                "DROP TABLE t;\n",
                6);
}

static void test_template__psql_meta_semicolon_does_not_split(void **state)
{
    struct fixture *f = *state;
    const char *in = "create temporary table p (j jsonb);\n"
                     "\\copy p(j) from program 'sed ''s/\\\\/\\\\\\\\/g'' < p.json | tr -d "
                     "''\\n''';\n"
                     "\\set msg 'a;b' \\set other 1\n"
                     "insert into q select j from p;\n";
    size_t n;
    const char *out = mask(f, in, &n);
    assert_int_equal(n, 2);
    assert_parses(f, in, out);
    struct ms_source src;
    char err[64];
    assert_int_equal(
        ms_source_from_text(&src, "t.sql", in, strlen(in), &f->arena, err, sizeof(err)), 0);
    src.sql = out;
    struct ms_parsed p;
    ms_parse_split(&src, &f->arena, 1, &p);
    assert_int_equal(p.n_stmts, 2); /* the ';' of the meta-commands split nothing */
    ms_parsed_release(&p);
}

static void test_template__psql_meta_after_sql_ends_the_statement(void **state)
{
    /* \gset and \gexec send the buffer: the statement ends there, as a ';' would end it */
    expect_mask(*state,
                "SELECT pg_my_temp_schema()::regnamespace AS s \\gset\n"
                "REINDEX SCHEMA CONCURRENTLY :s;\n"
                "SELECT 'CREATE TABLE x (a int)'\n"
                "\\gexec\n"
                "SELECT 1 \\g out.txt\n"
                "SELECT 2 \\watch 5\n",
                "SELECT pg_my_temp_schema()::regnamespace AS s ;    \n"
                "REINDEX SCHEMA CONCURRENTLY _s;\n"
                "SELECT 'CREATE TABLE x (a int)'\n"
                ";     \n"
                "SELECT 1 ;         \n"
                "SELECT 2 ;       \n",
                5);
}

static void test_template__psql_separator_and_backslash_semicolon(void **state)
{
    expect_mask(*state,
                "\\set VERBOSITY terse \\\\ SELECT 1;\n"
                "\\set a 1 \\set b '\\\\' \\\\ -- comment\n"
                "SELECT 1 \\; SELECT 2;\n",
                "                        SELECT 1;\n"
                "                        -- comment\n"
                "SELECT 1 ;  SELECT 2;\n",
                3);
}

static void test_template__psql_variables(void **state)
{
    expect_mask(*state,
                "CREATE FUNCTION f() RETURNS trigger AS :'regresslib' LANGUAGE C;\n"
                "SET search_path = :\"schema\", public;\n"
                "SELECT :a, :v1 + 1, :{?flag}, ARRAY[:x, :y] FROM :\"s\".t LIMIT :n;\n",
                "CREATE FUNCTION f() RETURNS trigger AS '_regresslib' LANGUAGE C;\n"
                "SET search_path = \"_schema\", public;\n"
                "SELECT _a, _v1 + 1, ___flag_, ARRAY[_x, _y] FROM \"_s\".t LIMIT _n;\n",
                9);
}

static void test_template__copy_from_stdin_data(void **state)
{
    expect_mask(*state,
                "COPY main_table (a,b) FROM stdin;\n"
                "5\t10\n"
                "30\tit's \\N; DROP TABLE x\n"
                "\\.\n"
                "CREATE TABLE t (a int);\n"
                "\\copy t (a) FROM STDIN with (format csv)\n"
                "1,\"x\n"
                "\\.\r\n"
                "COPY t (a) FROM stdin;\n"
                "1\n",
                "COPY main_table (a,b) FROM stdin;\n"
                "    \n"
                "                        \n"
                "  \n"
                "CREATE TABLE t (a int);\n"
                "                                        \n"
                "    \n"
                "  \r\n"
                "COPY t (a) FROM stdin;\n"
                " \n",
                4);
}

static void test_template__copy_to_or_from_a_file_has_no_data(void **state)
{
    /* the comment sends the text to the full scan, which must find no COPY data */
    expect_untouched(*state, "COPY t FROM '/tmp/stdin';\nCOPY (SELECT * FROM stdin) TO stdout;\n"
                             "SELECT 1; -- :x\n");
}

/* ---- what must not change ---- */

static void test_template__strings_comments_and_bodies_are_left_alone(void **state)
{
    struct fixture *f = *state;
    const char *in = "SELECT 'a :b {{ .x }} ${y} \\set' , E'it\\'s :x \\n', 'C:\\dir' || :'v';\n"
                     "SELECT \"col:x\", U&'\\0041 :x', $tag$ :x \\set ${y} {{ .z }} $tag$;\n"
                     "-- \\set x :y {{ .z }} ${w}\n"
                     "/* :x \\i f /* nested {{ .a }} */ ${b} */ SELECT 1;\n"
                     "CREATE FUNCTION f(a int) RETURNS int AS $$\n"
                     "DECLARE n int := $1; BEGIN n := n + 1; RETURN n; END $$ LANGUAGE plpgsql;\n";
    size_t n;
    const char *out = mask(f, in, &n);
    /* only the variable outside the strings */
    char *want = ms_xstrdup(in);
    char *v = strstr(want, ":'v'");
    memcpy(v, "'_v'", 4);
    assert_string_equal(out, want);
    assert_int_equal(n, 1);
    assert_parses(f, in, out);
    free(want);
}

static void test_template__casts_slices_and_operators_are_not_variables(void **state)
{
    const char *cases[] = {
        "SELECT x::text, y :: int, (z)::jsonb->>'a', j #>> '{a,b}', '{\"k\":\"v\"}'::jsonb;\n",
        "SELECT f(a := 1, b => 2), arr[1:2], arr[lo:hi], arr[:hi], arr[lo:];\n",
        "DO $$ BEGIN PERFORM 1; x := :y; END $$;\n",
        "SELECT $1, $2::int FROM t WHERE a = $3;\n",
        "CREATE FUNCTION g() RETURNS int AS $body$ SELECT 1 $body$ LANGUAGE sql;\n",
        "SELECT E'\\n', e'\\\\', 'a\\', 'b:c';\n",
        "SELECT a$b, price$ FROM t;\n",
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(cases); i++) {
        expect_untouched(*state, cases[i]);
        assert_parses(*state, cases[i], cases[i]);
    }
}

static void test_template__quick_path_and_scans_without_edits_do_not_copy(void **state)
{
    struct fixture *f = *state;
    expect_untouched(f, "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b text;\n");
    expect_untouched(f, "");
    size_t before = f->arena.total;
    /* ':' before a letter sends it to the full scan, which finds nothing to change */
    expect_untouched(f, "SELECT '{\"a\":\"b\"}', x::text, '\\n' FROM t; -- {{ :x\n");
    assert_int_equal(f->arena.total, before);
}

static void test_template__bom_and_crlf(void **state)
{
    struct fixture *f = *state;
    const char *in = "\xEF\xBB\xBF\\set x 1\r\nSELECT :x;\r\n";
    size_t n;
    const char *out = ms_template_mask(in, strlen(in), 3, &f->arena, &n);
    assert_same_shape(in, out, strlen(in));
    assert_string_equal(out, "\xEF\xBB\xBF        \r\nSELECT _x;\r\n");
    assert_int_equal(n, 2);
}

static void test_template__unterminated_and_odd_input(void **state)
{
    struct fixture *f = *state;
    const char *odd[] = {
        "\\",
        ":",
        "$",
        "{{",
        "${",
        "SELECT 'abc",
        "SELECT \"{{ a }}",
        "$$ {{ .x }}",
        "/* \\x",
        "E'\\",
        "COPY t FROM stdin;",
        "COPY t FROM stdin;\n",
        ":'",
        ":\"x",
        ":{?",
        "{{/*",
        "{{ \"}}",
        "{{ `",
        "$a",
        "\\g",
        "\\;",
        "SELECT [:x]",
        "]]]:x",
        "{{- }}",
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(odd); i++) {
        size_t n;
        mask(f, odd[i], &n);
    }
    /* a megabyte of what a careless scan would rescan for every start: unclosed actions (each
     * scan stops at the next "{{"), unclosed placeholders, "\\" separators on one line */
    static const struct {
        const char *unit;
        size_t n_masked_per_unit;
    } big_cases[] = {{"{{ \"", 0}, {"${", 0}, {"${aaaaaaaa", 0}, {"\\\\", 1}};
    for (size_t k = 0; k < MS_ARRAY_LEN(big_cases); k++) {
        size_t unit = strlen(big_cases[k].unit), len = (1 << 20) / unit * unit;
        char *big = ms_xmalloc(len + 1);
        for (size_t i = 0; i < len; i++)
            big[i] = big_cases[k].unit[i % unit];
        big[len] = '\0';
        size_t n;
        mask(f, big, &n);
        assert_int_equal(n, len / unit * big_cases[k].n_masked_per_unit);
        free(big);
    }
}

/* ---- findings keep their place ---- */

static void lint(struct fixture *f, const char *path, const char *text, struct ms_source *src,
                 struct ms_diags *diags, size_t *n_masked, bool all_rules)
{
    char err[256];
    if (ms_source_from_text(src, path, text, strlen(text), &f->arena, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    src->sql = ms_template_mask(src->text, src->len, src->body, &f->arena, n_masked);
    struct ms_parsed p;
    ms_parse_split(src, &f->arena, 1, &p);
    for (size_t i = 0; i < p.n_stmts; i++) {
        ms_parse_stmt(src, &p, i, 0);
        if (p.stmts[i].error) {
            struct ms_pos pos = ms_source_pos(src, p.stmts[i].error_offset);
            fail_msg("%s:%u:%u: does not parse once masked: %s", path, pos.line, pos.col,
                     p.stmts[i].error);
        }
    }
    struct ms_engine e;
    ms_engine_init(&e);
    e.lock_timeout_by_runner = true; /* the fixtures are about templates, not lock_timeout */
    for (size_t i = 0; all_rules && i < ms_n_rules; i++)
        ms_engine_set_enabled(&e, ms_rules[i]->id, true);
    ms_engine_prepare(&e);
    ms_engine_lint(&e, src, &p, &f->arena, diags);
    ms_engine_release(&e);
    ms_parsed_release(&p);
}

static void test_template__findings_keep_line_and_column(void **state)
{
    struct fixture *f = *state;
    const char *in = "{{ if .X }}\\set x 1\n"
                     "\\connect app\n"
                     "ALTER TABLE {{ .Schema }}.users ADD COLUMN :col int NOT NULL; "
                     "DROP TABLE ${s}.t;\n"
                     "SELECT 1 \\gset\n"
                     "  ALTER TABLE \"{{ index .O \"N\" }}\".a ALTER COLUMN b SET NOT NULL;\n";
    struct ms_source src;
    struct ms_diags d = {0};
    size_t n;
    lint(f, "t.sql", in, &src, &d, &n, false);
    assert_int_equal(d.n, 3);
    struct {
        const char *rule, *at;
        uint32_t line, col;
    } want[] = {
        {"add-column-not-null", ":col int", 3, 44},
        {"drop-table", "DROP TABLE ${s}", 3, 63},
        {"set-not-null", "ALTER TABLE \"{{", 5, 3},
    };
    for (size_t i = 0; i < d.n; i++) {
        struct ms_pos p = ms_source_pos(&src, d.items[i].offset);
        assert_string_equal(d.items[i].rule->id, want[i].rule);
        assert_int_equal(d.items[i].offset, (size_t)(strstr(in, want[i].at) - in));
        assert_int_equal(p.line, want[i].line);
        assert_int_equal(p.col, want[i].col);
    }
    free(d.items);
}

/* ---- fixtures/templates ---- */

struct expect {
    char rule[64];
    uint32_t line;
    bool met;
};

static bool is_blank_or_comment(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    return i == len || (i + 1 < len && s[i] == '-' && s[i + 1] == '-');
}

/* "-- expect: a, b" lines; each applies to the next line that holds SQL once masked. */
static size_t read_expects(const struct ms_source *src, struct expect *out, size_t cap)
{
    size_t n = 0, pending = 0;
    for (uint32_t line = 1; line <= src->n_lines; line++) {
        size_t len;
        const char *s = ms_source_line(src, line, &len);
        const char *c = memmem(s, len, "-- expect:", 10);
        if (c && is_blank_or_comment(s, (size_t)(c - s) + 2)) {
            for (const char *p = c + 10, *end = s + len; p < end;) {
                while (p < end && (*p == ' ' || *p == ','))
                    p++;
                const char *w = p;
                while (p < end && *p != ',' && *p != ' ')
                    p++;
                if (p > w) {
                    assert_true(n < cap && (size_t)(p - w) < sizeof(out[n].rule));
                    memcpy(out[n].rule, w, (size_t)(p - w));
                    out[n].rule[p - w] = '\0';
                    out[n].line = 0;
                    out[n++].met = false;
                    pending++;
                }
            }
            continue;
        }
        assert_null(c); /* an expect line stands alone */
        size_t start = src->line_starts[line - 1];
        if (pending && !is_blank_or_comment(src->sql + start, len)) {
            for (size_t k = n - pending; k < n; k++)
                out[k].line = line;
            pending = 0;
        }
    }
    assert_int_equal(pending, 0);
    return n;
}

/* Prints each difference; returns whether there was one. */
static bool check_fixture(struct fixture *f, const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *text = ms_xmalloc(1 << 16);
    size_t len = fread(text, 1, (1 << 16) - 1, fp);
    fclose(fp);
    text[len] = '\0';

    struct ms_source src;
    struct ms_diags d = {0};
    size_t n_masked;
    lint(f, path, text, &src, &d, &n_masked, false);
    if (n_masked == 0)
        fail_msg("%s: nothing to mask (a template fixture must need masking)", path);
    assert_same_shape(src.text, src.sql, src.len);

    struct expect ex[32];
    size_t n = read_expects(&src, ex, MS_ARRAY_LEN(ex));
    const char *base = strrchr(path, '/') + 1;
    if (strncmp(base, "bad_", 4) == 0 ? n == 0 : n != 0 || strncmp(base, "ok_", 3) != 0)
        fail_msg("%s: a bad_ fixture expects findings, an ok_ one none", path);
    bool failed = false;
    for (size_t i = 0; i < d.n; i++) {
        struct ms_pos p = ms_source_pos(&src, d.items[i].offset);
        bool found = false;
        for (size_t k = 0; k < n && !found; k++)
            if (!ex[k].met && ex[k].line == p.line && strcmp(ex[k].rule, d.items[i].rule->id) == 0)
                ex[k].met = found = true;
        if (!found) {
            print_error("%s:%u:%u: unexpected %s: %s\n", path, p.line, p.col, d.items[i].rule->id,
                        d.items[i].message);
            failed = true;
        }
    }
    for (size_t k = 0; k < n; k++)
        if (!ex[k].met) {
            print_error("%s:%u: missing %s\n", path, ex[k].line, ex[k].rule);
            failed = true;
        }
    free(d.items);
    free(text);
    return failed;
}

static void test_template__fixtures(void **state)
{
    static const char *const styles[] = {"flyway", "golang-migrate", "goose", "psql"};
    size_t n_files = 0, n_failed = 0;
    for (size_t s = 0; s < MS_ARRAY_LEN(styles); s++) {
        char dir[256];
        snprintf(dir, sizeof(dir), "%s/%s", FIXTURES, styles[s]);
        DIR *d = opendir(dir);
        if (!d)
            fail_msg("%s: missing", dir);
        size_t in_style = 0, n_bad = 0;
        for (struct dirent *e; (e = readdir(d));) {
            size_t l = strlen(e->d_name);
            if (l < 4 || strcmp(e->d_name + l - 4, ".sql") != 0)
                continue;
            char path[512];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            n_failed += check_fixture(*state, path);
            in_style++;
            n_bad += strncmp(e->d_name, "bad_", 4) == 0;
        }
        closedir(d);
        if (n_bad == 0 || n_bad == in_style)
            fail_msg("%s: wants a bad_ and an ok_ fixture at least", dir);
        n_files += in_style;
    }
    assert_true(n_files >= 8);
    if (n_failed)
        fail_msg("%zu of %zu fixtures differ from their expectations", n_failed, n_files);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_template__go_value_is_an_identifier),
        T(test_template__go_action_in_quoted_identifier),
        T(test_template__go_action_in_string_is_left_alone),
        T(test_template__go_control_lines_become_spaces),
        T(test_template__go_inline_control_comment_and_variable),
        T(test_template__go_value_where_a_statement_begins_is_spaces),
        T(test_template__go_multiline_action),
        T(test_template__go_unclosed_action_is_not_masked),
        T(test_template__flyway_placeholders),
        T(test_template__goose_envsub_forms),
        T(test_template__psql_meta_command_lines),
        T(test_template__psql_meta_semicolon_does_not_split),
        T(test_template__psql_meta_after_sql_ends_the_statement),
        T(test_template__psql_separator_and_backslash_semicolon),
        T(test_template__psql_variables),
        T(test_template__copy_from_stdin_data),
        T(test_template__copy_to_or_from_a_file_has_no_data),
        T(test_template__strings_comments_and_bodies_are_left_alone),
        T(test_template__casts_slices_and_operators_are_not_variables),
        T(test_template__quick_path_and_scans_without_edits_do_not_copy),
        T(test_template__bom_and_crlf),
        T(test_template__unterminated_and_odd_input),
        T(test_template__findings_keep_line_and_column),
        T(test_template__fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
