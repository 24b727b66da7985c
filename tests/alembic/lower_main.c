/* lower_main: the C half of the Alembic oracle test (tests/alembic/run.sh).
 *
 *   lower_main up FILE.py     migsafe's lowering of upgrade(), one statement per line
 *   lower_main down FILE.py   the same for downgrade()
 *   lower_main sql FILE.sql   Alembic's offline SQL, without its alembic_version bookkeeping
 *
 * Each statement is parsed with libpg_query and deparsed, so both sides are compared in one
 * canonical spelling (spaces, quoting and parentheses no longer differ). SQLAlchemy keeps a
 * table's indexes and a one-column table's constraints in Python sets, so Alembic prints them
 * in an order that changes from run to run: consecutive CREATE INDEX statements, and
 * consecutive ALTER TABLE ... ADD <constraint> statements, are sorted on both sides. Alembic
 * escapes % as %% in the text it prints (the psycopg2 paramstyle); the driver reads "%%" in
 * its output as "%", the SQL that runs. */
#include "migsafe.h"
#include "alembic.h"
#include "source.h"

#include <pg_query.h>

struct lines {
    size_t n, cap;
    char **items;
};

static void add_line(struct lines *l, char *s)
{
    MS_GROW(l->items, l->cap, l->n + 1);
    l->items[l->n++] = s;
}

/* One statement, deparsed; a statement that does not parse is kept as "ERROR: text". */
static char *canonical(const char *sql, size_t len)
{
    char *text = ms_xstrndup(sql, len);
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(text);
    char *out;
    if (r.error) {
        size_t n = strlen(text) + 64;
        out = ms_xmalloc(n);
        snprintf(out, n, "ERROR: %s", text);
    } else {
        PgQueryDeparseResult d = pg_query_deparse_protobuf(r.parse_tree);
        if (d.error) {
            size_t n = strlen(text) + 64;
            out = ms_xmalloc(n);
            snprintf(out, n, "ERROR (deparse): %s", text);
        } else {
            out = ms_xstrdup(d.query);
        }
        pg_query_free_deparse_result(d);
    }
    pg_query_free_protobuf_parse_result(r);
    free(text);
    for (char *p = out; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return out;
}

/* Splits sql with PostgreSQL's scanner; keeps statements whose origin is at or after `from`
 * (by the source's segments; every statement when src is NULL). */
static void split(const char *sql, const struct ms_source *src, size_t from, bool drop_version,
                  struct lines *out)
{
    PgQuerySplitResult r = pg_query_split_with_scanner(sql);
    if (r.error) {
        add_line(out, ms_xstrdup("ERROR: the SQL does not split"));
        pg_query_free_split_result(r);
        return;
    }
    for (int i = 0; i < r.n_stmts; i++) {
        size_t start = (size_t)r.stmts[i]->stmt_location, len = (size_t)r.stmts[i]->stmt_len;
        while (len > 0 && isspace((unsigned char)sql[start])) {
            start++;
            len--;
        }
        /* leading -- comments ("-- Running upgrade") belong to no statement */
        while (len > 1 && sql[start] == '-' && sql[start + 1] == '-') {
            while (len > 0 && sql[start] != '\n')
                start++, len--;
            while (len > 0 && isspace((unsigned char)sql[start]))
                start++, len--;
        }
        if (len == 0)
            continue;
        if (src) {
            const struct ms_segment *seg;
            size_t origin = ms_source_map(src, start, &seg);
            if (origin < from)
                continue;
        }
        char *text = ms_xstrndup(sql + start, len);
        bool version = drop_version && strstr(text, "alembic_version") != NULL;
        free(text);
        if (!version)
            add_line(out, canonical(sql + start, len));
    }
    pg_query_free_split_result(r);
}

static bool is_index(const char *s)
{
    return strncmp(s, "CREATE INDEX", 12) == 0 || strncmp(s, "CREATE UNIQUE INDEX", 19) == 0;
}

static bool is_add_constraint(const char *s)
{
    return strncmp(s, "ALTER TABLE ", 12) == 0 && strstr(s, " ADD ") && !strstr(s, " ADD COLUMN ");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_runs(struct lines *l)
{
    for (size_t i = 0; i < l->n;) {
        bool (*kind)(const char *) = is_index(l->items[i])            ? is_index
                                     : is_add_constraint(l->items[i]) ? is_add_constraint
                                                                      : NULL;
        size_t j = i + 1;
        if (kind)
            while (j < l->n && kind(l->items[j]))
                j++;
        if (j - i > 1)
            qsort(l->items + i, j - i, sizeof(char *), cmp_str);
        i = j;
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = ms_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2)
            buf = ms_xrealloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: lower_main up|down|sql FILE\n");
        return 2;
    }
    struct lines out = {0};
    struct ms_arena arena;
    ms_arena_init(&arena);
    if (strcmp(argv[1], "sql") == 0) {
        size_t len;
        char *sql = read_file(argv[2], &len);
        if (!sql) {
            fprintf(stderr, "lower_main: cannot read %s\n", argv[2]);
            return 2;
        }
        /* %% is how Alembic prints %: read it back */
        char *w = sql;
        for (const char *r = sql; *r; r++) {
            *w++ = *r;
            if (r[0] == '%' && r[1] == '%')
                r++;
        }
        *w = 0;
        split(sql, NULL, 0, true, &out);
        free(sql);
    } else {
        struct ms_source src;
        char err[512];
        if (ms_source_read(&src, argv[2], NULL, &arena, err, sizeof(err)) < 0) {
            fprintf(stderr, "lower_main: %s\n", err);
            return 2;
        }
        bool down = strcmp(argv[1], "down") == 0;
        struct ms_alembic_options opts = {
            .lint_downgrade = down, .open_transaction = true, .close_transaction = true};
        struct ms_alembic_result res;
        if (ms_alembic_lower(&src, &arena, &opts, &res, err, sizeof(err)) < 0) {
            fprintf(stderr, "lower_main: %s: %s\n", argv[2], err);
            return 2;
        }
        size_t from = 0;
        if (down) {
            if (res.downgrade == MS_BODY_ABSENT || res.downgrade_offset < res.upgrade_offset) {
                fprintf(stderr, "lower_main: %s: downgrade() must follow upgrade()\n", argv[2]);
                return 2;
            }
            from = res.downgrade_offset;
        }
        char *sql = ms_xstrndup(src.sql, src.sql_len);
        split(sql, &src, from, false, &out);
        free(sql);
    }
    sort_runs(&out);
    for (size_t i = 0; i < out.n; i++) {
        printf("%s\n", out.items[i]);
        free(out.items[i]);
    }
    free(out.items);
    ms_arena_release(&arena);
    return 0;
}
