/* rename-table: ALTER TABLE ... RENAME TO on a table that existed before this migration.
 * Docs: docs/rules/rename-table.md. Fixtures: fixtures/rules/rename-table/. */
#include "rule.h"

/* The application version still running during the deploy uses the old name: from the commit
 * on, every one of its queries on the table fails with "relation does not exist", until the new
 * version is everywhere. The rename itself is quick, but waits for an ACCESS EXCLUSIVE lock.
 * Not reported: a rename followed, later in the migration, by a view or table under the old
 * name (created, or renamed to it: the swap of a rebuilt table), which keeps the name working. */
struct name {
    struct name *next;
    PgQuery__RangeVar rel;
    const char *newname; /* renames only */
    size_t seq;
    struct ms_mark mark;
};

struct state {
    struct name *renamed, *created;
    size_t seq;
};

static void add(struct ms_ctx *ctx, struct name **list, const PgQuery__RangeVar *rel,
                const char *newname)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    struct name *n = ms_ctx_alloc(ctx, sizeof(*n));
    n->rel = (PgQuery__RangeVar)PG_QUERY__RANGE_VAR__INIT;
    n->rel.schemaname = rel->schemaname;
    n->rel.relname = rel->relname;
    n->newname = newname;
    n->seq = s->seq++;
    n->mark = ms_ctx_mark(ctx, -1);
    n->next = *list;
    *list = n;
}

static void add_created(struct ms_ctx *ctx, const PgQuery__RangeVar *rel)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (rel && rel->relname && *rel->relname)
        add(ctx, &s->created, rel, NULL);
}

static void visit_view_stmt(struct ms_ctx *ctx, const PgQuery__ViewStmt *node)
{
    add_created(ctx, node->view);
}

static void visit_create_stmt(struct ms_ctx *ctx, const PgQuery__CreateStmt *node)
{
    add_created(ctx, node->relation);
}

static void visit_create_table_as_stmt(struct ms_ctx *ctx, const PgQuery__CreateTableAsStmt *node)
{
    if (node->into)
        add_created(ctx, node->into->rel);
}

static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    if ((node->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE &&
         node->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE) ||
        !node->relation || !node->relation->relname || !node->newname || !*node->newname)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (!ms_ctx_table_is_new(ctx, node->relation))
        add(ctx, &s->renamed, node->relation, node->newname);
    /* the table now under the new name takes the place of any table renamed away from it */
    PgQuery__RangeVar now = PG_QUERY__RANGE_VAR__INIT;
    now.schemaname = node->relation->schemaname;
    now.relname = node->newname;
    add(ctx, &s->created, &now, NULL);
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (const struct name *r = s->renamed; r; r = r->next) {
        const struct name *c = s->created;
        while (c && !(c->seq > r->seq && ms_same_rel(&c->rel, &r->rel)))
            c = c->next;
        if (c)
            continue;
        const char *old = r->rel.relname;
        struct ms_diag *d = ms_report_at(ctx, r->mark,
                                         "renaming table \"%s\" to \"%s\" breaks the running code "
                                         "that still uses \"%s\"",
                                         ms_ctx_relname(ctx, &r->rel), r->newname, old);
        ms_diag_set_help(ctx, d,
                         "in the same transaction, create a view \"%s\" AS SELECT * FROM \"%s\" "
                         "(it stays updatable) so both names work; drop the view once no "
                         "deployed code uses the old name",
                         old, r->newname);
    }
}

const struct ms_rule ms_rule_rename_table = {
    .id = "rename-table",
    .severity = MS_WARNING,
    .category = "compatibility",
    .summary = "an existing table is renamed while the running code still uses the old name",
    .help = "rename it and create a view under the old name in the same transaction; drop the "
            "view once no deployed code uses the old name",
    .visit_view_stmt = visit_view_stmt,
    .visit_create_stmt = visit_create_stmt,
    .visit_create_table_as_stmt = visit_create_table_as_stmt,
    .visit_rename_stmt = visit_rename_stmt,
    .end_migration = end_migration,
};
