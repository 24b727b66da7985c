/* add-primary-key: a PRIMARY KEY added to an existing table by building its index.
 * Docs: docs/rules/add-primary-key.md. Fixtures: fixtures/rules/add-primary-key/. */
#include "rule.h"

/* ADD PRIMARY KEY (cols) builds a unique index while holding an ACCESS EXCLUSIVE lock on the
 * table, and first sets NOT NULL on key columns that lack it, which scans the table under the
 * same lock: nothing reads or writes the table meanwhile. CREATE UNIQUE INDEX CONCURRENTLY
 * builds the index while traffic goes on; ADD CONSTRAINT ... PRIMARY KEY USING INDEX then
 * attaches it, though it still scans to set NOT NULL on a nullable key column unless (12+) a
 * validated CHECK (col IS NOT NULL) proves it. (PRIMARY KEY written inline in ADD COLUMN is
 * add-column-inline-constraint's.) */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    const PgQuery__Constraint *c = ms_added_constraint(cmd, PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY);
    if (!c || ms_name_or_null(c->indexname) || ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    const char *name = ms_name_or_null(c->conname) ? c->conname : "<name>";
    struct ms_diag *d =
        ms_report(ctx, c->location,
                  "adding a primary key to table \"%s\" builds its index (and sets NOT NULL on "
                  "nullable key columns, scanning the table) under an ACCESS EXCLUSIVE lock, "
                  "blocking reads and writes until it is done",
                  table);
    ms_diag_set_help(ctx, d,
                     "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (...) outside a transaction "
                     "block, then ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY USING INDEX %s; "
                     "make nullable key columns NOT NULL first (through a validated CHECK), or "
                     "that step still scans the table",
                     name, table, table, name, name);
}

const struct ms_rule ms_rule_add_primary_key = {
    .id = "add-primary-key",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "a PRIMARY KEY builds its index on an existing table under an ACCESS EXCLUSIVE "
               "lock",
    .help = "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
