/* add-column-not-null: ADD COLUMN ... NOT NULL without a DEFAULT on an existing table.
 * Docs: docs/rules/add-column-not-null.md. Fixtures: fixtures/rules/add-column-not-null/. */
#include "rule.h"

/* Existing rows get NULL in the new column, which the NOT NULL constraint rejects: the ALTER
 * fails with "column ... contains null values" on the first table that has a row, which is
 * production, not the empty development database where the migration was tried. */

/* A default that gives existing rows a value (DEFAULT NULL does not). */
static bool has_default(const PgQuery__ColumnDef *col)
{
    if (col->raw_default && !ms_is_null_const(col->raw_default))
        return true;
    for (size_t i = 0; i < col->n_constraints; i++) {
        const PgQuery__Node *n = col->constraints[i];
        if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        const PgQuery__Constraint *c = n->constraint;
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT && !ms_is_null_const(c->raw_expr))
            return true;
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY ||
            c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED)
            return true; /* values are generated for existing rows */
    }
    return false;
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const PgQuery__ColumnDef *col = cmd->def->column_def;
    bool not_null = col->is_not_null ||
                    ms_column_constraint(col, PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) ||
                    ms_column_constraint(col, PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY);
    /* serial types carry an implicit DEFAULT nextval(...) */
    if (!not_null || has_default(col) || ms_is_serial_name(ms_type_last_name(col->type_name)))
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d = ms_report(
        ctx, col->location,
        "adding column \"%s\" to table \"%s\" as NOT NULL without a default fails as soon as "
        "the table has a row (\"column contains null values\")",
        name, ms_ctx_relname(ctx, stmt->relation));
    ms_diag_set_help(
        ctx, d,
        "add \"%s\" as nullable (or with a constant DEFAULT, which PostgreSQL 11+ adds "
        "without a rewrite), backfill it in batches, then add a CHECK (\"%s\" IS NOT "
        "NULL) NOT VALID, VALIDATE it, and SET NOT NULL",
        name, name);
}

const struct ms_rule ms_rule_add_column_not_null = {
    .id = "add-column-not-null",
    .severity = MS_ERROR,
    .category = "failure",
    .summary = "a NOT NULL column without a default is added to an existing table",
    .help = "add the column nullable or with a DEFAULT, backfill, then enforce NOT NULL",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
