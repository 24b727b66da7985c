/* uncommitted-transaction: BEGIN with no COMMIT or ROLLBACK before the end of the file.
 * Docs: docs/rules/uncommitted-transaction.md. Fixtures: fixtures/rules/uncommitted-transaction/.
 */
#include "rule.h"

/* A transaction left open at the end of a migration is never committed by the file itself.
 * psql -f ends the session and PostgreSQL rolls everything back, yet psql exits 0: the
 * migration is recorded as applied while none of it was. Tools that keep the connection run
 * the next migrations, or the application's queries, inside it, holding every lock it took. */
struct state {
    bool open;         /* a BEGIN of this file opened a transaction still open */
    struct ms_mark at; /* that BEGIN */
    const char *what;  /* "BEGIN", "START TRANSACTION", "COMMIT AND CHAIN" */
};

static void visit_transaction_stmt(struct ms_ctx *ctx, const PgQuery__TransactionStmt *node)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    switch (node->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        /* inside a block a BEGIN opens nothing (PostgreSQL only warns) */
        if (!ms_ctx_in_transaction(ctx)) {
            s->open = true;
            s->at = ms_ctx_mark(ctx, -1);
            s->what = node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN
                          ? "BEGIN"
                          : "START TRANSACTION";
        }
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
        /* AND CHAIN opens the next one at once; it is the file's to close only when the one it
         * ends was (a file that commits a transaction it never began runs inside its tool's,
         * and the tool commits the chained one too) */
        if (!node->chain)
            s->open = false;
        else if (s->open) {
            s->at = ms_ctx_mark(ctx, -1);
            s->what = node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT
                          ? "COMMIT AND CHAIN"
                          : "ROLLBACK AND CHAIN";
        }
        break;
    default:
        break;
    }
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    /* Alembic commits the transaction of its run itself, whatever the revision's SQL did */
    if (!s->open || !ms_ctx_in_transaction(ctx) || ms_ctx_migration(ctx)->tool == MS_TOOL_ALEMBIC)
        return;
    ms_report_at(ctx, s->at,
                 "the transaction opened by this %s is still open at the end of the file: "
                 "nothing commits it, so when the session ends all of its changes are rolled "
                 "back (psql still exits 0)",
                 s->what);
}

const struct ms_rule ms_rule_uncommitted_transaction = {
    .id = "uncommitted-transaction",
    .severity = MS_ERROR,
    .category = "failure",
    .summary = "a transaction is opened and never committed before the end of the file",
    .help = "end the transaction with COMMIT at the end of the migration",
    .visit_transaction_stmt = visit_transaction_stmt,
    .end_migration = end_migration,
};
