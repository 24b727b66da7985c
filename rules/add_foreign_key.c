/* add-foreign-key: a foreign key added to an existing table and validated at once.
 * Docs: docs/rules/add-foreign-key.md. Fixtures: fixtures/rules/add-foreign-key/. */
#include "rule.h"

/* ADD CONSTRAINT ... FOREIGN KEY takes SHARE ROW EXCLUSIVE locks on both the table and the table
 * it references, then checks every row of the table against the referenced one while holding
 * them: no INSERT, UPDATE or DELETE on either table runs until the check is done. Added NOT
 * VALID, the constraint holds for new rows at once and the check waits for VALIDATE CONSTRAINT,
 * which takes only SHARE UPDATE EXCLUSIVE (reads and writes go on). A column added with an
 * inline REFERENCES and no DEFAULT holds only NULLs, and PostgreSQL skips the check; with any
 * DEFAULT (even NULL), a serial type, an identity or a generated expression it checks. */

/* Does the new column give existing rows a value expression (so its foreign key is checked)? */
static bool has_default(const PgQuery__ColumnDef *col)
{
    if (col->raw_default || ms_is_serial_name(ms_type_last_name(col->type_name)))
        return true;
    for (size_t i = 0; i < col->n_constraints; i++) {
        const PgQuery__Node *n = col->constraints[i];
        if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        PgQuery__ConstrType t = n->constraint->contype;
        if (t == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT ||
            t == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY ||
            t == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED)
            return true;
    }
    return false;
}

static void report(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                   const PgQuery__Constraint *fk, const char *column)
{
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    const char *parent = ms_ctx_relname(ctx, fk->pktable);
    struct ms_diag *d;
    if (column)
        d = ms_report(ctx, fk->location,
                      "adding column \"%s\" with a default and a foreign key to \"%s\" checks "
                      "every row of \"%s\" while holding SHARE ROW EXCLUSIVE locks on both "
                      "tables, blocking writes to them",
                      column, parent, table);
    else if (ms_name_or_null(fk->conname))
        d = ms_report(ctx, fk->location,
                      "adding foreign key \"%s\" to table \"%s\" checks every row while holding "
                      "SHARE ROW EXCLUSIVE locks on \"%s\" and \"%s\", blocking writes to both",
                      fk->conname, table, table, parent);
    else
        d = ms_report(ctx, fk->location,
                      "adding a foreign key from \"%s\" to \"%s\" checks every row while holding "
                      "SHARE ROW EXCLUSIVE locks on both tables, blocking writes to them",
                      table, parent);
    if (column)
        ms_diag_set_help(ctx, d,
                         "add \"%s\" without a default (PostgreSQL then skips the check), or add "
                         "it without REFERENCES and then ADD CONSTRAINT ... FOREIGN KEY ... NOT "
                         "VALID, and VALIDATE CONSTRAINT in a later transaction",
                         column);
    else
        ms_diag_set_help(ctx, d,
                         "ADD CONSTRAINT %s ... NOT VALID (brief lock, no check), then in a later "
                         "transaction VALIDATE CONSTRAINT %s, which checks under SHARE UPDATE "
                         "EXCLUSIVE while reads and writes go on",
                         ms_name_or_null(fk->conname) ? fk->conname : "<name>",
                         ms_name_or_null(fk->conname) ? fk->conname : "<name>");
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (!cmd->def || ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
        cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        const PgQuery__Constraint *c = cmd->def->constraint;
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN && !c->skip_validation)
            report(ctx, stmt, c, NULL);
    } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
               cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        const PgQuery__ColumnDef *col = cmd->def->column_def;
        if (!has_default(col))
            return;
        for (size_t i = 0; i < col->n_constraints; i++) {
            const PgQuery__Node *n = col->constraints[i];
            if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
                n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
                report(ctx, stmt, n->constraint, col->colname ? col->colname : "?");
        }
    }
}

const struct ms_rule ms_rule_add_foreign_key = {
    .id = "add-foreign-key",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "a foreign key is added to an existing table without NOT VALID",
    .help = "add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a later transaction",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
