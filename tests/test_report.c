/* test_report.c: the output formats (src/report/), as golden files and as parsed documents.
 *
 * Each golden case lints fixed migrations (tests/golden/input/) through the library, shown under
 * chosen display paths, writes them with one reporter into memory and compares the bytes with
 * tests/golden/<case>.<format>. After an intended change of output, regenerate and review:
 *
 *     MIGSAFE_UPDATE_GOLDEN=1 ctest --test-dir BUILD -R test_report
 *     git diff tests/golden/
 *
 * With MIGSAFE_UPDATE_GOLDEN=1 the golden tests write the files instead of comparing. SARIF's
 * %SRCROOT% would be the machine's current directory; the goldens set MIGSAFE_SARIF_SRCROOT so
 * they do not depend on it. The other tests parse the JSON and SARIF output and check what the
 * contract in docs/output.md promises. */
#include "report/report.h"

#include <jansson.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#define GOLDEN_DIR     "tests/golden/"
#define GOLDEN_SRCROOT "/home/dev/project"

struct input {
    const char *file;    /* under tests/golden/input/, or NULL: use text */
    const char *display; /* the path reporters print */
    const char *text;
};

/* The main case: every severity (require-concurrent-index is configured as info), a file with
 * no finding, syntax errors (one at the end of input: an empty span), non-ASCII text with a BOM
 * and CRLF line ends in a folder with spaces and accents, and an absolute path and identifiers
 * full of characters each format must escape. */
static const struct input mixed_inputs[] = {
    {"escapes.sql", "/srv/app/db/005_a,b:c%d #1.sql", NULL},
    {"basic.sql", "db/migrations/001_basic.sql", NULL},
    {"clean.sql", "db/migrations/002_clean.sql", NULL},
    {"syntax.sql", "db/migrations/003_syntax.sql", NULL},
    {"unicode_crlf.sql", "db/migrations/2024 été/004_ünïcode.sql", NULL},
};

struct fixture {
    struct ms_engine engine;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    ms_engine_init(&f->engine);
    f->engine.lock_timeout_by_runner = true; /* the findings these tests look at stay put */
    int i = ms_rule_find("require-concurrent-index");
    assert_true(i >= 0);
    f->engine.severity[i] = MS_INFO;
    assert_int_equal(ms_engine_set_enabled(&f->engine, "rename-as-drop", false), 0);
    ms_engine_prepare(&f->engine);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    ms_engine_release(&f->engine);
    free(f);
    return 0;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        MS_GROW(buf, cap, *len + 4096);
        size_t n = fread(buf + *len, 1, 4096, fp);
        *len += n;
        if (n < 4096)
            break;
    }
    fclose(fp);
    buf[*len] = '\0';
    return buf;
}

/* Lints one input the way run.c does and hands it to the reporter. */
static void report_input(struct ms_report *rep, const struct input *in)
{
    struct ms_arena arena = MS_ARENA_INIT;
    struct ms_source src;
    struct ms_parsed parsed;
    struct ms_diags diags = {0};
    char err[256];
    size_t len = 0;
    char *text = NULL;
    if (in->file) {
        char path[256];
        snprintf(path, sizeof(path), GOLDEN_DIR "input/%s", in->file);
        text = read_all(path, &len);
        if (!text)
            fail_msg("cannot read %s (run the test from the source root)", path);
    } else {
        len = strlen(in->text);
    }
    if (ms_source_from_text(&src, in->display, text ? text : in->text, len, &arena, err,
                            sizeof(err)) != 0)
        fail_msg("rejected: %s", err);
    free(text);
    ms_parse_split(&src, &arena, 1, &parsed);
    for (size_t i = 0; i < parsed.n_stmts; i++)
        ms_parse_stmt(&src, &parsed, i, 0);
    ms_engine_lint(rep->engine, &src, &parsed, &arena, &diags);
    for (size_t i = 0; i < diags.n; i++)
        rep->n_by_severity[diags.items[i].severity]++;
    rep->n_files++;
    rep->fmt->file(rep, &src, diags.items, diags.n);
    ms_parsed_release(&parsed);
    free(diags.items);
    ms_arena_release(&arena);
}

