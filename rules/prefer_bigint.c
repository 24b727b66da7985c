/* prefer-bigint: a key column (primary key, foreign key, serial or identity) of type integer or
 * smallint. Docs: docs/rules/prefer-bigint.md. Fixtures: fixtures/rules/prefer-bigint/. */
#include "rule.h"

/* The range of a 2- or 4-byte integer type (or serial), or NULL for any other type. */
static const char *narrow_int(const char *type, const char **limit)
{
    static const struct {
        const char *name, *shown, *limit;
    } types[] = {
        {"int4", "integer", "2,147,483,647"},     {"int2", "smallint", "32,767"},
        {"serial", "serial", "2,147,483,647"},    {"serial4", "serial", "2,147,483,647"},
        {"smallserial", "smallserial", "32,767"}, {"serial2", "smallserial", "32,767"},
    };
    for (size_t i = 0; type && i < MS_ARRAY_LEN(types); i++)
        if (strcmp(type, types[i].name) == 0) {
            *limit = types[i].limit;
            return types[i].shown;
        }
    return NULL;
}

static bool in_names(size_t n, PgQuery__Node *const *names, const char *col)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = ms_node_str(names[i]);
        if (s && col && strcmp(s, col) == 0)
            return true;
    }
    return false;
}

/* Table constraints of the CREATE TABLE the column is in (none for ADD COLUMN). */
struct keys {
    size_t n;
    PgQuery__Node *const *elts;
};

static bool in_table_constraint(const struct keys *k, const char *col, PgQuery__ConstrType type)
{
    for (size_t i = 0; k && i < k->n; i++) {
        if (k->elts[i]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        const PgQuery__Constraint *c = k->elts[i]->constraint;
        if (c->contype != type)
            continue;
        /* a key of several columns counts rows per parent (order_id, line_no): its columns
         * are judged as foreign keys or sequences, not as the key */
        if (type == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY && c->n_keys == 1 &&
            in_names(c->n_keys, c->keys, col))
            return true;
        if (type == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN &&
            in_names(c->n_fk_attrs, c->fk_attrs, col))
            return true;
    }
    return false;
}

static void check_column(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                         const PgQuery__ColumnDef *col, const struct keys *k)
{
    const char *limit = NULL;
    const char *type =
        col->type_name ? narrow_int(ms_type_builtin_name(col->type_name), &limit) : NULL;
    if (!type)
        return;
    const char *role;
    if (ms_column_constraint(col, PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) ||
        in_table_constraint(k, col->colname, PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY))
        role = "primary key column";
    else if (ms_column_constraint(col, PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN) ||
             in_table_constraint(k, col->colname, PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN))
        role = "foreign key column";
    else if (ms_column_constraint(col, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY))
        role = "identity column";
    else if (strstr(type, "serial"))
        role = "column";
    else
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d = ms_report(ctx, col->type_name->location,
                                  "%s \"%s\" of \"%s\" is %s: its values run out at %s, and "
                                  "widening it later rewrites the table (and the tables whose "
                                  "foreign keys reference it) under an ACCESS EXCLUSIVE lock",
                                  role, name, ms_ctx_relname(ctx, rel), type, limit);
    ms_diag_set_help(ctx, d, "declare \"%s\" as %s", name,
                     strstr(type, "serial") ? "bigint GENERATED ALWAYS AS IDENTITY (or bigserial)"
                                            : "bigint");
}

static void visit_create_stmt(struct ms_ctx *ctx, const PgQuery__CreateStmt *stmt)
{
    if (stmt->relation && stmt->relation->relpersistence &&
        strcmp(stmt->relation->relpersistence, "t") == 0)
        return; /* a temporary table is gone at the end of the session */
    struct keys k = {stmt->n_table_elts, stmt->table_elts};
    for (size_t i = 0; i < stmt->n_table_elts; i++)
        if (stmt->table_elts[i]->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
            check_column(ctx, stmt->relation, stmt->table_elts[i]->column_def, &k);
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
        stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && cmd->def &&
        cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
        check_column(ctx, stmt->relation, cmd->def->column_def, NULL);
}

const struct ms_rule ms_rule_prefer_bigint = {
    .id = "prefer-bigint",
    .severity = MS_WARNING,
    .category = "schema-design",
    .summary = "a primary key, foreign key, serial or identity column is integer or smallint",
    .help = "declare key columns bigint (bigint GENERATED ALWAYS AS IDENTITY for ids)",
    .visit_create_stmt = visit_create_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
