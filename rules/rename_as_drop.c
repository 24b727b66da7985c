/* rename-as-drop: a column dropped and another added on the same table in one migration.
 * Docs: docs/rules/rename-as-drop.md. Fixtures: fixtures/rules/rename-as-drop/. */
#include "rule.h"

/* Schema diff tools (alembic --autogenerate, prisma migrate, ...) cannot tell a renamed column
 * from a removed one plus a new one, so a rename arrives as DROP COLUMN old + ADD COLUMN new:
 * the new column is empty and the old data is deleted. Order does not matter: the add may come
 * first, in the same ALTER TABLE or in another statement. */
struct change {
    struct change *next;
    const PgQuery__RangeVar *rel;
    const char *column;
    bool dropped; /* else added */
    struct ms_mark mark;
    size_t seq; /* order within the migration */
};

struct state {
    struct change *changes; /* newest first */
    size_t n;
};

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    bool drop = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn;
    bool add = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn;
    if ((!drop && !add) || stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *column = drop ? cmd->name
                              : (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF
                                     ? cmd->def->column_def->colname
                                     : NULL);
    if (!column)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    struct change *c = ms_ctx_alloc(ctx, sizeof(*c));
    c->rel = stmt->relation;
    c->column = column;
    c->dropped = drop;
    c->mark = ms_ctx_mark(ctx, -1);
    c->seq = s->n++;
    c->next = s->changes;
    s->changes = c;
}

static const char *schema_of(const struct change *c)
{
    return c->rel->schemaname ? c->rel->schemaname : "";
}

static int compare_changes(const void *pa, const void *pb)
{
    const struct change *a = *(const struct change *const *)pa,
                        *b = *(const struct change *const *)pb;
    int c = strcmp(a->rel->relname, b->rel->relname);
    if (c)
        return c;
    if ((c = strcmp(schema_of(a), schema_of(b))) != 0)
        return c;
    if (a->mark.stmt_index != b->mark.stmt_index)
        return a->mark.stmt_index < b->mark.stmt_index ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Groups the changes by table (sorting, so a migration of thousands of ALTERs stays
 * O(n log n)) and pairs each dropped column with the first column added to the same table. */
static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (s->n < 2)
        return;
    struct change **all = ms_ctx_alloc(ctx, s->n * sizeof(*all));
    size_t n = 0;
    for (struct change *c = s->changes; c; c = c->next)
        all[n++] = c;
    qsort(all, n, sizeof(*all), compare_changes);
    for (size_t lo = 0, hi; lo < n; lo = hi) {
        /* the first added column, and the first one named otherwise (for a drop of that name) */
        const struct change *first = NULL, *other = NULL;
        for (hi = lo; hi < n && strcmp(all[hi]->rel->relname, all[lo]->rel->relname) == 0 &&
                      strcmp(schema_of(all[hi]), schema_of(all[lo])) == 0;
             hi++) {
            const struct change *c = all[hi];
            if (c->dropped)
                continue;
            if (!first)
                first = c;
            else if (!other && strcmp(c->column, first->column) != 0)
                other = c;
        }
        for (size_t i = lo; i < hi && first; i++) {
            const struct change *d = all[i];
            if (!d->dropped)
                continue;
            const struct change *a = strcmp(first->column, d->column) != 0 ? first : other;
            if (!a)
                continue;
            struct ms_diag *diag = ms_report_at(
                ctx, d->mark,
                "column \"%s\" of table \"%s\" is dropped and column \"%s\" is added in the "
                "same migration: if this is a rename, the data in \"%s\" is lost",
                d->column, ms_ctx_relname(ctx, d->rel), a->column, d->column);
            ms_diag_set_help(
                ctx, diag,
                "to rename, use ALTER TABLE ... RENAME COLUMN \"%s\" TO \"%s\" "
                "(Alembic: op.alter_column(..., new_column_name=...)), keeping the data",
                d->column, a->column);
        }
    }
}

const struct ms_rule ms_rule_rename_as_drop = {
    .id = "rename-as-drop",
    .severity = MS_ERROR,
    .category = "data-loss",
    .summary = "a column is dropped and another added on the same table: a rename that loses data",
    .help = "rename the column with RENAME COLUMN instead of dropping and adding",
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .end_migration = end_migration,
};
