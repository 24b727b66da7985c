/* prefer-identity: a column of a serial type (serial, bigserial, smallserial).
 * Docs: docs/rules/prefer-identity.md. Fixtures: fixtures/rules/prefer-identity/. */
#include "rule.h"

/* A serial column is an integer with a DEFAULT nextval() on a sequence it owns only loosely: the
 * sequence needs its own grants, CREATE TABLE ... LIKE copies a default that points at the
 * original table's sequence, and nothing stops an explicit INSERT of an id that the sequence
 * hands out again later (a duplicate key error in production). An identity column (GENERATED
 * ALWAYS / BY DEFAULT AS IDENTITY, PostgreSQL 10+) is the SQL-standard form, ties the sequence to
 * the column, and with ALWAYS rejects ids that bypass it. */

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

static bool is_serial(const char *type)
{
    static const char *const serials[] = {"serial",  "serial2",   "serial4",
                                          "serial8", "bigserial", "smallserial"};
    for (size_t i = 0; type && i < MS_ARRAY_LEN(serials); i++)
        if (strcmp(type, serials[i]) == 0)
            return true;
    return false;
}

static void check_column(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                         const PgQuery__ColumnDef *col)
{
    const PgQuery__TypeName *t = col->type_name;
    const char *type = builtin_type(t);
    if (!is_serial(type))
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d =
        ms_report(ctx, t->location,
                  "column \"%s\" of \"%s\" is %s: its sequence is owned only loosely and nothing "
                  "keeps explicit ids from colliding with the ones it hands out",
                  name, ms_ctx_relname(ctx, rel), type);
    ms_diag_set_help(ctx, d,
                     "declare \"%s\" as bigint GENERATED ALWAYS AS IDENTITY (BY DEFAULT if the "
                     "application inserts ids of its own)",
                     name);
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

const struct ms_rule ms_rule_prefer_identity = {
    .id = "prefer-identity",
    .severity = MS_INFO,
    .category = "schema-design",
    .summary = "a column uses a serial type instead of an identity column",
    .help = "use bigint GENERATED ALWAYS AS IDENTITY",
    .visit_create_stmt = visit_create_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
