/* add-exclusion-constraint: an EXCLUDE constraint added to an existing table.
 * Docs: docs/rules/add-exclusion-constraint.md.
 * Fixtures: fixtures/rules/add-exclusion-constraint/. */
#include "rule.h"

/* ADD CONSTRAINT ... EXCLUDE builds its index (GiST, usually) while holding an ACCESS EXCLUSIVE
 * lock on the table, checking every pair of conflicting rows: nothing reads or writes the table
 * until it is built, and it fails on the first conflict. Unlike UNIQUE and PRIMARY KEY there is
 * no USING INDEX form, so no way to build the index concurrently and attach it. */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    const PgQuery__Constraint *c =
        ms_added_constraint(cmd, PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION);
    if (!c || ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    ms_report(ctx, c->location,
              "adding %s to table \"%s\" builds its index under an ACCESS EXCLUSIVE lock, "
              "blocking reads and writes until it is built",
              ms_constraint_phrase(ctx, "an", "exclusion constraint", c),
              ms_ctx_relname(ctx, stmt->relation));
}

const struct ms_rule ms_rule_add_exclusion_constraint = {
    .id = "add-exclusion-constraint",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "an EXCLUDE constraint builds its index on an existing table under an ACCESS "
               "EXCLUSIVE lock",
    .help = "there is no concurrent form: add it in a quiet period with a short lock_timeout, or "
            "on a new table that replaces the old one",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