/* The whole output of one format over `inputs`, NUL-terminated (free it). */
static char *render(const struct ms_engine *e, const char *format, bool color,
                    const struct input *inputs, size_t n, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    assert_non_null(out);
    struct ms_report rep = {
        .fmt = ms_report_find(format),
        .out = out,
        .color = color,
        .engine = e,
    };
    assert_non_null(rep.fmt);
    rep.fmt->begin(&rep);
    for (size_t i = 0; i < n; i++)
        report_input(&rep, &inputs[i]);
    rep.fmt->end(&rep);
    assert_null(rep.state);
    assert_int_equal(fclose(out), 0);
    *len = size;
    return buf;
}

static bool updating(void)
{
    const char *u = getenv("MIGSAFE_UPDATE_GOLDEN");
    return u && strcmp(u, "1") == 0;
}

/* Where two texts first differ, as "line N:\n  expected: ...\n  actual:   ...". */
static void describe_difference(const char *want, size_t want_len, const char *got, size_t got_len,
                                char *msg, size_t msglen)
{
    size_t i = 0, line = 1, line_start = 0;
    while (i < want_len && i < got_len && want[i] == got[i]) {
        if (want[i] == '\n')
            line++, line_start = i + 1;
        i++;
    }
    const char *we = memchr(want + line_start, '\n', want_len - line_start);
    const char *ge = memchr(got + line_start, '\n', got_len - line_start);
    int wl = (int)((we ? (size_t)(we - want) : want_len) - line_start);
    int gl = (int)((ge ? (size_t)(ge - got) : got_len) - line_start);
    snprintf(msg, msglen,
             "first difference at line %zu, byte %zu:\n  expected: %.*s\n  actual:   %.*s", line, i,
             wl, want + line_start, gl, got + line_start);
}

static void check_golden(const struct ms_engine *e, const char *format, bool color,
                         const struct input *inputs, size_t n, const char *golden)
{
    assert_int_equal(setenv("MIGSAFE_SARIF_SRCROOT", GOLDEN_SRCROOT, 1), 0);
    size_t len;
    char *got = render(e, format, color, inputs, n, &len);
    char path[256];
    snprintf(path, sizeof(path), GOLDEN_DIR "%s", golden);
    if (updating()) {
        FILE *fp = fopen(path, "wb");
        if (!fp)
            fail_msg("cannot write %s: %s", path, strerror(errno));
        assert_int_equal(fwrite(got, 1, len, fp), len);
        assert_int_equal(fclose(fp), 0);
        free(got);
        return;
    }
    size_t want_len;
    char *want = read_all(path, &want_len);
    if (!want)
        fail_msg("missing golden file %s: create it with MIGSAFE_UPDATE_GOLDEN=1", path);
    if (want_len != len || memcmp(want, got, len) != 0) {
        char msg[2048];
        describe_difference(want, want_len, got, len, msg, sizeof(msg));
        free(want);
        free(got);
        fail_msg("%s differs from the %s output; %s\nif the change is intended, regenerate with "
                 "MIGSAFE_UPDATE_GOLDEN=1 and review the diff",
                 path, format, msg);
    }
    free(want);
    free(got);
}

/* ---- golden files ---- */

#define N_MIXED MS_ARRAY_LEN(mixed_inputs)

static void test_report__golden_mixed_text(void **state)
{
    struct fixture *f = *state;
    check_golden(&f->engine, "text", false, mixed_inputs, N_MIXED, "mixed.text");
}

static void test_report__golden_mixed_text_color(void **state)
{
    struct fixture *f = *state;
    check_golden(&f->engine, "text", true, mixed_inputs, N_MIXED, "mixed-color.text");
}

static void test_report__golden_mixed_gcc(void **state)
{
    struct fixture *f = *state;
    check_golden(&f->engine, "gcc", false, mixed_inputs, N_MIXED, "mixed.gcc");
}

static void test_report__golden_mixed_json(void **state)
{
    struct fixture *f = *state;
    check_golden(&f->engine, "json", false, mixed_inputs, N_MIXED, "mixed.json");
}

static void test_report__golden_mixed_sarif(void **state)
{
    struct fixture *f = *state;
    check_golden(&f->engine, "sarif", false, mixed_inputs, N_MIXED, "mixed.sarif");
}

