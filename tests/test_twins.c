/* test_twins.c: every rule reaches the same verdict on an Alembic revision as on its SQL twin.
 *
 * fixtures/alembic/<case>/versions/<rev>.py has a hand-written twin, twin/<rev>.sql: the SQL
 * Alembic runs for its upgrade. The migsafe binary (MIGSAFE_BINARY, every rule enabled) lints the
 * case's versions/ folder as a history and the twin/ folder as plain SQL, and for each pair the
 * multisets of rule ids reported must be equal. Rules about a revision as such (its downgrade,
 * its place in the history: rules with a check_migration callback and no statement visitor) are
 * left out, since a SQL file has neither; every other rule, including rules added later, is held
 * to this bar. Lines are not compared (they differ by construction); the fixture runner
 * (tests/test_fixtures.c) checks each file's findings against its own inline expectations.
 *
 * Each twin is one test, named "<twin path> ~ <revision path>"; a revision that migsafe lints
 * without a twin, and a twin without its revision, fail too. */
#include "engine.h"
#include "run_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#define ALEMBIC_ROOT "fixtures/alembic"

/* The rule ids migsafe reports per file over `path`, as a JSON object {path: [rule, ...]};
 * NULL (with the reason in err) when it fails. */
static json_t *lint(const char *path, char *err, size_t errlen)
{
    /* the rules as users get them: opt-in rules stay off */
    char *argv[] = {MIGSAFE_BINARY,
                    "check",
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    "--lock-timeout-set-by-runner",
                    (char *)path,
                    NULL};
    struct proc p;
    run_process(argv, &p);
    int status = p.status;
    char *text = p.out, *errors = p.err;

    json_t *result = NULL;
    json_error_t jerr;
    json_t *root = status == 0 ? json_loads(text, 0, &jerr) : NULL;
    const json_t *files = json_object_get(root, "files");
    if (status != 0) {
        snprintf(err, errlen, "migsafe exited with status %d over %s:\n%s", status, path, errors);
    } else if (!json_is_array(files)) {
        snprintf(err, errlen, "migsafe's output over %s is not its JSON report", path);
    } else {
        result = json_object();
        size_t k;
        const json_t *file;
        json_array_foreach(files, k, file)
        {
            json_t *rules = json_array();
            size_t d;
            const json_t *diag;
            json_array_foreach(json_object_get(file, "diagnostics"), d, diag)
                json_array_append(rules, json_object_get(diag, "rule"));
            json_object_set_new(result, json_string_value(json_object_get(file, "path")), rules);
        }
    }
    json_decref(root);
    proc_release(&p);
    return result;
}

/* ---- which rules are compared ---- */

/* A rule about the revision itself: it judges the migration (check_migration) and never looks
 * at a statement. */
static bool is_revision_rule(const struct ms_rule *r)
{
    bool visits = r->visit_alter_table_cmd || r->end_migration;
#define MS_HAS_VISITOR(field, Type, CASE) visits = visits || r->visit_##field;
    MS_STMT_KINDS(MS_HAS_VISITOR)
#undef MS_HAS_VISITOR
    return r->check_migration && !visits;
}

static bool is_compared(const char *id)
{
    int i = ms_rule_find(id);
    return i < 0 || !is_revision_rule(ms_rules[i]);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, a, b" (the compared rules, sorted) into buf. */
static void verdict(const json_t *rules, char *buf, size_t len)
{
    size_t n = json_array_size(rules), k = 0;
    const char **ids = ms_xcalloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(rules, i));
        if (id && is_compared(id))
            ids[k++] = id;
    }
    if (k)
        qsort(ids, k, sizeof(*ids), compare_strings);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < k && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", ids[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (k == 0)
        snprintf(buf, len, "(nothing)");
    free(ids);
}

