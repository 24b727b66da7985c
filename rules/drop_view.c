/* drop-view: DROP VIEW or DROP MATERIALIZED VIEW of a view the migration does not re-create.
 * Docs: docs/rules/drop-view.md. Fixtures: fixtures/rules/drop-view/. */
#include "rule.h"

/* The running application still queries the view: each of those queries fails with "relation
 * does not exist" from the commit on. A materialized view also takes its stored rows with it.
 * Dropping a view to re-create it in the same migration (to change its columns) is the usual
 * way to redefine one and breaks nothing when both run in one transaction. */

struct state {
    struct ms_name *dropped, *created;
};

static void add_created(struct ms_ctx *ctx, const PgQuery__RangeVar *rel, const char *newname)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (rel)
        ms_names_add(ctx, &s->created, rel->schemaname, newname ? newname : rel->relname, false);
}

static void visit_view_stmt(struct ms_ctx *ctx, const PgQuery__ViewStmt *node)
{
    add_created(ctx, node->view, NULL);
}

static void visit_create_table_as_stmt(struct ms_ctx *ctx, const PgQuery__CreateTableAsStmt *node)
{
    if (node->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW && node->into)
        add_created(ctx, node->into->rel, NULL);
}

/* A view renamed to a name takes its place (CREATE VIEW v_new ...; DROP VIEW v; ALTER VIEW
 * v_new RENAME TO v). */
static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    if ((node->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
         node->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ||
         node->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) &&
        node->newname && *node->newname)
        add_created(ctx, node->relation, node->newname);
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    bool matview = node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW;
    if (!matview && node->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_VIEW)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (size_t i = 0; i < node->n_objects; i++) {
        const char *schema, *name;
        if (ms_split_list_name(node->objects[i], &schema, &name))
            ms_names_add(ctx, &s->dropped, schema, name, matview);
    }
}

/* Reported at the end, one finding per DROP statement: a view created anywhere in the migration
 * under the dropped name (before: the view is new; after: it is redefined) exempts the drop.
 */
static void report(struct ms_ctx *ctx, const struct ms_name *first, const char *name,
                   const char *more)
{
    struct ms_diag *diag = ms_report_at(
        ctx, first->mark, "dropping %s \"%s\"%s breaks the running code that still queries it%s",
        first->flag ? "materialized view" : "view", name, more,
        first->flag ? ", and its stored rows are gone" : "");
    ms_diag_set_help(ctx, diag,
                     "stop querying \"%s\" in the application and deploy that first, then "
                     "drop it in a later migration; to change its definition, re-create it "
                     "in the same transaction",
                     name);
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    ms_names_report_kept(ctx, s->dropped, s->created, report);
}

const struct ms_rule ms_rule_drop_view = {
    .id = "drop-view",
    .severity = MS_WARNING,
    .category = "compatibility",
    .summary = "a view is dropped while the running code may still query it",
    .help = "stop querying the view in the application and deploy that first; to redefine it, "
            "re-create it in the same transaction",
    .visit_view_stmt = visit_view_stmt,
    .visit_create_table_as_stmt = visit_create_table_as_stmt,
    .visit_rename_stmt = visit_rename_stmt,
    .visit_drop_stmt = visit_drop_stmt,
    .end_migration = end_migration,
};
