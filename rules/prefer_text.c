/* prefer-text: a column declared varchar(n) (a length limit in the type).
 * Docs: docs/rules/prefer-text.md. Fixtures: fixtures/rules/prefer-text/. */
#include "rule.h"

/* varchar(n) is stored exactly like text; the length is a business rule frozen into the type.
 * Raising n later is a catalog change, but lowering it, or moving a limit from varchar(n) to a
 * CHECK, rewrites or scans the table under an ACCESS EXCLUSIVE lock, and an application that
 * sends a longer value fails at runtime. text with a CHECK (length(col) <= n) constraint holds
 * the same rule, and the check can be changed NOT VALID and validated without blocking. */

/* The type's name when it is built in (no schema, or pg_catalog), else NULL. */
static const char *builtin_type(const PgQuery__TypeName *t)
{
    if (!t || t->n_names == 0 || t->n_names > 2)
        return NULL;
    if (t->n_names == 2) {
        const char *schema = ms_node_str(t->names[0]);
        if (!schema || strcmp(schema, "pg_catalog") != 0)
            return NULL;
    }
    return ms_node_str(t->names[t->n_names - 1]);
}

static void check_column(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                         const PgQuery__ColumnDef *col)
{
    const PgQuery__TypeName *t = col->type_name;
    const char *type = builtin_type(t);
    if (!type || strcmp(type, "varchar") != 0 || t->n_typmods == 0)
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d =
        ms_report(ctx, t->location,
                  "column \"%s\" of \"%s\" is varchar with a length: the limit lives in the type, "
                  "where lowering it rewrites the table and a longer value fails the write",
                  name, ms_ctx_relname(ctx, rel));
    ms_diag_set_help(ctx, d,
                     "declare \"%s\" as text, and if the limit is a real rule add CHECK "
                     "(length(\"%s\") <= n), which can be changed NOT VALID later",
                     name, name);
}

static void visit_create_stmt(struct ms_ctx *ctx, const PgQuery__CreateStmt *stmt)
{
    if (stmt->relation && stmt->relation->relpersistence &&
        strcmp(stmt->relation->relpersistence, "t") == 0)
        return; /* a temporary table is gone at the end of the session */
    for (size_t i = 0; i < stmt->n_table_elts; i++)
        if (stmt->table_elts[i]->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
            check_column(ctx, stmt->relation, stmt->table_elts[i]->column_def);
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn ||
         cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType) &&
        stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && cmd->def &&
        cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        const PgQuery__ColumnDef *col = cmd->def->column_def;
        if (!col->colname && cmd->name) {
            /* ALTER COLUMN name TYPE: the name is on the command */
            PgQuery__ColumnDef named = *col;
            named.colname = cmd->name;
            check_column(ctx, stmt->relation, &named);
        } else {
            check_column(ctx, stmt->relation, col);
        }
    }
}

const struct ms_rule ms_rule_prefer_text = {
    .id = "prefer-text",
    .severity = MS_INFO,
    .category = "schema-design",
    .summary = "a column is declared varchar(n) instead of text",
    .help = "use text, with a CHECK (length(col) <= n) constraint when the limit is a real rule",
    .visit_create_stmt = visit_create_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