static void test_twins__revision_rules_are_the_ones_left_out(void **state)
{
    (void)state;
    static const char *const revision_rules[] = {
        "duplicate-revision", "empty-upgrade",  "flyway-mixed-transaction",
        "missing-downgrade",  "multiple-heads", "unknown-down-revision",
    };
    size_t n = 0;
    for (size_t i = 0; i < ms_n_rules; i++) {
        bool listed = false;
        for (size_t k = 0; k < MS_ARRAY_LEN(revision_rules); k++)
            listed = listed || strcmp(ms_rules[i]->id, revision_rules[k]) == 0;
        if (listed != is_revision_rule(ms_rules[i]))
            fail_msg("%s: %s", ms_rules[i]->id,
                     listed ? "a revision rule, but it visits statements"
                            : "left out of the twin comparison (no statement visitor): add it "
                              "to revision_rules here if it is about revisions");
        n += listed;
    }
    assert_int_equal(n, MS_ARRAY_LEN(revision_rules));
    /* statement rules, and the ones the filter reports, are compared */
    assert_true(is_compared("drop-table"));
    assert_true(is_compared("syntax-error"));
    assert_true(is_compared("unused-ignore") || ms_rule_find("unused-ignore") < 0);
}

static void test_twins__verdicts_are_multisets(void **state)
{
    (void)state;
    char buf[256];
    json_t *rules =
        json_pack("[ssss]", "drop-table", "multiple-heads", "drop-column", "drop-table");
    verdict(rules, buf, sizeof(buf));
    assert_string_equal(buf, "drop-column, drop-table, drop-table");
    json_decref(rules);
    rules = json_pack("[s]", "missing-downgrade");
    verdict(rules, buf, sizeof(buf));
    assert_string_equal(buf, "(nothing)");
    json_decref(rules);
}

/* ---- one test per twin ---- */

/* A twin and its revision (either NULL when missing), with what migsafe reported on each
 * (borrowed from the run's results), or the error that kept migsafe from linting the case. */
struct pair {
    char *name;
    char *twin, *revision;
    json_t *twin_rules, *revision_rules;
    char *error;
};

struct pairs {
    size_t n, cap;
    struct pair *items;
    size_t n_results, cap_results;
    json_t **results;
};

/* "a/b/c", with room to change a 3-letter extension for a 4-letter one */
static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 4;
    char *p = ms_xmalloc(n);
    snprintf(p, n, "%s/%s/%s", a, b, c);
    return p;
}

static void add_pair(struct pairs *out, char *twin, char *revision, json_t *tr, json_t *rr,
                     const char *error)
{
    size_t n = (twin ? strlen(twin) : 0) + (revision ? strlen(revision) : 0) + 32;
    char *name = ms_xmalloc(n);
    snprintf(name, n, "%s ~ %s", twin ? twin : "(no twin)", revision ? revision : "(no revision)");
    MS_GROW(out->items, out->cap, out->n + 1);
    out->items[out->n++] =
        (struct pair){name, twin, revision, tr, rr, error ? ms_xstrdup(error) : NULL};
}

