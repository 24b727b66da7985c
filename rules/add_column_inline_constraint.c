/* add-column-inline-constraint: ADD COLUMN with an inline CHECK, UNIQUE or PRIMARY KEY.
 * Docs: docs/rules/add-column-inline-constraint.md.
 * Fixtures: fixtures/rules/add-column-inline-constraint/. */
#include "rule.h"

/* ADD COLUMN holds an ACCESS EXCLUSIVE lock, and a constraint written into the column definition
 * is enforced under it: an inline CHECK reads every row (PostgreSQL scans even though the new
 * column holds only its default), UNIQUE and PRIMARY KEY build their index. Nothing reads or
 * writes the table meanwhile, and neither form can be added NOT VALID or USING INDEX: the column
 * has to be added first and the constraint separately. (An inline REFERENCES is checked only
 * when the column has a default; add-foreign-key reports that case.) */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF ||
        stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const PgQuery__ColumnDef *col = cmd->def->column_def;
    const char *name = col->colname ? col->colname : "?";
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    for (size_t i = 0; i < col->n_constraints; i++) {
        if (col->constraints[i]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        const PgQuery__Constraint *c = col->constraints[i]->constraint;
        struct ms_diag *d;
        switch (c->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
            d = ms_report(ctx, c->location,
                          "adding column \"%s\" with an inline CHECK to table \"%s\" scans every "
                          "row under ADD COLUMN's ACCESS EXCLUSIVE lock, blocking reads and "
                          "writes",
                          name, table);
            ms_diag_set_help(ctx, d,
                             "add \"%s\" without the check, then ADD CONSTRAINT ... CHECK (...) "
                             "NOT VALID, and VALIDATE CONSTRAINT in a later transaction",
                             name);
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY: {
            bool pk = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
            d = ms_report(ctx, c->location,
                          "adding column \"%s\" with an inline %s to table \"%s\" builds its "
                          "index under ADD COLUMN's ACCESS EXCLUSIVE lock, blocking reads and "
                          "writes until it is built",
                          name, pk ? "PRIMARY KEY" : "UNIQUE", table);
            ms_diag_set_help(ctx, d,
                             "add \"%s\" without the constraint, CREATE UNIQUE INDEX "
                             "CONCURRENTLY on it, then ADD CONSTRAINT ... %s USING INDEX",
                             name, pk ? "PRIMARY KEY" : "UNIQUE");
            break;
        }
        default:
            break;
        }
    }
}

const struct ms_rule ms_rule_add_column_inline_constraint = {
    .id = "add-column-inline-constraint",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "ADD COLUMN with an inline CHECK, UNIQUE or PRIMARY KEY on an existing table",
    .help = "add the column plain, then add the constraint on its own: CHECK ... NOT VALID and "
            "VALIDATE, or an index built CONCURRENTLY and attached USING INDEX",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
