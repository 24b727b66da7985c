/* test_meta.c: the rule registry agrees with itself, its fixtures and its docs.
 *
 * Adding a rule means one file in rules/, one line in rules/rules.def, a fixture folder
 * fixtures/rules/<id>/ with at least one bad_ and one ok_ case (a .sql file, an Alembic
 * revision .py, or a folder holding a revision history), and a page docs/rules/<id>.md. These tests
 * fail when any of them is missing or disagrees with the C metadata, in the spirit of git's
 * check-builtins. Paths are relative to the source root. */
#include "engine.h"

#include <dirent.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <cmocka.h>

/* The headings every rule page has, in this order (STYLE.md, "Docs"). */
static const char *const doc_headings[] = {
    "## What it flags", "## Why it is dangerous", "## Do this instead",
    "## Exemptions",    "## PostgreSQL versions", "## References",
};

/* ---- small helpers ---- */

/* The whole file, NUL-terminated, or NULL when it cannot be read. Free it. */
static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t len = 0, cap = 0;
    char *buf = NULL;
    for (;;) {
        MS_GROW(buf, cap, len + 4096);
        size_t n = fread(buf + len, 1, cap - len - 1, fp);
        len += n;
        if (n == 0)
            break;
    }
    buf[len] = '\0';
    fclose(fp);
    return buf;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* lowercase words of [a-z0-9] joined by single hyphens, starting with a letter */
static bool is_kebab_case(const char *s)
{
    if (!s || !islower((unsigned char)s[0]))
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '-') {
            if (p[1] == '\0' || p[1] == '-')
                return false;
        } else if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)) {
            return false;
        }
    }
    return true;
}

static bool is_one_line(const char *s)
{
    return s && *s && !strchr(s, '\n') && s[strlen(s) - 1] != '.' && s[strlen(s) - 1] != ' ';
}

struct names {
    size_t n, cap;
    char **items;
};

/* The entries of a folder (no dot files), sorted. */
static void list_dir(const char *dir, struct names *out)
{
    memset(out, 0, sizeof(*out));
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        MS_GROW(out->items, out->cap, out->n + 1);
        out->items[out->n++] = ms_xstrdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 1; i < out->n; i++) /* insertion sort: folders are small */
        for (size_t j = i; j > 0 && strcmp(out->items[j - 1], out->items[j]) > 0; j--) {
            char *t = out->items[j];
            out->items[j] = out->items[j - 1];
            out->items[j - 1] = t;
        }
}

static void names_release(struct names *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->items[i]);
    free(n->items);
    memset(n, 0, sizeof(*n));
}

/* Does an expect line of this fixture name rule `id`? SQL has "-- expect:" lines; Python has
 * "# expect:" comment lines, and "-- expect:" lines inside its SQL strings. */
