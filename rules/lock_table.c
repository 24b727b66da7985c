/* lock-table: an explicit LOCK TABLE that blocks writes (SHARE mode or stronger).
 * Docs: docs/rules/lock-table.md. Fixtures: fixtures/rules/lock-table/. */
#include "rule.h"

/* LOCK TABLE holds its lock until the transaction ends, so every statement after it in the
 * migration runs with the table blocked: SHARE and stronger modes stop every INSERT, UPDATE and
 * DELETE, ACCESS EXCLUSIVE (the default) stops reads too. And while it waits for the lock
 * behind a long query, every query on the table queues behind it. The lighter modes (ACCESS
 * SHARE up to SHARE UPDATE EXCLUSIVE) block neither reads nor writes. */
static const char *const mode_names[] = {
    "?",     "ACCESS SHARE",        "ROW SHARE", "ROW EXCLUSIVE",    "SHARE UPDATE EXCLUSIVE",
    "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE",
};

enum { SHARE_LOCK = 5, ACCESS_EXCLUSIVE_LOCK = 8 };

static void visit_lock_stmt(struct ms_ctx *ctx, const PgQuery__LockStmt *node)
{
    int mode =
        node->mode >= 1 && node->mode <= ACCESS_EXCLUSIVE_LOCK ? node->mode : ACCESS_EXCLUSIVE_LOCK;
    if (mode < SHARE_LOCK)
        return;
    for (size_t i = 0; i < node->n_relations; i++) {
        const PgQuery__Node *n = node->relations[i];
        if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR ||
            ms_ctx_table_is_new(ctx, n->range_var))
            continue;
        const char *table = ms_ctx_relname(ctx, n->range_var);
        struct ms_diag *d = ms_report(
            ctx, -1, "locking table \"%s\" in %s mode blocks %s of it until the transaction ends",
            table, mode_names[mode], mode == ACCESS_EXCLUSIVE_LOCK ? "reads and writes" : "writes");
        ms_diag_set_help(ctx, d,
                         "drop the explicit LOCK TABLE \"%s\" and let each statement take the "
                         "lock it needs; if it must stay, set lock_timeout before it and keep "
                         "the transaction short",
                         table);
    }
}

const struct ms_rule ms_rule_lock_table = {
    .id = "lock-table",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "LOCK TABLE blocks writes (or reads and writes) until the transaction ends",
    .help = "let each statement take the lock it needs; if an explicit lock must stay, set "
            "lock_timeout first and keep the transaction short",
    .visit_lock_stmt = visit_lock_stmt,
};
