/* require-statement-timeout: a rewrite or full scan of an existing table, under a lock that
 * blocks writes, with no statement_timeout set first (opt-in).
 * Docs: docs/rules/require-statement-timeout.md.
 * Fixtures: fixtures/rules/require-statement-timeout/. */
#include "rule.h"

/* A rewrite or a scan takes as long as the table is big, and all that time the lock it holds
 * (ACCESS EXCLUSIVE, or SHARE for an index build) blocks writes, or reads and writes. A
 * statement_timeout caps the outage: past it the statement is cancelled and its transaction
 * rolled back, instead of the application waiting for as long as the table takes. Work under
 * weaker locks (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT) blocks nobody and is left out:
 * a timeout there only leaves an invalid index or an unvalidated constraint behind. */
struct state {
    bool reported;
    struct ms_mark at; /* the ALTER TABLE reported, once */
};

static void report(struct ms_ctx *ctx, int location, const char *tag, const struct ms_lock *l)
{
    ms_report(ctx, location,
              "%s %s%s \"%s\" under %s with no statement_timeout set: nothing bounds how long "
              "%s wait",
              tag, l->work_maybe ? "may " : "",
              l->work == MS_WORK_REWRITE ? (l->work_maybe ? "rewrite" : "rewrites")
                                         : (l->work_maybe ? "scan" : "scans"),
              ms_ctx_relname(ctx, &l->rel), ms_lock_mode_name(l->mode),
              ms_lock_mode_blocks(l->mode));
}

/* The first lock of `locks` that does blocking work on an existing relation, or NULL. */
static const struct ms_lock *blocking_work(const struct ms_ctx *ctx, const struct ms_locks *locks)
{
    for (size_t i = 0; i < locks->n; i++) {
        const struct ms_lock *l = &locks->items[i];
        if (l->work != MS_WORK_NONE && l->mode >= MS_LOCK_SHARE &&
            (l->kind == MS_REL_INDEX || l->kind == MS_REL_INDEX_TABLE ||
             !ms_ctx_table_is_new(ctx, &l->rel)))
            return l;
    }
    return NULL;
}

static void check(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    if (ms_ctx_statement_timeout_set(ctx))
        return;
    struct ms_locks locks;
    ms_locks_stmt(node, ms_ctx_pg_version(ctx), &locks);
    const struct ms_lock *l = blocking_work(ctx, &locks);
    if (l)
        report(ctx, -1, locks.tag, l);
}

/* ALTER TABLE goes command by command: SET NOT NULL proven by a validated CHECK scans nothing,
 * and the finding points at the command that does the work. */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    struct ms_mark here = ms_ctx_mark(ctx, -1);
    if (ms_ctx_statement_timeout_set(ctx) || (s->reported && ms_same_stmt(s->at, here)))
        return;
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull && ms_ctx_pg_version(ctx) >= 12 &&
        ms_ctx_has_validated_not_null_check(ctx, stmt->relation, cmd->name))
        return;
    struct ms_locks locks;
    ms_locks_alter_cmd(stmt, cmd, ms_ctx_pg_version(ctx), &locks);
    const struct ms_lock *l = blocking_work(ctx, &locks);
    if (!l)
        return;
    s->reported = true;
    s->at = here;
    struct ms_lock sure = *l;
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull)
        sure.work_maybe = false; /* no validated CHECK proves the column: it scans */
    char tag[96];
    snprintf(tag, sizeof(tag), "%s ... %s", locks.tag, ms_alter_cmd_name(cmd));
    report(ctx, -1, tag, &sure);
}

/* The other statements that rewrite or scan: wrap the typed node back into a Node for the lock
 * table. */
#define WRAP(field, CASE, Type)                                                                    \
    static void visit_##field(struct ms_ctx *ctx, const PgQuery__##Type *node)                     \
    {                                                                                              \
        PgQuery__Node n = PG_QUERY__NODE__INIT;                                                    \
        n.node_case = PG_QUERY__NODE__NODE_##CASE;                                                 \
        n.field = (PgQuery__##Type *)node;                                                         \
        check(ctx, &n);                                                                            \
    }
WRAP(index_stmt, INDEX_STMT, IndexStmt)
WRAP(reindex_stmt, REINDEX_STMT, ReindexStmt)
WRAP(cluster_stmt, CLUSTER_STMT, ClusterStmt)
WRAP(vacuum_stmt, VACUUM_STMT, VacuumStmt)
WRAP(refresh_mat_view_stmt, REFRESH_MAT_VIEW_STMT, RefreshMatViewStmt)
#undef WRAP

const struct ms_rule ms_rule_require_statement_timeout = {
    .id = "require-statement-timeout",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "a table is rewritten or scanned under a blocking lock with no statement_timeout "
               "set",
    .help = "SET statement_timeout before the statement (SET LOCAL inside a transaction) to cap "
            "how long it may block the table",
    .opt_in = true,
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .visit_index_stmt = visit_index_stmt,
    .visit_reindex_stmt = visit_reindex_stmt,
    .visit_cluster_stmt = visit_cluster_stmt,
    .visit_vacuum_stmt = visit_vacuum_stmt,
    .visit_refresh_mat_view_stmt = visit_refresh_mat_view_stmt,
};
