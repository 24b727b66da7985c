/* test_config.c: .migsafe.yml reading, search and exclude globs (src/config.c), and the
 * per-file settings built from it (src/settings.c). */
#include "config.h"
#include "settings.h"

#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
    char root[64];
    struct ms_arena arena;
    char err[4096];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->root, sizeof(f->root), "/tmp/ms-test-config-XXXXXX");
    if (!mkdtemp(f->root))
        return -1;
    ms_arena_init(&f->arena);
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
    ms_arena_release(&f->arena);
    free(f);
    return 0;
}

static const char *at(struct fixture *f, const char *rel)
{
    return ms_arena_printf(&f->arena, "%s/%s", f->root, rel);
}

static void write_file(struct fixture *f, const char *rel, const char *text)
{
    const char *path = at(f, rel);
    char *dir = ms_xstrdup(path);
    *strrchr(dir, '/') = '\0';
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Loads rel, capturing what is printed on stderr. */
static int load(struct fixture *f, const char *rel, struct ms_config *cfg)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *tmp = tmpfile();
    dup2(fileno(tmp), STDERR_FILENO);
    int rc = ms_config_load(at(f, rel), &f->arena, cfg);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(f->err, 1, sizeof(f->err) - 1, tmp);
    f->err[n] = '\0';
    fclose(tmp);
    /* the messages name the file by its full path: keep what follows the folder */
    size_t skip = strlen(f->root) + 1;
    for (char *p; (p = strstr(f->err, f->root)) != NULL;)
        memmove(p, p + skip, strlen(p + skip) + 1);
    return rc;
}

static void test_config__every_key(void **state)
{
    struct fixture *f = *state;
    write_file(f, ".migsafe.yml",
               "pg_version: 12\n"
               "fail_on: warning\n"
               "rules:\n"
               "  drop-column: off\n"
               "  require-concurrent-index: error\n"
               "  drop-table: on\n"
               "exclude: [\"legacy/*.sql\", 'old.sql']\n"
               "lint_downgrade: true\n"
               "assume_in_transaction: no\n"
               "lock_timeout_set_by_runner: yes\n"
               "lock_timeout_limit: 2.5s\n"
               "framework: goose\n"
               "new_since: '20240101'\n");
    struct ms_config cfg;
    assert_int_equal(load(f, ".migsafe.yml", &cfg), 0);
    assert_string_equal(f->err, "");
    assert_int_equal(cfg.pg_version, 12);
    assert_true(cfg.fail_on_set);
    assert_int_equal(cfg.fail_on, MS_WARNING);
    assert_int_equal(cfg.n_rules, 3);
    assert_string_equal(cfg.rules[0].id, "drop-column");
    assert_int_equal(cfg.rules[0].level, 0);
    assert_int_equal(cfg.rules[1].level, MS_ERROR);
    assert_int_equal(cfg.rules[2].level, -1);
    assert_int_equal(cfg.n_exclude, 2);
    assert_string_equal(cfg.exclude[0], "legacy/*.sql");
    assert_int_equal(cfg.lint_downgrade, MS_YES);
    assert_int_equal(cfg.assume_in_transaction, MS_NO);
    assert_int_equal(cfg.lock_timeout_set_by_runner, MS_YES);
    assert_int_equal(cfg.lock_timeout_limit_ms, 2500);
    assert_string_equal(cfg.framework, "goose");
    assert_string_equal(cfg.new_since, "20240101");
}

static void test_config__errors_name_file_line_column(void **state)
{
    struct fixture *f = *state;
    write_file(f, "bad.yml",
               "pg_version: fifteen\n"
               "rules:\n"
               "  drop-colum: off\n"
               "  drop-table: loud\n"
               "lint_downgrade: maybe\n"
               "framework: rails\n"
               "colour: true\n"
               "lock_timeout_limit: 10 seconds\n");
    struct ms_config cfg;
    assert_int_equal(load(f, "bad.yml", &cfg), -1);
    assert_string_equal(
        f->err,
        "bad.yml:1:13: error: \"pg_version\" takes a PostgreSQL major version such as 15, not "
        "\"fifteen\"\n"
        "bad.yml:3:3: error: unknown rule \"drop-colum\" (run 'migsafe rules' for the list)\n"
        "bad.yml:4:15: error: rule \"drop-table\" takes off, on, info, warning or error, not "
        "\"loud\"\n"
        "bad.yml:5:17: error: \"lint_downgrade\" takes true or false, not \"maybe\"\n"
        "bad.yml:6:12: error: unknown framework \"rails\" (plain, alembic, golang-migrate, pop, "
        "goose, dbmate, flyway, sqlx, diesel, sqitch, prisma, sourcegraph, "
        "postgres-migrations)\n"
        "bad.yml:7:1: error: unknown key \"colour\" (pg_version, fail_on, rules, exclude, "
        "lint_downgrade, assume_in_transaction, lock_timeout_set_by_runner, lock_timeout_limit, "
        "framework, new_since)\n"
        "bad.yml:8:21: error: \"lock_timeout_limit\" takes a duration above 0 such as 5s or "
        "2000ms, or a number of milliseconds, not \"10 seconds\"\n");
}

