/* require-concurrent-reindex: REINDEX without CONCURRENTLY (PostgreSQL 12 and later).
 * Docs: docs/rules/require-concurrent-reindex.md.
 * Fixtures: fixtures/rules/require-concurrent-reindex/. */
#include "rule.h"

/* A plain REINDEX takes a SHARE lock on the table, so every INSERT, UPDATE and DELETE waits,
 * and an ACCESS EXCLUSIVE lock on each index it rebuilds, so every query the planner considers
 * that index for waits too (in practice any query on the table): for as long as the rebuild
 * takes. REINDEX CONCURRENTLY, from PostgreSQL 12, builds a new index beside the old one
 * without blocking either. Before 12 there is no such option, so the rule does not apply. */
static void visit_reindex_stmt(struct ms_ctx *ctx, const PgQuery__ReindexStmt *node)
{
    if (ms_has_option(node->n_params, node->params, "concurrently"))
        return;
    struct ms_diag *d = NULL;
    switch (node->kind) {
    case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX:
        if (!node->relation || !node->relation->relname ||
            ms_ctx_index_is_new(ctx, node->relation->schemaname, node->relation->relname))
            return;
        d = ms_report(ctx, -1,
                      "reindexing index \"%s\" without CONCURRENTLY blocks writes to its table "
                      "(SHARE lock) and the queries that plan with the index (ACCESS EXCLUSIVE "
                      "lock on it) until it is rebuilt",
                      ms_ctx_relname(ctx, node->relation));
        break;
    case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE:
        if (!node->relation || ms_ctx_table_is_new(ctx, node->relation))
            return;
        d = ms_report(ctx, -1,
                      "reindexing table \"%s\" without CONCURRENTLY blocks writes to it (SHARE "
                      "lock) and the queries that plan with its indexes (ACCESS EXCLUSIVE lock "
                      "on each) until all are rebuilt",
                      ms_ctx_relname(ctx, node->relation));
        break;
    case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA:
    case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE:
        d = ms_report(ctx, -1,
                      "reindexing %s \"%s\" without CONCURRENTLY blocks writes to each of its "
                      "tables, and the queries that plan with their indexes, while they are "
                      "rebuilt",
                      node->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA
                          ? "schema"
                          : "database",
                      node->name && *node->name ? node->name : "?");
        break;
    default: /* REINDEX SYSTEM: system catalogs cannot be reindexed concurrently */
        return;
    }
    ms_diag_set_help(ctx, d,
                     "use REINDEX %s CONCURRENTLY outside a transaction block; if it fails, "
                     "drop the invalid \"_ccnew\" index it leaves and retry",
                     node->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX   ? "INDEX"
                     : node->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE ? "TABLE"
                     : node->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA
                         ? "SCHEMA"
                         : "DATABASE");
}

const struct ms_rule ms_rule_require_concurrent_reindex = {
    .id = "require-concurrent-reindex",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "REINDEX without CONCURRENTLY blocks writes, and reads that use the index",
    .help = "use REINDEX ... CONCURRENTLY outside a transaction block",
    .min_pg = 12,
    .visit_reindex_stmt = visit_reindex_stmt,
};
