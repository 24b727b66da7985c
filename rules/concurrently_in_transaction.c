/* concurrently-in-transaction: CONCURRENTLY operations inside a transaction block.
 * Docs: docs/rules/concurrently-in-transaction.md.
 * Fixtures: fixtures/rules/concurrently-in-transaction/. */
#include "rule.h"

/* CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH PARTITION CONCURRENTLY
 * commit internally between their phases, so PostgreSQL refuses them in a transaction block:
 * "ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block". Inside a DO block
 * they always fail: "... cannot be executed from a function" outside a transaction block (so
 * PostgreSQL 15 says). The migration fails (and everything before it in the transaction is rolled
 * back). */
static void report(struct ms_ctx *ctx, const char *what)
{
    if (ms_ctx_in_do_block(ctx)) {
        struct ms_diag *d = ms_report(ctx, -1,
                                      "%s cannot run inside a DO block: PostgreSQL rejects it "
                                      "(\"cannot be executed from a function\") and the "
                                      "migration fails",
                                      what);
        ms_diag_set_help(ctx, d,
                         "take it out of the DO block and run it as a statement of its own, "
                         "outside BEGIN ... COMMIT");
        return;
    }
    struct ms_tx_info tx = ms_ctx_transaction(ctx);
    struct ms_diag *d;
    switch (tx.kind) {
    case MS_TXK_NONE:
        return;
    case MS_TXK_TOOL:
        if (!tx.tool || !strcmp(tx.tool, "plain")) {
            d = ms_report(ctx, -1,
                          "%s cannot run inside a transaction block, and the runner wraps this "
                          "file in one (assume_in_transaction): the migration fails",
                          what);
            break;
        }
        d = ms_report(ctx, -1,
                      "%s cannot run inside a transaction block, and %s runs this migration in "
                      "one: the migration fails",
                      what, tx.tool);
        break;
    case MS_TXK_IMPLICIT:
        d = ms_report(ctx, -1,
                      "%s cannot run inside a transaction block, and %s sends this file's "
                      "statements as one Exec, which PostgreSQL runs as one implicit "
                      "transaction: the migration fails",
                      what, tx.tool ? tx.tool : "the tool");
        break;
    default:
        d = ms_report(ctx, -1,
                      "%s cannot run inside a transaction block: PostgreSQL rejects it and the "
                      "migration fails",
                      what);
        return;
    }
    if (tx.hint)
        ms_diag_set_help(ctx, d, "%s", tx.hint);
}

static void visit_index_stmt(struct ms_ctx *ctx, const PgQuery__IndexStmt *node)
{
    if (node->concurrent)
        report(ctx, "CREATE INDEX CONCURRENTLY");
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    if (node->concurrent)
        report(ctx, "DROP INDEX CONCURRENTLY");
}

static void visit_reindex_stmt(struct ms_ctx *ctx, const PgQuery__ReindexStmt *node)
{
    if (ms_has_option(node->n_params, node->params, "concurrently"))
        report(ctx, "REINDEX CONCURRENTLY");
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    (void)stmt;
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition && cmd->def &&
        cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
        cmd->def->partition_cmd->concurrent)
        report(ctx, "ALTER TABLE ... DETACH PARTITION CONCURRENTLY");
}

const struct ms_rule ms_rule_concurrently_in_transaction = {
    .id = "concurrently-in-transaction",
    .severity = MS_ERROR,
    .category = "failure",
    .on_down = true,
    .summary = "a CONCURRENTLY operation runs inside a transaction block",
    .help = "run the statement on its own, outside BEGIN ... COMMIT (in a migration of its own "
            "if the tool wraps each migration in a transaction)",
    .visit_index_stmt = visit_index_stmt,
    .visit_drop_stmt = visit_drop_stmt,
    .visit_reindex_stmt = visit_reindex_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