static void test_report__golden_mixed_github(void **state)
{
    struct fixture *f = *state;
    check_golden(&f->engine, "github", false, mixed_inputs, N_MIXED, "mixed.github");
}

/* No file at all (a folder with no migrations): every format still writes a whole document. */
static void test_report__golden_empty(void **state)
{
    struct fixture *f = *state;
    check_golden(&f->engine, "text", false, NULL, 0, "empty.text");
    check_golden(&f->engine, "gcc", false, NULL, 0, "empty.gcc");
    check_golden(&f->engine, "json", false, NULL, 0, "empty.json");
    check_golden(&f->engine, "sarif", false, NULL, 0, "empty.sarif");
    check_golden(&f->engine, "github", false, NULL, 0, "empty.github");
}

/* ---- parsed output ---- */

static json_t *render_json(const struct ms_engine *e, const char *format,
                           const struct input *inputs, size_t n)
{
    size_t len;
    char *text = render(e, format, false, inputs, n, &len);
    json_error_t err;
    json_t *doc = json_loadb(text, len, 0, &err);
    if (!doc)
        fail_msg("%s output is not JSON: %s at line %d\n%s", format, err.text, err.line, text);
    free(text);
    return doc;
}

/* json_object_get along a path of keys; a number key indexes an array. */
static json_t *at(json_t *v, const char *path)
{
    char key[64];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        assert_true(n < sizeof(key));
        memcpy(key, path, n);
        key[n] = '\0';
        path += n + (path[n] == '.');
        if (isdigit((unsigned char)key[0]))
            v = json_array_get(v, (size_t)strtoul(key, NULL, 10));
        else
            v = json_object_get(v, key);
    }
    if (!v)
        fail_msg("no value at the path");
    return v;
}

static const char *str_at(json_t *v, const char *path)
{
    json_t *s = at(v, path);
    assert_true(json_is_string(s));
    return json_string_value(s);
}

static json_int_t int_at(json_t *v, const char *path)
{
    json_t *i = at(v, path);
    assert_true(json_is_integer(i));
    return json_integer_value(i);
}

static void test_report__json_follows_schema(void **state)
{
    struct fixture *f = *state;
    json_t *doc = render_json(&f->engine, "json", mixed_inputs, N_MIXED);
    assert_int_equal(int_at(doc, "version"), 1);
    assert_string_equal(str_at(doc, "tool.name"), "migsafe");
    assert_string_equal(str_at(doc, "tool.version"), MS_VERSION);
    json_t *files = at(doc, "files");
    assert_int_equal(json_array_size(files), N_MIXED);
    size_t counts[4] = {0};
    for (size_t i = 0; i < N_MIXED; i++) {
        json_t *file = json_array_get(files, i);
        assert_string_equal(str_at(file, "path"), mixed_inputs[i].display);
        json_t *diags = at(file, "diagnostics");
        assert_true(json_is_array(diags));
        for (size_t k = 0; k < json_array_size(diags); k++) {
            json_t *d = json_array_get(diags, k);
            assert_int_equal(json_object_size(d), 11);
            int rule = ms_rule_find(str_at(d, "rule"));
            assert_true(rule >= 0);
            assert_string_equal(str_at(d, "category"), ms_rules[rule]->category);
            enum ms_severity sev = ms_severity_parse(str_at(d, "severity"));
            assert_true(sev != 0);
            counts[sev]++;
            assert_true(strlen(str_at(d, "message")) > 0);
            assert_true(strlen(str_at(d, "help")) > 0);
            assert_true(int_at(d, "line") >= 1 && int_at(d, "column") >= 1);
            assert_true(int_at(d, "end_line") > int_at(d, "line") ||
                        (int_at(d, "end_line") == int_at(d, "line") &&
                         int_at(d, "end_column") >= int_at(d, "column")));
            assert_true(int_at(d, "end_offset") >= int_at(d, "offset"));
        }
    }
    /* escapes, basic, clean, syntax, unicode */
    assert_int_equal(json_array_size(at(files, "2.diagnostics")), 0);
    assert_int_equal(int_at(doc, "summary.files"), N_MIXED);
    assert_int_equal(int_at(doc, "summary.errors"), counts[MS_ERROR]);
    assert_int_equal(int_at(doc, "summary.warnings"), counts[MS_WARNING]);
    assert_int_equal(int_at(doc, "summary.info"), counts[MS_INFO]);
    assert_int_equal(counts[MS_ERROR], 6);
    assert_int_equal(counts[MS_WARNING], 2);
    assert_int_equal(counts[MS_INFO], 2);

    /* columns count code points; the BOM does not count; offsets are bytes of the file */
    json_t *u = at(files, "4.diagnostics");
    assert_string_equal(str_at(u, "0.rule"), "drop-column");
    assert_int_equal(int_at(u, "0.column"), 1);
    assert_int_equal(int_at(u, "0.offset"), 3);
    assert_string_equal(str_at(u, "1.rule"), "set-not-null");
    assert_int_equal(int_at(u, "1.line"), 3);
    assert_int_equal(int_at(u, "1.column"), 13); /* after "/ * naïve * / " */
    assert_string_equal(str_at(u, "2.severity"), "info");
    assert_int_equal(int_at(u, "2.column"), 10); /* tab, a 4-byte emoji */
    /* a syntax error at the end of input is an empty span */
    json_t *s = at(files, "3.diagnostics.1");
    assert_int_equal(int_at(s, "end_offset"), int_at(s, "offset"));
    assert_int_equal(int_at(s, "end_column"), int_at(s, "column"));
    /* a newline inside an identifier stays inside the JSON string */
    assert_non_null(strstr(str_at(files, "0.diagnostics.1.message"), "\"two\nlines\""));
    json_decref(doc);
}