static bool expects_rule(const char *text, const char *id, bool python)
{
    size_t idlen = strlen(id);
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        const char *end = eol ? eol : line + strlen(line);
        const char *p = line;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        bool comment = false;
        if (end - p > 2 && p[0] == '-' && p[1] == '-') {
            p += 2;
            comment = true;
        } else if (python && end - p > 1 && p[0] == '#') {
            p += 1;
            comment = true;
        }
        if (comment) {
            while (p < end && *p == ' ')
                p++;
            if ((size_t)(end - p) > 7 && memcmp(p, "expect:", 7) == 0) {
                for (p += 7; p < end;) {
                    while (p < end && (*p == ' ' || *p == ','))
                        p++;
                    const char *w = p;
                    while (p < end && *p != ',' && *p != ' ' && *p != '\r')
                        p++;
                    if ((size_t)(p - w) == idlen && memcmp(w, id, idlen) == 0)
                        return true;
                    if (p < end && *p == '\r')
                        break;
                }
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return false;
}

/* ---- the registry ---- */

static void test_meta__ids_are_kebab_case_unique_and_sorted(void **state)
{
    (void)state;
    assert_true(ms_n_rules > 0);
    for (size_t i = 0; i < ms_n_rules; i++) {
        const char *id = ms_rules[i]->id;
        if (!is_kebab_case(id))
            fail_msg("rule id \"%s\" is not kebab-case", id ? id : "(null)");
        if (i > 0 && strcmp(ms_rules[i - 1]->id, id) >= 0)
            fail_msg("rule ids are not unique and sorted: \"%s\" comes before \"%s\"",
                     ms_rules[i - 1]->id, id);
        assert_int_equal(ms_rule_find(id), (int)i);
    }
}

static void test_meta__metadata_is_complete(void **state)
{
    (void)state;
    for (size_t i = 0; i < ms_n_rules; i++) {
        const struct ms_rule *r = ms_rules[i];
        if (r->severity != MS_ERROR && r->severity != MS_WARNING && r->severity != MS_INFO)
            fail_msg("%s: severity %d is not error, warning or info", r->id, (int)r->severity);
        if (!is_kebab_case(r->category))
            fail_msg("%s: the category must be a kebab-case word such as data-loss", r->id);
        if (!is_one_line(r->summary))
            fail_msg("%s: the summary must be one line, with no final period", r->id);
        if (!is_one_line(r->help))
            fail_msg("%s: the help must be one line, with no final period", r->id);
        if (r->min_pg < 0 || r->max_pg < 0 || (r->min_pg && r->max_pg && r->min_pg > r->max_pg))
            fail_msg("%s: PostgreSQL range %d..%d is empty", r->id, r->min_pg, r->max_pg);
    }
}

/* rules.def lists the rules sorted, one MS_RULE(snake_name) each; the registry is expanded from
 * it, so the ids must be the names with hyphens, and each has its file rules/<name>.c that opens
 * with "<id>:". */
static void test_meta__rules_def_is_sorted_and_matches_the_registry(void **state)
{
    (void)state;
    char *def = read_file("rules/rules.def");
    assert_non_null(def);
    size_t n = 0;
    char prev[128] = "";
    for (char *line = def; line && *line;) {
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        if (starts_with(line, "MS_RULE(")) {
            char name[128];
            const char *close = strchr(line, ')');
            assert_non_null(close);
            snprintf(name, sizeof(name), "%.*s", (int)(close - line - 8), line + 8);
            if (strcmp(prev, name) >= 0)
                fail_msg("rules/rules.def is not sorted: %s comes after %s", name, prev);
            snprintf(prev, sizeof(prev), "%s", name);
            if (n >= ms_n_rules)
                fail_msg("rules/rules.def lists more rules than the registry holds");
            char id[128];
            snprintf(id, sizeof(id), "%s", name);
            for (char *c = id; *c; c++)
                if (*c == '_')
                    *c = '-';
            if (strcmp(id, ms_rules[n]->id) != 0)
                fail_msg("MS_RULE(%s) registers a rule whose id is \"%s\", not \"%s\"", name,
                         ms_rules[n]->id, id);
            char path[256];
            snprintf(path, sizeof(path), "rules/%s.c", name);
            char *src = read_file(path);
            if (!src)
                fail_msg("%s is missing", path);
            char head[160];
            snprintf(head, sizeof(head), "/* %s: ", id);
            bool opens_with_id = starts_with(src, head);
            free(src);
            if (!opens_with_id)
                fail_msg("%s does not open with \"%s\" (what it flags)", path, head);
            n++;
        } else if (strstr(line, "MS_RULE(") && !starts_with(line, "/*") &&
                   !starts_with(line, " *")) {
            fail_msg("rules/rules.def: MS_RULE must start the line: %s", line);
        }
        line = eol ? eol + 1 : NULL;
    }
    free(def);
    assert_int_equal(n, ms_n_rules);
}

/* ---- fixtures ---- */

/* Does a fixture file at or below path (a folder of a history) expect rule `id`? */
static bool case_expects_rule(const char *path, const char *id)
{
    if (is_dir(path)) {
        struct names entries;
        list_dir(path, &entries);
        bool found = false;
        for (size_t k = 0; k < entries.n && !found; k++) {
            char sub[1024];
            snprintf(sub, sizeof(sub), "%s/%s", path, entries.items[k]);
            found = case_expects_rule(sub, id);
        }
        names_release(&entries);
        return found;
    }
    bool python = ends_with(path, ".py");
    if (!python && !ends_with(path, ".sql"))
        return false;
    char *text = read_file(path);
    assert_non_null(text);
    bool found = expects_rule(text, id, python);
    free(text);
    return found;
}

static void test_meta__every_rule_has_bad_and_ok_fixtures(void **state)
{
    (void)state;
    for (size_t i = 0; i < ms_n_rules; i++) {
        const char *id = ms_rules[i]->id;
        char dir[256];
        snprintf(dir, sizeof(dir), "fixtures/rules/%s", id);
        if (!is_dir(dir))
            fail_msg("%s: no fixture folder %s/", id, dir);
        struct names files;
        list_dir(dir, &files);
        size_t n_bad = 0, n_ok = 0;
        for (size_t k = 0; k < files.n; k++) {
            const char *f = files.items[k];
            char path[512];
            snprintf(path, sizeof(path), "%s/%s", dir, f);
            bool bad = starts_with(f, "bad_"), ok = starts_with(f, "ok_");
            bool is_case =
                is_dir(path) || (is_file(path) && (ends_with(f, ".sql") || ends_with(f, ".py")));
            if ((!bad && !ok) || !is_case)
                fail_msg("%s: fixtures are bad_* or ok_* .sql files, .py revisions or folders "
                         "of revisions",
                         path);
            if (bad && !case_expects_rule(path, id))
                fail_msg("%s: a bad fixture of %s must expect at least one %s finding", path, id,
                         id);
            n_bad += bad;
            n_ok += ok;
        }
        names_release(&files);
        if (n_bad == 0 || n_ok == 0)
            fail_msg("%s: %s/ needs at least one bad_ and one ok_ case (has %zu and %zu)", id, dir,
                     n_bad, n_ok);
    }
}

static void test_meta__every_fixture_folder_is_a_rule(void **state)
{
    (void)state;
    struct names dirs;
    list_dir("fixtures/rules", &dirs);
    assert_true(dirs.n > 0);
    for (size_t k = 0; k < dirs.n; k++)
        if (ms_rule_find(dirs.items[k]) < 0)
            fail_msg("fixtures/rules/%s is not the folder of a registered rule", dirs.items[k]);
    names_release(&dirs);
}

/* ---- docs ---- */

/* The page opens with a fixed block the test compares with the C metadata:
 *
 *     # <id>
 *
 *     - severity: <error|warning|info>
 *     - category: <category>
 *     - default: <on|opt-in>
 *     - summary: <summary>
 */
static void check_doc_page(const struct ms_rule *r, const char *path, char *text)
{
    char want[1024];
    snprintf(want, sizeof(want),
             "# %s\n\n- severity: %s\n- category: %s\n- default: %s\n- summary: %s\n", r->id,
             ms_severity_name(r->severity), r->category, r->opt_in ? "opt-in" : "on", r->summary);
    if (!starts_with(text, want)) {
        print_error("%s must open with:\n%s", path, want);
        fail_msg("%s: the front matter does not match the rule's metadata", path);
    }
    /* the level-2 headings, exactly and in order */
    size_t next = 0;
    bool in_code = false;
    for (char *line = text; line && *line;) {
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        if (starts_with(line, "```"))
            in_code = !in_code;
        else if (!in_code && starts_with(line, "## ")) {
            if (next >= MS_ARRAY_LEN(doc_headings) || strcmp(line, doc_headings[next]) != 0)
                fail_msg("%s: heading \"%s\" where \"%s\" belongs", path, line,
                         next < MS_ARRAY_LEN(doc_headings) ? doc_headings[next] : "(none)");
            next++;
        } else if (!in_code && starts_with(line, "# ") && line != text) {
            fail_msg("%s: only the first line is a level-1 heading: %s", path, line);
        }
        line = eol ? eol + 1 : NULL;
    }
    if (in_code)
        fail_msg("%s: a ``` code block is not closed", path);
    if (next != MS_ARRAY_LEN(doc_headings))
        fail_msg("%s: heading \"%s\" is missing", path, doc_headings[next]);
}

static void test_meta__every_rule_has_a_docs_page(void **state)
{
    (void)state;
    for (size_t i = 0; i < ms_n_rules; i++) {
        char path[256];
        snprintf(path, sizeof(path), "docs/rules/%s.md", ms_rules[i]->id);
        char *text = read_file(path);
        if (!text)
            fail_msg("%s: no docs page %s", ms_rules[i]->id, path);
        check_doc_page(ms_rules[i], path, text);
        free(text);
    }
}

static void test_meta__every_docs_page_is_a_rule(void **state)
{
    (void)state;
    struct names pages;
    list_dir("docs/rules", &pages);
    bool has_index = false;
    for (size_t k = 0; k < pages.n; k++) {
        const char *p = pages.items[k];
        if (strcmp(p, "README.md") == 0) {
            has_index = true;
            continue;
        }
        char id[256];
        snprintf(id, sizeof(id), "%.*s", (int)strlen(p) - 3, p);
        if (!ends_with(p, ".md") || ms_rule_find(id) < 0)
            fail_msg("docs/rules/%s is not the page of a registered rule", p);
    }
    names_release(&pages);
    if (!has_index)
        fail_msg("docs/rules/README.md (the generated index) is missing");
}

/* ---- the checks above catch what they claim to ---- */

static void test_meta__helpers(void **state)
{
    (void)state;
    assert_true(is_kebab_case("drop-table"));
    assert_true(is_kebab_case("ban-char-field2"));
    assert_false(is_kebab_case("drop_table"));
    assert_false(is_kebab_case("Drop-table"));
    assert_false(is_kebab_case("drop--table"));
    assert_false(is_kebab_case("drop-table-"));
    assert_false(is_kebab_case("-drop"));
    assert_false(is_kebab_case(""));
    assert_true(is_one_line("a column is dropped"));
    assert_false(is_one_line("a column is dropped."));
    assert_false(is_one_line("two\nlines"));
    assert_false(is_one_line(""));
    assert_true(expects_rule("SELECT 1;\n-- expect: drop-column, rename-as-drop\nALTER ...",
                             "rename-as-drop", false));
    assert_true(expects_rule("  --expect: drop-table\n", "drop-table", false));
    assert_false(expects_rule("-- expect: drop-tables\n", "drop-table", false));
    assert_false(expects_rule("-- expected: drop-table\n", "drop-table", false));
    assert_false(expects_rule("SELECT '-- expect: drop-table';\n", "drop-table", false));
    assert_false(expects_rule("-- see expect: drop-table\n", "drop-table", false));
    /* Python: comment lines, and SQL comment lines inside its strings */
    assert_true(expects_rule("revision = \"a1\"\n# expect: multiple-heads\ndown_revision = \"b\"\n",
                             "multiple-heads", true));
    assert_true(
        expects_rule("    op.execute(\"\"\"\n    -- expect: drop-table\n    DROP TABLE a;\n",
                     "drop-table", true));
    assert_false(expects_rule("# expect: drop-table\n", "drop-table", false));
    assert_false(expects_rule("op.drop_table(\"a\")  # expect: drop-table\n", "drop-table", true));
    assert_false(expects_rule("# expect: drop-tables\n", "drop-table", true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta__helpers),
        cmocka_unit_test(test_meta__ids_are_kebab_case_unique_and_sorted),
        cmocka_unit_test(test_meta__metadata_is_complete),
        cmocka_unit_test(test_meta__rules_def_is_sorted_and_matches_the_registry),
        cmocka_unit_test(test_meta__every_rule_has_bad_and_ok_fixtures),
        cmocka_unit_test(test_meta__every_fixture_folder_is_a_rule),
        cmocka_unit_test(test_meta__every_rule_has_a_docs_page),
        cmocka_unit_test(test_meta__every_docs_page_is_a_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
