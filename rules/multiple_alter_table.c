/* multiple-alter-table: several ALTER TABLE statements that each scan or rewrite the same
 * existing table, where one statement would do it in one pass.
 * Docs: docs/rules/multiple-alter-table.md. Fixtures: fixtures/rules/multiple-alter-table/. */
#include "rule.h"

/* PostgreSQL runs the commands of one ALTER TABLE together: one table rewrite for all column
 * type changes and volatile defaults, one scan to check all new CHECK and NOT NULL
 * constraints. Split over several statements, each one reads (or rewrites) the whole table
 * again under ACCESS EXCLUSIVE. Statements are grouped only when nothing that could depend on
 * the earlier one (a data change, a statement migsafe cannot see into, a COMMIT) comes between. */
#define MAX_GROUPS 64

struct group {
    PgQuery__RangeVar rel; /* names copied to migration memory */
    size_t segment;
    size_t n;
    struct ms_mark second;
};

struct state {
    size_t segment; /* bumped at every point statements must not be combined across */
    bool seen, last_in_tx;
    size_t n_groups;
    struct group groups[MAX_GROUPS];
};

static struct state *state(struct ms_ctx *ctx)
{
    return ms_ctx_rule_state(ctx, sizeof(struct state));
}

static void visit_stmt(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    struct state *s = state(ctx);
    bool in_tx = ms_ctx_in_transaction(ctx);
    if (s->seen && in_tx != s->last_in_tx)
        s->segment++;
    s->seen = true;
    s->last_in_tx = in_tx;
    struct ms_locks locks;
    ms_locks_stmt(node, ms_ctx_pg_version(ctx), &locks);
    bool barrier = !locks.known;
    for (size_t i = 0; i < locks.n; i++)
        barrier |= locks.items[i].mode == MS_LOCK_ROW_EXCLUSIVE; /* INSERT, UPDATE, DELETE... */
    if (barrier)
        s->segment++;
}

static void visit_transaction_stmt(struct ms_ctx *ctx, const PgQuery__TransactionStmt *node)
{
    (void)node;
    state(ctx)->segment++;
}

/* Does this command read or rewrite the table in the pass PostgreSQL shares between the
 * commands of one statement (the rewrite, or the check of new CHECK and NOT NULL constraints)?
 * Index builds and foreign key checks run one by one anyway; work that may not happen at all
 * (a binary-compatible type change) does not count. */
static bool shares_pass(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                        const PgQuery__AlterTableCmd *cmd)
{
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
        /* scans unless a validated CHECK proves the column (PostgreSQL 12+) */
        return ms_ctx_pg_version(ctx) < 12 ||
               !ms_ctx_has_validated_not_null_check(ctx, stmt->relation, cmd->name);
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
        if (!cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
            cmd->def->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK)
            return false;
        break;
    default:
        return false;
    }
    struct ms_locks locks;
    ms_locks_alter_cmd(stmt, cmd, ms_ctx_pg_version(ctx), &locks);
    return locks.n > 0 && locks.items[0].work != MS_WORK_NONE && !locks.items[0].work_maybe;
}

static void visit_alter_table_stmt(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *node)
{
    if (node->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !node->relation ||
        ms_ctx_table_is_new(ctx, node->relation))
        return;
    bool heavy = false;
    for (size_t i = 0; i < node->n_cmds; i++) {
        if (node->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
            continue;
        const PgQuery__AlterTableCmd *cmd = node->cmds[i]->alter_table_cmd;
        switch (cmd->subtype) {
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
            return; /* PostgreSQL takes these only on their own */
        default:
            heavy |= shares_pass(ctx, node, cmd);
        }
    }
    if (!heavy)
        return;
    struct state *s = state(ctx);
    struct group *g = NULL;
    for (size_t i = 0; i < s->n_groups && !g; i++)
        if (s->groups[i].segment == s->segment && ms_same_rel(&s->groups[i].rel, node->relation))
            g = &s->groups[i];
    if (!g) {
        if (s->n_groups == MAX_GROUPS)
            return;
        g = &s->groups[s->n_groups++];
        g->rel = *node->relation;
        g->rel.relname = ms_ctx_strdup(ctx, node->relation->relname);
        g->rel.schemaname =
            node->relation->schemaname ? ms_ctx_strdup(ctx, node->relation->schemaname) : NULL;
        g->segment = s->segment;
    }
    if (++g->n == 2)
        g->second = ms_ctx_mark(ctx, -1);
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = state(ctx);
    for (size_t i = 0; i < s->n_groups; i++) {
        const struct group *g = &s->groups[i];
        if (g->n < 2)
            continue;
        const char *table = ms_ctx_relname(ctx, &g->rel);
        struct ms_diag *d = ms_report_at(
            ctx, g->second,
            "table \"%s\" is rewritten or scanned by %zu separate ALTER TABLE statements here "
            "(this is the second), each a full pass over the table under ACCESS EXCLUSIVE",
            table, g->n);
        ms_diag_set_help(ctx, d,
                         "combine them into one ALTER TABLE \"%s\" with the commands separated "
                         "by commas: PostgreSQL then rewrites or checks the table once",
                         table);
    }
}

const struct ms_rule ms_rule_multiple_alter_table = {
    .id = "multiple-alter-table",
    .severity = MS_INFO,
    .category = "locking",
    .summary = "several ALTER TABLE statements each scan or rewrite the same table",
    .help = "combine the commands into one ALTER TABLE, separated by commas, so the table is "
            "rewritten or checked once",
    .visit_stmt = visit_stmt,
    .visit_transaction_stmt = visit_transaction_stmt,
    .visit_alter_table_stmt = visit_alter_table_stmt,
    .end_migration = end_migration,
};
