/* transaction-nesting: BEGIN, COMMIT or ROLLBACK in a migration its tool already runs in a
 * transaction.
 * Docs: docs/rules/transaction-nesting.md. Fixtures: fixtures/rules/transaction-nesting/. */
#include "rule.h"

/* Inside the tool's transaction, BEGIN only warns ("there is already a transaction in
 * progress"); the COMMIT that goes with it commits the tool's transaction early, so the
 * statements after it run one by one, with nothing to roll them back if one fails, and the
 * tool's own COMMIT finds no transaction. A ROLLBACK throws away what the tool ran so far. */
static void visit_transaction_stmt(struct ms_ctx *ctx, const PgQuery__TransactionStmt *node)
{
    struct ms_tx_info tx = ms_ctx_transaction(ctx);
    /* COMMIT AND CHAIN opens the next transaction at once: a way to release locks early that
     * keeps the rest in a transaction the tool commits */
    if (tx.kind != MS_TXK_TOOL || node->chain)
        return;
    const char *who =
        tx.tool && strcmp(tx.tool, "plain") != 0 ? tx.tool : "the runner (assume_in_transaction)";
    switch (node->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        ms_report(ctx, -1,
                  "BEGIN inside the transaction %s opens for this migration: PostgreSQL only "
                  "warns, and the COMMIT that follows ends %s's transaction early",
                  who, who);
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        ms_report(ctx, -1,
                  "%s ends the transaction %s opened for this migration: the statements after "
                  "it run outside any transaction",
                  node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ? "COMMIT"
                                                                                   : "ROLLBACK",
                  who);
        break;
    default:
        break;
    }
}

const struct ms_rule ms_rule_transaction_nesting = {
    .id = "transaction-nesting",
    .severity = MS_WARNING,
    .category = "correctness",
    .summary = "BEGIN, COMMIT or ROLLBACK in a migration its tool already wraps in a transaction",
    .help = "remove the BEGIN and COMMIT: the tool's transaction already covers the migration "
            "(or opt out of it, as the tool allows, if the statements must commit separately)",
    .visit_transaction_stmt = visit_transaction_stmt,
};
