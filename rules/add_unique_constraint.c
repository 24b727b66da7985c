/* add-unique-constraint: a UNIQUE constraint added to an existing table by building its index.
 * Docs: docs/rules/add-unique-constraint.md. Fixtures: fixtures/rules/add-unique-constraint/. */
#include "rule.h"

/* ADD CONSTRAINT ... UNIQUE (cols) builds a unique index while holding an ACCESS EXCLUSIVE lock
 * on the table: no query reads or writes it until the index is built, which on a large table
 * takes minutes, and the statement fails at the first duplicate. CREATE UNIQUE INDEX
 * CONCURRENTLY builds the same index while reads and writes go on; ADD CONSTRAINT ... UNIQUE
 * USING INDEX then only attaches it. (UNIQUE written inline in ADD COLUMN is
 * add-column-inline-constraint's.) */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    const PgQuery__Constraint *c = ms_added_constraint(cmd, PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE);
    if (!c || ms_name_or_null(c->indexname) || ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    const char *name = ms_name_or_null(c->conname) ? c->conname : "<name>";
    struct ms_diag *d = ms_report(ctx, c->location,
                                  "adding %s to table \"%s\" builds its index under an ACCESS "
                                  "EXCLUSIVE lock, blocking reads and writes until it is built",
                                  ms_constraint_phrase(ctx, "a", "unique constraint", c), table);
    ms_diag_set_help(ctx, d,
                     "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (...) outside a transaction "
                     "block, then ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s",
                     name, table, table, name, name);
}

const struct ms_rule ms_rule_add_unique_constraint = {
    .id = "add-unique-constraint",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "a UNIQUE constraint builds its index on an existing table under an ACCESS "
               "EXCLUSIVE lock",
    .help = "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
