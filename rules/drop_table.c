/* drop-table: DROP TABLE of a table that existed before this migration.
 * Docs: docs/rules/drop-table.md. Fixtures: fixtures/rules/drop-table/. */
#include "rule.h"

/* The rows are gone at commit and cannot be brought back without a restore; code still reading
 * or writing the table fails at once. The ACCESS EXCLUSIVE lock is brief; the loss is not. */
static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    if (node->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        return;
    for (size_t i = 0; i < node->n_objects; i++) {
        /* the name is a list of strings: [catalog.][schema.]table */
        const char *schema, *name;
        if (!ms_split_list_name(node->objects[i], &schema, &name))
            continue;
        PgQuery__RangeVar rel = PG_QUERY__RANGE_VAR__INIT;
        rel.relname = (char *)name;
        rel.schemaname = (char *)schema;
        if (ms_ctx_table_is_new(ctx, &rel))
            continue;
        ms_report(ctx, -1, "dropping table \"%s\" deletes all of its rows for good",
                  ms_ctx_relname(ctx, &rel));
    }
}

const struct ms_rule ms_rule_drop_table = {
    .id = "drop-table",
    .severity = MS_ERROR,
    .category = "data-loss",
    .summary = "a table that already holds data is dropped",
    .help = "stop using the table in the application and deploy that first; drop it in a later "
            "migration once nothing reads it, after a backup",
    .visit_drop_stmt = visit_drop_stmt,
};
