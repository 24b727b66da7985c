/* require-concurrent-refresh: REFRESH MATERIALIZED VIEW without CONCURRENTLY.
 * Docs: docs/rules/require-concurrent-refresh.md.
 * Fixtures: fixtures/rules/require-concurrent-refresh/. */
#include "rule.h"

/* A plain refresh re-runs the view's query and swaps in the result under an ACCESS EXCLUSIVE
 * lock on the materialized view, held for the whole query: every SELECT on the view waits
 * until it is done. REFRESH ... CONCURRENTLY takes an EXCLUSIVE lock instead, so readers go on
 * (it needs a unique index on the view, and a view that has been populated once). */
static void visit_refresh_mat_view_stmt(struct ms_ctx *ctx, const PgQuery__RefreshMatViewStmt *node)
{
    /* WITH NO DATA empties the view at once and cannot be combined with CONCURRENTLY */
    if (node->concurrent || node->skip_data || !node->relation ||
        ms_ctx_table_is_new(ctx, node->relation))
        return;
    const char *view = ms_ctx_relname(ctx, node->relation);
    struct ms_diag *d = ms_report(ctx, -1,
                                  "refreshing materialized view \"%s\" without CONCURRENTLY "
                                  "blocks every read of it (ACCESS EXCLUSIVE lock) until its "
                                  "query has run again",
                                  view);
    ms_diag_set_help(ctx, d,
                     "give \"%s\" a unique index on plain columns, then use REFRESH MATERIALIZED "
                     "VIEW CONCURRENTLY \"%s\", which lets reads go on",
                     view, view);
}

const struct ms_rule ms_rule_require_concurrent_refresh = {
    .id = "require-concurrent-refresh",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "a materialized view is refreshed without CONCURRENTLY, blocking reads of it",
    .help = "add a unique index to the materialized view and use REFRESH MATERIALIZED VIEW "
            "CONCURRENTLY",
    .visit_refresh_mat_view_stmt = visit_refresh_mat_view_stmt,
};
