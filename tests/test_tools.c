/* test_tools.c: migration tool detection, grouping, ordering and transaction modes
 * (src/tools.c). Most tests build a tree in a fresh temporary folder; the last ones read
 * fixtures/frameworks/, whose README says what each file stands for. */
#include "tools.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#define MAX_FILES 128

struct fixture {
    char root[64];
    char buf[4096];
    size_t n;
    char *paths[MAX_FILES];
    const char *frameworks[MAX_FILES];
    bool detected;
    struct ms_tools_result r;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->root, sizeof(f->root), "/tmp/ms-test-tools-XXXXXX");
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
    if (f->detected)
        ms_tools_release(&f->r);
    for (size_t i = 0; i < f->n; i++)
        free(f->paths[i]);
    free(f);
    return 0;
}

/* root/rel; valid until the next call. */
static const char *at(struct fixture *f, const char *rel)
{
    snprintf(f->buf, sizeof(f->buf), "%s/%s", f->root, rel);
    return f->buf;
}

static bool is_migration_file(const char *rel)
{
    size_t n = strlen(rel);
    return (n > 4 && strcmp(rel + n - 4, ".sql") == 0) ||
           (n > 3 && strcmp(rel + n - 3, ".py") == 0);
}

/* Writes root/rel (creating its folders); .sql and .py files join the paths to detect. */
static void put(struct fixture *f, const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", f->root, rel);
    for (char *p = path + strlen(f->root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
    if (is_migration_file(rel)) {
        assert_true(f->n < MAX_FILES);
        f->paths[f->n++] = ms_xstrdup(path);
    }
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void detect(struct fixture *f)
{
    qsort(f->paths, f->n, sizeof(char *), compare_paths);
    struct ms_tools_options opts = {.frameworks = f->frameworks};
    ms_tools_detect((const char *const *)f->paths, f->n, &opts, &f->r);
    f->detected = true;
}

/* The result's file whose path ends with /rel. */
static const struct ms_tools_file *file(struct fixture *f, const char *rel)
{
    size_t k = strlen(rel);
    for (size_t i = 0; i < f->r.n_files; i++) {
        const char *p = f->r.files[i].path;
        size_t n = strlen(p);
        if (n > k && strcmp(p + n - k, rel) == 0 && p[n - k - 1] == '/')
            return &f->r.files[i];
    }
    fail_msg("no file %s", rel);
    return NULL;
}

static size_t file_index(struct fixture *f, const char *rel)
{
    return (size_t)(file(f, rel) - f->r.files);
}

static const struct ms_tools_migration *mig(struct fixture *f, const char *rel)
{
    const struct ms_tools_file *x = file(f, rel);
    assert_int_not_equal(x->migration, MS_TOOLS_NONE);
    return &f->r.migrations[x->migration];
}

/* The migrations' ids in run order, comma-separated. */
static const char *order(struct fixture *f)
{
    static char out[4096];
    size_t len = 0;
    out[0] = '\0';
    for (size_t m = 0; m < f->r.n_migrations; m++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", m ? "," : "",
                                f->r.migrations[m].id);
    return out;
}

/* The text of a section of a file. */
static char *section_text(const struct ms_tools_file *x, const struct ms_tools_section *s)
{
    size_t len;
    FILE *fp = fopen(x->path, "rb");
    assert_non_null(fp);
    char *buf = calloc(1, 65536);
    len = fread(buf, 1, 65535, fp);
    fclose(fp);
    assert_true(s->end <= len && s->start <= s->end);
    memmove(buf, buf + s->start, s->end - s->start);
    buf[s->end - s->start] = '\0';
    return buf;
}

/* ---- names ---- */

static void test_tools__kind_names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < MS_KIND_COUNT; k++) {
        enum ms_tool_kind back;
        assert_int_equal(ms_tools_kind_parse(ms_tools_kind_name((enum ms_tool_kind)k), &back), 0);
        assert_int_equal(back, k);
    }
    enum ms_tool_kind kind;
    assert_int_equal(ms_tools_kind_parse("Golang-Migrate", &kind), 0);
    assert_int_equal(kind, MS_KIND_GOLANG_MIGRATE);
    assert_int_equal(ms_tools_kind_parse("sql", &kind), 0);
    assert_int_equal(kind, MS_KIND_SQL);
    assert_int_equal(ms_tools_kind_parse("popx", &kind), 0);
    assert_int_equal(kind, MS_KIND_POP);
    assert_int_equal(ms_tools_kind_parse("rails", &kind), -1);
    assert_int_equal(ms_tools_kind_parse(NULL, &kind), -1);
    assert_string_equal(ms_tools_kind_name(MS_KIND_POSTGRES_MIGRATIONS), "postgres-migrations");
    assert_string_equal(ms_tools_kind_name((enum ms_tool_kind)99), "?");
    assert_int_equal((int)MS_KIND_SQL, (int)MS_TOOL_SQL);
    assert_int_equal((int)MS_KIND_ALEMBIC, (int)MS_TOOL_ALEMBIC);
}

/* ---- golang-migrate ---- */

static void test_tools__golang_migrate_pairs_twins_in_numeric_order(void **state)
{
    struct fixture *f = *state;
    put(f, "m/1_create.up.sql", "CREATE TABLE a (id int);\n");
    put(f, "m/1_create.down.sql", "DROP TABLE a;\n");
    put(f, "m/2_index.up.sql", "-- why\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\n");
    put(f, "m/2_index.down.sql", "-- nothing to undo\n/* really */\n");
    put(f, "m/10_more.up.sql", "ALTER TABLE a ADD COLUMN b int;\n");
    put(f, "m/README.sql", "SELECT 1;\n");
    detect(f);
    assert_string_equal(order(f), "1_create,2_index,10_more");
    const struct ms_tools_migration *m = mig(f, "m/1_create.up.sql");
    assert_int_equal(m->tool, MS_KIND_GOLANG_MIGRATE);
    assert_string_equal(m->version, "1");
    assert_string_equal(m->name, "create");
    assert_int_equal(m->down, MS_DOWN_PRESENT);
    assert_int_equal(m->up_file, file_index(f, "m/1_create.up.sql"));
    assert_int_equal(m->down_file, file_index(f, "m/1_create.down.sql"));
    assert_int_equal(file(f, "m/1_create.up.sql")->role, MS_ROLE_UP);
    assert_int_equal(file(f, "m/1_create.down.sql")->role, MS_ROLE_DOWN);
    /* one Exec per file */
    assert_int_equal(file(f, "m/2_index.up.sql")->up.tx, MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(file(f, "m/2_index.down.sql")->down.tx, MS_TX_IMPLICIT_IF_MULTI);
    assert_non_null(strstr(file(f, "m/2_index.up.sql")->up.hint, "migration file of its own"));
    /* an empty down, and a finding about it at the up's first statement */
    m = mig(f, "m/2_index.up.sql");
    assert_int_equal(m->down, MS_DOWN_EMPTY);
    assert_true(file(f, "m/2_index.down.sql")->down.empty);
    assert_int_equal(m->down_offset, strlen("-- why\n"));
    assert_int_equal(mig(f, "m/10_more.up.sql")->down, MS_DOWN_ABSENT);
    assert_int_equal(mig(f, "m/10_more.up.sql")->down_file, MS_TOOLS_NONE);
    /* a name golang-migrate does not take */
    const struct ms_tools_file *readme = file(f, "m/README.sql");
    assert_int_equal(readme->role, MS_ROLE_IGNORED);
    assert_int_equal(readme->tool, MS_KIND_GOLANG_MIGRATE);
    assert_int_equal(readme->migration, MS_TOOLS_NONE);
    assert_non_null(strstr(readme->note, "golang-migrate runs only"));
}

static void test_tools__golang_migrate_pairs_by_version_and_flags_duplicates(void **state)
{
    struct fixture *f = *state;
    /* golang-migrate pairs by version, whatever the names say */
    put(f, "m/88_analytics_table.up.sql", "SELECT 1;\n");
    put(f, "m/88_add_analytics_table.down.sql", "SELECT 2;\n");
    put(f, "m/0089_a.up.sql", "SELECT 3;\n");
    put(f, "m/89_b.up.sql", "SELECT 4;\n");
    detect(f);
    const struct ms_tools_migration *m = mig(f, "m/88_analytics_table.up.sql");
    assert_int_equal(m->down, MS_DOWN_PRESENT);
    assert_int_equal(m->down_file, file_index(f, "m/88_add_analytics_table.down.sql"));
    assert_null(mig(f, "m/0089_a.up.sql")->duplicate_of);
    assert_non_null(mig(f, "m/89_b.up.sql")->duplicate_of);
    assert_non_null(strstr(mig(f, "m/89_b.up.sql")->duplicate_of, "0089_a.up.sql"));
}

/* ---- golang-migrate or sqlx: same names, other semantics ---- */

static void test_tools__sqlx_is_told_from_golang_migrate_by_its_markers(void **state)
{
    struct fixture *f = *state;
    put(f, "a/migrations/20240101000000_x.up.sql", "-- Add up migration script here\nSELECT 1;\n");
    put(f, "a/migrations/20240101000000_x.down.sql", "SELECT 1;\n");
    put(f, "b/migrations/20240101000000_y.up.sql", "-- no-transaction\nSELECT 1;\n");
    put(f, "b/migrations/20240101000000_y.down.sql", "SELECT 1;\n");
    put(f, "c/migrations/20240101000000_z.up.sql", "SELECT 1;\n");
    put(f, "c/migrations/20240101000000_z.down.sql", "SELECT 1;\n");
    detect(f);
    assert_int_equal(file(f, "a/migrations/20240101000000_x.up.sql")->tool, MS_KIND_SQLX);
    assert_int_equal(file(f, "b/migrations/20240101000000_y.up.sql")->tool, MS_KIND_SQLX);
    /* c has no marker of its own: the tree's evidence (sqlx, no Go tool) decides */
    assert_int_equal(file(f, "c/migrations/20240101000000_z.up.sql")->tool, MS_KIND_SQLX);
    /* sqlx wraps each file in a transaction unless it starts with -- no-transaction */
    assert_int_equal(file(f, "a/migrations/20240101000000_x.up.sql")->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(file(f, "b/migrations/20240101000000_y.up.sql")->up.tx,
                     MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(file(f, "b/migrations/20240101000000_y.down.sql")->down.tx, MS_TX_EXPLICIT);
}

static void test_tools__twins_without_evidence_are_golang_migrate(void **state)
{
    struct fixture *f = *state;
    put(f, "c/20240101000000_z.up.sql", "SELECT 1;\n");
    put(f, "g/00001_init.sql", "-- +goose Up\nSELECT 1;\n");
    put(f, "s/20240101000000_s.up.sql", "-- no-transaction\nSELECT 1;\n");
    detect(f);
    /* a Go tool in the tree as well: the evidence conflicts, golang-migrate stays */
    assert_int_equal(file(f, "c/20240101000000_z.up.sql")->tool, MS_KIND_GOLANG_MIGRATE);
    assert_int_equal(file(f, "s/20240101000000_s.up.sql")->tool, MS_KIND_SQLX);
}

static void test_tools__cargo_and_go_mod_decide_ambiguous_folders(void **state)
{
    struct fixture *f = *state;
    put(f, "rust/Cargo.toml", "[package]\nname = \"x\"\n");
    put(f, "rust/migrations/1_a.up.sql", "SELECT 1;\n");
    put(f, "rust/migrations/1_a.down.sql", "SELECT 1;\n");
    put(f, "rust/single/1_a.sql", "SELECT 1;\n");
    put(f, "go/go.mod", "module x\n");
    put(f, "go/migrations/1_a.up.sql", "SELECT 1;\n");
    detect(f);
    assert_int_equal(file(f, "rust/migrations/1_a.up.sql")->tool, MS_KIND_SQLX);
    assert_int_equal(file(f, "rust/single/1_a.sql")->tool, MS_KIND_SQLX);
    assert_int_equal(file(f, "go/migrations/1_a.up.sql")->tool, MS_KIND_GOLANG_MIGRATE);
}

static void test_tools__numbered_files_without_evidence_are_plain(void **state)
{
    struct fixture *f = *state;
    put(f, "supabase/migrations/20240108234540_setup.sql", "SELECT 1;\n");
    put(f, "supabase/migrations/20240108234541_more.sql", "SELECT 1;\n");
    detect(f);
    const struct ms_tools_file *x = file(f, "supabase/migrations/20240108234540_setup.sql");
    assert_int_equal(x->tool, MS_KIND_SQL);
    assert_int_equal(x->up.tx, MS_TX_NONE);
    assert_int_equal(mig(f, "supabase/migrations/20240108234540_setup.sql")->down,
                     MS_DOWN_NOT_APPLICABLE);
}

/* ---- sqlx ---- */

static void test_tools__sqlx_no_transaction_only_at_the_first_byte(void **state)
{
    struct fixture *f = *state;
    put(f, "m/1_a.sql", "-- Add migration script here\nSELECT 1;\n");
    put(f, "m/2_b.sql", "\n-- no-transaction\nSELECT 1;\n");
    put(f, "m/3_c.sql", "-- no-transaction\nSELECT 1;\n");
    put(f, "m/4_d.up.sql", "SELECT 1;\n");
    put(f, "m/x_bad.sql", "SELECT 1;\n");
    detect(f);
    assert_string_equal(order(f), "1_a,2_b,3_c,4_d");
    assert_int_equal(file(f, "m/2_b.sql")->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(file(f, "m/3_c.sql")->up.tx, MS_TX_IMPLICIT_IF_MULTI);
    assert_non_null(strstr(file(f, "m/2_b.sql")->up.hint, "-- no-transaction"));
    /* a simple migration has no way back by design; a reversible one lacks its twin */
    assert_int_equal(mig(f, "m/1_a.sql")->down, MS_DOWN_NOT_APPLICABLE);
    assert_int_equal(mig(f, "m/4_d.up.sql")->down, MS_DOWN_ABSENT);
    assert_int_equal(file(f, "m/x_bad.sql")->role, MS_ROLE_IGNORED);
}

/* ---- pop / popx ---- */

static void test_tools__pop_prefers_the_postgres_file_and_honours_autocommit(void **state)
{
    struct fixture *f = *state;
    put(f, "m/20200101000000_a.up.sql", "SELECT 1;\n");
    put(f, "m/20200101000000_a.postgres.up.sql", "SELECT 2;\n");
    put(f, "m/20200101000000_a.mysql.up.sql", "SELECT 3;\n");
    put(f, "m/20200101000000_a.down.sql", "SELECT 4;\n");
    put(f, "m/20200102000000_b.postgres.autocommit.up.sql", "SELECT 5;\n");
    put(f, "m/20200103000000_c.autocommit.up.sql", "SELECT 6;\n");
    detect(f);
    assert_int_equal(file(f, "m/20200101000000_a.up.sql")->tool, MS_KIND_POP);
    assert_int_equal(file(f, "m/20200101000000_a.up.sql")->role, MS_ROLE_IGNORED);
    assert_non_null(strstr(file(f, "m/20200101000000_a.up.sql")->note, "superseded by"));
    assert_int_equal(file(f, "m/20200101000000_a.mysql.up.sql")->role, MS_ROLE_IGNORED);
    assert_non_null(strstr(file(f, "m/20200101000000_a.mysql.up.sql")->note, "(mysql)"));
    const struct ms_tools_migration *m = mig(f, "m/20200101000000_a.postgres.up.sql");
    assert_int_equal(m->down_file, file_index(f, "m/20200101000000_a.down.sql"));
    assert_int_equal(file(f, "m/20200101000000_a.postgres.up.sql")->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(file(f, "m/20200102000000_b.postgres.autocommit.up.sql")->up.tx,
                     MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(file(f, "m/20200103000000_c.autocommit.up.sql")->up.tx,
                     MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(f->r.n_migrations, 3);
}

static void test_tools__go_templates_mean_pop(void **state)
{
    struct fixture *f = *state;
    put(f, "m/00_init.up.sql", "CREATE SCHEMA IF NOT EXISTS {{ index .Options \"Namespace\" }};\n");
    put(f, "m/01_more.up.sql", "SELECT '{{not a template}}';\n");
    put(f, "j/1_a.up.sql", "SELECT '{{ \"json\": 1 }}';\n");
    detect(f);
    assert_int_equal(file(f, "m/00_init.up.sql")->tool, MS_KIND_POP);
    assert_int_equal(file(f, "m/01_more.up.sql")->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(file(f, "j/1_a.up.sql")->tool, MS_KIND_GOLANG_MIGRATE);
}

/* ---- goose ---- */

static const char goose_file[] = "-- a comment before Up\n"
                                 "-- +goose Up\n"
                                 "CREATE TABLE t (id int);\n"
                                 "-- +goose StatementBegin\n"
                                 "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                                 "-- +goose StatementEnd\n"
                                 "\n"
                                 "-- +goose Down\n"
                                 "DROP TABLE t;\n";

static void test_tools__goose_sections_and_blocks(void **state)
{
    struct fixture *f = *state;
    put(f, "db/migrations/00001_t.sql", goose_file);
    detect(f);
    const struct ms_tools_file *x = file(f, "db/migrations/00001_t.sql");
    assert_int_equal(x->tool, MS_KIND_GOOSE);
    assert_int_equal(x->role, MS_ROLE_UP_DOWN);
    assert_null(x->note);
    char *up = section_text(x, &x->up);
    assert_string_equal(up, "CREATE TABLE t (id int);\n"
                            "-- +goose StatementBegin\n"
                            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                            "-- +goose StatementEnd\n"
                            "\n");
    free(up);
    char *down = section_text(x, &x->down);
    assert_string_equal(down, "DROP TABLE t;\n");
    free(down);
    assert_int_equal(x->up.marker, strlen("-- a comment before Up\n"));
    assert_int_equal(x->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(x->down.tx, MS_TX_EXPLICIT);
    assert_non_null(strstr(x->up.hint, "NO TRANSACTION"));
    assert_int_equal(x->n_blocks, 1);
    char *block = section_text(
        x, &(struct ms_tools_section){.start = x->blocks[0].start, .end = x->blocks[0].end});
    assert_string_equal(block, "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
    free(block);
    assert_false(x->blocks[0].in_down);
    const struct ms_tools_migration *m = mig(f, "db/migrations/00001_t.sql");
    assert_int_equal(m->up_file, m->down_file);
    assert_int_equal(m->down, MS_DOWN_PRESENT);
    assert_int_equal(m->down_offset, x->down.marker);
    assert_string_equal(m->version, "00001");
    assert_string_equal(m->id, "00001_t");
}

static void test_tools__goose_no_transaction_and_odd_spellings(void **state)
{
    struct fixture *f = *state;
    put(f, "m/00002_b.sql", "-- +goose no transaction\n--  +goose up\nSELECT 1;\n");
    put(f, "m/00010_c.sql", "-- +goose Up\nCREATE TABLE c (id int);\n");
    put(f, "m/00009_d.sql",
        "-- +goose Up\nSELECT 1;\n-- +goose Down\n-- nothing\n  -- +goose StatementBegin\n");
    put(f, "m/00003_e.sql", "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n");
    put(f, "m/00004_f.sql", "-- just SQL\nSELECT 1;\n");
    detect(f);
    assert_string_equal(order(f), "00002_b,00003_e,00004_f,00009_d,00010_c");
    const struct ms_tools_file *b = file(f, "m/00002_b.sql");
    assert_int_equal(b->up.tx, MS_TX_NONE);
    assert_int_equal(b->down.tx, MS_TX_NONE);
    assert_true(b->up.present);
    assert_non_null(strstr(b->note, "spelled otherwise"));
    assert_int_equal(mig(f, "m/00002_b.sql")->down, MS_DOWN_ABSENT);
    /* no Down: the finding goes to the first statement of the up section */
    const struct ms_tools_migration *c = mig(f, "m/00010_c.sql");
    assert_int_equal(c->down, MS_DOWN_ABSENT);
    assert_int_equal(c->down_offset, strlen("-- +goose Up\n"));
    /* an empty Down: at its marker */
    const struct ms_tools_migration *d = mig(f, "m/00009_d.sql");
    assert_int_equal(d->down, MS_DOWN_EMPTY);
    assert_int_equal(d->down_offset, strlen("-- +goose Up\nSELECT 1;\n"));
    assert_non_null(strstr(file(f, "m/00009_d.sql")->note, "white space before the --"));
    assert_non_null(strstr(file(f, "m/00003_e.sql")->note, "without StatementEnd"));
    assert_non_null(strstr(file(f, "m/00004_f.sql")->note, "no -- +goose Up"));
    assert_false(file(f, "m/00004_f.sql")->up.present);
}

static void test_tools__goose_block_in_down_and_unversioned_files(void **state)
{
    struct fixture *f = *state;
    put(f, "t/input.sql",
        "-- +goose Up\nSELECT 1;\n-- +goose Down\n-- +goose StatementBegin\nSELECT 2;\n"
        "-- +goose StatementEnd\n");
    put(f, "t/00001_a.sql", "-- +goose Up\nSELECT 1;\n");
    detect(f);
    const struct ms_tools_file *x = file(f, "t/input.sql");
    assert_int_equal(x->n_blocks, 1);
    assert_true(x->blocks[0].in_down);
    assert_null(mig(f, "t/input.sql")->version);
    assert_non_null(strstr(x->note, "<version>_<name>.sql"));
    /* goose does not run it: after the versioned ones */
    assert_string_equal(order(f), "00001_a,input");
}

/* ---- dbmate ---- */

static void test_tools__dbmate_sections_and_options(void **state)
{
    struct fixture *f = *state;
    put(f, "db/migrations/20240102_b.sql",
        "--migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
        "-- migrate:down\nDROP INDEX i;\n");
    put(f, "db/migrations/20240101_a.sql",
        "-- migrate:up\nCREATE TABLE t (a int);\n\n"
        "-- migrate:down\n\n");
    put(f, "db/migrations/20240103_c.sql",
        "-- migrate:up\nALTER TABLE t ADD COLUMN s text;\n-- Migrate:Down\n"
        "ALTER TABLE t DROP COLUMN s;\n");
    put(f, "db/migrations/schema.sql", "CREATE TABLE t (a int);\n");
    detect(f);
    assert_string_equal(order(f), "20240101_a,20240102_b,20240103_c");
    const struct ms_tools_file *b = file(f, "db/migrations/20240102_b.sql");
    assert_int_equal(b->tool, MS_KIND_DBMATE);
    assert_int_equal(b->up.tx, MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(b->down.tx, MS_TX_EXPLICIT);
    assert_non_null(strstr(b->down.hint, "-- migrate:down marker"));
    char *up = section_text(b, &b->up);
    assert_string_equal(up, "CREATE INDEX CONCURRENTLY i ON t (a);\n");
    free(up);
    const struct ms_tools_migration *a = mig(f, "db/migrations/20240101_a.sql");
    assert_int_equal(a->down, MS_DOWN_EMPTY);
    assert_int_equal(a->down_offset, strlen("-- migrate:up\nCREATE TABLE t (a int);\n\n"));
    /* a miscased marker is no marker: its statement belongs to the up section */
    const struct ms_tools_file *c = file(f, "db/migrations/20240103_c.sql");
    assert_false(c->down.present);
    assert_int_equal(mig(f, "db/migrations/20240103_c.sql")->down, MS_DOWN_ABSENT);
    char *cup = section_text(c, &c->up);
    assert_non_null(strstr(cup, "DROP COLUMN s"));
    free(cup);
    assert_non_null(strstr(c->note, "looks like a dbmate marker"));
    assert_int_equal(file(f, "db/migrations/schema.sql")->role, MS_ROLE_IGNORED);
}

/* ---- Flyway ---- */

static void test_tools__flyway_versions_undo_repeatable_and_baseline(void **state)
{
    struct fixture *f = *state;
    put(f, "db/migration/V1_2_10__c.sql", "SELECT 1;\n");
    put(f, "db/migration/V1.2.9__b.sql", "SELECT 1;\n");
    put(f, "db/migration/V1__a.sql", "SELECT 1;\n");
    put(f, "db/migration/U1.0__a.sql", "SELECT 1;\n");
    put(f, "db/migration/R__views.sql", "SELECT 1;\n");
    put(f, "db/migration/R__audit.sql", "SELECT 1;\n");
    put(f, "db/migration/B1.2.9__base.sql", "SELECT 1;\n");
    put(f, "db/migration/notes.sql", "SELECT 1;\n");
    detect(f);
    assert_string_equal(order(f), "V1,B1.2.9,V1.2.9,V1.2.10,R__audit,R__views");
    const struct ms_tools_migration *v1 = mig(f, "db/migration/V1__a.sql");
    assert_int_equal(v1->tool, MS_KIND_FLYWAY);
    assert_int_equal(v1->down_file, file_index(f, "db/migration/U1.0__a.sql"));
    assert_int_equal(v1->down, MS_DOWN_PRESENT);
    /* the project has undo files: a V without one has no way back */
    assert_int_equal(mig(f, "db/migration/V1.2.9__b.sql")->down, MS_DOWN_ABSENT);
    assert_true(mig(f, "db/migration/R__views.sql")->repeatable);
    assert_int_equal(mig(f, "db/migration/R__views.sql")->down, MS_DOWN_NOT_APPLICABLE);
    assert_true(mig(f, "db/migration/B1.2.9__base.sql")->baseline);
    assert_int_equal(mig(f, "db/migration/B1.2.9__base.sql")->down, MS_DOWN_NOT_APPLICABLE);
    assert_string_equal(mig(f, "db/migration/V1_2_10__c.sql")->version, "1_2_10");
    assert_string_equal(mig(f, "db/migration/V1_2_10__c.sql")->name, "c");
    assert_int_equal(file(f, "db/migration/V1__a.sql")->up.tx, MS_TX_BY_STATEMENTS);
    assert_int_equal(file(f, "db/migration/U1.0__a.sql")->down.tx, MS_TX_BY_STATEMENTS);
    assert_int_equal(file(f, "db/migration/notes.sql")->role, MS_ROLE_IGNORED);
}

static void test_tools__flyway_without_undo_files_has_no_downs(void **state)
{
    struct fixture *f = *state;
    put(f, "m/V1__a.sql", "SELECT 1;\n");
    put(f, "m/V2__b.sql", "SELECT 1;\n");
    put(f, "m/V2__again.sql", "SELECT 1;\n");
    detect(f);
    assert_int_equal(mig(f, "m/V1__a.sql")->down, MS_DOWN_NOT_APPLICABLE);
    const char *dup = mig(f, "m/V2__b.sql")->duplicate_of;
    const char *dup2 = mig(f, "m/V2__again.sql")->duplicate_of;
    assert_true((dup == NULL) != (dup2 == NULL));
}

static void test_tools__flyway_script_and_project_configuration(void **state)
{
    struct fixture *f = *state;
    put(f, "flyway.conf", "flyway.mixed=true\nflyway.group = true\n");
    put(f, "sql/V1__a.sql", "REINDEX INDEX CONCURRENTLY i;\n");
    put(f, "sql/V1__a.sql.conf", "# script configuration\nexecuteInTransaction=false\n");
    put(f, "sql/V2__b.sql", "CREATE INDEX CONCURRENTLY i2 ON t (a);\n");
    put(f, "sql/V2__b.sql.conf", "executeInTransaction = true\n");
    detect(f);
    const struct ms_tools_file *a = file(f, "sql/V1__a.sql");
    assert_int_equal(a->up.tx, MS_TX_NONE);
    assert_non_null(strstr(a->up.hint, "statement by statement"));
    assert_int_equal(file(f, "sql/V2__b.sql")->up.tx, MS_TX_EXPLICIT);
    assert_true(mig(f, "sql/V1__a.sql")->flyway_mixed);
    assert_true(mig(f, "sql/V1__a.sql")->flyway_group);
}

static bool outside(const char *sql, int pg_version)
{
    return ms_tools_flyway_outside_tx(sql, strlen(sql), pg_version);
}

static void test_tools__flyway_recognises_what_flyway_does(void **state)
{
    (void)state;
    assert_true(outside("CREATE INDEX CONCURRENTLY i ON t (a)", 15));
    assert_true(outside("create unique index concurrently i on t (a)", 15));
    assert_true(outside("-- first\n/* a /* nested */ comment */ DROP INDEX CONCURRENTLY i", 15));
    assert_true(outside("DROP INDEX CONCURRENTLY IF EXISTS i", 15));
    assert_true(outside("VACUUM ANALYZE t", 15));
    assert_true(outside("CREATE DATABASE app", 15));
    assert_true(outside("drop tablespace ts", 15));
    assert_true(outside("CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p", 15));
    assert_true(outside("ALTER SYSTEM SET work_mem = '64MB'", 15));
    assert_true(outside("DISCARD ALL", 15));
    assert_true(outside("REINDEX SCHEMA public", 15));
    assert_true(outside("REINDEX VERBOSE DATABASE app", 15));
    assert_true(outside("REINDEX (VERBOSE) SYSTEM app", 15));
    /* not recognised by Flyway: they run in its transaction and fail there */
    assert_false(outside("REINDEX INDEX CONCURRENTLY i", 15));
    assert_false(outside("REINDEX TABLE CONCURRENTLY t", 15));
    assert_false(outside("ALTER TABLE m DETACH PARTITION m_2019 CONCURRENTLY", 15));
    assert_false(outside("CREATE INDEX i ON t (a)", 15));
    assert_false(outside("CREATE INDEX IF NOT EXISTS concurrently ON t (a)", 15));
    assert_false(outside("SELECT 'CREATE INDEX CONCURRENTLY'", 15));
    assert_false(outside("\"VACUUM\"", 15));
    assert_false(outside("DISCARD PLANS", 15));
    /* ALTER TYPE ... ADD VALUE: outside a transaction only before PostgreSQL 12 */
    assert_true(outside("ALTER TYPE mood ADD VALUE 'meh'", 11));
    assert_true(outside("ALTER TYPE \"Mood\" ADD VALUE IF NOT EXISTS 'meh'", 11));
    assert_false(outside("ALTER TYPE mood ADD VALUE 'meh'", 12));
    /* Flyway looks at the first ten keywords only */
    assert_false(outside("ALTER TYPE a b c d e f g h i ADD VALUE 'x'", 11));
    assert_false(outside("", 15));
}

static void test_tools__resolve_tx_for_flyway_files(void **state)
{
    (void)state;
    struct ms_tools_migration m = {.tool = MS_KIND_FLYWAY};
    struct ms_tools_section s = {.present = true, .tx = MS_TX_BY_STATEMENTS};
    struct ms_tools_tx tx;
    const bool none[] = {false, false}, all[] = {true, true}, mixed[] = {false, false, true};
    ms_tools_resolve_tx(&m, &s, none, 2, &tx);
    assert_int_equal(tx.tx, MS_TX_EXPLICIT);
    assert_false(tx.mixed);
    assert_int_equal(tx.offending, MS_TOOLS_NONE);
    ms_tools_resolve_tx(&m, &s, all, 2, &tx);
    assert_int_equal(tx.tx, MS_TX_NONE);
    assert_false(tx.mixed);
    ms_tools_resolve_tx(&m, &s, mixed, 3, &tx);
    assert_true(tx.mixed);
    assert_int_equal(tx.offending, 2);
    m.flyway_mixed = true; /* allowed: the whole file runs outside a transaction */
    ms_tools_resolve_tx(&m, &s, mixed, 3, &tx);
    assert_false(tx.mixed);
    assert_int_equal(tx.tx, MS_TX_NONE);
    m.flyway_mixed = false;
    s.tx = MS_TX_EXPLICIT; /* executeInTransaction=true: decided, but still mixed */
    ms_tools_resolve_tx(&m, &s, mixed, 3, &tx);
    assert_int_equal(tx.tx, MS_TX_EXPLICIT);
    assert_true(tx.mixed);
    /* other tools: the section says it all */
    struct ms_tools_migration g = {.tool = MS_KIND_GOOSE};
    struct ms_tools_section gs = {.present = true, .tx = MS_TX_NONE};
    ms_tools_resolve_tx(&g, &gs, all, 2, &tx);
    assert_int_equal(tx.tx, MS_TX_NONE);
    assert_false(tx.mixed);
    ms_tools_resolve_tx(NULL, &gs, NULL, 0, &tx);
    assert_int_equal(tx.tx, MS_TX_NONE);
}

/* ---- diesel, Sourcegraph, Prisma: one folder per migration ---- */

static void test_tools__diesel_folders_and_metadata(void **state)
{
    struct fixture *f = *state;
    put(f, "migrations/2019-02-26-002946_b/up.sql", "SELECT 1;\n");
    put(f, "migrations/2019-02-26-002946_b/down.sql", "-- This file should undo anything\n");
    put(f, "migrations/00000000000000_diesel_initial_setup/up.sql", "SELECT 1;\n");
    put(f, "migrations/00000000000000_diesel_initial_setup/down.sql", "SELECT 1;\n");
    put(f, "migrations/2019-03-01-000000_c/up.sql", "SELECT 1;\n");
    put(f, "migrations/2019-03-01-000000_c/metadata.toml", "run_in_transaction = false\n");
    put(f, "migrations/2019-03-01-000000_c/extra.sql", "SELECT 1;\n");
    detect(f);
    assert_string_equal(
        order(f), "00000000000000_diesel_initial_setup,2019-02-26-002946_b,2019-03-01-000000_c");
    const struct ms_tools_migration *b = mig(f, "migrations/2019-02-26-002946_b/up.sql");
    assert_int_equal(b->tool, MS_KIND_DIESEL);
    assert_string_equal(b->version, "2019-02-26-002946");
    assert_string_equal(b->name, "b");
    assert_int_equal(b->down, MS_DOWN_EMPTY);
    assert_int_equal(file(f, "migrations/2019-02-26-002946_b/up.sql")->up.tx, MS_TX_EXPLICIT);
    const struct ms_tools_migration *c = mig(f, "migrations/2019-03-01-000000_c/up.sql");
    assert_int_equal(c->down, MS_DOWN_ABSENT);
    assert_int_equal(file(f, "migrations/2019-03-01-000000_c/up.sql")->up.tx,
                     MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(file(f, "migrations/2019-03-01-000000_c/extra.sql")->role, MS_ROLE_IGNORED);
}

static void test_tools__sourcegraph_runs_parents_first(void **state)
{
    struct fixture *f = *state;
    put(f, "m/100_a/up.sql", "SELECT 1;\n");
    put(f, "m/100_a/down.sql", "SELECT 1;\n");
    put(f, "m/100_a/metadata.yaml", "name: a\nparents: []\n");
    put(f, "m/200_b/up.sql", "SELECT 1;\n");
    put(f, "m/200_b/metadata.yaml", "name: b\nparents:\n  - 300\n");
    put(f, "m/300_c/up.sql", "SELECT 1;\n");
    put(f, "m/300_c/down.sql", "SELECT 1;\n");
    put(f, "m/300_c/metadata.yaml", "name: c\nparent: 100\ncreateIndexConcurrently: true\n");
    detect(f);
    assert_string_equal(order(f), "100_a,300_c,200_b");
    assert_int_equal(mig(f, "m/200_b/up.sql")->tool, MS_KIND_SOURCEGRAPH);
    assert_int_equal(mig(f, "m/200_b/up.sql")->down, MS_DOWN_ABSENT);
    assert_int_equal(file(f, "m/100_a/up.sql")->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(file(f, "m/300_c/up.sql")->up.tx, MS_TX_IMPLICIT_IF_MULTI);
}

static void test_tools__prisma_folders_in_name_order(void **state)
{
    struct fixture *f = *state;
    put(f, "prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
    put(f, "prisma/migrations/10_b/migration.sql", "SELECT 1;\n");
    put(f, "prisma/migrations/02_a/migration.sql", "SELECT 1;\n");
    put(f, "prisma/migrations/init/migration.sql", "SELECT 1;\n");
    put(f, "prisma/migrations/20240101_x.sql/migration.sql", "SELECT 1;\n");
    detect(f);
    /* Prisma sorts the folder names as text */
    assert_string_equal(order(f), "02_a,10_b,20240101_x.sql,init");
    const struct ms_tools_migration *m = mig(f, "prisma/migrations/10_b/migration.sql");
    assert_int_equal(m->tool, MS_KIND_PRISMA);
    assert_int_equal(m->down, MS_DOWN_NOT_APPLICABLE);
    assert_string_equal(m->version, "10");
    assert_string_equal(m->name, "b");
    assert_int_equal(file(f, "prisma/migrations/init/migration.sql")->up.tx,
                     MS_TX_IMPLICIT_IF_MULTI);
    assert_non_null(strstr(file(f, "prisma/migrations/init/migration.sql")->up.hint, "batch"));
}

static void test_tools__a_migration_sql_file_alone_is_plain(void **state)
{
    struct fixture *f = *state;
    put(f, "sql/migration.sql", "SELECT 1;\n");
    put(f, "sql/sub/migration.sql", "SELECT 1;\n");
    detect(f);
    assert_int_equal(file(f, "sql/migration.sql")->tool, MS_KIND_SQL);
    assert_int_equal(file(f, "sql/sub/migration.sql")->tool, MS_KIND_SQL);
}

/* ---- sqitch ---- */

static const char sqitch_plan[] = "%syntax-version=1.0.0\n%project=x\n\n"
                                  "zeta 2024-01-01T00:00:00Z A <a@x> # first in the plan\n"
                                  "fns/f [zeta] 2024-01-01T00:00:00Z A <a@x> # a function\n"
                                  "@v1 2024-01-02T00:00:00Z A <a@x> # tag\n"
                                  "@v1.1 2024-01-02T00:00:00Z A <a@x> # tag\n"
                                  "alpha 2024-01-03T00:00:00Z A <a@x> # third\n"
                                  "fns/f [fns/f@v1.1] 2024-01-04T00:00:00Z A <a@x> # reworked\n";

static void test_tools__sqitch_plan_order_and_reworked_changes(void **state)
{
    struct fixture *f = *state;
    put(f, "db/sqitch.plan", sqitch_plan);
    put(f, "db/sqitch.conf", "[core]\n\tengine = pg\n");
    put(f, "db/deploy/zeta.sql", "BEGIN;\nCREATE TABLE zeta (id int);\nCOMMIT;\n");
    put(f, "db/revert/zeta.sql", "BEGIN;\nDROP TABLE zeta;\nCOMMIT;\n");
    put(f, "db/verify/zeta.sql", "SELECT id FROM zeta WHERE false;\n");
    put(f, "db/deploy/alpha.sql", "CREATE TABLE alpha (id int);\n");
    put(f, "db/deploy/fns/f@v1.1.sql",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
    put(f, "db/revert/fns/f@v1.1.sql", "DROP FUNCTION f();\n");
    put(f, "db/deploy/fns/f.sql",
        "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';\n");
    put(f, "db/revert/fns/f.sql", "-- back to v1.1\n");
    put(f, "db/deploy/stray.sql", "SELECT 1;\n");
    put(f, "db/revert/gone.sql", "SELECT 1;\n");
    put(f, "db/seed.sql", "SELECT 1;\n");
    detect(f);
    /* plan order, the reworked change's first instance by its tag; scripts outside the plan
     * last */
    assert_string_equal(order(f), "zeta,fns/f@v1.1,alpha,fns/f,stray");
    const struct ms_tools_migration *z = mig(f, "db/deploy/zeta.sql");
    assert_int_equal(z->tool, MS_KIND_SQITCH);
    assert_null(z->version);
    assert_int_equal(z->down, MS_DOWN_PRESENT);
    assert_int_equal(z->down_file, file_index(f, "db/revert/zeta.sql"));
    assert_int_equal(z->verify_file, file_index(f, "db/verify/zeta.sql"));
    assert_int_equal(file(f, "db/verify/zeta.sql")->role, MS_ROLE_VERIFY);
    assert_int_equal(file(f, "db/deploy/zeta.sql")->up.tx, MS_TX_NONE);
    assert_non_null(strstr(file(f, "db/deploy/zeta.sql")->up.hint, "no transaction of its own"));
    assert_int_equal(mig(f, "db/deploy/alpha.sql")->down, MS_DOWN_ABSENT);
    const struct ms_tools_migration *old = mig(f, "db/deploy/fns/f@v1.1.sql");
    assert_string_equal(old->name, "fns/f");
    assert_int_equal(old->down_file, file_index(f, "db/revert/fns/f@v1.1.sql"));
    assert_int_equal(mig(f, "db/deploy/fns/f.sql")->down, MS_DOWN_EMPTY);
    assert_non_null(strstr(file(f, "db/deploy/stray.sql")->note, "not in sqitch.plan"));
    assert_int_equal(file(f, "db/revert/gone.sql")->role, MS_ROLE_IGNORED);
    assert_int_equal(file(f, "db/seed.sql")->role, MS_ROLE_IGNORED);
    assert_string_equal(z->group, at(f, "db"));
}

static void test_tools__sqitch_found_above_the_folder_given(void **state)
{
    struct fixture *f = *state;
    put(f, "proj/sqitch.plan", "%project=x\nonly 2024-01-01T00:00:00Z A <a@x>\n");
    put(f, "proj/deploy/only.sql", "SELECT 1;\n");
    /* the run is given deploy/ alone, through a relative path */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(at(f, "proj/deploy")), 0);
    const char *paths[] = {"only.sql"};
    struct ms_tools_result r;
    ms_tools_detect(paths, 1, NULL, &r);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(r.files[0].tool, MS_KIND_SQITCH);
    assert_int_equal(r.files[0].role, MS_ROLE_UP);
    assert_int_equal(r.n_migrations, 1);
    assert_string_equal(r.migrations[0].id, "only");
    assert_string_equal(r.migrations[0].group, "..");
    ms_tools_release(&r);
}

/* ---- postgres-migrations and plain SQL ---- */

static void test_tools__postgres_migrations_marker(void **state)
{
    struct fixture *f = *state;
    put(f, "m/0001-init.sql", "CREATE TABLE t (a int);\n");
    put(f, "m/00010-ten.sql", "SELECT 1;\n");
    put(f, "m/0002-idx.sql",
        "-- postgres-migrations disable-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n");
    detect(f);
    assert_string_equal(order(f), "0001-init,0002-idx,00010-ten");
    assert_int_equal(file(f, "m/0001-init.sql")->tool, MS_KIND_POSTGRES_MIGRATIONS);
    assert_int_equal(file(f, "m/0001-init.sql")->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(file(f, "m/0002-idx.sql")->up.tx, MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(mig(f, "m/0002-idx.sql")->down, MS_DOWN_NOT_APPLICABLE);
}

static void test_tools__plain_files_run_in_path_order(void **state)
{
    struct fixture *f = *state;
    put(f, "sql/b.sql", "SELECT 1;\n");
    put(f, "sql/a.sql", "SELECT 1;\n");
    put(f, "other/z.sql", "SELECT 1;\n");
    put(f, "versions/0001_x.py", "revision = 'x'\n");
    detect(f);
    assert_string_equal(order(f), "z.sql,a.sql,b.sql");
    assert_int_equal(file(f, "sql/a.sql")->tool, MS_KIND_SQL);
    assert_int_equal(file(f, "sql/a.sql")->up.tx, MS_TX_NONE);
    assert_string_equal(mig(f, "sql/a.sql")->group, at(f, "sql"));
    /* Alembic revisions are left to src/history.c */
    const struct ms_tools_file *py = file(f, "versions/0001_x.py");
    assert_int_equal(py->tool, MS_KIND_ALEMBIC);
    assert_int_equal(py->migration, MS_TOOLS_NONE);
}

/* ---- overrides, odd inputs ---- */

static void test_tools__framework_override(void **state)
{
    struct fixture *f = *state;
    put(f, "g/00001_a.sql", "SELECT 1;\n");
    put(f, "p/00001_b.sql", "-- +goose Up\nSELECT 1;\n");
    put(f, "u/00001_c.sql", "-- +goose Up\nSELECT 1;\n");
    qsort(f->paths, f->n, sizeof(char *), compare_paths);
    for (size_t i = 0; i < f->n; i++)
        f->frameworks[i] = strstr(f->paths[i], "/g/")   ? "goose"
                           : strstr(f->paths[i], "/p/") ? "plain"
                                                        : "no-such-tool";
    detect(f);
    const struct ms_tools_file *g = file(f, "g/00001_a.sql");
    assert_int_equal(g->tool, MS_KIND_GOOSE);
    assert_non_null(strstr(g->note, "no -- +goose Up"));
    assert_int_equal(file(f, "p/00001_b.sql")->tool, MS_KIND_SQL);
    assert_int_equal(file(f, "u/00001_c.sql")->tool, MS_KIND_GOOSE);
}

static void test_tools__unreadable_files_and_stdin(void **state)
{
    struct fixture *f = *state;
    put(f, "m/1_a.up.sql", "SELECT 1;\n");
    char gone[4096];
    snprintf(gone, sizeof(gone), "%s/m/1_a.down.sql", f->root);
    const char *paths[] = {"-", f->paths[0], gone};
    struct ms_tools_result r;
    ms_tools_detect(paths, 3, NULL, &r);
    assert_string_equal(r.files[0].path, "-");
    assert_int_equal(r.files[0].tool, MS_KIND_SQL);
    assert_int_equal(r.files[0].role, MS_ROLE_UP);
    assert_int_equal(r.files[2].role, MS_ROLE_DOWN);
    assert_string_equal(r.files[2].note, "cannot be read");
    /* not readable: not known to be empty */
    assert_int_equal(r.migrations[r.files[1].migration].down, MS_DOWN_PRESENT);
    ms_tools_release(&r);
    ms_tools_detect(NULL, 0, NULL, &r);
    assert_int_equal(r.n_files, 0);
    assert_int_equal(r.n_migrations, 0);
    ms_tools_release(&r);
}

/* ---- fixtures/frameworks ---- */

/* The .sql files below `dir`, sorted. */
static void collect(const char *dir, char ***paths, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            collect(p, paths, n, cap);
        } else if (strlen(e->d_name) > 4 &&
                   strcmp(e->d_name + strlen(e->d_name) - 4, ".sql") == 0) {
            MS_GROW(*paths, *cap, *n + 1);
            (*paths)[(*n)++] = ms_xstrdup(p);
        }
    }
    closedir(d);
}

struct fw_case {
    const char *dir;
    enum ms_tool_kind tool;
    const char *order;
};

static void check_fixture(const struct fw_case *c, struct ms_tools_result *r, char ***paths,
                          size_t *n)
{
    size_t cap = 0;
    *paths = NULL;
    *n = 0;
    collect(c->dir, paths, n, &cap);
    qsort(*paths, *n, sizeof(char *), compare_paths);
    ms_tools_detect((const char *const *)*paths, *n, NULL, r);
    char out[4096];
    size_t len = 0;
    out[0] = '\0';
    for (size_t m = 0; m < r->n_migrations; m++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", m ? "," : "",
                                r->migrations[m].id);
    for (size_t i = 0; i < r->n_files; i++)
        if (r->files[i].tool != c->tool)
            fail_msg("%s: %s, not %s", r->files[i].path, ms_tools_kind_name(r->files[i].tool),
                     ms_tools_kind_name(c->tool));
    assert_string_equal(out, c->order);
}

static const struct ms_tools_file *fx_file(struct ms_tools_result *r, const char *suffix)
{
    for (size_t i = 0; i < r->n_files; i++) {
        size_t n = strlen(r->files[i].path), k = strlen(suffix);
        if (n >= k && strcmp(r->files[i].path + n - k, suffix) == 0)
            return &r->files[i];
    }
    fail_msg("no file %s", suffix);
    return NULL;
}

static const struct ms_tools_migration *fx_mig(struct ms_tools_result *r, const char *suffix)
{
    const struct ms_tools_file *x = fx_file(r, suffix);
    assert_int_not_equal(x->migration, MS_TOOLS_NONE);
    return &r->migrations[x->migration];
}

static void release_fixture(struct ms_tools_result *r, char **paths, size_t n)
{
    ms_tools_release(r);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

static void test_tools__fixtures_are_read_as_their_readme_says(void **state)
{
    (void)state;
    static const struct fw_case cases[] = {
        {"fixtures/frameworks/golang-migrate", MS_KIND_GOLANG_MIGRATE,
         "000001_create_accounts,000002_index_accounts_email,000003_add_accounts_plan,"
         "000004_backfill_accounts_plan,000010_create_invoices"},
        {"fixtures/frameworks/goose", MS_KIND_GOOSE,
         "00001_create_users,00002_index_users_email,00003_index_users_name,"
         "00004_touch_updated_at,00005_add_users_nickname,00010_index_users_pair,"
         "00011_grant_reader"},
        {"fixtures/frameworks/dbmate", MS_KIND_DBMATE,
         "20240101090000_create_projects,20240102090000_index_projects_owner,"
         "20240103090000_index_projects_name,20240104090000_index_projects_pair,"
         "20240105090000_add_projects_archived,20240106090000_add_projects_slug"},
        {"fixtures/frameworks/flyway", MS_KIND_FLYWAY,
         "V1,V1.1,V1.2,V1.10,V1.11,V2,R__orders_view"},
        {"fixtures/frameworks/sqlx", MS_KIND_SQLX,
         "20240301120000_create_sessions,20240302120000_index_sessions_user,"
         "20240303120000_index_sessions_expiry,20240304120000_add_sessions_ip"},
        {"fixtures/frameworks/sqlx-simple", MS_KIND_SQLX,
         "20240401000000_create_events,20240402000000_index_events_kind,"
         "20240403000000_index_events_payload"},
        {"fixtures/frameworks/diesel", MS_KIND_DIESEL,
         "00000000000000_diesel_initial_setup,2024-05-01-101500_create_posts,"
         "2024-05-02-101500_index_posts_author,2024-05-03-101500_index_posts_title,"
         "2024-05-04-101500_add_posts_slug"},
        {"fixtures/frameworks/sqitch", MS_KIND_SQITCH,
         "appschema/schema,users,users_email_idx,insert_user@v1.1,insert_user,users_name_idx"},
        {"fixtures/frameworks/prisma", MS_KIND_PRISMA,
         "20240701080000_init,20240702080000_index_post_author,20240703080000_add_post_slug"},
        {"fixtures/frameworks/pop", MS_KIND_POP,
         "20240801000000_identities,20240802000000_identities_state,"
         "20240803000000_identities_traits,20240804000000_sessions"},
        {"fixtures/frameworks/sourcegraph", MS_KIND_SOURCEGRAPH,
         "1700000001_create_repos,1700000003_add_repos_stars,1700000002_index_repos_stars,"
         "1700000004_index_repos_name"},
        {"fixtures/frameworks/postgres-migrations", MS_KIND_POSTGRES_MIGRATIONS,
         "0001-create-buckets,0002-index-buckets-owner,0003-index-buckets-name,"
         "0004-buckets-public"},
        {"fixtures/frameworks/plain", MS_KIND_SQL, "01-roles.sql,02-roles-index.sql,03-grants.sql"},
    };
    for (size_t k = 0; k < MS_ARRAY_LEN(cases); k++) {
        struct ms_tools_result r;
        char **paths;
        size_t n;
        check_fixture(&cases[k], &r, &paths, &n);
        release_fixture(&r, paths, n);
    }
}

/* The facts the README's expectations rest on, tool by tool. */
static void test_tools__fixture_facts(void **state)
{
    (void)state;
    struct ms_tools_result r;
    char **paths;
    size_t n;
    struct fw_case c = {"fixtures/frameworks/golang-migrate", MS_KIND_GOLANG_MIGRATE,
                        "000001_create_accounts,000002_index_accounts_email,"
                        "000003_add_accounts_plan,000004_backfill_accounts_plan,"
                        "000010_create_invoices"};
    check_fixture(&c, &r, &paths, &n);
    assert_int_equal(fx_mig(&r, "000003_add_accounts_plan.up.sql")->down, MS_DOWN_EMPTY);
    assert_int_equal(fx_mig(&r, "000010_create_invoices.up.sql")->down, MS_DOWN_ABSENT);
    release_fixture(&r, paths, n);

    c = (struct fw_case){"fixtures/frameworks/goose", MS_KIND_GOOSE,
                         "00001_create_users,00002_index_users_email,00003_index_users_name,"
                         "00004_touch_updated_at,00005_add_users_nickname,"
                         "00010_index_users_pair,00011_grant_reader"};
    check_fixture(&c, &r, &paths, &n);
    assert_int_equal(fx_file(&r, "00002_index_users_email.sql")->up.tx, MS_TX_NONE);
    assert_int_equal(fx_file(&r, "00003_index_users_name.sql")->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(fx_mig(&r, "00004_touch_updated_at.sql")->down, MS_DOWN_ABSENT);
    assert_int_equal(fx_mig(&r, "00005_add_users_nickname.sql")->down, MS_DOWN_EMPTY);
    const struct ms_tools_file *pair = fx_file(&r, "00010_index_users_pair.sql");
    assert_int_equal(pair->up.tx, MS_TX_NONE);
    assert_int_equal(pair->n_blocks, 1);
    release_fixture(&r, paths, n);

    c = (struct fw_case){"fixtures/frameworks/dbmate", MS_KIND_DBMATE,
                         "20240101090000_create_projects,20240102090000_index_projects_owner,"
                         "20240103090000_index_projects_name,20240104090000_index_projects_pair,"
                         "20240105090000_add_projects_archived,20240106090000_add_projects_slug"};
    check_fixture(&c, &r, &paths, &n);
    const struct ms_tools_file *owner = fx_file(&r, "20240102090000_index_projects_owner.sql");
    assert_int_equal(owner->up.tx, MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(owner->down.tx, MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(fx_file(&r, "20240103090000_index_projects_name.sql")->up.tx, MS_TX_EXPLICIT);
    assert_int_equal(fx_mig(&r, "20240105090000_add_projects_archived.sql")->down, MS_DOWN_EMPTY);
    assert_int_equal(fx_mig(&r, "20240106090000_add_projects_slug.sql")->down, MS_DOWN_ABSENT);
    release_fixture(&r, paths, n);

    c = (struct fw_case){"fixtures/frameworks/flyway", MS_KIND_FLYWAY,
                         "V1,V1.1,V1.2,V1.10,V1.11,V2,R__orders_view"};
    check_fixture(&c, &r, &paths, &n);
    assert_int_equal(fx_mig(&r, "V1__create_orders.sql")->down, MS_DOWN_PRESENT);
    assert_int_equal(fx_mig(&r, "V1.2__orders_customer.sql")->down, MS_DOWN_ABSENT);
    assert_int_equal(fx_file(&r, "V1.10__reindex_orders.sql")->up.tx, MS_TX_BY_STATEMENTS);
    assert_int_equal(fx_file(&r, "V1.11__reindex_orders_created.sql")->up.tx, MS_TX_NONE);
    assert_false(fx_mig(&r, "V1.2__orders_customer.sql")->flyway_mixed);
    release_fixture(&r, paths, n);

    c = (struct fw_case){"fixtures/frameworks/diesel", MS_KIND_DIESEL,
                         "00000000000000_diesel_initial_setup,2024-05-01-101500_create_posts,"
                         "2024-05-02-101500_index_posts_author,2024-05-03-101500_index_posts_title,"
                         "2024-05-04-101500_add_posts_slug"};
    check_fixture(&c, &r, &paths, &n);
    assert_int_equal(fx_file(&r, "2024-05-02-101500_index_posts_author/up.sql")->up.tx,
                     MS_TX_IMPLICIT_IF_MULTI);
    assert_int_equal(fx_mig(&r, "2024-05-03-101500_index_posts_title/up.sql")->down, MS_DOWN_EMPTY);
    assert_int_equal(fx_mig(&r, "2024-05-04-101500_add_posts_slug/up.sql")->down, MS_DOWN_ABSENT);
    release_fixture(&r, paths, n);

    c = (struct fw_case){"fixtures/frameworks/sqitch", MS_KIND_SQITCH,
                         "appschema/schema,users,users_email_idx,insert_user@v1.1,insert_user,"
                         "users_name_idx"};
    check_fixture(&c, &r, &paths, &n);
    assert_int_equal(fx_mig(&r, "deploy/users_name_idx.sql")->down, MS_DOWN_ABSENT);
    assert_int_equal(fx_mig(&r, "deploy/insert_user@v1.1.sql")->down, MS_DOWN_PRESENT);
    release_fixture(&r, paths, n);

    c = (struct fw_case){"fixtures/frameworks/pop", MS_KIND_POP,
                         "20240801000000_identities,20240802000000_identities_state,"
                         "20240803000000_identities_traits,20240804000000_sessions"};
    check_fixture(&c, &r, &paths, &n);
    assert_int_equal(fx_file(&r, "20240802000000_identities_state.up.sql")->role, MS_ROLE_IGNORED);
    assert_int_equal(fx_file(&r, "20240802000000_identities_state.mysql.up.sql")->role,
                     MS_ROLE_IGNORED);
    assert_int_equal(fx_file(&r, "20240802000000_identities_state.postgres.up.sql")->up.tx,
                     MS_TX_EXPLICIT);
    assert_int_equal(
        fx_file(&r, "20240803000000_identities_traits.postgres.autocommit.up.sql")->up.tx,
        MS_TX_IMPLICIT_IF_MULTI);
    release_fixture(&r, paths, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tools__kind_names_round_trip),
        cmocka_unit_test_setup_teardown(test_tools__golang_migrate_pairs_twins_in_numeric_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_tools__golang_migrate_pairs_by_version_and_flags_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__sqlx_is_told_from_golang_migrate_by_its_markers,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__twins_without_evidence_are_golang_migrate,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__cargo_and_go_mod_decide_ambiguous_folders,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__numbered_files_without_evidence_are_plain,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__sqlx_no_transaction_only_at_the_first_byte,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_tools__pop_prefers_the_postgres_file_and_honours_autocommit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__go_templates_mean_pop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__goose_sections_and_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__goose_no_transaction_and_odd_spellings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tools__goose_block_in_down_and_unversioned_files,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__dbmate_sections_and_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__flyway_versions_undo_repeatable_and_baseline,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__flyway_without_undo_files_has_no_downs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tools__flyway_script_and_project_configuration, setup,
                                        teardown),
        cmocka_unit_test(test_tools__flyway_recognises_what_flyway_does),
        cmocka_unit_test(test_tools__resolve_tx_for_flyway_files),
        cmocka_unit_test_setup_teardown(test_tools__diesel_folders_and_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__sourcegraph_runs_parents_first, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tools__prisma_folders_in_name_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__a_migration_sql_file_alone_is_plain, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tools__sqitch_plan_order_and_reworked_changes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tools__sqitch_found_above_the_folder_given, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tools__postgres_migrations_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__plain_files_run_in_path_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__framework_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tools__unreadable_files_and_stdin, setup, teardown),
        cmocka_unit_test(test_tools__fixtures_are_read_as_their_readme_says),
        cmocka_unit_test(test_tools__fixture_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
