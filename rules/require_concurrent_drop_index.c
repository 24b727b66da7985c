/* require-concurrent-drop-index: DROP INDEX without CONCURRENTLY.
 * Docs: docs/rules/require-concurrent-drop-index.md.
 * Fixtures: fixtures/rules/require-concurrent-drop-index/. */
#include "rule.h"

/* A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: nothing reads or
 * writes the table until the migration commits, and while the drop waits for that lock behind
 * a long query, every query on the table queues behind it. DROP INDEX CONCURRENTLY waits for
 * the queries using the index to finish instead, without blocking anyone. */
static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    if (node->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_INDEX || node->concurrent)
        return;
    const char *first = NULL;
    size_t n = 0;
    for (size_t i = 0; i < node->n_objects; i++) {
        const char *schema, *name;
        if (!ms_split_list_name(node->objects[i], &schema, &name) ||
            ms_ctx_index_is_new(ctx, schema, name))
            continue;
        if (!first)
            first = name;
        n++;
    }
    if (!n)
        return;
    struct ms_diag *d =
        ms_report(ctx, -1,
                  "dropping index \"%s\"%s without CONCURRENTLY takes an ACCESS "
                  "EXCLUSIVE lock on %s, blocking reads and writes until the "
                  "migration commits",
                  first, n > 1 ? " and the others" : "", n > 1 ? "their tables" : "its table");
    ms_diag_set_help(ctx, d,
                     "use DROP INDEX CONCURRENTLY \"%s\", one index per statement, outside a "
                     "transaction block",
                     first);
}

const struct ms_rule ms_rule_require_concurrent_drop_index = {
    .id = "require-concurrent-drop-index",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "an index is dropped without CONCURRENTLY, locking its table against reads and "
               "writes",
    .help = "use DROP INDEX CONCURRENTLY, one index per statement, outside a transaction block",
    .visit_drop_stmt = visit_drop_stmt,
};
