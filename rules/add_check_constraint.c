/* add-check-constraint: a CHECK constraint added to an existing table and validated at once.
 * Docs: docs/rules/add-check-constraint.md. Fixtures: fixtures/rules/add-check-constraint/. */
#include "rule.h"

/* ADD CONSTRAINT ... CHECK takes an ACCESS EXCLUSIVE lock and, holding it, reads every row to
 * prove the expression: no query on the table runs until the scan is done, and it fails at the
 * first row that violates the check. Added NOT VALID, the check holds for new and updated rows
 * at once; VALIDATE CONSTRAINT then scans under SHARE UPDATE EXCLUSIVE, while reads and writes
 * go on. (A CHECK written inline in ADD COLUMN is add-column-inline-constraint's.) */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    const PgQuery__Constraint *c = ms_added_constraint(cmd, PG_QUERY__CONSTR_TYPE__CONSTR_CHECK);
    if (!c || c->skip_validation || ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    const char *name = ms_name_or_null(c->conname) ? c->conname : "<name>";
    struct ms_diag *d = ms_report(ctx, c->location,
                                  "adding %s to table \"%s\" scans every row under an ACCESS "
                                  "EXCLUSIVE lock, blocking reads and writes",
                                  ms_constraint_phrase(ctx, "a", "check constraint", c), table);
    ms_diag_set_help(ctx, d,
                     "ADD CONSTRAINT %s CHECK (...) NOT VALID (brief lock, no scan), then in a "
                     "later transaction VALIDATE CONSTRAINT %s, which scans under SHARE UPDATE "
                     "EXCLUSIVE while reads and writes go on",
                     name, name);
}

const struct ms_rule ms_rule_add_check_constraint = {
    .id = "add-check-constraint",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "a CHECK constraint is added to an existing table without NOT VALID",
    .help = "add the check NOT VALID, then VALIDATE CONSTRAINT in a later transaction",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
