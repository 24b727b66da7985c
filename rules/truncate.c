/* truncate: TRUNCATE of a table that existed before this migration.
 * Docs: docs/rules/truncate.md. Fixtures: fixtures/rules/truncate/. */
#include "rule.h"

/* TRUNCATE deletes every row at once, under an ACCESS EXCLUSIVE lock, with no per-row trigger
 * and no way back after commit but a restore. With CASCADE it also empties every table that
 * has a foreign key to the named ones, and the tables referencing those, without listing them. */
static void visit_truncate_stmt(struct ms_ctx *ctx, const PgQuery__TruncateStmt *node)
{
    bool cascade = node->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    for (size_t i = 0; i < node->n_relations; i++) {
        const PgQuery__Node *n = node->relations[i];
        if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR ||
            ms_ctx_table_is_new(ctx, n->range_var))
            continue;
        const char *table = ms_ctx_relname(ctx, n->range_var);
        if (cascade)
            ms_report(ctx, -1,
                      "truncating table \"%s\" with CASCADE deletes all of its rows and all rows "
                      "of every table with a foreign key to it, for good",
                      table);
        else
            ms_report(ctx, -1, "truncating table \"%s\" deletes all of its rows for good", table);
    }
}

const struct ms_rule ms_rule_truncate = {
    .id = "truncate",
    .severity = MS_ERROR,
    .category = "data-loss",
    .summary = "an existing table is truncated, deleting all of its rows",
    .help = "delete the rows you mean to delete with DELETE ... WHERE, in batches, after a "
            "backup; never TRUNCATE ... CASCADE in a migration",
    .visit_truncate_stmt = visit_truncate_stmt,
};
