/* drop-column: ALTER TABLE ... DROP COLUMN on a table that existed before this migration.
 * Docs: docs/rules/drop-column.md. Fixtures: fixtures/rules/drop-column/. */
#include "rule.h"

/* The column's data is gone at commit, and running code that still selects or inserts it fails
 * at once. The lock is brief (ACCESS EXCLUSIVE, no rewrite); the loss is not. */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn ||
        stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    struct ms_diag *d =
        ms_report(ctx, -1, "dropping column \"%s\" of table \"%s\" deletes its data",
                  cmd->name ? cmd->name : "?", ms_ctx_relname(ctx, stmt->relation));
    ms_diag_set_help(ctx, d,
                     "stop reading and writing \"%s\" in the application and deploy that first; "
                     "drop the column in a later migration",
                     cmd->name ? cmd->name : "?");
}

const struct ms_rule ms_rule_drop_column = {
    .id = "drop-column",
    .severity = MS_ERROR,
    .category = "data-loss",
    .summary = "a column is dropped from an existing table",
    .help = "stop reading and writing the column in the application and deploy that first; "
            "drop it in a later migration",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
