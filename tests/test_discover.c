/* test_discover.c: turning command-line paths into the sorted list of files to lint
 * (src/discover.c). Each test builds its tree in a fresh temporary folder. */
#include "discover.h"

#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
    char root[64];
    struct ms_file_list list;
    char buf[4096];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->root, sizeof(f->root), "/tmp/ms-test-discover-XXXXXX");
    if (!mkdtemp(f->root))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
    if (system(cmd) != 0)
        return -1;
    ms_file_list_release(&f->list);
    free(f);
    return 0;
}

/* root/rel as a path; valid until the next call. */
static const char *at(struct fixture *f, const char *rel)
{
    snprintf(f->buf, sizeof(f->buf), "%s/%s", f->root, rel);
    return f->buf;
}

static void make_dir(struct fixture *f, const char *rel)
{
    assert_int_equal(mkdir(at(f, rel), 0755), 0);
}

static void make_file(struct fixture *f, const char *rel)
{
    FILE *fp = fopen(at(f, rel), "w");
    assert_non_null(fp);
    fputs("SELECT 1;\n", fp);
    assert_int_equal(fclose(fp), 0);
}

/* The list as newline-separated paths relative to the root ("-" and paths outside it as
 * they are). */
static char *listing(struct fixture *f)
{
    static char out[8192];
    size_t n = strlen(f->root), len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < f->list.n; i++) {
        const char *p = f->list.paths[i];
        if (strncmp(p, f->root, n) == 0 && p[n] == '/')
            p += n + 1;
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s\n", p);
    }
    return out;
}

static int discover_quiet(struct fixture *f, const char *path, char *err, size_t errlen)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    int rc = ms_discover(path, &f->list);
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    rewind(tmp);
    size_t n = fread(err, 1, errlen - 1, tmp);
    err[n] = '\0';
    fclose(tmp);
    return rc;
}

static void discover_ok(struct fixture *f, const char *path)
{
    char err[512];
    int rc = discover_quiet(f, path, err, sizeof(err));
    if (rc != 0)
        fail_msg("ms_discover(%s) failed: %s", path, err);
    assert_string_equal(err, "");
}

static void build_tree(struct fixture *f)
{
    make_file(f, "b.sql");
    make_file(f, "a.sql");
    make_file(f, "notes.txt");
    make_file(f, "README");
    make_file(f, "a.sql.bak");
    make_file(f, ".hidden.sql");
    make_dir(f, "sub");
    make_file(f, "sub/c.sql");
    make_dir(f, "sub/deeper");
    make_file(f, "sub/deeper/d.SQL");
    make_file(f, "sub/deeper/e.Sql");
    make_dir(f, ".git");
    make_file(f, ".git/x.sql");
    make_dir(f, "sub/.cache");
    make_file(f, "sub/.cache/y.sql");
    make_dir(f, "node_modules");
    make_file(f, "node_modules/z.sql");
    make_dir(f, "sub/node_modules");
    make_file(f, "sub/node_modules/w.sql");
    make_dir(f, "dir.sql");
    make_file(f, "dir.sql/g.sql");
    make_dir(f, "empty");
}

static void test_discover__walk_recurses_sorted_and_filtered(void **state)
{
    struct fixture *f = *state;
    build_tree(f);
    discover_ok(f, f->root);
    ms_file_list_finish(&f->list);
    assert_string_equal(listing(f), "a.sql\n"
                                    "b.sql\n"
                                    "dir.sql/g.sql\n"
                                    "sub/c.sql\n"
                                    "sub/deeper/d.SQL\n"
                                    "sub/deeper/e.Sql\n");
    /* full paths: the folder as given, joined with one slash */
    assert_string_equal(f->list.paths[0], at(f, "a.sql"));
}

static void test_discover__sorting_is_bytewise(void **state)
{
    struct fixture *f = *state;
    make_file(f, "B.sql");
    make_file(f, "a.sql");
    make_file(f, "_.sql");
    make_file(f, "10_x.sql");
    make_file(f, "9_x.sql");
    make_dir(f, "a");
    make_file(f, "a/0.sql");
    make_file(f, "a-b.sql");
    discover_ok(f, f->root);
    ms_file_list_finish(&f->list);
    assert_string_equal(listing(f), "10_x.sql\n9_x.sql\nB.sql\n_.sql\na-b.sql\na.sql\na/0.sql\n");
}

