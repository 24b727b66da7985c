/* mass-update: UPDATE or DELETE without WHERE on a table that existed before this migration.
 * Docs: docs/rules/mass-update.md. Fixtures: fixtures/rules/mass-update/. */
#include "rule.h"

/* One statement touches every row: each updated or deleted row stays locked until the
 * migration commits, so the application's writes to any of them wait (and may deadlock with
 * the migration); UPDATE writes a new version of every row (the table and its indexes can
 * double in size) and the WAL carries all of it to the replicas, which fall behind. On a large
 * table this runs for minutes inside the schema migration's transaction. */
static void report(struct ms_ctx *ctx, const PgQuery__RangeVar *rel, bool update)
{
    if (!rel || ms_ctx_table_is_new(ctx, rel))
        return;
    const char *table = ms_ctx_relname(ctx, rel);
    struct ms_diag *d = ms_report(
        ctx, -1,
        "%s every row of table \"%s\" in one statement locks all of them until the migration "
        "commits%s",
        update ? "updating" : "deleting", table,
        update ? " and writes a new version of each" : " and deletes them for good");
    ms_diag_set_help(ctx, d,
                     "%s \"%s\" in batches of a few thousand rows (WHERE id BETWEEN ...), each "
                     "in its own transaction, outside the schema migration",
                     update ? "backfill" : "delete from", table);
}

static void visit_update_stmt(struct ms_ctx *ctx, const PgQuery__UpdateStmt *node)
{
    if (!node->where_clause)
        report(ctx, node->relation, true);
}

static void visit_delete_stmt(struct ms_ctx *ctx, const PgQuery__DeleteStmt *node)
{
    if (!node->where_clause)
        report(ctx, node->relation, false);
}

const struct ms_rule ms_rule_mass_update = {
    .id = "mass-update",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "UPDATE or DELETE without WHERE touches every row of an existing table in one "
               "transaction",
    .help = "backfill or delete in batches, each in its own transaction, outside the schema "
            "migration",
    .visit_update_stmt = visit_update_stmt,
    .visit_delete_stmt = visit_delete_stmt,
};
