/* set-tablespace: ALTER TABLE / INDEX / MATERIALIZED VIEW ... SET TABLESPACE.
 * Docs: docs/rules/set-tablespace.md. Fixtures: fixtures/rules/set-tablespace/. */
#include "rule.h"

/* Moving a relation to another tablespace copies every data file while holding an ACCESS
 * EXCLUSIVE lock on it: for a table nothing reads or writes it until the copy is done; for an
 * index, every query the planner considers it for waits. On a large table that is minutes. */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *rel = ms_ctx_relname(ctx, stmt->relation);
    const char *ts = cmd->name && *cmd->name ? cmd->name : "?";
    struct ms_diag *d;
    if (stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX)
        d = ms_report(ctx, -1,
                      "moving index \"%s\" to tablespace \"%s\" copies it under an ACCESS "
                      "EXCLUSIVE lock, blocking the queries that plan with it until the copy is "
                      "done",
                      rel, ts);
    else
        d = ms_report(ctx, -1,
                      "moving %s \"%s\" to tablespace \"%s\" copies all of its data under an "
                      "ACCESS EXCLUSIVE lock, blocking reads and writes until the copy is done",
                      stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ? "materialized view"
                                                                             : "table",
                      rel, ts);
    ms_diag_set_help(ctx, d,
                     "move \"%s\" online with pg_repack --tablespace, or in a maintenance "
                     "window, not in a schema migration",
                     rel);
}

const struct ms_rule ms_rule_set_tablespace = {
    .id = "set-tablespace",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "SET TABLESPACE copies a table or index under an ACCESS EXCLUSIVE lock",
    .help = "move the table online with pg_repack --tablespace, or in a maintenance window",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