static void test_discover__trailing_slash(void **state)
{
    struct fixture *f = *state;
    make_file(f, "a.sql");
    char *dir = ms_xstrdup(at(f, ""));
    discover_ok(f, dir);
    free(dir);
    assert_int_equal(f->list.n, 1);
    assert_string_equal(f->list.paths[0], at(f, "a.sql"));
}

static void test_discover__explicit_files_whatever_their_name(void **state)
{
    struct fixture *f = *state;
    build_tree(f);
    discover_ok(f, at(f, "notes.txt"));
    discover_ok(f, at(f, "README"));
    discover_ok(f, at(f, ".hidden.sql"));
    discover_ok(f, at(f, "node_modules/z.sql"));
    discover_ok(f, at(f, "sub/deeper/d.SQL"));
    ms_file_list_finish(&f->list);
    assert_string_equal(listing(f), ".hidden.sql\nREADME\nnode_modules/z.sql\nnotes.txt\n"
                                    "sub/deeper/d.SQL\n");
}

static void test_discover__explicit_hidden_or_vendored_folder_is_walked(void **state)
{
    struct fixture *f = *state;
    build_tree(f);
    /* only folders found while walking are skipped */
    discover_ok(f, at(f, "node_modules"));
    discover_ok(f, at(f, ".git"));
    ms_file_list_finish(&f->list);
    assert_string_equal(listing(f), ".git/x.sql\nnode_modules/z.sql\n");
}

static void test_discover__duplicates_removed(void **state)
{
    struct fixture *f = *state;
    build_tree(f);
    discover_ok(f, f->root);
    discover_ok(f, at(f, "sub"));
    discover_ok(f, at(f, "a.sql"));
    discover_ok(f, f->root);
    ms_file_list_finish(&f->list);
    assert_string_equal(listing(f), "a.sql\n"
                                    "b.sql\n"
                                    "dir.sql/g.sql\n"
                                    "sub/c.sql\n"
                                    "sub/deeper/d.SQL\n"
                                    "sub/deeper/e.Sql\n");
}

static void test_discover__stdin_first(void **state)
{
    struct fixture *f = *state;
    make_file(f, "a.sql");
    make_file(f, "+.sql");
    discover_ok(f, at(f, "a.sql"));
    discover_ok(f, "-");
    discover_ok(f, at(f, "+.sql"));
    discover_ok(f, "-");
    assert_int_equal(f->list.n, 4);
    ms_file_list_finish(&f->list);
    assert_string_equal(listing(f), "-\n+.sql\na.sql\n");
    /* "-" needs no file of that name */
    assert_string_equal(f->list.paths[0], "-");
}

/* Python files are candidates (the history keeps the Alembic revisions); env.py never is. */
static void test_discover__python_files_but_not_env_py(void **state)
{
    struct fixture *f = *state;
    make_dir(f, "alembic");
    make_file(f, "alembic/env.py");
    make_dir(f, "alembic/versions");
    make_file(f, "alembic/versions/0002_b.py");
    make_file(f, "alembic/versions/0001_a.py");
    make_file(f, "alembic/versions/0001_a.pyc");
    discover_ok(f, at(f, "alembic"));
    ms_file_list_finish(&f->list);
    assert_string_equal(listing(f), "alembic/versions/0001_a.py\nalembic/versions/0002_b.py\n");
}

static void test_discover__empty_folder_is_an_error(void **state)
{
    struct fixture *f = *state;
    build_tree(f);
    char err[512];
    discover_ok(f, at(f, "a.sql"));
    char *empty = ms_xstrdup(at(f, "empty"));
    int rc = discover_quiet(f, empty, err, sizeof(err));
    assert_int_equal(rc, -1);
    char expect[512];
    snprintf(expect, sizeof(expect),
             "migsafe: %s: no migrations found (migsafe looks for .sql files and Alembic "
             "revisions in folders)\n",
             empty);
    assert_string_equal(err, expect);
    free(empty);
    /* what was added before is kept */
    assert_int_equal(f->list.n, 1);
    assert_string_equal(f->list.paths[0], at(f, "a.sql"));
}