static void keep(struct pairs *out, json_t *result)
{
    MS_GROW(out->results, out->cap_results, out->n_results + 1);
    out->results[out->n_results++] = result;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Pairs the twins of one case with its revisions. */
static void collect_case(struct pairs *out, const char *dir)
{
    size_t n = strlen(dir) + 16;
    char *versions = ms_xmalloc(n), *twins = ms_xmalloc(n);
    snprintf(versions, n, "%s/versions", dir);
    snprintf(twins, n, "%s/twin", dir);
    char err[4096] = "";
    json_t *revs = lint(versions, err, sizeof(err));
    json_t *sqls = revs ? lint(twins, err, sizeof(err)) : NULL;
    if (revs)
        keep(out, revs);
    if (sqls)
        keep(out, sqls);

    /* every twin: its revision is the .py of the same name */
    DIR *d = opendir(twins);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".sql"))
            continue;
        char *twin = join3(dir, "twin", e->d_name);
        char *rev = join3(dir, "versions", e->d_name);
        memcpy(rev + strlen(rev) - 4, ".py", 4);
        struct stat st;
        bool exists = stat(rev, &st) == 0;
        add_pair(out, twin, exists ? rev : NULL, sqls ? json_object_get(sqls, twin) : NULL,
                 revs && exists ? json_object_get(revs, rev) : NULL, err[0] ? err : NULL);
        if (!exists)
            free(rev);
    }
    if (d)
        closedir(d);
    /* every revision migsafe lints has a twin */
    const char *path;
    json_t *rules;
    json_object_foreach(revs, path, rules)
    {
        const char *slash = strrchr(path, '/');
        if (!slash || !has_suffix(path, ".py"))
            continue;
        char *expected = join3(dir, "twin", slash + 1);
        memcpy(expected + strlen(expected) - 3, ".sql", 5);
        struct stat st;
        if (stat(expected, &st) != 0)
            add_pair(out, NULL, ms_xstrdup(path), NULL, rules, NULL);
        free(expected);
    }
    if (!revs)
        add_pair(out, NULL, ms_xstrdup(versions), NULL, NULL, err);
    free(versions);
    free(twins);
}

static void test_twin(void **state)
{
    const struct pair *p = *state;
    if (p->error)
        fail_msg("%s", p->error);
    if (!p->twin)
        fail_msg("%s: migsafe lints this revision, but it has no SQL twin (twin/<same name>.sql)",
                 p->revision);
    if (!p->revision)
        fail_msg("%s: no revision of the same name in versions/", p->twin);
    if (!p->revision_rules)
        fail_msg("%s: migsafe did not lint it as a revision", p->revision);
    if (!p->twin_rules)
        fail_msg("%s: migsafe did not lint it", p->twin);
    char on_rev[1024], on_twin[1024];
    verdict(p->revision_rules, on_rev, sizeof(on_rev));
    verdict(p->twin_rules, on_twin, sizeof(on_twin));
    if (strcmp(on_rev, on_twin) != 0)
        fail_msg("different verdicts:\n  %s: %s\n  %s: %s", p->revision, on_rev, p->twin, on_twin);
}

static int compare_pairs(const void *a, const void *b)
{
    return strcmp(((const struct pair *)a)->name, ((const struct pair *)b)->name);
}

int main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_twins__revision_rules_are_the_ones_left_out),
        cmocka_unit_test(test_twins__verdicts_are_multisets),
    };
    int failed = cmocka_run_group_tests_name("twin comparison", unit, NULL, NULL);

    struct pairs all = {0};
    DIR *d = opendir(ALEMBIC_ROOT);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(ALEMBIC_ROOT) + strlen(e->d_name) + 2;
        char *dir = ms_xmalloc(n);
        snprintf(dir, n, "%s/%s", ALEMBIC_ROOT, e->d_name);
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            collect_case(&all, dir);
        free(dir);
    }
    if (d)
        closedir(d);
    if (all.n == 0) {
        fprintf(stderr, "no twins under %s/ (run from the source root)\n", ALEMBIC_ROOT);
        failed++;
    } else {
        qsort(all.items, all.n, sizeof(*all.items), compare_pairs);
        struct CMUnitTest *tests = ms_xcalloc(all.n, sizeof(*tests));
        for (size_t i = 0; i < all.n; i++)
            tests[i] = (struct CMUnitTest){
                .name = all.items[i].name, .test_func = test_twin, .initial_state = &all.items[i]};
        failed += _cmocka_run_group_tests(ALEMBIC_ROOT " twins", tests, all.n, NULL, NULL);
        free(tests);
    }
    for (size_t i = 0; i < all.n; i++) {
        free(all.items[i].name);
        free(all.items[i].twin);
        free(all.items[i].revision);
        free(all.items[i].error);
    }
    free(all.items);
    for (size_t i = 0; i < all.n_results; i++)
        json_decref(all.results[i]);
    free(all.results);
    return failed ? 1 : 0;
}
