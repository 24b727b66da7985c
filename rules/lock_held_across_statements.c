/* lock-held-across-statements: statements that run while the transaction holds ACCESS
 * EXCLUSIVE on an existing table and make that last: scans, rewrites, data changes, waits for
 * other locks. Docs: docs/rules/lock-held-across-statements.md.
 * Fixtures: fixtures/rules/lock-held-across-statements/. */
#include "rule.h"

/* Locks are released at COMMIT, not when the statement that took them ends. After ACCESS
 * EXCLUSIVE on a table every read and write of it waits until the transaction ends, so what
 * follows in the transaction adds to the outage: an index build or backfill takes minutes, and
 * a statement waiting for a lock on another table (behind a long-running query there) keeps
 * the first table locked meanwhile. Statements that only change the catalog of the locked table
 * or of new tables are over at once and are not counted. */
#define MAX_HELD 16

struct state {
    bool holding;         /* the open transaction holds ACCESS EXCLUSIVE on an existing table */
    struct ms_mark taker; /* the statement that took it */
    const char *taker_tag;
    const char *table; /* the relation it took it on, for messages */
    size_t n_held;     /* every relation held ACCESS EXCLUSIVE so far */
    PgQuery__RangeVar held[MAX_HELD];
    size_t n_after;          /* statements counted since */
    const char *first_tag;   /* the first of them */
    const char *first_table; /* its relation, or NULL */
};

static struct state *state(struct ms_ctx *ctx)
{
    return ms_ctx_rule_state(ctx, sizeof(struct state));
}

/* Reports the transaction's finding, if any, and forgets it. */
static void flush(struct ms_ctx *ctx)
{
    struct state *s = state(ctx);
    if (s->holding && s->n_after > 0) {
        struct ms_diag *d = ms_report_at(
            ctx, s->taker,
            "%s takes ACCESS EXCLUSIVE on \"%s\" and holds it until the transaction ends, "
            "while %zu more statement%s run%s (the first: %s%s%s%s): reads and writes of \"%s\" "
            "wait for all of them",
            s->taker_tag, s->table, s->n_after, s->n_after == 1 ? "" : "s",
            s->n_after == 1 ? "s" : "", s->first_tag, s->first_table ? " on \"" : "",
            s->first_table ? s->first_table : "", s->first_table ? "\"" : "", s->table);
        ms_diag_set_help(ctx, d,
                         "commit right after the statement that locks \"%s\": run the others "
                         "before it or in a transaction (migration) of their own",
                         s->table);
    }
    memset(s, 0, sizeof(*s));
}

static bool is_held(const struct state *s, const PgQuery__RangeVar *rel)
{
    for (size_t i = 0; i < s->n_held; i++)
        if (ms_same_rel(&s->held[i], rel))
            return true;
    return false;
}

static void hold(struct ms_ctx *ctx, struct state *s, const PgQuery__RangeVar *rel)
{
    if (s->n_held == MAX_HELD || is_held(s, rel))
        return;
    PgQuery__RangeVar *h = &s->held[s->n_held++];
    *h = *rel;
    h->relname = ms_ctx_strdup(ctx, rel->relname);
    h->schemaname = rel->schemaname ? ms_ctx_strdup(ctx, rel->schemaname) : NULL;
}

/* Does this statement make the held lock last longer: is it unknown, does it scan, rewrite or
 * change the rows of an existing relation, or may it wait without bound (no lock_timeout) for a
 * lock on one not held yet? The relation it concerns goes to *rel. */
static bool extends(struct ms_ctx *ctx, const struct state *s, const struct ms_locks *locks,
                    const struct ms_lock **rel)
{
    *rel = NULL;
    if (!locks->known)
        return true;
    for (size_t i = 0; i < locks->n; i++) {
        const struct ms_lock *l = &locks->items[i];
        if (l->mode == MS_LOCK_NONE || (l->kind != MS_REL_INDEX && l->kind != MS_REL_INDEX_TABLE &&
                                        ms_ctx_table_is_new(ctx, &l->rel)))
            continue;
        /* a lock that conflicts with plain writes (SHARE and up) may wait behind any running
         * transaction on another relation; lock_timeout bounds that wait when one is set. An
         * index's table is not named, and is often the one held: not counted. */
        bool waits =
            !ms_ctx_lock_timeout_set(ctx) && l->mode >= MS_LOCK_SHARE &&
            (l->kind == MS_REL_TABLE || l->kind == MS_REL_VIEW || l->kind == MS_REL_MATVIEW) &&
            !is_held(s, &l->rel);
        /* work that may not happen (a binary-compatible type change, SET NOT NULL proven by a
         * check) is not counted */
        bool works = l->work != MS_WORK_NONE && !l->work_maybe;
        if (waits || works || l->mode == MS_LOCK_ROW_EXCLUSIVE) {
            *rel = l;
            return true;
        }
    }
    return false;
}

static void visit_stmt(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    struct state *s = state(ctx);
    if (!ms_ctx_in_transaction(ctx)) {
        flush(ctx);
        return;
    }
    struct ms_locks locks;
    ms_locks_stmt(node, ms_ctx_pg_version(ctx), &locks);
    if (s->holding) {
        const struct ms_lock *l;
        if (extends(ctx, s, &locks, &l)) {
            if (s->n_after++ == 0) {
                s->first_tag = ms_ctx_strdup(ctx, locks.tag);
                s->first_table = l ? ms_ctx_strdup(ctx, ms_ctx_relname(ctx, &l->rel)) : NULL;
            }
        }
    }
    for (size_t i = 0; i < locks.n; i++) {
        const struct ms_lock *l = &locks.items[i];
        if (l->mode != MS_LOCK_ACCESS_EXCLUSIVE ||
            (l->kind != MS_REL_TABLE && l->kind != MS_REL_VIEW && l->kind != MS_REL_MATVIEW) ||
            ms_ctx_table_is_new(ctx, &l->rel))
            continue;
        if (!s->holding) {
            s->holding = true;
            s->taker = ms_ctx_mark(ctx, -1);
            s->taker_tag = ms_ctx_strdup(ctx, locks.tag);
            s->table = ms_ctx_strdup(ctx, ms_ctx_relname(ctx, &l->rel));
        }
        hold(ctx, s, &l->rel);
    }
}

static void visit_transaction_stmt(struct ms_ctx *ctx, const PgQuery__TransactionStmt *node)
{
    switch (node->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
        flush(ctx);
        break;
    default:
        break;
    }
}

const struct ms_rule ms_rule_lock_held_across_statements = {
    .id = "lock-held-across-statements",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "slow statements run while the transaction holds ACCESS EXCLUSIVE on a table",
    .help = "commit right after the statement that takes ACCESS EXCLUSIVE; run the other "
            "statements before it or in a transaction of their own",
    .visit_stmt = visit_stmt,
    .visit_transaction_stmt = visit_transaction_stmt,
    .end_migration = flush,
};