static void test_config__invalid_yaml(void **state)
{
    struct fixture *f = *state;
    write_file(f, "broken.yml", "rules:\n  drop-table: [off\n");
    struct ms_config cfg;
    assert_int_equal(load(f, "broken.yml", &cfg), -1);
    assert_non_null(strstr(f->err, "broken.yml:3:1: error: "));
}

static void test_config__empty_file_is_defaults(void **state)
{
    struct fixture *f = *state;
    write_file(f, "empty.yml", "");
    struct ms_config cfg;
    assert_int_equal(load(f, "empty.yml", &cfg), 0);
    assert_int_equal(cfg.n_rules, 0);
    assert_int_equal(cfg.pg_version, 0);
}

static void test_config__search_stops_at_the_repository_root(void **state)
{
    struct fixture *f = *state;
    write_file(f, "repo/db/migrations/001.sql", "SELECT 1;\n");
    write_file(f, "repo/.git/HEAD", "ref: refs/heads/main\n");
    write_file(f, ".migsafe.yml", "pg_version: 12\n"); /* outside the repository */
    assert_null(ms_config_find(at(f, "repo/db/migrations")));
    write_file(f, "repo/db/.migsafe.yml", "pg_version: 13\n");
    char *found = ms_config_find(at(f, "repo/db/migrations"));
    assert_non_null(found);
    assert_non_null(strstr(found, "/repo/db/.migsafe.yml"));
    free(found);
}

static void test_config__exclude_globs(void **state)
{
    struct fixture *f = *state;
    write_file(f, "db/.migsafe.yml", "exclude: ['legacy/**', '*_seed.sql', 'one/?.sql']\n");
    write_file(f, "db/legacy/x/001.sql", "");
    write_file(f, "db/a_seed.sql", "");
    write_file(f, "db/sub/b_seed.sql", "");
    write_file(f, "db/one/1.sql", "");
    write_file(f, "db/one/12.sql", "");
    write_file(f, "db/keep.sql", "");
    struct ms_config cfg;
    assert_int_equal(load(f, "db/.migsafe.yml", &cfg), 0);
    assert_true(ms_config_excludes(&cfg, at(f, "db/legacy/x/001.sql")));
    assert_true(ms_config_excludes(&cfg, at(f, "db/a_seed.sql")));
    assert_true(ms_config_excludes(&cfg, at(f, "db/sub/b_seed.sql")));
    assert_true(ms_config_excludes(&cfg, at(f, "db/one/1.sql")));
    assert_false(ms_config_excludes(&cfg, at(f, "db/one/12.sql")));
    assert_false(ms_config_excludes(&cfg, at(f, "db/keep.sql")));
    assert_false(ms_config_excludes(&cfg, "-"));
}

static void test_config__settings_merge_config_and_command_line(void **state)
{
    struct fixture *f = *state;
    write_file(f, "p/.migsafe.yml",
               "pg_version: 11\nfail_on: warning\n"
               "rules: {drop-table: warning, drop-column: off}\n"
               "lock_timeout_limit: 4000\n");
    write_file(f, "p/.git/HEAD", "");
    write_file(f, "p/m/001.sql", "");
    const struct ms_rule_switch sw[] = {{"drop-column", true}};
    struct ms_overrides o = {.pg_version = 14, .n_switches = 1, .switches = sw};
    struct ms_settings_cache *c = ms_settings_cache_new(&o);
    const struct ms_settings *s = ms_settings_for(c, at(f, "p/m/001.sql"));
    assert_non_null(s);
    assert_int_equal(s->engine.pg_version, 14); /* the command line wins */
    assert_int_equal(s->fail_on, MS_WARNING);   /* from the file */
    assert_int_equal(s->engine.lock_timeout_limit_ms, 4000);
    int drop_table = ms_rule_find("drop-table"), drop_column = ms_rule_find("drop-column");
    assert_int_equal(s->engine.severity[drop_table], MS_WARNING);
    assert_true(s->engine.enabled[drop_column]); /* --enable beats "off" */
    /* the same folder gives the same settings */
    assert_ptr_equal(ms_settings_for(c, at(f, "p/m/001.sql")), s);
    assert_false(ms_settings_failed(c));
    ms_settings_cache_free(c);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_config__every_key),
        T(test_config__errors_name_file_line_column),
        T(test_config__invalid_yaml),
        T(test_config__empty_file_is_defaults),
        T(test_config__search_stops_at_the_repository_root),
        T(test_config__exclude_globs),
        T(test_config__settings_merge_config_and_command_line),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
