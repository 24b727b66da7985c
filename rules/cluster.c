/* cluster: CLUSTER.
 * Docs: docs/rules/cluster.md. Fixtures: fixtures/rules/cluster/. */
#include "rule.h"

/* CLUSTER rewrites the table in index order and rebuilds all of its indexes, holding an ACCESS
 * EXCLUSIVE lock for the whole rewrite: no read, no write, for minutes to hours on a large
 * table, and it needs free disk space for a second copy. Without a table it re-clusters every
 * table clustered before, and cannot run inside a transaction block. */
static void visit_cluster_stmt(struct ms_ctx *ctx, const PgQuery__ClusterStmt *node)
{
    if (!node->relation) {
        ms_report(ctx, -1,
                  "CLUSTER without a table rewrites every table clustered before, each under an "
                  "ACCESS EXCLUSIVE lock that blocks reads and writes");
        return;
    }
    if (ms_ctx_table_is_new(ctx, node->relation))
        return;
    ms_report(ctx, -1,
              "CLUSTER rewrites table \"%s\" and its indexes under an ACCESS EXCLUSIVE lock, "
              "blocking reads and writes until it is done",
              ms_ctx_relname(ctx, node->relation));
}

const struct ms_rule ms_rule_cluster = {
    .id = "cluster",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "CLUSTER rewrites a table under an ACCESS EXCLUSIVE lock",
    .help = "reorder the table online with pg_repack --order-by, outside the schema migration",
    .visit_cluster_stmt = visit_cluster_stmt,
};
