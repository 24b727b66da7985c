/* require-concurrent-detach-partition: DETACH PARTITION without CONCURRENTLY (PostgreSQL 14+).
 * Docs: docs/rules/require-concurrent-detach-partition.md.
 * Fixtures: fixtures/rules/require-concurrent-detach-partition/. */
#include "rule.h"

/* A plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table (and the
 * partition): every query on any partition waits, and while it waits for the lock behind a
 * long query, every query on the table queues behind it. From PostgreSQL 14, DETACH PARTITION
 * ... CONCURRENTLY takes only SHARE UPDATE EXCLUSIVE on the parent, so reads and writes go on.
 * Before 14 there is no such option, so the rule does not apply. */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD ||
        cmd->def->partition_cmd->concurrent || ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const PgQuery__PartitionCmd *pc = cmd->def->partition_cmd;
    const char *parent = ms_ctx_relname(ctx, stmt->relation);
    const char *part = pc->name ? ms_ctx_relname(ctx, pc->name) : "?";
    struct ms_diag *d = ms_report(ctx, -1,
                                  "detaching partition \"%s\" from \"%s\" without CONCURRENTLY "
                                  "takes an ACCESS EXCLUSIVE lock on \"%s\", blocking reads and "
                                  "writes of every partition",
                                  part, parent, parent);
    ms_diag_set_help(ctx, d,
                     "use ALTER TABLE \"%s\" DETACH PARTITION \"%s\" CONCURRENTLY, outside a "
                     "transaction block (not possible while \"%s\" has a default partition)",
                     parent, part, parent);
}

const struct ms_rule ms_rule_require_concurrent_detach_partition = {
    .id = "require-concurrent-detach-partition",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "a partition is detached without CONCURRENTLY, locking the whole partitioned table",
    .help = "use ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY, outside a transaction block",
    .min_pg = 14,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
