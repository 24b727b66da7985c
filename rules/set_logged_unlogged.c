/* set-logged-unlogged: ALTER TABLE ... SET LOGGED or SET UNLOGGED on an existing table.
 * Docs: docs/rules/set-logged-unlogged.md. Fixtures: fixtures/rules/set-logged-unlogged/. */
#include "rule.h"

/* Either way PostgreSQL rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE
 * lock: no read, no write until the rewrite is done. SET LOGGED also writes the whole table to
 * the WAL (replicas receive all of it); an UNLOGGED table is emptied after a crash and is not
 * replicated to standbys at all. */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    bool logged = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged;
    if ((!logged && cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged) ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    struct ms_diag *d = ms_report(
        ctx, -1,
        "SET %s rewrites table \"%s\" and its indexes under an ACCESS EXCLUSIVE lock, blocking "
        "reads and writes until it is done%s",
        logged ? "LOGGED" : "UNLOGGED", table,
        logged ? ", and writes the whole table to the WAL"
               : "; an unlogged table is emptied after a crash and not replicated");
    ms_diag_set_help(ctx, d,
                     "create the table %s from the start, or copy \"%s\" into a new %s table in "
                     "batches and swap the names",
                     logged ? "logged" : "unlogged", table, logged ? "logged" : "unlogged");
}

const struct ms_rule ms_rule_set_logged_unlogged = {
    .id = "set-logged-unlogged",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "SET LOGGED or SET UNLOGGED rewrites an existing table under an ACCESS EXCLUSIVE "
               "lock",
    .help = "create the table with the persistence it needs, or copy it into a new table in "
            "batches and swap the names",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