static void test_discover__folder_without_migrations_is_an_error(void **state)
{
    struct fixture *f = *state;
    make_dir(f, "m");
    make_file(f, "m/notes.txt");
    make_dir(f, "m/.hidden");
    make_file(f, "m/.hidden/a.sql");
    make_dir(f, "m/node_modules");
    make_file(f, "m/node_modules/b.sql");
    make_dir(f, "m/sub");
    char err[512];
    char *m = ms_xstrdup(at(f, "m"));
    int rc = discover_quiet(f, m, err, sizeof(err));
    assert_int_equal(rc, -1);
    char expect[512];
    snprintf(expect, sizeof(expect),
             "migsafe: %s: no migrations found (migsafe looks for .sql files and Alembic "
             "revisions in folders)\n",
             m);
    assert_string_equal(err, expect);
    free(m);
    assert_int_equal(f->list.n, 0);
}

static void test_discover__nonexistent_path_is_an_error(void **state)
{
    struct fixture *f = *state;
    char err[512];
    char *missing = ms_xstrdup(at(f, "missing.sql"));
    int rc = discover_quiet(f, missing, err, sizeof(err));
    assert_int_equal(rc, -1);
    char expect[512];
    snprintf(expect, sizeof(expect), "migsafe: %s: No such file or directory\n", missing);
    assert_string_equal(err, expect);
    free(missing);
    assert_int_equal(f->list.n, 0);
}

static void test_discover__symlinks(void **state)
{
    struct fixture *f = *state;
    make_dir(f, "real");
    make_file(f, "real/a.sql");
    make_dir(f, "m");
    char *target = ms_xstrdup(at(f, "real/a.sql"));
    assert_int_equal(symlink(target, at(f, "m/link.sql")), 0);
    free(target);
    /* a dangling link is not a migration */
    assert_int_equal(symlink("/nonexistent/x.sql", at(f, "m/dangling.sql")), 0);
    discover_ok(f, at(f, "m"));
    ms_file_list_finish(&f->list);
    assert_string_equal(listing(f), "m/link.sql\n");
}

static void test_discover__finish_on_empty_list(void **state)
{
    struct fixture *f = *state;
    ms_file_list_finish(&f->list);
    assert_int_equal(f->list.n, 0);
    ms_file_list_release(&f->list);
    assert_null(f->list.paths);
    assert_int_equal(f->list.cap, 0);
}

static void test_discover__many_files(void **state)
{
    struct fixture *f = *state;
    char rel[64];
    for (int d = 0; d < 10; d++) {
        snprintf(rel, sizeof(rel), "v%d", 9 - d);
        make_dir(f, rel);
        for (int i = 0; i < 30; i++) {
            snprintf(rel, sizeof(rel), "v%d/%03d_step.sql", 9 - d, 29 - i);
            make_file(f, rel);
        }
    }
    discover_ok(f, f->root);
    ms_file_list_finish(&f->list);
    assert_int_equal(f->list.n, 300);
    for (size_t i = 0; i < f->list.n; i++) {
        snprintf(rel, sizeof(rel), "v%zu/%03zu_step.sql", i / 30, i % 30);
        assert_string_equal(f->list.paths[i], at(f, rel));
    }
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_discover__walk_recurses_sorted_and_filtered),
        T(test_discover__sorting_is_bytewise),
        T(test_discover__trailing_slash),
        T(test_discover__explicit_files_whatever_their_name),
        T(test_discover__explicit_hidden_or_vendored_folder_is_walked),
        T(test_discover__duplicates_removed),
        T(test_discover__stdin_first),
        T(test_discover__python_files_but_not_env_py),
        T(test_discover__empty_folder_is_an_error),
        T(test_discover__folder_without_migrations_is_an_error),
        T(test_discover__nonexistent_path_is_an_error),
        T(test_discover__symlinks),
        T(test_discover__finish_on_empty_list),
        T(test_discover__many_files),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
