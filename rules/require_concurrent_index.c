/* require-concurrent-index: CREATE INDEX without CONCURRENTLY on an existing table.
 * Docs: docs/rules/require-concurrent-index.md. Fixtures: fixtures/rules/require-concurrent-index/.
 */
#include "rule.h"

/* A plain CREATE INDEX takes a SHARE lock on the table for the whole build: reads go on, but
 * every INSERT, UPDATE and DELETE waits until the index is built, which on a large table is
 * minutes. CREATE INDEX CONCURRENTLY builds it without blocking writes. */
static void visit_index_stmt(struct ms_ctx *ctx, const PgQuery__IndexStmt *node)
{
    /* ON ONLY a partitioned parent builds nothing (the partitions' indexes are built and
     * attached one by one), and PostgreSQL cannot build it CONCURRENTLY anyway */
    if (node->concurrent || ms_ctx_table_is_new(ctx, node->relation) ||
        (node->relation && !node->relation->inh))
        return;
    const char *table = ms_ctx_relname(ctx, node->relation);
    bool named = node->idxname && *node->idxname;
    struct ms_diag *d = ms_report(
        ctx, -1,
        "creating %sindex %s%s%son table \"%s\" without CONCURRENTLY blocks writes to the table "
        "(SHARE lock) until the index is built",
        node->unique ? "unique " : "", named ? "\"" : "", named ? node->idxname : "",
        named ? "\" " : "", table);
    ms_diag_set_help(ctx, d,
                     "use CREATE %sINDEX CONCURRENTLY outside a transaction block; if it fails, "
                     "drop the invalid index and retry",
                     node->unique ? "UNIQUE " : "");
}

const struct ms_rule ms_rule_require_concurrent_index = {
    .id = "require-concurrent-index",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "an index is built on an existing table without CONCURRENTLY",
    .help = "use CREATE INDEX CONCURRENTLY, outside a transaction block",
    .visit_index_stmt = visit_index_stmt,
};