static void test_report__json_replaces_bytes_that_are_not_utf8(void **state)
{
    struct fixture *f = *state;
    const struct input in[] = {{NULL, "bad\xff\xc3(.sql", "DROP TABLE t;"}};
    json_t *doc = render_json(&f->engine, "json", in, 1);
    assert_string_equal(str_at(doc, "files.0.path"), "bad\xEF\xBF\xBD\xEF\xBF\xBD(.sql");
    json_decref(doc);
    doc = render_json(&f->engine, "sarif", in, 1);
    assert_string_equal(
        str_at(doc, "runs.0.results.0.locations.0.physicalLocation.artifactLocation.uri"),
        "bad%FF%C3%28.sql");
    json_decref(doc);
}

static void test_report__sarif_lists_every_rule(void **state)
{
    struct fixture *f = *state;
    json_t *doc = render_json(&f->engine, "sarif", mixed_inputs, N_MIXED);
    assert_string_equal(str_at(doc, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
    assert_string_equal(str_at(doc, "version"), "2.1.0");
    assert_int_equal(json_array_size(at(doc, "runs")), 1);
    json_t *run = at(doc, "runs.0");
    assert_string_equal(str_at(run, "columnKind"), "unicodeCodePoints");
    assert_string_equal(str_at(run, "tool.driver.name"), "migsafe");
    assert_string_equal(str_at(run, "tool.driver.version"), MS_VERSION);
    json_t *rules = at(run, "tool.driver.rules");
    assert_int_equal(json_array_size(rules), ms_n_rules);
    for (size_t i = 0; i < ms_n_rules; i++) {
        json_t *r = json_array_get(rules, i);
        const struct ms_rule *rule = ms_rules[i];
        assert_string_equal(str_at(r, "id"), rule->id);
        assert_true(strlen(str_at(r, "name")) > 0 && isupper((unsigned char)str_at(r, "name")[0]));
        assert_true(strlen(str_at(r, "shortDescription.text")) > 0);
        assert_true(strlen(str_at(r, "fullDescription.text")) > 0);
        assert_true(strlen(str_at(r, "help.text")) > 0);
        assert_true(strlen(str_at(r, "help.markdown")) > 0);
        char uri[256];
        snprintf(uri, sizeof(uri), "%s%s.md", MS_DOCS_URL, rule->id);
        assert_string_equal(str_at(r, "helpUri"), uri);
        assert_string_equal(str_at(r, "properties.category"), rule->category);
        const char *level = f->engine.severity[i] == MS_ERROR     ? "error"
                            : f->engine.severity[i] == MS_WARNING ? "warning"
                                                                  : "note";
        assert_string_equal(str_at(r, "defaultConfiguration.level"), level);
        json_t *enabled = json_object_get(at(r, "defaultConfiguration"), "enabled");
        if (ms_engine_rule_active(&f->engine, i))
            assert_null(enabled);
        else
            assert_true(json_is_false(enabled));
    }
    char drop_column[32];
    snprintf(drop_column, sizeof(drop_column), "%d.name", ms_rule_find("drop-column"));
    assert_string_equal(str_at(rules, drop_column), "DropColumn");
    int disabled = ms_rule_find("rename-as-drop");
    assert_true(
        json_is_false(at(json_array_get(rules, (size_t)disabled), "defaultConfiguration.enabled")));

    json_t *results = at(run, "results");
    assert_int_equal(json_array_size(results), 10);
    for (size_t i = 0; i < json_array_size(results); i++) {
        json_t *res = json_array_get(results, i);
        json_int_t idx = int_at(res, "ruleIndex");
        assert_true(idx >= 0 && (size_t)idx < ms_n_rules);
        assert_string_equal(str_at(res, "ruleId"), ms_rules[idx]->id);
        assert_true(strlen(str_at(res, "message.text")) > 0);
        json_t *region = at(res, "locations.0.physicalLocation.region");
        assert_true(int_at(region, "startLine") >= 1 && int_at(region, "startColumn") >= 1);
        assert_true(int_at(region, "endLine") > int_at(region, "startLine") ||
                    int_at(region, "endColumn") >= int_at(region, "startColumn"));
    }
    assert_string_equal(str_at(results, "0.level"), "error");
    assert_string_equal(str_at(results, "4.level"), "note"); /* info */
    json_decref(doc);
}

static const char *result_uri(json_t *doc, size_t i, const char **base)
{
    char path[128];
    snprintf(path, sizeof(path), "runs.0.results.%zu.locations.0.physicalLocation.artifactLocation",
             i);
    json_t *loc = at(doc, path);
    json_t *b = json_object_get(loc, "uriBaseId");
    *base = b ? json_string_value(b) : NULL;
    return str_at(loc, "uri");
}

static void test_report__sarif_uris(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(setenv("MIGSAFE_SARIF_SRCROOT", "/work/my repo", 1), 0);
    const struct input in[] = {
        {NULL, "./db/./001.sql", "DROP TABLE t;"},
        {NULL, "db/2024 été/a#b?c:d%e.sql", "DROP TABLE t;"},
        {NULL, "/abs/dir/x y.sql", "DROP TABLE t;"},
        {NULL, "<stdin>", "DROP TABLE t;"},
        {NULL, "../up/z.sql", "DROP TABLE t;"},
    };
    json_t *doc = render_json(&f->engine, "sarif", in, MS_ARRAY_LEN(in));
    assert_string_equal(str_at(doc, "runs.0.originalUriBaseIds.%SRCROOT%.uri"),
                        "file:///work/my%20repo/");
    const char *base;
    assert_string_equal(result_uri(doc, 0, &base), "db/./001.sql");
    assert_string_equal(base, "%SRCROOT%");
    assert_string_equal(result_uri(doc, 1, &base), "db/2024%20%C3%A9t%C3%A9/a%23b%3Fc%3Ad%25e.sql");
    assert_string_equal(base, "%SRCROOT%");
    assert_string_equal(result_uri(doc, 2, &base), "file:///abs/dir/x%20y.sql");
    assert_null(base);
    assert_string_equal(result_uri(doc, 3, &base), "%3Cstdin%3E");
    assert_string_equal(result_uri(doc, 4, &base), "../up/z.sql");
    json_decref(doc);

    /* a relative MIGSAFE_SARIF_SRCROOT is taken from the current directory */
    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    assert_int_equal(setenv("MIGSAFE_SARIF_SRCROOT", "sub/dir/", 1), 0);
    doc = render_json(&f->engine, "sarif", NULL, 0);
    const char *root = str_at(doc, "runs.0.originalUriBaseIds.%SRCROOT%.uri");
    assert_true(strncmp(root, "file:///", 8) == 0);
    const char *tail = "/sub/dir/";
    assert_string_equal(root + strlen(root) - strlen(tail), tail);
    json_decref(doc);
    free(cwd);
}

/* Without MIGSAFE_SARIF_SRCROOT, %SRCROOT% is the current directory, encoded, ending in '/'. */
static void test_report__sarif_srcroot_is_cwd(void **state)
{
    struct fixture *f = *state;
    char *back = getcwd(NULL, 0);
    char tmp[] = "/tmp/ms-report-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/a b ü", tmp);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(unsetenv("MIGSAFE_SARIF_SRCROOT"), 0);
    json_t *doc = render_json(&f->engine, "sarif", NULL, 0);
    assert_int_equal(chdir(back), 0);
    rmdir(dir);
    rmdir(tmp);
    free(back);
    const char *root = str_at(doc, "runs.0.originalUriBaseIds.%SRCROOT%.uri");
    assert_true(strncmp(root, "file:///", 8) == 0);
    const char *tail = "/a%20b%20%C3%BC/";
    assert_true(strlen(root) > strlen(tail));
    assert_string_equal(root + strlen(root) - strlen(tail), tail);
    assert_int_equal(json_array_size(at(doc, "runs.0.results")), 0);
    json_decref(doc);
}

static void test_report__github_escapes(void **state)
{
    struct fixture *f = *state;
    const struct input in[] = {{"escapes.sql", "db/a,b:c%d.sql", NULL}};
    size_t len;
    char *out = render(&f->engine, "github", false, in, 1, &len);
    /* property values escape % : , and the message escapes % and line ends */
    const char *want0 =
        "::error file=db/a%2Cb%3Ac%25d.sql,line=2,col=1,endLine=2,endColumn=36,"
        "title=migsafe drop-table::dropping table \"100%25 done, really: yes\" deletes";
    assert_true(strncmp(out, want0, strlen(want0)) == 0);
    const char *second = strchr(out, '\n') + 1;
    const char *want1 = "::error file=db/a%2Cb%3Ac%25d.sql,line=3,col=1,endLine=4,endColumn=25,"
                        "title=migsafe drop-column::dropping column \"a\\b\" of table "
                        "\"two%0Alines\" deletes its data%0Ahelp: ";
    assert_true(strncmp(second, want1, strlen(want1)) == 0);
    /* exactly one line per finding */
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += out[i] == '\n';
    assert_int_equal(lines, 2);
    assert_null(strchr(out, '\r'));
    free(out);
}

static void test_report__github_levels(void **state)
{
    struct fixture *f = *state;
    size_t len;
    char *out = render(&f->engine, "github", false, mixed_inputs + 1, 1, &len);
    assert_true(strncmp(out, "::error file=db/migrations/001_basic.sql,line=5,col=1,", 54) == 0);
    assert_non_null(strstr(out, "\n::warning file=db/migrations/001_basic.sql,line=7,col=1,"));
    assert_non_null(strstr(out, "\n::notice file=db/migrations/001_basic.sql,line=9,col=3,"));
    free(out);
}

/* Each file's results are written when the file is reported, not held until the end. */
static void test_report__streams_each_file(void **state)
{
    struct fixture *f = *state;
    static const char *const formats[] = {"json", "sarif", "github", "gcc", "text"};
    for (size_t k = 0; k < MS_ARRAY_LEN(formats); k++) {
        char *buf = NULL;
        size_t size = 0;
        FILE *out = open_memstream(&buf, &size);
        struct ms_report rep = {
            .fmt = ms_report_find(formats[k]), .out = out, .engine = &f->engine};
        rep.fmt->begin(&rep);
        report_input(&rep, &mixed_inputs[1]);
        assert_int_equal(fflush(out), 0);
        if (!strstr(buf, "001_basic.sql"))
            fail_msg("%s: the first file's results are not written yet", formats[k]);
        rep.fmt->end(&rep);
        fclose(out);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report__golden_mixed_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_mixed_text_color, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_mixed_gcc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_mixed_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_mixed_sarif, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_mixed_github, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__golden_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__json_follows_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__json_replaces_bytes_that_are_not_utf8, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_report__sarif_lists_every_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__sarif_uris, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__sarif_srcroot_is_cwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__github_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__github_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report__streams_each_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
