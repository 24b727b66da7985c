/* drop-schema: DROP SCHEMA.
 * Docs: docs/rules/drop-schema.md. Fixtures: fixtures/rules/drop-schema/. */
#include "rule.h"

/* With CASCADE every table, view, function and type in the schema goes with it, rows included,
 * and only a restore brings them back. Without CASCADE the drop fails while the schema still
 * holds anything; either way code that uses the schema breaks at once. */
static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    if (node->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA)
        return;
    bool cascade = node->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    for (size_t i = 0; i < node->n_objects; i++) {
        const char *schema = ms_node_str(node->objects[i]);
        if (!schema)
            continue;
        struct ms_diag *d =
            cascade ? ms_report(ctx, -1,
                                "dropping schema \"%s\" with CASCADE deletes every table in it, "
                                "with its rows, and every other object in it, for good",
                                schema)
                    : ms_report(ctx, -1,
                                "dropping schema \"%s\" deletes it for good: the drop fails "
                                "while it still holds objects, and code using it breaks",
                                schema);
        ms_diag_set_help(ctx, d,
                         "stop using schema \"%s\" in the application and deploy that first; "
                         "back up what it holds (pg_dump --schema=%s), then drop it in a later "
                         "migration",
                         schema, schema);
    }
}

const struct ms_rule ms_rule_drop_schema = {
    .id = "drop-schema",
    .severity = MS_ERROR,
    .category = "data-loss",
    .summary = "a schema is dropped, with everything in it",
    .help = "stop using the schema in the application and deploy that first; back it up, then "
            "drop it in a later migration",
    .visit_drop_stmt = visit_drop_stmt,
};
