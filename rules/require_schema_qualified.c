/* require-schema-qualified: a DDL statement names a table, view, index, type or function
 * without its schema. Docs: docs/rules/require-schema-qualified.md.
 * Fixtures: fixtures/rules/require-schema-qualified/. */
#include "rule.h"

/* An unqualified name is resolved through search_path, which differs between roles (ALTER ROLE
 * ... SET search_path), connection poolers, tools and the session the migration happens to run
 * in: the same migration then creates the table in another schema, or alters a different table
 * of the same name, without an error. Opt-in: most projects keep everything in one schema and
 * a fixed search_path. Temporary tables live in their own schema and are left alone. Only the
 * names a DDL statement creates, changes or drops are judged (and the tables foreign keys
 * reference), not those in queries or function bodies. */

/* Temporary tables created earlier in the migration, by name. */
struct temp {
    struct temp *next;
    const char *name;
};

static bool is_temp_name(struct ms_ctx *ctx, const char *name)
{
    struct temp **list = ms_ctx_rule_state(ctx, sizeof(*list));
    for (const struct temp *t = *list; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            return true;
    return false;
}

static bool is_temp(struct ms_ctx *ctx, const PgQuery__RangeVar *rel)
{
    if (rel->relpersistence && strcmp(rel->relpersistence, "t") == 0) {
        struct temp **list = ms_ctx_rule_state(ctx, sizeof(*list));
        struct temp *t = ms_ctx_alloc(ctx, sizeof(*t));
        t->name = ms_ctx_strdup(ctx, rel->relname);
        t->next = *list;
        *list = t;
        return true;
    }
    return is_temp_name(ctx, rel->relname);
}

static void check_rel(struct ms_ctx *ctx, const PgQuery__RangeVar *rel, const char *kind)
{
    if (!rel || !rel->relname || (rel->schemaname && *rel->schemaname) || is_temp(ctx, rel))
        return;
    struct ms_diag *d = ms_report(ctx, rel->location,
                                  "%s \"%s\" is not schema-qualified: it resolves through "
                                  "search_path, which differs between roles, tools and sessions",
                                  kind, rel->relname);
    ms_diag_set_help(ctx, d, "name the schema: \"public.%s\" (or the schema it belongs in)",
                     rel->relname);
}

/* A name given as a list of String nodes (schema.name or name). */
static void check_names(struct ms_ctx *ctx, size_t n, PgQuery__Node *const *names, int location,
                        const char *kind)
{
    const char *name = n == 1 ? ms_node_str(names[0]) : NULL;
    if (!name || is_temp_name(ctx, name))
        return;
    struct ms_diag *d = ms_report(ctx, location,
                                  "%s \"%s\" is not schema-qualified: it resolves through "
                                  "search_path, which differs between roles, tools and sessions",
                                  kind, name);
    ms_diag_set_help(ctx, d, "name the schema: \"public.%s\" (or the schema it belongs in)", name);
}

/* The table a foreign key references, inline or as a table constraint. */
static void check_constraint(struct ms_ctx *ctx, const PgQuery__Node *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
        n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
        check_rel(ctx, n->constraint->pktable, "table");
}

static void check_column(struct ms_ctx *ctx, const PgQuery__ColumnDef *col)
{
    for (size_t i = 0; i < col->n_constraints; i++)
        check_constraint(ctx, col->constraints[i]);
}

static void visit_create_stmt(struct ms_ctx *ctx, const PgQuery__CreateStmt *stmt)
{
    check_rel(ctx, stmt->relation, "table");
    if (stmt->relation && stmt->relation->relpersistence &&
        strcmp(stmt->relation->relpersistence, "t") == 0)
        return;
    for (size_t i = 0; i < stmt->n_inh_relations; i++)
        if (stmt->inh_relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
            check_rel(ctx, stmt->inh_relations[i]->range_var, "table");
    for (size_t i = 0; i < stmt->n_table_elts; i++) {
        const PgQuery__Node *n = stmt->table_elts[i];
        if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
            check_column(ctx, n->column_def);
        else
            check_constraint(ctx, n);
    }
}

static void visit_create_table_as_stmt(struct ms_ctx *ctx, const PgQuery__CreateTableAsStmt *stmt)
{
    if (stmt->into)
        check_rel(ctx, stmt->into->rel,
                  stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ? "materialized view"
                                                                         : "table");
}

static const char *rel_kind(PgQuery__ObjectType t)
{
    switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        return "index";
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
        return "view";
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
        return "materialized view";
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        return "sequence";
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
        return "foreign table";
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        return "table";
    default:
        return NULL;
    }
}

static void visit_alter_table_stmt(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt)
{
    const char *kind = rel_kind(stmt->objtype);
    if (kind)
        check_rel(ctx, stmt->relation, kind);
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    (void)stmt;
    if (!cmd->def)
        return;
    if (cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
        check_column(ctx, cmd->def->column_def);
    else if (cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD)
        check_rel(ctx, cmd->def->partition_cmd->name, "table");
    else
        check_constraint(ctx, cmd->def);
}

static void visit_index_stmt(struct ms_ctx *ctx, const PgQuery__IndexStmt *stmt)
{
    check_rel(ctx, stmt->relation, "table");
}

static void visit_view_stmt(struct ms_ctx *ctx, const PgQuery__ViewStmt *stmt)
{
    check_rel(ctx, stmt->view, "view");
}

static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *stmt)
{
    const char *kind = rel_kind(stmt->relation_type);
    if (stmt->relation)
        check_rel(ctx, stmt->relation, kind ? kind : "table");
}

static void visit_truncate_stmt(struct ms_ctx *ctx, const PgQuery__TruncateStmt *stmt)
{
    for (size_t i = 0; i < stmt->n_relations; i++)
        if (stmt->relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
            check_rel(ctx, stmt->relations[i]->range_var, "table");
}

static void visit_create_trig_stmt(struct ms_ctx *ctx, const PgQuery__CreateTrigStmt *stmt)
{
    check_rel(ctx, stmt->relation, "table");
}

static void visit_create_domain_stmt(struct ms_ctx *ctx, const PgQuery__CreateDomainStmt *stmt)
{
    check_names(ctx, stmt->n_domainname, stmt->domainname, -1, "domain");
}

static void visit_create_enum_stmt(struct ms_ctx *ctx, const PgQuery__CreateEnumStmt *stmt)
{
    check_names(ctx, stmt->n_type_name, stmt->type_name, -1, "type");
}

static void visit_alter_enum_stmt(struct ms_ctx *ctx, const PgQuery__AlterEnumStmt *stmt)
{
    check_names(ctx, stmt->n_type_name, stmt->type_name, -1, "type");
}

static void visit_alter_domain_stmt(struct ms_ctx *ctx, const PgQuery__AlterDomainStmt *stmt)
{
    check_names(ctx, stmt->n_type_name, stmt->type_name, -1, "domain");
}

static void visit_create_function_stmt(struct ms_ctx *ctx, const PgQuery__CreateFunctionStmt *stmt)
{
    check_names(ctx, stmt->n_funcname, stmt->funcname, -1,
                stmt->is_procedure ? "procedure" : "function");
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *stmt)
{
    const char *kind = rel_kind(stmt->remove_type);
    if (!kind) {
        switch (stmt->remove_type) {
        case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
            kind = "type";
            break;
        case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
            kind = "domain";
            break;
        case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
            kind = "function";
            break;
        case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
            kind = "procedure";
            break;
        default:
            return;
        }
    }
    for (size_t i = 0; i < stmt->n_objects; i++) {
        const PgQuery__Node *o = stmt->objects[i];
        if (o->node_case == PG_QUERY__NODE__NODE_LIST)
            check_names(ctx, o->list->n_items, o->list->items, -1, kind);
        else if (o->node_case == PG_QUERY__NODE__NODE_TYPE_NAME)
            check_names(ctx, o->type_name->n_names, o->type_name->names, o->type_name->location,
                        kind);
        else if (o->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS)
            check_names(ctx, o->object_with_args->n_objname, o->object_with_args->objname, -1,
                        kind);
    }
}

const struct ms_rule ms_rule_require_schema_qualified = {
    .id = "require-schema-qualified",
    .severity = MS_WARNING,
    .category = "schema-design",
    .summary = "a DDL statement names an object without its schema",
    .help = "write schema.name, so the statement does not depend on search_path",
    .opt_in = true,
    .visit_create_stmt = visit_create_stmt,
    .visit_create_table_as_stmt = visit_create_table_as_stmt,
    .visit_alter_table_stmt = visit_alter_table_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .visit_index_stmt = visit_index_stmt,
    .visit_view_stmt = visit_view_stmt,
    .visit_rename_stmt = visit_rename_stmt,
    .visit_truncate_stmt = visit_truncate_stmt,
    .visit_create_trig_stmt = visit_create_trig_stmt,
    .visit_create_domain_stmt = visit_create_domain_stmt,
    .visit_create_enum_stmt = visit_create_enum_stmt,
    .visit_alter_enum_stmt = visit_alter_enum_stmt,
    .visit_alter_domain_stmt = visit_alter_domain_stmt,
    .visit_create_function_stmt = visit_create_function_stmt,
    .visit_drop_stmt = visit_drop_stmt,
};
