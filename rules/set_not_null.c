/* set-not-null: ALTER COLUMN ... SET NOT NULL on an existing table.
 * Docs: docs/rules/set-not-null.md. Fixtures: fixtures/rules/set-not-null/. */
#include "rule.h"

/* SET NOT NULL scans the whole table to prove there is no NULL, holding ACCESS EXCLUSIVE for the
 * scan: nothing can read or write the table meanwhile. From PostgreSQL 12 the scan is skipped
 * when a validated CHECK (col IS NOT NULL) constraint already proves it. */
/* PostgreSQL runs a statement's DROP CONSTRAINT before its SET NOT NULL: a check dropped in
 * the same ALTER TABLE proves nothing. */
static bool drops_a_constraint(const PgQuery__AlterTableStmt *stmt)
{
    for (size_t i = 0; i < stmt->n_cmds; i++)
        if (stmt->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD &&
            stmt->cmds[i]->alter_table_cmd->subtype ==
                PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint)
            return true;
    return false;
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *col = cmd->name ? cmd->name : "?";
    if (ms_ctx_pg_version(ctx) >= 12 && !drops_a_constraint(stmt) &&
        ms_ctx_has_validated_not_null_check(ctx, stmt->relation, col))
        return;
    struct ms_diag *d = ms_report(
        ctx, -1,
        "setting column \"%s\" of table \"%s\" NOT NULL scans the whole table under an ACCESS "
        "EXCLUSIVE lock, blocking reads and writes",
        col, ms_ctx_relname(ctx, stmt->relation));
    if (ms_ctx_pg_version(ctx) >= 12)
        ms_diag_set_help(ctx, d,
                         "first ADD CONSTRAINT ... CHECK (\"%s\" IS NOT NULL) NOT VALID, then "
                         "VALIDATE CONSTRAINT (in a later transaction), then SET NOT NULL, which "
                         "uses the validated check instead of scanning",
                         col);
    else
        ms_diag_set_help(ctx, d,
                         "before PostgreSQL 12 SET NOT NULL always scans: keep a validated CHECK "
                         "(\"%s\" IS NOT NULL) NOT VALID constraint instead, or run it in a "
                         "maintenance window",
                         col);
}

const struct ms_rule ms_rule_set_not_null = {
    .id = "set-not-null",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "SET NOT NULL scans an existing table under an ACCESS EXCLUSIVE lock",
    .help = "add a CHECK (col IS NOT NULL) NOT VALID constraint, validate it, then SET NOT NULL",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
