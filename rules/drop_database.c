/* drop-database: DROP DATABASE.
 * Docs: docs/rules/drop-database.md. Fixtures: fixtures/rules/drop-database/. */
#include "rule.h"

/* Every table of the database and every row in it are gone, and only a restore from a backup
 * brings them back. DROP DATABASE also cannot run inside a transaction block, so a migration
 * tool that wraps each migration in one fails on it. */
static void visit_dropdb_stmt(struct ms_ctx *ctx, const PgQuery__DropdbStmt *node)
{
    const char *db = node->dbname && *node->dbname ? node->dbname : "?";
    ms_report(ctx, -1, "dropping database \"%s\" deletes every table in it and all their rows", db);
}

const struct ms_rule ms_rule_drop_database = {
    .id = "drop-database",
    .severity = MS_ERROR,
    .category = "data-loss",
    .summary = "a database is dropped, with all of its data",
    .help = "drop databases by hand, after a backup, not in a schema migration",
    .visit_dropdb_stmt = visit_dropdb_stmt,
};
